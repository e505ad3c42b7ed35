"""The reports' charts, drawn with matplotlib and inlined in the HTML as SVG (:class:`Chart`).

Each chart is drawn on its own :class:`~matplotlib.figure.Figure` with the SVG canvas (no
pyplot, so no global state), text kept as text (``svg.fonttype: none``) so that it is
selectable, searchable and read in the page's font. The SVG is then made fit to sit inline
in a page: the XML prologue and metadata dropped, every id prefixed with the chart's own (a
page has several charts), and ``role="img"`` with a text alternative. The council chart,
drawn for hundreds of councils, is two such SVGs one over the other, under one image role:
the axes and names, drawn once per region by matplotlib, and the council's points, written
as SVG shapes placed by the same axes. Every chart has a
table of its data beside it in the page; the chart only draws what the table says.

Only model and register text (item, level and region names) and figures are drawn, never
council-typed text; matplotlib escapes it, and reads no ``$`` as mathematics. A text
alternative may name the council: it is escaped as an attribute.
"""

from __future__ import annotations

import io
import re
import textwrap
from dataclasses import dataclass

import matplotlib
import matplotlib.patches
import numpy as np
from markupsafe import Markup, escape
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure

from npsxl.report.report_figures import CouncilReport, GroupFigures, ItemFigures, ItemMovement

WIDTH = 7.0  # inches: the text width of an A4 page with 15 mm margins
LABEL_CHARACTERS = 28  # item names longer than this take two lines beside a pair of bars
INK = "#1A1A1A"
GRID = "#BFBFBF"
MEDIAN_ALL = "#595959"
MEDIAN_REGION = "#B45F06"
# the council chart's symbols: areas in square points, as matplotlib's scatter takes them
CURRENT_S, TARGET_S, DIAMOND_S, TICK_S = 40, 85, 14, 60
_STYLE = {
    "svg.fonttype": "none",
    "svg.hashsalt": "npsxl",
    "text.parse_math": False,
    "font.size": 8.5,
    "axes.edgecolor": GRID,
    "axes.labelcolor": INK,
    "xtick.color": INK,
    "ytick.color": INK,
    "text.color": INK,
}
_ID = re.compile(r'\bid="([^"]+)"')
_REF = re.compile(r'(url\(#|href="#)([^)"]+)')


@dataclass(frozen=True)
class Chart:
    """An SVG chart ready to inline (``svg`` is markup) and its short text alternative."""

    id: str
    svg: Markup
    alt: str


def _fonts(font: str) -> list[str]:
    """The brand font, then metric-compatible and always-present fallbacks, that matplotlib
    has (it measures the text with the first one it finds)."""
    from matplotlib import font_manager

    known = {entry.name for entry in font_manager.fontManager.ttflist}
    wanted = [font, "Arial", "Liberation Sans", "Helvetica", "DejaVu Sans"]
    return [name for name in dict.fromkeys(wanted) if name in known] or ["DejaVu Sans"]


def _figure(height: float) -> Figure:
    return Figure(figsize=(WIDTH, height), layout=None)


