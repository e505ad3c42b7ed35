"""The coordinator's summary workbook: response, national and regional pictures, charts, data.

:func:`write_summary_workbook` writes one branded .xlsx from a
:class:`~npsxl.collation.Collation`. Every figure comes from the collation's frames
(:meth:`~npsxl.collation.Collation.summary`, :meth:`~npsxl.collation.Collation.item_stats`,
:meth:`~npsxl.collation.Collation.response`), so the workbook and the CSV files agree.

Text supplied by councils (evidence, actions, names, file paths, problem messages) is
untrusted: it is always written as a string cell, and
:func:`~npsxl.sheet_rows.safe_text` prefixes text that a spreadsheet would take for a
formula with a single quote. The workbook holds no hyperlinks and no formulas built from
council text. The long tables (Data, Returns log, the trends' council table) are spliced in
as XML by :mod:`npsxl.sheet_rows`.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter

from . import __version__
from .atomic import atomic_path
from .collation import Collation
from .columns import (
    ALL_COUNCILS,
    ALL_ITEMS,
    ALL_ITEMS_NAME,
    ANSWERS_COLUMNS,
    MEASURES,
    SCORE_COLUMNS,
)
from .counting import item_theme, version_label
from .model import Model
from .sheet_rows import (
    DataRows,
    TextRows,
    row_height,
    safe_text,
    splice_rows,
    text_lines,
)

WORKBOOK_OPTIONS = {
    "in_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}
BOLD = 0.92  # bold text is wider
MAX_PROBLEMS_SHOWN = 12
NUMBER_WIDTH = 8.5
LABEL_WIDTH = 34
THEME_WIDTH = 20
CHART_HEIGHT_ROWS = 20  # a chart takes this many default (15pt) rows
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


def _header_text(text: str) -> str:
    """Escape text for a page header or footer, where '&' starts a code."""
    return text.replace("&", "&&")


def _blend(colour: str, share: float) -> str:
    """``colour`` mixed with white: share 1 is the colour itself, 0 is white."""
    channels = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    mixed = [round(255 - (255 - c) * share) for c in channels]
    return "#" + "".join(f"{c:02X}" for c in mixed)


def level_palette(model: Model) -> list[str]:
    """One fill per level, light to dark, from the brand's header colour."""
    count = len(model.levels)
    base = model.brand.colours["header"].background
    return [_blend(base, 0.14 + 0.86 * i / max(count - 1, 1)) for i in range(count)]


def _number(value) -> float | None:
    if value is None or pd.isna(value):
        return None
    return float(value)


# --- formats ------------------------------------------------------------------------------------
class _Formats:
    """Cell formats from the model's brand: every text/fill pair is a brand colour pair."""

    def __init__(self, wb, model: Model):
        brand = model.brand
        colours = brand.colours
        base = {"font_name": brand.font, "font_size": 10, "valign": "top"}

        def fmt(**props):
            return wb.add_format({**base, **props})

        def pair(role):
            return {"bg_color": colours[role].background, "font_color": colours[role].text}

        border = {"border": 1, "border_color": "#808080"}
        self.brand_bar = fmt(bold=True, font_size=12, valign="vcenter", **pair("header"))
        self.title = fmt(bold=True, font_size=16, font_color=colours["header"].background)
        self.subtitle = fmt(bold=True, font_size=12, font_color=colours["header"].background)
        self.line = fmt()
        self.note = fmt(text_wrap=True, **pair("muted"))
        self.text = fmt(text_wrap=True)
        self.label = fmt(bold=True, text_wrap=True)
        heading = {
            "bold": True,
            "text_wrap": True,
            "valign": "vcenter",
            "border": 1,
            "border_color": "#FFFFFF",
        }
        self.header = fmt(**heading, align="center", **pair("header"))
        self.header_left = fmt(**heading, **pair("header"))
        self.group_header = fmt(**heading, align="center", **pair("theme"))
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
            "accepted": fmt(text_wrap=True, **pair("chosen"), **border),
            "accepted with warnings": fmt(text_wrap=True, **pair("input"), **border),
            "rejected": fmt(text_wrap=True, bold=True, **pair("warning"), **border),
        }
        self.moved_up = wb.add_format(pair("chosen"))  # conditional formats (movement)
        self.moved_down = wb.add_format(pair("warning"))
        # Data sheet formats: distinct from every other format, so each gets its own index
        self.data_text = fmt(text_wrap=True, align="left")
        self.data_integer = fmt(num_format="0", align="center")
        self.data_header = fmt(bold=True, text_wrap=True, valign="vcenter", **pair("header"))
        self.heat_scale = {
            "type": "3_color_scale",
            "min_type": "num",
            "min_value": 1,
            "min_color": colours["warning"].background,
            "mid_type": "num",
            "mid_value": (len(model.levels) + 1) / 2,
            "mid_color": colours["input"].background,
            "max_type": "num",
            "max_value": len(model.levels),
            "max_color": colours["chosen"].background,
        }


