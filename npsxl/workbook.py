"""Build the branded self-assessment workbook for one council (or a blank one) from a model.

:func:`build_workbook` is the library entry point. All positions and names come from
:mod:`npsxl.layout`, which the reader shares.

Everything that is the same for every council (texts, row heights, formulas) is worked out
once per model and cached, so a batch of hundreds of workbooks spends its time writing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from . import __version__
from . import layout as L
from .answers import Answer, Respondent
from .atomic import atomic_path
from .errors import NpsxlError
from .model import Item, Model, contrast_ratio
from .register import Council
from .textfit import (
    FONT_SIZE,
    column_pixels,
    row_height,
    span_pixels,
)

if TYPE_CHECKING:
    from .prefill import Previous


def _detail_height(value, help_text: str, font: str) -> float:
    """The height of a council or respondent detail row on the Start here sheet."""
    return row_height(
        [
            (value if isinstance(value, str) else "", column_pixels(START_WIDTHS[2]), True, 10),
            (help_text, column_pixels(START_WIDTHS[3]), False, 9),
        ],
        minimum=17,
        font=font,
    )


# --- what the workbook is made of -----------------------------------------------------------------
@dataclass(frozen=True)
class BuiltWorkbook:
    """What :func:`build_workbook` wrote."""

    path: Path
    council: Council | None
    model_id: str
    model_version: str
    fingerprint: str
    generated_at: str
    round: str = ""
    prefilled_from: str = ""  # the previous return's file, when pre-filled


# Column widths of the other sheets (the Self-assessment columns are in npsxl.layout).
START_WIDTHS = (2, 22, 58, 44)
GUIDANCE_WIDTHS = (22, 112)
SUMMARY_WIDTHS = (6, 38, 30, 10, 10, 9, 11)
SUMMARY_HEADER_ROW = 3
SUMMARY_COLUMNS = ("Ref", "Key area or enabler", "Theme", "Current", "Target", "Gap", "Complete")
MISSING_CELL = (1, 7)  # Lists!H2: the ids of items still to complete, built by formula
MARGINS = {"left": 0.3, "right": 0.3, "top": 0.4, "bottom": 0.55}
A4 = 9

HELP_ROW_TEXT = (
    "Choose a Current level and a Target level for every row from the dropdowns in the yellow "
    "cells; add evidence, actions and a target date. Click a name to read its guidance."
)
HELP_ROW_TEXT_PREFILLED = (
    "Choose a Current level and a Target level for every row from the dropdowns in the yellow "
    "cells (last round's are in grey beside them); update the evidence and actions, and add a "
    "target date. Click a name to read its guidance."
)


def _write_text(ws, row: int, col: int, value, fmt) -> None:
    """A council's text, always as a string (never a formula or link); nothing as a blank."""
    if value is None or value == "":
        ws.write_blank(row, col, None, fmt)
    else:
        ws.write_string(row, col, str(value), fmt)


def _excel_text(text: str, limit: int = 100) -> str:
    """Text for a header/footer: '&' starts a code there, and Excel allows 255 characters."""
    text = " ".join(str(text).split())
    if len(text) > limit:
        text = text[: limit - 1] + "\u2026"
    return text.replace("&", "&&")


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


class _Sheet(Worksheet):
    """A worksheet that prepares each distinct formula once per process, not once per cell.

    Every council's workbook has the same formulas; xlsxwriter would run ~30 regular
    expressions over each of them for every workbook. (``_prepare_formula`` is xlsxwriter's
    own step; should it change, this only stops saving time.)
    """

    def _prepare_formula(self, formula, *args, **kwargs):
        key = (formula, args, tuple(sorted(kwargs.items())), self.use_future_functions)
        prepared = _FORMULAS.get(key)
        if prepared is None:
            if len(_FORMULAS) > 20_000:
                _FORMULAS.clear()
            prepared = _FORMULAS[key] = super()._prepare_formula(formula, *args, **kwargs)
        return prepared


_FORMULAS: dict[tuple, str] = {}


class _Plan:
    """Everything about a model's workbook that does not depend on the council or answers.

    ``previous``: the plan of a pre-filled workbook (last round's levels shown).
    """

    def __init__(self, model: Model, previous: bool = False):
        self.model = model
        self.previous = previous
        font = model.brand.font
        self.font = font
        self.columns = L.assessment_columns(model.level_names, previous)
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
                f'IF({_below_formula(cur, tgt)},"Target below current","Done")))'
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


_PLANS: dict[tuple, _Plan] = {}


def _plan(model: Model, previous: bool = False) -> _Plan:
    key = (model.fingerprint, repr(model.brand), previous)  # content, presentation, kind
    plan = _PLANS.get(key)
    if plan is None:
        if len(_PLANS) > 16:
            _PLANS.clear()
        plan = _PLANS[key] = _Plan(model, previous)
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


def _multi_range(blocks, col: int) -> str:
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
        "level from the dropdowns in the yellow cells."
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
        "the yellow cells.",
        choose,
        texts,
        f"Click an item's name for its guidance. Targets are yours to choose: there is nothing "
        f"'wrong' about setting '{model.level_names[1 % len(model.levels)]}' or "
        f"'{model.level_names[2 % len(model.levels)]}' as a target; it can be entirely "
        f"appropriate. The '{L.SUMMARY}' sheet shows your scores and gaps.",
        f"When the progress line below reads '{n} of {n} items complete', save the file (keep "
        "the .xlsx format and the sheet names) and email it back to your regional coordinator.",
    ]


def _below_formula(cur: str, tgt: str) -> str:
    levels = L.LEVELS_NAME
    return (
        f"AND(ISNUMBER(MATCH({cur},{levels},0)),ISNUMBER(MATCH({tgt},{levels},0)),"
        f"MATCH({tgt},{levels},0)<MATCH({cur},{levels},0))"
    )