def _svg_text(figure: Figure, prefix: str) -> str:
    """The figure as SVG to inline: no prologue or metadata, no fixed size (it scales to
    the width of its box), every id prefixed with ``prefix``."""
    buffer = io.StringIO()
    FigureCanvasSVG(figure).print_svg(buffer, metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    text = re.sub(r"<metadata>.*?</metadata>\s*", "", text, flags=re.S)
    text = _ID.sub(lambda m: f'id="{prefix}-{m.group(1)}"', text)
    text = _REF.sub(lambda m: f"{m.group(1)}{prefix}-{m.group(2)}", text)
    text = re.sub(r'<svg ([^>]*?)width="[^"]*" height="[^"]*"', r"<svg \1", text, count=1)
    return text.replace("<svg ", '<svg focusable="false" ', 1)


def _svg(figure: Figure, chart_id: str, alt: str) -> Chart:
    """The figure as one inline SVG image, named by its text alternative."""
    text = _svg_text(figure, chart_id).replace(
        "<svg ", f'<svg id="{chart_id}" role="img" aria-label="{escape(alt)}" ', 1
    )
    return Chart(chart_id, Markup(text), alt)


def _legend(axes, handles, columns: int) -> None:
    axes.legend(
        handles=handles,
        loc="lower left",
        bbox_to_anchor=(0, 1.0),
        ncols=columns,
        frameon=False,
        handlelength=1.2,
        columnspacing=1.2,
        borderaxespad=0.3,
    )


def _percent_axis(axes) -> None:
    axes.set_xlim(0, 100)
    axes.set_xticks(range(0, 101, 20), [f"{x}%" for x in range(0, 101, 20)])
    axes.xaxis.grid(True, color=GRID, linewidth=0.5)
    axes.set_axisbelow(True)
    for side in ("top", "right", "left"):
        axes.spines[side].set_visible(False)


class Charts:
    """The charts of one set of reports, in the brand's font and the levels' colours."""

    def __init__(self, levels: tuple[str, ...], level_colours: list[str], font: str):
        self.levels = levels
        self.colours = level_colours
        self.style = {**_STYLE, "font.family": _fonts(font)}
        self._council: _CouncilLayers | None = None

    def distribution(self, items: tuple[ItemFigures, ...], chart_id: str) -> Chart:
        """Per item, two 100 % bars: the share of councils at each level now, and as target."""
        with matplotlib.rc_context(self.style):
            rows = len(items)
            figure = _figure(0.55 + 0.42 * rows)
            axes = figure.add_axes((0.36, 0.4 / (0.55 + 0.42 * rows), 0.62, 0.94 - 0.9 / rows))
            positions, labels = [], []
            for i, figures in enumerate(items):
                for j, (name, counts) in enumerate(
                    (("now", figures.current), ("target", figures.target))
                ):
                    y = i * 1.0 + j * 0.42
                    total = sum(counts)
                    left = 0.0
                    for level, count in enumerate(counts):
                        width = 100.0 * count / total if total else 0.0
                        axes.barh(
                            y, width, left=left, height=0.38, color=self.colours[level],
                            edgecolor="white", linewidth=0.6,
                        )  # fmt: skip
                        left += width
                    if not total:
                        axes.text(1, y, "no answers", va="center", fontsize=7.5)
                    positions.append(y)
                    labels.append(name)
                axes.text(
                    -0.13, i + 0.21, textwrap.fill(figures.item.name, LABEL_CHARACTERS),
                    transform=axes.get_yaxis_transform(), ha="right", va="center",
                    fontsize=8.5, linespacing=1.0,
                )  # fmt: skip
            axes.set_yticks(positions, labels, fontsize=7.5)
            axes.tick_params(axis="y", length=0)
            axes.set_ylim(rows - 0.35, -0.35)
            _percent_axis(axes)
            handles = [
                matplotlib.patches.Patch(color=colour, label=level)
                for level, colour in zip(self.levels, self.colours, strict=True)
            ]
            _legend(axes, handles, len(self.levels))
            alt = (
                f"Bar chart of the share of councils at each level, now and as their target, "
                f"for each of {rows} items. The figures are in the table that follows."
            )
            return _svg(figure, chart_id, alt)

    def groups(
        self, groups: tuple[GroupFigures, ...], benchmark: str, title: str, chart_id: str
    ) -> Chart:
        """Per group, the share of item answers at the benchmark level or above, now and as
        target; a group with no returns says so."""
        with matplotlib.rc_context(self.style):
            rows = len(groups)
            height = 0.7 + 0.34 * rows
            figure = _figure(height)
            axes = figure.add_axes((0.3, 0.42 / height, 0.66, 1 - 0.75 / height))
            now, target = self.colours[-1], self.colours[1]
            for i, group in enumerate(groups):
                if group.no_returns:
                    axes.text(1, i, "no returns", va="center", fontsize=7.5)
                    continue
                for offset, measure, colour in ((-0.17, "current", now), (0.17, "target", target)):
                    share = group.share_at_or_above(measure) or 0.0
                    axes.barh(i + offset, share, height=0.32, color=colour, edgecolor=now,
                              linewidth=0.5)  # fmt: skip
            axes.set_yticks(range(rows), [g.name for g in groups])
            axes.tick_params(axis="y", length=0)
            axes.set_ylim(rows - 0.5, -0.5)
            _percent_axis(axes)
            handles = [
                matplotlib.patches.Patch(facecolor=now, edgecolor=now, label="now"),
                matplotlib.patches.Patch(facecolor=target, edgecolor=now, label="target"),
            ]
            _legend(axes, handles, 2)
            alt = (
                f"Bar chart of the share of answers at {benchmark} or above, now and as "
                f"target, by {title.lower()}. The figures are in the table that follows."
            )
            return _svg(figure, chart_id, alt)

    def movement(self, moves: tuple[ItemMovement, ...], previous: str, chart_id: str) -> Chart:
        """Per item, the share of councils compared that moved up, stayed or moved down."""
        with matplotlib.rc_context(self.style):
            rows = len(moves)
            height = 0.75 + 0.26 * rows
            figure = _figure(height)
            axes = figure.add_axes((0.36, 0.42 / height, 0.62, 1 - 0.78 / height))
            kinds = (("up", self.colours[-1]), ("same", "#D9D9D9"), ("down", "#C0504D"))
            for i, move in enumerate(moves):
                left = 0.0
                for kind, colour in kinds:
                    count = getattr(move, kind)
                    width = 100.0 * count / move.compared if move.compared else 0.0
                    axes.barh(i, width, left=left, height=0.7, color=colour, edgecolor="white",
                              linewidth=0.6)  # fmt: skip
                    left += width
                if not move.compared:
                    axes.text(1, i, "not comparable", va="center", fontsize=7.5)
            names = [m.item.name if m.item else "All items" for m in moves]
            axes.set_yticks(range(rows), names)
            axes.tick_params(axis="y", length=0)
            axes.set_ylim(rows - 0.5, -0.5)
            _percent_axis(axes)
            handles = [matplotlib.patches.Patch(color=c, label=k) for k, c in kinds]
            _legend(axes, handles, 3)
            alt = (
                f"Bar chart of the share of councils whose current level moved up, stayed the "
                f"same or moved down since round {previous}, for each item. The figures are "
                "in the table that follows."
            )
            return _svg(figure, chart_id, alt)

    def council(self, council: CouncilReport, chart_id: str) -> Chart:
        """Per item, the council's current and target level joined by a line, with the
        median current level of its region and of all councils just below each.

        Drawn in two layers, one over the other, of the same size and scales: the axes,
        item and level names and legend, drawn once per region and kept, and the points,
        written for each council (a few milliseconds, where matplotlib took a fifth of a
        whole chart to draw them), for hundreds of councils."""
        with matplotlib.rc_context(self.style):
            names = tuple(e.item.name for e in council.items)
            if self._council is None or self._council.names != names:
                self._council = _CouncilLayers(names, self.levels, self.colours)
            layers = self._council
            background = layers.background(council.region, f"{chart_id}-axes")
            points = layers.points(council, f"{chart_id}-points")
        alt = (
            f"Chart of {council.name}'s current and target level for each of "
            f"{len(council.items)} items, with the median current level of its region and "
            "of all councils. The figures are in the table that follows."
        )
        markup = (
            f'<div class="layers" id="{chart_id}" role="img" aria-label="{escape(alt)}">'
            f"{background}{points}</div>"
        )
        return Chart(chart_id, Markup(markup), alt)


def _line(path: str, colour: str, width: float) -> str:
    return f'<path d="{path}" stroke="{colour}" stroke-width="{width}" fill="none"/>'


def _circle(centre: tuple[float, float], area: float, fill: str, edge: str, width: float) -> str:
    """A scatter point of ``area`` square points (matplotlib's ``s``) as an SVG circle."""
    x, y = centre
    return (
        f'<circle cx="{x:.2f}" cy="{y:.2f}" r="{area**0.5 / 2:.2f}" fill="{fill}" '
        f'stroke="{edge}" stroke-width="{width}"/>'
    )


class _CouncilLayers:
    """The two layers of the council chart: item names down, levels across.

    The background has the axes, the names, the grid and the legend (whose region label
    changes); the points layer, placed by the same axes, the current levels, the targets,
    the lines between them, and the medians of all councils and of the region."""

    def __init__(self, names: tuple[str, ...], levels: tuple[str, ...], colours: list[str]):
        self.names = names
        self.levels = levels
        self.rows = rows = len(names)
        self.height = 0.75 + 0.26 * rows
        self.dark, self.light = colours[-1], colours[1]
        self._backgrounds: dict[str, str] = {}
        self.figure, self.axes, _sets = self._figure()  # the points' places (not drawn)
        self.fonts = escape(", ".join(matplotlib.rcParams["font.family"]))
        self._place = None

    def _figure(self):
        """A figure with the axes and the (empty) sets of points, as both layers have them."""
        figure = _figure(self.height)
        axes = figure.add_axes((0.36, 0.45 / self.height, 0.6, 1 - 0.85 / self.height))
        axes.set_ylim(self.rows - 0.4, -0.6)
        axes.set_xlim(0.6, len(self.levels) + 0.4)
        empty = np.empty(0)
        sets = [
            axes.scatter(empty, empty, marker="o", s=CURRENT_S, color=self.dark,
                         label="your current level", zorder=5),
            axes.scatter(empty, empty, marker="o", s=TARGET_S, facecolor=self.light,
                         edgecolor=self.dark, linewidth=1.4, label="your target", zorder=4),
            axes.scatter(empty, empty, marker="D", s=DIAMOND_S, color=MEDIAN_ALL,
                         label="all councils (median now)", zorder=3),
            axes.scatter(empty, empty, marker="|", s=TICK_S, linewidths=1.6, color=MEDIAN_REGION,
                         label="region (median now)", zorder=3),
        ]  # fmt: skip
        return figure, axes, sets

    def background(self, region: str, prefix: str) -> str:
        """The background layer for councils of ``region`` (drawn once per region)."""
        if region not in self._backgrounds:
            figure, axes, sets = self._figure()
            axes.set_yticks(range(self.rows), self.names)
            axes.tick_params(axis="y", length=0)
            axes.set_xticks(range(1, len(self.levels) + 1), self.levels)
            axes.xaxis.grid(True, color=GRID, linewidth=0.5)
            axes.set_axisbelow(True)
            for side in ("top", "right", "left"):
                axes.spines[side].set_visible(False)
            sets[3].set_label(f"{region} (median now)")
            _legend(axes, sets, 2)
            self._backgrounds[region] = _svg_text(figure, prefix)
        return self._backgrounds[region].replace("<svg ", '<svg aria-hidden="true" ', 1)

    def points(self, council: CouncilReport, prefix: str) -> str:
        """The points layer of one council, written as SVG directly (matplotlib would take
        five times as long to draw the same shapes, for hundreds of councils): in the
        coordinates of the background's axes, in the same order and sizes as the legend's
        symbols. ``prefix`` is unused: the layer has no ids."""
        if self._place is None:
            self._place = self._placing()
        place, view = self._place
        rows = [
            (i, e.current_score, e.target_score, e.everyone.score, e.region.score)
            for i, e in enumerate(council.items)
        ]
        dark, light = self.dark, self.light
        shapes = []
        for i, now, target, _all, _region in rows:  # the lines first: under the points
            if now and target and now != target:
                (x1, y), (x2, _) = place(now, i - 0.06), place(target, i - 0.06)
                shapes.append(_line(f"M {x1:.2f} {y:.2f} H {x2:.2f}", dark, 1.4))
        diamond, tick = DIAMOND_S**0.5 / 2**0.5, TICK_S**0.5 / 2
        for i, _now, _target, everyone, region in rows:
            if everyone:
                x, y = place(everyone, i + 0.3)
                d = diamond
                outline = f"M {x:.2f} {y + d:.2f} l {d:.2f} {-d:.2f} l {-d:.2f} {-d:.2f} "
                shapes.append(
                    f'<path d="{outline}l {-d:.2f} {d:.2f} z" fill="{MEDIAN_ALL}" '
                    f'stroke="{MEDIAN_ALL}"/>'
                )
            if region:
                x, y = place(region, i + 0.3)
                shapes.append(
                    _line(f"M {x:.2f} {y - tick:.2f} v {2 * tick:.2f}", MEDIAN_REGION, 1.6)
                )
        for i, _now, target, _all, _region in rows:
            if target:
                shapes.append(_circle(place(target, i - 0.06), TARGET_S, light, dark, 1.4))
        for i, now, _target, _all, _region in rows:
            if now:
                shapes.append(_circle(place(now, i - 0.06), CURRENT_S, dark, dark, 1.0))
        for i, now, target, _all, _region in rows:
            if now is None and target is None:
                x, y = place(1, i)
                shapes.append(
                    f'<text x="{x:.2f}" y="{y:.2f}" dominant-baseline="central" '
                    f'font-size="7.5" fill="{INK}" font-family="{self.fonts}">'
                    "not answered</text>"
                )
        return (
            f'<svg class="layer" aria-hidden="true" focusable="false" viewBox="{view}" '
            f'xmlns="http://www.w3.org/2000/svg" version="1.1">{"".join(shapes)}</svg>'
        )

    def _placing(self):
        """(data -> SVG coordinates, the SVG's viewBox), from the axes both layers share."""
        dpi = self.figure.dpi
        width, height = (size * 72 for size in self.figure.get_size_inches())
        transform = self.axes.transData

        def place(x: float, y: float) -> tuple[float, float]:
            px, py = transform.transform((x, y))
            return px * 72 / dpi, height - py * 72 / dpi

        return place, f"0 0 {width:g} {height:g}"
