"""The summary workbook's sheets that compare groups: the figures by council type and any
other grouping, the mean levels of every group with charts, and the heat map of each
region's medians."""

from __future__ import annotations

from npsxl.collation.columns import ALL_COUNCILS, MEASURES
from npsxl.report.sheet_rows import safe_text
from npsxl.report.summary_base import (
    LABEL_WIDTH,
    MEASURE_TITLES,
    NUMBER_WIDTH,
    THEME_WIDTH,
    SummaryBase,
)


class GroupSheets(SummaryBase):
    """The By council type (and other groupings), Mean levels and Heat map sheets."""

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
