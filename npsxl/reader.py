"""Read a returned self-assessment workbook from any spreadsheet app: :func:`read_return`.

Answers are found two ways and cross-checked: by the workbook's defined names
(``NPS_L1_CURRENT``...) and by the visible reference id on each row under the
table's header. The rows win when the two disagree (a sort moves values but not
names), and the disagreement is reported. Only input cells count: cached values
of formulas are never trusted. Every problem is located and says what to do.

Reading is lazy: only the sheets that are needed are parsed (normally 'Start here',
'Self-assessment' and 'Metadata'); the others are scanned only when the table or the
metadata is not where the generator put it. Before a sheet reaches the parser, its used
range is measured from the raw file, so a stray value in XFD1048576 cannot make the
parser allocate billions of cells.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import posixpath
import re
import struct
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import python_calamine

from . import layout as L
from .answers import Answer, Respondent
from .errors import CouncilNotFound
from .model import Model
from .problems import Location, Problem, Severity
from .register import Register
from .returns import Return
from .safety import DEFAULT_LIMITS, Limits, inspect_file, iterparse_xml, parse_xml

EXCEL_CELL_LIMIT = 32_767
WARNING = Severity.WARNING
MANY_DISAGREEMENTS = 3  # more items than this disagreeing: one summary warning

HINTS = {
    "unknown-level": "choose the level from the dropdown",
    "incomplete": "choose both a current and a target level for every item",
    "not-nps": "send the NPS self-assessment workbook you were given, filled in",
    "council-missing": "choose your council on the 'Start here' sheet",
    "council-unknown": "choose your council from the dropdown on the 'Start here' sheet",
    "unknown-model": "use the current self-assessment workbook from your coordinator",
    "corrupt-file": "open it, save it again and resend it",
    "file-too-large": "delete the stray cell (Ctrl+End shows the last used cell) and resend",
    "level-not-from-list": "choose levels from the dropdown",
    "formula-in-input": "type or choose the value instead of a formula",
    "sources-disagree": "rows were probably sorted or moved; check the answers",
    "metadata-missing": "use the workbook you were given rather than a copy",
}


class _Refused(Exception):
    """A blocking problem found while opening or reading the file."""

    def __init__(self, problem: Problem):
        super().__init__(problem.message)
        self.problem = problem


class _Damaged(Exception):
    """A parser failed on the file's content."""


@dataclass(slots=True)
class _Cell:
    sheet: str
    row: int
    col: int
    value: object

    @property
    def ref(self) -> str:
        return _a1(self.row, self.col)


def _a1(row: int, col: int) -> str:
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row + 1}"


def _col_index(letters: str | bytes) -> int:
    if isinstance(letters, bytes):
        letters = letters.decode("ascii")
    index = 0
    for ch in letters:
        index = index * 26 + ord(ch) - 64
    return index - 1


@dataclass
class _Extent:
    rows: int = 0
    cols: int = 0
    far: str = ""  # the cell that makes the range largest

    def add(self, row: int, col: int) -> None:
        if row + 1 > self.rows or col + 1 > self.cols:
            self.rows, self.cols = max(self.rows, row + 1), max(self.cols, col + 1)
            self.far = _a1(self.rows - 1, self.cols - 1)

    @property
    def cells(self) -> int:
        return self.rows * self.cols


# --- the parsed workbook --------------------------------------------------------------------------
class _Book:
    """Cell values per sheet (parsed on first use), defined names, document properties and
    which cells hold formulas: what the reader knows about one file, whatever its format."""

    def __init__(self, path: str, fmt: str, data: bytes, limits: Limits):
        self.path = path
        self.format = fmt
        self.limits = limits
        self.sheet_names: list[str] = []
        self.names: dict[str, tuple[str, int, int]] = {}  # NPS_* (upper) -> (sheet, row, col)
        self.properties: dict[str, str] = {}
        self.formulas: dict[str, set[tuple[int, int]]] = {}
        self.formula_blocks: dict[str, list[tuple[int, int, int, int]]] = {}  # rows, cols
        self.extents: dict[str, _Extent] = {}
        self._sheet_parts: dict[str, bytes] = {}  # xlsx: sheet -> its XML, scanned on demand
        self._rows: dict[str, list[list]] = {}
        self._data = data
        self._workbook = None

    # parsing ---------------------------------------------------------------------------------
    def open(self) -> None:
        try:
            self._workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(self._data))
            names = list(self._workbook.sheet_names)
        except python_calamine.PasswordError:
            raise
        except Exception as exc:  # noqa: BLE001 - any parser failure means a damaged file
            raise _Damaged(f"{type(exc).__name__}: {str(exc)[:200]}") from None
        self._data = b""  # the parser holds its own copy
        if not self.sheet_names:
            self.sheet_names = names
        else:  # keep the workbook's order, but only sheets the parser can give
            self.sheet_names = [n for n in self.sheet_names if n in names] + [
                n for n in names if n not in self.sheet_names
            ]

    def close(self) -> None:
        if self._workbook is not None:
            self._workbook.close()
            self._workbook = None

    def rows(self, sheet: str) -> list[list]:
        """The sheet's values as rows from A1 ([] if there is no such sheet)."""
        cached = self._rows.get(sheet)
        if cached is not None:
            return cached
        if sheet not in self.sheet_names or self._workbook is None:
            return []
        if sheet in self._sheet_parts:
            _scan_xlsx_sheet(self, sheet, self._sheet_parts.pop(sheet))
        self.check_extent(sheet)
        try:
            rows = self._workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        except python_calamine.PasswordError:
            raise
        except Exception as exc:  # noqa: BLE001
            if "chart" in str(exc).lower() or isinstance(exc, python_calamine.WorksheetNotFound):
                rows = []  # a chart sheet or a dialog sheet: no cells
            else:
                raise _Damaged(f"sheet {sheet!r}: {type(exc).__name__}: {str(exc)[:200]}") from None
        self._rows[sheet] = rows
        return rows

    def check_extent(self, sheet: str) -> None:
        extent = self.extents.get(sheet)
        if extent is not None and extent.cells > self.limits.max_sheet_cells:
            raise _Refused(
                _p(
                    "file-too-large",
                    f"sheet {sheet!r} has a value in {extent.far}, far outside "
                    f"the table: its used range is {extent.cells:,} cells, over the limit of "
                    f"{self.limits.max_sheet_cells:,}",
                    self.path,
                    sheet=sheet,
                    cell=extent.far,
                )
            )

    def value(self, sheet: str, row: int, col: int):
        rows = self.rows(sheet)
        if row < 0 or row >= len(rows) or col < 0 or col >= len(rows[row]):
            return None
        return rows[row][col]

    def named(self, name: str) -> _Cell | None:
        target = self.names.get(name.upper())
        if target is None or target[0] not in self.sheet_names:
            return None
        sheet, row, col = target
        return _Cell(sheet, row, col, self.value(sheet, row, col))

    def is_formula(self, cell: _Cell) -> bool:
        if (cell.row, cell.col) in self.formulas.get(cell.sheet, ()):
            return True
        blocks = self.formula_blocks.get(cell.sheet)
        return bool(blocks) and any(
            r0 <= cell.row <= r1 and c0 <= cell.col <= c1 for r0, r1, c0, c1 in blocks
        )


