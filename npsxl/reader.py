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


@dataclass
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


def _rowcol(ref: str) -> tuple[int, int]:
    match = re.fullmatch(r"\$?([A-Z]{1,3})\$?([0-9]{1,7})", ref.upper())
    if not match:
        raise ValueError(ref)
    return int(match.group(2)) - 1, _col_index(match.group(1))


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
            raise _Refused(_p(
                "file-too-large", f"sheet {sheet!r} has a value in {extent.far}, far outside "
                f"the table: its used range is {extent.cells:,} cells, over the limit of "
                f"{self.limits.max_sheet_cells:,}", self.path, sheet=sheet, cell=extent.far))  # fmt: skip

    def value(self, sheet: str, row: int, col: int):
        rows = self.rows(sheet)
        if row < 0 or row >= len(rows) or col < 0 or col >= len(rows[row]):
            return None
        return rows[row][col]

    def named(self, name: str) -> _Cell | None:
        target = self.names.get(name)
        if target is None or target[0] not in self.sheet_names:
            return None
        sheet, row, col = target
        return _Cell(sheet, row, col, self.value(sheet, row, col))

    def is_formula(self, cell: _Cell) -> bool:
        return (cell.row, cell.col) in self.formulas.get(cell.sheet, ())


def _keep_part(name: str) -> bool:
    """The parts the reader looks at itself: workbook, relationships, properties, sheets."""
    return name.endswith((".xml", ".rels")) and not name.startswith(_SKIPPED_PARTS)


_SKIPPED_PARTS = ("xl/sharedStrings", "xl/styles", "xl/theme/", "xl/charts/", "xl/drawings/",
                  "Object ", "Configurations2/", "Thumbnails/", "styles.xml", "settings.xml")  # fmt: skip


def _open_book(found, limits: Limits) -> _Book:
    book = _Book(found.path, found.format, found.data, limits)
    if found.format in ("xlsx", "xlsm"):
        _read_ooxml(book, found.parts)
    elif found.format == "ods":
        _read_ods(book, found.parts)
    elif found.format == "xls":
        _read_xls(book, found.data)
    for sheet in list(book.extents):  # formats parsed whole on opening: check every sheet now
        book.check_extent(sheet)
    book.open()
    return book


# --- xlsx / xlsm ----------------------------------------------------------------------------------
_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_STRICT_MAIN = "{http://purl.oclc.org/ooxml/spreadsheetml/main}"
_NS_STRICT_REL = "{http://purl.oclc.org/ooxml/officeDocument/relationships}"
_SHEET_REF = re.compile(r"^=?(?:'((?:[^']|'')+)'|([^'!]+))!\$?([A-Z]{1,3})\$?([0-9]{1,7})$")
# a cell's tag, its reference, whether it is empty (<c .../>) and whether a formula follows;
# the fast form when every cell is written <c r="A1" ...> (Excel, LibreOffice, xlsxwriter...)
_XLSX_CELL_FAST = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"[^>]*?(/?)>(<f[\s>/])?')
_XLSX_CELL = re.compile(
    rb"<(?:\w+:)?c\s[^>]*?\br\s*=\s*[\"']([A-Z]{1,3})([0-9]{1,7})[\"'][^>]*?(/?)>"
    rb"(\s*<(?:\w+:)?f[\s>/])?"
)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _read_ooxml(book: _Book, parts: dict[str, bytes]) -> None:
    """Sheet order and parts, defined names and custom properties of an xlsx/xlsm file."""
    rels = {}
    if "xl/_rels/workbook.xml.rels" in parts:
        for rel in parse_xml(parts["xl/_rels/workbook.xml.rels"]):
            target = rel.get("Target", "")
            if rel.get("TargetMode") == "External":
                continue
            target = target[1:] if target.startswith("/") else posixpath.join("xl", target)
            rels[rel.get("Id")] = posixpath.normpath(target)
    root = parse_xml(parts.get("xl/workbook.xml", b"<workbook/>"))
    for element in root.iter():
        tag = _local(element.tag)
        if tag == "sheet":
            name = element.get("name", "")
            rel_id = element.get(f"{_NS_REL}id") or element.get(f"{_NS_STRICT_REL}id")
            book.sheet_names.append(name)
            part = rels.get(rel_id)
            if part in parts:
                book._sheet_parts[name] = parts[part]
        elif tag == "definedName":
            name = element.get("name", "")
            if element.get("localSheetId") is None and name.upper().startswith(L.NAME_PREFIX):
                match = _SHEET_REF.match((element.text or "").strip())
                if match:
                    sheet = (match.group(1) or "").replace("''", "'") or match.group(2)
                    row, col = int(match.group(4)) - 1, _col_index(match.group(3))
                    book.names[name.upper()] = (sheet, row, col)
    if "docProps/custom.xml" in parts:
        for prop in parse_xml(parts["docProps/custom.xml"]):
            if len(prop):
                book.properties[prop.get("name", "")] = (prop[0].text or "").strip()
    unmapped = [s for s in book.sheet_names if s not in book._sheet_parts]
    if unmapped:  # a relationship we could not follow: bound those sheets by every other sheet
        mapped = {id(xml) for xml in book._sheet_parts.values()}
        bound = _Extent()
        for name, xml in parts.items():
            if id(xml) not in mapped and b"sheetData" in xml:
                probe = _Book(book.path, book.format, b"", book.limits)
                _scan_xlsx_sheet(probe, name, xml)
                extent = probe.extents[name]
                if extent.cells > bound.cells:
                    bound = extent
        for sheet in unmapped:
            book.extents[sheet] = bound


