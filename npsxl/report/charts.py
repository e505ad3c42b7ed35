"""The reports' charts, drawn with matplotlib and inlined in the HTML as SVG (:class:`Charts`).

Each chart is drawn on its own :class:`~matplotlib.figure.Figure` with the SVG canvas (no
pyplot, so no global state), text kept as text (``svg.fonttype: none``) so that it is
selectable, searchable and read in the page's font, and made an SVG to inline in a page by
:mod:`npsxl.report.chart_svg`. The council chart, drawn for hundreds of councils, is two
such SVGs one over the other, under one image role: the axes and names, drawn once per
region, and the council's points. Every chart has a
table of its data beside it in the page; the chart only draws what the table says.

Only model and register text (item, level and region names) and figures are drawn, never
council-typed text; matplotlib escapes it, and reads no ``$`` as mathematics. A text
alternative may name the council: it is escaped as an attribute.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, Any

import matplotlib
import matplotlib.patches
import numpy as np
from markupsafe import Markup, escape
from matplotlib.collections import LineCollection

from npsxl.report.chart_svg import (
    GRID,
    MEDIAN_ALL,
    MEDIAN_REGION,
    STYLE,
    Chart,
    fonts,
    inline_chart,
    legend,
    new_figure,
    percent_axis,
    svg_text,
)
from npsxl.report.report_figures import CouncilReport, GroupFigures, ItemFigures, ItemMovement

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

LABEL_CHARACTERS = 28  # item names longer than this take two lines beside a pair of bars


class Charts:
    """The charts of one set of reports, in the brand's font and the levels' colours."""

    def __init__(self, levels: tuple[str, ...], level_colours: list[str], font: str):
        self.levels = levels
        self.colours = level_colours
        self.style: dict[RcKeyType, Any] = {**STYLE, "font.family": fonts(font)}
        self._council: _CouncilLayers | None = None

    def distribution(self, items: tuple[ItemFigures, ...], chart_id: str) -> Chart:
        """Per item, two 100 % bars: the share of councils at each level now, and as target."""
        with matplotlib.rc_context(self.style):
            rows = len(items)
            figure = new_figure(0.55 + 0.42 * rows)
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
                            y,
                            width,
                            left=left,
                            height=0.38,
                            color=self.colours[level],
                            edgecolor="white",
                            linewidth=0.6,
                        )
                        left += width
                    if not total:
                        axes.text(1, y, "no answers", va="center", fontsize=7.5)
                    positions.append(y)
                    labels.append(name)
                axes.text(
                    -0.13,
                    i + 0.21,
                    textwrap.fill(figures.item.name, LABEL_CHARACTERS),
                    transform=axes.get_yaxis_transform(),
                    ha="right",
                    va="center",
                    fontsize=8.5,
                    linespacing=1.0,
                )
            axes.set_yticks(positions, labels, fontsize=7.5)
            axes.tick_params(axis="y", length=0)
            axes.set_ylim(rows - 0.35, -0.35)
            percent_axis(axes)
            handles = [
                matplotlib.patches.Patch(color=colour, label=level)
                for level, colour in zip(self.levels, self.colours, strict=True)
            ]
            legend(axes, handles, len(self.levels))
            alt = (
                f"Bar chart of the share of councils at each level, now and as their target, "
                f"for each of {rows} items. The figures are in the table that follows."
            )
            return inline_chart(figure, chart_id, alt)

    def groups(
        self, groups: tuple[GroupFigures, ...], benchmark: str, title: str, chart_id: str
    ) -> Chart:
        """Per group, the share of item answers at the benchmark level or above, now and as
        target; a group with no returns says so."""
        with matplotlib.rc_context(self.style):
            rows = len(groups)
            height = 0.7 + 0.34 * rows
            figure = new_figure(height)
            axes = figure.add_axes((0.3, 0.42 / height, 0.66, 1 - 0.75 / height))
            now, target = self.colours[-1], self.colours[1]
            for i, group in enumerate(groups):
                if group.no_returns:
                    axes.text(1, i, "no returns", va="center", fontsize=7.5)
                    continue
                for offset, measure, colour in ((-0.17, "current", now), (0.17, "target", target)):
                    share = group.share_at_or_above(measure) or 0.0
                    axes.barh(
                        i + offset, share, height=0.32, color=colour, edgecolor=now, linewidth=0.5
                    )
            axes.set_yticks(range(rows), [g.name for g in groups])
            axes.tick_params(axis="y", length=0)
            axes.set_ylim(rows - 0.5, -0.5)
            percent_axis(axes)
            handles = [
                matplotlib.patches.Patch(facecolor=now, edgecolor=now, label="now"),
                matplotlib.patches.Patch(facecolor=target, edgecolor=now, label="target"),
            ]
            legend(axes, handles, 2)
            alt = (
                f"Bar chart of the share of answers at {benchmark} or above, now and as "
                f"target, by {title.lower()}. The figures are in the table that follows."
            )
            return inline_chart(figure, chart_id, alt)

    def movement(self, moves: tuple[ItemMovement, ...], previous: str, chart_id: str) -> Chart:
        """Per item, the share of councils compared that moved up, stayed or moved down."""
        with matplotlib.rc_context(self.style):
            rows = len(moves)
            height = 0.75 + 0.26 * rows
            figure = new_figure(height)
            axes = figure.add_axes((0.36, 0.42 / height, 0.62, 1 - 0.78 / height))
            kinds = (("up", self.colours[-1]), ("same", "#D9D9D9"), ("down", "#C0504D"))
            for i, move in enumerate(moves):
                left = 0.0
                for kind, colour in kinds:
                    count = getattr(move, kind)
                    width = 100.0 * count / move.compared if move.compared else 0.0
                    axes.barh(
                        i,
                        width,
                        left=left,
                        height=0.7,
                        color=colour,
                        edgecolor="white",
                        linewidth=0.6,
                    )
                    left += width
                if not move.compared:
                    axes.text(1, i, "not comparable", va="center", fontsize=7.5)
            names = [m.item.name if m.item else "All items" for m in moves]
            axes.set_yticks(range(rows), names)
            axes.tick_params(axis="y", length=0)
            axes.set_ylim(rows - 0.5, -0.5)
            percent_axis(axes)
            handles = [matplotlib.patches.Patch(color=c, label=k) for k, c in kinds]
            legend(axes, handles, 3)
            alt = (
                f"Bar chart of the share of councils whose current level moved up, stayed the "
                f"same or moved down since round {previous}, for each item. The figures are "
                "in the table that follows."
            )
            return inline_chart(figure, chart_id, alt)

    def council(self, council: CouncilReport, chart_id: str) -> Chart:
        """Per item, the council's current and target level joined by a line, with the
        median current level of its region and of all councils just below each.

        Drawn in two layers, one over the other, of the same size and scales: the axes,
        item and level names and legend, drawn once per region and kept, and the points,
        drawn for each council. The points alone cost a fifth of the whole chart, and there
        are hundreds of councils."""
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


class _CouncilLayers:
    """The two layers of the council chart: item names down, levels across.

    The background has the axes, the names, the grid and the legend (whose region label
    changes); the points layer has, on axes of the same place and scales but drawn
    invisible, the current levels, the targets, the lines between them, and the medians of
    all councils and of the region."""

    def __init__(self, names: tuple[str, ...], levels: tuple[str, ...], colours: list[str]):
        self.names = names
        self.levels = levels
        self.rows = rows = len(names)
        self.height = 0.75 + 0.26 * rows
        self.dark, self.light = colours[-1], colours[1]
        self._backgrounds: dict[str, str] = {}
        self.figure, self.axes, self.sets, self.lines = self._figure()
        self.axes.set_axis_off()
        self.figure.patch.set_visible(False)
        self.notes: list = []

    def _figure(self):
        """A figure with the axes and the (empty) sets of points, as both layers have them."""
        figure = new_figure(self.height)
        axes = figure.add_axes((0.36, 0.45 / self.height, 0.6, 1 - 0.85 / self.height))
        axes.set_ylim(self.rows - 0.4, -0.6)
        axes.set_xlim(0.6, len(self.levels) + 0.4)
        lines = LineCollection([], colors=self.dark, linewidths=1.4, zorder=2)
        axes.add_collection(lines)
        empty = np.empty(0)
        sets = [
            axes.scatter(
                empty,
                empty,
                marker="o",
                s=40,
                color=self.dark,
                label="your current level",
                zorder=5,
            ),
            axes.scatter(
                empty,
                empty,
                marker="o",
                s=85,
                facecolor=self.light,
                edgecolor=self.dark,
                linewidth=1.4,
                label="your target",
                zorder=4,
            ),
            axes.scatter(
                empty,
                empty,
                marker="D",
                s=14,
                color=MEDIAN_ALL,
                label="all councils (median now)",
                zorder=3,
            ),
            axes.scatter(
                empty,
                empty,
                marker="|",
                s=60,
                linewidths=1.6,
                color=MEDIAN_REGION,
                label="region (median now)",
                zorder=3,
            ),
        ]
        return figure, axes, sets, lines

    def background(self, region: str, prefix: str) -> str:
        """The background layer for councils of ``region`` (drawn once per region)."""
        if region not in self._backgrounds:
            figure, axes, sets, _lines = self._figure()
            axes.set_yticks(range(self.rows), self.names)
            axes.tick_params(axis="y", length=0)
            axes.set_xticks(range(1, len(self.levels) + 1), self.levels)
            axes.xaxis.grid(True, color=GRID, linewidth=0.5)
            axes.set_axisbelow(True)
            for side in ("top", "right", "left"):
                axes.spines[side].set_visible(False)
            sets[3].set_label(f"{region} (median now)")
            legend(axes, sets, 2)
            self._backgrounds[region] = svg_text(figure, prefix)
        return self._backgrounds[region].replace("<svg ", '<svg aria-hidden="true" ', 1)

    def points(self, council: CouncilReport, prefix: str) -> str:
        """The points layer of one council."""
        scores: list[list[float | None]] = [
            [e.current_score for e in council.items],
            [e.target_score for e in council.items],
            [e.everyone.score for e in council.items],
            [e.region.score for e in council.items],
        ]
        for points, values, offset in zip(self.sets, scores, (-0.06, -0.06, 0.3, 0.3), strict=True):
            offsets = [(v, i + offset) for i, v in enumerate(values) if v]
            points.set_offsets(np.array(offsets, dtype=float).reshape(-1, 2))
        self.lines.set_segments(
            [
                [(a, i - 0.06), (b, i - 0.06)]
                for i, (a, b) in enumerate(zip(scores[0], scores[1], strict=True))
                if a and b
            ]
        )
        for text in self.notes:
            text.remove()
        self.notes = [
            self.axes.text(1, i, "not answered", va="center", fontsize=7.5)
            for i, e in enumerate(council.items)
            if e.current_score is None and e.target_score is None
        ]
        svg = svg_text(self.figure, prefix)
        return svg.replace("<svg ", '<svg class="layer" aria-hidden="true" ', 1)
