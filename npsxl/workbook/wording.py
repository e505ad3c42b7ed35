"""The fixed instructions of the council's workbook: the steps on Start here and the help row
of the Self-assessment sheet (:func:`start_steps`, :data:`HELP_ROW_TEXT`)."""

from __future__ import annotations

from npsxl.model.model import Model
from npsxl.workbook import layout as L

INPUT_CELLS = "the cells with a dashed border"  # how instructions name the cells to fill in

# One line, within the levels' printed page (the inputs print on the next)
HELP_ROW_TEXT = (
    "Choose a Current and a Target level in each row from the dropdowns in the dashed cells; "
    "add evidence, actions and a target date. Click a name for its guidance."
)


HELP_ROW_TEXT_PREFILLED = (
    "Choose a Current and a Target level in each row (dropdowns in the dashed cells; last "
    "round's in grey); update evidence and actions; add a target date."
)


def start_steps(model: Model, previous: bool = False) -> list[str]:
    """The numbered steps on Start here, for a blank or a pre-filled workbook."""
    n = len(model.items)
    choose = (
        f"Go to the '{L.ASSESSMENT}' sheet. For each of the {n} key areas and enablers, read the "
        f"{len(model.levels)} level descriptions, then choose your Current level and your Target "
        f"level from the dropdowns in {INPUT_CELLS}."
    )
    if previous:
        choose += (
            " Your levels from last round are shown in grey beside the dropdowns, for "
            "reference only: choose your levels again for this round."
        )
        texts = (
            "Update the evidence and actions copied in from your last return, so they say "
            "where you are now, and add a target date. The 'Carried over' section below says "
            "what was copied and what changed."
        )
    else:
        texts = (
            "Add the evidence for your current level, the actions planned to reach your "
            "target, and a target date."
        )
    return [
        "Check your council's details below, add your name, role, email and today's date in "
        f"{INPUT_CELLS}, and say whether this is the council's agreed return or your own view.",
        choose,
        texts,
        f"Click an item's name for its guidance. Targets are yours to choose: there is nothing "
        f"'wrong' about setting '{model.level_names[1 % len(model.levels)]}' or "
        f"'{model.level_names[2 % len(model.levels)]}' as a target; it can be entirely "
        f"appropriate. The '{L.SUMMARY}' sheet shows your scores and gaps.",
        f"When the progress line below reads '{n} of {n} items complete', save the file (keep "
        "the .xlsx format and the sheet names) and email it to the address above by the "
        "deadline. Items without evidence are counted as complete, but say what you rely on.",
    ]
