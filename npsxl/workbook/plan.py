"""What every council's self-assessment workbook of one model shares, worked out once per
model (:func:`plan_for`): the rows and their heights, texts, formulas and the column widths
of each sheet. :mod:`npsxl.workbook.writer` writes the workbook from them, in the cell
formats of :mod:`npsxl.workbook.formats`.

This module is over 400 lines because it is the one plan of all four visible sheets: their
rows, texts and formulas are worked out together, once, so that they agree."""

from __future__ import annotations

import datetime as dt

from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from npsxl import __version__
from npsxl.model.model import ENABLER, Item, Model
from npsxl.model.reconstructed import EXPLANATION, is_marked
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
from npsxl.workbook.wording import start_steps

# Column widths of the other sheets (the Self-assessment columns are in npsxl.workbook.layout).
START_WIDTHS = (2, 22, 58, 44)


GUIDANCE_WIDTHS = (22, 112)


SUMMARY_HEADER_ROW = 3


# The Summary sheet's item table: (key, header, width). Scores are numbers (the chart and the
# averages use them); the level names stand beside them. No header may be one the reader
# looks for on the Self-assessment sheet ('Current level', 'Target level').
SUMMARY_TABLE = (
    ("ref", "Ref", 6),
    ("name", "Key area or enabler", 34),
    ("theme", "Theme", 26),
    ("current", "Current score", 8.5),
    ("current_level", "Current", 11.5),
    ("target", "Target score", 8.5),
    ("target_level", "Target", 11.5),
    ("gap", "Gap", 7),
    ("complete", "Complete", 9.5),
)
SUMMARY_COLUMNS = tuple(header for _, header, _ in SUMMARY_TABLE)
SUMMARY_WIDTHS = tuple(width for _, _, width in SUMMARY_TABLE)
SUMMARY_COL = {key: i for i, (key, _, _) in enumerate(SUMMARY_TABLE)}


MISSING_CELL = (1, 7)  # Lists!H2: the ids of items still to complete, built by formula


MARGINS = {"left": 0.25, "right": 0.25, "top": 0.4, "bottom": 0.55}


A4 = 9
A4_LANDSCAPE_INCHES = (11.69, 8.27)
ASSESSMENT_MARGINS = {**MARGINS, "top": 0.65}  # room for the title in the page header


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