def _sized(book: _Book, parts: dict[str, bytes], name: str) -> bytes | None:
    """A kept part, refusing one far bigger than any real workbook's (it would be parsed
    into a tree in memory)."""
    data = parts.get(name)
    if data is not None and len(data) > book.limits.max_xml_part_bytes:
        raise _Refused(
            _p(
                "file-too-large",
                f"part {name} is {len(data) / 1048576:.0f} MB, over the limit of "
                f"{book.limits.max_xml_part_bytes / 1048576:.0f} MB for it",
                book.path,
            )
        )
    return data


def _properties(book: _Book, parts: dict[str, bytes]) -> None:
    """Custom document properties (docProps/custom.xml) of an xlsx, xlsm or xlsb file."""
    data = _sized(book, parts, "docProps/custom.xml")
    if data is not None:
        for prop in parse_xml(data):
            if len(prop):
                book.properties[prop.get("name", "")] = (prop[0].text or "").strip()


def _keep_part(name: str) -> bool:
    """The parts the reader or the parser may look at: every XML part but the theme,
    charts, drawings and descriptive document properties, and every part in a sheet
    folder whatever its name ends with (the parser finds parts by name in any case). An
    xlsx's parser reads only these, repacked (see ``kept_only`` in
    :func:`npsxl.safety.inspect_file`); a part it missed would make the file unreadable,
    never read unchecked."""
    if name.endswith(".bin"):  # xlsb
        return name == "xl/workbook.bin" or name.startswith("xl/worksheets/")
    low = name.lower()
    if low in _PARSED_PARTS or low.startswith(_SHEET_FOLDERS):
        return True
    return low.endswith((".xml", ".rels")) and not name.startswith(_SKIPPED_PARTS)


_PARSED_PARTS = frozenset(
    ("xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/sharedstrings.xml", "xl/styles.xml")
)
_SHEET_FOLDERS = ("xl/worksheets/", "xl/chartsheets/", "xl/dialogsheets/")
_SKIPPED_PARTS = (
    "xl/theme/",
    "xl/charts/",
    "xl/drawings/",
    "docProps/app.xml",
    "docProps/core.xml",
    "Object ",
    "Configurations2/",
    "Thumbnails/",
    "styles.xml",
    "settings.xml",
)


def _merges_first(name: str, xml: bytes) -> bytes | None:
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


def _open_book(found, limits: Limits) -> _Book:
    data = found.data
    if found.format in ("xlsx", "xlsm"):
        # the parser reads the checked parts, stored: nothing unchecked, nothing to inflate twice
        data = found.stored_zip(_merges_first) or data
    book = _Book(found.path, found.format, data, limits)
    readers = {"xlsx": _read_ooxml, "xlsm": _read_ooxml, "ods": _read_ods, "xlsb": _read_xlsb}
    try:
        if found.format == "xls":
            _read_xls(book, found.data)
        elif found.format in readers:
            readers[found.format](book, found.parts)
    except (_Refused, _Damaged, python_calamine.PasswordError):
        raise
    except Exception as exc:  # noqa: BLE001 - malformed XML or records: a damaged file
        raise _Damaged(f"{type(exc).__name__}: {str(exc)[:200]}") from None
    for sheet in list(book.extents):  # formats parsed whole on opening: check every sheet now
        book.check_extent(sheet)
    book.open()
    return book


# --- xlsx / xlsm ----------------------------------------------------------------------------------
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


def _read_ooxml(book: _Book, parts: dict[str, bytes]) -> None:
    """Sheet order and parts, defined names and custom properties of an xlsx/xlsm file."""
    sheets, names = _ooxml_structure(
        _sized(book, parts, "xl/workbook.xml") or b"<workbook/>",
        _sized(book, parts, "xl/_rels/workbook.xml.rels"),
    )
    book.names.update(names)
    for name, part in sheets:
        book.sheet_names.append(name)
        if part in parts:
            book._sheet_parts[name] = parts[part]
    _properties(book, parts)
    unmapped = [s for s in book.sheet_names if s not in book._sheet_parts]
    if unmapped:  # a relationship we could not follow: bound those sheets by every other sheet
        mapped = {id(xml) for xml in book._sheet_parts.values()}
        bound = _Extent()
        for xml in parts.values():
            if id(xml) not in mapped and b"sheetData" in xml:
                extent = _xlsx_cells(xml, book.limits.max_sheet_cells)[0]
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
                    row, col = int(match.group(4)) - 1, _col_index(match.group(3))
                    names[name.upper()] = (sheet, row, col)
    return tuple(sheets), names


def _scan_xlsx_sheet(book: _Book, sheet: str, xml: bytes) -> None:
    """The used range and the formula cells of one worksheet, from its raw XML."""
    book.extents[sheet], book.formulas[sheet] = _xlsx_cells(xml, book.limits.max_sheet_cells)


@functools.lru_cache(maxsize=64)
def _xlsx_cells(xml: bytes, limit: int) -> tuple[_Extent, frozenset[tuple[int, int]]]:
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
                formulas.add((int(cell.group(2)) - 1, _col_index(cell.group(1))))
        bound = _Extent()
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
    extent = _Extent()
    if found:
        cols = {letters for letters, _, _ in found}
        widest = max(map(len, cols))
        last_col = max(letters for letters in cols if len(letters) == widest)
        last_row = max(map(int, {digits for _, digits, _ in found}))
        extent.add(last_row - 1, _col_index(last_col))
    return extent, frozenset(
        (int(digits) - 1, _col_index(letters)) for letters, digits, formula in found if formula
    )


# --- ods ------------------------------------------------------------------------------------------
_NS_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_NS_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_NS_META = "urn:oasis:names:tc:opendocument:xmlns:meta:1.0"
_T = "{" + _NS_TABLE + "}"
_ODS_REF = re.compile(r"^\$?(?:'((?:[^']|'')+)'|([^.']+))\.\$?([A-Z]{1,3})\$?([0-9]{1,7})$")
_ODS_CELLS = {_T + "table-cell", _T + "covered-table-cell"}


def _read_ods(book: _Book, parts: dict[str, bytes]) -> None:
    """Sheet order, named ranges, formula cells and used ranges from content.xml (one
    defusedxml pass), and user-defined properties from meta.xml."""
    content = _sized(book, parts, "content.xml")
    if content is not None:
        _scan_ods_content(book, content)
    meta = _sized(book, parts, "meta.xml")
    if meta is not None:
        root = parse_xml(meta)
        for prop in root.iter("{" + _NS_META + "}user-defined"):
            book.properties[prop.get("{" + _NS_META + "}name", "")] = (prop.text or "").strip()


