"""xlsx and xlsm (Office Open XML): sheet order, defined names, custom properties, and each
sheet's used range and formula cells, from the raw parts the preflight checked.

The parser reads a stored repack of those parts (see
:meth:`npsxl.reading.preflight.Inspection.stored_zip`), with :func:`merges_first` applied to
each worksheet.
"""

from __future__ import annotations

import functools
import posixpath
import re

from npsxl.reading.book import Book, Extent, col_index, sized_part
from npsxl.reading.preflight import parse_xml
from npsxl.workbook import layout as L

_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_STRICT_REL = "{http://purl.oclc.org/ooxml/officeDocument/relationships}"
_SHEET_REF = re.compile(r"^=?(?:'((?:[^']|'')+)'|([^'!]+))!\$?([A-Z]{1,3})\$?([0-9]{1,7})$")
# A cell that holds something (not <c r="XFD1" s="1"/>, formatting only), and whether it
# holds a formula. The fast form when every cell is written <c r="A1" ...> (Excel,
# LibreOffice, xlsxwriter, openpyxl...). Runs stop at the next '<': a hostile sheet of a
# million unclosed tags must not cost a million scans to its end.
_XLSX_FILLED_FAST = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"[^<>]*(?<!/)>(<f[\s>/])?')
_XLSX_CELL = re.compile(
    rb"<(?:\w+:)?c\s[^<>]*?\br\s*=\s*[\"']([A-Z]{1,3})([0-9]{1,7})[\"']"
    rb"[^<>]*?(/?)>(\s*<(?:\w+:)?f[\s>/])?"
)
# cells the fast form would miss: another whitespace after the name, or a namespace prefix
# (two searches, each with a literal start, are much faster than one alternation)
_XLSX_ODD_SPACE = re.compile(rb"<c[\t\r\n]")
_XLSX_PREFIXED = re.compile(rb":c[\s/>]")
# No reference past ZZ999 (three letters, or four digits): the used range is then at most
# 702 columns by 999 rows, and only the formula cells need finding, by their formulas.
_XLSX_BIG_REF = re.compile(rb'<c r="(?:[A-Z]{3}|[A-Z]{1,2}[0-9]{4})')
_XLSX_FORMULA = re.compile(rb">(<f[\s>/])")
_SMALL_SHEET_ROWS, _SMALL_SHEET_COLS = 999, 702
_FEW_FORMULAS = 10_000


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def read_xlsx(book: Book, parts: dict[str, bytes]) -> None:
    """Sheet order and parts, defined names and custom properties of an xlsx/xlsm file;
    each sheet's used range and formula cells are measured when it is first read."""
    sheets, names = _ooxml_structure(
        sized_part(book, parts, "xl/workbook.xml") or b"<workbook/>",
        sized_part(book, parts, "xl/_rels/workbook.xml.rels"),
    )
    book.names.update(names)
    sheet_parts: dict[str, bytes] = {}
    for name, part in sheets:
        book.sheet_names.append(name)
        if part in parts:
            sheet_parts[name] = parts[part]
    limit = book.limits.max_sheet_cells
    for name, xml in sheet_parts.items():
        book.measure_later[name] = functools.partial(xlsx_cells, xml, limit)
    read_custom_properties(book, parts)
    unmapped = [s for s in book.sheet_names if s not in sheet_parts]
    if unmapped:  # a relationship we could not follow: bound those sheets by every other sheet
        mapped = {id(xml) for xml in sheet_parts.values()}
        bound = Extent()
        for xml in parts.values():
            if id(xml) not in mapped and b"sheetData" in xml:
                extent = xlsx_cells(xml, limit)[0]
                if extent.cells > bound.cells:
                    bound = extent
        for sheet in unmapped:
            book.extents[sheet] = bound


@functools.lru_cache(maxsize=32)
def _ooxml_structure(workbook: bytes, rels_xml: bytes | None):
    """``((sheet name, part), ...)`` and the NPS_* defined names. Returns from one template
    share these bytes, so the parse is cached by content."""
    rels = {}
    if rels_xml is not None:
        for rel in parse_xml(rels_xml):
            target = rel.get("Target", "")
            if rel.get("TargetMode") == "External":
                continue
            target = target[1:] if target.startswith("/") else posixpath.join("xl", target)
            rels[rel.get("Id")] = posixpath.normpath(target)
    sheets = []
    names = {}
    for element in parse_xml(workbook).iter():
        tag = _local(element.tag)
        if tag == "sheet":
            rel_id = element.get(f"{_NS_REL}id") or element.get(f"{_NS_STRICT_REL}id")
            sheets.append((element.get("name", ""), rels.get(rel_id)))
        elif tag == "definedName":
            name = element.get("name", "")
            if element.get("localSheetId") is None and name.upper().startswith(L.NAME_PREFIX):
                match = _SHEET_REF.match((element.text or "").strip())
                if match:
                    sheet = (match.group(1) or "").replace("''", "'") or match.group(2)
                    row, col = int(match.group(4)) - 1, col_index(match.group(3))
                    names[name.upper()] = (sheet, row, col)
    return tuple(sheets), names


