"""A returned workbook opened for reading, whatever its format: :func:`open_book`.

:class:`Book` gives cell values per sheet (parsed by python-calamine on first use), the
workbook's ``NPS_*`` defined names, its custom document properties, and which cells hold
formulas, read from the raw parts of xlsx/xlsm, ods, xls (BIFF8) and xlsb files. Before a
sheet reaches the parser its used range is measured from the raw file, so a stray value in
XFD1048576 cannot make the parser allocate billions of cells. :mod:`npsxl.reading.reader` turns a
book into answers.
"""

from __future__ import annotations

import functools
import io
import posixpath
import re
import struct
from dataclasses import dataclass

import python_calamine

from npsxl.core.problems import Location, Problem
from npsxl.reading.preflight import Limits, iterparse_xml, parse_xml
from npsxl.workbook import layout as L

_HINT_TOO_LARGE = "delete the stray cell (Ctrl+End shows the last used cell) and resend"


def _too_large(message: str, file: str, *, sheet=None, cell=None) -> Problem:
    """A ``file-too-large`` problem: a sheet or part far bigger than any real workbook's."""
    location = Location(file=file, sheet=sheet, cell=cell)
    return Problem("file-too-large", message, location, hint=_HINT_TOO_LARGE)


class Refused(Exception):
    """A blocking problem found while opening or reading the file."""

    def __init__(self, problem: Problem):
        super().__init__(problem.message)
        self.problem = problem


class Damaged(Exception):
    """A parser failed on the file's content."""


@dataclass(slots=True)
class Cell:
    sheet: str
    row: int
    col: int
    value: object

    @property
    def ref(self) -> str:
        return L.a1(self.row, self.col)


def col_index(letters: str | bytes) -> int:
    if isinstance(letters, bytes):
        letters = letters.decode("ascii")
    index = 0
    for ch in letters:
        index = index * 26 + ord(ch) - 64
    return index - 1


@dataclass
class Extent:
    rows: int = 0
    cols: int = 0
    far: str = ""  # the cell that makes the range largest

    def add(self, row: int, col: int) -> None:
        if row + 1 > self.rows or col + 1 > self.cols:
            self.rows, self.cols = max(self.rows, row + 1), max(self.cols, col + 1)
            self.far = L.a1(self.rows - 1, self.cols - 1)

    @property
    def cells(self) -> int:
        return self.rows * self.cols


