"""Build the branded self-assessment workbook for one council (or a blank one) from a model.

:func:`build_workbook` is the library entry point. All positions and names come from
:mod:`npsxl.layout`, which the reader shares.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

from . import __version__
from . import layout as L
from .answers import Answer, Respondent
from .atomic import atomic_path
from .model import Item, Model
from .register import Council

LINE_HEIGHT = 13.0  # points per wrapped line of 10pt text, with LibreOffice's leading
CHARS_PER_WIDTH = 1.05  # characters of prose per unit of column width, on the safe side


@dataclass(frozen=True)
class BuiltWorkbook:
    """What :func:`build_workbook` wrote."""

    path: Path
    council: Council | None
    model_id: str
    model_version: str
    fingerprint: str
    generated_at: str


def wrapped_lines(text: str, width: float) -> int:
    """How many lines ``text`` takes when wrapped in a column ``width`` characters wide."""
    per_line = max(1, int(width * CHARS_PER_WIDTH) - 1)
    lines = 0
    for paragraph in str(text).split("\n"):
        used = 0
        lines += 1
        for word in paragraph.split():
            need = len(word) if used == 0 else used + 1 + len(word)
            if need <= per_line:
                used = need
            else:
                lines += 1 if used else 0
                used = len(word) % per_line if len(word) > per_line else len(word)
                lines += len(word) // per_line if len(word) > per_line else 0
    return max(lines, 1)


def row_height(texts_and_widths, minimum: float = 15.0, padding: float = 4.0) -> float:
    lines = max((wrapped_lines(t, w) for t, w in texts_and_widths if t), default=1)
    return max(minimum, lines * LINE_HEIGHT + padding)


def _excel_text(text: str) -> str:
    """Escape a string for a header/footer: '&' starts a code there."""
    return text.replace("&", "&&")


class _Formats:
    """The workbook's cell formats, built once per workbook from the brand."""

    def __init__(self, wb, model: Model):
        brand = model.brand
        colour = brand.colours
        base = {"font_name": brand.font, "font_size": 10, "valign": "top"}

        def fmt(**props):
            return wb.add_format({**base, **props})

        def pair(role):
            return {"bg_color": colour[role].background, "font_color": colour[role].text}

        border = {"border": 1, "border_color": "#808080"}
        self.brand_bar = fmt(bold=True, font_size=12, valign="vcenter", **pair("header"))
        self.title = fmt(bold=True, font_size=16, font_color=colour["header"].background)
        self.subtitle = fmt(bold=True, font_size=12)
        self.text = fmt(text_wrap=True)
        self.text_bold = fmt(text_wrap=True, bold=True)
        self.line = fmt()  # one line that may run on into the empty cells to its right
        self.line_bold = fmt(bold=True)
        self.muted = fmt(text_wrap=True, font_size=8, **pair("muted"))
        self.heading = fmt(bold=True, font_size=11, **pair("theme"))
        self.header = fmt(bold=True, text_wrap=True, valign="vcenter", **pair("header"),
                          border=1, border_color="#FFFFFF")  # fmt: skip
        self.cell = fmt(text_wrap=True, **border)
        self.cell_bold = fmt(text_wrap=True, bold=True, **border)
        self.link = fmt(text_wrap=True, bold=True, underline=1, font_color="#1F3864", **border)
        self.locked_value = fmt(text_wrap=True, bold=True, bg_color="#F2F2F2", **border)
        self.input = fmt(text_wrap=True, locked=False, **pair("input"), **border)
        self.input_level = fmt(locked=False, bold=True, **pair("input"), **border)
        self.input_date = fmt(locked=False, num_format="dd/mm/yyyy", **pair("input"), **border)
        self.number = fmt(num_format="0", align="center", **border)
        self.decimal = fmt(num_format="0.0", align="center", **border)
        self.signed = fmt(num_format="+0;-0;0", align="center", **border)
        self.status = fmt(bold=True, font_size=12, **pair("chosen"))
        self.label = fmt(bold=True, text_wrap=True)
        self.cf_current = wb.add_format({**pair("chosen"), "bold": True})
        self.cf_target = wb.add_format({**pair("target"), "italic": True})
        self.cf_warning = wb.add_format(pair("warning"))
        self.cf_done = wb.add_format(pair("chosen"))


