"""A matplotlib figure as an SVG chart to inline in a report page (:class:`Chart`,
:func:`inline_chart`), and the style, sizes and colours every chart of the reports shares.

The SVG is made fit to sit inline in a page: the XML prologue and metadata dropped, every id
prefixed with the chart's own (a page has several charts), and ``role="img"`` with a text
alternative, escaped as an attribute.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

WIDTH = 7.0  # inches: the text width of an A4 page with 15 mm margins
INK = "#1A1A1A"
GRID = "#BFBFBF"
MEDIAN_ALL = "#595959"
MEDIAN_REGION = "#B45F06"
STYLE: dict[RcKeyType, Any] = {
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


def fonts(font: str) -> list[str]:
    """The brand font, then metric-compatible and always-present fallbacks, that matplotlib
    has (it measures the text with the first one it finds)."""
    from matplotlib import font_manager

    known = {entry.name for entry in font_manager.fontManager.ttflist}
    wanted = [font, "Arial", "Liberation Sans", "Helvetica", "DejaVu Sans"]
    return [name for name in dict.fromkeys(wanted) if name in known] or ["DejaVu Sans"]


def new_figure(height: float) -> Figure:
    """A figure a page's text width wide and ``height`` inches high."""
    return Figure(figsize=(WIDTH, height), layout=None)


def svg_text(figure: Figure, prefix: str) -> str:
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


def inline_chart(figure: Figure, chart_id: str, alt: str) -> Chart:
    """The figure as one inline SVG image, named by its text alternative."""
    text = svg_text(figure, chart_id).replace(
        "<svg ", f'<svg id="{chart_id}" role="img" aria-label="{escape(alt)}" ', 1
    )
    return Chart(chart_id, Markup(text), alt)


def legend(axes, handles, columns: int) -> None:
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


def percent_axis(axes) -> None:
    axes.set_xlim(0, 100)
    axes.set_xticks(range(0, 101, 20), [f"{x}%" for x in range(0, 101, 20)])
    axes.xaxis.grid(True, color=GRID, linewidth=0.5)
    axes.set_axisbelow(True)
    for side in ("top", "right", "left"):
        axes.spines[side].set_visible(False)
