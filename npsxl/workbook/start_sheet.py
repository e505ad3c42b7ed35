"""The 'Start here' sheet of a council's workbook, a form: the title (in A1, where a screen
reader starts) and the brand bar, the purpose, the round with its deadline, return address
and help contact (:class:`~npsxl.model.round_settings.RoundSettings`), the steps, the
council's and the respondent's details and the kind of return, the overall comments, the
sign-off, the progress line (with the complete items that have no evidence), what was
carried over from the previous return (when pre-filled), the privacy notice and the small
print. Its inputs are the only unlocked cells, in the form's order, so Tab moves through
them as the form reads.

:class:`StartSheet` is a part of the workbook writer (:mod:`npsxl.workbook.writer`), which
supplies the formats (``f``), the plan, the council, the respondent and the helpers it uses
(declared in :class:`~npsxl.workbook.writer_base.WriterBase`).
"""

from __future__ import annotations

import datetime as dt

from xlsxwriter.utility import xl_rowcol_to_cell

from npsxl.model.answers import ReturnKind
from npsxl.model.register import council_type_label
from npsxl.workbook import layout as L
from npsxl.workbook.plan import START_WIDTHS, detail_height
from npsxl.workbook.previous import Previous
from npsxl.workbook.textfit import FONT_SIZE, row_height, span_pixels
from npsxl.workbook.writer_base import WriterBase


