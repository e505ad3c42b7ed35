"""Cells for the summary workbook: untrusted text kept as text (:class:`TextSheet`: the cell
style's quote prefix, never an apostrophe in the text), the height of a row of
wrapped text (measured by :mod:`npsxl.workbook.textfit`, as the self-assessment workbook's
are), and long tables written straight into a saved workbook's sheet XML.

Thousands of returns make hundreds of thousands of cells; through xlsxwriter's cell API they
would take seconds. :class:`DataRows` and :class:`TextRows` hold such a table, and
:func:`splice_rows` puts the rows into their sheets after xlsxwriter has saved the workbook,
as plain ``<row>`` elements with inline strings (always text, never formulas).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterator
from itertools import repeat
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from npsxl.workbook.formats import looks_like_formula
from npsxl.workbook.textfit import column_pixels, wrapped_height

EXCEL_MAX_TEXT = 32_767  # characters in a cell


# --- untrusted text -----------------------------------------------------------------------------
def cell_text(value) -> str:
    """``value`` as a cell's text, exactly: None and missing values (NaN, pd.NA) give ''.
    Text that starts like a formula (``= + - @``, a tab or a carriage return) stays text by
    its cell's style: :class:`TextSheet` and the spliced rows give it the quote prefix."""
    if isinstance(value, str):
        return value
    if value is None or pd.isna(value):
        return ""
    return str(value)


class TextSheet(Worksheet):
    """A worksheet whose string cells never turn into formulas: a string that starts like one
    is written in its format's twin with the quote prefix (``quoted``, given by the writer),
    which Excel and LibreOffice keep when the cell is edited, copied or saved as CSV, and
    which shows no apostrophe. Every way of writing a string (``write``, ``write_string``,
    ``merge_range``) ends in ``_write_string``."""

    quoted: Callable[[Format | None], Format] | None = None

    def _write_string(self, row, col, string, cell_format=None):
        if self.quoted is not None and looks_like_formula(string):
            cell_format = self.quoted(cell_format)
        return super()._write_string(row, col, string, cell_format)


def height_attributes(points: float) -> str:
    """A ``<row>``'s height attributes for ``points``, in whole pixels as xlsxwriter's
    ``set_row()`` writes them; '' for 0 (the default height)."""
    if not points:
        return ""
    return f' ht="{0.75 * int(points * 4 / 3 + 0.5):.16g}" customHeight="1"'


# --- the data sheet, fast -----------------------------------------------------------------------
_XML_SPECIAL = re.compile(r"[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f]")
_XML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "_x000D_"})
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
ROWS_PER_CHUNK = 2_000


def _xml_text(text: str) -> str:
    """Text for an XML element, with control characters written as Excel does (_xHHHH_)."""
    text = text[:EXCEL_MAX_TEXT]
    if not _XML_SPECIAL.search(text):
        return text
    text = text.translate(_XML_ESCAPES)
    return _CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", text)


def _inline(text: str) -> str:
    """An inline-string element for a cell's (safe) text, or '' when blank."""
    if not text:
        return ""
    space = ' xml:space="preserve"' if text != text.strip() or "\n" in text else ""
    return f"<is><t{space}>{_xml_text(text)}</t></is>"