def _scan_xlsx_sheet(book: _Book, sheet: str, xml: bytes) -> None:
    """The used range and the formula cells of one worksheet, from its raw XML."""
    formulas = set()
    max_row, max_col = 0, b""
    fast = xml.count(b"<c ") == xml.count(b'<c r="') and b"<c\t" not in xml
    for letters, digits, empty, formula in (_XLSX_CELL_FAST if fast else _XLSX_CELL).findall(xml):
        if empty:  # <c r="XFD1" s="1"/>: formatting only, no value
            continue
        row = int(digits)
        if row > max_row:
            max_row = row
        if len(letters) > len(max_col) or (len(letters) == len(max_col) and letters > max_col):
            max_col = letters
        if formula:
            formulas.add((row - 1, _col_index(letters)))
    extent = _Extent()
    if max_row:
        extent.add(max_row - 1, _col_index(max_col))
    book.extents[sheet] = extent
    book.formulas[sheet] = formulas


# --- ods ------------------------------------------------------------------------------------------
_NS_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_NS_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_NS_META = "urn:oasis:names:tc:opendocument:xmlns:meta:1.0"
_T = "{" + _NS_TABLE + "}"
_ODS_REF = re.compile(r"^\$?(?:'((?:[^']|'')+)'|([^.']+))\.\$?([A-Z]{1,3})\$?([0-9]{1,7})$")
_ODS_CELLS = {_T + "table-cell", _T + "covered-table-cell"}
_REPEAT_CAP = 10_000


def _read_ods(book: _Book, parts: dict[str, bytes]) -> None:
    """Sheet order, named ranges, formula cells and used ranges from content.xml (one
    defusedxml pass), and user-defined properties from meta.xml."""
    content = parts.get("content.xml")
    if content is not None:
        _scan_ods_content(book, content)
    if "meta.xml" in parts:
        root = parse_xml(parts["meta.xml"])
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
                if formula is not None:
                    for r in range(row, row + min(row_repeat, _REPEAT_CAP)):
                        for c in range(col, col + min(repeat, _REPEAT_CAP)):
                            formulas.add((r, c))
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
    found = inspect_file(path, limits, keep=_keep_part)
    result.format = found.format
    result.problems.extend(found.problems)
    if found.problems or found.data is None:
        return result
    book = None
    try:
        book = _open_book(found, limits)
        if found.format == "xlsm":
            result.problems.append(_p("macros-present", "the workbook contains macros; they "
                                      "were not run and are ignored", path, severity=WARNING,
                                      hint="save it as .xlsx next time"))  # fmt: skip
        _Interpreter(book, models, register, result).run()
    except _Refused as refused:
        result.problems.append(refused.problem)
    except python_calamine.PasswordError:
        result.problems.append(_p("encrypted", "the file is password-protected", path,
                                  hint="remove the password and resend"))  # fmt: skip
    except _Damaged as exc:
        result.problems.append(_p("corrupt-file", f"the file is damaged and cannot be read "
                                  f"({exc})", path))  # fmt: skip
    except Exception as exc:  # noqa: BLE001 - one bad file never stops a batch
        result.problems.append(_p("reader-error", f"npsxl could not read this file "
                                  f"({type(exc).__name__}: {str(exc)[:200]})", path,
                                  hint="report this to the npsxl maintainers with the file"))  # fmt: skip
    finally:
        if book is not None:
            book.close()
    return result


