"""What every council's self-assessment workbook of one model shares, worked out once per
model (:func:`plan_for`): the rows and their heights, texts, formulas and the column widths
of each sheet. :mod:`npsxl.workbook.writer` writes the workbook from them, in the cell
formats of :mod:`npsxl.workbook.formats`."""

from __future__ import annotations

import datetime as dt

from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from npsxl import __version__
from npsxl.model.model import Item, Model
from npsxl.workbook import layout as L
from npsxl.workbook.textfit import (
    FONT_SIZE,
    LO_COLUMN_SCALE,
    MAX_ROW_HEIGHT,
    column_pixels,
    fitting_width,
    row_height,
    span_pixels,
)

# Column widths of the other sheets (the Self-assessment columns are in npsxl.workbook.layout).
START_WIDTHS = (2, 22, 58, 44)


GUIDANCE_WIDTHS = (22, 112)


SUMMARY_WIDTHS = (6, 38, 30, 10, 10, 9, 11)


SUMMARY_HEADER_ROW = 3


SUMMARY_COLUMNS = ("Ref", "Key area or enabler", "Theme", "Current", "Target", "Gap", "Complete")


MISSING_CELL = (1, 7)  # Lists!H2: the ids of items still to complete, built by formula


MARGINS = {"left": 0.25, "right": 0.25, "top": 0.4, "bottom": 0.55}


A4 = 9
A4_LANDSCAPE_INCHES = (11.69, 8.27)
ASSESSMENT_MARGINS = {**MARGINS, "top": 0.65}  # room for the title in the page header


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

EARLIEST_DATE = dt.date(2018, 1, 1)
LATEST_DATE = dt.date(2099, 12, 31)


def date_validation(title: str, purpose: str, example: str = "31/03/2028") -> dict:
    """xlsxwriter data-validation options for a date cell: a real date from
    :data:`EARLIEST_DATE` to :data:`LATEST_DATE`, with a prompt (``title``, at most 32
    characters, and ``purpose``) and an error message that say so (add ``multi_range`` for
    several blocks)."""
    first, last = EARLIEST_DATE.strftime("%d/%m/%Y"), LATEST_DATE.strftime("%d/%m/%Y")
    return {
        "validate": "date",
        "criteria": "between",
        "minimum": EARLIEST_DATE,
        "maximum": LATEST_DATE,
        "input_title": title,
        "input_message": f"{purpose}: a date as dd/mm/yyyy, e.g. {example}",
        "error_title": "Type a date",
        "error_message": f"Type a real date from {first} to {last} as dd/mm/yyyy, e.g. {example}.",
    }


def detail_height(value, help_text: str, font: str) -> float:
    """The height of a council or respondent detail row on the Start here sheet."""
    return row_height(
        [
            (value if isinstance(value, str) else "", column_pixels(START_WIDTHS[2]), True, 10),
            (help_text, column_pixels(START_WIDTHS[3]), False, 9),
        ],
        minimum=17,
        font=font,
    )


def _back_text(item: Item) -> str:
    return f"Back to {item.id} on the '{L.ASSESSMENT}' sheet"


def _short_description(item: Item) -> str:
    """The first sentence of the description (the Guidance sheet has it in full)."""
    text = item.description or ""
    if not text:
        if item.kind == "enabler":
            return "An enabler of the strategy: read its levels."
        return "See the Guidance sheet."
    end = text.find(". ")
    return text if end == -1 else text[: end + 1]


