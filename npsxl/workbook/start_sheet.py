"""The 'Start here' sheet of a council's workbook: the brand bar and title, the purpose,
the round, the steps, the council's and the respondent's details, the progress line, what
was carried over from the previous return (when pre-filled) and the small print.

:class:`StartSheet` is a part of the workbook writer (:mod:`npsxl.workbook.writer`), which
supplies the formats (``f``), the plan, the council, the respondent and the helpers it uses.
"""

from __future__ import annotations

import datetime as dt

from npsxl.workbook import layout as L
from npsxl.workbook.plan import START_WIDTHS, detail_height
from npsxl.workbook.textfit import FONT_SIZE, row_height, span_pixels


class StartSheet:
    """Writes the Start here sheet (a part of the workbook writer)."""

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
            "Your evidence and actions were copied into their cells for you to update."
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
            self._text(ws, row, col, value, f.locked_value)
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
            self._text(ws, row, col, value, f.input)

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