# --- interpreting ---------------------------------------------------------------------------------
def _p(code, message, file, *, sheet=None, cell=None, item_id=None, severity=Severity.ERROR,
       hint=""):  # fmt: skip
    return Problem(code, message, Location(file=file, sheet=sheet, cell=cell, item_id=item_id),
                   severity, hint or HINTS.get(code, ""))  # fmt: skip


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


def parse_level(value, model: Model) -> tuple[str | None, str]:
    """Turn what a council typed into a level name. Returns ``(level, issue)``:
    issue is '' for the dropdown text, 'loose' for an accepted variant ("mature",
    "3", 3.0, "Level 3 - Mature", "Mature (3)"), 'bad' otherwise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, ""
    if isinstance(value, bool):
        return None, "bad"
    count = len(model.levels)
    if isinstance(value, (int, float)):
        if float(value).is_integer() and 1 <= int(value) <= count:
            return model.levels[int(value) - 1].name, "loose"
        return None, "bad"
    if not isinstance(value, str):
        return None, "bad"
    text = value.strip()
    if text in model.level_names:
        return text, ""
    names = {name.casefold(): name for name in model.level_names}
    folded = " ".join(text.split()).casefold()
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
        by_score = model.levels[score - 1].name
    by_name = names.get(" ".join(words)) if words else None
    if words and by_name is None:
        return None, "bad"
    if by_score and by_name and by_score != by_name:
        return None, "bad"
    return by_name or by_score, "loose"


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
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d %B %Y", "%d %b %Y",
                    "%d/%m/%y", "%Y-%m-%dT%H:%M:%S"):  # fmt: skip
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
        self.result.item_count = len(model.items)
        self._identity(meta)
        self._respondent()
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
                self.problem("sources-disagree", f"the workbook's {key.replace('_', ' ')} is "
                             f"{cells[key]!r} on its sheet but {props[key]!r} in its document "
                             f"properties; {cells[key]!r} was used", severity=WARNING,
                             hint="use the workbook you were given, unedited",
                             **self.meta_where[key])  # fmt: skip
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
                    for key, text in zip(_MODEL_KEYS, match.groups()):
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
                self.problem("not-nps", "this is not an NPS self-assessment: no model "
                             "information and no table of reference ids was found")  # fmt: skip
                return None, None
            model = table.model
            self.problem("metadata-missing", f"the workbook's model details are missing; the "
                         f"answers were matched to {model.id} {model.version} by their "
                         "reference ids", severity=WARNING, sheet=table.sheet)  # fmt: skip
            r.model_id, r.model_version = model.id, model.version
            return model, table
        same_id = [m for m in self.models if m.id == r.model_id]
        where = self.meta_where.get("model_id", {})
        if not same_id:
            self.problem("unknown-model", f"the workbook is for model {r.model_id!r}, which is "
                         f"not known here (known: {known})", **where)  # fmt: skip
            return None, None
        if not r.model_version:
            table = self._find_table(same_id)
            model = table.model if table is not None else same_id[-1]
            self.problem("metadata-missing", f"the workbook's model version is missing; it "
                         f"was read as {model.id} {model.version}", severity=WARNING,
                         **where)  # fmt: skip
            r.model_version = model.version
            return model, table
        versions = [m for m in same_id if m.version == r.model_version]
        if not versions:
            self.problem("unknown-model", f"the workbook is for {r.model_id} version "
                         f"{r.model_version!r}, which is not known here (known: {known})",
                         **self.meta_where.get("model_version", where))  # fmt: skip
            return None, None
        model = versions[0]
        if not r.model_fingerprint:
            self.problem("metadata-missing", "the workbook's model fingerprint is missing, so "
                         "its strategy text could not be checked", severity=WARNING,
                         **where)  # fmt: skip
        elif r.model_fingerprint != model.fingerprint:
            self.problem("fingerprint-mismatch", f"the workbook's strategy text does not match "
                         f"{model.id} {model.version} (fingerprint {r.model_fingerprint[:12]}, "
                         f"expected {model.fingerprint[:12]}): it was generated from an edited "
                         "model", hint="use the workbook generated from the published model",
                         **self.meta_where.get("model_fingerprint", where))  # fmt: skip
            return None, None
        return model, self._find_table([model])

    # the table --------------------------------------------------------------------------------
    def _find_table(self, models: list[Model]) -> _Table | None:
        """The sheet and rows of the assessment table, found by headers and reference ids:
        the generator's sheet first, then sheets the defined names point at, then the rest."""
        book = self.book
        named = [s for n, (s, _, _) in book.names.items()
                 if n.endswith(("_CURRENT", "_TARGET")) and s in book.sheet_names]  # fmt: skip
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
                self.problem("formula-in-input", f"{cell.ref} holds a formula; only typed values "
                             "count, so it was ignored", severity=WARNING, **_where(cell))  # fmt: skip
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
            self.problem("sources-disagree", f"the council named is {by_name.name} but the "
                         f"workbook's council code {code} is {by_code.name}; {by_name.name} "
                         "was used", severity=WARNING, hint="check who sent this return",
                         **where)  # fmt: skip
        council = by_name or by_code
        if council is None:
            if not_found is not None:
                also = (f"; did you mean {', '.join(not_found.suggestions)}?"
                        if not_found.suggestions else "")  # fmt: skip
                message = f"council {name!r} is not in the register{also}"
            else:
                message = f"council code {code!r} is not in the register"
            self.problem("council-unknown", message, **where)
            return
        if not_found is not None:
            self.problem("sources-disagree", f"council {name!r} is not in the register; the "
                         f"workbook's council code {code} ({council.name}) was used",
                         severity=WARNING, hint="check who sent this return", **where)  # fmt: skip
        r.council = council
        if not r.council_code:
            r.council_code = council.code

    def _respondent(self):
        values = {key: self._detail(key)[0] for key in
                  ("respondent_name", "respondent_role", "respondent_email")}  # fmt: skip
        _, cell = self._detail("date_completed")
        date = _date(cell.value) if cell is not None and not self.book.is_formula(cell) else None
        self.result.respondent = Respondent(values["respondent_name"], values["respondent_role"],
                                            values["respondent_email"], date)  # fmt: skip

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
                    self.problem("duplicate-item", f"item {item_id} appears more than once: on "
                                 f"row {table.refs[item_id].row + 1} and row {extra.row + 1}; the "
                                 f"first was used", item_id=item_id,
                                 hint="delete the extra row so each item appears once",
                                 **_where(extra))  # fmt: skip
        disagreements: list[tuple[str, str, _Cell, _Cell]] = []
        found: dict[str, dict[str, _Cell | None]] = {}
        for item in model.items:
            by_row = rows.get(item.id, {})
            cells: dict[str, _Cell | None] = {}
            named_only = []
            for key in L.ITEM_FIELDS:
                row_cell = by_row.get(key)
                name_cell = book.named(L.item_input_name(item.id, key))
                if name_cell is not None and row_owner.get((name_cell.sheet, name_cell.row),
                                                           item.id) != item.id:  # fmt: skip
                    name_cell = None  # it points into another item's row
                if row_cell is not None:
                    cells[key] = row_cell
                    if name_cell is not None and (row_cell.sheet, row_cell.row, row_cell.col) != (
                        name_cell.sheet, name_cell.row, name_cell.col
                    ) and _text(row_cell.value) != _text(name_cell.value):
                        disagreements.append((item.id, key, row_cell, name_cell))
                else:
                    cells[key] = name_cell
                    if name_cell is not None and table is not None and item.id not in rows:
                        named_only.append(name_cell)
            if named_only:
                self.problem("sources-disagree", f"no row has the reference id {item.id}; its "
                             "answers were read from the cells named "
                             f"{L.NAME_PREFIX}{item.id}_*", severity=WARNING, item_id=item.id,
                             hint="check the reference ids in the first column",
                             **_where(named_only[0]))  # fmt: skip
            found[item.id] = cells
        if table is None and any(c is not None for cells in found.values() for c in cells.values()):
            first = next(c for cells in found.values() for c in cells.values() if c is not None)
            self.problem("sources-disagree", "no row of the table has a reference id (the 'Ref' "
                         "column); the answers were read from the workbook's defined names",
                         severity=WARNING, hint="check the reference ids in the first column",
                         **_where(first))  # fmt: skip
        self._report_disagreements(disagreements)
        self._read_items(table, found)

    def _report_disagreements(self, disagreements):
        by_item: dict[str, list] = {}
        for item_id, key, row_cell, name_cell in disagreements:
            by_item.setdefault(item_id, []).append((key, row_cell, name_cell))
        if len(by_item) > MANY_DISAGREEMENTS:
            first = disagreements[0][2]
            items = ", ".join(by_item)
            self.problem("sources-disagree", f"the defined names of {len(by_item)} items "
                         f"({items}) point at cells that no longer hold their row's answers "
                         "(rows or columns were sorted, moved or inserted); the rows, found by "
                         "their reference ids, were used", severity=WARNING,
                         **_where(first))  # fmt: skip
            return
        for item_id, entries in by_item.items():
            key, row_cell, name_cell = entries[0]
            name = L.item_input_name(item_id, key)
            fields = ", ".join(k.replace("_", " ") for k, _, _ in entries)
            self.problem("sources-disagree", f"the row with reference {item_id} holds "
                         f"{_text(row_cell.value)!r} in {row_cell.ref}, but the defined name "
                         f"{name} points at {name_cell.ref} holding {_text(name_cell.value)!r} "
                         f"(fields that differ: {fields}); the row was used", severity=WARNING,
                         item_id=item_id, **_where(row_cell))  # fmt: skip

    def _cell_value(self, cell: _Cell | None, item_id: str):
        if cell is None:
            return None
        if self.book.is_formula(cell):
            self.problem("formula-in-input", f"{cell.ref} holds a formula; only typed values "
                         "count, so it was ignored", item_id=item_id, severity=WARNING,
                         **_where(cell))  # fmt: skip
            return None
        return cell.value

    def _read_items(self, table: _Table | None, found):
        model = self.model
        incomplete = []
        any_level = False
        for item in model.items:
            cells = found[item.id]
            if all(cell is None for cell in cells.values()):
                where = {"sheet": table.sheet} if table is not None else {}
                incomplete.append((item, f"item {item.id} ({item.name}) is missing from the "
                                   "workbook", where, "use the workbook you were given, with "
                                   "every row"))  # fmt: skip
                continue
            levels = {}
            for key in L.LEVEL_FIELDS:
                cell = cells[key]
                value = self._cell_value(cell, item.id)
                level, issue = parse_level(value, model)
                label = "current level" if key == "current" else "target level"
                if issue == "bad":
                    any_level = True
                    self.problem("unknown-level", f"the {label} of {item.id} is "
                                 f"{_text(value)!r}, which is not a level; allowed: "
                                 f"{', '.join(model.level_names)}", item_id=item.id,
                                 **_where(cell))  # fmt: skip
                elif issue == "loose":
                    self.problem("level-not-from-list", f"the {label} of {item.id} is "
                                 f"{_text(value)!r}, not the dropdown text; read as {level!r}",
                                 item_id=item.id, severity=WARNING, **_where(cell))  # fmt: skip
                any_level = any_level or level is not None
                levels[key] = (level, issue, cell)
            missing = [k for k in L.LEVEL_FIELDS if levels[k][0] is None and levels[k][1] != "bad"]
            if missing:
                what = " and ".join(missing)
                incomplete.append((item, f"{item.id} ({item.name}): no {what} level",
                                   _where(levels[missing[0]][2]), ""))  # fmt: skip
            current, target = levels["current"][0], levels["target"][0]
            if current and target and model.level(target).score < model.level(current).score:
                self.problem("target-below-current", f"{item.id}: the target level {target} is "
                             f"below the current level {current}", item_id=item.id,
                             severity=WARNING, hint="check the levels; a target is usually at "
                             "or above the current level", **_where(levels["target"][2]))  # fmt: skip
            texts = {}
            for key in ("evidence", "actions"):
                cell = cells[key]
                text = _text(self._cell_value(cell, item.id))
                if len(text) > EXCEL_CELL_LIMIT:
                    self.problem("text-too-long", f"the {key} of {item.id} is {len(text):,} "
                                 f"characters, over Excel's limit of {EXCEL_CELL_LIMIT:,}; it "
                                 "was cut", item_id=item.id, severity=WARNING,
                                 hint="shorten it or refer to a document", **_where(cell))  # fmt: skip
                    text = text[:EXCEL_CELL_LIMIT]
                texts[key] = text
            date_value = self._cell_value(cells["target_date"], item.id)
            self.result.answers[item.id] = Answer(item.id, current, target, texts["evidence"],
                                                  texts["actions"], _date(date_value))  # fmt: skip
        if not self.result.answers:
            self.problem("incomplete", "the self-assessment table was not found: no row has a "
                         f"reference id such as {model.items[0].id}", sheet=L.ASSESSMENT,
                         hint="use the workbook you were given, with every row")  # fmt: skip
            return
        if incomplete and not any_level:
            first = next(iter(found.values()))
            where = _where(first.get("current")) or (
                {"sheet": table.sheet} if table is not None else {})  # fmt: skip
            self.problem("incomplete", f"no levels have been chosen: all {len(model.items)} "
                         "items have no current or target level (the self-assessment is blank)",
                         hint=f"choose a current and a target level for every item on the "
                         f"'{L.ASSESSMENT}' sheet", **where)  # fmt: skip
            return
        for item, message, where, hint in incomplete:
            self.problem("incomplete", message, item_id=item.id, hint=hint, **where)