_HEIGHTS_CACHE: dict[str, dict[str, float]] = {}


def _row_heights(model: Model) -> dict[str, float]:
    """Row heights of the item rows: the same for every council, so computed once per model."""
    cached = _HEIGHTS_CACHE.get(model.fingerprint)
    if cached is not None:
        return cached
    columns = L.assessment_columns(model.level_names)
    width = {c.key: c.width for c in columns}
    heights = {}
    for item in model.items:
        texts = [(item.name, width["name"]), (_short_description(item), width["description"])]
        texts += [(d, width[f"level_{i}"]) for i, d in enumerate(item.descriptors, start=1)]
        heights[item.id] = row_height(texts, minimum=60)
    _HEIGHTS_CACHE[model.fingerprint] = heights
    return heights


def _short_description(item: Item) -> str:
    """The first sentence of the description (the Guidance sheet has it in full)."""
    text = item.description or ""
    if not text:
        return "See the Guidance sheet." if item.kind == "key_area" else "An enabler of the strategy."
    end = text.find(". ")
    return text if end == -1 else text[: end + 1]


def _level_scores(model: Model, answers: dict[str, Answer]) -> dict[str, tuple]:
    scores = {}
    for item in model.items:
        answer = answers.get(item.id)
        current = model.level(answer.current).score if answer and answer.current else ""
        target = model.level(answer.target).score if answer and answer.target else ""
        scores[item.id] = (current, target)
    return scores


def build_workbook(
    model: Model,
    path: str | Path,
    council: Council | None = None,
    *,
    councils: list[Council] | tuple[Council, ...] = (),
    answers: dict[str, Answer] | None = None,
    respondent: Respondent | None = None,
    generated_at: str | None = None,
    force: bool = True,
) -> BuiltWorkbook:
    """Write a self-assessment workbook to ``path`` (atomically).

    ``council`` personalises it (details pre-filled and locked); without it the workbook is
    blank and the council picks its name from ``councils`` (a dropdown) or types it.
    ``answers``/``respondent`` pre-fill the inputs, as a council would (used for samples,
    demos and tests). Raises :class:`npsxl.errors.OutputError` if the file cannot be written.
    """
    answers = answers or {}
    generated_at = generated_at or dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
    with atomic_path(path, force=force) as tmp:
        wb = xlsxwriter.Workbook(
            str(tmp),
            {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False},
        )
        writer = _WorkbookWriter(wb, model, council, list(councils), answers, respondent,
                                 generated_at)  # fmt: skip
        writer.write()
        wb.close()
    return BuiltWorkbook(Path(path), council, model.id, model.version, model.fingerprint,
                         generated_at)  # fmt: skip


