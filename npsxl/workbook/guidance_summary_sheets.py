"""The 'Guidance' and 'Summary' sheets of a council's workbook: the strategy's words for
each key area and enabler, and the council's scores and gaps with averages by theme and a
chart, which fill in by themselves from the answers.

:class:`GuidanceSheet` and :class:`SummarySheet` are parts of the workbook writer
(:mod:`npsxl.workbook.writer`), which supplies the formats (``f``), the plan, the scores and
the helpers they use.
"""

from __future__ import annotations

from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from npsxl.workbook import layout as L
from npsxl.workbook.plan import GUIDANCE_WIDTHS, SUMMARY_COLUMNS, SUMMARY_HEADER_ROW, SUMMARY_WIDTHS
from npsxl.workbook.textfit import column_pixels, row_height, span_pixels


class GuidanceSheet:
    """Writes the Guidance sheet (a part of the workbook writer)."""

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


class SummarySheet:
    """Writes the Summary sheet (a part of the workbook writer)."""

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
