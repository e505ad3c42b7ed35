"""Build the branded self-assessment workbook for one council (or a blank one) from a model.

:func:`build_workbook` is the library entry point. All positions and names come from
:mod:`npsxl.workbook.layout`, which the reader shares.

Everything that is the same for every council (texts, row heights, formulas, formats) is
worked out once per model in :mod:`npsxl.workbook.plan`, so a batch of hundreds of
workbooks spends its time writing; :class:`npsxl.workbook.council_workbooks.CouncilWorkbooks` makes
such a batch faster still.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from npsxl import __version__
from npsxl.core.atomic import atomic_path
from npsxl.core.errors import NpsxlError
from npsxl.model.answers import Answer, Respondent
from npsxl.model.model import Item, Model
from npsxl.model.register import Council
from npsxl.workbook import layout as L
from npsxl.workbook.plan import (
    A4,
    GUIDANCE_WIDTHS,
    HELP_ROW_TEXT,
    HELP_ROW_TEXT_PREFILLED,
    MARGINS,
    MISSING_CELL,
    START_WIDTHS,
    SUMMARY_COLUMNS,
    SUMMARY_HEADER_ROW,
    SUMMARY_WIDTHS,
    Formats,
    Plan,
    below_formula,
    detail_height,
    multi_range,
    plan_for,
)
from npsxl.workbook.previous import Previous
from npsxl.workbook.textfit import (
    FONT_SIZE,
    column_pixels,
    row_height,
    span_pixels,
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


def _write_text(ws, row: int, col: int, value, fmt) -> None:
    """A council's text, always as a string (never a formula or link); nothing as a blank."""
    if value is None or value == "":
        ws.write_blank(row, col, None, fmt)
    else:
        ws.write_string(row, col, str(value), fmt)


def excel_text(text: str, limit: int = 100) -> str:
    """Text for a header/footer: '&' starts a code there, and Excel allows 255 characters."""
    text = " ".join(str(text).split())
    if len(text) > limit:
        text = text[: limit - 1] + "\u2026"
    return text.replace("&", "&&")


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
    demos and tests). ``previous`` (see :mod:`npsxl.collation.prefill`) pre-fills it from the
    council's last return: last round's levels shown beside the dropdowns (which stay
    empty), its evidence and actions copied into the inputs, and its notes listed on the
    Start here sheet. ``round`` is the assessment round (default: this year, see
    :func:`assessment_round`). Raises :class:`npsxl.core.errors.OutputError` if the file cannot
    be written, :class:`npsxl.core.errors.NpsxlError` for an unusable ``round``.
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
    generated_at = generated_at or now_text()
    plan = plan_for(model, previous is not None)
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

    Raises :class:`npsxl.core.errors.NpsxlError` for control characters or more than
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


def now_text() -> str:
    """Now in UTC, to the second, as ISO 8601 text: a workbook's generated_at."""
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


class _WorkbookWriter:
    def __init__(self, wb, plan: Plan, council, councils, answers, respondent, generated_at,
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
        self.f = Formats(wb, self.model)
        self.col = plan.col
        self.scores = self._level_scores()
        who = council.name if council else f"{self.model.short_name} self-assessment"
        # no font-size codes: "&8" before a name starting with a digit would read as "&83"
        self.footer = f"&L{excel_text(who)}&CPage &P of &N&R{excel_text(self.model.short_name)}: &A"

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
            ws.set_row(row, detail_height(values.get(field.key), help_text, plan.font))
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
                "multi_range": multi_range(blocks, c),
            })  # fmt: skip
        c = col["target_date"]
        ws.data_validation(blocks[0][0], c, blocks[-1][1], c, {
            "validate": "date", "criteria": ">=", "value": dt.date(2018, 1, 1),
            "error_type": "warning", "input_title": "Target date",
            "input_message": "When you aim to reach the target level, e.g. 31/03/2028",
            "multi_range": multi_range(blocks, c),
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
            "type": "formula", "criteria": f"={below_formula(cur_ref, tgt_ref)}",
            "format": f.cf_warning, "multi_range": multi_range(blocks, tgt)})  # fmt: skip
        check = col["check"]
        checks = multi_range(blocks, check)
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
