"""xls (Excel 97-2003, BIFF8): sheets, defined names, formula cells and used ranges from
the records of the Workbook stream. Old BIFF5 files (Excel 95) are left to the parser."""

from __future__ import annotations

import struct

import python_calamine

from npsxl.reading.book import Book, Damaged, Extent
from npsxl.workbook import layout as L

_BIFF_VALUE_CELLS = {0x00FD, 0x0203, 0x027E, 0x0205, 0x0204, 0x00D6}  # LABELSST NUMBER RK ...
_BIFF_FORMULA, _BIFF_MULRK, _BIFF_BOF, _BIFF_EOF = 0x0006, 0x00BD, 0x0809, 0x000A
_BIFF_BOUNDSHEET, _BIFF_NAME, _BIFF_EXTERNSHEET, _BIFF_SUPBOOK = 0x0085, 0x0018, 0x0017, 0x01AE
_BIFF_FILEPASS = 0x002F
_RECORD = struct.Struct("<HH")


def read_xls(book: Book, data: bytes) -> None:
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
