"""The coordinator's summary workbook: response, national and regional pictures, charts, data.

:func:`write_summary_workbook` writes one branded .xlsx from a
:class:`~npsxl.collation.collation.Collation`. Every figure comes from the collation's frames
(:meth:`~npsxl.collation.collation.Collation.summary`,
:meth:`~npsxl.collation.collation.Collation.item_stats`,
:meth:`~npsxl.collation.collation.Collation.response`), so the workbook and the CSV files agree.

Text supplied by councils (evidence, actions, names, file paths, problem messages) is
untrusted: it is always written as a string cell, exactly as typed, and text that a
spreadsheet would take for a formula gets the quote prefix of its cell's style
(:class:`~npsxl.report.sheet_rows.TextSheet`; no apostrophe in the text, which Calc would
show). The workbook holds no hyperlinks and no formulas built from
council text. The long tables (Data, Returns log, the trends' council table) are spliced in
as XML by :mod:`npsxl.report.sheet_rows`.

This module writes the overview; :mod:`npsxl.report.summary_figures` the national and
regional figures, :mod:`npsxl.report.summary_groups` the groupings, means and heat map,
:mod:`npsxl.report.summary_within` the spread within councils,
:mod:`npsxl.report.summary_support` the coordinator's support planning,
:mod:`npsxl.report.summary_history` the versions and trends,
:mod:`npsxl.report.summary_lists` the returns log, the chase list and the data, all on
:mod:`npsxl.report.summary_base`.
"""

from __future__ import annotations

import os
from pathlib import Path

import xlsxwriter

from npsxl import __version__
from npsxl.collation.collation import Collation
from npsxl.collation.columns import ALL_REGIONS
from npsxl.collation.counting import version_label
from npsxl.core.atomic import atomic_path
from npsxl.model.defaults import register_label
from npsxl.report.sheet_rows import cell_text, splice_rows
from npsxl.report.summary_base import NO_RETURNS, rows_height
from npsxl.report.summary_figures import FigureSheets
from npsxl.report.summary_groups import GroupSheets
from npsxl.report.summary_history import HistorySheets
from npsxl.report.summary_lists import ListSheets
from npsxl.report.summary_support import SupportSheet
from npsxl.report.summary_within import WithinSheet

# Points of rows under the title that the Overview's first page holds, as LibreOffice prints
# it fitted to the page's width (measured: 517 fit, 527 did not)
OVERVIEW_FIRST_PAGE = 520
MAX_LISTED = 20  # agreed returns that disagree, on the Overview (the Returns log has them all)
WORKBOOK_OPTIONS = {
    "in_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}


# --- entry point --------------------------------------------------------------------------------
def write_summary_workbook(
    collation: Collation, path: str | os.PathLike, *, force: bool = True
) -> Path:
    """Write the summary workbook for ``collation`` to ``path`` (atomically) and return the path.

    Raises :class:`npsxl.core.errors.OutputError` if the file exists and ``force`` is False, or
    cannot be written.
    """
    with atomic_path(path, force=force) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), WORKBOOK_OPTIONS)
        writer = _SummaryWriter(wb, collation)
        writer.write()
        wb.close()
        splice_rows(tmp, writer.tables)
    return Path(path)