# --- finding the table by its reference ids --------------------------------------------------------
def _scan_sheet(sheet: str, rows: list[list], model: Model) -> _Table | None:
    """Rows of one sheet whose reference cell holds an item id: under a header row with
    'Ref' and 'Current level' (columns mapped by their headers), or without one when the
    row itself shows the generated layout (the item's level descriptors after its id)."""
    ids = {item.id.upper(): item for item in model.items}
    columns = L.assessment_columns(model.level_names)
    headers = {_norm(c.header): c.key for c in columns}
    longest = max(len(h) for h in headers) + 20
    offsets = {c.key: i for i, c in enumerate(columns)}
    ref_header, current_header = _norm(L.REF_HEADER), _norm(L.CURRENT_HEADER)
    column_of: dict[str, int] = {}
    ref_col = None
    table = _Table(model, sheet, {}, {})
    for r, row in enumerate(rows):
        short = {}
        for c, value in enumerate(row):
            if value.__class__ is str and 0 < len(value) <= longest:
                short.setdefault(_norm(value), c)
        if not short:
            continue
        if ref_header in short and current_header in short:
            column_of = {headers[h]: c for h, c in short.items() if h in headers}
            ref_col = column_of["ref"]
            table.header = True
            continue
        if ref_col is not None:
            candidates = [ref_col] if ref_col < len(row) else []
        else:
            candidates = sorted(short.values())
        for c in candidates:
            value = row[c]
            item = ids.get(value.strip().upper()) if isinstance(value, str) else None
            if item is None:
                continue
            if ref_col is None:  # no header: accept only the generated layout around the id
                if not _generated_row(row, c, item, offsets):
                    continue
                column_of = {key: c + off for key, off in offsets.items()}
            ref = _Cell(sheet, r, c, value)
            if item.id in table.rows:
                table.duplicates.setdefault(item.id, []).append(ref)
                break
            table.rows[item.id] = {
                key: _Cell(sheet, r, column_of[key], row[column_of[key]]
                           if column_of[key] < len(row) else None)
                for key in L.ITEM_FIELDS if key in column_of
            }  # fmt: skip
            table.refs[item.id] = ref
            break
    return table if table.rows else None


def _generated_row(row: list, c: int, item, offsets: dict[str, int]) -> bool:
    def at(key):
        col = c + offsets[key]
        return _norm(row[col]) if col < len(row) else ""

    return any(
        at(f"level_{i}") == _norm(descriptor) and descriptor
        for i, descriptor in enumerate(item.descriptors, start=1)
    )
