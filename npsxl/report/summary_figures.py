"""The summary workbook's figure sheets: the national and regional pictures (the share at
each level, medians and means, with charts), the sheets by council type and other
groupings, the mean levels by group and the heat map of medians."""

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
    """The National, region, By council type (and other groupings), Mean levels and Heat
    map sheets."""

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

    # -- by council type and other groupings ---------------------------------------------------
    def group_sheet(self, by: str) -> None:
        """Item stats for every group of ``by``, one long table, then a chart of the means."""
        f = self.f
        what = "council type" if by == "council_type" else by
        widths = [22, LABEL_WIDTH, THEME_WIDTH] + [NUMBER_WIDTH] * 7
        ws = self.sheet(
            f"By {what}",
            f"Levels by {what}: medians, means and gaps per key area or enabler for each {what}",
            widths,
        )
        ws.write_string(
            2,
            0,
            f"One block of rows per {what}; councils answering are those "
            "counted that gave a current level.",
            f.line,
        )
        headers = [
            what[0].upper() + what[1:],
            "Key area or enabler",
            "Theme",
            "Councils answering",
            "Median current",
            "Mean current",
            "Median target",
            "Mean target",
            "Mean gap",
            "Aiming higher (councils)",
        ]
        header = 4
        self.header_row(ws, header, headers)
        ws.repeat_rows(header)
        ws.freeze_panes(header + 1, 2)
        keys = [
            ("n_current", f.integer),
            ("median_current", f.decimal),
            ("mean_current", f.decimal),
            ("median_target", f.decimal),
            ("mean_target", f.decimal),
            ("mean_gap", f.signed),
            ("n_aiming_higher", f.integer),
        ]
        stats = self.c.item_stats(by)
        row = header
        for record in stats.itertuples(index=False):
            row += 1
            label = f"{record.item_id}  {record.item_name}"
            ws.write_string(row, 0, safe_text(record.group), f.cell_bold)
            ws.write_string(row, 1, label, f.cell)
            ws.write_string(row, 2, record.theme, f.cell)
            self.fit_rows(
                ws,
                row,
                [
                    (safe_text(record.group), 22, True),
                    (label, LABEL_WIDTH),
                    (record.theme, THEME_WIDTH),
                ],
            )
            for c, (key, fmt) in enumerate(keys, start=3):
                self.value(ws, row, c, getattr(record, key), fmt)
        ws.print_area(0, 0, row, len(widths) - 1)

    def means_sheet(self) -> None:
        """Mean current and target level per region, council type and grouping, with charts."""
        groupings = ("region", "council_type", *self.c.group_by)
        ws = self.sheet(
            "Mean levels",
            "Mean current and target level over all key areas and enablers, by region, by "
            "council type" + "".join(f" and by {by}" for by in self.c.group_by) + ", with charts",
            [26, 11, 11, 11, 11, 11, 11, 11, 11, 11],
        )
        ws.write_string(
            2, 0, "Means over every level given by the councils counted in each group.", self.f.line
        )
        row, breaks = 4, []
        for by in groupings:
            what = "council type" if by == "council_type" else by
            if row > 4:
                breaks.append(row)
            row = self.means_block(ws, row, by, what) + 2
        ws.set_h_pagebreaks(breaks)
        ws.freeze_panes(3, 0)
        ws.print_area(0, 0, row, 9)

    def means_block(self, ws, row: int, by: str, what: str) -> int:
        """Mean current and target over all items per group, with a clustered column chart."""
        f = self.f
        ws.write_string(
            row, 0, f"Mean level over all key areas and enablers, by {what}", f.subtitle
        )
        top = row + 1
        self.header_row(
            ws,
            top,
            [what[0].upper() + what[1:], "Councils", "Mean current", "Mean target", "Mean gap"],
        )
        means = self.c.level_means(by)
        row = top
        for record in means.itertuples(index=False):
            row += 1
            ws.write_string(row, 0, safe_text(record.group), f.cell_bold)
            self.fit_rows(ws, row, [(safe_text(record.group), 22, True)])
            ws.write_number(row, 1, record.councils, f.integer)
            self.value(ws, row, 2, record.mean_current, f.decimal)
            self.value(ws, row, 3, record.mean_target, f.decimal)
            self.value(ws, row, 4, record.mean_gap, f.signed)
        name = ws.get_name()
        chart = self.wb.add_chart({"type": "column"})
        font = {"name": self.model.brand.font, "size": 9}
        colours = (self.palette[-1], self.palette[1])
        for col, colour in zip((2, 3), colours, strict=True):
            chart.add_series(
                {
                    "name": [name, top, col],
                    "categories": [name, top + 1, 0, row, 0],
                    "values": [name, top + 1, col, row, col],
                    "fill": {"color": colour},
                    "border": {"color": "#404040", "width": 0.5},
                    "gap": 80,
                }
            )
        top_level = len(self.level_names)
        chart.set_title(
            {
                "name": f"Mean current and target level by {what}",
                "name_font": {**font, "size": 12, "bold": True},
            }
        )
        chart.set_x_axis(
            {
                "name": what[0].upper() + what[1:],
                "num_font": font,
                "name_font": {**font, "bold": True},
            }
        )
        chart.set_y_axis(
            {
                "name": f"Mean level (1 = {self.level_names[0]}, {top_level} = "
                f"{self.level_names[-1]})",
                "min": 0,
                "max": top_level,
                "major_unit": 1,
                "num_font": font,
                "name_font": {**font, "bold": True},
                "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}},
            }
        )
        chart.set_legend({"position": "bottom", "font": {**font, "size": 10}})
        chart.set_chartarea({"border": {"none": True}})
        chart.set_size(
            {"width": sum(self.px(w) for w in self.widths[ws.get_name()]), "height": 360}
        )
        alt = (
            f"Clustered column chart: for each {what}, the mean current level and the mean "
            f"target level over all key areas and enablers (1 to {top_level}). The figures "
            "are in the table above."
        )
        ws.insert_chart(row + 2, 0, chart, {"description": alt, "object_position": 1})
        return row + 2 + 19

    # -- heat map ------------------------------------------------------------------------------
    def heat_map(self) -> None:
        """Median current and target level: regions down, items across, coloured by level."""
        f = self.f
        widths = [26, 9] + [6.5] * len(self.items)
        ws = self.sheet(
            "Heat map",
            "Median current and target level of each region for each key area or enabler, "
            "coloured from low to high",
            widths,
        )
        ws.write_string(
            2,
            0,
            "Median level (1 = " + self.level_names[0] + f", "
            f"{len(self.level_names)} = {self.level_names[-1]}). Blank: no council "
            "in the region gave a level for the item.",
            f.line,
        )
        groups = list(self.c.groups("region"))
        regional = self.stats("region")
        national = self.stats(None)
        councils = self.c.councils_in("region")
        row = 4
        first_header = None
        for measure in MEASURES:
            ws.write_string(row, 0, f"{MEASURE_TITLES[measure]}: median", f.subtitle)
            row += 1
            first_header = row if first_header is None else first_header
            self.header_row(ws, row, ["Region", "Councils", *(i.id for i in self.items)])
            first = row + 1
            rows = [(g, councils.get(g, 0), regional[g]) for g in groups]
            rows.append((ALL_COUNCILS, self.n_councils(None, ALL_COUNCILS), national[ALL_COUNCILS]))
            for group, n, stats in rows:
                row += 1
                bold = group == ALL_COUNCILS
                ws.write_string(row, 0, safe_text(group), f.total_text if bold else f.cell_bold)
                ws.write_number(row, 1, n, f.total_integer if bold else f.integer)
                for c, item in enumerate(self.items, start=2):
                    self.value(ws, row, c, stats[item.id][f"median_{measure}"], f.decimal)
            ws.conditional_format(first, 2, row, 1 + len(self.items), f.heat_scale)
            row += 2
        ws.repeat_rows(first_header)
        ws.freeze_panes(first_header + 1, 1)
        ws.write_string(row, 0, "Key", f.subtitle)
        for item, theme in zip(self.items, self.themes, strict=True):
            row += 1
            ws.write_string(row, 0, item.id, f.label)
            self.paragraph(ws, row, f"{item.name} ({theme})", f.text, first_col=1)
        ws.print_area(0, 0, row, len(widths) - 1)