def _scan_ods_content(book: _Book, content: bytes) -> None:
    sheet = None
    extent = _Extent()
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
                    extent, formulas, row = _Extent(), set(), 0
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
            col += repeat


def _ods_name(book: _Book, element) -> None:
    name = element.get(_T + "name", "")
    match = _ODS_REF.match(element.get(_T + "cell-range-address", ""))
    if match and name.upper().startswith(L.NAME_PREFIX):
        sheet = (match.group(1) or "").replace("''", "'") or match.group(2)
        book.names[name.upper()] = (sheet, int(match.group(4)) - 1, _col_index(match.group(3)))


# --- xls (BIFF8) ----------------------------------------------------------------------------------
_BIFF_VALUE_CELLS = {0x00FD, 0x0203, 0x027E, 0x0205, 0x0204, 0x00D6}  # LABELSST NUMBER RK ...
_BIFF_FORMULA, _BIFF_MULRK, _BIFF_BOF, _BIFF_EOF = 0x0006, 0x00BD, 0x0809, 0x000A
_BIFF_BOUNDSHEET, _BIFF_NAME, _BIFF_EXTERNSHEET, _BIFF_SUPBOOK = 0x0085, 0x0018, 0x0017, 0x01AE
_BIFF_FILEPASS = 0x002F
_RECORD = struct.Struct("<HH")


