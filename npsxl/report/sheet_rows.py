"""Cells for the summary workbook: untrusted text kept as text, wrapped-text row heights,
and long tables written straight into a saved workbook's sheet XML.

Thousands of returns make hundreds of thousands of cells; through xlsxwriter's cell API they
would take seconds. :class:`DataRows` and :class:`TextRows` hold such a table, and
:func:`splice_rows` puts the rows into their sheets after xlsxwriter has saved the workbook,
as plain ``<row>`` elements with inline strings (always text, never formulas).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from itertools import repeat
from pathlib import Path

import numpy as np
import pandas as pd
from xlsxwriter.utility import xl_col_to_name

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHARS_PER_WIDTH = 1.15  # characters of 10pt Arial per unit of column width, on the safe side
LINE_HEIGHT = 13.0  # points per line of wrapped 10pt text, with LibreOffice's leading
MAX_ROW_HEIGHT = 409.0  # Excel's limit


# --- untrusted text -----------------------------------------------------------------------------
def safe_text(value) -> str:
    """``value`` as text that no spreadsheet will evaluate.

    None and missing values (NaN, pd.NA) give ''. Text starting with ``= + - @``, a tab or a
    carriage return gets a leading single quote, so it shows as typed and is never run as a
    formula, even after the sheet is exported to CSV and opened again.
    """
    if isinstance(value, str):
        text = value
    elif value is None or pd.isna(value):
        return ""
    else:
        text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def text_lines(text: str, width: float) -> int:
    """How many lines ``text`` wraps to in a column ``width`` characters wide (10pt text).

    Neither Excel nor LibreOffice sets row heights for wrapped text written by a program, so
    heights are estimated: word by word, on the generous side so text is never cut off.
    """
    per_line = max(1, int(width * CHARS_PER_WIDTH) - 1)
    lines = 0
    for paragraph in str(text).split("\n"):
        if len(paragraph) <= per_line:
            lines += 1
            continue
        used, count = 0, 1
        for word in paragraph.split():
            while len(word) > per_line:  # a long word (a path, a URL) breaks anywhere
                if used:
                    count += 1
                word, used = word[per_line:], 0
                count += 1 if word else 0
            if not word:
                continue
            if used and used + 1 + len(word) > per_line:
                count += 1
                used = len(word)
            else:
                used += len(word) + (1 if used else 0)
        lines += count
    return max(lines, 1)


def row_height(lines: int) -> float:
    return min(MAX_ROW_HEIGHT, max(15.0, lines * LINE_HEIGHT + 3))


# --- the data sheet, fast -----------------------------------------------------------------------
_XML_SPECIAL = re.compile(r"[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f]")
_XML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "_x000D_"})
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
EXCEL_MAX_TEXT = 32_767
ROWS_PER_CHUNK = 2_000


def _xml_text(text: str) -> str:
    """Text for an XML element, with control characters written as Excel does (_xHHHH_)."""
    text = text[:EXCEL_MAX_TEXT]
    if not _XML_SPECIAL.search(text):
        return text
    text = text.translate(_XML_ESCAPES)
    return _CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", text)


def _inline(value, per_line: int) -> tuple[str, int]:
    """An inline-string element for a cell (or '' when blank) and its rough line count."""
    text = safe_text(value)
    if not text:
        return "", 1
    count = 1
    if len(text) > per_line or "\n" in text:
        count = sum(max(1, -(-len(part) // per_line)) for part in text.split("\n"))
    space = ' xml:space="preserve"' if text != text.strip() or "\n" in text else ""
    return f"<is><t{space}>{_xml_text(text)}</t></is>", count


def _text_cells(values: np.ndarray, width: float, style: int) -> tuple[np.ndarray, np.ndarray]:
    """The rest of each cell after its reference (``" s=... t="inlineStr">...</c>"`` in
    UTF-8, or b'' when blank) and its rough wrapped line count, for a column of values. Each
    distinct value (council names, item names...) is worked out and encoded once."""
    per_line = max(1, int((width * CHARS_PER_WIDTH - 1) * 0.85))
    codes, uniques = pd.factorize(values)
    done = [_inline(value, per_line) for value in uniques]
    tails = [
        f'" s="{style}" t="inlineStr">{text}</c>'.encode() if text else b"" for text, _ in done
    ]
    texts = np.array([*tails, b""], dtype=object)
    lines = np.array([count for _, count in done] + [1], dtype="int64")
    return texts[codes], lines[codes]  # code -1 (missing) picks the blank at the end


class DataRows:
    """A long table's rows (the Data sheet's, the Trends sheet's council table), written
    straight into the sheet's XML after xlsxwriter closes; they must be the sheet's last rows.

    Thousands of answers make hundreds of thousands of cells; through xlsxwriter's cell API
    they would take seconds. The rows go in as plain ``<row>`` elements with inline strings
    (always text, never formulas), styled with formats xlsxwriter created and indexed.
    """

    def __init__(self):
        self.sheet_index: int | None = None
        self.frame: pd.DataFrame | None = None
        self.first_row = 0
        self.numeric: set[int] = set()
        self.widths: list[float] = []
        self.text_format = self.number_format = None
        self.columns = 0  # the sheet's width in columns, for its dimension (0: the table's)

    def rows_xml(self, frame: pd.DataFrame, start: int) -> bytes:
        """``<row>`` elements for ``frame`` from spreadsheet row ``start``, in UTF-8, built
        column by column with numpy's element-wise operations and put together with one
        ``bytes.join`` per row over the pieces of its cells (reference, row number, the
        rest): no Python code runs, and nothing is built or encoded, per cell."""
        text_style, number_style = self.text_format.xf_index, self.number_format.xf_index
        assert text_style is not None and number_style is not None, "formats not indexed"
        n = len(frame)
        numbers = np.array([str(r).encode() for r in range(start, start + n)], dtype=object)
        lines = np.ones(n, dtype="int64")
        pieces = []
        for col, name in enumerate(frame.columns):
            values = frame[name].to_numpy(dtype=object)  # missing (NaN, NA): code -1, blank
            if col in self.numeric:
                codes, uniques = pd.factorize(values)
                done = [f'" s="{number_style}"><v>{int(v)}</v></c>'.encode() for v in uniques]
                tails = np.array([*done, b""], dtype=object)[codes]
            else:
                tails, counts = _text_cells(values, self.widths[col], text_style)
                np.maximum(lines, counts, out=lines)
            head = f'<c r="{xl_col_to_name(col)}'.encode()
            blank = tails == b""
            if not blank.any():
                pieces += [repeat(head, n), numbers, tails]
            else:  # a blank cell is left out: no reference either
                heads = np.full(n, head, dtype=object)
                refs = numbers.copy()
                heads[blank] = refs[blank] = b""
                pieces += [heads, refs, tails]
        heights = {
            k: f'" ht="{row_height(k)}" customHeight="1">'.encode() for k in set(lines.tolist())
        }
        heights[1] = b'">'
        openings = [heights[k] for k in lines.tolist()]
        ends = repeat(b"</row>", n)
        rows = zip(repeat(b'<row r="', n), numbers, openings, *pieces, ends, strict=True)
        return b"".join(map(b"".join, rows))

    def chunks(self) -> Iterator[bytes]:
        """The rows as UTF-8 XML, a few thousand at a time (memory stays flat)."""
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

    def __init__(self):
        super().__init__()
        self.records: list[tuple[list[str], list[int]]] = []  # (texts, xf indexes) per row

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
        columns = [
            (xl_col_to_name(col), width, max(1, int(width * CHARS_PER_WIDTH) - 1))
            for col, width in enumerate(self.widths)
        ]
        bodies: dict[str, str] = {}  # statuses, regions, models... repeat from row to row
        rows = []
        for r, (texts, styles) in enumerate(records, start):
            cells = []
            lines = 1
            for (letter, width, per_line), text, style in zip(columns, texts, styles, strict=True):
                if not text:
                    cells.append(f'<c r="{letter}{r}" s="{style}"/>')
                    continue
                body = bodies.get(text)
                if body is None:
                    body = bodies[text] = _inline(text, EXCEL_MAX_TEXT)[0]
                cells.append(f'<c r="{letter}{r}" s="{style}" t="inlineStr">{body}</c>')
                if len(text) > per_line or "\n" in text:  # else one line (text_lines' own test)
                    lines = max(lines, text_lines(text, width))
            if lines > 1:  # in whole pixels, as xlsxwriter's set_row() keeps a height
                height = f' ht="{0.75 * int(row_height(lines) * 4 / 3 + 0.5)}" customHeight="1"'
            else:
                height = ""
            rows.append(f'<row r="{r}"{height}>{"".join(cells)}</row>')
        return "".join(rows)


def splice_rows(path: Path, tables: list[DataRows]) -> None:
    """Add every table's rows to its sheet in the saved workbook at ``path``, in one rewrite."""
    parts = {f"xl/worksheets/sheet{t.sheet_index + 1}.xml": t for t in tables if t.ready()}
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
