"""xlsb (Excel binary workbook): sheet order and parts from workbook.bin, each worksheet's
used range and formula cells from its records, and custom properties as in xlsx."""

from __future__ import annotations

import posixpath
import struct

from npsxl.reading.book import Book, Damaged, Extent, sized_part
from npsxl.reading.formats.xlsx import read_custom_properties
from npsxl.reading.preflight import parse_xml

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


def read_xlsb(book: Book, parts: dict[str, bytes]) -> None:
    """Sheet order and parts from workbook.bin, then each worksheet's used range and formula
    cells from its records (defined names in xlsb are left to the reference ids)."""
    rels = {}
    rels_xml = sized_part(book, parts, "xl/_rels/workbook.bin.rels")
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
                part = sized_part(book, parts, rels.get(rel_id, ""))
                if part is not None:
                    book.extents[name], book.formulas[name] = _xlsb_cells(part)
    except (struct.error, IndexError) as exc:
        raise Damaged(f"the binary workbook is damaged ({exc})") from None
    read_custom_properties(book, parts)
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