# --- the formats ----------------------------------------------------------------------------------
class _Formats:
    """The workbook's cell formats, built once per workbook from the brand."""

    def __init__(self, wb, model: Model):
        brand = model.brand
        colour = brand.colours
        base = {"font_name": brand.font, "font_size": FONT_SIZE, "valign": "top"}

        def fmt(**props):
            return wb.add_format({**base, **props})

        def pair(role):
            return {"bg_color": colour[role].background, "font_color": colour[role].text}

        # the brand's colour for titles and links on white: the first that is legible on white
        candidates = (colour["header"].background, colour["header"].text, colour["theme"].text)
        dark = next((c for c in candidates if contrast_ratio(c, "#FFFFFF") >= 4.5), "#000000")
        border = {"border": 1, "border_color": "#808080"}
        self.brand_bar = fmt(bold=True, font_size=12, valign="vcenter", **pair("header"))
        self.title = fmt(bold=True, font_size=16, font_color=dark)
        self.title_wrap = fmt(bold=True, font_size=16, font_color=dark, text_wrap=True)
        self.subtitle = fmt(bold=True, font_size=12)
        self.text = fmt(text_wrap=True)
        self.line = fmt()  # one line that may run on into the empty cells to its right
        self.line_bold = fmt(bold=True)
        self.round = fmt(bold=True, font_size=11, valign="vcenter")
        self.label = fmt(bold=True, text_wrap=True)
        self.help = fmt(text_wrap=True, font_size=9, **pair("muted"))
        self.note = fmt(text_wrap=True, font_size=9, italic=True, **pair("muted"))
        self.small_print = fmt(text_wrap=True, font_size=8, **pair("muted"))
        self.heading = fmt(bold=True, font_size=11, valign="vcenter", **pair("theme"))
        self.header = fmt(
            bold=True, text_wrap=True, valign="vcenter", **pair("header"),
            border=1, border_color="#FFFFFF",
        )  # fmt: skip
        self.cell = fmt(text_wrap=True, **border)
        self.cell_bold = fmt(text_wrap=True, bold=True, **border)
        self.link = fmt(text_wrap=True, bold=True, underline=1, font_color=dark, **border)
        self.link_plain = fmt(underline=1, font_color=dark)
        self.item_title = fmt(bold=True, font_size=12, font_color=dark)
        self.locked_value = fmt(text_wrap=True, bold=True, bg_color="#F2F2F2", **border)
        self.input = fmt(text_wrap=True, locked=False, **pair("input"), **border)
        self.input_level = fmt(locked=False, bold=True, **pair("input"), **border)
        self.input_date = fmt(
            locked=False, num_format="dd/mm/yyyy", align="left", **pair("input"), **border
        )
        self.number = fmt(num_format="0", align="center", **border)
        self.decimal = fmt(num_format="0.0", align="center", **border)
        self.signed = fmt(num_format="+0;-0;0", align="center", **border)
        self.decimal_bold = fmt(num_format="0.0", align="center", bold=True, **border)
        self.signed_decimal = fmt(num_format="+0.0;-0.0;0.0", align="center", **border)
        self.signed_decimal_bold = fmt(num_format="+0.0;-0.0;0.0", align="center", bold=True,
                                       **border)  # fmt: skip
        self.status = fmt(bold=True, font_size=12, **pair("theme"))
        self.legend_current = fmt(underline=1, text_wrap=True, **pair("chosen"), **border)
        self.legend_target = fmt(italic=True, text_wrap=True, **pair("target"), **border)
        self.legend_warning = fmt(text_wrap=True, **pair("warning"), **border)
        self.legend_input = fmt(text_wrap=True, **pair("input"), **border)
        # Chosen levels are marked by more than colour, in styles that keep the text's width
        self.previous = fmt(italic=True, text_wrap=True, align="center", **pair("muted"), **border)
        self.previous_header = fmt(
            bold=True, italic=True, text_wrap=True, valign="vcenter", **pair("muted"),
            border=1, border_color="#808080",
        )  # fmt: skip
        self.previous_note = fmt(bold=True, italic=True, align="center_across", valign="bottom",
                                 **pair("muted"))  # fmt: skip
        self.cf_current = wb.add_format({**pair("chosen"), "underline": 1})
        self.cf_target = wb.add_format({**pair("target"), "italic": True})
        self.cf_warning = wb.add_format(pair("warning"))
        self.cf_done = wb.add_format(pair("chosen"))


# --- building -------------------------------------------------------------------------------------
def build_workbook(
    model: Model,
    path: str | Path | io.BytesIO,
    council: Council | None = None,
    *,
    councils: list[Council] | tuple[Council, ...] = (),
    answers: dict[str, Answer] | None = None,
    respondent: Respondent | None = None,
    generated_at: str | None = None,
    force: bool = True,
    previous: Previous | None = None,
    round: str = "",  # the assessment round (the CLI's --round)
) -> BuiltWorkbook:
    """Write a self-assessment workbook to ``path`` (atomically).

    ``council`` personalises it (details pre-filled and locked); without it the workbook is
    blank and the council picks its name from ``councils`` (a dropdown) or types it.
    ``answers``/``respondent`` pre-fill the inputs, as a council would (used for samples,
    demos and tests). ``previous`` (see :mod:`npsxl.prefill`) pre-fills it from the
    council's last return: last round's levels shown beside the dropdowns (which stay
    empty), its evidence and actions copied into the inputs, and its notes listed on the
    Start here sheet. ``round`` is the assessment round (default: this year, see
    :func:`assessment_round`). Raises :class:`npsxl.errors.OutputError` if the file cannot
    be written, :class:`npsxl.errors.NpsxlError` for an unusable ``round``.
    """
    round = assessment_round(round)
    inputs: dict[str, Answer] = {}
    if previous is not None:
        ids = {item.id for item in model.items}
        inputs = {
            item_id: Answer(item_id, evidence=a.evidence, actions=a.actions)
            for item_id, a in previous.answers.items()
            if item_id in ids and (a.evidence or a.actions)
        }
    inputs.update(answers or {})
    answers = inputs
    generated_at = generated_at or _now()
    plan = _plan(model, previous is not None)
    in_memory = isinstance(path, io.BytesIO)
    with contextlib.nullcontext(path) if in_memory else atomic_path(path, force=force) as tmp:
        wb = xlsxwriter.Workbook(
            tmp if in_memory else str(tmp),
            {
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
                "in_memory": True,
                "default_format_properties": {"font_name": model.brand.font, "font_size": 10},
                "default_row_height": 17,
                "default_column_width": 64,
            },
        )
        _WorkbookWriter(
            wb, plan, council, list(councils), answers, respondent, generated_at, round, previous
        ).write()
        wb.close()
    where = Path() if in_memory else Path(path)
    return BuiltWorkbook(where, council, model.id, model.version, model.fingerprint, generated_at,
                         round, previous.source_file if previous else "")  # fmt: skip


