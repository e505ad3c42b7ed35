"""How much room text needs in a cell: wrapped lines and row heights for Excel and LibreOffice.

Neither xlsxwriter nor LibreOffice fits row heights to wrapped text, so the generator works
them out here from the real advance widths of Arial (metric-compatible with Liberation Sans,
which LibreOffice uses in its place), taking the larger of Excel's and LibreOffice's wrapping.
"""

from __future__ import annotations

import math

FONT_SIZE = 10
# Points per line of wrapped 10pt Arial: Excel lays lines out 12.75pt apart, LibreOffice 11.2pt.
LINE_HEIGHT = 12.75
LO_LINE_HEIGHT = 11.2
ROW_PADDING = 3.0

# --- text measurement -----------------------------------------------------------------------------
# Advance widths of ASCII 32..126 in Arial (= Liberation Sans), thousandths of an em, from the
# fonts' hmtx tables. Other characters count as a digit (556).
_ARIAL = (
    "277 277 354 556 556 889 666 190 333 333 389 583 277 333 277 277 556 556 556 556 556 556 556 "
    "556 556 556 277 277 583 583 583 556 1015 666 666 722 722 666 610 777 722 277 500 666 556 833 "
    "722 777 666 777 722 666 610 722 666 943 666 666 610 277 277 277 469 556 333 556 556 500 556 "
    "556 277 556 556 222 222 500 222 833 556 556 556 556 333 500 277 556 500 722 500 500 500 333 "
    "259 333 583"
)
_ARIAL_BOLD = (
    "277 333 474 556 556 889 722 237 333 333 389 583 277 333 277 277 556 556 556 556 556 556 556 "
    "556 556 556 333 333 583 583 583 610 975 722 722 722 722 666 610 777 722 277 556 722 610 833 "
    "722 777 666 777 722 666 610 722 666 943 666 666 610 333 277 333 583 556 333 556 610 556 610 "
    "556 333 610 610 277 277 556 277 889 610 610 610 610 389 556 333 610 556 777 556 556 500 389 "
    "279 389 583"
)
_ADVANCES = {
    False: tuple(int(w) for w in _ARIAL.split()),
    True: tuple(int(w) for w in _ARIAL_BOLD.split()),
}
_DIGIT = 556
_METRIC_FONTS = {"arial", "liberation sans", "helvetica", "arimo"}
_GLYPH_CACHE: dict[tuple, dict[str, tuple[float, float]]] = {}


def column_pixels(width: float) -> int:
    """The width in pixels (at 96 dpi) Excel gives a column ``width`` characters wide."""
    if width < 1:
        return int(width * 12 + 0.5)
    return int(width * 7 + 0.5) + 5


def _glyphs(bold: bool, size: float, font: str) -> dict[str, tuple[float, float]]:
    """Per character: (Excel pixels, LibreOffice digit widths) for a font size."""
    key = (bold, size, font)
    table = _GLYPH_CACHE.get(key)
    if table is None:
        slack = 1.0 if font.lower() in _METRIC_FONTS else 1.12  # an unknown font: be generous
        em = round(size * 4 / 3)  # Excel on Windows rounds the font to whole pixels
        table = {}
        for code, advance in enumerate(_ADVANCES[bold], start=32):
            table[chr(code)] = (
                round(advance * em / 1000) * slack,
                advance / _DIGIT * size / FONT_SIZE * slack,
            )
        _GLYPH_CACHE[key] = table
    return table


def _count_lines(words, available: float, space: float) -> int:
    """Greedy word wrap of ``words`` (a list of (width, [char widths])) into lines."""
    lines, used = 1, 0.0
    for width, chars in words:
        need = width if used == 0 else used + space + width
        if need <= available:
            used = need
            continue
        if used:
            lines += 1
        if width <= available:
            used = width
            continue
        used = 0.0  # a word longer than the line: broken between characters
        for char in chars:
            if used + char > available and used:
                lines += 1
                used = 0.0
            used += char
    return lines


def wrapped_lines_both(text: str, pixels: float, *, bold=False, size=FONT_SIZE, font="Arial"):
    """(lines in Excel, lines in LibreOffice) of ``text`` wrapped in a cell ``pixels`` wide."""
    glyphs = _glyphs(bold, size, font)
    fallback = (round(_DIGIT * round(size * 4 / 3) / 1000), size / FONT_SIZE)
    excel_space, lo_space = glyphs[" "]
    # Excel leaves ~3px each side of the text; LibreOffice's columns are 7.4/7 wider but it
    # wraps about one digit width early.
    excel_available = pixels - 6
    lo_available = pixels / 7 * 7.4 / 7.41 - 1.0
    excel_lines = lo_lines = 0
    for paragraph in str(text).split("\n"):
        excel_words, lo_words = [], []
        for word in paragraph.split():
            widths = [glyphs.get(c, fallback) for c in word]
            excel_chars = [w[0] for w in widths]
            lo_chars = [w[1] for w in widths]
            excel_words.append((sum(excel_chars), excel_chars))
            lo_words.append((sum(lo_chars), lo_chars))
        excel_lines += _count_lines(excel_words, excel_available, excel_space)
        lo_lines += _count_lines(lo_words, lo_available, lo_space)
    return excel_lines, lo_lines


def text_height(text: str, pixels: float, *, bold=False, size=FONT_SIZE, font="Arial") -> float:
    """Points of row height that show all of ``text`` wrapped in a cell ``pixels`` wide."""
    if not text:
        return 0.0
    excel, lo = wrapped_lines_both(text, pixels, bold=bold, size=size, font=font)
    scale = size / FONT_SIZE
    return max(excel * LINE_HEIGHT, lo * LO_LINE_HEIGHT) * scale + ROW_PADDING


def row_height(cells, minimum: float = 15.0, font: str = "Arial") -> float:
    """The height of a row holding ``cells``: (text, pixels, bold, size) tuples."""
    height = max((text_height(t, p, bold=b, size=s, font=font) for t, p, b, s in cells), default=0)
    return math.ceil(max(minimum, height) * 4) / 4  # Excel stores quarter points


def span_pixels(widths) -> int:
    return sum(column_pixels(w) for w in widths)