def _short_description(item: Item, model: Model) -> str:
    """The first sentence of the description (the Guidance sheet has it in full); for an
    enabler without one, what the strategy says of the enablers (every row prints alone)."""
    text = item.description or ""
    if not text:
        if item.kind == ENABLER and model.enablers.description:
            return model.enablers.description
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
            fitting_width(
                (item.descriptors[i] for item in model.items), L.LEVEL_WIDTH, limit=room, font=font
            )
            for i in range(len(model.levels))
        ]
        self.columns = L.assessment_columns(model.level_names, previous, level_widths)
        self.col = {c.key: i for i, c in enumerate(self.columns)}
        self.pixels = {c.key: column_pixels(c.width) for c in self.columns}
        self.n_items = len(model.items)
        # The level names as plain ranges, never a defined name alone (Google Sheets): the
        # Lists sheet's column, and the level headers of the Self-assessment sheet, which
        # its own formulas and conditional formats use (they may not refer to other sheets).
        self.levels_list = f"'{L.LISTS}'!$A$2:$A${len(model.levels) + 1}"
        header = L.ASSESSMENT_HEADER_ROW
        self.levels_header = (
            xl_rowcol_to_cell(header, self.col["level_1"], True, True)
            + ":"
            + xl_rowcol_to_cell(header, self.col[f"level_{len(model.levels)}"], True, True)
        )
        self.marked = any(
            is_marked(text)
            for item in model.items
            for text in (
                item.description,
                item.what_it_is,
                item.why_it_is_important,
                *item.descriptors,
            )
        )
        self.brackets_note = EXPLANATION if self.marked else ""
        self.short = {item.id: _short_description(item, model) for item in model.items}

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

        self.summary_header_height = row_height(
            [(header, column_pixels(width), True, FONT_SIZE) for _, header, width in SUMMARY_TABLE],
            minimum=20,
            font=font,
        )

        # Guidance rows and their heights
        self.guidance: list[tuple] = []  # (kind, row, label, text, height)
        self.guidance_rows: dict[str, int] = {}
        text_px = column_pixels(GUIDANCE_WIDTHS[1])
        label_px = column_pixels(GUIDANCE_WIDTHS[0])
        row = 3 if self.brackets_note else 2  # the line on brackets, when there are any
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
                self.guidance.append(("back", row, item.id, _back_text(item), 15))
                row += 2
        self.guidance_last_row = row - 1

        # Start here
        span_all = span_pixels(START_WIDTHS[1:])
        span_text = span_pixels(START_WIDTHS[2:])
        self.title = f"{model.title}: self-assessment"
        self.title_height = row_height([(self.title, span_all, True, 16)], minimum=24, font=font)
        self.purpose_height = row_height([(model.purpose, span_all, False, FONT_SIZE)], font=font)
        self.steps = start_steps(model, previous)
        self.step_heights = [
            row_height([(s, span_text, False, FONT_SIZE)], font=font) for s in self.steps
        ]
        self.small_print = (
            f"Model {model.id} version {model.version}, fingerprint {short_fingerprint(model)} "
            "(in full in the file's properties). "
            f"Layout {L.LAYOUT_VERSION}. Generated {{generated_at}} by npsxl {__version__}. "
            f"Source: {model.title}, {model.publisher}, {model.published}, {model.source_url}"
        )

        # Formulas shared by every council's workbook
        self.check_formulas = {}
        levels = self.levels_header
        for item in model.items:
            row = self.item_rows[item.id]
            cur = xl_rowcol_to_cell(row, self.col["current"])
            tgt = xl_rowcol_to_cell(row, self.col["target"])
            self.check_formulas[item.id] = (
                f'=IF(AND({cur}="",{tgt}=""),"To do",IF(OR(ISNA(MATCH({cur},{levels},0)),'
                f'ISNA(MATCH({tgt},{levels},0))),"Choose both levels",'
                f'IF({below_formula(cur, tgt, levels)},"Target below current","Done")))'
            )
        self.name_links = {
            item.id: _hyperlink(L.GUIDANCE, self.guidance_rows[item.id], item.name)
            for item in model.items
        }
        self.back_links = {
            item.id: _hyperlink(L.ASSESSMENT, self.item_rows[item.id], _back_text(item))
            for item in model.items
        }
        self.summary_formulas = {item.id: self._summary_formulas(item) for item in model.items}
        complete = xl_col_to_name(SUMMARY_COL["complete"])
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
        evidence = self.col["evidence"]
        # items complete (their Summary row says Yes) whose evidence cell is empty
        blank_evidence = "+".join(
            f"('{L.SUMMARY}'!${complete}${self.summary_rows[i.id] + 1}=\"Yes\")"
            f"*(LEN(TRIM('{L.ASSESSMENT}'!"
            f"{xl_rowcol_to_cell(self.item_rows[i.id], evidence, True, True)}))=0)"
            for i in model.items
        )
        self.progress_formula = (
            f"=COUNTIF('{L.SUMMARY}'!${complete}${first}:${complete}${last},\"Yes\")"
            f'&" of {self.n_items} items complete"'
            f'&IF(({blank_evidence})>0,"; "&({blank_evidence})&" without evidence","")'
        )
        self.missing_text_formula = (
            f'=IF({missing}="","Nothing missing: every item has a current and a target level",'
            f'"Still to complete: "&SUBSTITUTE({missing}," ",", "))'
        )

    def _summary_formulas(self, item: Item) -> dict[str, str]:
        """The formulas of an item's row on the Summary sheet, by column key. They refer to
        the cells themselves, never to defined names alone (which Google Sheets may not
        carry over from an .xlsx file)."""
        row = self.summary_rows[item.id]
        formulas = {}
        for key in ("current", "target"):
            cell = xl_rowcol_to_cell(self.item_rows[item.id], self.col[key], True, True)
            formulas[key] = f"=IFERROR(MATCH('{L.ASSESSMENT}'!{cell},{self.levels_list},0),\"\")"
            score = xl_rowcol_to_cell(row, SUMMARY_COL[key])
            formulas[f"{key}_level"] = (
                f'=IF(ISNUMBER({score}),INDEX({self.levels_list},{score}),"")'
            )
        d = xl_rowcol_to_cell(row, SUMMARY_COL["current"])
        e = xl_rowcol_to_cell(row, SUMMARY_COL["target"])
        both = f"AND(ISNUMBER({d}),ISNUMBER({e}))"
        formulas["gap"] = f'=IF({both},{e}-{d},"")'
        formulas["complete"] = f'=IF({both},"Yes","No")'
        return formulas

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


def short_fingerprint(model: Model) -> str:
    """The start of the model's fingerprint: enough for a person to compare (the reader
    accepts it too, when a workbook has lost its metadata)."""
    return model.fingerprint[: L.SHORT_FINGERPRINT]


def below_formula(cur: str, tgt: str, levels: str) -> str:
    """A formula that is true when the target level is below the current level, the levels
    being the range ``levels`` (a range on the formula's own sheet, for Google Sheets)."""
    return (
        f"AND(ISNUMBER(MATCH({cur},{levels},0)),ISNUMBER(MATCH({tgt},{levels},0)),"
        f"MATCH({tgt},{levels},0)<MATCH({cur},{levels},0))"
    )