_ROUND_PATTERN = re.compile(r"[\x00-\x1f\x7f\ufffe\uffff]")
ROUND_MAX_LENGTH = 40


def default_round() -> str:
    """The assessment round when none is given: this year, e.g. ``"2026"``."""
    return str(dt.date.today().year)


def assessment_round(value: str | int | None = "") -> str:
    """``value`` as an assessment round: trimmed, this year when empty.

    Raises :class:`npsxl.errors.NpsxlError` for control characters or more than
    :data:`ROUND_MAX_LENGTH` characters (it is shown in a line on the Start here sheet).
    """
    text = "" if value is None else str(value).strip()
    if not text:
        return default_round()
    if _ROUND_PATTERN.search(text) or len(text) > ROUND_MAX_LENGTH:
        raise NpsxlError(
            f"the assessment round {text[:60]!r} is not usable: give a short label such as "
            f"2026 or 2026-27 (at most {ROUND_MAX_LENGTH} characters, on one line)"
        )
    return text


class CouncilWorkbooks:
    """Personalised workbooks of one model for many councils, fast.

    Every council's workbook is the same but for the council's name, code, region and type.
    The first :meth:`build` writes a workbook for a stand-in council with placeholder details
    (with :func:`build_workbook`, so everything is made in one place) and keeps its parts;
    each workbook after that is those parts with the placeholders replaced, about ten times
    faster than building it again. A council whose details would change more than the text
    (an empty value, a name long enough to need a taller row, characters Excel escapes) is
    built with :func:`build_workbook` instead. The result is the same either way: the tests
    compare the two part by part.
    """

    _TOKENS = {
        "code": "NPSXLCOUNCILCODE",
        "name": "NPSXLCOUNCILNAME",
        "region": "NPSXLCOUNCILREGION",
        "council_type": "NPSXLCOUNCILTYPE",
    }
    _TEXT_PARTS = ("xl/sharedStrings.xml", "docProps/core.xml", "docProps/custom.xml")

    def __init__(self, model: Model, generated_at: str | None = None, round: str = ""):
        self.model = model
        self.generated_at = generated_at or _now()
        self.round = assessment_round(round)
        self._parts: list[tuple[zipfile.ZipInfo, str | bytes, str]] | None = None
        self._heights: dict[str, float] = {}

    def _stand_in(self) -> Council:
        t = self._TOKENS
        return Council(t["code"], "", t["name"], t["name"], t["region"], t["council_type"])

    def _template(self) -> list[tuple[zipfile.ZipInfo, str | bytes, str]]:
        if self._parts is None:
            buffer = io.BytesIO()
            build_workbook(self.model, buffer, self._stand_in(), generated_at=self.generated_at,
                           round=self.round)  # fmt: skip
            parts = []
            with zipfile.ZipFile(buffer) as archive:
                for info in archive.infolist():
                    data: str | bytes = archive.read(info)
                    kind = "bytes"
                    if info.filename in self._TEXT_PARTS:
                        kind = "text"
                    elif info.filename.startswith("xl/worksheets/sheet"):
                        kind = "sheet"
                    if kind != "bytes":
                        text = data.decode("utf-8")
                        if _TOKEN_PATTERN.search(text):
                            data = text
                        else:
                            kind = "bytes"
                    parts.append((info, data, kind))
            self._heights = self._detail_heights(self._stand_in())
            self._parts = parts
        return self._parts

    def _detail_heights(self, council: Council) -> dict[str, float]:
        values = {"council_name": council.name, "council_code": council.code,
                  "region": council.region, "council_type": council.council_type}  # fmt: skip
        font = self.model.brand.font
        return {f.key: _detail_height(values[f.key], "", font) for f in L.COUNCIL_FIELDS}

    def _fits(self, council: Council) -> bool:
        """Whether the template with the council's details put in is exactly its workbook."""
        values = (council.code, council.name, council.region, council.council_type)
        for value in values:
            if not value or value != value.strip() or _NEEDS_ESCAPE.search(value):
                return False
            if _TOKEN_PATTERN.search(value):
                return False
        if len(set(values)) != len(values) or len(council.name) > 60:
            return False
        return self._detail_heights(council) == self._heights

    def build(self, council: Council, path: str | Path, *, force: bool = True) -> BuiltWorkbook:
        """Write ``council``'s personalised workbook to ``path`` (atomically)."""
        parts = self._template()
        if not self._fits(council):
            return build_workbook(self.model, path, council, generated_at=self.generated_at,
                                  force=force, round=self.round)  # fmt: skip
        t = self._TOKENS
        text = {
            t["code"]: _xml_text(council.code),
            t["name"]: _xml_text(council.name),
            t["region"]: _xml_text(council.region),
            t["council_type"]: _xml_text(council.council_type),
        }
        # in the worksheets the name is only in the footers, where '&' is written '&&'
        sheet = {**text, t["name"]: _xml_text(_excel_text(council.name))}
        with (
            atomic_path(path, force=force) as tmp,
            zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as archive,
        ):
            for info, data, kind in parts:
                if kind != "bytes":
                    values = text if kind == "text" else sheet
                    data = _TOKEN_PATTERN.sub(lambda m, v=values: v[m.group(0)], data)
                    data = data.encode("utf-8")
                archive.writestr(info, data)
        m = self.model
        return BuiltWorkbook(Path(path), council, m.id, m.version, m.fingerprint,
                             self.generated_at, self.round)  # fmt: skip


