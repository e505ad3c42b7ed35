"""Hostile and broken files: nothing reaches a parser unchecked, nothing hangs or blows up.

Every hostile file is built here, in the test's temporary folder, and never committed:
zip bombs (streamed, and with a lying central directory), billion-laughs XML, truncated and
byte-flipped workbooks, a password-protected workbook, and things that are not workbooks at
all under a .xlsx name.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import struct
import time
import zipfile
from pathlib import Path

import defusedxml
import openpyxl
import openpyxl.xml
import pytest
import xlwt
from conftest import codes, flip_a_byte, sample_answers
from msoffcrypto.format.ooxml import OOXMLFile

from npsxl.reading.preflight import (
    DEFAULT_LIMITS,
    Limits,
    inspect_file,
    iterparse_xml,
    parse_xml,
    preflight,
    sniff_format,
)
from npsxl.reading.reader import read_return
from npsxl.reading.returns import Status
from npsxl.workbook import layout as L


def _billion_laughs() -> bytes:
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    ]
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE sst [' + "\n".join(entities) + "]>\n"
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        "<si><t>&lol9;</t></si></sst>"
    ).encode()


BILLION_LAUGHS = _billion_laughs()


@pytest.fixture
def leeds(filled):
    return filled("Leeds")


def rezip(src: Path, dst: Path, replace=None, add=None) -> Path:
    """A copy of the zip ``src`` with parts replaced or added."""
    replace, add = replace or {}, add or {}
    with zipfile.ZipFile(src) as old, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            new.writestr(info.filename, replace.get(info.filename, old.read(info)))
        for name, data in add.items():
            new.writestr(name, data)
    return dst


def central_entries(data: bytes):
    """Offsets of the central directory headers, by part name."""
    found = {}
    pos = data.find(b"PK\x01\x02")
    while pos != -1:
        name_size = struct.unpack_from("<H", data, pos + 28)[0]
        found[data[pos + 46 : pos + 46 + name_size].decode()] = pos
        pos = data.find(b"PK\x01\x02", pos + 46)
    return found


def patch_central_size(src: Path, dst: Path, part: str, size: int) -> Path:
    """Make the central directory claim ``size`` uncompressed bytes for ``part``."""
    data = bytearray(src.read_bytes())
    struct.pack_into("<I", data, central_entries(bytes(data))[part] + 24, size)
    dst.write_bytes(bytes(data))
    return dst


def unchanged_after_reading(path: Path, model) -> object:
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    started = time.perf_counter()
    result = read_return(path, model)
    assert time.perf_counter() - started < 10, "reading a hostile file must not hang"
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
    for problem in result.problems:
        assert problem.location.file == str(path) and problem.message and problem.hint
    return result


# --- XML is parsed with defusedxml, always --------------------------------------------------------
def test_parse_xml_refuses_a_dtd_and_entities():
    with pytest.raises(defusedxml.DTDForbidden):
        parse_xml(BILLION_LAUGHS)
    with pytest.raises(defusedxml.DefusedXmlException):
        parse_xml(b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>')
    assert parse_xml(b"<a><b>1</b></a>")[0].text == "1"


def test_iterparse_xml_refuses_a_dtd():
    with pytest.raises(defusedxml.DTDForbidden):
        list(iterparse_xml(BILLION_LAUGHS))


def test_openpyxl_uses_defusedxml_too():
    assert openpyxl.xml.DEFUSEDXML is True


# --- zip bombs ------------------------------------------------------------------------------------
def test_a_streamed_300_mb_zip_bomb_is_refused_before_parsing(leeds, model, tmp_path):
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(leeds) as old, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            new.writestr(info.filename, old.read(info))
        with new.open("xl/media/image1.png", "w", force_zip64=True) as part:
            zeros = bytes(1 << 20)
            for _ in range(300):  # written in chunks: the test never holds it in memory
                part.write(zeros)
    assert bomb.stat().st_size < 2 * 1024 * 1024
    result = unchanged_after_reading(bomb, model)
    assert codes(result) == ["zip-bomb"]
    assert "300 MB" in result.problems[0].message
    assert result.problems[0].location.file == str(bomb)


def test_a_part_compressed_beyond_any_real_ratio_is_refused(leeds, model, tmp_path):
    zeros = bytes(50 * 1024 * 1024)
    bomb = rezip(leeds, tmp_path / "ratio.xlsx", replace={"docProps/app.xml": zeros})
    del zeros
    result = unchanged_after_reading(bomb, model)
    assert codes(result) == ["zip-bomb"]
    assert "docProps/app.xml" in result.problems[0].message


def test_a_central_directory_claiming_a_huge_part_is_refused(leeds, model, tmp_path):
    bomb = patch_central_size(leeds, tmp_path / "claims.xlsx", "xl/sharedStrings.xml", 3 << 30)
    result = unchanged_after_reading(bomb, model)
    assert codes(result) == ["zip-bomb"]


def test_a_part_larger_than_its_directory_says_is_refused(leeds, model, tmp_path):
    """The directory lies small to pass the size checks; inflating proves otherwise."""
    liar = patch_central_size(leeds, tmp_path / "liar.xlsx", "xl/worksheets/sheet2.xml", 100)
    result = unchanged_after_reading(liar, model)
    assert codes(result) == ["zip-bomb"]
    assert "xl/worksheets/sheet2.xml" in result.problems[0].message


def test_too_many_parts_is_refused(leeds, model, tmp_path):
    many = rezip(
        leeds,
        tmp_path / "many.xlsx",
        add={f"xl/extra/{i}.xml": b"<x/>" for i in range(DEFAULT_LIMITS.max_zip_entries)},
    )
    result = unchanged_after_reading(many, model)
    assert codes(result) == ["zip-bomb"]
    assert "parts" in result.problems[0].message


def test_limits_can_be_tightened(leeds, model):
    assert preflight(leeds, Limits(max_uncompressed_bytes=10_000))[1][0].code == "zip-bomb"
    assert preflight(leeds, Limits(max_file_bytes=1_000))[1][0].code == "file-too-large"
    assert preflight(leeds) == ("xlsx", [])


def test_a_huge_file_is_refused_without_being_read(model, tmp_path):
    big = tmp_path / "big.xlsx"
    with open(big, "wb") as handle:  # sparse: takes no disk space
        handle.truncate(DEFAULT_LIMITS.max_file_bytes + 1)
    result = unchanged_after_reading(big, model)
    assert codes(result) == ["file-too-large"]
    assert "MB" in result.problems[0].message


# --- hostile XML ----------------------------------------------------------------------------------
def test_a_billion_laughs_workbook_is_refused(leeds, model, tmp_path):
    laughs = rezip(
        leeds, tmp_path / "laughs.xlsx", replace={"xl/sharedStrings.xml": BILLION_LAUGHS}
    )
    result = unchanged_after_reading(laughs, model)
    assert codes(result) == ["hostile-xml"]
    assert "xl/sharedStrings.xml" in result.problems[0].message


def test_an_entity_declaration_hidden_after_a_long_comment_is_found(leeds, model, tmp_path):
    with zipfile.ZipFile(leeds) as archive:
        workbook = archive.read("xl/workbook.xml")
    head, rest = workbook.split(b"?>", 1)
    hidden = head + b"?><!--" + b" " * 100_000 + b'--><!DOCTYPE w [<!ENTITY e "e">]>' + rest
    path = rezip(leeds, tmp_path / "hidden.xlsx", replace={"xl/workbook.xml": hidden})
    assert codes(unchanged_after_reading(path, model)) == ["hostile-xml"]


def test_a_utf16_dtd_is_found(leeds, model, tmp_path):
    text = BILLION_LAUGHS.decode().replace('version="1.0"', 'version="1.0" encoding="UTF-16"')
    path = rezip(
        leeds, tmp_path / "utf16.xlsx", replace={"xl/sharedStrings.xml": text.encode("utf-16")}
    )
    assert codes(unchanged_after_reading(path, model)) == ["hostile-xml"]


# --- broken files ---------------------------------------------------------------------------------
def xls_copy(src: Path, dst: Path, far_cell: bool = False) -> Path:
    """The workbook's values written by xlwt as an Excel 97-2003 file."""
    source = openpyxl.load_workbook(src, data_only=True)
    book = xlwt.Workbook()
    for ws in source.worksheets:
        sheet = book.add_sheet(ws.title)
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                if isinstance(value, dt.datetime):
                    value = (value - dt.datetime(1899, 12, 30)).days
                if value is not None:
                    sheet.write(cell.row - 1, cell.column - 1, value)
        if far_cell and ws.title == L.GUIDANCE:
            sheet.write(65535, 255, "far away")
    book.save(str(dst))
    return dst