class Plan:
    """Everything about a model's workbook that does not depend on the council or answers.

    ``previous``: the plan of a pre-filled workbook (last round's levels shown).
    """

    def __init__(self, model: Model, previous: bool = False):
        self.model = model
        self.previous = previous
        font = model.brand.font
        self.font = font
        # a level's column is widened when one of its descriptors would need a row taller
        # than Excel allows (a row's other cells are narrower texts)
        room = MAX_ROW_HEIGHT - 9
        level_widths = [
            fitting_width((item.descriptors[i] for item in model.items), L.LEVEL_WIDTH,
                          limit=room, font=font)
            for i in range(len(model.levels))
        ]  # fmt: skip
        self.columns = L.assessment_columns(model.level_names, previous, level_widths)
        self.col = {c.key: i for i, c in enumerate(self.columns)}
        self.pixels = {c.key: column_pixels(c.width) for c in self.columns}
        self.n_items = len(model.items)
        self.short = {item.id: _short_description(item) for item in model.items}

        # Self-assessment rows: a heading per group, then its items
        self.assessment_rows: list[tuple[str, object]] = []
        self.item_rows: dict[str, int] = {}
        row = L.ASSESSMENT_FIRST_ROW
        for group in model.groups:
            self.assessment_rows.append(("group", group))
            row += 1
            for item in group.items:
                self.assessment_rows.append(("item", item))
                self.item_rows[item.id] = row
                row += 1
        self.assessment_last_row = row - 1
        self.item_blocks = _blocks(sorted(self.item_rows.values()))
        self.header_height = row_height(
            [(c.header, self.pixels[c.key], True, FONT_SIZE) for c in self.columns],
            minimum=30,
            font=font,
        )
        self._plan_printing()
        p = self.pixels
        self.item_heights = {}
        for item in model.items:
            cells = [
                (item.id, p["ref"], True, FONT_SIZE),
                (item.name, p["name"], True, FONT_SIZE),
                (self.short[item.id], p["description"], False, FONT_SIZE),
                ("Target below current", p["check"], True, FONT_SIZE),
            ]
            cells += [
                (d, p[f"level_{i}"], False, FONT_SIZE)
                for i, d in enumerate(item.descriptors, start=1)
            ]
            self.item_heights[item.id] = row_height(cells, minimum=45, font=font)

        # Summary rows
        self.summary_rows = {
            item.id: SUMMARY_HEADER_ROW + 1 + i for i, item in enumerate(model.items)
        }
        self.summary_name_height = {
            item.id: row_height(
                [
                    (item.name, column_pixels(SUMMARY_WIDTHS[1]), False, FONT_SIZE),
                    (item.group_name, column_pixels(SUMMARY_WIDTHS[2]), False, FONT_SIZE),
                ],
                font=font,
            )
            for item in model.items
        }

        # Guidance rows and their heights
        self.guidance: list[tuple] = []  # (kind, row, label, text, height)
        self.guidance_rows: dict[str, int] = {}
        text_px = column_pixels(GUIDANCE_WIDTHS[1])
        label_px = column_pixels(GUIDANCE_WIDTHS[0])
        row = 2
        for group in model.groups:
            self.guidance.append(("group", row, group.name, "", 18))
            row += 1
            if group.description:
                height = row_height(
                    [
                        (group.description, text_px, False, FONT_SIZE),
                        ("About the enablers", label_px, True, FONT_SIZE),
                    ],
                    font=font,
                )
                self.guidance.append(("text", row, "About the enablers", group.description, height))
                row += 1
            for item in group.items:
                self.guidance_rows[item.id] = row
                self.guidance.append(("item", row, item.id, item.name, 20))
                row += 1
                fields = [
                    ("Description", item.description),
                    ("What it is", item.what_it_is),
                    ("Why it is important", item.why_it_is_important),
                ]
                fields = [(label, text) for label, text in fields if text]
                if item.kind == "enabler" or not fields:
                    n = len(model.levels)
                    fields.append(("The levels", f"The strategy describes it by its {n} levels:"))
                    fields += [
                        (f"{lv.score}. {lv.name}", d)
                        for lv, d in zip(model.levels, item.descriptors, strict=True)
                    ]
                for label, text in fields:
                    height = row_height(
                        [(text, text_px, False, FONT_SIZE), (label, label_px, True, FONT_SIZE)],
                        font=font,
                    )
                    self.guidance.append(("text", row, label, text, height))
                    row += 1
                if item.text_note:
                    height = row_height(
                        [
                            (item.text_note, text_px, False, 9),
                            ("Note on the text", label_px, True, 9),
                        ],
                        font=font,
                    )
                    self.guidance.append(("note", row, "Note on the text", item.text_note, height))
                    row += 1
                self.guidance.append(("back", row, item.id, _back_text(item), 15))
                row += 2
        self.guidance_last_row = row - 1

        # Start here
        span_all = span_pixels(START_WIDTHS[1:])
        span_text = span_pixels(START_WIDTHS[2:])
        self.title = f"{model.title}: self-assessment"
        self.title_height = row_height([(self.title, span_all, True, 16)], minimum=24, font=font)
        self.purpose_height = row_height([(model.purpose, span_all, False, FONT_SIZE)], font=font)
        self.steps = _steps(model, previous)
        self.step_heights = [
            row_height([(s, span_text, False, FONT_SIZE)], font=font) for s in self.steps
        ]
        self.small_print = (
            f"Model {model.id} version {model.version}, fingerprint {model.fingerprint}. "
            f"Layout {L.LAYOUT_VERSION}. Generated {{generated_at}} by npsxl {__version__}. "
            f"Source: {model.title}, {model.publisher}, {model.published}, {model.source_url}"
        )

        # Formulas shared by every council's workbook
        self.check_formulas = {}
        levels = L.LEVELS_NAME
        for item in model.items:
            row = self.item_rows[item.id]
            cur = xl_rowcol_to_cell(row, self.col["current"])
            tgt = xl_rowcol_to_cell(row, self.col["target"])
            self.check_formulas[item.id] = (
                f'=IF(AND({cur}="",{tgt}=""),"To do",IF(OR(ISNA(MATCH({cur},{levels},0)),'
                f'ISNA(MATCH({tgt},{levels},0))),"Choose both levels",'
                f'IF({below_formula(cur, tgt)},"Target below current","Done")))'
            )
        self.name_links = {
            item.id: _hyperlink(L.GUIDANCE, self.guidance_rows[item.id], item.name)
            for item in model.items
        }
        self.back_links = {
            item.id: _hyperlink(L.ASSESSMENT, self.item_rows[item.id], _back_text(item))
            for item in model.items
        }
        complete = xl_col_to_name(6)
        self.missing_formula = (
            "=TRIM("
            + "&".join(
                f'IF(\'{L.SUMMARY}\'!${complete}${self.summary_rows[i.id] + 1}="Yes","","{i.id} ")'
                for i in model.items
            )
            + ")"
        )
        missing = f"'{L.LISTS}'!${xl_col_to_name(MISSING_CELL[1])}${MISSING_CELL[0] + 1}"
        first = min(self.summary_rows.values()) + 1
        last = max(self.summary_rows.values()) + 1
        self.progress_formula = (
            f"=COUNTIF('{L.SUMMARY}'!${complete}${first}:${complete}${last},\"Yes\")"
            f'&" of {self.n_items} items complete"'
        )
        self.missing_text_formula = (
            f'=IF({missing}="","Nothing missing: every item has a current and a target level",'
            f'"Still to complete: "&SUBSTITUTE({missing}," ",", "))'
        )

    def _plan_printing(self) -> None:
        """How the Self-assessment prints: on A4 landscape, each row across two pages (the
        levels, then the council's evidence, actions, date and check, with the reference and
        name repeated), at the largest whole percentage at which both halves fit the page
        in Excel and in LibreOffice (which draws columns wider)."""
        widths = [c.width for c in self.columns]
        split = self.col["evidence"]
        printable = (A4_LANDSCAPE_INCHES[0] - MARGINS["left"] - MARGINS["right"]) * 96
        levels = span_pixels(widths[:split])
        inputs = span_pixels(widths[:2]) + span_pixels(widths[split:])
        self.print_split = split
        self.print_scale = min(100, int(100 * printable / (max(levels, inputs) * LO_COLUMN_SCALE)))