def _read_xls(book: _Book, data: bytes) -> None:
    """Sheets, defined names, formula cells and used ranges from the BIFF8 records.
    Old BIFF5 files (Excel 95) are left to the parser."""
    import olefile

    try:
        ole = olefile.OleFileIO(data)
        try:
            if not ole.exists("Workbook"):
                return
            stream = ole.openstream("Workbook").read()
        finally:
            ole.close()
    except (OSError, ValueError, struct.error, IndexError) as exc:
        raise _Damaged(f"the old Excel container is damaged ({exc})") from None
    sheets = []  # (name, offset, is worksheet)
    externs: list[tuple[int, int]] = []
    supbooks: list[bool] = []  # True for this workbook's own sheets
    pending_names = []
    for rtype, body in _biff_records(stream, 0):
        if rtype == _BIFF_EOF:
            break
        if rtype == _BIFF_FILEPASS:
            raise python_calamine.PasswordError("the workbook is password-protected")
        if rtype == _BIFF_BOUNDSHEET and len(body) >= 8:
            offset, kind = struct.unpack_from("<I", body)[0], body[5]
            sheets.append((_biff_short_string(body, 6), offset, kind == 0))
        elif rtype == _BIFF_SUPBOOK:
            supbooks.append(body[2:4] == b"\x01\x04")
        elif rtype == _BIFF_EXTERNSHEET and len(body) >= 2:
            count = struct.unpack_from("<H", body)[0]
            for i in range(min(count, (len(body) - 2) // 6)):
                supbook, first, _last = struct.unpack_from("<3H", body, 2 + 6 * i)
                externs.append((supbook, first))
        elif rtype == _BIFF_NAME:
            pending_names.append(body)
    book.sheet_names = [name for name, _, _ in sheets]
    for body in pending_names:
        name, target = _biff_name(body)
        if name is None or not name.upper().startswith(L.NAME_PREFIX) or target is None:
            continue
        ixti, row, col = target
        if ixti < len(externs):
            supbook, first = externs[ixti]
            own = supbook < len(supbooks) and supbooks[supbook]
            if own and 0 <= first < len(sheets):
                book.names[name.upper()] = (sheets[first][0], row, col)
    for name, offset, is_worksheet in sheets:
        if is_worksheet:
            _scan_biff_sheet(book, name, stream, offset)


def _biff_records(stream: bytes, pos: int):
    end = len(stream)
    while pos + 4 <= end:
        rtype, size = _RECORD.unpack_from(stream, pos)
        yield rtype, stream[pos + 4 : pos + 4 + size]
        pos += 4 + size


def _biff_short_string(body: bytes, pos: int) -> str:
    count, high = body[pos], body[pos + 1] & 1
    raw = body[pos + 2 : pos + 2 + count * (2 if high else 1)]
    return raw.decode("utf-16-le" if high else "latin-1", "replace")


def _biff_name(body: bytes):
    if len(body) < 15:
        return None, None
    options, _key, count, size, _ixals, itab = struct.unpack_from("<HBBHHH", body)
    if options & 0x20 or itab:  # built-in (print area...) or local to a sheet
        return None, None
    high = body[14] & 1
    start = 15
    end = start + count * (2 if high else 1)
    name = body[start:end].decode("utf-16-le" if high else "latin-1", "replace")
    formula = body[end : end + size]
    if len(formula) == 7 and formula[0] in (0x3A, 0x5A, 0x7A):  # ptgRef3d
        ixti, row, col = struct.unpack_from("<HHH", formula, 1)
        return name, (ixti, row, col & 0x3FFF)
    if len(formula) == 11 and formula[0] in (0x3B, 0x5B, 0x7B):  # ptgArea3d of one cell
        ixti, row1, row2, col1, col2 = struct.unpack_from("<5H", formula, 1)
        if row1 == row2 and col1 & 0x3FFF == col2 & 0x3FFF:
            return name, (ixti, row1, col1 & 0x3FFF)
    return name, None


def _scan_biff_sheet(book: _Book, sheet: str, stream: bytes, offset: int) -> None:
    extent = _Extent()
    formulas = set()
    depth = 0
    max_row = max_col = -1
    for rtype, body in _biff_records(stream, offset):
        if rtype == _BIFF_BOF:
            depth += 1
            continue
        if rtype == _BIFF_EOF:
            depth -= 1
            if depth <= 0:
                break
            continue
        if depth != 1 or len(body) < 4:
            continue
        if rtype in _BIFF_VALUE_CELLS or rtype == _BIFF_FORMULA:
            row, col = struct.unpack_from("<HH", body)
            if rtype == _BIFF_FORMULA:
                formulas.add((row, col))
        elif rtype == _BIFF_MULRK and len(body) >= 6:
            row = struct.unpack_from("<H", body)[0]
            col = struct.unpack_from("<H", body, len(body) - 2)[0]
        else:
            continue
        max_row, max_col = max(max_row, row), max(max_col, col)
    if max_row >= 0:
        extent.add(max_row, max_col)
    book.extents[sheet] = extent
    book.formulas[sheet] = formulas


# --- xlsb -----------------------------------------------------------------------------------------
_XLSB_ROW, _XLSB_SHEET = 0x00, 0x9C  # BrtRowHdr, BrtBundleSh
_XLSB_CELLS = range(0x01, 0x0C)  # BrtCellBlank .. BrtFmlaError: they start with their column
_XLSB_FORMULAS = range(0x08, 0x0C)  # BrtFmlaString, BrtFmlaNum, BrtFmlaBool, BrtFmlaError
_XLSB_SHORT_CELLS = range(0x0C, 0x13)  # BrtShortBlank .. BrtShortIsst: the next column


def _xlsb_records(data: bytes):
    """``(type, body)`` of each record of an xlsb part."""
    pos, end = 0, len(data)
    while pos < end:
        rtype = data[pos]
        pos += 1
        if rtype & 0x80:
            if pos >= end:
                raise _Damaged("an xlsb record is cut short")
            rtype = (rtype & 0x7F) | ((data[pos] & 0x7F) << 7)
            pos += 1
        size = shift = 0
        for _ in range(4):
            if pos >= end:
                raise _Damaged("an xlsb record is cut short")
            byte = data[pos]
            pos += 1
            size |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                break
        yield rtype, data[pos : pos + size]
        pos += size


def _xlsb_string(body: bytes, pos: int) -> tuple[str, int]:
    count = struct.unpack_from("<I", body, pos)[0]
    if count == 0xFFFFFFFF:
        return "", pos + 4
    end = pos + 4 + 2 * count
    return body[pos + 4 : end].decode("utf-16-le", "replace"), end


def _read_xlsb(book: _Book, parts: dict[str, bytes]) -> None:
    """Sheet order and parts from workbook.bin, then each worksheet's used range and formula
    cells from its records (defined names in xlsb are left to the reference ids)."""
    rels = {}
    rels_xml = _sized(book, parts, "xl/_rels/workbook.bin.rels")
    if rels_xml is not None:
        for rel in parse_xml(rels_xml):
            target = rel.get("Target", "")
            target = target[1:] if target.startswith("/") else posixpath.join("xl", target)
            rels[rel.get("Id")] = posixpath.normpath(target)
    try:
        for rtype, body in _xlsb_records(parts.get("xl/workbook.bin", b"")):
            if rtype == _XLSB_SHEET and len(body) >= 12:
                rel_id, pos = _xlsb_string(body, 8)
                name, _ = _xlsb_string(body, pos)
                book.sheet_names.append(name)
                part = _sized(book, parts, rels.get(rel_id, ""))
                if part is not None:
                    book.extents[name], book.formulas[name] = _xlsb_cells(part)
    except (struct.error, IndexError) as exc:
        raise _Damaged(f"the binary workbook is damaged ({exc})") from None
    _properties(book, parts)
    missing = [sheet for sheet in book.sheet_names if sheet not in book.extents]
    if missing:  # the parser would look for it elsewhere, unchecked
        raise _Damaged(f"the part of sheet {missing[0]!r} is missing")


def _xlsb_cells(data: bytes) -> tuple[_Extent, set[tuple[int, int]]]:
    extent = _Extent()
    formulas = set()
    row = col = -1
    max_row = max_col = -1
    for rtype, body in _xlsb_records(data):
        if rtype == _XLSB_ROW and len(body) >= 4:
            row, col = struct.unpack_from("<I", body)[0], -1
            continue
        if rtype in _XLSB_CELLS and len(body) >= 4:
            col = struct.unpack_from("<I", body)[0]
            if rtype in _XLSB_FORMULAS:
                formulas.add((row, col))
        elif rtype in _XLSB_SHORT_CELLS:
            col += 1
        else:
            continue
        if rtype not in (0x01, 0x0C):  # blank cells hold formatting only
            max_row, max_col = max(max_row, row), max(max_col, col)
    if max_row >= 0:
        extent.add(max_row, max_col)
    return extent, formulas


# --- reading one file -----------------------------------------------------------------------------
def read_return(
    path: str | Path,
    models: Model | Iterable[Model],
    register: Register | None = None,
    *,
    limits: Limits = DEFAULT_LIMITS,
) -> Return:
    """Read and validate one returned workbook. Never raises for a bad file: the problems
    list of the :class:`Return` says what is wrong, where, and what the council should do.
    The file is only ever read, never written."""
    models = [models] if isinstance(models, Model) else list(models)
    path = str(path)
    result = Return(path=path)
    book = None
    try:
        found = inspect_file(path, limits, keep=_keep_part, kept_only=True)
        result.format = found.format
        result.problems.extend(found.problems)
        if found.problems or found.data is None:
            return result
        book = _open_book(found, limits)
        del found  # the parts and bytes: the parser has its own copy
        if book.format == "xlsm":
            result.problems.append(
                _p(
                    "macros-present",
                    "the workbook is macro-enabled; its macros, if any, were never run",
                    path,
                    severity=WARNING,
                    hint="save it as .xlsx next time",
                )
            )
        _Interpreter(book, models, register, result).run()
    except _Refused as refused:
        result.problems.append(refused.problem)
    except python_calamine.PasswordError:
        result.problems.append(
            _p(
                "encrypted",
                "the file is password-protected",
                path,
                hint="remove the password and resend",
            )
        )
    except _Damaged as exc:
        result.problems.append(
            _p("corrupt-file", f"the file is damaged and cannot be read ({exc})", path)
        )
    except Exception as exc:  # noqa: BLE001 - one bad file never stops a batch
        result.problems.append(
            _p(
                "reader-error",
                f"npsxl could not read this file ({type(exc).__name__}: {str(exc)[:200]})",
                path,
                hint="report this to the npsxl maintainers with the file",
            )
        )
    finally:
        if book is not None:
            book.close()
    return result


# --- interpreting ---------------------------------------------------------------------------------
def _p(
    code, message, file, *, sheet=None, cell=None, item_id=None, severity=Severity.ERROR, hint=""
):
    return Problem(
        code,
        message,
        Location(file=file, sheet=sheet, cell=cell, item_id=item_id),
        severity,
        hint or HINTS.get(code, ""),
    )


def _norm(value) -> str:
    return " ".join(str(value).split()).lower() if value is not None else ""


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _where(cell: _Cell | None) -> dict:
    return {"sheet": cell.sheet, "cell": cell.ref} if cell is not None else {}


_LEVEL_TOKENS = re.compile(r"[^\W\d_]+|\d+(?:\.0+)?")
_LEVEL_PUNCTUATION = re.compile(r"[\s\-.:()\[\]–—/=,]+")


class _ModelFacts:
    """What the reader works out once per model, not once per file: the items and their
    ids, level names and scores, the defined names of the input cells, the table's columns.
    Read only."""

    def __init__(self, model: Model):
        self.items = model.items
        self.ids = {item.id.upper(): item for item in self.items}
        self.longest_id = max(len(key) for key in self.ids) + 8
        self.level_names = model.level_names
        self.exact = {name: name for name in self.level_names}
        self.folded = {name.casefold(): name for name in self.level_names}
        self.scores: dict[str, int] = {}
        for level in model.levels:
            self.scores.setdefault(level.name, level.score)
        columns = L.assessment_columns(self.level_names)
        self.headers = {_norm(c.header): c.key for c in columns}
        self.offsets = {c.key: i for i, c in enumerate(columns)}
        self.input_names = {
            item.id: {key: L.item_input_name(item.id, key).upper() for key in L.ITEM_FIELDS}
            for item in self.items
        }


_FACTS: dict[int, tuple[Model, _ModelFacts]] = {}


def _facts(model: Model) -> _ModelFacts:
    entry = _FACTS.get(id(model))
    if entry is None or entry[0] is not model:
        if len(_FACTS) >= 32:
            _FACTS.clear()
        entry = _FACTS[id(model)] = (model, _ModelFacts(model))
    return entry[1]


def parse_level(value, model: Model) -> tuple[str | None, str]:
    """Turn what a council typed into a level name. Returns ``(level, issue)``:
    issue is '' for the dropdown text, 'loose' for an accepted variant ("mature",
    "3", 3.0, "Level 3 - Mature", "Mature (3)"), 'bad' otherwise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, ""
    if isinstance(value, bool):
        return None, "bad"
    facts = _facts(model)
    level_names, names = facts.level_names, facts.folded
    count = len(level_names)
    if isinstance(value, (int, float)):
        if float(value).is_integer() and 1 <= int(value) <= count:
            return level_names[int(value) - 1], "loose"
        return None, "bad"
    if not isinstance(value, str):
        return None, "bad"
    exact = facts.exact.get(value)
    if exact is not None:
        return exact, ""  # the model's own string: one object for every answer, not one each
    folded = " ".join(value.split()).casefold()
    if folded in names:
        return names[folded], "loose"
    tokens = _LEVEL_TOKENS.findall(folded)
    if _LEVEL_PUNCTUATION.sub("", _LEVEL_TOKENS.sub("", folded)):
        return None, "bad"  # characters other than words, digits and separators
    words = [t for t in tokens if not t[0].isdigit() and t != "level"]
    digits = [t for t in tokens if t[0].isdigit()]
    if len(digits) > 1 or (not words and not digits):
        return None, "bad"
    by_score = None
    if digits:
        score = int(float(digits[0]))
        if not 1 <= score <= count:
            return None, "bad"
        by_score = level_names[score - 1]
    by_name = names.get(" ".join(words)) if words else None
    if words and by_name is None:
        return None, "bad"
    if by_score and by_name and by_score != by_name:
        return None, "bad"
    return by_name or by_score, "loose"


_SHARED_DATES: dict[dt.date, dt.date] = {}


def _shared_date(value):
    """``value``, or an equal date already made: thousands of answers share a few target
    dates, and one object each adds up over a collation."""
    if value.__class__ is not dt.date:
        return value
    if len(_SHARED_DATES) >= 4096:
        _SHARED_DATES.clear()
    return _SHARED_DATES.setdefault(value, value)


def _date(value):
    """A date from a date cell, an Excel serial number or text; other text is kept as is."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 36526 <= value < 73051:
        return dt.date(1899, 12, 30) + dt.timedelta(days=int(value))  # 2000-01-01..2099
    text = _text(value)
    for pattern in (
        "%d/%m/%Y",
        "%Y-%m-%d",
        "%d-%m-%Y",
        "%d.%m.%Y",
        "%d %B %Y",
        "%d %b %Y",
        "%d/%m/%y",
        "%Y-%m-%dT%H:%M:%S",
    ):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            pass
    return text


@dataclass
class _Table:
    model: Model
    sheet: str
    rows: dict[str, dict[str, _Cell]]  # item id -> field key -> cell
    refs: dict[str, _Cell]  # item id -> its reference cell
    duplicates: dict[str, list[_Cell]] = field(default_factory=dict)
    header: bool = False

    @property
    def score(self) -> tuple[int, int]:
        return len(self.rows), int(self.header)


_SMALL_PRINT = re.compile(r"Model (\S+) version (\S+), fingerprint ([0-9a-f]{64})")
_MODEL_KEYS = ("model_id", "model_version", "model_fingerprint")
_GENERATED_SHEETS = (L.START, L.GUIDANCE, L.SUMMARY, L.LISTS, L.METADATA)


class _Interpreter:
    def __init__(self, book: _Book, models: list[Model], register, result: Return):
        self.book = book
        self.models = models
        self.register = register
        self.result = result
        self.file = book.path
        self.meta_where: dict[str, dict] = {}
        self._detail_cells: dict[str, _Cell] | None = None

    def problem(self, code, message, **kwargs):
        self.result.problems.append(_p(code, message, self.file, **kwargs))

    def run(self):
        meta = self._metadata()
        model, table = self._model(meta)
        if model is None:
            return
        self.model = model
        self.result.item_count = len(_facts(model).items)
        self._identity(meta)
        self._respondent()
        completed = self.result.respondent.date_completed
        self.result.round = meta.get("round", "") or (
            str(completed.year) if isinstance(completed, dt.date) else ""
        )
        self._answers(table)

    # metadata: defined names and the Metadata sheet, custom properties, the small print ------
    def _metadata(self) -> dict[str, str]:
        book = self.book
        cells: dict[str, str] = {}
        for key in L.META_KEYS:
            cell = book.named(L.meta_defined_name(key))
            if cell is not None and not book.is_formula(cell) and _text(cell.value):
                cells[key] = _text(cell.value)
                self.meta_where[key] = _where(cell)
        if L.METADATA in book.sheet_names:
            self._key_block(L.METADATA, cells)
        props = {}
        for key in L.META_KEYS:
            value = book.properties.get(L.meta_property_name(key), "").strip()
            if value and value != "-":
                props[key] = value
        for key in _MODEL_KEYS:
            if key in cells and key in props and cells[key] != props[key]:
                self.problem(
                    "sources-disagree",
                    f"the workbook's {key.replace('_', ' ')} is "
                    f"{cells[key]!r} on its sheet but {props[key]!r} in its document "
                    f"properties; {cells[key]!r} was used",
                    severity=WARNING,
                    hint="use the workbook you were given, unedited",
                    **self.meta_where[key],
                )
        found = {**props, **cells}
        if not all(key in found for key in _MODEL_KEYS):
            others = [L.START] + [s for s in book.sheet_names if s not in (L.START, L.METADATA)]
            for sheet in others:
                if sheet in book.sheet_names:
                    self._key_block(sheet, found)
                    self._small_print(sheet, found)
                if all(key in found for key in _MODEL_KEYS):
                    break
        return found

    def _key_block(self, sheet: str, found: dict) -> None:
        for r, row in enumerate(self.book.rows(sheet)[:200]):
            if len(row) >= 2 and isinstance(row[0], str) and row[0].strip() in L.META_KEYS:
                key, value = row[0].strip(), _text(row[1])
                cell = _Cell(sheet, r, 1, row[1])
                if value and key not in found and not self.book.is_formula(cell):
                    found[key] = value
                    self.meta_where[key] = _where(cell)

    def _small_print(self, sheet: str, found: dict) -> None:
        for r, row in enumerate(self.book.rows(sheet)[:200]):
            for c, value in enumerate(row):
                match = _SMALL_PRINT.search(value) if isinstance(value, str) else None
                if match:
                    for key, text in zip(_MODEL_KEYS, match.groups(), strict=True):
                        if key not in found:
                            found[key] = text
                            self.meta_where[key] = {"sheet": sheet, "cell": _a1(r, c)}
                    return

    def _model(self, meta) -> tuple[Model | None, _Table | None]:
        r = self.result
        r.model_id = meta.get("model_id", "")
        r.model_version = meta.get("model_version", "")
        r.model_fingerprint = meta.get("model_fingerprint", "")
        known = ", ".join(sorted({f"{m.id} {m.version}" for m in self.models})) or "none"
        if not r.model_id:
            table = self._find_table(self.models)
            if table is None:
                self.problem(
                    "not-nps",
                    "this is not an NPS self-assessment: no model "
                    "information and no table of reference ids was found",
                )
                return None, None
            model = table.model
            self.problem(
                "metadata-missing",
                f"the workbook's model details are missing; the "
                f"answers were matched to {model.id} {model.version} by their "
                "reference ids",
                severity=WARNING,
                **_where(min(table.refs.values(), key=lambda c: (c.row, c.col))),
            )
            r.model_id, r.model_version = model.id, model.version
            return model, table
        same_id = [m for m in self.models if m.id == r.model_id]
        where = self.meta_where.get("model_id", {})
        if not same_id:
            self.problem(
                "unknown-model",
                f"the workbook is for model {r.model_id!r}, which is "
                f"not known here (known: {known})",
                **where,
            )
            return None, None
        if not r.model_version:
            table = self._find_table(same_id)
            model = table.model if table is not None else same_id[-1]
            self.problem(
                "metadata-missing",
                f"the workbook's model version is missing; it "
                f"was read as {model.id} {model.version}",
                severity=WARNING,
                **where,
            )
            r.model_version = model.version
            return model, table
        versions = [m for m in same_id if m.version == r.model_version]
        if not versions:
            self.problem(
                "unknown-model",
                f"the workbook is for {r.model_id} version "
                f"{r.model_version!r}, which is not known here (known: {known})",
                **self.meta_where.get("model_version", where),
            )
            return None, None
        model = next((m for m in versions if m.fingerprint == r.model_fingerprint), versions[0])
        if not r.model_fingerprint:
            self.problem(
                "metadata-missing",
                "the workbook's model fingerprint is missing, so "
                "its strategy text could not be checked",
                severity=WARNING,
                **where,
            )
        elif r.model_fingerprint != model.fingerprint:
            self.problem(
                "fingerprint-mismatch",
                f"the workbook's strategy text does not match "
                f"{model.id} {model.version} (fingerprint {r.model_fingerprint[:12]}, "
                f"expected {model.fingerprint[:12]}): it was generated from an edited "
                "model",
                hint="use the workbook generated from the published model",
                **self.meta_where.get("model_fingerprint", where),
            )
            return None, None
        return model, self._find_table([model])

    # the table --------------------------------------------------------------------------------
    def _find_table(self, models: list[Model]) -> _Table | None:
        """The sheet and rows of the assessment table, found by headers and reference ids:
        the generator's sheet first, then sheets the defined names point at, then the rest."""
        book = self.book
        named = [
            s
            for n, (s, _, _) in book.names.items()
            if n.endswith(("_CURRENT", "_TARGET")) and s in book.sheet_names
        ]
        rest = [s for s in book.sheet_names if s not in _GENERATED_SHEETS]
        order = list(dict.fromkeys([L.ASSESSMENT, *named, *rest, *_GENERATED_SHEETS]))
        best = None
        for sheet in order:
            if sheet not in book.sheet_names:
                continue
            rows = book.rows(sheet)
            for model in models:
                table = _scan_sheet(sheet, rows, model)
                if table is not None and (best is None or table.score > best.score):
                    best = table
            if best is not None and best.header and len(best.rows) == len(best.model.items):
                break
        return best

    # identity and respondent ------------------------------------------------------------------
    def _details(self) -> dict[str, _Cell]:
        """The cells holding council and respondent details: by defined name, else next to
        their labels on the sheet that holds most of the labels."""
        if self._detail_cells is not None:
            return self._detail_cells
        cells = {}
        for field_ in L.DETAIL_FIELDS:
            cell = self.book.named(field_.defined_name)
            if cell is not None:
                cells[field_.key] = cell
        if len(cells) < len(L.DETAIL_FIELDS):
            labels = {_norm(f.label): f.key for f in L.DETAIL_FIELDS}
            order = [L.START] + [s for s in self.book.sheet_names if s != L.START]
            for sheet in order:
                if sheet not in self.book.sheet_names:
                    continue
                found = {}
                for r, row in enumerate(self.book.rows(sheet)[:100]):
                    for c, value in enumerate(row[:12]):
                        key = labels.get(_norm(value)) if isinstance(value, str) else None
                        if key is not None and key not in found:
                            found[key] = _Cell(sheet, r, c + 1, self.book.value(sheet, r, c + 1))
                if len(found) >= 4:
                    for key, cell in found.items():
                        cells.setdefault(key, cell)
                    break
        self._detail_cells = cells
        return cells

    def _detail(self, key: str, *, input_cell: bool = True) -> tuple[str, _Cell | None]:
        cell = self._details().get(key)
        if cell is None:
            return "", None
        if self.book.is_formula(cell):
            if input_cell:
                self.problem(
                    "formula-in-input",
                    f"{cell.ref} holds a formula; only typed values count, so it was ignored",
                    severity=WARNING,
                    **_where(cell),
                )
            return "", cell
        return _text(cell.value), cell

    def _identity(self, meta):
        r = self.result
        name, name_cell = self._detail("council_name")
        code, code_cell = self._detail("council_code", input_cell=False)
        name = name or meta.get("council_name", "")
        code = code or meta.get("council_code", "")
        r.council_name, r.council_code = name, code
        where = _where(name_cell or code_cell)
        if not name and not code:
            if not where:
                where = {"sheet": L.START, "cell": L.start_detail_cell(0)}
            self.problem("council-missing", "the council is not named", **where)
            return
        if self.register is None:
            return
        by_code = self.register.by_code(code) if code else None
        by_name = None
        not_found = None
        if name:
            try:
                by_name = self.register.match(name)
            except CouncilNotFound as exc:
                not_found = exc
        if by_name is not None and by_code is not None and by_name != by_code:
            self.problem(
                "sources-disagree",
                f"the council named is {by_name.name} but the "
                f"workbook's council code {code} is {by_code.name}; {by_name.name} "
                "was used",
                severity=WARNING,
                hint="check who sent this return",
                **where,
            )
        council = by_name or by_code
        if council is None:
            if not_found is not None:
                also = (
                    f"; did you mean {', '.join(not_found.suggestions)}?"
                    if not_found.suggestions
                    else ""
                )
                message = f"council {name!r} is not in the register{also}"
            else:
                message = f"council code {code!r} is not in the register"
            self.problem("council-unknown", message, **where)
            return
        if not_found is not None:
            self.problem(
                "sources-disagree",
                f"council {name!r} is not in the register; the "
                f"workbook's council code {code} ({council.name}) was used",
                severity=WARNING,
                hint="check who sent this return",
                **where,
            )
        r.council = council
        if not r.council_code:
            r.council_code = council.code

    def _respondent(self):
        values = {
            key: self._detail(key)[0]
            for key in ("respondent_name", "respondent_role", "respondent_email")
        }
        _, cell = self._detail("date_completed")
        date = _date(cell.value) if cell is not None and not self.book.is_formula(cell) else None
        self.result.respondent = Respondent(
            values["respondent_name"], values["respondent_role"], values["respondent_email"], date
        )

    # answers ----------------------------------------------------------------------------------
    def _answers(self, table: _Table | None):
        model, book = self.model, self.book
        rows = table.rows if table is not None else {}
        row_owner = {}  # (sheet, row) -> item id whose reference id is on that row
        if table is not None:
            for item_id, ref in table.refs.items():
                row_owner[(ref.sheet, ref.row)] = item_id
            for item_id, extras in table.duplicates.items():
                for extra in extras:
                    row_owner[(extra.sheet, extra.row)] = item_id
                    self.problem(
                        "duplicate-item",
                        f"item {item_id} appears more than once: on "
                        f"row {table.refs[item_id].row + 1} and row {extra.row + 1}; the "
                        f"first was used",
                        item_id=item_id,
                        hint="delete the extra row so each item appears once",
                        **_where(extra),
                    )
        disagreements: list[tuple[str, str, _Cell | None, _Cell, str | None]] = []
        found: dict[str, dict[str, _Cell | None]] = {}
        facts = _facts(model)
        names = book.names
        for item in facts.items:
            by_row = rows.get(item.id, {})
            cells: dict[str, _Cell | None] = {}
            named_only = []
            input_names = facts.input_names[item.id]
            for key in L.ITEM_FIELDS:
                row_cell = by_row.get(key)
                cells[key] = row_cell
                name = input_names[key]
                if row_cell is not None and names.get(name) == (
                    row_cell.sheet,
                    row_cell.row,
                    row_cell.col,
                ):
                    continue  # both ways lead to the same cell: the usual case
                name_cell = book.named(name)
                if name_cell is None:
                    continue
                owner = row_owner.get((name_cell.sheet, name_cell.row), item.id)
                other = owner if owner != item.id else None
                if row_cell is None:
                    if other is not None:  # it points into another item's row: not this item's
                        disagreements.append((item.id, key, None, name_cell, other))
                    else:
                        cells[key] = name_cell
                        named_only.append(name_cell)
                elif (row_cell.sheet, row_cell.row, row_cell.col) != (
                    name_cell.sheet,
                    name_cell.row,
                    name_cell.col,
                ) and (other is not None or _text(row_cell.value) != _text(name_cell.value)):
                    disagreements.append((item.id, key, row_cell, name_cell, other))
            if named_only and table is not None and item.id not in rows:
                self.problem(
                    "sources-disagree",
                    f"no row has the reference id {item.id}; its "
                    "answers were read from the cells named "
                    f"{L.NAME_PREFIX}{item.id}_*",
                    severity=WARNING,
                    item_id=item.id,
                    hint="check the reference ids in the first column",
                    **_where(named_only[0]),
                )
            found[item.id] = cells
        if table is None and any(c is not None for cells in found.values() for c in cells.values()):
            first = next(c for cells in found.values() for c in cells.values() if c is not None)
            self.problem(
                "sources-disagree",
                "no row of the table has a reference id (the 'Ref' "
                "column); the answers were read from the workbook's defined names",
                severity=WARNING,
                hint="check the reference ids in the first column",
                **_where(first),
            )
        self._report_disagreements(disagreements)
        self._read_items(table, found)

    def _report_disagreements(self, disagreements):
        by_item: dict[str, list] = {}
        for item_id, key, row_cell, name_cell, other in disagreements:
            by_item.setdefault(item_id, []).append((key, row_cell, name_cell, other))
        if len(by_item) > MANY_DISAGREEMENTS:
            item_id, _, row_cell, name_cell, _ = disagreements[0]
            self.problem(
                "sources-disagree",
                f"the defined names of {len(by_item)} items "
                f"({', '.join(by_item)}) point at cells that no longer hold their "
                "row's answers (rows or columns were sorted, moved or inserted); the "
                "rows, found by their reference ids, were used",
                severity=WARNING,
                **_where(row_cell or name_cell),
            )
            return
        for item_id, entries in by_item.items():
            key, row_cell, name_cell, other = entries[0]
            name = L.item_input_name(item_id, key)
            pointed = (
                f"the defined name {name} points at {name_cell.ref} holding "
                f"{_text(name_cell.value)!r}"
                + (f", on the row with reference {other}" if other else "")
            )
            if row_cell is None:
                message = f"no row has the reference id {item_id}, and {pointed}; it was not used"
            else:
                fields = ", ".join(k.replace("_", " ") for k, _, _, _ in entries)
                message = (
                    f"the row with reference {item_id} holds {_text(row_cell.value)!r} "
                    f"in {row_cell.ref}, but {pointed} (fields that differ: {fields}); "
                    "the row was used"
                )
            self.problem(
                "sources-disagree",
                message,
                severity=WARNING,
                item_id=item_id,
                **_where(row_cell or name_cell),
            )

    def _cell_value(self, cell: _Cell | None, item_id: str):
        if cell is None:
            return None
        if self.book.is_formula(cell):
            self.problem(
                "formula-in-input",
                f"{cell.ref} holds a formula; only typed values count, so it was ignored",
                item_id=item_id,
                severity=WARNING,
                **_where(cell),
            )
            return None
        return cell.value

    def _read_items(self, table: _Table | None, found):
        model = self.model
        scores = _facts(model).scores
        incomplete = []
        any_level = False
        for item in _facts(model).items:
            cells = found[item.id]
            if all(cell is None for cell in cells.values()):
                where = {"sheet": table.sheet} if table is not None else {}
                incomplete.append(
                    (
                        item,
                        f"item {item.id} ({item.name}) is missing from the workbook",
                        where,
                        "use the workbook you were given, with every row",
                    )
                )
                continue
            levels = {}
            for key in L.LEVEL_FIELDS:
                cell = cells[key]
                value = self._cell_value(cell, item.id)
                level, issue = parse_level(value, model)
                label = "current level" if key == "current" else "target level"
                if issue == "bad":
                    any_level = True
                    self.problem(
                        "unknown-level",
                        f"the {label} of {item.id} is "
                        f"{_text(value)!r}, which is not a level; allowed: "
                        f"{', '.join(model.level_names)}",
                        item_id=item.id,
                        **_where(cell),
                    )
                elif issue == "loose":
                    self.problem(
                        "level-not-from-list",
                        f"the {label} of {item.id} is "
                        f"{_text(value)!r}, not the dropdown text; read as {level!r}",
                        item_id=item.id,
                        severity=WARNING,
                        **_where(cell),
                    )
                any_level = any_level or level is not None
                levels[key] = (level, issue, cell)
            missing = [k for k in L.LEVEL_FIELDS if levels[k][0] is None and levels[k][1] != "bad"]
            if missing:
                what = " and ".join(missing)
                incomplete.append(
                    (
                        item,
                        f"{item.id} ({item.name}): no {what} level",
                        _where(levels[missing[0]][2]),
                        "",
                    )
                )
            current, target = levels["current"][0], levels["target"][0]
            if current and target and scores[target] < scores[current]:
                self.problem(
                    "target-below-current",
                    f"{item.id}: the target level {target} is below the current level {current}",
                    item_id=item.id,
                    severity=WARNING,
                    hint="check the levels; a target is usually at or above the current level",
                    **_where(levels["target"][2]),
                )
            texts = {}
            for key in ("evidence", "actions"):
                cell = cells[key]
                text = _text(self._cell_value(cell, item.id))
                if len(text) >= EXCEL_CELL_LIMIT:  # the parser cuts longer text at the limit
                    self.problem(
                        "text-too-long",
                        f"the {key} of {item.id} reaches Excel's "
                        f"limit of {EXCEL_CELL_LIMIT:,} characters for a cell; any "
                        "text beyond it was cut",
                        item_id=item.id,
                        severity=WARNING,
                        hint="shorten it or refer to a document",
                        **_where(cell),
                    )
                    text = text[:EXCEL_CELL_LIMIT]
                texts[key] = text
            date_value = self._cell_value(cells["target_date"], item.id)
            self.result.answers[item.id] = Answer(
                item.id,
                current,
                target,
                texts["evidence"],
                texts["actions"],
                _shared_date(_date(date_value)),
            )
        if not self.result.answers:
            self.problem(
                "incomplete",
                "the self-assessment table was not found: no row has a "
                f"reference id such as {model.items[0].id}",
                sheet=L.ASSESSMENT,
                hint="use the workbook you were given, with every row",
            )
            return
        if incomplete and not any_level:
            first = next(iter(found.values()))
            where = _where(first.get("current")) or (
                {"sheet": table.sheet} if table is not None else {}
            )
            self.problem(
                "incomplete",
                f"no levels have been chosen: all {len(model.items)} "
                "items have no current or target level (the self-assessment is blank)",
                hint=f"choose a current and a target level for every item on the "
                f"'{L.ASSESSMENT}' sheet",
                **where,
            )
            return
        for item, message, where, hint in incomplete:
            self.problem("incomplete", message, item_id=item.id, hint=hint, **where)


# --- finding the table by its reference ids -------------------------------------------------------
_REF_HEADER, _CURRENT_HEADER = _norm(L.REF_HEADER), _norm(L.CURRENT_HEADER)


def _scan_sheet(sheet: str, rows: list[list], model: Model, exact: bool = True) -> _Table | None:
    """Rows of one sheet whose reference cell holds an item id: under a header row with
    'Ref' and 'Current level' (columns mapped by their headers), or without one when the
    row itself shows the generated layout (the item's level descriptors after its id).
    Header rows are first looked for by the exact 'Ref', then in any case and spacing."""
    facts = _facts(model)
    ids, longest_id = facts.ids, facts.longest_id
    headers, offsets = facts.headers, facts.offsets
    ref_header, current_header = _REF_HEADER, _CURRENT_HEADER
    column_of: dict[str, int] = {}
    ref_col = None
    table = _Table(model, sheet, {}, {})
    loose = []  # rows without a header: (item id, row index, ref column, row)
    for r, row in enumerate(rows):
        if (
            (L.REF_HEADER in row)
            if exact
            else any(v.__class__ is str and len(v) < 12 and _norm(v) == ref_header for v in row)
        ):
            normed = {}
            for c, value in enumerate(row):
                if isinstance(value, str) and value:
                    normed.setdefault(_norm(value), c)
            if current_header in normed:
                column_of = {headers[h]: c for h, c in normed.items() if h in headers}
                ref_col = column_of["ref"]
                table.header = True
                continue
        if ref_col is not None:
            candidates = (ref_col,) if ref_col < len(row) else ()
        else:
            candidates = [
                c for c, v in enumerate(row) if v.__class__ is str and 0 < len(v) <= longest_id
            ]
        for c in candidates:
            value = row[c]
            item = ids.get(value.strip().upper()) if isinstance(value, str) else None
            if item is None:
                continue
            if ref_col is None and not _generated_row(row, c, item, offsets):
                continue  # no header: accept only the generated layout around the id
            ref = _Cell(sheet, r, c, value)
            if item.id in table.refs:
                table.duplicates.setdefault(item.id, []).append(ref)
            elif ref_col is None:
                table.refs[item.id] = ref
                loose.append((item.id, r, c, row))
            else:
                table.rows[item.id] = _row_cells(sheet, r, row, column_of)
                table.refs[item.id] = ref
            break
    if exact and not table.header:
        return _scan_sheet(sheet, rows, model, exact=False)
    if loose:
        offsets = _loose_offsets(model, offsets, loose)
        for item_id, r, c, row in loose:
            column_of = {key: c + off for key, off in offsets.items()}
            table.rows[item_id] = _row_cells(sheet, r, row, column_of)
    return table if table.rows else None


def _row_cells(sheet: str, r: int, row: list, column_of: dict[str, int]) -> dict[str, _Cell]:
    width = len(row)
    return {
        key: _Cell(sheet, r, col, row[col] if col < width else None)
        for key in L.ITEM_FIELDS
        if (col := column_of.get(key)) is not None
    }


def _loose_offsets(model: Model, offsets: dict[str, int], loose: list) -> dict[str, int]:
    """Column offsets for rows without a header: the generated layout, or that of a
    pre-filled workbook (last round's levels after the target) when the two columns after
    the target hold nothing but level names."""
    levels = set(model.level_names)
    first, second = offsets["evidence"], offsets["actions"]
    seen_level = False
    for _, _, c, row in loose:
        for col in (c + first, c + second):
            value = row[col] if col < len(row) else None
            if value in levels:
                seen_level = True
            elif value not in (None, ""):
                return offsets
    if not seen_level:
        return offsets
    columns = L.assessment_columns(model.level_names, previous=True)
    return {c.key: i for i, c in enumerate(columns)}


def _generated_row(row: list, c: int, item, offsets: dict[str, int]) -> bool:
    def at(key):
        col = c + offsets[key]
        return _norm(row[col]) if col < len(row) else ""

    return any(
        at(f"level_{i}") == _norm(descriptor) and descriptor
        for i, descriptor in enumerate(item.descriptors, start=1)
    )
