"""The 'Guidance' and 'Summary' sheets of a council's workbook: the strategy's words for
each key area and enabler, and the council's scores and gaps with averages by theme and a
chart, which fill in by themselves from the answers.

:class:`GuidanceSheet` and :class:`SummarySheet` are parts of the workbook writer
(:mod:`npsxl.workbook.writer`), which supplies the formats (``f``), the plan, the scores and
the helpers they use (declared in :class:`~npsxl.workbook.writer_base.WriterBase`).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from npsxl.workbook import layout as L
from npsxl.workbook.plan import (
    GUIDANCE_WIDTHS,
    SUMMARY_COL,
    SUMMARY_COLUMNS,
    SUMMARY_HEADER_ROW,
    SUMMARY_WIDTHS,
)
from npsxl.workbook.textfit import column_pixels, row_height, span_pixels
from npsxl.workbook.writer_base import WriterBase

AVERAGES_NOTE = (
    "Averages are over the items that have both a current and a target level, and each gap is "
    "the target average minus the current average, as shown."
)


class GuidanceSheet(WriterBase):
    """Writes the Guidance sheet (a part of the workbook writer)."""

    def _write_guidance(self, ws):
        f, model = self.f, self.model
        for i, width in enumerate(GUIDANCE_WIDTHS):
            ws.set_column(i, i, width)
        ws.set_row(0, 24)
        ws.write_string(0, 0, f"Guidance: {model.short_name} key areas and enablers", f.title)
        ws.write_string(
            1,
            0,
            f"What each key area and enabler means, in the strategy's words. "
            f"Each name on the '{L.ASSESSMENT}' sheet links here.",
            f.line,
        )
        if self.plan.brackets_note:
            ws.write_string(2, 0, self.plan.brackets_note, f.line_bold)
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
                ws.write_string(row, 1, text, f.text)
        ws.print_area(0, 0, self.plan.guidance_last_row, 1)
        self._protect(ws)


class SummarySheet(WriterBase):
    """Writes the Summary sheet (a part of the workbook writer)."""

    def _write_summary(self, ws):
        f, model, plan = self.f, self.model, self.plan
        for i, width in enumerate(SUMMARY_WIDTHS):
            ws.set_column(i, i, width)
        ws.set_row(0, 24)
        ws.write_string(0, 0, "Summary: your scores and gaps", f.title)
        scores = ", ".join(f"{lv.name} = {lv.score}" for lv in model.levels)
        ws.write_string(1, 0, f"Scores: {scores}.", f.line)
        ws.write_string(
            2,
            0,
            "Gap = target minus current. This sheet fills in by itself from your answers.",
            f.line,
        )
        header = SUMMARY_HEADER_ROW
        ws.set_row(header, plan.summary_header_height)
        for i, text in enumerate(SUMMARY_COLUMNS):
            ws.write_string(header, i, text, f.header)
        ws.repeat_rows(header)
        names = dict(enumerate(model.level_names, start=1))
        col = SUMMARY_COL
        for item in model.items:
            row = plan.summary_rows[item.id]
            ws.set_row(row, plan.summary_name_height[item.id])
            current, target = self.scores[item.id]
            formulas = plan.summary_formulas[item.id]
            ws.write_string(row, col["ref"], item.id, f.cell_bold)
            ws.write_string(row, col["name"], item.name, f.cell)
            ws.write_string(row, col["theme"], item.group_name, f.cell)
            for key, value in (("current", current), ("target", target)):
                ws.write_formula(row, col[key], formulas[key], f.number, value)
                ws.write_formula(
                    row, col[f"{key}_level"], formulas[f"{key}_level"], f.cell, names.get(value, "")
                )
            gap = target - current if self._complete(item.id) else ""
            ws.write_formula(row, col["gap"], formulas["gap"], f.signed, gap)
            ws.write_formula(
                row,
                col["complete"],
                formulas["complete"],
                f.cell,
                "Yes" if self._complete(item.id) else "No",
            )
        first_item = min(plan.summary_rows.values())
        last_item = max(plan.summary_rows.values())
        row = self._write_averages(ws, last_item + 2)
        self._write_chart(ws, row + 1, first_item, last_item)
        ws.print_area(0, 0, row + 18, len(SUMMARY_WIDTHS) - 1)
        ws.fit_to_pages(1, 1)
        self._protect(ws)

    def _write_averages(self, ws, row) -> int:
        """The averages by theme, over the items that have both levels, so that each gap is
        the target average minus the current average shown; the row after the table."""
        f, model, plan, col = self.f, self.model, self.plan, SUMMARY_COL
        ws.set_row(row, 20)
        ws.write_string(row, 0, "Averages by theme", f.subtitle)
        row += 1
        ws.write_string(row, 0, AVERAGES_NOTE, f.line)
        row += 1
        headers = {
            "name": "Theme",
            "theme": "Items with both levels",
            "current": "Current",
            "target": "Target",
            "gap": "Gap",
        }
        ws.set_row(row, 20)
        for key, i in col.items():
            ws.write_string(row, i, headers.get(key, ""), f.header)
        row += 1
        groups = [(g.name, [i.id for i in g.items], False) for g in model.groups if g.items]
        groups.append(("All key areas and enablers", [i.id for i in model.items], True))
        letter = {key: xl_col_to_name(i) for key, i in col.items()}
        for name, ids, total in groups:
            rows = [plan.summary_rows[i] for i in ids]
            lo, hi = min(rows) + 1, max(rows) + 1
            done = f"{letter['complete']}{lo}:{letter['complete']}{hi}"
            ws.set_row(row, row_height([(name, column_pixels(SUMMARY_WIDTHS[1]), True, 10)]))
            for i in col.values():
                ws.write_blank(row, i, None, f.cell)
            ws.write_string(row, col["name"], name, f.cell_bold)
            both = [i for i in ids if self._complete(i)]
            ws.write_formula(
                row,
                col["theme"],
                f'=COUNTIF({done},"Yes")&" of {len(ids)}"',
                f.number,
                f"{len(both)} of {len(ids)}",
            )
            means: dict[str, float] = {}  # none when no item has both levels
            for key in ("current", "target"):
                # the items' scores: positions, as both levels are chosen
                values = [int(self.scores[i][0 if key == "current" else 1]) for i in both]
                if values:
                    means[key] = round(sum(values) / len(values), 10)
                scores = f"{letter[key]}{lo}:{letter[key]}{hi}"
                ws.write_formula(
                    row,
                    col[key],
                    f'=IFERROR(AVERAGEIFS({scores},{done},"Yes"),"")',
                    f.decimal_bold if total else f.decimal,
                    means.get(key, ""),
                )
            d = xl_rowcol_to_cell(row, col["current"])
            e = xl_rowcol_to_cell(row, col["target"])
            # the difference of the averages as shown (to one decimal), so the row adds up
            gap = float(_tenths(means["target"]) - _tenths(means["current"])) if both else ""
            ws.write_formula(
                row,
                col["gap"],
                f'=IF(AND(ISNUMBER({d}),ISNUMBER({e})),ROUND({e},1)-ROUND({d},1),"")',
                f.signed_decimal_bold if total else f.signed_decimal,
                gap,
            )
            row += 1
        return row

    def _write_chart(self, ws, row, first_item, last_item):
        model = self.model
        chart = self.wb.add_chart({"type": "column"})
        colours = (self.model.brand.colours["header"].background, "#8FAADC")
        series = (("current", "Current", colours[0]), ("target", "Target", colours[1]))
        for key, label, colour in series:
            c = SUMMARY_COL[key]
            chart.add_series(
                {
                    "name": label,
                    "categories": [L.SUMMARY, first_item, 0, last_item, 0],
                    "values": [L.SUMMARY, first_item, c, last_item, c],
                    "fill": {"color": colour},
                    "border": {"color": colours[0]},
                }
            )
        chart.set_title({"name": "Current and target level by item", "name_font": {"size": 12}})
        chart.set_x_axis({"name": "Key area or enabler (Ref)"})
        top = len(model.levels)
        chart.set_y_axis(
            {
                "name": f"Level (1 to {top})",
                "min": 0,
                "max": top,
                "major_unit": 1,
            }
        )
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": span_pixels(SUMMARY_WIDTHS), "height": 300})
        alt = (
            f"Column chart of the current and target level (1 to {top}) of each of the "
            f"{len(model.items)} key areas and enablers, from the table on this sheet."
        )
        ws.insert_chart(row, 0, chart, {"description": alt, "object_position": 2})


def _tenths(value: float) -> Decimal:
    """``value`` rounded to one decimal as a spreadsheet's ROUND does (halves away from 0)."""
    return Decimal(repr(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