@pytest.mark.parametrize("kind", ["xlsx", "xls"])
def test_a_truncated_file_is_corrupt(kind, leeds, model, tmp_path):
    whole = leeds if kind == "xlsx" else xls_copy(leeds, tmp_path / "whole.xls")
    data = whole.read_bytes()
    cut = tmp_path / f"cut.{kind}"
    cut.write_bytes(data[: len(data) // 2])
    result = unchanged_after_reading(cut, model)
    assert "corrupt-file" in codes(result), codes(result)
    assert not result.accepted


def test_a_byte_flipped_in_a_sheet_is_corrupt(leeds, model, tmp_path):
    flipped = flip_a_byte(leeds, tmp_path / "flipped.xlsx", "xl/worksheets/sheet2.xml")
    result = unchanged_after_reading(flipped, model)
    assert codes(result) == ["corrupt-file"]
    assert "sheet2.xml" in result.problems[0].message


def test_byte_flips_anywhere_never_raise_and_never_give_wrong_answers(leeds, model, tmp_path):
    data = leeds.read_bytes()
    expected = sample_answers(model)
    step = max(1, len(data) // 120)
    for offset in range(0, len(data), step):
        damaged = bytearray(data)
        damaged[offset] ^= 0x5A
        path = tmp_path / f"flip-{offset}.xlsx"
        path.write_bytes(bytes(damaged))
        result = read_return(path, model)
        if result.accepted:
            assert result.answers == expected, f"flip at {offset}: {codes(result)}"
        else:
            assert result.errors
        path.unlink()


def test_duplicate_part_names_are_refused(leeds, model, tmp_path):
    dupe = tmp_path / "dupe.xlsx"
    with zipfile.ZipFile(leeds) as old, zipfile.ZipFile(dupe, "w") as new:
        for info in old.infolist():
            new.writestr(info.filename, old.read(info))
        with pytest.warns(UserWarning, match="Duplicate name"):
            new.writestr("xl/workbook.xml", b"<workbook/>")
    assert codes(unchanged_after_reading(dupe, model)) == ["corrupt-file"]


def test_a_zip_encrypted_part_is_refused(leeds, model, tmp_path):
    data = bytearray(leeds.read_bytes())
    for offset in central_entries(bytes(data)).values():
        data[offset + 8] |= 0x1  # the 'encrypted' flag
    locked = tmp_path / "locked.xlsx"
    locked.write_bytes(bytes(data))
    assert codes(unchanged_after_reading(locked, model)) == ["encrypted"]


def test_a_password_protected_workbook_is_encrypted(leeds, model, tmp_path):
    locked = tmp_path / "password.xlsx"
    with open(leeds, "rb") as source, open(locked, "wb") as out:
        OOXMLFile(source).encrypt("s3cret", out)
    result = unchanged_after_reading(locked, model)
    assert codes(result) == ["encrypted"]
    assert "password" in result.problems[0].message
    assert result.problems[0].hint


# --- not workbooks at all -------------------------------------------------------------------------
NOT_WORKBOOKS = {
    "csv": (b"council,current,target\nLeeds,Mature,Leader\n", "not-a-spreadsheet", "CSV"),
    "html": (
        b"<!DOCTYPE html><html><body><table><tr><td>L1</td></tr></table></body></html>",
        "not-a-spreadsheet",
        "HTML",
    ),
    "pdf": (b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", "not-a-spreadsheet", "PDF"),
    "empty": (b"", "not-a-spreadsheet", "empty"),
    "text": (b"Please find our return attached.\n", "not-a-spreadsheet", "text"),
    "binary": (bytes(range(256)) * 4, "not-a-spreadsheet", "binary"),
    "utf16 text": ("Ref\tCurrent\nL1\tMature\n".encode("utf-16"), "not-a-spreadsheet", ""),
    "excel 2003 xml": (
        b'<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:'
        b'spreadsheet"></Workbook>',
        "unsupported-format",
        "2003",
    ),
    "flat ods": (
        b'<?xml version="1.0"?><office:document office:mimetype="application/vnd.oasis.'
        b'opendocument.spreadsheet" xmlns:office="urn:oasis:names:tc:opendocument:xmlns:'
        b'office:1.0"/>',
        "unsupported-format",
        "fods",
    ),
}


@pytest.mark.parametrize("kind", list(NOT_WORKBOOKS))
def test_things_that_are_not_workbooks_are_named(kind, model, tmp_path):
    content, code, word = NOT_WORKBOOKS[kind]
    path = tmp_path / "return.xlsx"
    path.write_bytes(content)
    result = unchanged_after_reading(path, model)
    assert codes(result) == [code]
    assert word in result.problems[0].message
    assert result.problems[0].location.file == str(path)


@pytest.mark.parametrize(
    ("parts", "word"),
    [
        ({"word/document.xml": b"<w:document/>"}, "Word"),
        ({"ppt/presentation.xml": b"<p:presentation/>"}, "PowerPoint"),
        ({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"}, "text"),
        ({"readme.txt": b"hello"}, "zip archive"),
        ({"returns/leeds.xlsx": b"PK"}, "'returns/leeds.xlsx'"),
    ],
)
def test_other_zip_files_are_unsupported(parts, word, model, tmp_path):
    path = tmp_path / "return.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    result = unchanged_after_reading(path, model)
    assert codes(result) == ["unsupported-format"]
    assert word in result.problems[0].message


def test_a_folder_and_a_pipe_are_not_spreadsheets_and_do_not_hang(model, tmp_path):
    folder = tmp_path / "folder.xlsx"
    folder.mkdir()
    pipe = tmp_path / "pipe.xlsx"
    os.mkfifo(pipe)
    for path in (folder, pipe):
        started = time.perf_counter()
        assert codes(read_return(path, model)) == ["not-a-spreadsheet"]
        assert time.perf_counter() - started < 5


def test_the_real_format_comes_from_the_content(leeds, tmp_path):
    xls = xls_copy(leeds, tmp_path / "old.xlsx")
    assert sniff_format(xls)[0] == "xls"
    assert sniff_format(leeds) == ("xlsx", "an Excel workbook")
    renamed = tmp_path / "return.ods"
    renamed.write_bytes(leeds.read_bytes())
    assert sniff_format(renamed)[0] == "xlsx"


def test_inspection_keeps_only_the_parts_asked_for(leeds):
    found = inspect_file(leeds, keep=lambda name: name == "xl/workbook.xml")
    assert list(found.parts) == ["xl/workbook.xml"]
    assert found.parts["xl/workbook.xml"].startswith(b"<?xml")
    assert found.data == leeds.read_bytes() and found.problems == []


# --- too many cells -------------------------------------------------------------------------------
def test_a_stray_far_cell_in_an_xls_is_refused_before_the_parser_allocates_it(
    leeds, model, tmp_path
):
    far = xls_copy(leeds, tmp_path / "far.xls", far_cell=True)
    result = unchanged_after_reading(far, model)
    assert codes(result) == ["file-too-large"]
    problem = result.problems[0]
    assert (problem.location.sheet, problem.location.cell) == (L.GUIDANCE, "IV65536")


def test_a_stray_far_cell_in_the_table_sheet_of_an_xlsx_is_refused(leeds, model, tmp_path):
    wb = openpyxl.load_workbook(leeds)
    wb[L.ASSESSMENT]["XFD1048576"] = 1
    far = tmp_path / "far.xlsx"
    wb.save(far)
    result = unchanged_after_reading(far, model)  # the parser would abort the whole process
    assert codes(result) == ["file-too-large"]
    assert result.problems[0].location.cell == "XFD1048576"


# --- a batch --------------------------------------------------------------------------------------
def test_one_bad_file_never_stops_a_batch(leeds, filled, model, register, tmp_path):
    york = filled("York")
    bad = [
        rezip(leeds, tmp_path / "laughs.xlsx", replace={"xl/sharedStrings.xml": BILLION_LAUGHS}),
        patch_central_size(leeds, tmp_path / "claims.xlsx", "xl/styles.xml", 3 << 30),
        tmp_path / "missing.xlsx",
    ]
    (tmp_path / "empty.xlsx").write_bytes(b"")
    bad.append(tmp_path / "empty.xlsx")
    results = [read_return(path, model, register) for path in [leeds, *bad, york]]
    assert [r.status == Status.ACCEPTED for r in results] == [
        True,
        False,
        False,
        False,
        False,
        True,
    ]
    assert results[-1].council == register.match("York")
    assert results[0].answers == results[-1].answers == sample_answers(model)


def test_inflating_is_bounded_by_the_declared_size(tmp_path):
    """A part that claims 1 KB but holds 30 MB is stopped after the first chunk."""
    path = tmp_path / "claims-small.xlsx"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", b"<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", bytes(30 * 1024 * 1024))
    path.write_bytes(buffer.getvalue())
    patch_central_size(path, path, "xl/worksheets/sheet1.xml", 1024)
    found = inspect_file(path)
    assert [p.code for p in found.problems] == ["zip-bomb"]


def test_a_directory_listing_more_parts_than_allowed_is_refused_before_zipfile(
    leeds, model, tmp_path
):
    data = bytearray(leeds.read_bytes())
    end = data.rfind(b"PK\x05\x06")
    struct.pack_into("<HH", data, end + 8, 60_000, 60_000)  # entries on this disk, in total
    claims = tmp_path / "claims-many.xlsx"
    claims.write_bytes(bytes(data))
    result = unchanged_after_reading(claims, model)
    assert codes(result) == ["zip-bomb"]
    assert "60,000 parts" in result.problems[0].message


def test_a_part_too_big_to_parse_into_a_tree_is_refused(leeds, model):
    result = read_return(leeds, model, limits=Limits(max_xml_part_bytes=1_000))
    assert codes(result) == ["file-too-large"]
    assert "xl/workbook.xml" in result.problems[0].message


def test_a_sheet_of_a_million_unclosed_tags_is_read_in_linear_time(leeds, model, tmp_path):
    """Under the 1 MB ratio floor, so it reaches the reader's own scan of the sheet."""
    hostile = b'<worksheet><sheetData><row r="1">' + b'<c r="A1" ' * 100_000
    path = rezip(leeds, tmp_path / "unclosed.xlsx", replace={"xl/worksheets/sheet2.xml": hostile})
    result = unchanged_after_reading(path, model)
    assert codes(result) == ["corrupt-file"]
