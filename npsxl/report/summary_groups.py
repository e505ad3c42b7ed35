"""The summary workbook's comparisons between groups: the levels by council type (and by any
other grouping of the register), the mean levels by group with charts, and the heat map of
medians, region by item, on a colour-blind-safe scale. A group with no returns says so."""

from __future__ import annotations

import math

from npsxl.collation.columns import ALL_COUNCILS, MEASURES
from npsxl.model.register import council_type_label
from npsxl.report.sheet_rows import cell_text
from npsxl.report.summary_base import (
    CHART_FONT,
    ITEM_ROW_HEIGHT,
    LABEL_WIDTH,
    MEASURE_TITLES,
    NO_RETURNS,
    NUMBER_WIDTH,
    PAGE_BODY_HEIGHT,
    SummaryBase,
    capitalised,
    median_text,
    rows_height,
)

GROUP_WIDTH = 18
MEDIAN_WIDTH = 11  # "Developing/" above "Mature": a median half way between two levels
MEANS_CHART_HEIGHT = 360  # pixels


GROUP_KEYS = (
    ("n_current", "integer"),
    ("median_current", "decimal"),
    ("mean_current", "decimal"),
    ("median_target", "decimal"),
    ("mean_target", "decimal"),
    ("mean_gap", "signed"),
    ("n_aiming_higher", "integer"),
    ("share_aiming_higher", "decimal"),
)


