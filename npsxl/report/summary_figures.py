"""The summary workbook's pictures of a group of councils: all the councils of the register
(the National sheet, or "All councils in the register" for a coordinator's own list) and
each region with returns. Each has its shares at each level, medians named by level, means,
gaps and aims, and two 100% stacked bar charts on a page of their own.

A region's table has two rows per item: the region's figures, then all councils' in grey
beneath them, so every share stands beside the figure to compare it with. An item nobody in
the group answered says "no returns", never 0 %.
"""

from __future__ import annotations

import math

from npsxl.collation.columns import ALL_COUNCILS, MEASURES
from npsxl.report.sheet_rows import cell_text
from npsxl.report.summary_base import (
    ALL_ROW,
    CHART_FONT,
    CHART_HEIGHT_ROWS,
    ITEM_ROW_HEIGHT,
    MEASURE_TITLES,
    NO_RETURNS,
    REGISTER_TITLE,
    SummaryBase,
    median_text,
)

FIGURE_LABEL_WIDTH = 38.5
ANSWERING_WIDTH = 7.5  # "178/177"
SHARE_WIDTH = 4  # a whole percentage: "100"
MEDIAN_WIDTH = 16  # "Developing/Mature"
AIM_WIDTH = 6.5
SHARE_NOTE = (
    "Councils answering: those that gave a current level, and a target (two numbers, current/"
    "target, where they differ). Shares: % of those councils, adding up to 100. Median: the "
    "middle level (x/y: half way between two). Aiming higher: % of those giving both levels "
    "whose target is higher."
)