class _SummaryWriter(
    FigureSheets, GroupSheets, WithinSheet, HistorySheets, ListSheets, SupportSheet
):
    """Writes every sheet of one summary workbook."""

    # -- the workbook --------------------------------------------------------------------------
    def write(self) -> None:
        overview = self.sheet(
            "Overview", "Response by region, and what is in this workbook", [30] + [11] * 8
        )
        self.national_sheet()
        for region in self.regions_with_returns():
            self.region_sheet(region)
        for by in ("council_type", *self.c.group_by):
            self.group_sheet(by)
        self.means_sheet()
        self.heat_map()
        self.within_sheet()
        self.support_sheet()
        if self.c.version_mappings():
            self.versions_sheet()
        if self.c.previous_round is not None:
            self.trends_sheet()
        self.returns_log()
        self.not_returned()
        self.data_sheet()
        self.overview(overview)
        overview.activate()
        self.wb.set_properties(
            {
                "title": f"{self.model.title}: summary of self-assessment returns",
                "subject": self.c.summary_text(),
                "author": self.model.brand.organisation,
                "company": self.model.brand.organisation,
                "comments": f"Collated by npsxl {__version__} on {self.c.collated_at} with "
                f"{self.model.id} {self.model.version}",
            }
        )

    def regions_with_returns(self) -> list[str]:
        """The regions of the register (or of the returns, without one) with a council
        counted: each gets a sheet; the others have nothing to show."""
        regions = self.c.register.regions if self.c.register is not None else None
        councils = self.c.councils_in("region")
        return [
            g
            for g in self.c.groups("region")
            if councils.get(g) and (regions is None or g in regions)
        ]

    # -- overview ------------------------------------------------------------------------------
    def overview(self, ws) -> None:
        f, model = self.f, self.model
        ws.write_string(2, 0, f"{model.title}: summary of the self-assessment returns", f.line)
        row = self.paragraph(ws, 3, self.c.summary_text())
        row += 1
        latest = self.c.latest_round
        title = f"Returns by region, round {latest}" if latest else "Returns by region"
        ws.write_string(row, 0, cell_text(title), f.subtitle)
        row += 1
        headers = [
            "Region",
            "Expected (councils in the register)",
            "Files received",
            "Accepted",
            "Rejected",
            "Superseded",
            "Respondents' views",
            "Councils counted",
            "Response rate (%)",
        ]
        header = row
        self.header_row(ws, row, headers)
        ws.freeze_panes(header + 1, 0)
        response = self.c.response()
        last = len(response) - 1
        for i, record in enumerate(response.itertuples(index=False)):
            row += 1
            total = i == last
            ws.write_string(row, 0, cell_text(record.region), f.total_text if total else f.cell)
            for col, value in enumerate(record[1:8], start=1):
                self.value(ws, row, col, value, f.total_integer if total else f.integer)
            self.value(ws, row, 8, record.response_rate, f.total_decimal if total else f.decimal)
        row += 1
        silent = [
            r
            for r in response.itertuples(index=False)
            if r.expected and not r.councils and r.region != ALL_REGIONS
        ]
        if silent:
            names = ", ".join(f"{r.region} ({r.expected} expected)" for r in silent)
            text = f"There are {NO_RETURNS} yet from {names}, so they have no sheet."
            row = self.paragraph(ws, row, cell_text(text), f.note)
        row = self.disagreements_table(ws, row + 1)
        row += 1
        about = row
        ws.write_string(row, 0, "About this collation", f.subtitle)
        versions = ", ".join(
            f"{label} ({n} return{'s' if n != 1 else ''})"
            for label, n in self.c.model_versions.items()
        )
        rounds = ", ".join(
            f"{r or 'not known'} ({n} council{'s' if n != 1 else ''})"
            for r, n in self.c.rounds.items()
        )
        figures = "every counted return"
        if latest:
            figures = f"the latest round, {latest}"
            if self.c.previous_round is not None:
                figures += f"; the Trends sheet compares it with {self.c.previous_round}"
        facts = [
            ("Collated", self.c.collated_at),
            ("Model", f"{model.id} {model.version} ({model.title})"),
            ("Model versions counted", versions or "none"),
            ("Rounds counted", rounds or "none"),
            ("Figures are for", figures),
            (
                "Register",
                register_label(self.c.register.source) if self.c.register is not None else "none",
            ),
            ("Files read", str(len(self.c.returns))),
        ]
        for label, text in facts:
            row += 1
            ws.write_string(row, 0, label, f.label)
            self.paragraph(ws, row, cell_text(text), f.text, first_col=1)
        row = self.versions_table(ws, row + 2)
        row += 2
        # the guide to the sheets on a page of its own: never its heading alone at a page's
        # foot; and About this collation with its versions whole, on the next page if need be
        breaks = [row]
        if rows_height(ws, 2, row - 1) > OVERVIEW_FIRST_PAGE:
            breaks.insert(0, about)
        ws.set_h_pagebreaks(breaks)
        ws.write_string(row, 0, "How to read this workbook", f.subtitle)
        for name, description in self.contents[1:]:
            row += 1
            ws.write_string(row, 0, name, f.label)
            self.paragraph(ws, row, description, f.text, first_col=1)
        row += 2
        levels = ", ".join(f"{lv.score} = {lv.name}" for lv in model.levels)
        row = self.paragraph(
            ws,
            row,
            f"Levels are scored {levels}. The gap is the target level minus the current "
            "level. Only accepted returns count, each council once in each round: its latest "
            "agreed return, or, when it sent only respondents' views, the middle level of "
            "the views (the lower middle on a tie); a return with items left blank counts for "
            "the items it answers. The Returns log says what became of every file. Returns "
            "made with an older version of the model count under the current key areas and "
            "enablers where the model's lineage keeps them comparable (see the Versions sheet "
            "when there is one).",
            f.note,
        )
        ws.print_area(0, 0, row, len(self.widths[ws.get_name()]) - 1)

    def disagreements_table(self, ws, row: int) -> int:
        """Agreed returns of one council that give different levels: which counts, which
        does not, and where they differ."""
        pairs = self.c.disagreements()
        if not pairs:
            return row
        f = self.f
        ws.write_string(row, 0, "Agreed returns that disagree", f.subtitle)
        row = self.paragraph(
            ws,
            row + 1,
            "Two returns of the same council, each marked as its agreed return, by different "
            "respondents, give different levels. The most recent counts; ask the council "
            "which is its agreed return.",
            f.note,
        )
        last = len(self.widths[ws.get_name()]) - 1
        self.header_row(ws, row, ["Council", "Counted", "", "", "Not counted"])
        ws.merge_range(row, 1, row, 3, "Counted", f.header)
        ws.merge_range(row, 4, row, last, "Not counted", f.header)
        for counted, other in pairs[:MAX_LISTED]:
            row += 1
            name = cell_text(counted.council.name if counted.council else counted.council_name)
            texts = [(name, 30), (counted.path, 33), (other.path, 11 * (last - 3))]
            ws.write_string(row, 0, name, f.cell_bold)
            ws.merge_range(row, 1, row, 3, cell_text(counted.path), f.cell)
            ws.merge_range(row, 4, row, last, cell_text(other.path), f.cell)
            self.fit_rows(ws, row, texts)
        if len(pairs) > MAX_LISTED:
            more = len(pairs) - MAX_LISTED
            text = f"... and {more} more: the Returns log and returns.csv list them all."
            row = self.paragraph(ws, row + 1, text, f.note) - 1
        return row + 1

    def versions_table(self, ws, row: int) -> int:
        """Counted returns by model version and round, and what each set is used for."""
        f = self.f
        table = self.c.versions_by_round()
        if table.empty:
            return row
        current = version_label(self.model.id, self.model.version)
        mappings = self.c.version_mappings()
        latest, previous = self.c.latest_round, self.c.previous_round
        ws.write_string(row, 0, "Returns counted by model version and round", f.subtitle)
        row += 1
        self.header_row(ws, row, ["Model version", "Round", "Returns counted"])
        ws.merge_range(row, 3, row, len(self.widths[ws.get_name()]) - 1, "Used for", f.header)
        for record in table.itertuples(index=False):
            row += 1
            if record.round == latest:
                use = "The figures in this workbook (the latest round)"
            elif record.round == previous:
                use = "The Trends sheet, compared with the latest round"
            else:
                use = "Not summarised: an earlier round"
            if record.model_version != current:
                if mappings.get(record.model_version) is not None:
                    use += f"; mapped onto {current} through the model's lineage"
                else:
                    use += f"; no lineage to {current}, so reported per version only"
            ws.write_string(row, 0, cell_text(record.model_version), f.cell)
            ws.write_string(row, 1, cell_text(record.round or "not known"), f.cell)
            ws.write_number(row, 2, record.returns, f.integer)
            self.paragraph(ws, row, cell_text(use), f.cell, first_col=3)
        return row