class GroupSheets(SummaryBase):
    """The By council type (and other groupings), Mean levels and Heat map sheets."""

    # -- by council type and other groupings ---------------------------------------------------
    def group_sheet(self, by: str) -> None:
        """Item stats for every group of ``by``, one long table; one line for a group with no
        councils counted."""
        f = self.f
        what = self.what(by)
        widths = [GROUP_WIDTH, LABEL_WIDTH] + [
            MEDIAN_WIDTH if key.startswith("median") else NUMBER_WIDTH for key, _ in GROUP_KEYS
        ]
        ws = self.sheet(
            f"By {what}",
            f"Levels by {what}: medians, means, gaps and aims per key area or enabler for each "
            f"{what}",
            widths,
        )
        ws.write_string(
            2,
            0,
            f"One block of rows per {what}; councils answering are those counted that gave a "
            "current level, and a target (current/target where they differ); medians are "
            "levels (two names: half way between them); aiming higher: % of those that gave "
            "both levels.",
            f.line,
        )
        headers = [
            capitalised(what),
            "Key area or enabler",
            "Councils answering",
            "Median current",
            "Mean current",
            "Median target",
            "Mean target",
            "Mean gap",
            "Aiming higher (councils)",
            "Aiming higher (%)",
        ]
        header = 4
        self.header_row(ws, header, headers)
        ws.repeat_rows(header)
        ws.freeze_panes(header + 1, 2)
        councils = self.c.councils_in(by)
        stats = self.c.item_stats(by)
        row = header
        done: set[str] = set()
        for record in stats.itertuples(index=False):
            group = cell_text(self.group_name(by, record.group))
            if not councils.get(record.group):
                if record.group not in done:
                    done.add(record.group)
                    row += 1
                    ws.write_string(row, 0, group, f.cell_bold)
                    self.fit_rows(ws, row, [(group, GROUP_WIDTH, True)])
                    last = len(widths) - 1
                    ws.merge_range(row, 1, row, last, f"{NO_RETURNS} yet", f.no_returns)
                continue
            row += 1
            ws.set_row(row, ITEM_ROW_HEIGHT)
            label = f"{record.item_id}  {record.item_name}"
            ws.write_string(row, 0, group, f.cell_bold)
            ws.write_string(row, 1, label, f.cell)
            texts = [(group, GROUP_WIDTH, True), (label, LABEL_WIDTH)]
            for c, (key, style) in enumerate(GROUP_KEYS, start=2):
                value = getattr(record, key)
                if record.n == 0 and key != "n_current":
                    ws.write_string(row, c, NO_RETURNS, f.no_returns)
                elif key == "n_current":
                    self.answering(ws, row, c, value, record.n_target, f.integer, f.centre)
                elif key.startswith("median"):
                    name = median_text(value, self.level_names, named_only=True)
                    name = name.replace("/", "/\n") or "–"
                    ws.write_string(row, c, name, f.centre)
                    texts.append((name, MEDIAN_WIDTH))
                else:
                    self.value(ws, row, c, value, getattr(f, style))
            self.fit_rows(ws, row, texts)
        ws.print_area(0, 0, row, len(widths) - 1)

    @staticmethod
    def group_name(by: str, group: str) -> str:
        """A group as shown: council types capitalised ('Metropolitan district')."""
        return council_type_label(group) if by == "council_type" else group

    @staticmethod
    def what(by: str) -> str:
        return "council type" if by == "council_type" else by

    # -- mean levels ---------------------------------------------------------------------------
    def means_sheet(self) -> None:
        """Mean current and target level per region, council type and grouping, with charts."""
        groupings = ("region", "council_type", *self.c.group_by)
        ws = self.sheet(
            "Mean levels",
            "Mean current and target level over all key areas and enablers, by region, by "
            "council type" + "".join(f" and by {by}" for by in self.c.group_by) + ", with charts",
            [26, 11, 11, 11, 11, 11, 11, 11],
        )
        ws.write_string(
            2, 0, "Means over every level given by the councils counted in each group.", self.f.line
        )
        row, breaks = 4, []
        for by in groupings:
            if row > 4:
                breaks.append(row)
            row, chart_break = self.means_block(ws, row, by, self.what(by))
            breaks += chart_break
            row += 2
        ws.set_h_pagebreaks(breaks)
        ws.freeze_panes(3, 0)
        ws.print_area(0, 0, row, 7)

    def means_block(self, ws, row: int, by: str, what: str) -> tuple[int, list[int]]:
        """Mean current and target over all items per group, with a clustered column chart
        of the groups with councils counted (a group with none says "no returns"). Returns
        the next row, and the chart's row when the chart goes on a page of its own (the
        table and the chart would not fit on one page, and a chart is not split)."""
        f = self.f
        block = row
        ws.write_string(
            row, 0, f"Mean level over all key areas and enablers, by {what}", f.subtitle
        )
        top = row + 1
        self.header_row(
            ws,
            top,
            [capitalised(what), "Councils", "Mean current", "Mean target", "Mean gap"],
        )
        means = self.c.level_means(by)
        records = list(means.itertuples(index=False))
        with_councils = [r for r in records if r.councils]
        row = top
        for record in with_councils + [r for r in records if not r.councils]:
            row += 1
            name = cell_text(self.group_name(by, record.group))
            ws.write_string(row, 0, name, f.cell_bold)
            self.fit_rows(ws, row, [(name, 22, True)])
            ws.write_number(row, 1, record.councils, f.integer)
            if not record.councils:
                ws.merge_range(row, 2, row, 4, NO_RETURNS, f.no_returns)
                continue
            self.value(ws, row, 2, record.mean_current, f.decimal)
            self.value(ws, row, 3, record.mean_target, f.decimal)
            self.value(ws, row, 4, record.mean_gap, f.signed)
        last = top + len(with_councils)
        chart_row, chart_break = row + 2, []
        if with_councils:
            self.means_chart(ws, chart_row, top, last, what)
            if rows_height(ws, block, chart_row) + MEANS_CHART_HEIGHT * 0.75 > (PAGE_BODY_HEIGHT):
                chart_break.append(chart_row)
        return chart_row + 19, chart_break

    def means_chart(self, ws, row: int, top: int, last: int, what: str) -> None:
        name = ws.get_name()
        chart = self.wb.add_chart({"type": "column"})
        font = {"name": self.model.brand.font, "size": CHART_FONT}
        colours = (self.palette[-1], self.palette[1])
        for col, colour in zip((2, 3), colours, strict=True):
            chart.add_series(
                {
                    "name": [name, top, col],
                    "categories": [name, top + 1, 0, last, 0],
                    "values": [name, top + 1, col, last, col],
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
                "name": capitalised(what),
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
        chart.set_legend({"position": "bottom", "font": font})
        chart.set_chartarea({"border": {"none": True}})
        chart.set_size(
            {
                "width": sum(self.px(w) for w in self.widths[ws.get_name()]),
                "height": MEANS_CHART_HEIGHT,
            }
        )
        alt = (
            f"Clustered column chart: for each {what} with councils counted, the mean current "
            f"level and the mean target level over all key areas and enablers (1 to "
            f"{top_level}). The figures are in the table above."
        )
        ws.insert_chart(row, 0, chart, {"description": alt, "object_position": 1})

    # -- heat map ------------------------------------------------------------------------------
    def heat_map(self) -> None:
        """Median current and target level: regions down, items across, each cell in the
        step of its level (light to dark, the same scale for every reader), with its number."""
        f = self.f
        widths = [24, 9] + [6.5] * len(self.items)
        ws = self.sheet(
            "Heat map",
            "Median current and target level of each region for each key area or enabler, "
            "from light (low) to dark (high)",
            widths,
        )
        ws.write_string(
            2,
            0,
            f"Median level (1 = {self.level_names[0]}, {len(self.level_names)} = "
            f"{self.level_names[-1]}; x.5 is shaded as the level below). '–': no council in "
            "the region gave that level.",
            f.line,
        )
        groups = [
            g
            for g in self.c.groups("region")
            if self.c.register is None or g in self.c.register.regions
        ]
        regional = self.stats("region")
        national = self.stats(None)
        councils = self.c.councils_in("region")
        row = 4
        header_rows: list[int] = []
        last_col = 1 + len(self.items)
        for measure in MEASURES:
            ws.write_string(row, 0, f"{MEASURE_TITLES[measure]}: median", f.subtitle)
            row += 1
            header_rows.append(row)
            self.header_row(ws, row, ["Region", "Councils", *(i.id for i in self.items)])
            rows = [(g, councils.get(g, 0), regional[g]) for g in groups]
            rows.append((self.scope, self.n_councils(None, ALL_COUNCILS), national[ALL_COUNCILS]))
            for group, n, stats in rows:
                row += 1
                bold = group == self.scope
                ws.write_string(row, 0, cell_text(group), f.total_text if bold else f.cell_bold)
                self.fit_rows(ws, row, [(cell_text(group), 24, True)])
                ws.write_number(row, 1, n, f.total_integer if bold else f.integer)
                if n == 0:
                    ws.merge_range(row, 2, row, last_col, NO_RETURNS, f.no_returns)
                    continue
                for c, item in enumerate(self.items, start=2):
                    self.heat_cell(ws, row, c, stats[item.id][f"median_{measure}"])
            row += 2
        ws.repeat_rows(header_rows[0])
        ws.freeze_panes(header_rows[0] + 1, 1)
        row = self.heat_key(ws, row)
        key = "; ".join(f"{i.id} {i.name}" for i in self.items)
        row = self.paragraph(ws, row + 1, f"Key areas and enablers: {key}.", f.text)
        ws.print_area(0, 0, row, len(widths) - 1)

    def heat_cell(self, ws, row: int, col: int, median) -> None:
        """A median in the step of its level (x.5: the level below), or '–' for none."""
        if median is None or (isinstance(median, float) and math.isnan(median)):
            ws.write_string(row, col, "–", self.f.centre)
            return
        step = min(int(median), len(self.level_names)) - 1
        ws.write_number(row, col, float(median), self.f.heat[step])

    def heat_key(self, ws, row: int) -> int:
        """The scale's steps, one per level, named; returns the next row."""
        ws.write_string(row, 0, "Scale", self.f.subtitle)
        for i, name in enumerate(self.level_names):
            col = 2 + 2 * i
            ws.merge_range(row, col, row, col + 1, f"{i + 1} {name}", self.f.heat_key[i])
        return row + 1