_TOKEN_PATTERN = re.compile("|".join(CouncilWorkbooks._TOKENS.values()))
_NEEDS_ESCAPE = re.compile("[\x00-\x1f\x7f\ufffe\uffff]|_x[0-9A-Fa-f]{4}_")


def _xml_text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


class _WorkbookWriter:
    def __init__(self, wb, plan: _Plan, council, councils, answers, respondent, generated_at,
                 round_, previous):  # fmt: skip
        self.wb = wb
        self.round = round_
        self.previous = previous
        self.plan = plan
        self.model = plan.model
        self.council = council
        self.councils = councils if council is None else []
        self.answers = answers
        self.respondent = respondent or Respondent()
        self.generated_at = generated_at
        self.f = _Formats(wb, self.model)
        self.col = plan.col
        self.scores = self._level_scores()
        who = council.name if council else f"{self.model.short_name} self-assessment"
        # no font-size codes: "&8" before a name starting with a digit would read as "&83"
        self.footer = (
            f"&L{_excel_text(who)}&CPage &P of &N&R{_excel_text(self.model.short_name)}: &A"
        )

    def _level_scores(self) -> dict[str, tuple]:
        scores = {}
        for item in self.model.items:
            answer = self.answers.get(item.id)
            current = self._score(answer.current) if answer else ""
            target = self._score(answer.target) if answer else ""
            scores[item.id] = (current, target)
        return scores

    def _score(self, level) -> int | str:
        if not level:
            return ""
        for position, name in enumerate(self.model.level_names, start=1):
            if str(level).casefold() == name.casefold():  # as MATCH compares
                return position
        return ""

    # -- helpers ---------------------------------------------------------------------------
    def _sheet(self, name):
        ws = self.wb.add_worksheet(name, worksheet_class=_Sheet)
        ws.hide_gridlines(2)
        ws.set_landscape()
        ws.set_paper(A4)
        ws.fit_to_pages(1, 0)
        ws.set_margins(**MARGINS)
        ws.set_footer(self.footer, {"margin": 0.25})
        return ws

    def _protect(self, ws):
        ws.protect(
            "",
            {
                "format_columns": True,
                "format_rows": True,
                "select_locked_cells": True,
                "select_unlocked_cells": True,
            },
        )

    def _name(self, name, sheet, row, col):
        self.wb.define_name(name, L.absolute(sheet, xl_rowcol_to_cell(row, col)))

    def _complete(self, item_id) -> bool:
        current, target = self.scores[item_id]
        return current != "" and target != ""

    def _date(self, ws, row, col, value, fmt):
        if isinstance(value, dt.datetime):
            ws.write_datetime(row, col, value, fmt)
        elif isinstance(value, dt.date):
            ws.write_datetime(row, col, dt.datetime.combine(value, dt.time()), fmt)
        else:
            _write_text(ws, row, col, value, fmt)

    # -- sheets ------------------------------------------------------------------------------
    def write(self):
        start = self._sheet(L.START)
        assessment = self._sheet(L.ASSESSMENT)
        guidance = self._sheet(L.GUIDANCE)
        summary = self._sheet(L.SUMMARY)
        lists = self.wb.add_worksheet(L.LISTS, worksheet_class=_Sheet)
        meta = self.wb.add_worksheet(L.METADATA, worksheet_class=_Sheet)
        self._write_lists(lists)
        self._write_guidance(guidance)
        self._write_assessment(assessment)
        self._write_summary(summary)
        self._write_start(start)
        self._write_metadata(meta)
        for ws in (lists, meta):
            ws.hide()
            self._protect(ws)
        start.activate()
        model = self.model
        self.wb.set_properties(
            {
                "title": f"{model.title}: self-assessment",
                "subject": self.council.name if self.council else "Blank self-assessment",
                "author": model.brand.organisation,
                "company": model.brand.organisation,
                "keywords": f"{model.short_name}, self-assessment, procurement",
                "comments": f"Generated by npsxl {__version__} from {model.id} {model.version}",
            }
        )
        for key, value in self._metadata().items():
            self.wb.set_custom_property(L.meta_property_name(key), value or "-")

    def _metadata(self) -> dict[str, str]:
        return {
            "model_id": self.model.id,
            "model_version": self.model.version,
            "model_fingerprint": self.model.fingerprint,
            "layout_version": L.LAYOUT_VERSION,
            "council_code": self.council.code if self.council else "",
            "council_name": self.council.name if self.council else "",
            "generated_at": self.generated_at,
            "generator": f"npsxl {__version__}",
            "round": self.round,
        }

    def _write_lists(self, ws):
        ws.write_string(0, 0, "Levels")
        ws.write_string(0, 1, "Score")
        for i, level in enumerate(self.model.levels, start=1):
            ws.write_string(i, 0, level.name)
            ws.write_number(i, 1, level.score)
        self.wb.define_name(L.LEVELS_NAME, f"='{L.LISTS}'!$A$2:$A${len(self.model.levels) + 1}")
        if self.councils:
            for col, header in enumerate(("Council", "Code", "Region", "Type"), start=2):
                ws.write_string(0, col, header)
            for row, c in enumerate(self.councils, start=1):
                ws.write_string(row, 2, c.name)
                ws.write_string(row, 3, c.code)
                ws.write_string(row, 4, c.region)
                ws.write_string(row, 5, c.council_type)
            last = len(self.councils) + 1
            self.wb.define_name(L.COUNCILS_NAME, f"='{L.LISTS}'!$C$2:$C${last}")
        row, col = MISSING_CELL
        ws.write_string(row - 1, col, "Still to complete")
        missing = " ".join(i.id for i in self.model.items if not self._complete(i.id))
        ws.write_formula(row, col, self.plan.missing_formula, None, missing)
        ws.set_column(0, 7, 24)

    def _write_metadata(self, ws):
        ws.write_string(0, 0, "Key")
        ws.write_string(0, 1, "Value")
        for key, value in self._metadata().items():
            row = L.META_FIRST_ROW + L.META_KEYS.index(key)
            ws.write_string(row, 0, key)
            ws.write_string(row, 1, value)
            self._name(L.meta_defined_name(key), L.METADATA, row, 1)
        ws.set_column(0, 0, 22)
        ws.set_column(1, 1, 70)

    # -- Start here ----------------------------------------------------------------------------
    def _write_start(self, ws):
        f, model, plan = self.f, self.model, self.plan
        for i, width in enumerate(START_WIDTHS):
            ws.set_column(i, i, width)
        ws.set_row(0, 24)
        brand = f"{model.brand.organisation}  |  {model.brand.strategy_short_name}"
        ws.write_string(0, 1, brand, f.brand_bar)
        for col in range(2, 4):
            ws.write_blank(0, col, None, f.brand_bar)
        if model.brand.logo:
            ws.insert_image(0, 3, str(model.brand.logo), {
                "y_scale": 1, "x_scale": 1, "object_position": 3,
                "description": f"{model.brand.organisation} logo",
            })  # fmt: skip
        ws.set_row(1, plan.title_height)
        ws.merge_range(1, 1, 1, 3, plan.title, f.title_wrap)
        who = self.council.name if self.council else "Blank workbook: choose your council below"
        ws.set_row(2, 18)
        ws.write_string(2, 1, who, f.subtitle)
        ws.merge_range(3, 1, 3, 3, model.purpose, f.text)
        ws.set_row(3, plan.purpose_height)
        ws.set_row(4, 20)
        ws.write_string(4, 1, f"Assessment round: {self.round}", f.round)
        ws.set_row(5, 18)
        ws.write_string(5, 1, "How to complete this self-assessment", f.subtitle)
        for i, step in enumerate(plan.steps):
            ws.write_string(6 + i, 1, f"Step {i + 1}", f.label)
            ws.merge_range(6 + i, 2, 6 + i, 3, step, f.text)
            ws.set_row(6 + i, plan.step_heights[i])
        ws.set_row(L.START_DETAILS_FIRST_ROW - 1, 22)
        ws.write_string(L.START_DETAILS_FIRST_ROW - 1, 1, "Your council and you", f.subtitle)
        values = self._detail_values()
        for i, field in enumerate(L.DETAIL_FIELDS):
            row = L.START_DETAILS_FIRST_ROW + i
            ws.write_string(row, L.START_LABEL_COL, field.label, f.label)
            self._write_detail(ws, row, field, values)
            help_text = self._detail_help(field)
            ws.write_string(row, L.START_VALUE_COL + 1, help_text, f.help)
            ws.set_row(row, _detail_height(values.get(field.key), help_text, plan.font))
            self._name(field.defined_name, L.START, row, L.START_VALUE_COL)
        row = L.START_DETAILS_FIRST_ROW + len(L.DETAIL_FIELDS) + 1
        ws.set_row(row, 20)
        ws.write_string(row, 1, "Progress", f.subtitle)
        self._write_progress(ws, row + 1)
        row += 4
        if self.previous is not None:
            row = self._write_carried_over(ws, row)
        small_print = plan.small_print.format(generated_at=self.generated_at)
        ws.merge_range(row, 1, row, 3, small_print, f.small_print)
        span = span_pixels(START_WIDTHS[1:])
        ws.set_row(row, row_height([(small_print, span, False, 8)], font=plan.font))
        ws.print_area(0, 0, row, 3)
        ws.fit_to_pages(1, 1 if self.previous is None else 0)
        self._protect(ws)

    def _write_carried_over(self, ws, row) -> int:
        """The block that says what was carried over from the previous return; the next row."""
        f, plan, previous = self.f, self.plan, self.previous
        span = span_pixels(START_WIDTHS[1:])
        ws.set_row(row, 20)
        ws.write_string(row, 1, f"Carried over from your {previous.label} return", f.subtitle)
        row += 1
        made_with = f"{previous.model_id} version {previous.model_version}"
        intro = (
            f"Your {previous.label} levels are shown in grey beside the dropdowns on the "
            f"'{L.ASSESSMENT}' sheet, for reference: choose your levels again for this round. "
            "Your evidence and actions were copied into the yellow cells for you to update."
        )
        if (previous.model_id, previous.model_version) != (self.model.id, self.model.version):
            intro += (
                f" Your last return used {made_with} of the model; this workbook uses version "
                f"{self.model.version}" + (", so some items changed:" if previous.notes else ".")
            )
        lines = [(intro, f.text)] + [(f"\u2022 {note}", f.text) for note in previous.notes]
        for text, fmt in lines:
            ws.merge_range(row, 1, row, 3, text, fmt)
            ws.set_row(row, row_height([(text, span, False, FONT_SIZE)], font=plan.font))
            row += 1
        return row + 1

    def _detail_values(self) -> dict[str, object]:
        c = self.council
        r = self.respondent
        values = {
            "respondent_name": r.name,
            "respondent_role": r.role,
            "respondent_email": r.email,
            "date_completed": r.date_completed,
        }
        if c is not None:
            values.update(council_name=c.name, council_code=c.code, region=c.region,
                          council_type=c.council_type)  # fmt: skip
        return values

    def _detail_help(self, field) -> str:
        if field not in L.COUNCIL_FIELDS:
            return field.help
        if self.council is not None:
            if field.key == "council_name":
                return "Filled in for you: tell your regional coordinator if it is wrong"
            return "Filled in for your council"
        if self.councils:
            if field.key == "council_name":
                return "Choose your council from the list (or type its name)"
            return "Filled in when you choose your council"
        return "Type your council's name" if field.key == "council_name" else "Type it in"

    def _write_detail(self, ws, row, field, values):
        f = self.f
        col = L.START_VALUE_COL
        value = values.get(field.key)
        council_field = field in L.COUNCIL_FIELDS
        if council_field and self.council is not None:
            _write_text(ws, row, col, value, f.locked_value)
        elif field.key == "council_name":
            ws.write_blank(row, col, None, f.input)
            if self.councils:
                ws.data_validation(row, col, row, col, {
                    "validate": "list", "source": f"={L.COUNCILS_NAME}",
                    "error_type": "information", "show_error": False,
                    "input_title": "Your council",
                    "input_message": "Pick your council from the list, or type its name.",
                })  # fmt: skip
        elif council_field and self.councils:
            lookup = {"council_code": "$D", "region": "$E", "council_type": "$F"}[field.key]
            last = len(self.councils) + 1
            name = L.COUNCIL_FIELDS[0].defined_name
            formula = (f"=IFERROR(INDEX('{L.LISTS}'!{lookup}$2:{lookup}${last},"
                       f"MATCH({name},{L.COUNCILS_NAME},0)),\"\")")  # fmt: skip
            ws.write_formula(row, col, formula, f.locked_value, "")
        elif field.key == "date_completed":
            self._date(ws, row, col, value, f.input_date)
            ws.data_validation(row, col, row, col, {
                "validate": "date", "criteria": ">=", "value": dt.date(2018, 1, 1),
                "error_type": "warning", "input_title": "Date completed",
                "input_message": "Type the date, e.g. 31/03/2027",
            })  # fmt: skip
        else:
            _write_text(ws, row, col, value, f.input)

    def _write_progress(self, ws, row):
        plan, n = self.plan, self.plan.n_items
        done = sum(self._complete(i.id) for i in self.model.items)
        ws.set_row(row, 20)
        ws.write_formula(
            row, 1, plan.progress_formula, self.f.status, f"{done} of {n} items complete"
        )
        ws.write_blank(row, 2, None, self.f.status)
        missing = [i.id for i in self.model.items if not self._complete(i.id)]
        cached = ("Still to complete: " + ", ".join(missing) if missing
                  else "Nothing missing: every item has a current and a target level")  # fmt: skip
        ws.write_formula(row + 1, 1, plan.missing_text_formula, self.f.line_bold, cached)

    # -- Self-assessment -----------------------------------------------------------------------
    def _write_assessment(self, ws):
        f, model, col, plan = self.f, self.model, self.col, self.plan
        for i, column in enumerate(plan.columns):
            ws.set_column(i, i, column.width)
        title = f"Self-assessment: {self.council.name if self.council else model.short_name}"
        ws.set_row(L.ASSESSMENT_TITLE_ROW, 24)
        ws.write_string(L.ASSESSMENT_TITLE_ROW, 0, title, f.title)
        help_text = HELP_ROW_TEXT if self.previous is None else HELP_ROW_TEXT_PREFILLED
        ws.write_string(L.ASSESSMENT_HELP_ROW, 0, help_text, f.line_bold)
        self._write_legend(ws, L.ASSESSMENT_HELP_ROW + 1)
        header_row = L.ASSESSMENT_HEADER_ROW
        ws.set_row(header_row, plan.header_height)
        for i, column in enumerate(plan.columns):
            shown = column.key in L.PREVIOUS_FIELDS
            ws.write_string(header_row, i, column.header, f.previous_header if shown else f.header)
        ws.freeze_panes(header_row + 1, 2)
        ws.repeat_rows(header_row)
        row = L.ASSESSMENT_FIRST_ROW
        width = len(plan.columns)
        breaks = []
        for kind, thing in plan.assessment_rows:
            if kind == "group":
                if row > L.ASSESSMENT_FIRST_ROW:
                    breaks.append(row)  # each theme starts a printed page, never orphaned
                ws.set_row(row, 20)
                ws.write_string(row, 0, thing.name, f.heading)
                for i in range(1, width):
                    ws.write_blank(row, i, None, f.heading)
            else:
                self._write_item_row(ws, row, thing)
            row += 1
        ws.set_h_pagebreaks(breaks)
        blocks = plan.item_blocks
        for key in L.LEVEL_FIELDS:
            c = col[key]
            ws.data_validation(blocks[0][0], c, blocks[-1][1], c, {
                "validate": "list", "source": f"={L.LEVELS_NAME}",
                "error_title": "Choose a level",
                "error_message": "Choose one of: " + ", ".join(model.level_names) + ".",
                "input_title": CURRENT_OR_TARGET[key],
                "input_message": "Choose from the list.",
                "multi_range": _multi_range(blocks, c),
            })  # fmt: skip
        c = col["target_date"]
        ws.data_validation(blocks[0][0], c, blocks[-1][1], c, {
            "validate": "date", "criteria": ">=", "value": dt.date(2018, 1, 1),
            "error_type": "warning", "input_title": "Target date",
            "input_message": "When you aim to reach the target level, e.g. 31/03/2028",
            "multi_range": _multi_range(blocks, c),
        })  # fmt: skip
        first = blocks[0][0]
        cur_ref = xl_rowcol_to_cell(first, col["current"], col_abs=True)
        tgt_ref = xl_rowcol_to_cell(first, col["target"], col_abs=True)
        d1, dn = col["level_1"], col[f"level_{len(model.levels)}"]
        head = xl_rowcol_to_cell(header_row, d1, row_abs=True)
        descriptors = " ".join(
            f"{xl_rowcol_to_cell(a, d1)}:{xl_rowcol_to_cell(b, dn)}" for a, b in blocks
        )
        ws.conditional_format(first, d1, blocks[-1][1], dn, {
            "type": "formula", "criteria": f'=AND({cur_ref}<>"",{cur_ref}={head})',
            "format": f.cf_current, "multi_range": descriptors})  # fmt: skip
        ws.conditional_format(first, d1, blocks[-1][1], dn, {
            "type": "formula", "criteria": f'=AND({tgt_ref}<>"",{tgt_ref}={head})',
            "format": f.cf_target, "multi_range": descriptors})  # fmt: skip
        tgt = col["target"]
        ws.conditional_format(first, tgt, blocks[-1][1], tgt, {
            "type": "formula", "criteria": f"={_below_formula(cur_ref, tgt_ref)}",
            "format": f.cf_warning, "multi_range": _multi_range(blocks, tgt)})  # fmt: skip
        check = col["check"]
        checks = _multi_range(blocks, check)
        ws.conditional_format(first, check, blocks[-1][1], check, {
            "type": "cell", "criteria": "==", "value": '"Done"', "format": f.cf_done,
            "multi_range": checks})  # fmt: skip
        ws.conditional_format(first, check, blocks[-1][1], check, {
            "type": "cell", "criteria": "==", "value": '"Target below current"',
            "format": f.cf_warning, "multi_range": checks})  # fmt: skip
        ws.print_area(0, 0, plan.assessment_last_row, width - 1)
        self._protect(ws)

    def _write_legend(self, ws, row):
        f, col, px = self.f, self.col, self.plan.pixels
        legend = (
            ("description", "Colours:", f.label),
            ("level_1", "Your current level", f.legend_current),
            ("level_2", "Your target level", f.legend_target),
            ("level_3", "Target below current", f.legend_warning),
            ("level_4", "Yellow cells: yours to fill in", f.legend_input),
        )
        cells = [(text, px[key], key == "description", FONT_SIZE) for key, text, _ in legend]
        ws.set_row(row, row_height(cells, font=self.plan.font))
        for key, text, fmt in legend:
            ws.write_string(row, col[key], text, fmt)
        if self.previous is not None:  # centred across both columns: no merged cells here
            note = f"Last round ({self.previous.label})"
            ws.write_string(row, col["previous_current"], note, f.previous_note)
            ws.write_blank(row, col["previous_target"], None, f.previous_note)

    def _write_item_row(self, ws, row, item: Item):
        f, col, plan = self.f, self.col, self.plan
        answer = self.answers.get(item.id) or Answer(item.id)
        height = plan.item_heights[item.id]
        if answer.evidence or answer.actions:
            height = max(height, row_height([
                (answer.evidence, plan.pixels["evidence"], False, FONT_SIZE),
                (answer.actions, plan.pixels["actions"], False, FONT_SIZE),
            ], font=plan.font))  # fmt: skip
        ws.set_row(row, height)
        ws.write_string(row, col["ref"], item.id, f.cell_bold)
        # A HYPERLINK formula, not a hyperlink: LibreOffice does not wrap hyperlinked text
        ws.write_formula(row, col["name"], plan.name_links[item.id], f.link, item.name)
        ws.write_string(row, col["description"], plan.short[item.id], f.cell)
        for i, descriptor in enumerate(item.descriptors, start=1):
            ws.write_string(row, col[f"level_{i}"], descriptor, f.cell)
        _write_text(ws, row, col["current"], answer.current, f.input_level)
        _write_text(ws, row, col["target"], answer.target, f.input_level)
        _write_text(ws, row, col["evidence"], answer.evidence, f.input)
        _write_text(ws, row, col["actions"], answer.actions, f.input)
        self._date(ws, row, col["target_date"], answer.target_date, f.input_date)
        if self.previous is not None:
            before = self.previous.answers.get(item.id)
            for key, field in L.PREVIOUS_FIELDS.items():
                value = getattr(before, field) if before else None
                _write_text(ws, row, col[key], value or "", f.previous)
        for key in L.ITEM_FIELDS:
            self._name(L.item_input_name(item.id, key), L.ASSESSMENT, row, col[key])
        ws.write_formula(row, col["check"], plan.check_formulas[item.id], f.cell_bold,
                         self._check_value(item.id))  # fmt: skip

    def _check_value(self, item_id) -> str:
        current, target = self.scores[item_id]
        answer = self.answers.get(item_id)
        if current == "" and target == "" and not (answer and (answer.current or answer.target)):
            return "To do"
        if current == "" or target == "":
            return "Choose both levels"
        return "Target below current" if target < current else "Done"

    # -- Guidance ------------------------------------------------------------------------------
    def _write_guidance(self, ws):
        f, model = self.f, self.model
        for i, width in enumerate(GUIDANCE_WIDTHS):
            ws.set_column(i, i, width)
        ws.set_row(0, 24)
        ws.write_string(0, 0, f"Guidance: {model.short_name} key areas and enablers", f.title)
        ws.write_string(1, 0, f"What each key area and enabler means, in the strategy's words. "
                        f"Each name on the '{L.ASSESSMENT}' sheet links here.", f.line)  # fmt: skip
        for kind, row, label, text, height in self.plan.guidance:
            ws.set_row(row, height)
            if kind == "group":
                ws.write_string(row, 0, label, f.heading)
                ws.write_blank(row, 1, None, f.heading)
            elif kind == "item":
                ws.write_string(row, 0, label, f.item_title)
                ws.write_string(row, 1, text, f.item_title)
            elif kind == "back":
                ws.write_formula(row, 1, self.plan.back_links[label], f.link_plain, text)
            else:
                ws.write_string(row, 0, label, f.label)
                ws.write_string(row, 1, text, f.note if kind == "note" else f.text)
        ws.print_area(0, 0, self.plan.guidance_last_row, 1)
        self._protect(ws)

    # -- Summary -------------------------------------------------------------------------------
    def _write_summary(self, ws):
        f, model, plan = self.f, self.model, self.plan
        for i, width in enumerate(SUMMARY_WIDTHS):
            ws.set_column(i, i, width)
        ws.set_row(0, 24)
        ws.write_string(0, 0, "Summary: your scores and gaps", f.title)
        scores = ", ".join(f"{lv.name} = {lv.score}" for lv in model.levels)
        ws.write_string(1, 0, f"Scores: {scores}.", f.line)
        ws.write_string(2, 0, "Gap = target minus current. This sheet fills in by itself from "
                        "your answers.", f.line)  # fmt: skip
        header = SUMMARY_HEADER_ROW
        ws.set_row(header, 20)
        for i, text in enumerate(SUMMARY_COLUMNS):
            ws.write_string(header, i, text, f.header)
        ws.repeat_rows(header)
        levels = L.LEVELS_NAME
        for item in model.items:
            row = plan.summary_rows[item.id]
            ws.set_row(row, plan.summary_name_height[item.id])
            current, target = self.scores[item.id]
            ws.write_string(row, 0, item.id, f.cell_bold)
            ws.write_string(row, 1, item.name, f.cell)
            ws.write_string(row, 2, item.group_name, f.cell)
            for c, key, value in ((3, "current", current), (4, "target", target)):
                name = L.item_input_name(item.id, key)
                ws.write_formula(row, c, f'=IFERROR(MATCH({name},{levels},0),"")', f.number,
                                 value)  # fmt: skip
            d, e = xl_rowcol_to_cell(row, 3), xl_rowcol_to_cell(row, 4)
            gap = target - current if current != "" and target != "" else ""
            ws.write_formula(row, 5, f'=IF(AND(ISNUMBER({d}),ISNUMBER({e})),{e}-{d},"")',
                             f.signed, gap)  # fmt: skip
            ws.write_formula(row, 6, f'=IF(AND(ISNUMBER({d}),ISNUMBER({e})),"Yes","No")', f.cell,
                             "Yes" if self._complete(item.id) else "No")  # fmt: skip
        first_item = min(plan.summary_rows.values())
        last_item = max(plan.summary_rows.values())
        row = last_item + 2
        ws.set_row(row, 20)
        ws.write_string(row, 0, "Averages by theme", f.subtitle)
        row += 1
        ws.set_row(row, 20)
        for i, text in enumerate(("", "Theme", "Items", "Current", "Target", "Gap")):
            ws.write_string(row, i, text, f.header)
        row += 1
        groups = [(g.name, [plan.summary_rows[i.id] for i in g.items], False)
                  for g in model.groups if g.items]  # fmt: skip
        groups.append(("All key areas and enablers", list(plan.summary_rows.values()), True))
        for name, rows, total in groups:
            lo, hi = min(rows) + 1, max(rows) + 1
            ws.set_row(row, row_height([(name, column_pixels(SUMMARY_WIDTHS[1]), True, 10)]))
            ws.write_blank(row, 0, None, f.cell)
            ws.write_string(row, 1, name, f.cell_bold)
            ws.write_number(row, 2, len(rows), f.number)
            for c in (3, 4, 5):
                letter = xl_col_to_name(c)
                values = self._values(rows, c)
                cached = round(sum(values) / len(values), 10) if values else ""
                fmt = (f.signed_decimal_bold if total else f.signed_decimal) if c == 5 else (
                    f.decimal_bold if total else f.decimal)  # fmt: skip
                ws.write_formula(row, c, f'=IFERROR(AVERAGE({letter}{lo}:{letter}{hi}),"")', fmt,
                                 cached)  # fmt: skip
            row += 1
        self._write_chart(ws, row + 1, first_item, last_item)
        ws.print_area(0, 0, row + 18, len(SUMMARY_WIDTHS) - 1)
        ws.fit_to_pages(1, 1)
        self._protect(ws)

    def _write_chart(self, ws, row, first_item, last_item):
        model = self.model
        chart = self.wb.add_chart({"type": "column"})
        colours = (self.model.brand.colours["header"].background, "#8FAADC")
        for c, label, colour in ((3, "Current", colours[0]), (4, "Target", colours[1])):
            chart.add_series({
                "name": label,
                "categories": [L.SUMMARY, first_item, 0, last_item, 0],
                "values": [L.SUMMARY, first_item, c, last_item, c],
                "fill": {"color": colour}, "border": {"color": colours[0]},
            })  # fmt: skip
        chart.set_title({"name": "Current and target level by item", "name_font": {"size": 12}})
        chart.set_x_axis({"name": "Key area or enabler (Ref)"})
        top = len(model.levels)
        chart.set_y_axis({
            "name": f"Level (1 to {top})",
            "min": 0, "max": top, "major_unit": 1,
        })  # fmt: skip
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": span_pixels(SUMMARY_WIDTHS), "height": 300})
        alt = (
            f"Column chart of the current and target level (1 to {top}) of each of the "
            f"{len(model.items)} key areas and enablers, from the table on this sheet."
        )
        ws.insert_chart(row, 0, chart, {"description": alt, "object_position": 2})

    def _values(self, rows, column):
        by_row = {r: item_id for item_id, r in self.plan.summary_rows.items()}
        values = []
        for r in rows:
            current, target = self.scores[by_row[r]]
            value = {3: current, 4: target}.get(column, "")
            if column == 5 and current != "" and target != "":
                value = target - current
            if value != "":
                values.append(value)
        return values


CURRENT_OR_TARGET = {"current": "Current level", "target": "Target level"}