# --- entry point --------------------------------------------------------------------------------
def write_summary_workbook(collation: Collation, path: str | Path, *, force: bool = True) -> Path:
    """Write the summary workbook for ``collation`` to ``path`` (atomically) and return the path.

    Raises :class:`npsxl.errors.OutputError` if the file exists and ``force`` is False, or
    cannot be written.
    """
    with atomic_path(path, force=force) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), WORKBOOK_OPTIONS)
        writer = _SummaryWriter(wb, collation)
        writer.write()
        wb.close()
        splice_rows(tmp, writer.tables)
    return Path(path)


class _SummaryWriter:
    """Writes every sheet of one summary workbook."""

    def __init__(self, wb, collation: Collation):
        self.wb = wb
        self.c = collation
        self.model = collation.model
        self.f = _Formats(wb, self.model)
        self.palette = level_palette(self.model)
        self.used_names: set[str] = set()
        self.widths: dict[str, list[float]] = {}
        self.items = list(self.model.items)
        self.labels = [f"{item.id}  {item.name}" for item in self.items]
        self.themes = [item_theme(item) for item in self.items]
        self.level_names = list(self.model.level_names)
        brand = self.model.brand
        self.footer = (
            f"&L{_header_text(brand.organisation)}&CPage &P of &N"
            f"&R{_header_text(brand.strategy_short_name)} returns summary"
        )
        self.contents: list[tuple[str, str]] = []
        self.data_rows = DataRows()
        self.trend_rows = DataRows()
        self.log_rows = TextRows()
        self.tables = [self.data_rows, self.trend_rows, self.log_rows]
        self._shares_cache: dict = {}
        self._stats_cache: dict = {}

    # -- figures -------------------------------------------------------------------------------
    def shares(self, by: str | None) -> tuple[list[str], np.ndarray]:
        """(groups, percent array [group, item, measure, level]) from the summary frame."""
        if by not in self._shares_cache:
            summary = self.c.summary(by)
            groups = self.c.groups(by)
            shape = (len(groups), len(self.items), len(MEASURES), len(self.level_names))
            self._shares_cache[by] = groups, summary["percent"].to_numpy().reshape(shape)
        return self._shares_cache[by]

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
    def sheet(self, title: str, description: str, widths: list[float]):
        """A new, print-ready sheet with column widths, the brand bar and a title."""
        name = sheet_name(title, self.used_names)
        ws = self.wb.add_worksheet(name)
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

    def paragraph(self, ws, row: int, text: str, fmt=None, first_col: int = 0) -> int:
        """Wrapped text across the sheet's columns from ``first_col``; returns the next row."""
        widths = self.widths[ws.get_name()][first_col:]
        fmt = fmt or self.f.text
        if len(widths) > 1:
            ws.merge_range(
                row, first_col, row, len(self.widths[ws.get_name()]) - 1, safe_text(text), fmt
            )
        else:
            ws.write_string(row, first_col, safe_text(text), fmt)
        ws.set_row(row, row_height(text_lines(text, sum(widths))))
        return row + 1

    def header_row(self, ws, row: int, headers, first_col: int = 0, fmt=None) -> None:
        fmt = fmt or self.f.header
        lines = max(
            text_lines(h, self.widths[ws.get_name()][first_col + i])
            for i, h in enumerate(headers)
            if h
        )
        ws.set_row(row, row_height(lines) + 4)
        for i, header in enumerate(headers):
            ws.write_string(row, first_col + i, header, fmt)

    def value(self, ws, row: int, col: int, value, fmt) -> None:
        """A number, or a blank cell when there is none."""
        number = _number(value)
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

    def fit_rows(self, ws, row: int, texts) -> None:
        """Set a row's height for the wrapped (text, width) pairs in it."""
        lines = max((text_lines(t, w) for t, w in texts if t), default=1)
        if lines > 1:
            ws.set_row(row, row_height(lines))

    # -- the workbook --------------------------------------------------------------------------
    def write(self) -> None:
        overview = self.sheet(
            "Overview", "Response by region, and what is in this workbook", [30] + [11] * 7
        )
        self.figures_sheet(None, ALL_COUNCILS, "National")
        regions = self.c.register.regions if self.c.register is not None else []
        for region in self.c.groups("region"):
            if region in regions:
                self.figures_sheet("region", region, region)
        for by in ("council_type", *self.c.group_by):
            self.group_sheet(by)
        self.means_sheet()
        self.heat_map()
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

    # -- overview ------------------------------------------------------------------------------
    def overview(self, ws) -> None:
        f, model = self.f, self.model
        ws.write_string(2, 0, f"{model.title}: summary of the self-assessment returns", f.line)
        row = self.paragraph(ws, 3, self.c.summary_text())
        row += 1
        latest = self.c.latest_round
        title = f"Returns by region, round {latest}" if latest else "Returns by region"
        ws.write_string(row, 0, safe_text(title), f.subtitle)
        row += 1
        headers = [
            "Region",
            "Expected (councils in the register)",
            "Files received",
            "Accepted",
            "Rejected",
            "Superseded",
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
            ws.write_string(row, 0, safe_text(record.region), f.total_text if total else f.cell)
            for col, value in enumerate(record[1:7], start=1):
                self.value(ws, row, col, value, f.total_integer if total else f.integer)
            self.value(ws, row, 7, record.response_rate, f.total_decimal if total else f.decimal)
        row += 2
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
            ("Register", self.c.register.source if self.c.register is not None else "none"),
            ("Files read", str(len(self.c.returns))),
        ]
        for label, text in facts:
            row += 1
            ws.write_string(row, 0, label, f.label)
            self.paragraph(ws, row, safe_text(text), f.text, first_col=1)
        row = self.versions_table(ws, row + 2)
        row += 2
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
            f"Levels are scored {levels}. The gap is the target level "
            "minus the current level. Only accepted returns count, and only the "
            "most recent return from each council in each round; the Returns log says "
            "what became of every file. Returns made with an older version of the model "
            "count under the current key areas and enablers where the model's lineage "
            "keeps them comparable (see the Versions sheet when there is one).",
            f.note,
        )
        ws.print_area(0, 0, row, len(self.widths[ws.get_name()]) - 1)

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
            ws.write_string(row, 0, safe_text(record.model_version), f.cell)
            ws.write_string(row, 1, safe_text(record.round or "not known"), f.cell)
            ws.write_number(row, 2, record.returns, f.integer)
            self.paragraph(ws, row, safe_text(use), f.cell, first_col=3)
        return row

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
        ws.set_row(top, 18)
        ws.set_row(top + 1, 18)
        ws.freeze_panes(top + 2, 1)
        row = top + 2
        for i in range(len(self.items)):
            ws.write_string(row + i, 0, self.labels[i], f.cell_bold)
            ws.write_string(row + i, 1, self.themes[i], f.cell)
            self.fit_rows(
                ws, row + i, [(self.labels[i], LABEL_WIDTH * BOLD), (self.themes[i], THEME_WIDTH)]
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
            ws.set_row(top, 18)
            ws.set_row(top + 1, 30)
            row = top + 2
        else:
            self.header_row(ws, top, ["Key area or enabler", "Theme", *headers])
            row = top + 1
        sources = [self.stats(by)[group]] + ([self.stats(None)[ALL_COUNCILS]] if compare else [])
        for i, item in enumerate(self.items):
            ws.write_string(row, 0, self.labels[i], f.cell_bold)
            ws.write_string(row, 1, self.themes[i], f.cell)
            texts = [(self.labels[i], LABEL_WIDTH * BOLD), (self.themes[i], THEME_WIDTH)]
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

    @staticmethod
    def px(width: float) -> int:
        """A column width in pixels, as Excel computes it for the default font."""
        return int(width * 7 + 5)

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
                    (safe_text(record.group), 22 * BOLD),
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
            self.fit_rows(ws, row, [(safe_text(record.group), 22 * BOLD)])
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
            texts = [safe_text(label), safe_text(how), safe_text(", ".join(rounds.get(label, [])))]
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
                texts = [safe_text(t) for t in texts]
                for col, text in enumerate(texts):
                    self.text(ws, row, col, text, f.cell)
                self.fit_rows(ws, row, zip(texts, widths, strict=False))
        row += 2
        latest = self.c.latest_round
        title = "Reported per version only" + (f" (round {latest})" if latest else "")
        ws.write_string(row, 0, safe_text(title), f.subtitle)
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
                    safe_text(record.model_version),
                    safe_text(f"{record.item_id}  {record.item_name}".strip()),
                    safe_text(record.change.replace("_", " ")),
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
        widths = [w for _, _, w in table]
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
        self.header_row(ws, header, ["Key area or enabler", *(safe_text(g) for g in groups)])
        for i, item in enumerate(items):
            row = header + 1 + i
            total = item is None
            label = ALL_ITEMS_NAME if total else f"{item.id}  {item.name}"
            item_id = ALL_ITEMS if total else item.id
            ws.write_string(row, 0, label, f.total_text if total else f.cell_bold)
            self.fit_rows(ws, row, [(label, widths[0] * BOLD)])
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
            ws.write_string(row, 0, safe_text(group), f.total_text if total else f.cell_bold)
            self.fit_rows(ws, row, [(safe_text(group), widths[0] * BOLD)])
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
        ws.set_row(header, 30)
        for col, (_, title, _) in enumerate(table):
            ws.write_string(header, col, title, f.data_header)
        rows = self.trend_rows
        columns = [name for name, _, _ in table]
        rows.sheet_index, rows.frame = ws.index, self.c.trends[columns]
        rows.first_row, rows.widths = header + 1, [w for _, _, w in table]
        rows.numeric, rows.columns = set(), len(widths)
        rows.text_format, rows.number_format = f.data_text, f.data_integer
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
        colours = [_blend(self.palette[-1], 1.0 - 0.7 * i / steps) for i in range(len(charted))]
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
        ws.insert_chart(row, 0, chart, {"description": safe_text(alt), "object_position": 1})
        return row + math.ceil(height / 20) + 1

    # -- returns log, not returned, data -------------------------------------------------------
    def returns_log(self) -> None:
        """Every input file once: path, status, council, model, completeness, problems."""
        f = self.f
        widths = [30, 13, 22, 11, 14, 12, 8, 9, 11, 44]
        ws = self.sheet(
            "Returns log",
            "Every file read, once: its status, council, model, completeness, whether it "
            "counted, and every problem found",
            widths,
        )
        ws.write_string(
            2,
            0,
            "Counted: 'yes', 'superseded' (a newer return from the same "
            "council in the same round counts instead) or 'rejected' (see the problems).",
            f.line,
        )
        header = 4
        self.header_row(
            ws,
            header,
            [
                "File",
                "Status",
                "Council",
                "Code",
                "Region",
                "Model",
                "Round",
                "Complete",
                "Counted",
                "Problems",
            ],
        )
        ws.repeat_rows(header)
        ws.freeze_panes(header + 1, 1)
        row = header
        log = self.c.log
        rows = self.log_rows
        rows.sheet_index, rows.first_row, rows.widths = ws.index, header + 1, widths
        # the formats' indexes, as xlsxwriter gives them to the formats of the cells it writes
        cell_style = f.cell._get_xf_index()
        styles = {text: fmt._get_xf_index() for text, fmt in f.status.items()}
        for ret, record in zip(self.c.returns, log.itertuples(index=False), strict=True):
            row += 1
            model = f"{record.model_id} {record.model_version}".strip()
            problems = self.problem_lines(ret)
            texts = [
                safe_text(record.source_file),
                record.status,
                safe_text(record.council_name),
                safe_text(record.council_code),
                safe_text(record.region),
                safe_text(model),
                safe_text(record.round),
                f"{record.complete} of {record.items}",
                record.counted,
                problems,
            ]
            status = styles.get(texts[1], cell_style)
            rows.records.append((texts, [cell_style, status] + [cell_style] * (len(texts) - 2)))
        ws.autofilter(header, 0, max(row, header), len(widths) - 1)
        ws.print_area(0, 0, row, len(widths) - 1)

    def problem_lines(self, ret) -> str:
        """A return's problems, one per line, without the repeated file name; at most a dozen."""
        prefix = f"{ret.path}: "
        lines = [str(p).removeprefix(prefix) for p in ret.problems]
        if len(lines) > MAX_PROBLEMS_SHOWN:
            more = len(lines) - MAX_PROBLEMS_SHOWN
            lines = lines[:MAX_PROBLEMS_SHOWN] + [f"... and {more} more (see returns.csv)"]
        return safe_text("\n".join(lines))

    def not_returned(self) -> None:
        """Register councils with no accepted return."""
        f = self.f
        register = self.c.register
        extras = list(register.extra_columns) if register is not None else []
        widths = [12, 36, 24, 20] + [16] * len(extras)
        ws = self.sheet("Not returned", "Councils in the register with no accepted return", widths)
        missing = self.c.not_returned()
        if register is None:
            note = "No council register was given, so there is no list of expected councils."
        elif not missing:
            note = "Every council in the register has an accepted return."
        else:
            note = (
                f"{len(missing)} of {len(register)} councils in the register have no "
                "accepted return (a rejected return does not count)."
            )
        if register is not None and self.c.latest_round:
            note = note[:-1] + f" in round {self.c.latest_round}."
        note = safe_text(note)
        ws.write_string(2, 0, note, f.line)
        header = 4
        self.header_row(ws, header, ["Code", "Council", "Region", "Council type", *extras])
        ws.repeat_rows(header)
        ws.freeze_panes(header + 1, 0)
        row = header
        for council in missing:
            row += 1
            texts = [council.code, council.name, council.region, council.council_type]
            texts = [safe_text(t) for t in texts + [council.extra.get(e, "") for e in extras]]
            for col, text in enumerate(texts):
                self.text(ws, row, col, text, f.cell)
            self.fit_rows(ws, row, zip(texts, widths, strict=True))
        ws.print_area(0, 0, max(row, header), len(widths) - 1)

    def data_sheet(self) -> None:
        """The tidy answers table, one row per council per item, with an autofilter."""
        f = self.f
        widths = {
            "council_code": 11,
            "council_name": 20,
            "region": 13,
            "council_type": 12,
            "model_id": 9,
            "model_version": 12,
            "item_id": 6,
            "item_name": 20,
            "item_kind": 9,
            "theme": 14,
            "current_level": 10,
            "current_score": 7,
            "target_level": 10,
            "target_score": 7,
            "gap": 5,
            "evidence": 32,
            "actions": 32,
            "target_date": 11,
            "source_file": 24,
        }
        columns = list(ANSWERS_COLUMNS)
        width_list = [widths[c] for c in columns]
        ws = self.sheet(
            "Data",
            "The answers as a table: one row per council per key area or enabler, to filter, "
            "sort or pivot (the same as answers.csv)",
            width_list,
        )
        ws.write_string(
            2,
            0,
            "One row per council counted per key area or enabler; blank levels were not given. "
            "The columns are those of answers.csv. Use the filter buttons in the header row.",
            f.line,
        )
        header = 4
        ws.set_row(header, 30)
        for col, name in enumerate(columns):
            ws.write_string(header, col, name.replace("_", " "), f.data_header)
        ws.repeat_rows(header)
        ws.freeze_panes(header + 1, 0)
        rows = self.data_rows
        rows.sheet_index, rows.frame, rows.first_row = ws.index, self.c.answers[columns], header + 1
        rows.numeric = {i for i, c in enumerate(columns) if c in SCORE_COLUMNS}
        rows.widths = width_list
        rows.text_format, rows.number_format = f.data_text, f.data_integer
        for col, width in enumerate(width_list):  # column formats give both formats an index
            ws.set_column(col, col, width, f.data_integer if col in rows.numeric else f.data_text)
        row = header + len(rows.frame)
        ws.autofilter(header, 0, max(row, header), len(columns) - 1)
        ws.print_area(0, 0, max(row, header), len(columns) - 1)
