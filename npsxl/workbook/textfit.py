"""How much room text needs in a cell: wrapped lines and row heights for Excel and LibreOffice.

Neither xlsxwriter nor LibreOffice fits row heights to wrapped text, so both workbooks (the
council's and the coordinator's summary) work them out here, from the real advance widths of
Arial (metric-compatible with Liberation Sans, which LibreOffice uses in its place), taking
the larger of Excel's and LibreOffice's wrapping. A row is at most :data:`MAX_ROW_HEIGHT`
high, Excel's limit.
"""

from __future__ import annotations

import math
from typing import cast

FONT_SIZE = 10
# Points per line of wrapped 10pt Arial: Excel lays lines out 12.75pt apart, LibreOffice 11.2pt.
LINE_HEIGHT = 12.75
LO_LINE_HEIGHT = 11.2
ROW_PADDING = 3.0
MAX_ROW_HEIGHT = 409.0  # points: Excel's limit
LO_COLUMN_SCALE = 7.4 / 7  # LibreOffice draws a column this much wider than Excel does

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
_WORDS_KEPT = 200_000  # widths of distinct words remembered per font, bold and size


def column_pixels(width: float) -> int:
    """The width in pixels (at 96 dpi) Excel gives a column ``width`` characters wide."""
    if width < 1:
        return int(width * 12 + 0.5)
    return int(width * 7 + 0.5) + 5


class _Glyphs:
    """Character and word widths in one font, bold or not, at one size: in Excel's pixels and
    in LibreOffice's digit widths. Each distinct word is measured once."""

    def __init__(self, bold: bool, size: float, font: str):
        slack = 1.0 if font.lower() in _METRIC_FONTS else 1.12  # an unknown font: be generous
        em = round(size * 4 / 3)  # Excel on Windows rounds the font to whole pixels
        self.excel: dict[str, float] = {}
        self.lo: dict[str, float] = {}
        for code, advance in enumerate(_ADVANCES[bold], start=32):
            self.excel[chr(code)] = round(advance * em / 1000) * slack
            self.lo[chr(code)] = advance / _DIGIT * size / FONT_SIZE * slack
        # other characters count as a digit
        self.excel_other = round(_DIGIT * round(size * 4 / 3) / 1000)
        self.lo_other = size / FONT_SIZE
        self.excel_space, self.lo_space = self.excel[" "], self.lo[" "]
        self.excel_widest = max(max(self.excel.values()), self.excel_other)
        self.lo_widest = max(max(self.lo.values()), self.lo_other)
        self.excel_words: dict[str, float] = {}
        self.lo_words: dict[str, float] = {}

    def excel_chars(self, word: str) -> list[float]:
        return [self.excel.get(char, self.excel_other) for char in word]

    def lo_chars(self, word: str) -> list[float]:
        return [self.lo.get(char, self.lo_other) for char in word]

    def widths(self, words: list[str]) -> tuple[list[float], list[float]]:
        """The words' widths (each the sum of its characters'), in Excel and in LibreOffice."""
        excel = list(map(self.excel_words.get, words))
        if None in excel:
            if len(self.excel_words) >= _WORDS_KEPT:
                self.excel_words.clear()
                self.lo_words.clear()
            for word in words:
                if word not in self.excel_words:
                    self.excel_words[word] = sum(self.excel_chars(word))
                    self.lo_words[word] = sum(self.lo_chars(word))
            excel = list(map(self.excel_words.__getitem__, words))
        # every word is measured by now: no None
        return cast("list[float]", excel), list(map(self.lo_words.__getitem__, words))


_GLYPH_CACHE: dict[tuple, _Glyphs] = {}


def _glyphs(bold: bool, size: float, font: str) -> _Glyphs:
    key = (bold, size, font)
    glyphs = _GLYPH_CACHE.get(key)
    if glyphs is None:
        glyphs = _GLYPH_CACHE[key] = _Glyphs(bold, size, font)
    return glyphs


