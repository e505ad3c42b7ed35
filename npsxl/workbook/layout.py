"""Where things are in a self-assessment workbook: one definition shared by writer and reader.

Sheet names, defined names, column order, header labels, metadata keys and
property names live here and nowhere else, so the generator and the reader
cannot drift apart. Bump :data:`LAYOUT_VERSION` when any of it changes.
"""

from __future__ import annotations

from dataclasses import dataclass

LAYOUT_VERSION = "2"  # 2: the kind of return, comments and sign-off on Start here

START = "Start here"
ASSESSMENT = "Self-assessment"
GUIDANCE = "Guidance"
SUMMARY = "Summary"
LISTS = "Lists"
METADATA = "Metadata"
SHEET_ORDER = (START, ASSESSMENT, GUIDANCE, SUMMARY, LISTS, METADATA)
HIDDEN_SHEETS = (LISTS, METADATA)

NAME_PREFIX = "NPS_"
LEVELS_NAME = "NPS_LEVELS"
COUNCILS_NAME = "NPS_COUNCILS"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: float
    is_input: bool = False


# --- the Self-assessment sheet -------------------------------------------------------------------
ASSESSMENT_TITLE_ROW = 0
ASSESSMENT_HELP_ROW = 1
ASSESSMENT_HEADER_ROW = 3  # 0-based: row 4 in the spreadsheet
ASSESSMENT_FIRST_ROW = ASSESSMENT_HEADER_ROW + 1

REF_HEADER = "Ref"
CURRENT_HEADER = "Current level"
TARGET_HEADER = "Target level"
# A pre-filled workbook shows the council's previous levels, locked, right after its dropdowns.
# Their headers must differ from every other header: the reader maps columns by header text.
PREVIOUS_CURRENT_HEADER = "Last round: current"
PREVIOUS_TARGET_HEADER = "Last round: target"
PREVIOUS_FIELDS = {"previous_current": "current", "previous_target": "target"}


LEVEL_WIDTH = 16  # a level's column, unless its descriptors need more (see level_widths)
# Evidence and actions: wide enough for 2,000 characters of text in a row of at most 409 pt
# (Excel's limit), as npsxl.workbook.textfit wraps it; their rows grow as the text is typed.
INPUT_TEXT_WIDTH = 60
INPUT_TEXT_CHARS = 2000


def assessment_columns(
    level_names, previous: bool = False, level_widths=None
) -> tuple[Column, ...]:
    """The columns of the Self-assessment sheet, left to right.

    ``previous``: the two locked columns of a pre-filled workbook that show last round's
    levels (keys ``previous_current`` and ``previous_target``) follow the target level.
    ``level_widths``: the width of each level's column (default :data:`LEVEL_WIDTH`).
    """
    level_widths = level_widths or [LEVEL_WIDTH] * len(level_names)
    shown = (
        (
            Column("previous_current", PREVIOUS_CURRENT_HEADER, 10.5),
            Column("previous_target", PREVIOUS_TARGET_HEADER, 10.5),
        )
        if previous
        else ()
    )
    return (
        Column("ref", REF_HEADER, 5),
        Column("name", "Key area or enabler", 14),
        Column("description", "What it covers", 17),
        *(
            Column(f"level_{i}", name, width)
            for i, (name, width) in enumerate(zip(level_names, level_widths, strict=True), 1)
        ),
        Column("current", CURRENT_HEADER, 11, is_input=True),
        Column("target", TARGET_HEADER, 11, is_input=True),
        *shown,
        Column("evidence", "Evidence for the current level", INPUT_TEXT_WIDTH, is_input=True),
        Column("actions", "Actions planned to reach the target", INPUT_TEXT_WIDTH, is_input=True),
        Column("target_date", "Target date", 10.5, is_input=True),
        Column("check", "Check", 11),
    )


def column_index(level_names, key: str, previous: bool = False) -> int:
    for index, column in enumerate(assessment_columns(level_names, previous)):
        if column.key == key:
            return index
    raise KeyError(key)


# Item inputs: field key -> defined-name suffix. NPS_<item id>_<suffix>, e.g. NPS_L1_CURRENT.
ITEM_FIELDS = {
    "current": "CURRENT",
    "target": "TARGET",
    "evidence": "EVIDENCE",
    "actions": "ACTIONS",
    "target_date": "TARGET_DATE",
}
LEVEL_FIELDS = ("current", "target")


