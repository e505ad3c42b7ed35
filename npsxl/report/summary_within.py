"""The summary workbook's Within councils sheet: for each council with two or more
respondents' views, the spread of their levels per key area or enabler (highest minus
lowest), a spread of :data:`~npsxl.collation.columns.WIDE_SPREAD` levels or more flagged.
Respondents are never named here: respondents.csv has their answers, by number and role."""

from __future__ import annotations

import pandas as pd

from npsxl.collation.columns import MEASURES, RESPONDENTS_CSV, WIDE_SPREAD
from npsxl.collation.counting import BASIS_VIEWS
from npsxl.report.sheet_rows import cell_text
from npsxl.report.summary_base import SummaryBase, capitalised

SPREAD_WIDTH = 3.6  # a digit; the sheet prints at 8 pt or more, 125 columns wide
NAME_WIDTH = 28
REGION_WIDTH = 14
BASIS_WIDTH = 14
WITHIN_HEADERS = ("Council", "Region", "Views", "Council's figure", "Levels", "Items flagged")


class WithinSheet(SummaryBase):
    """The Within councils sheet."""

    def within_sheet(self) -> None:
        """Councils down, items across, the spread of each measure between respondents."""
        within = self.c.within_councils()
        if within.empty:
            return
        f = self.f
        ids = [item.id for item in self.items]
        widths = [NAME_WIDTH, REGION_WIDTH, 5, BASIS_WIDTH, 7, 6] + [SPREAD_WIDTH] * len(ids)
        ws = self.sheet(
            "Within councils",
            "Councils with several respondents: how far apart their views are, per key area "
            "or enabler",
            widths,
        )
        note = (
            "Spread: the highest level minus the lowest among a council's respondents' views "
            f"(0: they agree), on two rows per council: the current levels, then the targets. "
            f"{WIDE_SPREAD} levels or more is flagged, in bold on a shaded cell. Double "
            "underlined, in italics: the council's agreed return gives a level outside all its "
            "views (below the lowest or above the highest): worth asking why. The council's "
            "figure is its agreed return when it sent one, else ('from N views') the middle "
            f"of its views (the lower middle on a tie). {RESPONDENTS_CSV} has every "
            "respondent's answers, by number and role. '–': no view gave that level."
        )
        row = self.paragraph(ws, 2, note, f.note) + 1
        self.header_row(ws, row, [*WITHIN_HEADERS, *ids])
        header = row
        for _, rows in within.groupby("council_code", sort=False):
            for measure in MEASURES:
                row += 1
                self.spread_row(ws, row, rows, measure, ids)
        ws.repeat_rows(header)
        ws.freeze_panes(header + 1, 1)
        ws.print_area(0, 0, row, len(widths) - 1)

    def spread_row(self, ws, row: int, rows: pd.DataFrame, measure: str, ids: list[str]):
        f = self.f
        first = rows.iloc[0]
        spreads = dict(zip(rows["item_id"], rows[f"spread_{measure}"], strict=True))
        outsides = dict(zip(rows["item_id"], rows[f"outside_{measure}"], strict=True))
        basis = f"from {first['views']} views" if first["basis"] == BASIS_VIEWS else "agreed return"
        name = cell_text(first["council_name"])
        region = cell_text(first["region"])
        ws.write_string(row, 0, name, f.cell_bold)
        ws.write_string(row, 1, region, f.cell)
        ws.write_number(row, 2, int(first["views"]), f.integer)
        ws.write_string(row, 3, basis, f.cell)
        ws.write_string(row, 4, capitalised(measure), f.cell)  # Current, Target
        wide = [s for s in spreads.values() if not pd.isna(s) and s >= WIDE_SPREAD]
        ws.write_number(row, 5, len(wide), f.integer)
        self.fit_rows(
            ws, row, [(name, NAME_WIDTH, True), (region, REGION_WIDTH), (basis, BASIS_WIDTH)]
        )
        for col, item_id in enumerate(ids, start=len(WITHIN_HEADERS)):
            spread = spreads.get(item_id)
            if spread is None or pd.isna(spread):
                ws.write_string(row, col, "–", f.centre)
            else:
                wide, outside = spread >= WIDE_SPREAD, outsides.get(item_id, False)
                if outside:
                    fmt = f.flagged_outside if wide else f.outside
                else:
                    fmt = f.flagged if wide else f.plain_integer
                ws.write_number(row, col, int(spread), fmt)