class StartSheet(WriterBase):
    """Writes the Start here sheet (a part of the workbook writer)."""

    def _write_start(self, ws):
        f, model, plan = self.f, self.model, self.plan
        settings = self.settings
        span = span_pixels(START_WIDTHS[1:])
        for i, width in enumerate(START_WIDTHS):
            ws.set_column(i, i, width)
        # A1 holds the title and is the cell selected on opening: a screen reader starts there
        ws.set_row(0, plan.title_height)
        ws.merge_range(0, 0, 0, 3, plan.title, f.title_wrap)
        ws.set_row(1, 24)
        brand = f"{model.brand.organisation}  |  {model.brand.strategy_short_name}"
        ws.write_string(1, 1, brand, f.brand_bar)
        for col in range(2, 4):
            ws.write_blank(1, col, None, f.brand_bar)
        if model.brand.logo:
            ws.insert_image(
                1,
                3,
                str(model.brand.logo),
                {
                    "y_scale": 1,
                    "x_scale": 1,
                    "object_position": 3,
                    "description": f"{model.brand.organisation} logo",
                },
            )
        who = self.council.name if self.council else "Blank workbook: choose your council below"
        ws.set_row(2, 18)
        ws.write_string(2, 1, who, f.subtitle)
        ws.merge_range(3, 1, 3, 3, model.purpose, f.text)
        ws.set_row(3, plan.purpose_height)
        ws.set_row(4, 20)
        ws.write_string(4, 1, f"Assessment round: {self.round}", f.round)
        due = f"Return by {settings.value('deadline')} to {settings.value('return_to')}"
        ws.set_row(5, 20)
        ws.write_string(5, 1, due, f.round)
        help_line = f"Questions: {settings.value('help_contact')}"
        ws.merge_range(6, 1, 6, 3, help_line, f.text)
        ws.set_row(6, row_height([(help_line, span, False, FONT_SIZE)], font=plan.font))
        first_step = L.START_DETAILS_FIRST_ROW - 1 - len(plan.steps)
        ws.set_row(first_step - 1, 18)
        ws.write_string(first_step - 1, 1, "How to complete this self-assessment", f.subtitle)
        for i, step in enumerate(plan.steps):
            ws.write_string(first_step + i, 1, f"Step {i + 1}", f.label)
            ws.merge_range(first_step + i, 2, first_step + i, 3, step, f.text)
            ws.set_row(first_step + i, plan.step_heights[i])
        ws.set_row(L.START_DETAILS_FIRST_ROW - 1, 22)
        ws.write_string(L.START_DETAILS_FIRST_ROW - 1, 1, "Your council and you", f.subtitle)
        values = self._detail_values()
        row = L.START_DETAILS_FIRST_ROW
        for field in L.DETAIL_FIELDS:
            self._write_field(ws, row, field, values)
            row += 1
        row += 1
        if settings.comments_box:
            ws.set_row(row, 20)
            ws.write_string(row, 1, "Comments", f.subtitle)
            self._write_field(ws, row + 1, L.COMMENTS_FIELD, values, height=90)
            row += 3
        if settings.sign_off:
            ws.set_row(row, 20)
            ws.write_string(row, 1, "Sign-off", f.subtitle)
            row += 1
            for field in L.SIGN_OFF_FIELDS:
                self._write_field(ws, row, field, values)
                row += 1
            row += 1
        ws.set_row(row, 20)
        ws.write_string(row, 1, "Progress", f.subtitle)
        self._write_progress(ws, row + 1)
        row += 4
        if self.previous is not None:
            row = self._write_carried_over(ws, row, self.previous)
        row = self._write_privacy(ws, row)
        small_print = plan.small_print.format(generated_at=self.generated_at)
        ws.merge_range(row, 1, row, 3, small_print, f.small_print)
        ws.set_row(row, row_height([(small_print, span, False, 8)], font=plan.font))
        ws.print_area(0, 0, row, 3)
        ws.fit_to_pages(1, 0)
        ws.set_selection(0, 0, 0, 0)
        self._protect(ws)

    def _write_field(self, ws, row, field, values, height=None):
        """One input of the form: its label, its cell (named) and its help, on one row."""
        f = self.f
        ws.write_string(row, L.START_LABEL_COL, field.label, f.label)
        self._write_detail(ws, row, field, values)
        help_text = self._detail_help(field)
        ws.write_string(row, L.START_VALUE_COL + 1, help_text, f.help)
        fitted = detail_height(values.get(field.key), help_text, self.plan.font)
        ws.set_row(row, max(fitted, height or 0))
        self._name(field.defined_name, L.START, row, L.START_VALUE_COL)

    def _write_privacy(self, ws, row) -> int:
        """The privacy notice for the names and emails the form asks for; the next row."""
        f, settings = self.f, self.settings
        span = span_pixels(START_WIDTHS[1:])
        ws.set_row(row, 20)
        ws.write_string(row, 1, "How your details are used (privacy notice)", f.subtitle)
        notice = (
            "Who collects the names, roles and emails given on this sheet "
            + ("(yours and your approver's)" if settings.sign_off else "(yours)")
            + f": {settings.value('privacy.collected_by')}. Why: "
            f"{_sentence(settings.value('privacy.purpose'))} How long they are kept: "
            f"{_sentence(settings.value('privacy.kept_for'))} They are not published. To ask "
            f"about your data, or to have it corrected or deleted: "
            f"{settings.value('privacy.contact')}."
        )
        ws.merge_range(row + 1, 1, row + 1, 3, notice, f.text)
        ws.set_row(row + 1, row_height([(notice, span, False, FONT_SIZE)], font=self.plan.font))
        return row + 3

    def _write_carried_over(self, ws, row, previous: Previous) -> int:
        """The block that says what was carried over from the previous return; the next row."""
        f, plan = self.f, self.plan
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
        values: dict[str, object] = {
            "respondent_name": r.name,
            "respondent_role": r.role,
            "respondent_email": r.email,
            "date_completed": r.date_completed,
        }
        # the default shown, to be changed by an officer sending a view of their own
        kind = self.kind if self.kind is not None else ReturnKind.AGREED
        values["return_kind"] = {v: k for k, v in L.RETURN_KIND_CHOICES.items()}[kind]
        sign_off = self.sign_off
        values.update(
            comments=self.comments,
            approved_by=sign_off.name,
            approver_role=sign_off.role,
            date_approved=sign_off.date,
        )
        if c is not None:
            values.update(
                council_name=c.name,
                council_code=c.code,
                region=c.region,
                council_type=council_type_label(c.council_type),
            )
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
                ws.data_validation(
                    row,
                    col,
                    row,
                    col,
                    {
                        "validate": "list",
                        "source": "=" + self._councils_range(),
                        "error_type": "information",
                        "show_error": False,
                        "input_title": "Your council",
                        "input_message": "Pick your council from the list, or type its name.",
                    },
                )
        elif council_field and self.councils:
            lookup = {"council_code": "$D", "region": "$E", "council_type": "$F"}[field.key]
            last = len(self.councils) + 1
            # cells, not defined names, which Google Sheets may not carry over from .xlsx
            index = L.DETAIL_FIELDS.index(L.COUNCIL_FIELDS[0])
            name = xl_rowcol_to_cell(
                L.START_DETAILS_FIRST_ROW + index, L.START_VALUE_COL, True, True
            )
            formula = (
                f"=IFERROR(INDEX('{L.LISTS}'!{lookup}$2:{lookup}${last},"
                f'MATCH(TRIM({name}),{self._councils_range()},0)),"")'
            )
            ws.write_formula(row, col, formula, f.locked_value, "")
        elif field.key in ("date_completed", "date_approved"):
            self._date(ws, row, col, value, f.input_date)
            ws.data_validation(
                row,
                col,
                row,
                col,
                {
                    "validate": "date",
                    "criteria": ">=",
                    "value": dt.date(2018, 1, 1),
                    "error_type": "warning",
                    "input_title": field.label,
                    "input_message": "Type the date, e.g. 31/03/2027",
                },
            )
        elif field.key == "return_kind":
            self._text(ws, row, col, value, f.input)
            choose = {
                "validate": "list",
                "source": list(L.RETURN_KIND_CHOICES),
                "input_title": field.label,
                "input_message": "The council's agreed return, or one officer's own view.",
                "error_title": field.label,
                "error_message": "Choose one of the two from the list.",
            }
            ws.data_validation(row, col, row, col, choose)
        else:
            self._text(ws, row, col, value, f.input)

    def _councils_range(self) -> str:
        """The councils' names on the Lists sheet, as a plain range."""
        return f"'{L.LISTS}'!$C$2:$C${len(self.councils) + 1}"

    def _write_progress(self, ws, row):
        plan, n = self.plan, self.plan.n_items
        done = sum(self._complete(i.id) for i in self.model.items)
        ws.set_row(row, 20)
        status = f"{done} of {n} items complete"
        no_evidence = sum(
            1
            for i in self.model.items
            if self._complete(i.id) and not str(self.answers[i.id].evidence or "").strip()
        )
        if no_evidence:
            status += f"; {no_evidence} without evidence"
        ws.write_formula(row, 1, plan.progress_formula, self.f.status, status)
        ws.write_blank(row, 2, None, self.f.status)
        missing = [i.id for i in self.model.items if not self._complete(i.id)]
        cached = (
            "Still to complete: " + ", ".join(missing)
            if missing
            else "Nothing missing: every item has a current and a target level"
        )
        ws.write_formula(row + 1, 1, plan.missing_text_formula, self.f.line_bold, cached)


def _sentence(text: str) -> str:
    """``text`` ending with a full stop (a placeholder is shown as it is)."""
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."
