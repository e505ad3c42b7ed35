"""What every sheet of the coordinator's summary workbook is written with: the formats and
colours of the brand (:mod:`npsxl.report.summary_formats`), the collation's figures as
arrays, and a print-ready sheet with its brand bar, title, paragraphs and header rows
(:class:`SummaryBase`). The sheets themselves are in :mod:`npsxl.report.summary_workbook`,
:mod:`npsxl.report.summary_figures`, :mod:`npsxl.report.summary_groups`,
:mod:`npsxl.report.summary_history`, :mod:`npsxl.report.summary_lists`,
:mod:`npsxl.report.summary_within` and :mod:`npsxl.report.summary_support`."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from npsxl.collation.collation import Collation
from npsxl.collation.columns import MEASURES
from npsxl.collation.counting import item_theme
from npsxl.collation.statistics import largest_remainder
from npsxl.model.register import REGIONS
from npsxl.report.sheet_rows import DataRows, TextRows, TextSheet, cell_text
from npsxl.report.summary_formats import SummaryFormats, level_palette
from npsxl.workbook.textfit import (
    FONT_SIZE,
    MAX_ROW_HEIGHT,
    column_pixels,
    row_height,
    span_pixels,
    wrapped_height,
)

NO_RETURNS = "no returns"  # what a group with no answers shows, never 0 %
NATIONAL_TITLE = "National"
REGISTER_TITLE = "All councils in the register"  # a register that is not all of England
ALL_ROW = "All councils"  # the comparison row of a region's table
ENGLAND_COUNCILS = 300  # England has had 317 to 353 councils since 2018
MAX_PROBLEMS_SHOWN = 12
NUMBER_WIDTH = 8.5
LABEL_WIDTH = 34
THEME_WIDTH = 20
CHART_HEIGHT_ROWS = 18  # a chart takes this many default (15pt) rows: two fit on a page
CHART_FONT = 10  # points: 8 or more when a sheet is printed at 80 %
ITEM_ROW_HEIGHT = 13.5  # points: a table row of one line of 10 pt text
# Column width units across a landscape A4 page at 100 % (as LibreOffice prints them). A
# sheet at most PAGE_WIDTH / 0.8 wide prints its 10 pt text at 8 pt or more.
PAGE_WIDTH = 100
# Points for rows on a landscape A4 page at 100 %: within the margins, under the title rows
PAGE_BODY_HEIGHT = 595 - (0.5 + 0.6) * 72 - (22 + 26)
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")

MEASURE_TITLES = {"current": "Current level", "target": "Target level"}


# --- names and colours -------------------------------------------------------------------------
def sheet_name(text: str, used: set[str]) -> str:
    """A valid, unique worksheet name: no ``[]:*?/\\``, at most 31 characters."""
    base = _BAD_SHEET_CHARS.sub("-", text).strip().strip("'") or "Sheet"
    name = base[:31]
    number = 2
    while name.casefold() in used or name.casefold() == "history":
        suffix = f" ({number})"
        name = base[: 31 - len(suffix)] + suffix
        number += 1
    used.add(name.casefold())
    return name


def capitalised(text: str) -> str:
    """``text`` with its first letter a capital and the rest as it is: 'council type' gives
    'Council type', 'hub' gives 'Hub' (:meth:`str.capitalize` would lower the rest)."""
    return text[:1].upper() + text[1:]


def header_text(text: str) -> str:
    """Escape text for a page header or footer, where '&' starts a code."""
    return text.replace("&", "&&")


def covers_england(register) -> bool:
    """Whether a register is taken as all of England: councils in all nine regions and at
    least :data:`ENGLAND_COUNCILS` of them. A coordinator's own list is not."""
    if register is None:
        return False
    return len(register.regions) == len(REGIONS) and len(register) >= ENGLAND_COUNCILS


def scope_title(register) -> str:
    """What all the councils of a collation are called: 'National' for a register of all of
    England (:func:`covers_england`), 'All councils in the register' for another register,
    'All councils' without one."""
    if register is None:
        return ALL_ROW
    return NATIONAL_TITLE if covers_england(register) else REGISTER_TITLE


def median_text(value, level_names: list[str], named_only: bool = False) -> str:
    """A median score with its level's name: '2 Developing', '2.5 Developing/Mature' (or
    the name alone, ``named_only``); '' when there is none."""
    if value is None or pd.isna(value):
        return ""
    low = int(value)
    name = level_names[low - 1]
    if value != low:
        name += f"/{level_names[low]}"
    return name if named_only else f"{value:g} {name}"


