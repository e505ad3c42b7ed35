"""The summary workbook's national and regional sheets: the share of councils at each level,
medians and means (beside the national figures for a region), with charts. The sheets that
compare groups are in :mod:`npsxl.report.summary_groups`."""

from __future__ import annotations

from npsxl.collation.columns import ALL_COUNCILS, MEASURES
from npsxl.report.sheet_rows import safe_text
from npsxl.report.summary_base import (
    CHART_HEIGHT_ROWS,
    LABEL_WIDTH,
    MEASURE_TITLES,
    NUMBER_WIDTH,
    THEME_WIDTH,
    SummaryBase,
)


class FigureSheets(SummaryBase):
    """The National sheet and a sheet per region."""

    # -- national and regional sheets ----------------------------------------------------------
    def figures_sheet(self, by: str | None, group: str, title: str) -> None:
        """Shares at each level, medians and means, and two charts, for one group."""
        compare = by is not None
        widths = [LABEL_WIDTH, THEME_WIDTH] + [NUMBER_WIDTH] * (14 if compare else 10)
        if compare:
            description = (
                f"Councils in {group}: the share at each level, medians and means "
                "beside the figures for all councils, and charts"
            )
        else:
            description = (
                "All councils: the share at each level, medians, means, gaps and aims, and charts"
            )
        ws = self.sheet(title, description, widths)
        n = self.n_councils(by, group)
        ws.write_string(2, 0, safe_text(self.counted_line(n)), self.f.line)
        row, first, last = self.shares_table(ws, 4, by, group)
        row = self.stats_table(ws, row + 2, by, group)
        name = ws.get_name()
        chart_row = row + 1
        if n == 0:
            note = (
                f"No council in {group} has an accepted return yet, so there is nothing to chart."
            )
            ws.print_area(0, 0, self.paragraph(ws, chart_row, note, self.f.note), len(widths) - 1)
            return
        ws.set_h_pagebreaks([chart_row])  # both charts on a page of their own
        for measure in MEASURES:
            col = 2 + MEASURES.index(measure) * len(self.level_names)
            self.share_chart(ws, chart_row, name, measure, first, last, col, group, n)
            chart_row += CHART_HEIGHT_ROWS + 1
        ws.print_area(0, 0, chart_row, len(widths) - 1)

    def shares_table(self, ws, row: int, by, group: str) -> tuple[int, int, int]:
        """The % at each level table; returns (last row, first item row, last item row)."""
        f = self.f
        groups, shares = self.shares(by)
        figures = shares[groups.index(group)]
        ws.write_string(row, 0, "Share of councils at each level (%)", f.subtitle)
        top = row + 1
        levels = len(self.level_names)
        ws.merge_range(top, 0, top + 1, 0, "Key area or enabler", f.header_left)
        ws.merge_range(top, 1, top + 1, 1, "Theme", f.header_left)
        for m, measure in enumerate(MEASURES):
            first_col = 2 + m * levels
            ws.merge_range(
                top,
                first_col,
                top,
                first_col + levels - 1,
                f"{MEASURE_TITLES[measure]}: % of councils",
                f.header,
            )
            for i, level in enumerate(self.level_names):
                ws.write_string(top + 1, first_col + i, level, f.group_header)
        titles = [(f"{MEASURE_TITLES[m]}: % of councils", [NUMBER_WIDTH] * levels, True)
                  for m in MEASURES]  # fmt: skip
        ws.set_row(top, max(18, self.wrapped_height(titles)))
        names = [(level, NUMBER_WIDTH, True) for level in self.level_names]
        ws.set_row(top + 1, max(18, self.wrapped_height(names)))
        ws.freeze_panes(top + 2, 1)
        row = top + 2
        for i in range(len(self.items)):
            ws.write_string(row + i, 0, self.labels[i], f.cell_bold)
            ws.write_string(row + i, 1, self.themes[i], f.cell)
            self.fit_rows(
                ws, row + i, [(self.labels[i], LABEL_WIDTH, True), (self.themes[i], THEME_WIDTH)]
            )
            for m in range(len(MEASURES)):
                for lv in range(levels):
                    ws.write_number(
                        row + i, 2 + m * levels + lv, float(figures[i, m, lv]), f.decimal
                    )
        return row + len(self.items) - 1, row, row + len(self.items) - 1

    def stats_table(self, ws, row: int, by, group: str) -> int:
        """Medians, means, gap and aiming higher; beside the national figures for a region."""
        f = self.f
        compare = by is not None
        columns = [
            ("Councils answering", "n_current", f.integer),
            ("Median current", "median_current", f.decimal),
            ("Mean current", "mean_current", f.decimal),
            ("Median target", "median_target", f.decimal),
            ("Mean target", "mean_target", f.decimal),
            ("Mean gap", "mean_gap", f.signed),
            ("Aiming higher (councils)", "n_aiming_higher", f.integer),
        ]
        ws.write_string(row, 0, "Levels: medians and means, gap and aims", f.subtitle)
        top = row + 1
        span = 2 if compare else 1
        headers = [title for title, _, _ in columns]
        if compare:
            ws.merge_range(top, 0, top + 1, 0, "Key area or enabler", f.header_left)
            ws.merge_range(top, 1, top + 1, 1, "Theme", f.header_left)
            for i, title in enumerate(headers):
                ws.merge_range(top, 2 + 2 * i, top, 3 + 2 * i, title, f.header)
                ws.write_string(top + 1, 2 + 2 * i, "This region", f.group_header)
                ws.write_string(top + 1, 3 + 2 * i, "All councils", f.group_header)
            titles = [(title, [NUMBER_WIDTH] * 2, True) for title in headers]
            ws.set_row(top, max(18, self.wrapped_height(titles)))
            which = [(text, NUMBER_WIDTH, True) for text in ("This region", "All councils")]
            ws.set_row(top + 1, max(18, self.wrapped_height(which)))
            row = top + 2
        else:
            self.header_row(ws, top, ["Key area or enabler", "Theme", *headers])
            row = top + 1
        sources = [self.stats(by)[group]] + ([self.stats(None)[ALL_COUNCILS]] if compare else [])
        for i, item in enumerate(self.items):
            ws.write_string(row, 0, self.labels[i], f.cell_bold)
            ws.write_string(row, 1, self.themes[i], f.cell)
            texts = [(self.labels[i], LABEL_WIDTH, True), (self.themes[i], THEME_WIDTH)]
            self.fit_rows(ws, row, texts)
            for c, (_, key, fmt) in enumerate(columns):
                for s, source in enumerate(sources):
                    self.value(ws, row, 2 + c * span + s, source[item.id][key], fmt)
            row += 1
        row = self.paragraph(
            ws,
            row,
            "Councils answering: councils counted that gave a current "
            "level. Gap: target minus current, for councils that gave both. "
            "Aiming higher: councils whose target is above their current "
            "level.",
            self.f.note,
        )
        return row

    def share_chart(self, ws, row, sheet, measure, first, last, col, group, n) -> None:
        """A 100% stacked bar chart: one bar per item, one series per level."""
        chart = self.wb.add_chart({"type": "bar", "subtype": "percent_stacked"})
        font = {"name": self.model.brand.font, "size": 9}
        header_row = first - 1
        for i, colour in enumerate(self.palette):
            chart.add_series(
                {
                    "name": [sheet, header_row, col + i],
                    "categories": [sheet, first, 0, last, 0],
                    "values": [sheet, first, col + i, last, col + i],
                    "fill": {"color": colour},
                    "border": {"color": "#404040", "width": 0.5},
                    "gap": 40,
                }
            )
        title = f"{MEASURE_TITLES[measure]}: share of councils at each level ({group}, n = {n})"
        chart.set_title({"name": title, "name_font": {**font, "size": 12, "bold": True}})
        # In a bar chart xlsxwriter's x axis is the horizontal (value) axis.
        chart.set_x_axis(
            {
                "name": "Share of councils (%)",
                "num_font": font,
                "name_font": {**font, "bold": True},
                "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}},
            }
        )
        chart.set_y_axis(
            {
                "name": "Key area or enabler",
                "reverse": True,  # the first item at the top, as in the table
                "crossing": "max",  # keeps the value axis at the bottom
                "num_font": font,
                "name_font": {**font, "bold": True},
            }
        )
        chart.set_legend({"position": "bottom", "font": {**font, "size": 10}})
        chart.set_chartarea({"border": {"none": True}})
        width = sum(self.px(w) for w in self.widths[ws.get_name()])
        chart.set_size({"width": width, "height": CHART_HEIGHT_ROWS * 20})
        levels = f"from {self.level_names[0]} (lightest) to {self.level_names[-1]} (darkest)"
        alt = (
            f"100% stacked bar chart of the {measure} level of {group} ({n} councils): one "
            f"bar per key area or enabler ({len(self.items)}), split into the share of "
            f"councils at each level, {levels}. The figures are in the table above."
        )
        ws.insert_chart(row, 0, chart, {"description": alt, "object_position": 1})
