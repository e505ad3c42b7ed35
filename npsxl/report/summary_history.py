"""The summary workbook's sheets about change over time: the model versions pooled (and
the lineage that maps them), and the trends between two rounds."""

from __future__ import annotations

import math

import pandas as pd

from npsxl.collation.columns import ALL_COUNCILS, ALL_ITEMS, ALL_ITEMS_NAME
from npsxl.collation.counting import version_label
from npsxl.report.sheet_rows import cell_text
from npsxl.report.summary_base import NUMBER_WIDTH, SummaryBase
from npsxl.workbook.formats import blend


class HistorySheets(SummaryBase):
    """The Versions and Trends sheets."""

    # -- model versions and trends -------------------------------------------------------------
    def versions_sheet(self) -> None:
        """The model versions counted, how each older version's items were pooled, and the
        items reported per version only."""
        f = self.f
        current = version_label(self.model.id, self.model.version)
        widths = [22, 34, 13, 30, 24, 10, 10, 10, 10]
        ws = self.sheet(
            "Versions",
            "The model versions the returns were made with: which items of older versions "
            "count under the current key areas and enablers, and how, and what is reported "
            "per version only",
            widths,
        )
        ws.freeze_panes(3, 0)
        row = self.paragraph(
            ws,
            2,
            f"The figures are for {current}. A return made with an older version counts "
            "under a current key area or enabler where the model's lineage keeps its answer "
            "comparable: an unchanged, renamed or reworded item counts as itself, and each "
            "part of a split item inherits the old level. Items that were merged or removed, "
            f"and every item of a version with no lineage to {current}, are reported per "
            "version only: they never count under a current item, and never as zeros. Items "
            "added since a version count only over the returns that have them.",
            f.note,
        )
        mappings = self.c.version_mappings()
        rounds: dict[str, list[str]] = {}
        for record in self.c.versions_by_round().itertuples(index=False):
            rounds.setdefault(record.model_version, []).append(record.round or "not known")
        row += 1
        ws.write_string(row, 0, "Model versions counted (every round)", f.subtitle)
        row += 1
        self.header_row(ws, row, ["Model version", "How its answers count", "Rounds", "Returns"])
        for label, n in self.c.model_versions.items():
            row += 1
            if label == current:
                how = "The current model"
            elif mappings.get(label) is None:
                how = f"No lineage to {current}: every item reported per version only"
            else:
                how = f"Mapped onto {current} through the model's lineage (below)"
            texts = [cell_text(label), cell_text(how), cell_text(", ".join(rounds.get(label, [])))]
            for col, text in enumerate(texts):
                self.text(ws, row, col, text, f.cell)
            ws.write_number(row, 3, n, f.integer)
            self.fit_rows(ws, row, zip(texts, widths, strict=False))
        row += 2
        ws.write_string(row, 0, "How the items of each older version count", f.subtitle)
        row += 1
        headers = ["Model version", "Item in that version", "Change", f"Counts under ({current})"]
        self.header_row(ws, row, [*headers, "Pooled with the current model"])
        for label, mapping in mappings.items():
            for texts in self.lineage_rows(label, mapping, current):
                row += 1
                texts = [cell_text(t) for t in texts]
                for col, text in enumerate(texts):
                    self.text(ws, row, col, text, f.cell)
                self.fit_rows(ws, row, zip(texts, widths, strict=False))
        row += 2
        latest = self.c.latest_round
        title = "Reported per version only" + (f" (round {latest})" if latest else "")
        ws.write_string(row, 0, cell_text(title), f.subtitle)
        table = self.c.version_only
        if table.empty:
            row = self.paragraph(
                ws,
                row + 1,
                "Nothing is version-only: every answer given with an older version of the model "
                "counts under a current key area or enabler.",
                f.note,
            )
        else:
            row += 1
            self.header_row(
                ws,
                row,
                [
                    "Model version",
                    "Item in that version",
                    "Change",
                    "Councils",
                    "Councils answering (current)",
                    "Median current",
                    "Mean current",
                    "Median target",
                    "Mean target",
                ],
            )
            for record in table.itertuples(index=False):
                row += 1
                texts = [
                    cell_text(record.model_version),
                    cell_text(f"{record.item_id}  {record.item_name}".strip()),
                    cell_text(record.change.replace("_", " ")),
                ]
                for col, text in enumerate(texts):
                    self.text(ws, row, col, text, f.cell)
                self.fit_rows(ws, row, zip(texts, widths, strict=False))
                ws.write_number(row, 3, record.n, f.integer)
                ws.write_number(row, 4, record.n_current, f.integer)
                self.value(ws, row, 5, record.median_current, f.decimal)
                self.value(ws, row, 6, record.mean_current, f.decimal)
                self.value(ws, row, 7, record.median_target, f.decimal)
                self.value(ws, row, 8, record.mean_target, f.decimal)
        ws.print_area(0, 0, row, len(widths) - 1)

    def lineage_rows(self, label: str, mapping, current: str) -> list[list[str]]:
        """Rows for one older version: each of its items and where it counts, then the
        current items no answer of that version reaches (added or merged since)."""
        if mapping is None:
            note = f"No lineage to {current}"
            return [[label, "Every item", "", note, "No: reported per version only"]]
        old = self.c.version_model(label)
        names = {item.id: item.name for item in self.items}
        rows = []
        for item in old.items if old is not None else ():
            step = mapping.get(item.id)
            comparable = step is not None and step.comparable
            rows.append(
                [
                    label,
                    f"{item.id}  {item.name}",
                    step.change.replace("_", " ") if step else "not in the lineage",
                    ", ".join(f"{i}  {names[i]}" for i in step.new_ids) if comparable else "",
                    "Yes: comparable" if comparable else "No: reported per version only",
                ]
            )
        reached = {i for step in mapping.values() if step.comparable for i in step.new_ids}
        changes = {i: step.change for step in mapping.values() for i in step.new_ids}
        for item in self.items:
            if item.id not in reached:
                change = changes.get(item.id, "added").replace("_", " ")
                rows.append(
                    [
                        label,
                        "(no comparable item)",
                        change,
                        f"{item.id}  {item.name}",
                        "Counted only over the returns that have it",
                    ]
                )
        return rows

    def trends_sheet(self) -> None:
        """Share of councils that moved up, by region and item, with a chart; then every
        council's movement per item."""
        f = self.f
        previous, latest = self.c.previous_round, self.c.latest_round
        table = [
            ("council_name", "Council", 32),
            ("council_code", "Code", 11),
            ("region", "Region", 14),
            ("item_id", "Item", 11),
            ("item_name", "Key area or enabler", 24),
            ("previous_round", "Previous round", 11),
            ("previous_model_version", "Previous version", 15),
            ("previous_item_id", "Previous item", 11),
            ("previous_level", "Previous level", 13),
            ("latest_round", "Latest round", 11),
            ("latest_model_version", "Latest version", 15),
            ("latest_level", "Latest level", 13),
            ("movement", "Movement", 16),
        ]
        regional, national = self.c.movement("region"), self.c.movement(None)
        regions = list(dict.fromkeys(regional["group"]))
        groups = [*regions, ALL_COUNCILS]
        widths: list[float] = [w for _, _, w in table]
        widths += [NUMBER_WIDTH + 3] * max(0, len(groups) + 1 - len(widths))
        ws = self.sheet(
            "Trends",
            f"Movement from round {previous} to round {latest}: the share of councils in each "
            "region whose current level moved up, per key area or enabler, with a chart; then "
            "every council's movement",
            widths,
        )
        ws.freeze_panes(3, 0)
        row = self.paragraph(
            ws,
            2,
            f"Councils counted in both round {previous} and round {latest} are compared item "
            "by item on their current level: up, same or down. An answer given with an older "
            "model version is mapped onto the current key areas and enablers through the "
            "model's lineage (a split item's parts each take the old level). 'Not comparable': "
            "the lineage gives no answer for the item in one of the rounds (an item added "
            "since, or merged). Shares are of the councils compared for the item.",
            f.note,
        )
        figures = pd.concat([regional, national], ignore_index=True).set_index(["group", "item_id"])
        items = [*self.items, None]
        # share moved up: items down, regions across
        row += 1
        ws.write_string(row, 0, "Share of councils that moved up (%)", f.subtitle)
        header = row + 1
        self.header_row(ws, header, ["Key area or enabler", *(cell_text(g) for g in groups)])
        for i, item in enumerate(items):
            row = header + 1 + i
            total = item is None
            label = ALL_ITEMS_NAME if item is None else f"{item.id}  {item.name}"
            item_id = ALL_ITEMS if item is None else item.id
            ws.write_string(row, 0, label, f.total_text if total else f.cell_bold)
            self.fit_rows(ws, row, [(label, widths[0], True)])
            for col, group in enumerate(groups, start=1):
                share = figures.at[(group, item_id), "share_up"]
                self.value(ws, row, col, share, f.total_decimal if total else f.decimal)
        first, last = header + 1, header + len(self.items)
        # councils compared per region
        row += 2
        ws.write_string(row, 0, "Councils compared, over all key areas and enablers", f.subtitle)
        row += 1
        self.header_row(
            ws,
            row,
            [
                "Region",
                "Councils in both rounds",
                "Comparisons",
                "Up",
                "Same",
                "Down",
                "Not comparable",
                "Moved up (%)",
            ],
        )
        keys = ("councils", "compared", "up", "same", "down", "not_comparable")
        for group in groups:
            row += 1
            total = group == ALL_COUNCILS
            ws.write_string(row, 0, cell_text(group), f.total_text if total else f.cell_bold)
            self.fit_rows(ws, row, [(cell_text(group), widths[0], True)])
            for col, key in enumerate(keys, start=1):
                value = figures.at[(group, ALL_ITEMS), key]
                ws.write_number(row, col, value, f.total_integer if total else f.integer)
            share = figures.at[(group, ALL_ITEMS), "share_up"]
            self.value(ws, row, 7, share, f.total_decimal if total else f.decimal)
        charted = [g for g in groups if figures.at[(g, ALL_ITEMS), "compared"] > 0]
        row += 2
        breaks = []
        if charted:  # the chart on a page of its own, then the table
            breaks.append(row)
            row = self.trends_chart(ws, row, header, first, last, groups, charted)
        # every council and item
        ws.set_h_pagebreaks([*breaks, row])
        ws.write_string(row, 0, "Every council's movement", f.subtitle)
        header = row + 1
        # two lines at least: room for the filter buttons
        ws.set_row(header, max(30, self.wrapped_height([(t, w, True) for _, t, w in table])))
        for col, (_, title, _) in enumerate(table):
            ws.write_string(header, col, title, f.data_header)
        rows = self.trend_rows
        columns = [name for name, _, _ in table]
        rows.sheet_index, rows.frame = ws.index, self.c.trends[columns]
        rows.first_row, rows.widths = header + 1, [w for _, _, w in table]
        rows.numeric, rows.columns = set(), len(widths)
        rows.text_format, rows.number_format = f.data_text, f.data_integer
        rows.quoted_styles = f.quoted_styles([f.data_text])
        end = header + len(rows.frame)
        ws.autofilter(header, 0, max(end, header), len(table) - 1)
        move = len(table) - 1
        for value, fmt in (("up", f.moved_up), ("down", f.moved_down)):
            ws.conditional_format(
                header + 1,
                move,
                max(end, header + 1),
                move,
                {"type": "cell", "criteria": "==", "value": f'"{value}"', "format": fmt},
            )
        ws.print_area(0, 0, max(end, header), len(widths) - 1)

    def trends_chart(self, ws, row, header, first, last, groups, charted) -> int:
        """A clustered bar chart of the share that moved up: one bar per charted group for
        each item. Returns the first row below it."""
        name = ws.get_name()
        chart = self.wb.add_chart({"type": "bar"})
        font = {"name": self.model.brand.font, "size": 9}
        steps = max(len(charted) - 1, 1)
        colours = [blend(self.palette[-1], 1.0 - 0.7 * i / steps) for i in range(len(charted))]
        for group, colour in zip(charted, colours, strict=True):
            col = 1 + groups.index(group)
            chart.add_series(
                {
                    "name": [name, header, col],
                    "categories": [name, first, 0, last, 0],
                    "values": [name, first, col, last, col],
                    "fill": {"color": colour},
                    "border": {"color": "#404040", "width": 0.5},
                    "gap": 60,
                }
            )
        previous, latest = self.c.previous_round, self.c.latest_round
        chart.set_title(
            {
                "name": f"Share of councils that moved up from {previous} to {latest}",
                "name_font": {**font, "size": 12, "bold": True},
            }
        )
        chart.set_x_axis(
            {
                "name": "Share of councils that moved up (%)",
                "min": 0,
                "max": 100,
                "num_font": font,
                "name_font": {**font, "bold": True},
                "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}},
            }
        )
        chart.set_y_axis(
            {
                "name": "Key area or enabler",
                "reverse": True,
                "crossing": "max",
                "num_font": font,
                "name_font": {**font, "bold": True},
            }
        )
        chart.set_legend({"position": "bottom", "font": {**font, "size": 10}})
        chart.set_chartarea({"border": {"none": True}})
        height = max(360, 120 + len(self.items) * (7 * len(charted) + 12))
        chart.set_size({"width": sum(self.px(w) for w in self.widths[name]), "height": height})
        alt = (
            f"Clustered bar chart: for each key area or enabler ({len(self.items)}), the share "
            f"of councils whose current level moved up from round {previous} to round "
            f"{latest}, one bar for each of: {', '.join(charted)}. The figures are in the table "
            "above."
        )
        ws.insert_chart(row, 0, chart, {"description": cell_text(alt), "object_position": 1})
        return row + math.ceil(height / 20) + 1
