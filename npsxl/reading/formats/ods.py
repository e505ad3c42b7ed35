"""ods (OpenDocument): sheet order, named ranges, formula cells and used ranges from
content.xml, and user-defined properties from meta.xml.

The text of a string cell is also read from content.xml when the parser would lose some of
it: calamine drops ``<text:tab/>`` and ``<text:line-break/>``, so a tab or a line break typed
in a cell would vanish. Such cells' exact text (tabs, runs of spaces ``<text:s text:c=".."/>``,
line breaks, paragraphs as lines) goes to :attr:`~npsxl.reading.book.Book.exact_text`, which
replaces the parser's value."""

from __future__ import annotations

import re

from npsxl.reading.book import Book, Extent, col_index, sized_part
from npsxl.reading.preflight import iterparse_xml, parse_xml
from npsxl.workbook import layout as L

_NS_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_NS_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_NS_META = "urn:oasis:names:tc:opendocument:xmlns:meta:1.0"
_NS_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_T = "{" + _NS_TABLE + "}"
_X = "{" + _NS_TEXT + "}"
_LOST_BY_PARSER = (_X + "tab", _X + "line-break")
_PARAGRAPHS = (_X + "p", _X + "h")
_STRING_VALUE = "{" + _NS_OFFICE + "}string-value"
_NOT_CELL_TEXT = ("{" + _NS_OFFICE + "}annotation",)  # a comment on the cell
_MAX_REPEATED_TEXT = 10_000  # cells of one repeated text cell given their exact text
_ODS_REF = re.compile(r"^\$?(?:'((?:[^']|'')+)'|([^.']+))\.\$?([A-Z]{1,3})\$?([0-9]{1,7})$")
_ODS_CELLS = {_T + "table-cell", _T + "covered-table-cell"}


def read_ods(book: Book, parts: dict[str, bytes]) -> None:
    """Sheet order, named ranges, formula cells and used ranges from content.xml (one
    defusedxml pass), and user-defined properties from meta.xml."""
    content = sized_part(book, parts, "content.xml")
    if content is not None:
        _scan_ods_content(book, content)
    meta = sized_part(book, parts, "meta.xml")
    if meta is not None:
        root = parse_xml(meta)
        for prop in root.iter("{" + _NS_META + "}user-defined"):
            book.properties[prop.get("{" + _NS_META + "}name", "")] = (prop.text or "").strip()


def _scan_ods_content(book: Book, content: bytes) -> None:
    sheet = ""  # the table being read: cells are read only inside one, after its start
    extent = Extent()
    formulas: set[tuple[int, int]] = set()
    row = col = 0
    row_repeat = 1
    depth = 0  # table:table nesting (subtables are not spreadsheet cells)
    value_type = "{" + _NS_OFFICE + "}value-type"
    for event, element in iterparse_xml(content):
        tag = element.tag
        if tag == _T + "table":
            if event == "start":
                depth += 1
                if depth == 1:
                    sheet = element.get(_T + "name", "")
                    book.sheet_names.append(sheet)
                    extent, formulas, row = Extent(), set(), 0
            else:
                if depth == 1:
                    book.extents[sheet] = extent
                    book.formulas[sheet] = formulas
                depth -= 1
                element.clear()
        elif tag == _T + "named-range":
            if event == "start":
                _ods_name(book, element)
        elif depth != 1:
            continue
        elif tag == _T + "table-row":
            if event == "start":
                row_repeat = max(1, int(element.get(_T + "number-rows-repeated", "1") or 1))
                col = 0
            else:
                row += row_repeat
                element.clear()
        elif tag in _ODS_CELLS and event == "end":
            repeat = max(1, int(element.get(_T + "number-columns-repeated", "1") or 1))
            formula = element.get(_T + "formula")
            if formula is not None or element.get(value_type) is not None or len(element):
                extent.add(row + row_repeat - 1, col + repeat - 1)
                if formula is not None and row_repeat == repeat == 1:
                    formulas.add((row, col))
                elif formula is not None:  # one formula repeated over a block of cells
                    book.formula_blocks.setdefault(sheet, []).append(
                        (row, row + row_repeat - 1, col, col + repeat - 1)
                    )
            if (
                len(element)
                and element.get(value_type) == "string"
                and any(e.tag in _LOST_BY_PARSER for e in element.iter())
                and repeat * row_repeat <= _MAX_REPEATED_TEXT
            ):
                text = cell_text(element)
                exact = book.exact_text.setdefault(sheet, {})
                for r in range(row, row + row_repeat):
                    for c in range(col, col + repeat):
                        exact[r, c] = text
            col += repeat


def cell_text(cell) -> str:
    """The text of an ods cell as typed: its ``office:string-value`` when it has one, else
    its paragraphs as lines, with tabs, runs of spaces and line breaks (comments on the
    cell left out)."""
    value = cell.get(_STRING_VALUE)
    if value is not None:
        return value
    lines = []
    for child in cell:
        if child.tag in _PARAGRAPHS:
            parts: list[str] = []
            _paragraph_text(child, parts)
            lines.append("".join(parts))
    return "\n".join(lines)


def _paragraph_text(element, parts: list[str]) -> None:
    parts.append(element.text or "")
    for child in element:
        tag = child.tag
        if tag == _X + "s":
            parts.append(" " * max(1, int(child.get(_X + "c", "1") or 1)))
        elif tag == _X + "tab":
            parts.append("\t")
        elif tag == _X + "line-break":
            parts.append("\n")
        elif tag not in _NOT_CELL_TEXT:
            _paragraph_text(child, parts)  # spans, links, fields: their text
        parts.append(child.tail or "")


def _ods_name(book: Book, element) -> None:
    name = element.get(_T + "name", "")
    match = _ODS_REF.match(element.get(_T + "cell-range-address", ""))
    if match and name.upper().startswith(L.NAME_PREFIX):
        sheet = (match.group(1) or "").replace("''", "'") or match.group(2)
        book.names[name.upper()] = (sheet, int(match.group(4)) - 1, col_index(match.group(3)))
