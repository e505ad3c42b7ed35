"""Round trips through LibreOffice: a return re-saved as .ods, .xls or .xlsx reads back the same.

All the source workbooks are converted in three soffice calls (one per target format, many
files each) by a module-scoped fixture, so this file costs a few LibreOffice start-ups.
LibreOffice recalculates formulas on saving, so a formula typed into an input cell arrives
with a cached value: the reader must still ignore it.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import openpyxl
import pytest
from conftest import sample_answers, soffice_convert

from npsxl.model.answers import Respondent
from npsxl.reading.reader import read_return
from npsxl.reading.returns import Status
from npsxl.workbook import layout as L
from npsxl.workbook.writer import build_workbook

TARGETS = {"ods": "ods", "xls": "xls", "xlsx": "xlsx:Calc MS Excel 2007 XML"}
RESPONDENT = Respondent(
    "A. Officer", "Head of Procurement", "a.officer@example.org", dt.date(2026, 11, 2)
)


def _edit(src: Path, out: Path, change) -> Path:
    wb = openpyxl.load_workbook(src)
    change(wb)
    wb.save(out)
    return out


def _sort_rows(wb):
    ws = wb[L.ASSESSMENT]
    rows = [
        r
        for r in range(1, ws.max_row + 1)
        if ws.cell(r, 9).value in ("Minimum", "Developing", "Mature", "Leader", "Innovator")
    ]
    width = len(L.assessment_columns(("a", "b", "c", "d", "e")))
    values = [[ws.cell(r, c).value for c in range(1, width + 1)] for r in rows]
    for r, row_values in zip(rows, reversed(values), strict=True):
        for c, value in enumerate(row_values, start=1):
            ws.cell(r, c).value = value


def _without_metadata(wb):
    """No Metadata sheet (its names become #REF!) and no small print: only properties."""
    del wb[L.METADATA]
    for defined in wb.defined_names.values():
        if L.METADATA in defined.attr_text:
            defined.attr_text = "#REF!"
    for row in wb[L.START].iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and "fingerprint" in cell.value:
                cell.value = None


@pytest.fixture(scope="module")
def converted(tmp_path_factory, model, register):
    """{name: {format: path}} for every source workbook and every target format."""
    src = tmp_path_factory.mktemp("sources")
    leeds = src / "leeds.xlsx"
    build_workbook(
        model, leeds, register.match("Leeds"), answers=sample_answers(model), respondent=RESPONDENT
    )
    blank = src / "blank-source.xlsx"
    build_workbook(
        model,
        blank,
        None,
        councils=list(register),
        answers=sample_answers(model, seed=1),
        respondent=RESPONDENT,
    )
    sources = {
        "leeds": leeds,
        "typed": _edit(
            blank,
            src / "typed.xlsx",
            lambda wb: wb[L.START].__setitem__(L.start_detail_cell(0), "York"),
        ),
        "formula": _edit(
            leeds,
            src / "formula.xlsx",
            lambda wb: wb[L.ASSESSMENT].__setitem__("I6", f"='{L.LISTS}'!A4"),
        ),
        "sorted": _edit(leeds, src / "sorted.xlsx", _sort_rows),
        "nometa": _edit(leeds, src / "nometa.xlsx", _without_metadata),
        "far": _edit(
            leeds, src / "far.xlsx", lambda wb: wb[L.GUIDANCE].__setitem__("XFD1048576", "stray")
        ),
    }
    out = tmp_path_factory.mktemp("converted")
    found: dict[str, dict[str, Path]] = {name: {} for name in sources}
    for fmt, target in TARGETS.items():
        names = [n for n in sources if n != "far" or fmt == "ods"]
        converted = soffice_convert([sources[n] for n in names], target, out / fmt)
        for name in names:
            found[name][fmt] = converted[sources[name].stem]
    return found


@pytest.mark.parametrize("fmt", list(TARGETS))
def test_a_return_resaved_by_libreoffice_reads_back_the_same(fmt, converted, model, register):
    result = read_return(converted["leeds"][fmt], model, register)
    assert result.status == Status.ACCEPTED, [str(p) for p in result.problems]
    assert result.format == fmt
    assert result.answers == sample_answers(model)
    assert result.council == register.match("Leeds")
    assert (result.council_name, result.council_code) == ("Leeds City Council", "E08000035")
    assert result.respondent == RESPONDENT
    assert (result.model_id, result.model_version, result.model_fingerprint) == (
        model.id,
        model.version,
        model.fingerprint,
    )


@pytest.mark.parametrize("fmt", list(TARGETS))
def test_a_council_typed_into_a_blank_workbook_survives(fmt, converted, model, register):
    result = read_return(converted["typed"][fmt], model, register)
    assert result.status == Status.ACCEPTED, [str(p) for p in result.problems]
    assert result.council == register.match("York")
    assert result.answers == sample_answers(model, seed=1)


@pytest.mark.parametrize("fmt", list(TARGETS))
def test_a_formula_recalculated_by_libreoffice_is_still_ignored(fmt, converted, model):
    result = read_return(converted["formula"][fmt], model)
    warning = next(p for p in result.problems if p.code == "formula-in-input")
    assert (warning.location.sheet, warning.location.cell) == (L.ASSESSMENT, "I6")
    assert result.answers["L1"].current is None  # not LibreOffice's cached 'Mature'


@pytest.mark.parametrize("fmt", list(TARGETS))
def test_defined_names_are_read_in_every_format(fmt, converted, model):
    """Sorted rows: only a reader that sees the names can notice that they disagree."""
    result = read_return(converted["sorted"][fmt], model)
    assert result.answers == sample_answers(model)
    assert [p.code for p in result.problems] == ["sources-disagree"]


@pytest.mark.parametrize("fmt", ["ods", "xlsx"])
def test_document_properties_carry_the_metadata(fmt, converted, model):
    """No Metadata sheet and no small print: ods meta.xml and xlsx custom.xml still have it."""
    result = read_return(converted["nometa"][fmt], model)
    assert result.status == Status.ACCEPTED, [str(p) for p in result.problems]
    assert result.model_fingerprint == model.fingerprint


def test_an_xls_keeps_no_properties_we_read_so_the_ids_decide(converted, model):
    result = read_return(converted["nometa"]["xls"], model)
    assert [p.code for p in result.problems] == ["metadata-missing"]
    assert result.answers == sample_answers(model)


def test_a_stray_far_cell_in_an_ods_is_refused_before_parsing(converted, model):
    result = read_return(converted["far"]["ods"], model)
    assert [p.code for p in result.problems] == ["file-too-large"]
    problem = result.problems[0]
    assert (problem.location.sheet, problem.location.cell) == (L.GUIDANCE, "XFD1048576")


def test_an_xls_renamed_to_xlsx_is_read_as_xls(converted, model, tmp_path):
    renamed = tmp_path / "leeds.xlsx"
    shutil.copy(converted["leeds"]["xls"], renamed)
    result = read_return(renamed, model)
    assert result.format == "xls" and result.status == Status.ACCEPTED
    assert result.answers == sample_answers(model)


@pytest.mark.parametrize("fmt", ["ods", "xls"])
def test_truncated_libreoffice_files_are_corrupt(fmt, converted, model, tmp_path):
    data = converted["leeds"][fmt].read_bytes()
    cut = tmp_path / f"cut.{fmt}"
    cut.write_bytes(data[: len(data) // 2])
    result = read_return(cut, model)
    assert "corrupt-file" in [p.code for p in result.problems]
