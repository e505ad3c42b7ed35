"""What every sheet of the coordinator's summary workbook is written with: the formats and
colours of the brand, the collation's figures as arrays, and a print-ready sheet with its
brand bar, title, paragraphs and header rows (:class:`SummaryBase`). The sheets themselves
are in :mod:`npsxl.report.summary_workbook`, :mod:`npsxl.report.summary_figures`,
:mod:`npsxl.report.summary_groups`, :mod:`npsxl.report.summary_history` and
:mod:`npsxl.report.summary_lists`."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from npsxl.collation.collation import Collation
from npsxl.collation.columns import MEASURES
from npsxl.collation.counting import item_theme
from npsxl.collation.statistics import largest_remainder
from npsxl.model.model import MIN_CONTRAST, Model, contrast_ratio
from npsxl.model.register import REGIONS
from npsxl.reading.returns import Status
from npsxl.report.sheet_rows import DataRows, TextRows, TextSheet, cell_text
from npsxl.workbook.formats import BORDER, HEADER_BORDER, BrandFormats, blend
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
# A viridis-type scale, light to dark: each step clearly lighter than the next, in colour
# and in grey, for readers with any colour vision (a heat map takes evenly spaced steps).
HEAT_SCALE = (
    "#FDE725",
    "#B5DE2B",
    "#6ECE58",
    "#35B779",
    "#1F9E89",
    "#26828E",
    "#31688E",
    "#3E4989",
    "#482878",
    "#440154",
)
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


def header_text(text: str) -> str:
    """Escape text for a page header or footer, where '&' starts a code."""
    return text.replace("&", "&&")


def level_palette(model: Model) -> list[str]:
    """One fill per level, light to dark, from the brand's header colour."""
    count = len(model.levels)
    base = model.brand.colours["header"].background
    return [blend(base, 0.14 + 0.86 * i / max(count - 1, 1)) for i in range(count)]


def heat_palette(count: int) -> list[str]:
    """``count`` evenly spaced steps of :data:`HEAT_SCALE`, light to dark."""
    last = len(HEAT_SCALE) - 1
    return [HEAT_SCALE[round(i * last / max(count - 1, 1))] for i in range(count)]


def text_on(fill: str) -> str:
    """Black or white, whichever reads on ``fill`` (black when both do)."""
    return "#000000" if contrast_ratio("#000000", fill) >= MIN_CONTRAST else "#FFFFFF"


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


def number_or_none(value) -> float | None:
    if value is None or pd.isna(value):
        return None
    return float(value)


# --- formats ------------------------------------------------------------------------------------
class SummaryFormats(BrandFormats):
    """The summary workbook's cell formats, on the pieces the self-assessment workbook's are
    made of: every text/fill pair is a brand colour pair, titles are in the brand's colour
    for text on white."""

    def __init__(self, wb, model: Model):
        super().__init__(wb, model.brand, font_size=10)
        fmt, pair, dark, border = self.fmt, self.pair, self.dark, BORDER
        self.brand_bar = fmt(bold=True, font_size=12, valign="vcenter", **pair("header"))
        self.title = fmt(bold=True, font_size=16, font_color=dark)
        self.subtitle = fmt(bold=True, font_size=12, font_color=dark)
        self.line = fmt()
        self.note = fmt(text_wrap=True, **pair("muted"))
        self.text = fmt(text_wrap=True)
        self.label = fmt(bold=True, text_wrap=True)
        heading = {"bold": True, "text_wrap": True, "valign": "vcenter", **HEADER_BORDER}
        self.header = fmt(**heading, align="center", **pair("header"))
        self.header_left = fmt(**heading, **pair("header"))
        self.group_header = fmt(**heading, align="center", **pair("theme"))
        # narrow columns: their headers read upwards
        self.header_upright = fmt(**heading, align="center", rotation=90, **pair("header"))
        self.level_header = fmt(**heading, align="center", rotation=90, **pair("theme"))
        self.cell = fmt(text_wrap=True, **border)
        self.cell_bold = fmt(text_wrap=True, bold=True, **border)
        self.integer = fmt(num_format="0", align="center", **border)
        self.decimal = fmt(num_format="0.0", align="center", **border)
        self.signed = fmt(num_format="+0.0;-0.0;0.0", align="center", **border)
        self.total_text = fmt(bold=True, text_wrap=True, **pair("theme"), **border)
        self.total_integer = fmt(
            bold=True, num_format="0", align="center", **pair("theme"), **border
        )
        self.total_decimal = fmt(
            bold=True, num_format="0.0", align="center", **pair("theme"), **border
        )
        self.status = {
            Status.ACCEPTED: fmt(text_wrap=True, **pair("chosen"), **border),
            Status.ACCEPTED_WITH_WARNINGS: fmt(text_wrap=True, **pair("input"), **border),
            Status.REJECTED: fmt(text_wrap=True, bold=True, **pair("warning"), **border),
        }
        self.moved_up = self.conditional(**pair("chosen"))  # (movement)
        self.moved_down = self.conditional(**pair("warning"))
        # Data sheet formats: distinct from every other format, so each gets its own index
        self.data_text = fmt(text_wrap=True, align="left")
        self.data_integer = fmt(num_format="0", align="center")
        self.data_header = fmt(bold=True, text_wrap=True, valign="vcenter", **pair("header"))
        # the heat map's steps, one per level: number cells and the key's swatches
        self.heat = [
            fmt(num_format="0.0", align="center", bg_color=c, font_color=text_on(c), **border)
            for c in heat_palette(len(model.levels))
        ]
        self.heat_key = [
            fmt(text_wrap=True, bg_color=c, font_color=text_on(c), **border)
            for c in heat_palette(len(model.levels))
        ]
        # "no returns", and the all-councils row beside a group's figures
        self.no_returns = fmt(italic=True, align="center", **pair("muted"), **border)
        self.other_text = fmt(text_wrap=True, italic=True, **pair("muted"), **border)
        self.other_label = fmt(italic=True, indent=1, **pair("muted"), **border)
        self.other_decimal = fmt(num_format="0.0", align="center", **pair("muted"), **border)
        self.other_integer = fmt(num_format="0", align="center", **pair("muted"), **border)
        self.other_centre = fmt(text_wrap=True, align="center", **pair("muted"), **border)
        self.centre = fmt(text_wrap=True, align="center", **border)
        self.flagged = fmt(bold=True, align="center", **pair("warning"), **border)
        self.plain_integer = fmt(align="center", **border)
        # Within councils: an agreed level outside its views', marked by more than colour
        outside = {"italic": True, "underline": 2, "align": "center"}
        self.outside = fmt(**outside, **border)
        self.flagged_outside = fmt(bold=True, **outside, **pair("warning"), **border)

    def quoted_styles(self, formats) -> dict[int, int]:
        """The xf index of each of ``formats`` -> its :meth:`quoted` twin's, for rows
        spliced into a saved sheet."""
        return {f._get_xf_index(): self.quoted(f)._get_xf_index() for f in formats}


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