def _text_cells(
    values: np.ndarray, width: float, style: int, font: str, quoted: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The rest of each cell after its reference (``" s=... t="inlineStr">...</c>"`` in
    UTF-8, or b'' when blank) and the row height its wrapped text needs (0.0: one line), for
    a column of values; text that starts like a formula in style ``quoted`` (the quote
    prefix). Each distinct value (council names, item names...) is styled, measured and
    encoded once."""
    pixels = column_pixels(width)
    codes, uniques = pd.factorize(values)
    texts = [cell_text(value) for value in uniques]
    quoted = style if quoted is None else quoted
    tails = [
        f'" s="{quoted if looks_like_formula(text) else style}" t="inlineStr">'
        f"{_inline(text)}</c>".encode()
        if text
        else b""
        for text in texts
    ]
    # a cell's text is at most EXCEL_MAX_TEXT long: a longer one is as tall as the limit
    heights = [wrapped_height(text[:EXCEL_MAX_TEXT], pixels, font=font) for text in texts]
    # code -1 (missing) picks the blank at the end
    return (
        np.array([*tails, b""], dtype=object)[codes],
        np.array([*heights, 0.0], dtype="float64")[codes],
    )


class DataRows:
    """A long table's rows (the Data sheet's, the Trends sheet's council table), written
    straight into the sheet's XML after xlsxwriter closes; they must be the sheet's last rows.

    Thousands of answers make hundreds of thousands of cells; through xlsxwriter's cell API
    they would take seconds. The rows go in as plain ``<row>`` elements with inline strings
    (always text, never formulas), styled with formats xlsxwriter created and indexed.
    """

    def __init__(self, font: str = "Arial"):
        self.font = font  # the font the row heights are measured in
        self.sheet_index: int | None = None
        self.frame: pd.DataFrame | None = None
        self.first_row = 0
        self.numeric: set[int] = set()
        self.widths: list[float] = []
        # xlsxwriter Formats (untyped), given before the rows are built
        self.text_format: Any = None
        self.number_format: Any = None
        # a text style's xf index -> its quote-prefix twin's, for text that looks like a formula
        self.quoted_styles: dict[int, int] = {}
        self.columns = 0  # the sheet's width in columns, for its dimension (0: the table's)

    def rows_xml(self, frame: pd.DataFrame, start: int) -> bytes:
        """``<row>`` elements for ``frame`` from spreadsheet row ``start``, in UTF-8, built
        column by column with numpy's element-wise operations and put together with one
        ``bytes.join`` per row over the pieces of its cells (reference, row number, the
        rest): no Python code runs, and nothing is built or encoded, per cell."""
        text_style, number_style = self.text_format.xf_index, self.number_format.xf_index
        if text_style is None or number_style is None:  # s="None" would make a broken file
            raise RuntimeError("the Data sheet's formats must be indexed before its rows")
        n = len(frame)
        numbers = np.array([str(r).encode() for r in range(start, start + n)], dtype=object)
        heights = np.zeros(n, dtype="float64")
        pieces = []
        for col, name in enumerate(frame.columns):
            values = frame[name].to_numpy(dtype=object)  # missing (NaN, NA): code -1, blank
            if col in self.numeric:
                codes, uniques = pd.factorize(values)
                done = [f'" s="{number_style}"><v>{int(v)}</v></c>'.encode() for v in uniques]
                tails = np.array([*done, b""], dtype=object)[codes]
            else:
                quoted = self.quoted_styles.get(text_style)
                tails, needed = _text_cells(values, self.widths[col], text_style, self.font, quoted)
                np.maximum(heights, needed, out=heights)
            head = f'<c r="{xl_col_to_name(col)}'.encode()
            blank = tails == b""
            if not blank.any():
                pieces += [repeat(head, n), numbers, tails]
            else:  # a blank cell is left out: no reference either
                heads = np.full(n, head, dtype=object)
                refs = numbers.copy()
                heads[blank] = refs[blank] = b""
                pieces += [heads, refs, tails]
        points = heights.tolist()
        opening = {h: f'"{height_attributes(h)}>'.encode() for h in set(points)}
        openings = [opening[h] for h in points]
        ends = repeat(b"</row>", n)
        rows = zip(repeat(b'<row r="', n), numbers, openings, *pieces, ends, strict=True)
        return b"".join(map(b"".join, rows))

    def chunks(self) -> Iterator[bytes]:
        """The rows as UTF-8 XML, a few thousand at a time (memory stays flat)."""
        if self.frame is None:
            raise RuntimeError("the Data sheet's rows have no frame")
        for offset in range(0, len(self.frame), ROWS_PER_CHUNK):
            frame = self.frame.iloc[offset : offset + ROWS_PER_CHUNK]
            yield self.rows_xml(frame, self.first_row + offset + 1)

    def splice(self, path: Path) -> None:
        """Add the rows to the sheet in the saved workbook at ``path`` (rewritten in place)."""
        splice_rows(path, [self])

    def ready(self) -> bool:
        return self.sheet_index is not None and self.frame is not None and not self.frame.empty

    @property
    def count(self) -> int:
        return len(self.frame) if self.frame is not None else 0

    def write_into(self, xml: str, archive: zipfile.ZipFile, part: str) -> None:
        """Write the sheet part ``part`` to ``archive``: ``xml`` with the rows spliced in."""
        columns = max(self.columns, len(self.widths))
        last = f"{xl_col_to_name(columns - 1)}{self.first_row + self.count}"
        xml = xml.replace("<sheetData/>", "<sheetData></sheetData>")
        xml = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="A1:{last}"/>', xml)
        head, tail = xml.split("</sheetData>", 1)
        with archive.open(part, "w", force_zip64=True) as stream:
            stream.write(head.encode("utf-8"))
            for chunk in self.chunks():
                stream.write(chunk)
            stream.write(("</sheetData>" + tail).encode("utf-8"))


class TextRows(DataRows):
    """A table of text cells, each in its own format, with row heights fitted as
    :meth:`npsxl.report.summary_base.SummaryBase.fit_rows` fits them and a blank cell still
    formatted (the returns log): spliced in like :class:`DataRows`, as ten thousand returns
    would make a hundred thousand cells through xlsxwriter."""

    def __init__(self, font: str = "Arial"):
        super().__init__(font)
        self.records: list[tuple[list[str], list[int]]] = []  # (texts, xf indexes) per row
        self.bold_styles: set[int] = set()  # the xf indexes of bold formats

    def ready(self) -> bool:
        return self.sheet_index is not None and bool(self.records)

    @property
    def count(self) -> int:
        return len(self.records)

    def chunks(self) -> Iterator[bytes]:
        for offset in range(0, len(self.records), ROWS_PER_CHUNK):
            records = self.records[offset : offset + ROWS_PER_CHUNK]
            yield self.records_xml(records, self.first_row + offset + 1).encode("utf-8")

    def records_xml(self, records, start: int) -> str:
        columns = [(xl_col_to_name(col), column_pixels(w)) for col, w in enumerate(self.widths)]
        # statuses, regions, models... repeat from row to row: each is encoded and measured once
        bodies: dict[str, str] = {}
        heights: dict[tuple[str, int, bool], float] = {}
        rows = []
        for r, (texts, styles) in enumerate(records, start):
            cells = []
            height = 0.0
            for (letter, pixels), text, style in zip(columns, texts, styles, strict=True):
                if not text:
                    cells.append(f'<c r="{letter}{r}" s="{style}"/>')
                    continue
                body = bodies.get(text)
                if body is None:
                    body = bodies[text] = _inline(text)
                shown_in = (
                    self.quoted_styles.get(style, style) if looks_like_formula(text) else style
                )
                cells.append(f'<c r="{letter}{r}" s="{shown_in}" t="inlineStr">{body}</c>')
                key = (text, pixels, style in self.bold_styles)
                needed = heights.get(key)
                if needed is None:
                    bold = key[2]
                    shown = text[:EXCEL_MAX_TEXT]
                    needed = wrapped_height(shown, pixels, bold=bold, font=self.font)
                    heights[key] = needed
                height = max(height, needed)
            rows.append(f'<row r="{r}"{height_attributes(height)}>{"".join(cells)}</row>')
        return "".join(rows)


def splice_rows(path: Path, tables: list[DataRows]) -> None:
    """Add every table's rows to its sheet in the saved workbook at ``path``, in one rewrite."""
    parts = {
        f"xl/worksheets/sheet{t.sheet_index + 1}.xml": t
        for t in tables
        if t.ready() and t.sheet_index is not None
    }
    if not parts:
        return
    with zipfile.ZipFile(path) as archive:
        members = [(info, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for info, data in members:
            table = parts.get(info.filename)
            if table is None:
                archive.writestr(info, data)
            else:
                table.write_into(data.decode("utf-8"), archive, info.filename)