def _count_lines(
    words: list[str], widths: list[float], available: float, space: float, chars_of
) -> int:
    """Greedy word wrap of ``words`` (``widths`` wide, ``space`` apart) into lines
    ``available`` wide, as Excel and LibreOffice wrap; a word longer than a line is broken
    between characters (``chars_of(word)``: their widths)."""
    lines, used = 1, 0.0
    for word, width in zip(words, widths, strict=True):
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
        for char in chars_of(word):
            if used + char > available and used:
                lines += 1
                used = 0.0
            used += char
    return lines


def wrapped_lines_both(
    text: str, pixels: float, *, bold=False, size=FONT_SIZE, font="Arial"
) -> tuple[int, int]:
    """(lines in Excel, lines in LibreOffice) of ``text`` wrapped in a cell ``pixels`` wide."""
    glyphs = _glyphs(bold, size, font)
    # Excel leaves ~3px each side of the text; LibreOffice's columns are 7.4/7 wider but it
    # wraps about one digit width early.
    excel_available = pixels - 6
    lo_available = pixels / 7 * 7.4 / 7.41 - 1.0
    text = str(text)
    # Most text is short enough to fit on a line even were every character the widest
    if (
        "\n" not in text
        and len(text) * glyphs.excel_widest < excel_available - 0.01
        and len(text) * glyphs.lo_widest < lo_available - 0.01
    ):
        return 1, 1
    excel_lines = lo_lines = 0
    for paragraph in text.split("\n"):
        words = paragraph.split()
        excel, lo = glyphs.widths(words)
        excel_lines += _count_lines(
            words, excel, excel_available, glyphs.excel_space, glyphs.excel_chars
        )
        lo_lines += _count_lines(words, lo, lo_available, glyphs.lo_space, glyphs.lo_chars)
    return excel_lines, lo_lines


def _points(excel_lines: int, lo_lines: int, size: float) -> float:
    """Points of row height for lines of text in Excel and in LibreOffice."""
    scale = size / FONT_SIZE
    return max(excel_lines * LINE_HEIGHT, lo_lines * LO_LINE_HEIGHT) * scale + ROW_PADDING


def _fitted(height: float, minimum: float) -> float:
    """``height`` at least ``minimum``, rounded up to the quarter points Excel stores, and
    at most :data:`MAX_ROW_HEIGHT`."""
    return min(math.ceil(max(minimum, height) * 4) / 4, MAX_ROW_HEIGHT)


def text_height(text: str, pixels: float, *, bold=False, size=FONT_SIZE, font="Arial") -> float:
    """Points of row height that show all of ``text`` wrapped in a cell ``pixels`` wide."""
    if not text:
        return 0.0
    return _points(*wrapped_lines_both(text, pixels, bold=bold, size=size, font=font), size)


def wrapped_height(text: str, pixels: float, *, bold=False, size=FONT_SIZE, font="Arial") -> float:
    """The height of a row holding ``text`` wrapped in a cell ``pixels`` wide, as
    :func:`row_height` gives it, or 0.0 when the text fits on one line in Excel and in
    LibreOffice (a row of the default height shows it)."""
    if not text:
        return 0.0
    excel, lo = wrapped_lines_both(text, pixels, bold=bold, size=size, font=font)
    return _fitted(_points(excel, lo, size), 15.0) if max(excel, lo) > 1 else 0.0


def row_height(cells, minimum: float = 15.0, font: str = "Arial") -> float:
    """The height of a row holding ``cells``: (text, pixels, bold, size) tuples; at most
    :data:`MAX_ROW_HEIGHT`."""
    height = max((text_height(t, p, bold=b, size=s, font=font) for t, p, b, s in cells), default=0)
    return _fitted(height, minimum)


def fitting_width(texts, width: float, *, limit: float = MAX_ROW_HEIGHT, font="Arial") -> float:
    """``width``, or the narrowest wider column (in half characters) in which every one of
    ``texts`` fits in a row of ``limit`` points, in Excel and in LibreOffice."""
    texts = [t for t in texts if t]
    while width < 255 and any(
        text_height(t, column_pixels(width), font=font) > limit for t in texts
    ):
        width += 0.5
    return width


def span_pixels(widths) -> int:
    return sum(column_pixels(w) for w in widths)