class _WorkbookWriter:
    def __init__(self, wb, model, council, councils, answers, respondent, generated_at):
        self.wb = wb
        self.model = model
        self.council = council
        self.councils = councils if council is None else []
        self.answers = answers
        self.respondent = respondent or Respondent()
        self.generated_at = generated_at
        self.f = _Formats(wb, model)
        self.columns = L.assessment_columns(model.level_names)
        self.col = {c.key: i for i, c in enumerate(self.columns)}
        self.scores = _level_scores(model, answers)
        self.item_rows: dict[str, int] = {}
        self.guidance_rows: dict[str, int] = {}
        self.summary_rows: dict[str, int] = {}
        self.footer = "&L" + _excel_text(council.name if council else model.short_name) + (
            "&CPage &P of &N&R" + _excel_text(f"{model.short_name} self-assessment")
        )

    # -- helpers ---------------------------------------------------------------------------
    def _sheet(self, name):
        ws = self.wb.add_worksheet(name)
        ws.hide_gridlines(2)
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)
        ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
        ws.set_footer(self.footer)
        return ws

    def _protect(self, ws):
        ws.protect("", {"format_columns": True, "format_rows": True,
                        "select_locked_cells": True, "select_unlocked_cells": True})  # fmt: skip

    def _name(self, name, sheet, row, col):
        self.wb.define_name(name, L.absolute(sheet, xl_rowcol_to_cell(row, col)))

    def _complete(self, item_id) -> bool:
        current, target = self.scores[item_id]
        return current != "" and target != ""

    # -- sheets ------------------------------------------------------------------------------
    def write(self):
        start = self._sheet(L.START)
        assessment = self._sheet(L.ASSESSMENT)
        guidance = self._sheet(L.GUIDANCE)
        summary = self._sheet(L.SUMMARY)
        lists = self.wb.add_worksheet(L.LISTS)
        meta = self.wb.add_worksheet(L.METADATA)
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
        self.wb.set_properties({
            "title": f"{self.model.title}: self-assessment",
            "subject": self.council.name if self.council else "Blank self-assessment",
            "author": self.model.brand.organisation,
            "company": self.model.brand.organisation,
            "comments": f"Generated by npsxl {__version__} from {self.model.id} "
                        f"{self.model.version}",
        })  # fmt: skip
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
                for col, value in enumerate((c.name, c.code, c.region, c.council_type), start=2):
                    ws.write_string(row, col, value)
            last = len(self.councils) + 1
            self.wb.define_name(L.COUNCILS_NAME, f"='{L.LISTS}'!$C$2:$C${last}")
        ws.set_column(0, 5, 24)

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

    def _write_start(self, ws):
        f, model = self.f, self.model
        ws.set_column(0, 0, 2)
        ws.set_column(1, 1, 24)
        ws.set_column(2, 2, 62)
        ws.set_column(3, 3, 40)
        ws.set_row(0, 24)
        brand = f"{model.brand.organisation}  |  {model.brand.strategy_short_name}"
        for col in range(1, 4):
            ws.write_blank(0, col, None, f.brand_bar)
        ws.write_string(0, 1, brand, f.brand_bar)
        ws.set_row(1, 24)
        ws.write_string(1, 1, f"{model.title}: self-assessment", f.title)
        who = self.council.name if self.council else "Blank workbook: choose your council below"
        ws.write_string(2, 1, who, f.subtitle)
        ws.merge_range(3, 1, 3, 3, model.purpose, f.text)
        ws.set_row(3, row_height([(model.purpose, 24 + 62 + 40)]))
        ws.write_string(5, 1, "How to complete this self-assessment", f.subtitle)
        n = len(model.items)
        steps = [
            "Check your council's details below and add your name, role, email and today's date "
            "in the yellow cells.",
            f"Go to the '{L.ASSESSMENT}' sheet. For each of the {n} key areas and enablers, read "
            "the five level descriptions, then choose your Current level and your Target level "
            "from the dropdowns in the yellow cells.",
            "Add the evidence for your current level, the actions planned to reach your target, "
            "and a target date.",
            f"Click an item's name for its guidance. Targets are yours to choose: there is nothing "
            f"'wrong' about setting 'developing' or 'mature' as a target; it can be entirely "
            f"appropriate. The '{L.SUMMARY}' sheet shows your scores and gaps.",
            f"When the progress line below reads '{n} of {n} items complete', save the file "
            "(keep the .xlsx format and the sheet names) and email it back to your regional "
            "coordinator.",
        ]
        for i, step in enumerate(steps):
            ws.write_string(6 + i, 1, f"Step {i + 1}", f.label)
            ws.merge_range(6 + i, 2, 6 + i, 3, step, f.text)
            ws.set_row(6 + i, row_height([(step, 102)]))
        ws.write_string(L.START_DETAILS_FIRST_ROW - 1, 1, "Your council and you", f.subtitle)
        council_values = self._council_values()
        for i, field in enumerate(L.DETAIL_FIELDS):
            row = L.START_DETAILS_FIRST_ROW + i
            ws.write_string(row, L.START_LABEL_COL, field.label, f.label)
            self._write_detail(ws, row, field, council_values)
            ws.write_string(row, L.START_VALUE_COL + 1, field.help, f.muted)
            self._name(field.defined_name, L.START, row, L.START_VALUE_COL)
        row = L.START_DETAILS_FIRST_ROW + len(L.DETAIL_FIELDS) + 1
        ws.write_string(row, 1, "Progress", f.subtitle)
        self._write_progress(ws, row + 1)
        row += 4
        small = (f"Model {model.id} version {model.version}, fingerprint {model.fingerprint}. "
                 f"Layout {L.LAYOUT_VERSION}. Generated {self.generated_at} by npsxl {__version__}."
                 f" Source: {model.title}, {model.publisher}, {model.published}, "
                 f"{model.source_url}")  # fmt: skip
        ws.merge_range(row, 1, row, 3, small, f.muted)
        ws.set_row(row, row_height([(small, 110)], minimum=24))
        ws.print_area(0, 0, row, 3)
        self._protect(ws)

    def _council_values(self) -> dict[str, object]:
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

    def _write_detail(self, ws, row, field, values):
        f = self.f
        col = L.START_VALUE_COL
        value = values.get(field.key)
        council_field = field in L.COUNCIL_FIELDS
        if council_field and self.council is not None:
            ws.write_string(row, col, str(value or ""), f.locked_value)
        elif field.key == "council_name":
            ws.write_string(row, col, "", f.input)
            if self.councils:
                ws.data_validation(row, col, row, col, {
                    "validate": "list", "source": f"={L.COUNCILS_NAME}",
                    "error_type": "information", "show_error": False,
                    "input_title": "Your council",
                    "input_message": "Pick your council from the list, or type its name.",
                })  # fmt: skip
        elif council_field:
            lookup = {"council_code": "$D", "region": "$E", "council_type": "$F"}[field.key]
            last = len(self.councils) + 1
            formula = (f"=IFERROR(INDEX('{L.LISTS}'!{lookup}$2:{lookup}${last},"
                       f"MATCH({L.COUNCIL_FIELDS[0].defined_name},{L.COUNCILS_NAME},0)),\"\")")  # fmt: skip
            if self.councils:
                ws.write_formula(row, col, formula, f.locked_value, "")
            else:
                ws.write_string(row, col, "", f.input)
        elif field.key == "date_completed":
            if isinstance(value, dt.date):
                ws.write_datetime(row, col, dt.datetime.combine(value, dt.time()), f.input_date)
            else:
                ws.write_string(row, col, str(value or ""), f.input_date)
            ws.data_validation(row, col, row, col, {
                "validate": "date", "criteria": ">=", "value": dt.date(2018, 1, 1),
                "error_type": "warning", "input_title": "Date completed",
                "input_message": "Type the date, e.g. 31/03/2027",
            })  # fmt: skip
        else:
            ws.write_string(row, col, str(value or ""), f.input)

    def _write_progress(self, ws, row):
        complete_col = "G"
        first = min(self.summary_rows.values()) + 1
        last = max(self.summary_rows.values()) + 1
        n = len(self.model.items)
        done = sum(self._complete(i.id) for i in self.model.items)
        formula = (f"=COUNTIF('{L.SUMMARY}'!${complete_col}${first}:${complete_col}${last},\"Yes\")"
                   f"&\" of {n} items complete\"")  # fmt: skip
        ws.write_formula(row, 1, formula, self.f.status, f"{done} of {n} items complete")
        ws.write_blank(row, 2, None, self.f.status)
        parts = []
        missing = []
        for item in self.model.items:
            r = self.summary_rows[item.id] + 1
            parts.append(f"IF('{L.SUMMARY}'!${complete_col}${r}=\"Yes\",\"\",\"{item.id} \")")
            if not self._complete(item.id):
                missing.append(item.id)
        joined = "&".join(parts)
        formula = f'=IF({joined}="","Nothing missing","Still to complete: "&TRIM({joined}))'
        cached = "Still to complete: " + " ".join(missing) if missing else "Nothing missing"
        ws.write_formula(row + 1, 1, formula, self.f.line_bold, cached)

    def _write_assessment(self, ws):
        f, model, col = self.f, self.model, self.col
        for i, column in enumerate(self.columns):
            ws.set_column(i, i, column.width)
        title = f"Self-assessment: {self.council.name if self.council else model.short_name}"
        ws.write_string(L.ASSESSMENT_TITLE_ROW, 0, title, f.title)
        ws.set_row(L.ASSESSMENT_TITLE_ROW, 24)
        help_text = ("Choose a Current level and a Target level for every row from the dropdowns "
                     "in the yellow cells. Your current level is then highlighted green and your "
                     "target blue. Click a name to read its guidance.")  # fmt: skip
        ws.write_string(L.ASSESSMENT_HELP_ROW, 0, help_text, f.line_bold)
        header_row = L.ASSESSMENT_HEADER_ROW
        ws.set_row(header_row, 30)
        for i, column in enumerate(self.columns):
            ws.write_string(header_row, i, column.header, f.header)
        ws.freeze_panes(header_row + 1, 2)
        ws.repeat_rows(header_row)
        row = L.ASSESSMENT_FIRST_ROW
        heights = _row_heights(model)
        for group in model.groups:
            for i in range(len(self.columns)):
                ws.write_blank(row, i, None, f.heading)
            ws.write_string(row, 0, group.name, f.heading)
            ws.set_row(row, 18)
            row += 1
            for item in group.items:
                self.item_rows[item.id] = row
                self._write_item_row(ws, row, item, heights[item.id])
                row += 1
        first, last = min(self.item_rows.values()), max(self.item_rows.values())
        cur, tgt = col["current"], col["target"]
        for key in L.LEVEL_FIELDS:
            c = col[key]
            ws.data_validation(first, c, last, c, {
                "validate": "list", "source": f"={L.LEVELS_NAME}",
                "error_title": "Choose a level",
                "error_message": "Choose one of: " + ", ".join(model.level_names) + ".",
                "input_title": CURRENT_OR_TARGET[key],
                "input_message": "Choose from the list.",
            })  # fmt: skip
        cur_ref = xl_rowcol_to_cell(first, cur, col_abs=True)
        tgt_ref = xl_rowcol_to_cell(first, tgt, col_abs=True)
        d1 = col["level_1"]
        dn = col[f"level_{len(model.levels)}"]
        head = xl_rowcol_to_cell(header_row, d1, row_abs=True)
        ws.conditional_format(first, d1, last, dn, {
            "type": "formula", "criteria": f'=AND({cur_ref}<>"",{cur_ref}={head})',
            "format": f.cf_current})  # fmt: skip
        ws.conditional_format(first, d1, last, dn, {
            "type": "formula", "criteria": f'=AND({tgt_ref}<>"",{tgt_ref}={head})',
            "format": f.cf_target})  # fmt: skip
        below = _below_formula(cur_ref, tgt_ref)
        ws.conditional_format(first, tgt, last, tgt, {"type": "formula", "criteria": f"={below}",
                                                       "format": f.cf_warning})  # fmt: skip
        check = col["check"]
        ws.conditional_format(first, check, last, check, {
            "type": "cell", "criteria": "==", "value": '"Done"', "format": f.cf_done})  # fmt: skip
        ws.conditional_format(first, check, last, check, {
            "type": "text", "criteria": "begins with", "value": "Target below",
            "format": f.cf_warning})  # fmt: skip
        ws.print_area(0, 0, row - 1, len(self.columns) - 1)
        self._protect(ws)

    def _write_item_row(self, ws, row, item: Item, height: float):
        f, col = self.f, self.col
        ws.set_row(row, height)
        ws.write_string(row, col["ref"], item.id, f.cell_bold)
        target = self.guidance_rows[item.id] + 1
        ws.write_url(row, col["name"], f"internal:'{L.GUIDANCE}'!A{target}", f.link,
                     string=item.name, tip="Read the guidance for this item")  # fmt: skip
        ws.write_string(row, col["description"], _short_description(item), f.cell)
        for i, descriptor in enumerate(item.descriptors, start=1):
            ws.write_string(row, col[f"level_{i}"], descriptor, f.cell)
        answer = self.answers.get(item.id, Answer(item.id))
        ws.write_string(row, col["current"], answer.current or "", f.input_level)
        ws.write_string(row, col["target"], answer.target or "", f.input_level)
        ws.write_string(row, col["evidence"], answer.evidence or "", f.input)
        ws.write_string(row, col["actions"], answer.actions or "", f.input)
        if isinstance(answer.target_date, dt.date):
            ws.write_datetime(row, col["target_date"],
                              dt.datetime.combine(answer.target_date, dt.time()), f.input_date)  # fmt: skip
        else:
            ws.write_string(row, col["target_date"], str(answer.target_date or ""), f.input_date)
        ws.data_validation(row, col["target_date"], row, col["target_date"], {
            "validate": "date", "criteria": ">=", "value": dt.date(2018, 1, 1),
            "error_type": "warning", "input_title": "Target date",
            "input_message": "When you aim to reach the target level, e.g. 31/03/2028",
        })  # fmt: skip
        for key in L.ITEM_FIELDS:
            self._name(L.item_input_name(item.id, key), L.ASSESSMENT, row, col[key])
        cur = xl_rowcol_to_cell(row, col["current"])
        tgt = xl_rowcol_to_cell(row, col["target"])
        levels = L.LEVELS_NAME
        formula = (f'=IF(AND({cur}="",{tgt}=""),"To do",IF(OR(ISNA(MATCH({cur},{levels},0)),'
                   f'ISNA(MATCH({tgt},{levels},0))),"Choose both levels",'
                   f'IF({_below_formula(cur, tgt)},"Target below current","Done")))')  # fmt: skip
        ws.write_formula(row, col["check"], formula, f.cell_bold, self._check_value(item.id))

    def _check_value(self, item_id) -> str:
        current, target = self.scores[item_id]
        if current == "" and target == "":
            return "To do"
        if current == "" or target == "":
            return "Choose both levels"
        return "Target below current" if target < current else "Done"

    def _write_guidance(self, ws):
        f, model = self.f, self.model
        ws.set_column(0, 0, 24)
        ws.set_column(1, 1, 110)
        ws.write_string(0, 0, f"Guidance: {model.short_name} key areas and enablers", f.title)
        ws.set_row(0, 24)
        row = 2
        for group in model.groups:
            ws.write_string(row, 0, group.name, f.heading)
            ws.write_blank(row, 1, None, f.heading)
            row += 1
            if group.description:
                ws.write_string(row, 0, "About the enablers", f.label)
                ws.write_string(row, 1, group.description, f.text)
                ws.set_row(row, row_height([(group.description, 110)]))
                row += 1
            for item in group.items:
                self.guidance_rows[item.id] = row
                ws.write_string(row, 0, item.id, f.text_bold)
                ws.write_string(row, 1, item.name, f.subtitle)
                row += 1
                fields = [("Description", item.description), ("What it is", item.what_it_is),
                          ("Why it is important", item.why_it_is_important)]  # fmt: skip
                if item.kind == "enabler":
                    fields = [("Levels", "The strategy describes each enabler by its five level "
                               f"descriptors only: see the '{L.ASSESSMENT}' sheet.")]  # fmt: skip
                if item.text_note:
                    fields.append(("Note on the text", item.text_note))
                for label, text in fields:
                    ws.write_string(row, 0, label, f.label)
                    ws.write_string(row, 1, text, f.muted if label.startswith("Note") else f.text)
                    ws.set_row(row, row_height([(text, 110)]))
                    row += 1
                row += 1
        ws.print_area(0, 0, row, 1)
        self._protect(ws)

    def _write_summary(self, ws):
        f, model = self.f, self.model
        widths = (7, 34, 26, 10, 10, 8, 10)
        for i, width in enumerate(widths):
            ws.set_column(i, i, width)
        ws.write_string(0, 0, "Summary: your scores and gaps", f.title)
        ws.set_row(0, 24)
        ws.write_string(1, 0, "Scores: " + ", ".join(f"{lv.name} = {lv.score}"
                                                     for lv in model.levels)
                        + ". Gap = target minus current. This sheet fills in by itself.",
                        f.line)  # fmt: skip
        headers = ("Ref", "Key area or enabler", "Theme", "Current", "Target", "Gap", "Complete")
        ws.set_row(3, 30)
        for i, header in enumerate(headers):
            ws.write_string(3, i, header, f.header)
        ws.repeat_rows(3)
        row = 4
        for item in model.items:
            self.summary_rows[item.id] = row
            current, target = self.scores[item.id]
            ws.write_string(row, 0, item.id, f.cell_bold)
            ws.write_string(row, 1, item.name, f.cell)
            ws.write_string(row, 2, item.group_name, f.cell)
            for c, key, value in ((3, "current", current), (4, "target", target)):
                name = L.item_input_name(item.id, key)
                ws.write_formula(row, c, f'=IFERROR(MATCH({name},{L.LEVELS_NAME},0),"")',
                                 f.number, value)  # fmt: skip
            d, e = xl_rowcol_to_cell(row, 3), xl_rowcol_to_cell(row, 4)
            gap = target - current if current != "" and target != "" else ""
            ws.write_formula(row, 5, f'=IF(AND(ISNUMBER({d}),ISNUMBER({e})),{e}-{d},"")',
                             f.signed, gap)  # fmt: skip
            ws.write_formula(row, 6, f'=IF(AND(ISNUMBER({d}),ISNUMBER({e})),"Yes","No")', f.cell,
                             "Yes" if self._complete(item.id) else "No")  # fmt: skip
            row += 1
        last_item_row = row - 1
        row += 1
        ws.write_string(row, 0, "Averages by theme", f.subtitle)
        row += 1
        for i, header in enumerate(("", "Theme", "", "Current", "Target", "Gap")):
            ws.write_string(row, i, header, f.header)
        row += 1
        for group in model.groups:
            rows = [self.summary_rows[i.id] for i in group.items]
            lo, hi = min(rows) + 1, max(rows) + 1
            ws.write_blank(row, 0, None, f.cell)
            ws.write_string(row, 1, group.name, f.cell_bold)
            ws.write_blank(row, 2, None, f.cell)
            for c in (3, 4, 5):
                letter = "DEF"[c - 3]
                values = self._avg_inputs(group, c)
                cached = round(sum(values) / len(values), 10) if values else ""
                ws.write_formula(row, c, f'=IFERROR(AVERAGE({letter}{lo}:{letter}{hi}),"")',
                                 f.decimal, cached)  # fmt: skip
            row += 1
        chart = self.wb.add_chart({"type": "column"})
        first = min(self.summary_rows.values())
        for c, label, colour in ((3, "Current", "#1F3864"), (4, "Target", "#8FAADC")):
            chart.add_series({
                "name": label,
                "categories": [L.SUMMARY, first, 0, last_item_row, 0],
                "values": [L.SUMMARY, first, c, last_item_row, c],
                "fill": {"color": colour}, "border": {"color": "#1F3864"},
            })  # fmt: skip
        chart.set_title({"name": "Current and target level by item"})
        chart.set_x_axis({"name": "Key area or enabler (Ref)"})
        chart.set_y_axis({"name": "Level (1 = Minimum, 5 = Innovator)", "min": 0, "max": 5,
                          "major_unit": 1})  # fmt: skip
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": 760, "height": 340})
        alt = ("Column chart of the current and target level (1 to 5) of each of the "
               f"{len(model.items)} key areas and enablers, from the table on this sheet.")  # fmt: skip
        ws.insert_chart(row + 1, 0, chart, {"description": alt})
        ws.print_area(0, 0, row + 19, len(widths) - 1)
        self._protect(ws)

    def _avg_inputs(self, group, column):
        values = []
        for item in group.items:
            current, target = self.scores[item.id]
            value = {3: current, 4: target}.get(column)
            if column == 5:
                value = target - current if current != "" and target != "" else ""
            if value != "":
                values.append(value)
        return values


CURRENT_OR_TARGET = {"current": "Current level", "target": "Target level"}


def _below_formula(cur: str, tgt: str) -> str:
    levels = L.LEVELS_NAME
    return (f"AND(ISNUMBER(MATCH({cur},{levels},0)),ISNUMBER(MATCH({tgt},{levels},0)),"
            f"MATCH({tgt},{levels},0)<MATCH({cur},{levels},0))")  # fmt: skip




