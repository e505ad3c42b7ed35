"""The shortcuts that make collating fast keep the guarantees of the long way round.

* preflight skips inflating the parts no parser reads only when the deflate bound proves
  the whole file small, and the parser reads only checked bytes (a stored repack);
* a sheet's used range is bounded without listing every cell only when it is provably small;
* worker processes send back councils by their place in the register;
* the returns log of the summary workbook is spliced in as XML, like the Data sheet;
* model files are parsed with libyaml when PyYAML has it, with the same result;
* pandas loads while the workers read, not before.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile
import zlib

import pytest
import python_calamine
import yaml
from conftest import ROOT, codes, flip_a_byte, sample_answers
from test_safety import BILLION_LAUGHS, patch_central_size, rezip, unchanged_after_reading

from npsxl.collation.run import collate
from npsxl.model import yamlsource
from npsxl.reading.batch import read_returns
from npsxl.reading.formats.xlsx import merges_first, xlsx_cells
from npsxl.reading.opening import keep_part
from npsxl.reading.preflight import DEFAULT_LIMITS, Limits, inspect_file
from npsxl.reading.reader import read_return
from npsxl.reading.zipcheck import DEFLATE_MAX_RATIO, inflation_bound


@pytest.fixture
def leeds(filled):
    return filled("Leeds")


def _deflated(data: bytes, level: int = 9) -> bytes:
    packer = zlib.compressobj(level, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush()


# --- the deflate bound ----------------------------------------------------------------------------
def test_no_deflate_stream_beats_the_bound():
    for size in (1, 1 << 10, 1 << 20, 8 << 20):
        packed = _deflated(bytes(size))
        assert size <= (len(packed) + 1) * DEFLATE_MAX_RATIO


def test_the_bound_counts_stored_parts_as_they_are_and_refuses_other_methods(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("stored.xml", b"x" * 1000, compress_type=zipfile.ZIP_STORED)
        archive.writestr("deflated.xml", b"y" * 1000, compress_type=zipfile.ZIP_DEFLATED)
    infos = zipfile.ZipFile(buffer).infolist()
    deflated = infos[1].compress_size
    assert inflation_bound(infos) == 1000 + (deflated + 1) * DEFLATE_MAX_RATIO
    infos[1].compress_type = zipfile.ZIP_BZIP2
    assert inflation_bound(infos) is None


def test_parts_no_parser_reads_are_skipped_only_under_the_bound(leeds):
    found = inspect_file(leeds, keep=keep_part, kept_only=True)
    assert found.problems == [] and found.format == "xlsx"
    assert "xl/theme/theme1.xml" in found.unchecked
    assert not set(found.unchecked) & set(found.parts)
    for name in found.unchecked:
        assert not keep_part(name)
    # a limit the bound cannot prove: every part is inflated and checked, as without kept_only
    tight = Limits(max_uncompressed_bytes=1024 * 1024)
    assert inflation_bound(zipfile.ZipFile(leeds).infolist()) > tight.max_uncompressed_bytes
    found = inspect_file(leeds, tight, keep=keep_part, kept_only=True)
    assert found.problems == [] and found.unchecked == ()


def test_an_unread_part_lying_about_its_size_is_inflated_when_the_bound_fails(
    leeds, model, tmp_path
):
    """A large unread part whose directory claims it small: too big for the bound to prove
    anything, so it is inflated like every other part, and the lie is found."""
    noise = os.urandom(300_000)  # does not compress: 300 KB of deflate could be 300 MB
    assert (len(_deflated(noise)) + 1) * DEFLATE_MAX_RATIO > DEFAULT_LIMITS.max_uncompressed_bytes
    big = rezip(leeds, tmp_path / "big.xlsx", add={"xl/media/image1.bin": noise})
    liar = patch_central_size(big, tmp_path / "liar.xlsx", "xl/media/image1.bin", 100)
    result = unchanged_after_reading(liar, model)
    assert codes(result) == ["zip-bomb"]
    assert "xl/media/image1.bin" in result.problems[0].message


def test_a_damaged_part_no_parser_reads_leaves_the_answers_right(leeds, model, tmp_path):
    damaged = flip_a_byte(leeds, tmp_path / "theme.xlsx", "xl/theme/theme1.xml")
    result = read_return(damaged, model)
    assert result.accepted and result.answers == sample_answers(model)


def test_hostile_xml_in_a_part_the_parser_reads_is_still_refused(leeds, model, tmp_path):
    laughs = rezip(leeds, tmp_path / "laughs.xlsx", replace={"xl/styles.xml": BILLION_LAUGHS})
    assert codes(unchanged_after_reading(laughs, model)) == ["hostile-xml"]


# --- the parser reads a stored repack of the checked parts ----------------------------------------
def test_the_repack_holds_exactly_the_checked_parts(leeds):
    found = inspect_file(leeds, keep=keep_part, kept_only=True)
    packed = zipfile.ZipFile(io.BytesIO(found.stored_zip()))
    assert packed.testzip() is None
    assert [i.filename for i in packed.infolist()] == list(found.parts)
    assert all(i.compress_type == zipfile.ZIP_STORED for i in packed.infolist())
    assert {n: packed.read(n) for n in found.parts} == found.parts


def test_the_parser_reads_the_same_cells_from_the_repack(leeds):
    found = inspect_file(leeds, keep=keep_part, kept_only=True)
    original = python_calamine.CalamineWorkbook.from_path(str(leeds))
    repacked = python_calamine.CalamineWorkbook.from_filelike(
        io.BytesIO(found.stored_zip(merges_first))
    )
    assert repacked.sheet_names == original.sheet_names
    for name in original.sheet_names:
        before, after = original.get_sheet_by_name(name), repacked.get_sheet_by_name(name)
        assert after.to_python(skip_empty_area=False) == before.to_python(skip_empty_area=False)
        assert after.merged_cell_ranges == before.merged_cell_ranges


def test_merged_ranges_go_first_only_in_the_plain_layout():
    sheet = (
        b'<?xml version="1.0"?>\n<worksheet xmlns="x"><sheetData><row r="1"/></sheetData>'
        b'<mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells></worksheet>'
    )
    moved = merges_first("xl/worksheets/sheet1.xml", sheet)
    assert moved.startswith(b'<?xml version="1.0"?>\n<worksheet xmlns="x"><mergeCells count="1">')
    assert moved.endswith(sheet[len(b'<?xml version="1.0"?>\n<worksheet xmlns="x">') :])
    none = sheet.replace(b'<mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells>', b"")
    assert b'<worksheet xmlns="x"><mergeCells count="0"/><sheetData>' in merges_first(
        "xl/worksheets/sheet1.xml", none
    )
    assert merges_first("xl/styles.xml", sheet) is None
    assert (
        merges_first("xl/worksheets/sheet1.xml", b"<x:worksheet><sheetData/></x:worksheet>") is None
    )
    assert merges_first("xl/worksheets/sheet1.xml", sheet.replace(b"</sheetData>", b"")) is None


# --- used ranges --------------------------------------------------------------------------------
def test_a_small_sheet_is_bounded_and_its_formulas_found():
    sheet = (
        b'<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"><f>A1</f><v>1</v></c>'
        b'<c r="C1" s="1"/><f>x</f><c r="D1" t="str"><f t="shared" si="0"/><v>2</v></c>'
        b'<c r="ZZ999"><v>3</v></c></row></sheetData>'
    )
    extent, formulas = xlsx_cells.__wrapped__(sheet, DEFAULT_LIMITS.max_sheet_cells)
    assert formulas == {(0, 1), (0, 3)}
    assert (extent.rows, extent.cols) == (999, 702)  # a bound, within the limit
    exact, same = xlsx_cells.__wrapped__(sheet, 1000)  # a limit below the bound: exact range
    assert same == formulas and (exact.rows, exact.cols, exact.far) == (999, 702, "ZZ999")
    far = sheet.replace(b"ZZ999", b"AAA1")
    extent, _ = xlsx_cells.__wrapped__(far, DEFAULT_LIMITS.max_sheet_cells)
    assert (extent.rows, extent.cols, extent.far) == (1, 703, "AAA1")


@pytest.mark.parametrize(
    "cell", [b'<c\nr="XFD1048576"><v>1</v></c>', b'<x:c r="XFD1048576"><x:v>1</x:v></x:c>']
)
def test_a_far_cell_written_unusually_is_measured(cell):
    sheet = b'<sheetData><row r="1"><c r="A1"><v>1</v></c>' + cell + b"</row></sheetData>"
    extent, _ = xlsx_cells.__wrapped__(sheet, DEFAULT_LIMITS.max_sheet_cells)
    assert extent.cells > DEFAULT_LIMITS.max_sheet_cells and extent.far == "XFD1048576"


# --- batches ------------------------------------------------------------------------------------
def test_workers_give_back_the_registers_own_councils(filled, model, register):
    paths = [filled("Leeds"), filled("York"), filled("Bradford")]
    returns = read_returns(paths, model, register, jobs=2)
    assert [r.council.name for r in returns] == [
        register.match(c).name for c in ("Leeds", "York", "Bradford")
    ]
    assert all(any(r.council is c for c in register.councils) for r in returns)
    assert returns[0].answers == sample_answers(model)


@pytest.mark.parametrize("jobs", [1, 2])
def test_meanwhile_runs_once_while_the_workers_read(filled, model, register, jobs):
    paths = [filled("Leeds"), filled("York")]
    calls = []
    returns = read_returns(paths, model, register, jobs=jobs, meanwhile=lambda: calls.append(1))
    assert calls == [1] and [r.accepted for r in returns] == [True, True]


def test_reading_starts_before_pandas_and_xlsxwriter_are_imported():
    code = (
        "import sys, npsxl.cli, npsxl.collation.run, npsxl.reading.reader, npsxl.model.register\n"
        "for name in ('pandas', 'xlsxwriter'):\n"
        "    assert name not in sys.modules, f'{name} would load before the workers start'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


@pytest.mark.parametrize("jobs", [1, 2])
def test_collate_calls_meanwhile_once_while_the_files_are_read(filled, model, register, jobs):
    calls = []
    paths = [filled("Leeds"), filled("York")]
    collation = collate(paths, register, model=model, jobs=jobs, meanwhile=lambda: calls.append(1))
    assert calls == [1] and len(collation.counted) == 2


# --- model files --------------------------------------------------------------------------------
@pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML was built without libyaml")
@pytest.mark.parametrize("path", ["model.yaml", "samples/model-1.1-example.yaml"])
def test_libyaml_and_pure_python_parse_a_model_alike(path):
    text = (ROOT / path).read_text(encoding="utf-8")
    fast = yamlsource._parse(text, path, yaml.CSafeLoader)
    slow = yamlsource._parse(text, path, yaml.SafeLoader)
    assert not fast.problems and fast.data == slow.data and fast.lines == slow.lines


def test_a_broken_model_gets_the_pure_python_parsers_message():
    doc = yamlsource.parse_yaml("strategy:\n\tname: x\n", "model.yaml")
    (problem,) = doc.problems
    assert "found character '\\t' that cannot start any token" in problem.message
    assert problem.location.line == 2