@functools.lru_cache(maxsize=64)
def xlsx_cells(xml: bytes, limit: int) -> tuple[Extent, frozenset[tuple[int, int]]]:
    """The used range and the formula cells; the range only as a bound (ZZ999) when the
    sheet is known to be small and ``limit`` allows that much."""
    fast = (
        xml.count(b"<c ") == xml.count(b'<c r="')
        and not _XLSX_ODD_SPACE.search(xml)
        and not _XLSX_PREFIXED.search(xml)
    )
    if (
        fast
        and limit >= _SMALL_SHEET_ROWS * _SMALL_SHEET_COLS
        and not _XLSX_BIG_REF.search(xml)
        and xml.count(b"><f") <= _FEW_FORMULAS
    ):
        formulas = set()
        for mark in _XLSX_FORMULA.finditer(xml):  # a formula right after its cell's tag
            cell = _XLSX_FILLED_FAST.match(xml, xml.rfind(b"<", 0, mark.start()))
            if cell is not None and cell.end() == mark.end():
                formulas.add((int(cell.group(2)) - 1, col_index(cell.group(1))))
        bound = Extent()
        bound.add(_SMALL_SHEET_ROWS - 1, _SMALL_SHEET_COLS - 1)
        return bound, frozenset(formulas)
    if fast:
        found = _XLSX_FILLED_FAST.findall(xml)  # (letters, digits, formula): filled cells only
    else:
        found = [
            (letters, digits, formula)
            for letters, digits, empty, formula in _XLSX_CELL.findall(xml)
            if not empty
        ]
    extent = Extent()
    if found:
        cols = {letters for letters, _, _ in found}
        widest = max(map(len, cols))
        last_col = max(letters for letters in cols if len(letters) == widest)
        last_row = max(map(int, {digits for _, digits, _ in found}))
        extent.add(last_row - 1, col_index(last_col))
    return extent, frozenset(
        (int(digits) - 1, col_index(letters)) for letters, digits, formula in found if formula
    )


def read_custom_properties(book: Book, parts: dict[str, bytes]) -> None:
    """Custom document properties (docProps/custom.xml) of an xlsx, xlsm or xlsb file."""
    data = sized_part(book, parts, "docProps/custom.xml")
    if data is not None:
        for prop in parse_xml(data):
            if len(prop):
                book.properties[prop.get("name", "")] = (prop[0].text or "").strip()


def merges_first(name: str, xml: bytes) -> bytes | None:
    """A worksheet with a copy of its merged ranges (or of none) put first: reading a sheet,
    the parser looks for them in a second pass through the whole XML, which then stops at
    once. Its cells are untouched; the reader never uses merged ranges. None (as it is)
    for anything but the plain layout: root element, sheetData, then mergeCells."""
    if not name.startswith("xl/worksheets/"):
        return None
    head = xml.find(b"?>") + 2 if xml.startswith(b"<?xml") else 0
    root = xml.find(b"<", head)
    end = xml.find(b">", root)
    if (
        head == 1  # an unclosed declaration
        or not xml.startswith(b"<worksheet", root)
        or xml[root + 10 : root + 11] not in (b" ", b">", b"\t", b"\r", b"\n")
        or b"<" in xml[root + 1 : end]
        or xml[end - 1 : end] == b"/"
    ):
        return None
    data_end = xml.rfind(b"</sheetData>")
    if data_end < 0:
        return None
    block = b'<mergeCells count="0"/>'
    start = xml.find(b"<mergeCells", data_end)
    if start >= 0:
        stop = xml.find(b"</mergeCells>", start)
        if stop < 0:
            return None
        block = xml[start : stop + len(b"</mergeCells>")]
        if b"<sheetData" in block or b"<row" in block or b"<c " in block:
            return None
    return xml[: end + 1] + block + xml[end + 1 :]
