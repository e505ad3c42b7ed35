"""The 'Self-assessment' sheet of a council's workbook: one row per key area or enabler,
grouped by theme, with the level dropdowns, the inputs and the check column.

:class:`AssessmentSheet` is a part of the workbook writer (:mod:`npsxl.workbook.writer`),
which supplies the formats (``f``), the plan, the answers and scores and the helpers it uses
(declared in :class:`~npsxl.workbook.writer_base.WriterBase`).

What the council types stays visible. The approaches weighed: a fixed row height cannot
know what will be typed (the 600 characters cut at 150 of issue 14); an Evidence sheet or a
block of rows per item would change the one-row-per-item table that returns are read by
(and that earlier returns have). Chosen: the item rows carry their height *without marking
it custom*, so Excel fits the row again when a cell in it is edited and LibreOffice as text
is typed, and evidence and actions are wide enough (:data:`layout.INPUT_TEXT_WIDTH`) that
2,000 characters fit in a row of 409 pt, Excel's limit. The sheet is then too wide for one
page at a readable size, so each row prints across two landscape pages (levels, then the
inputs, with the reference and name repeated) at the scale the plan works out, not fitted
to the width. Heights the generator writes (descriptors, carried-over texts) still come from
:mod:`npsxl.workbook.textfit`.
"""

from __future__ import annotations

from xlsxwriter.utility import xl_rowcol_to_cell

from npsxl.model.answers import Answer
from npsxl.model.model import Item
from npsxl.workbook import layout as L
from npsxl.workbook.plan import (
    ASSESSMENT_MARGINS,
    below_formula,
    date_validation,
    multi_range,
)
from npsxl.workbook.textfit import FONT_SIZE, column_pixels, row_height, span_pixels
from npsxl.workbook.wording import HELP_ROW_TEXT, HELP_ROW_TEXT_PREFILLED
from npsxl.workbook.writer_base import WriterBase

CURRENT_OR_TARGET = {"current": "Current level", "target": "Target level"}