# --- the parsed workbook --------------------------------------------------------------------------
class Book:
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
        self.extents: dict[str, Extent] = {}
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
            raise Damaged(f"{type(exc).__name__}: {str(exc)[:200]}") from None
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
                raise Damaged(f"sheet {sheet!r}: {type(exc).__name__}: {str(exc)[:200]}") from None
        self._rows[sheet] = rows
        return rows

    def check_extent(self, sheet: str) -> None:
        extent = self.extents.get(sheet)
        if extent is not None and extent.cells > self.limits.max_sheet_cells:
            raise Refused(
                _too_large(
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

    def named(self, name: str) -> Cell | None:
        target = self.names.get(name.upper())
        if target is None or target[0] not in self.sheet_names:
            return None
        sheet, row, col = target
        return Cell(sheet, row, col, self.value(sheet, row, col))

    def is_formula(self, cell: Cell) -> bool:
        if (cell.row, cell.col) in self.formulas.get(cell.sheet, ()):
            return True
        blocks = self.formula_blocks.get(cell.sheet)
        return bool(blocks) and any(
            r0 <= cell.row <= r1 and c0 <= cell.col <= c1 for r0, r1, c0, c1 in blocks
        )


def _sized(book: Book, parts: dict[str, bytes], name: str) -> bytes | None:
    """A kept part, refusing one far bigger than any real workbook's (it would be parsed
    into a tree in memory)."""
    data = parts.get(name)
    if data is not None and len(data) > book.limits.max_xml_part_bytes:
        raise Refused(
            _too_large(
                f"part {name} is {len(data) / 1048576:.0f} MB, over the limit of "
                f"{book.limits.max_xml_part_bytes / 1048576:.0f} MB for it",
                book.path,
            )
        )
    return data


def _properties(book: Book, parts: dict[str, bytes]) -> None:
    """Custom document properties (docProps/custom.xml) of an xlsx, xlsm or xlsb file."""
    data = _sized(book, parts, "docProps/custom.xml")
    if data is not None:
        for prop in parse_xml(data):
            if len(prop):
                book.properties[prop.get("name", "")] = (prop[0].text or "").strip()


def keep_part(name: str) -> bool:
    """The parts the reader or the parser may look at: every XML part but the theme,
    charts, drawings and descriptive document properties, and every part in a sheet
    folder whatever its name ends with (the parser finds parts by name in any case). An
    xlsx's parser reads only these, repacked (see ``kept_only`` in
    :func:`npsxl.reading.preflight.inspect_file`); a part it missed would make the file unreadable,
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


def open_book(found, limits: Limits) -> Book:
    data = found.data
    if found.format in ("xlsx", "xlsm"):
        # the parser reads the checked parts, stored: nothing unchecked, nothing to inflate twice
        data = found.stored_zip(merges_first) or data
    book = Book(found.path, found.format, data, limits)
    readers = {"xlsx": _read_ooxml, "xlsm": _read_ooxml, "ods": _read_ods, "xlsb": _read_xlsb}
    try:
        if found.format == "xls":
            _read_xls(book, found.data)
        elif found.format in readers:
            readers[found.format](book, found.parts)
    except (Refused, Damaged, python_calamine.PasswordError):
        raise
    except Exception as exc:  # noqa: BLE001 - malformed XML or records: a damaged file
        raise Damaged(f"{type(exc).__name__}: {str(exc)[:200]}") from None
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


def _read_ooxml(book: Book, parts: dict[str, bytes]) -> None:
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
        bound = Extent()
        for xml in parts.values():
            if id(xml) not in mapped and b"sheetData" in xml:
                extent = xlsx_cells(xml, book.limits.max_sheet_cells)[0]
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


def _scan_xlsx_sheet(book: Book, sheet: str, xml: bytes) -> None:
    """The used range and the formula cells of one worksheet, from its raw XML."""
    book.extents[sheet], book.formulas[sheet] = xlsx_cells(xml, book.limits.max_sheet_cells)


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


# --- ods ------------------------------------------------------------------------------------------
_NS_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_NS_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_NS_META = "urn:oasis:names:tc:opendocument:xmlns:meta:1.0"
_T = "{" + _NS_TABLE + "}"
_ODS_REF = re.compile(r"^\$?(?:'((?:[^']|'')+)'|([^.']+))\.\$?([A-Z]{1,3})\$?([0-9]{1,7})$")
_ODS_CELLS = {_T + "table-cell", _T + "covered-table-cell"}


def _read_ods(book: Book, parts: dict[str, bytes]) -> None:
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


def _scan_ods_content(book: Book, content: bytes) -> None:
    sheet = None
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
            col += repeat


def _ods_name(book: Book, element) -> None:
    name = element.get(_T + "name", "")
    match = _ODS_REF.match(element.get(_T + "cell-range-address", ""))
    if match and name.upper().startswith(L.NAME_PREFIX):
        sheet = (match.group(1) or "").replace("''", "'") or match.group(2)
        book.names[name.upper()] = (sheet, int(match.group(4)) - 1, col_index(match.group(3)))


# --- xls (BIFF8) ----------------------------------------------------------------------------------
_BIFF_VALUE_CELLS = {0x00FD, 0x0203, 0x027E, 0x0205, 0x0204, 0x00D6}  # LABELSST NUMBER RK ...
_BIFF_FORMULA, _BIFF_MULRK, _BIFF_BOF, _BIFF_EOF = 0x0006, 0x00BD, 0x0809, 0x000A
_BIFF_BOUNDSHEET, _BIFF_NAME, _BIFF_EXTERNSHEET, _BIFF_SUPBOOK = 0x0085, 0x0018, 0x0017, 0x01AE
_BIFF_FILEPASS = 0x002F
_RECORD = struct.Struct("<HH")


def _read_xls(book: Book, data: bytes) -> None:
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
        raise Damaged(f"the old Excel container is damaged ({exc})") from None
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


def _scan_biff_sheet(book: Book, sheet: str, stream: bytes, offset: int) -> None:
    extent = Extent()
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
                raise Damaged("an xlsb record is cut short")
            rtype = (rtype & 0x7F) | ((data[pos] & 0x7F) << 7)
            pos += 1
        size = shift = 0
        for _ in range(4):
            if pos >= end:
                raise Damaged("an xlsb record is cut short")
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


def _read_xlsb(book: Book, parts: dict[str, bytes]) -> None:
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
        raise Damaged(f"the binary workbook is damaged ({exc})") from None
    _properties(book, parts)
    missing = [sheet for sheet in book.sheet_names if sheet not in book.extents]
    if missing:  # the parser would look for it elsewhere, unchecked
        raise Damaged(f"the part of sheet {missing[0]!r} is missing")


def _xlsb_cells(data: bytes) -> tuple[Extent, set[tuple[int, int]]]:
    extent = Extent()
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