_PLANS: dict[tuple, Plan] = {}


def plan_for(model: Model, previous: bool = False) -> Plan:
    """The model's :class:`Plan`, made once per model content, brand and kind."""
    key = (model.fingerprint, repr(model.brand), previous)  # content, presentation, kind
    plan = _PLANS.get(key)
    if plan is None:
        if len(_PLANS) > 16:
            _PLANS.clear()
        plan = _PLANS[key] = Plan(model, previous)
    return plan


def _hyperlink(sheet: str, row: int, text: str) -> str:
    """A HYPERLINK formula that jumps to column A of ``row`` on ``sheet``."""
    target = f"#'{sheet}'!A{row + 1}".replace('"', '""')
    return f'=HYPERLINK("{target}","{text.replace(chr(34), chr(34) * 2)}")'


def _blocks(rows: list[int]) -> list[tuple[int, int]]:
    """Runs of consecutive row numbers: [5, 6, 7, 9] -> [(5, 7), (9, 9)]."""
    blocks: list[tuple[int, int]] = []
    for row in rows:
        if blocks and blocks[-1][1] == row - 1:
            blocks[-1] = (blocks[-1][0], row)
        else:
            blocks.append((row, row))
    return blocks


def multi_range(blocks, col: int) -> str:
    """A space-separated range list ('D5:D7 D9') of column ``col`` over row ``blocks``."""
    return " ".join(
        f"{xl_rowcol_to_cell(a, col)}:{xl_rowcol_to_cell(b, col)}"
        if a != b
        else xl_rowcol_to_cell(a, col)
        for a, b in blocks
    )


def _steps(model: Model, previous: bool = False) -> list[str]:
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
        "Check your council's details below and add your name, role, email and today's date in "
        f"{INPUT_CELLS}.",
        choose,
        texts,
        f"Click an item's name for its guidance. Targets are yours to choose: there is nothing "
        f"'wrong' about setting '{model.level_names[1 % len(model.levels)]}' or "
        f"'{model.level_names[2 % len(model.levels)]}' as a target; it can be entirely "
        f"appropriate. The '{L.SUMMARY}' sheet shows your scores and gaps.",
        f"When the progress line below reads '{n} of {n} items complete', save the file (keep "
        "the .xlsx format and the sheet names) and email it back to your regional coordinator.",
    ]


def below_formula(cur: str, tgt: str) -> str:
    """A formula that is true when the target level is below the current level."""
    levels = L.LEVELS_NAME
    return (
        f"AND(ISNUMBER(MATCH({cur},{levels},0)),ISNUMBER(MATCH({tgt},{levels},0)),"
        f"MATCH({tgt},{levels},0)<MATCH({cur},{levels},0))"
    )