class AssessmentSheet(WriterBase):
    """Writes the Self-assessment sheet (a part of the workbook writer)."""

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
        for kind, thing in plan.assessment_rows:
            if kind == "group":
                ws.set_row(row, 20)
                ws.write_string(row, 0, thing.name, f.heading)
                for i in range(1, width):
                    ws.write_blank(row, i, None, f.heading)
            else:
                self._write_item_row(ws, row, thing)
            row += 1
        # item rows grow in Excel and LibreOffice as the council types (no custom height)
        ws.fitted_rows = frozenset(plan.item_rows.values())
        blocks = plan.item_blocks
        for key in L.LEVEL_FIELDS:
            c = col[key]
            ws.data_validation(
                blocks[0][0],
                c,
                blocks[-1][1],
                c,
                {
                    "validate": "list",
                    "source": level_list_source(model.level_names, plan),
                    "error_title": "Choose a level",
                    "error_message": "Choose one of: " + ", ".join(model.level_names) + ".",
                    "input_title": CURRENT_OR_TARGET[key],
                    "input_message": "Choose from the list.",
                    "multi_range": multi_range(blocks, c),
                },
            )
        c = col["target_date"]
        ws.data_validation(
            blocks[0][0],
            c,
            blocks[-1][1],
            c,
            {
                **date_validation("Target date", "When you aim to reach the target level"),
                "multi_range": multi_range(blocks, c),
            },
        )
        first = blocks[0][0]
        cur_ref = xl_rowcol_to_cell(first, col["current"], col_abs=True)
        tgt_ref = xl_rowcol_to_cell(first, col["target"], col_abs=True)
        d1, dn = col["level_1"], col[f"level_{len(model.levels)}"]
        head = xl_rowcol_to_cell(header_row, d1, row_abs=True)
        descriptors = " ".join(
            f"{xl_rowcol_to_cell(a, d1)}:{xl_rowcol_to_cell(b, dn)}" for a, b in blocks
        )
        ws.conditional_format(
            first,
            d1,
            blocks[-1][1],
            dn,
            {
                "type": "formula",
                "criteria": f'=AND({cur_ref}<>"",{cur_ref}={head},{tgt_ref}={head})',
                "format": f.cf_both,
                "multi_range": descriptors,
                "stop_if_true": True,
            },
        )
        ws.conditional_format(
            first,
            d1,
            blocks[-1][1],
            dn,
            {
                "type": "formula",
                "criteria": f'=AND({cur_ref}<>"",{cur_ref}={head})',
                "format": f.cf_current,
                "multi_range": descriptors,
            },
        )
        ws.conditional_format(
            first,
            d1,
            blocks[-1][1],
            dn,
            {
                "type": "formula",
                "criteria": f'=AND({tgt_ref}<>"",{tgt_ref}={head})',
                "format": f.cf_target,
                "multi_range": descriptors,
            },
        )
        tgt = col["target"]
        below = below_formula(cur_ref, tgt_ref, plan.levels_header)  # on this sheet: no names
        ws.conditional_format(
            first,
            tgt,
            blocks[-1][1],
            tgt,
            {
                "type": "formula",
                "criteria": f"={below}",
                "format": f.cf_warning,
                "multi_range": multi_range(blocks, tgt),
            },
        )
        check = col["check"]
        checks = multi_range(blocks, check)
        for shown, fmt in (('"Done"', f.cf_done), ('"Target below current"', f.cf_warning)):
            rule = {"type": "cell", "criteria": "==", "value": shown, "format": fmt}
            ws.conditional_format(
                first, check, blocks[-1][1], check, {**rule, "multi_range": checks}
            )
        # the title prints in the page header: in the rows it would show, cut, on the inputs'
        # pages (in the repeated columns); the help row is about the dropdowns, for the screen
        ws.print_area(L.ASSESSMENT_HELP_ROW + 1, 0, plan.assessment_last_row, width - 1)
        self._print_setup(ws, title)
        self._protect(ws)

    def _print_setup(self, ws, title: str):
        """Each row prints across two A4 landscape pages, left to right then down: the
        levels, then the council's inputs, with the reference and name on both; at the scale
        worked out in the plan (not fitted to the width, which would shrink it to a third)."""
        plan = self.plan
        ws.set_header(f'&L&"-,Bold"&14{self.excel_text(title)}', {"margin": 0.25})
        ws.set_margins(**ASSESSMENT_MARGINS)
        ws.set_print_scale(plan.print_scale)
        ws.set_v_pagebreaks([plan.print_split])
        ws.repeat_columns(0, 1)
        ws.print_across()

    def _write_legend(self, ws, row: int) -> None:
        f, columns = self.f, self.plan.columns
        first = self.col["description"]
        legend = (
            ("Key:", f.label),
            ("Your current level: solid frame", f.legend_current),
            ("Your target level: italics, dotted frame", f.legend_target),
            ("Current and target: italics, double frame", f.legend_both),
            ("Target below current: the Check column says so", f.legend_warning),
            ("Dashed border: yours to fill in", f.legend_input),
            ("Thin grey border: read only", f.legend_plain),
        )
        # from the description on, leaving last round's columns to their note
        places = [i for i in range(first, len(columns)) if columns[i].key not in L.PREVIOUS_FIELDS]
        cells = [
            (text, column_pixels(columns[place].width), place == first, FONT_SIZE)
            for place, (text, _) in zip(places, legend, strict=False)
        ]
        # after the legend, what [square brackets] mean: wrapped in the columns left before the
        # printed page ends (the evidence begins the next page), so it prints whole
        note_cols: list[int] = []
        for place in places[len(legend) :]:
            if place >= self.plan.print_split or (note_cols and place != note_cols[-1] + 1):
                break
            note_cols.append(place)
        note = self.plan.brackets_note if note_cols else ""
        if note:
            pixels = span_pixels([columns[c].width for c in note_cols])
            cells.append((note, pixels, False, FONT_SIZE))
        ws.set_row(row, row_height(cells, font=self.plan.font))
        for place, (text, fmt) in zip(places, legend, strict=False):
            ws.write_string(row, place, text, fmt)
        if note and len(note_cols) > 1:
            ws.merge_range(row, note_cols[0], row, note_cols[-1], note, f.help)
        elif note:
            ws.write_string(row, note_cols[0], note, f.help)
        if self.previous is not None:  # centred across both columns: no merged cells here
            note = f"Last round ({self.previous.label})"
            ws.write_string(row, self.col["previous_current"], note, f.previous_note)
            ws.write_blank(row, self.col["previous_target"], None, f.previous_note)

    def _write_item_row(self, ws, row, item: Item):
        f, col, plan = self.f, self.col, self.plan
        answer = self.answers.get(item.id) or Answer(item.id)
        height = plan.item_heights[item.id]
        if answer.evidence or answer.actions:
            height = max(
                height,
                row_height(
                    [
                        (answer.evidence, plan.pixels["evidence"], False, FONT_SIZE),
                        (answer.actions, plan.pixels["actions"], False, FONT_SIZE),
                    ],
                    font=plan.font,
                ),
            )
        ws.set_row(row, height)
        ws.write_string(row, col["ref"], item.id, f.cell_bold)
        # A HYPERLINK formula, not a hyperlink: LibreOffice does not wrap hyperlinked text
        ws.write_formula(row, col["name"], plan.name_links[item.id], f.link, item.name)
        ws.write_string(row, col["description"], plan.short[item.id], f.cell)
        for i, descriptor in enumerate(item.descriptors, start=1):
            ws.write_string(row, col[f"level_{i}"], descriptor, f.cell)
        self._text(ws, row, col["current"], answer.current, f.input_level)
        self._text(ws, row, col["target"], answer.target, f.input_level)
        self._text(ws, row, col["evidence"], answer.evidence, f.input)
        self._text(ws, row, col["actions"], answer.actions, f.input)
        self._date(ws, row, col["target_date"], answer.target_date, f.input_date)
        if self.previous is not None:
            before = self.previous.answers.get(item.id)
            for key, field in L.PREVIOUS_FIELDS.items():
                value = getattr(before, field) if before else None
                self._text(ws, row, col[key], value or "", f.previous)
        for key in L.ITEM_FIELDS:
            self._name(L.item_input_name(item.id, key), L.ASSESSMENT, row, col[key])
        ws.write_formula(
            row, col["check"], plan.check_formulas[item.id], f.cell_bold, self._check_value(item.id)
        )

    def _check_value(self, item_id) -> str:
        current, target = self.scores[item_id]
        answer = self.answers.get(item_id)
        if current == "" and target == "" and not (answer and (answer.current or answer.target)):
            return "To do"
        if current == "" or target == "":
            return "Choose both levels"
        return "Target below current" if target < current else "Done"


def level_list_source(level_names, plan) -> list[str] | str:
    """A level dropdown's source: the level names themselves, which every spreadsheet reads,
    or, beyond Excel's 255 characters for such a list, the level headers of the sheet."""
    if len(",".join(level_names)) <= 255:
        return list(level_names)
    return "=" + plan.levels_header