def rows_height(ws, first: int, end: int) -> float:
    """Points the rows ``first`` to ``end`` (not included) take, as set so far. xlsxwriter
    keeps the heights in its own unit (points in some versions, pixels in newer ones), the
    same as its default row's, which is 15 points."""
    sizes, default = ws.row_sizes, ws.default_row_height
    units = sum(sizes[r][0] if r in sizes else default for r in range(first, end))
    return 15.0 * units / default


def number_or_none(value) -> float | None:
    if value is None or pd.isna(value):
        return None
    return float(value)


# --- the sheets' common ground --------------------------------------------------------------------
class SummaryBase:
    """One summary workbook being written: its formats, figures and sheet basics."""

    def __init__(self, wb, collation: Collation):
        self.wb = wb
        self.c = collation
        self.model = collation.model
        self.f = SummaryFormats(wb, self.model)
        self.palette = level_palette(self.model)
        self.used_names: set[str] = set()
        self.widths: dict[str, list[float]] = {}
        self.items = list(self.model.items)
        self.labels = [f"{item.id}  {item.name}" for item in self.items]
        self.themes = [item_theme(item) for item in self.items]
        self.level_names = list(self.model.level_names)
        brand = self.model.brand
        # the sheet's name (&A) on every page: a page of a long table says what it is from
        self.footer = (
            f"&L{header_text(brand.organisation)}&CPage &P of &N"
            f"&R{header_text(brand.strategy_short_name)} returns summary: &A"
        )
        self.contents: list[tuple[str, str]] = []
        self.font = brand.font
        self.data_rows = DataRows(brand.font)
        self.trend_rows = DataRows(brand.font)
        self.log_rows = TextRows(brand.font)
        self.tables = [self.data_rows, self.trend_rows, self.log_rows]
        self._shares_cache: dict = {}
        self._stats_cache: dict = {}
        self.scope = scope_title(collation.register)

    # -- figures -------------------------------------------------------------------------------
    def group_shares(self, by: str | None, group: str) -> tuple[np.ndarray, np.ndarray]:
        """One group's whole percentages at each level [item, measure, level], rounded by
        the largest remainder to add up to 100 (as summary.csv's, to no decimal), NaN where
        nobody in the group answered; and the councils answering [item, measure]."""
        if by not in self._shares_cache:
            summary = self.c.summary(by)
            groups = self.c.groups(by)
            shape = (len(groups), len(self.items), len(MEASURES), len(self.level_names))
            counts = summary["count"].to_numpy().reshape(shape)
            self._shares_cache[by] = groups, largest_remainder(counts, 0), counts.sum(axis=3)
        groups, percent, n = self._shares_cache[by]
        index = groups.index(group)
        return percent[index], n[index]

    def stats(self, by: str | None) -> dict[str, dict[str, dict]]:
        """Item stats as {group: {item id: {column: value}}}."""
        if by not in self._stats_cache:
            table: dict[str, dict[str, dict]] = {}
            for record in self.c.item_stats(by).to_dict("records"):
                table.setdefault(record["group"], {})[record["item_id"]] = record
            self._stats_cache[by] = table
        return self._stats_cache[by]

    def n_councils(self, by: str | None, group: str) -> int:
        return self.c.councils_in(by).get(group, 0)

    def counted_line(self, n: int) -> str:
        """'n councils counted', with the round and the model versions pooled when useful."""
        text = f"{n} council{'s' if n != 1 else ''} counted"
        if self.c.latest_round:
            text += f" in round {self.c.latest_round}"
        text += ". Shares are of the councils that gave a level for the item"
        if self.c.version_mappings():
            text += "; returns of older model versions are pooled where comparable (see Versions)"
        return text + "."

    # -- sheet basics --------------------------------------------------------------------------
    def sheet(self, title: str, description: str, widths: Sequence[float]):
        """A new, print-ready sheet with column widths, the brand bar and a title."""
        name = sheet_name(title, self.used_names)
        ws = self.wb.add_worksheet(name, worksheet_class=TextSheet)
        ws.quoted = self.f.quoted
        ws.hide_gridlines(2)
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)
        ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
        ws.set_footer(self.footer)
        for col, width in enumerate(widths):
            ws.set_column(col, col, width)
        self.widths[name] = list(widths)
        brand = self.model.brand
        ws.set_row(0, 22)
        for col in range(len(widths)):
            ws.write_blank(0, col, None, self.f.brand_bar)
        ws.write_string(
            0, 0, f"{brand.organisation}  |  {brand.strategy_short_name}", self.f.brand_bar
        )
        ws.set_row(1, 26)
        ws.write_string(1, 0, title, self.f.title)
        ws.repeat_rows(0, 1)  # sheets with one long table repeat its header row instead
        self.contents.append((name, description))
        return ws

    def screen_only(self, ws, what: str, csv_name: str) -> None:
        """A long table that is not printed with the workbook: its print area is its title
        and a note saying so (over the first columns, a page wide), and where the table is
        for printing or analysis."""
        widths = self.widths[ws.get_name()]
        last, total = 0, widths[0]
        while last + 1 < len(widths) and total + widths[last + 1] <= PAGE_WIDTH:
            last += 1
            total += widths[last]
        note = (
            f"This sheet is {what}. It is not printed with the workbook (it would run to "
            f"many pages): to print part of it, select the rows and print the selection; "
            f"{csv_name} has the same table for analysis."
        )
        cells = [(note, span_pixels(widths[: last + 1]), False, FONT_SIZE)]
        ws.set_row(2, row_height(cells, font=self.font))
        ws.merge_range(2, 0, 2, last, note, self.f.note)
        ws.print_area(0, 0, 2, last)

    def paragraph(self, ws, row: int, text: str, fmt=None, first_col: int = 0) -> int:
        """Wrapped text across the sheet's columns from ``first_col``; returns the next row."""
        widths = self.widths[ws.get_name()][first_col:]
        fmt = fmt or self.f.text
        shown = cell_text(text)
        if len(widths) > 1:
            ws.merge_range(row, first_col, row, len(self.widths[ws.get_name()]) - 1, shown, fmt)
        else:
            ws.write_string(row, first_col, shown, fmt)
        cells = [(shown, span_pixels(widths), bool(fmt.bold), FONT_SIZE)]
        ws.set_row(row, row_height(cells, font=self.font))
        return row + 1

    def header_row(self, ws, row: int, headers, first_col: int = 0, fmt=None) -> None:
        """A row of (bold, wrapped) column headers, tall enough for the longest."""
        fmt = fmt or self.f.header
        widths = self.widths[ws.get_name()][first_col:]
        cells = [
            (h, column_pixels(w), True, FONT_SIZE)
            for h, w in zip(headers, widths, strict=False)
            if h
        ]
        ws.set_row(row, min(MAX_ROW_HEIGHT, row_height(cells, font=self.font) + 4))
        for i, header in enumerate(headers):
            ws.write_string(row, first_col + i, header, fmt)

    @staticmethod
    def answering(ws, row: int, col: int, current: int, target: int, number, text) -> None:
        """The councils answering an item: one number, or 'current/target' (text) where the
        two differ, as each measure's figures are of its own councils."""
        if current == target:
            ws.write_number(row, col, current, number)
        else:
            ws.write_string(row, col, f"{current}/{target}", text)

    def value(self, ws, row: int, col: int, value, fmt) -> None:
        """A number, or a blank cell when there is none."""
        number = number_or_none(value)
        if number is None:
            ws.write_blank(row, col, None, fmt)
        else:
            ws.write_number(row, col, number, fmt)

    @staticmethod
    def text(ws, row: int, col: int, text: str, fmt) -> None:
        """A string cell (already made safe), or a blank formatted cell for ''."""
        if text:
            ws.write_string(row, col, text, fmt)
        else:
            ws.write_blank(row, col, None, fmt)

    def wrapped_height(self, texts) -> float:
        """The height of a row for the wrapped text in it, or 0.0 when a line is enough:
        ``texts`` are (text, column width) pairs, or (text, column width, bold); the width of
        a merged cell is the list of its columns' widths."""

        def pixels(width) -> int:
            return span_pixels(width) if isinstance(width, list | tuple) else column_pixels(width)

        return max(
            (
                wrapped_height(text, pixels(width), bold=bool(bold and bold[0]), font=self.font)
                for text, width, *bold in texts
            ),
            default=0.0,
        )

    def fit_rows(self, ws, row: int, texts) -> None:
        """Set a row's height for the wrapped text in it (see :meth:`wrapped_height`), when a
        line is not enough."""
        height = self.wrapped_height(texts)
        if height:
            ws.set_row(row, height)

    @staticmethod
    def px(width: float) -> int:
        """A column width in pixels, as Excel computes it for the default font."""
        return int(width * 7 + 5)