class FigureSheets(SummaryBase):
    """The national and the region sheets."""

    @property
    def everyone_label(self) -> str:
        """The grey comparison rows' label: all councils (of the register, when it is a
        coordinator's own rather than all of England)."""
        return REGISTER_TITLE.lower() if self.scope == REGISTER_TITLE else ALL_ROW.lower()

    def figure_widths(self) -> list[float]:
        levels = len(self.level_names)
        widths = [FIGURE_LABEL_WIDTH, ANSWERING_WIDTH] + [SHARE_WIDTH] * (2 * levels)
        return widths + [MEDIAN_WIDTH, MEDIAN_WIDTH, AIM_WIDTH]

    # -- all councils --------------------------------------------------------------------------
    def national_sheet(self) -> None:
        """All councils: shares at each level, medians and aims; means and gaps; charts."""
        widths = self.figure_widths()
        ws = self.sheet(
            self.scope,
            f"{self.scope}: the share at each level, medians, aims, means and gaps, and charts",
            widths,
        )
        n = self.n_councils(None, ALL_COUNCILS)
        ws.write_string(2, 0, cell_text(self.counted_line(n)), self.f.line)
        row, first = self.figures_table(ws, 3, None, ALL_COUNCILS)
        # the means on a page of their own: with the shares' table they overflow one page
        # by a row or two, which would print alone on a page
        means_top = row
        row = self.means_table(ws, row)
        if n == 0:
            note = "No council has an accepted return yet, so there is nothing to chart."
            ws.print_area(0, 0, self.paragraph(ws, row + 1, note, self.f.note), len(widths) - 1)
            return
        last = first + len(self.items) - 1
        where = (first, last, 0, 2)
        self.charts(ws, row + 1, ws.get_name(), where, self.scope, n, breaks=[means_top])

    # -- a region ------------------------------------------------------------------------------
    def region_sheet(self, region: str) -> None:
        """A region's shares, medians and aims, each beside all councils', and its charts."""
        widths = self.figure_widths()
        ws = self.sheet(
            region,
            f"{region} beside all councils: shares at each level, medians, aims; charts",
            widths,
        )
        n = self.n_councils("region", region)
        line = self.counted_line(n) + f" Beneath each row, in grey: {self.everyone_label}."
        ws.write_string(2, 0, cell_text(line), self.f.line)
        row, _ = self.figures_table(ws, 3, "region", region)
        if n == 0:
            return
        shares, _ = self.group_shares("region", region)
        first, last = self.chart_data(ws, len(widths) + 1, 4, shares)
        where = (first, last, len(widths) + 1, len(widths) + 2)
        self.charts(ws, row + 1, ws.get_name(), where, region, n)

    # -- the tables ----------------------------------------------------------------------------
    def figures_table(self, ws, top: int, by, group: str) -> tuple[int, int]:
        """Per item: councils answering, the share at each level of each measure, the
        medians named by level and the share aiming higher; for a region (``by``), each row
        followed by all councils' in grey. Returns (the next row, the first item row)."""
        f = self.f
        levels = len(self.level_names)
        after = 2 + 2 * levels
        ws.merge_range(top, 0, top + 1, 0, "Key area or enabler", f.header_left)
        ws.merge_range(top, 1, top + 1, 1, "Councils answering", f.header_upright)
        for m, measure in enumerate(MEASURES):
            col = 2 + m * levels
            title = f"{MEASURE_TITLES[measure]}: % of councils"
            ws.merge_range(top, col, top, col + levels - 1, title, f.header)
            for i, level in enumerate(self.level_names):
                ws.write_string(top + 1, col + i, level, f.level_header)
        for col, title in enumerate(("Median current level", "Median target level"), after):
            ws.merge_range(top, col, top + 1, col, title, f.header)
        ws.merge_range(top, after + 2, top + 1, after + 2, "Aiming higher (%)", f.header_upright)
        ws.set_row(top, 30)
        ws.set_row(top + 1, 62)
        ws.freeze_panes(top + 2, 1)
        sources = [(self.stats(by)[group], *self.group_shares(by, group), True)]
        if by is not None:
            everyone = self.stats(None)[ALL_COUNCILS]
            sources.append((everyone, *self.group_shares(None, ALL_COUNCILS), False))
        row = first = top + 2
        for i, item in enumerate(self.items):
            for stats, shares, answered, own in sources:
                label = self.labels[i] if own else self.everyone_label
                self.figures_row(ws, row, label, stats[item.id], shares[i], answered[i], own)
                row += 1
        return self.paragraph(ws, row, SHARE_NOTE, f.note), first

    def figures_row(self, ws, row, label, record, shares, answered, own: bool) -> None:
        f = self.f
        levels = len(self.level_names)
        after = 2 + 2 * levels
        ws.set_row(row, ITEM_ROW_HEIGHT)
        ws.write_string(row, 0, label, f.cell_bold if own else f.other_label)
        if own:
            self.fit_rows(ws, row, [(label, FIGURE_LABEL_WIDTH, True)])
        number = f.integer if own else f.other_integer
        text = f.centre if own else f.other_centre
        self.answering(ws, row, 1, record["n_current"], record["n_target"], number, text)
        for m in range(len(MEASURES)):
            self.share_cells(ws, row, 2 + m * levels, shares[m], answered[m], number)
        for col, key in enumerate(("median_current", "median_target"), after):
            median = median_text(record[key], self.level_names, named_only=True)
            self.text(ws, row, col, median or NO_RETURNS, text if median else f.no_returns)
        if record["n_gap"]:
            aiming = 100 * record["n_aiming_higher"] / record["n_gap"]
            ws.write_number(row, after + 2, math.floor(aiming + 0.5), number)  # half up
        else:
            ws.write_string(row, after + 2, "–", f.no_returns)

    def share_cells(self, ws, row: int, col: int, shares, n: int, fmt) -> None:
        """One measure's shares at each level, or "no returns" across them when n is 0."""
        if n == 0:
            ws.merge_range(row, col, row, col + len(shares) - 1, NO_RETURNS, self.f.no_returns)
            return
        for lv, value in enumerate(shares):
            ws.write_number(row, col + lv, float(value), fmt)

    def means_table(self, ws, row: int) -> int:
        """All councils' mean levels, gaps and aims per item; returns the next row."""
        f = self.f
        # (header, column, format); each takes two of the sheet's narrow columns
        columns = [
            ("Mean current", "mean_current", f.decimal),
            ("Mean target", "mean_target", f.decimal),
            ("Gave both levels", "n_gap", f.integer),
            ("Mean gap (target - current)", "mean_gap", f.signed),
            ("Aiming higher (councils)", "n_aiming_higher", f.integer),
        ]
        ws.write_string(row, 0, "Means, gaps and aims", f.subtitle)
        top = row + 1
        titles = [(title, [SHARE_WIDTH] * 2, True) for title, _, _ in columns]
        ws.set_row(top, max(30, self.wrapped_height(titles)))
        ws.merge_range(top, 0, top, 1, "Key area or enabler", f.header_left)
        for c, (title, _, _) in enumerate(columns):
            ws.merge_range(top, 2 + 2 * c, top, 3 + 2 * c, title, f.header)
        stats = self.stats(None)[ALL_COUNCILS]
        row = top + 1
        for i, item in enumerate(self.items):
            record = stats[item.id]
            ws.set_row(row, ITEM_ROW_HEIGHT)
            ws.merge_range(row, 0, row, 1, self.labels[i], f.cell_bold)
            for c, (_, key, fmt) in enumerate(columns):
                value = record[key]
                if record["n"] == 0:
                    ws.merge_range(row, 2 + 2 * c, row, 3 + 2 * c, NO_RETURNS, f.no_returns)
                elif value is None or value != value:  # no value (NaN)
                    ws.merge_range(row, 2 + 2 * c, row, 3 + 2 * c, "–", f.centre)
                else:
                    ws.merge_range(row, 2 + 2 * c, row, 3 + 2 * c, None, fmt)
                    ws.write_number(row, 2 + 2 * c, float(value), fmt)
            row += 1
        return row

    def charts(self, ws, row, sheet, where, group, n, breaks=()) -> None:
        """Both share charts on a page of their own from ``row`` (``breaks``: the rows that
        start the sheet's other printed pages). ``where`` is the chart data: (first item
        row, last item row, the labels' column, the first level column of the current
        shares; the target's follow)."""
        first, last, label_col, first_col = where
        ws.set_h_pagebreaks([*breaks, row])
        for measure in MEASURES:
            col = first_col + MEASURES.index(measure) * len(self.level_names)
            self.share_chart(ws, row, sheet, measure, (first, last, label_col, col), group, n)
            row += CHART_HEIGHT_ROWS + 1
        ws.print_area(0, 0, row, len(self.widths[ws.get_name()]) - 1)

    def chart_data(self, ws, col: int, row: int, shares) -> tuple[int, int]:
        """The region's shares as a plain block right of the printed table, for its charts
        (the table's rows alternate with all councils'); returns (first, last item row)."""
        f = self.f
        ws.write_string(row - 1, col, "For the charts: this region's shares (%)", f.label)
        headers = ["Key area or enabler"] + self.level_names * len(MEASURES)
        for c, header in enumerate(headers):
            ws.write_string(row, col + c, header, f.group_header)
        ws.set_column(col, col, FIGURE_LABEL_WIDTH)
        ws.set_column(col + 1, col + len(headers) - 1, 10)
        for i in range(len(self.items)):
            ws.write_string(row + 1 + i, col, self.labels[i], f.cell)
            for m in range(len(MEASURES)):
                for lv, value in enumerate(shares[i, m]):
                    self.value(
                        ws, row + 1 + i, col + 1 + m * len(self.level_names) + lv, value, f.integer
                    )
        return row + 1, row + len(self.items)

    def share_chart(self, ws, row, sheet, measure, where, group, n) -> None:
        """A 100% stacked bar chart: one bar per item, one series per level; ``where``: the
        first and last item row, the labels' column and the measure's first level column
        (the level names are in the row above the first item)."""
        chart = self.wb.add_chart({"type": "bar", "subtype": "percent_stacked"})
        font = {"name": self.model.brand.font, "size": CHART_FONT}
        first, last, label_col, col = where
        header_row = first - 1
        for i, colour in enumerate(self.palette):
            chart.add_series(
                {
                    "name": [sheet, header_row, col + i],
                    "categories": [sheet, first, label_col, last, label_col],
                    "values": [sheet, first, col + i, last, col + i],
                    "fill": {"color": colour},
                    "border": {"color": "#404040", "width": 0.5},
                    "gap": 40,
                }
            )
        title = f"{MEASURE_TITLES[measure]}: share of councils at each level ({group}, {n} counted)"
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
                "interval_unit": 1,  # every item named
                "crossing": "max",  # keeps the value axis at the bottom
                "num_font": font,
                "name_font": {**font, "bold": True},
            }
        )
        chart.set_legend({"position": "right", "font": font})  # the height is for the bars
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