def item_input_name(item_id: str, field: str) -> str:
    """The defined name of one input cell, e.g. ``NPS_L1_CURRENT``."""
    return f"{NAME_PREFIX}{item_id}_{ITEM_FIELDS[field]}"


# --- the Start here sheet: council and respondent details ----------------------------------------
@dataclass(frozen=True)
class DetailField:
    key: str
    label: str
    defined_name: str
    help: str


COUNCIL_FIELDS = (
    DetailField("council_name", "Council", "NPS_COUNCIL_NAME", "Choose your council from the list"),
    DetailField("council_code", "Council code", "NPS_COUNCIL_CODE", "Filled in from your council"),
    DetailField("region", "Region", "NPS_REGION", "Filled in from your council"),
    DetailField("council_type", "Council type", "NPS_COUNCIL_TYPE", "Filled in from your council"),
)
RESPONDENT_FIELDS = (
    DetailField("respondent_name", "Your name", "NPS_RESPONDENT_NAME", "Who completed this"),
    DetailField("respondent_role", "Your role", "NPS_RESPONDENT_ROLE", "e.g. Head of Procurement"),
    DetailField("respondent_email", "Email", "NPS_RESPONDENT_EMAIL", "So we can contact you"),
    DetailField("date_completed", "Date completed", "NPS_DATE_COMPLETED", "dd/mm/yyyy"),
)
# What the return is: the council's agreed return, or one officer's view (a dropdown).
RETURN_KIND_FIELD = DetailField(
    "return_kind", "This return is", "NPS_RETURN_KIND", "Or your own view: choose from the list"
)
AGREED_CHOICE = "The council's agreed return"
VIEW_CHOICE = "One officer's view"
RETURN_KIND_CHOICES = {AGREED_CHOICE: "agreed", VIEW_CHOICE: "view"}  # shown -> ReturnKind value
DETAIL_FIELDS = COUNCIL_FIELDS + RESPONDENT_FIELDS + (RETURN_KIND_FIELD,)
START_DETAILS_FIRST_ROW = 14  # 0-based row of the first council detail
START_LABEL_COL = 1
START_VALUE_COL = 2


def a1(row: int, col: int) -> str:
    """A cell's A1 reference from its 0-based row and column: ``a1(12, 2)`` is ``C13``."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row + 1}"


def start_detail_cell(index: int) -> str:
    return a1(START_DETAILS_FIRST_ROW + index, START_VALUE_COL)


# The overall comments box and the sign-off, below the details on the Start here sheet.
COMMENTS_FIELD = DetailField(
    "comments", "Overall comments", "NPS_COMMENTS", "Anything the coordinator should know"
)
SIGN_OFF_FIELDS = (
    DetailField("approved_by", "Approved by", "NPS_APPROVED_BY", "Who approved this return"),
    DetailField("approver_role", "Their role", "NPS_APPROVER_ROLE", "e.g. Director of Finance"),
    DetailField("date_approved", "Date approved", "NPS_DATE_APPROVED", "dd/mm/yyyy"),
)
# Every input of the Start here sheet, in the order of the form (and of its Tab order).
START_INPUT_FIELDS = DETAIL_FIELDS + (COMMENTS_FIELD,) + SIGN_OFF_FIELDS


# --- metadata, written three ways -----------------------------------------------------------------
META_KEYS = (
    "model_id",
    "model_version",
    "model_fingerprint",
    "layout_version",
    "council_code",
    "council_name",
    "generated_at",
    "generator",
    "round",  # the assessment round, e.g. "2026"
)
META_LABELS = {key: key.replace("_", " ").capitalize() for key in META_KEYS}


def meta_defined_name(key: str) -> str:
    """``model_id`` -> ``NPS_META_MODEL_ID``."""
    return f"{NAME_PREFIX}META_{key.upper()}"


def meta_property_name(key: str) -> str:
    """The custom document property holding ``key``: ``npsxl_model_id``."""
    return f"npsxl_{key}"


SHORT_FINGERPRINT = 12  # characters of the model's fingerprint in the small print, for people

META_FIRST_ROW = 1  # on the Metadata sheet: A = key, B = value, from row 2


def meta_cell(key: str) -> str:
    return a1(META_FIRST_ROW + META_KEYS.index(key), 1)


def absolute(sheet: str, cell: str) -> str:
    """``'Start here'!$C$13`` from a sheet name and ``C13``."""
    col = cell.rstrip("0123456789")
    row = cell[len(col) :]
    return f"='{sheet}'!${col}${row}"


__all__ = [name for name in dir() if not name.startswith("_")]
