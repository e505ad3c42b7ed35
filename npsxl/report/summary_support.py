"""The summary workbook's Support planning sheet, for the coordinator: the items where most
councils are furthest from their own targets, then every council's gap to its targets item
by item (:meth:`~npsxl.collation.collation.Collation.support_priorities` and
:meth:`~npsxl.collation.collation.Collation.support_gaps`). It names councils beside their
gaps, so it stays out of the public briefing."""

from __future__ import annotations

import pandas as pd

from npsxl.collation.support import FAR_GAP
from npsxl.report.sheet_rows import cell_text
from npsxl.report.summary_base import SummaryBase

NAME_WIDTH = 34
GAP_WIDTH = 4.6
COUNT_WIDTH = 7
COUNCILS_PER_PAGE = 36  # rows of the gaps table on a printed page, about
STAT_SPAN = 3  # item columns a figure of the priorities table spans (fewer for few items)
PRIORITY_HEADERS = (
    "Councils whose largest gap is on this item",
    f"Councils {FAR_GAP} or more levels from their target",
    "Councils below their target (any gap)",
    "Councils that gave both levels",
    "Mean gap (levels)",
)


class SupportSheet(SummaryBase):
    """The Support planning sheet."""

    def support_sheet(self) -> None:
        """Priorities first (the page printed), then councils down, items across, their
        gaps (on screen; printed as a selection)."""
        grid = self.c.support_gaps()
        if grid.empty:
            return
        f = self.f
        ids = [item.id for item in self.items]
        widths = [NAME_WIDTH] + [GAP_WIDTH] * len(ids) + [COUNT_WIDTH, COUNT_WIDTH]
        widths += [COUNT_WIDTH] * max(0, len(PRIORITY_HEADERS) + 1 - len(widths))
        ws = self.sheet(
            "Support planning",
            "For the coordinator: the items where most councils are furthest from their own "
            "targets, and each council's gap to its targets per key area or enabler",
            widths,
        )
        note = (
            "For planning support; not for publication: this sheet names councils beside "
            "their gaps. A gap is the council's own target level minus its current level, in "
            f"levels; blank where it did not give both. Gaps of {FAR_GAP} levels or more are "
            "in bold on a shaded cell; a gap below 0 is a target below the current level."
        )
        row = self.paragraph(ws, 2, note, f.note)
        row = self.priorities_table(ws, row + 1, len(widths) - 1)
        key = "; ".join(f"{item.id} {item.name}" for item in self.items)
        row = self.paragraph(ws, row, f"Key areas and enablers: {key}.", f.text)
        pages = -(-len(grid) // COUNCILS_PER_PAGE)
        text = (
            f"The table below, of each council's gaps ({len(grid)} councils, about {pages} "
            "pages), is not printed with the workbook: to print it, or a region's part of "
            "it, select its rows and print the selection (its header row repeats on each "
            "page)."
        )
        printed = self.paragraph(ws, row, text, f.note)
        self.gaps_table(ws, printed + 1, grid, ids)
        ws.freeze_panes(0, 1)
        ws.print_area(0, 0, printed - 1, len(widths) - 1)

    def priorities_table(self, ws, row: int, last: int) -> int:
        """The items, those where most councils are furthest from their targets first."""
        f = self.f
        ws.write_string(
            row, 0, "Items where most councils are furthest from their targets", f.subtitle
        )
        headers = PRIORITY_HEADERS
        span = min(STAT_SPAN, last // len(headers))
        row += 1
        self.header_row(ws, row, ["Item (most councils furthest first)"], fmt=f.header_left)
        for i, text in enumerate(headers):
            first = 1 + i * span
            end = last if i == len(headers) - 1 else first + span - 1
            self.merged(ws, row, first, end, text, f.header)
        room = self.widths[ws.get_name()][1 : 1 + span]
        self.fit_rows(ws, row, [(text, room, True) for text in headers])
        columns = ("furthest", "far", "behind", "n_gap", "mean_gap")
        for record in self.c.support_priorities().itertuples(index=False):
            row += 1
            label = cell_text(f"{record.rank}. {record.item_id}  {record.item_name}")
            ws.write_string(row, 0, label, f.cell_bold)
            self.fit_rows(ws, row, [(label, NAME_WIDTH, True)])
            for i, column in enumerate(columns):
                first = 1 + i * span
                end = last if i == len(columns) - 1 else first + span - 1
                value = getattr(record, column)
                fmt = f.decimal if column == "mean_gap" else f.integer
                self.merged(ws, row, first, end, None if pd.isna(value) else float(value), fmt)
        text = (
            "A council whose largest gap is the same on several items counts for each of "
            "them. The mean gap is over the councils that gave both levels."
        )
        return self.paragraph(ws, row + 1, text, f.note)

    @staticmethod
    def merged(ws, row: int, first: int, end: int, value, fmt) -> None:
        """A value (text, a number, or None: blank) in cells ``first`` to ``end``."""
        if end > first:
            ws.merge_range(row, first, row, end, "", fmt)
        if isinstance(value, str):
            ws.write_string(row, first, value, fmt)
        elif value is None:
            ws.write_blank(row, first, None, fmt)
        else:
            ws.write_number(row, first, value, fmt)

    def gaps_table(self, ws, row: int, grid: pd.DataFrame, ids: list[str]) -> int:
        """Each council's gap per item, under its region's name; the header on every page."""
        f = self.f
        last = len(ids) + 2
        ws.write_string(row, 0, "Each council's gap to its own targets", f.subtitle)
        row += 1
        header = row
        self.header_row(ws, row, ["Council", *ids, "Items below target", "Largest gap"])
        ws.repeat_rows(header)
        for region, councils in grid.groupby("region", sort=False):
            row += 1
            text = cell_text(f"{region} ({len(councils)} councils)")
            ws.merge_range(row, 0, row, last, text, f.group_header)
            for record in councils.to_dict("records"):
                row += 1
                name = cell_text(record["council_name"])
                ws.write_string(row, 0, name, f.cell_bold)
                self.fit_rows(ws, row, [(name, NAME_WIDTH, True)])
                for col, item_id in enumerate(ids, start=1):
                    gap = record[item_id]
                    if pd.isna(gap):
                        ws.write_blank(row, col, None, f.plain_integer)
                    else:
                        fmt = f.flagged if gap >= FAR_GAP else f.plain_integer
                        ws.write_number(row, col, int(gap), fmt)
                ws.write_number(row, last - 1, int(record["items_behind"]), f.integer)
                self.value(ws, row, last, record["largest_gap"], f.integer)
        return row + 1
