"""Reading returned workbooks (npsxl.reading.reader.read_return) after what councils do to them.

Every fixture starts from the project's generator (conftest ``filled``) and is then edited
with openpyxl the way a council's spreadsheet app would change it: rows sorted, rows and
columns inserted, sheets renamed, reordered, unhidden or deleted, protection removed, values
typed over the dropdowns, the table pasted into a new workbook. openpyxl does not move
defined names when rows or columns are inserted, which is exactly the case where the two
ways of finding answers disagree: the rows must win and a warning must say so.
"""

from __future__ import annotations

import datetime as dt
import os
import struct
import zipfile
from pathlib import Path

import edits as E
import openpyxl
import pytest
import xlwt
from conftest import LEVELS, ROOT, codes, sample_answers, without_lineage
from openpyxl.utils import get_column_letter

import npsxl.reading.reader
from npsxl.model.answers import Answer, Respondent
from npsxl.model.defaults import PACKAGED_REGISTERS
from npsxl.model.loading import model_from_text
from npsxl.model.register_csv import load_register
from npsxl.reading.levels import parse_level
from npsxl.reading.reader import read_return
from npsxl.reading.returns import Status
from npsxl.workbook import layout as L

COLUMNS = L.assessment_columns(LEVELS)
COL = {c.key: get_column_letter(i + 1) for i, c in enumerate(COLUMNS)}
DATE = dt.date(2028, 3, 31)


# --- helpers --------------------------------------------------------------------------------------
def expected_answers(model, seed=0):
    return dict(sample_answers(model, seed))


def only(result, code):
    found = [p for p in result.problems if p.code == code]
    assert found, f"no {code!r} problem in {codes(result)}"
    return found


def edit(src: Path, change, name: str) -> Path:
    """Open ``src`` with openpyxl, apply ``change(wb)``, save as ``name`` beside it."""
    wb = openpyxl.load_workbook(src)
    change(wb)
    out = src.parent / name
    wb.save(out)
    return out


def item_rows(ws) -> dict[str, int]:
    """Item id -> 1-based row, from the Ref column."""
    rows = {}
    for row in range(1, ws.max_row + 1):
        value = ws.cell(row, 1).value
        if isinstance(value, str) and value[:1].isalpha() and len(value) <= 3 and value != "Ref":
            rows[value] = row
    return rows


def cell_of(ws, item_id: str, key: str) -> str:
    return f"{COL[key]}{item_rows(ws)[item_id]}"


@pytest.fixture
def leeds(filled):
    return filled("Leeds")


# --- a return as generated ------------------------------------------------------------------------
def test_a_filled_return_reads_back_exactly(leeds, model, register):
    result = read_return(leeds, model, register)
    assert result.status == Status.ACCEPTED, [str(p) for p in result.problems]
    assert result.format == "xlsx"
    assert result.answers == expected_answers(model)
    assert (result.council_name, result.council_code) == ("Leeds City Council", "E08000035")
    assert result.council == register.match("Leeds")
    assert (result.model_id, result.model_version, result.model_fingerprint) == (
        model.id,
        model.version,
        model.fingerprint,
    )
    assert result.respondent.name == "A. Officer"
    assert result.respondent.role == "Head of Procurement"
    assert result.respondent.email == "a.officer@example.org"
    assert result.respondent.date_completed == dt.date(2026, 11, 2)
    assert result.item_count == len(model.items) == result.complete_count


def test_reading_never_modifies_the_file(leeds, model, register, tmp_path):
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(leeds.read_bytes()[:5000])
    for path in (leeds, broken):
        os.utime(path, ns=(1_600_000_000_000_000_000, 1_600_000_000_000_000_000))
        before = (path.read_bytes(), path.stat().st_mtime_ns)
        read_return(path, model, register)
        assert (path.read_bytes(), path.stat().st_mtime_ns) == before


def test_models_may_be_given_as_a_list_and_the_right_version_is_chosen(tmp_path, model, register):
    text = without_lineage((ROOT / "model.yaml").read_text(encoding="utf-8"))
    newer = model_from_text(text.replace('version: "1.0.1"', 'version: "1.1.0"', 1))
    path = tmp_path / "newer.xlsx"
    from npsxl.workbook.writer import build_workbook

    build_workbook(newer, path, register.match("York"), answers=sample_answers(newer))
    result = read_return(path, [model, newer], register)
    assert result.accepted, codes(result)
    assert result.model_version == "1.1.0"
    assert result.answers == expected_answers(model)


def test_a_blank_workbook_gives_one_incomplete_problem_not_one_per_item(filled, model):
    result = read_return(filled(council=None, answers={}), model)
    assert codes(result).count("incomplete") == 1
    problem = only(result, "incomplete")[0]
    assert "blank" in problem.message
    assert (problem.location.sheet, problem.location.cell) == (L.ASSESSMENT, f"{COL['current']}6")
    assert result.status == Status.REJECTED


def test_a_partly_filled_return_names_each_missing_level(filled, model):
    answers = sample_answers(model)
    answers["L2"] = Answer("L2", "Mature", None)
    answers["E4"] = Answer("E4", None, None)
    result = read_return(filled(answers=answers), model)
    found = {(p.location.item_id, p.location.cell) for p in only(result, "incomplete")}
    assert found == {("L2", f"{COL['target']}7"), ("E4", f"{COL['current']}22")}
    assert result.answers["L2"].current == "Mature"
    assert result.complete_count == len(model.items) - 2


# --- what spreadsheet apps and councils do to a workbook ------------------------------------------
def sort_rows(wb):
    """Reverse the order of the item rows, every column moving with its row (a sort)."""
    ws = wb[L.ASSESSMENT]
    rows = sorted(item_rows(ws).values())
    values = [[ws.cell(r, c).value for c in range(1, len(COLUMNS) + 1)] for r in rows]
    for r, row_values in zip(rows, reversed(values), strict=True):
        for c, value in enumerate(row_values, start=1):
            ws.cell(r, c).value = value


def swap_first_two_rows(wb):
    ws = wb[L.ASSESSMENT]
    for c in range(1, len(COLUMNS) + 1):
        ws.cell(6, c).value, ws.cell(7, c).value = ws.cell(7, c).value, ws.cell(6, c).value


def rename(old, new):
    def change(wb):
        wb[old].title = new

    return change


def reorder_sheets(wb):
    wb._sheets.reverse()
    wb.active = 0


def unhide_and_unprotect(wb):
    for ws in wb.worksheets:
        ws.sheet_state = "visible"
        ws.protection.sheet = False


def delete_hidden_sheets(wb):
    for name in (L.LISTS, L.METADATA):
        del wb[name]
    for defined in wb.defined_names.values():  # as Excel marks them: #REF!
        if L.LISTS in defined.attr_text or L.METADATA in defined.attr_text:
            defined.attr_text = "#REF!"


def google_sheets_like(wb):
    """What a round trip through Google Sheets can lose: defined names, custom properties."""
    wb.defined_names.clear()
    wb.custom_doc_props.props.clear()


def google_sheets_and_no_metadata_sheet(wb):
    google_sheets_like(wb)
    del wb[L.METADATA]


ROBUST = {
    "openpyxl round trip": (lambda wb: None, False),
    "rows sorted": (sort_rows, True),
    "row inserted in the table": (lambda wb: wb[L.ASSESSMENT].insert_rows(8), True),
    "rows inserted above the table": (lambda wb: wb[L.ASSESSMENT].insert_rows(2, 3), True),
    "column inserted": (lambda wb: wb[L.ASSESSMENT].insert_cols(3), True),
    "assessment sheet renamed": (rename(L.ASSESSMENT, "Our answers"), False),
    "start sheet renamed": (rename(L.START, "About us"), False),
    "sheets reordered": (reorder_sheets, False),
    "hidden sheets unhidden, protection removed": (unhide_and_unprotect, False),
    "hidden sheets deleted": (delete_hidden_sheets, False),
    "google sheets: no names or properties": (google_sheets_like, False),
    "google sheets and no metadata sheet": (google_sheets_and_no_metadata_sheet, False),
}


@pytest.mark.parametrize("scenario", list(ROBUST))
def test_answers_survive_what_spreadsheet_apps_do(scenario, leeds, model, register):
    change, disagree = ROBUST[scenario]
    path = edit(leeds, change, "edited.xlsx")
    result = read_return(path, model, register)
    assert result.accepted, [str(p) for p in result.errors]
    assert result.answers == expected_answers(model)
    assert result.council == register.match("Leeds")
    assert result.respondent.email == "a.officer@example.org"
    assert result.respondent.date_completed == dt.date(2026, 11, 2)
    assert (result.model_id, result.model_version) == (model.id, model.version)
    assert ("sources-disagree" in codes(result)) is disagree, codes(result)
    if not disagree:
        assert result.status == Status.ACCEPTED, [str(p) for p in result.problems]


def test_sorted_rows_give_one_summary_warning_not_one_per_cell(leeds, model):
    result = read_return(edit(leeds, sort_rows, "sorted.xlsx"), model)
    (problem,) = only(result, "sources-disagree")
    assert result.status == Status.ACCEPTED_WITH_WARNINGS
    assert "14 items" in problem.message and "sorted" in problem.message
    assert problem.location.sheet == L.ASSESSMENT


def test_two_swapped_rows_are_reported_per_item_with_their_cells(leeds, model):
    result = read_return(edit(leeds, swap_first_two_rows, "swapped.xlsx"), model)
    assert result.answers == expected_answers(model)
    found = {p.location.item_id: p for p in only(result, "sources-disagree")}
    assert set(found) == {"L1", "L2"}
    assert (found["L1"].location.sheet, found["L1"].location.cell) == (L.ASSESSMENT, "I7")
    assert "NPS_L1_CURRENT points at I6" in found["L1"].message
    assert "reference L2" in found["L1"].message


def test_an_inserted_column_is_followed_by_its_header(leeds, model):
    result = read_return(edit(leeds, lambda wb: wb[L.ASSESSMENT].insert_cols(9), "col.xlsx"), model)
    assert result.answers == expected_answers(model)
    problem = only(result, "sources-disagree")[0]
    assert problem.location.cell.startswith("J")  # the current level moved from I to J


def test_an_openpyxl_edit_drops_cached_formula_values_but_inputs_still_read(filled, model):
    path = filled(council=None, personalised=False)

    def choose_council(wb):
        wb[L.START]["C15"] = "York"

    result = read_return(
        edit(path, choose_council, "chosen.xlsx"),
        model,
        load_register(PACKAGED_REGISTERS["2018"]),
    )
    assert result.accepted, codes(result)
    assert result.council.name == "City of York Council"
    assert result.council_code == result.council.code  # the code cell is a formula: not read


# --- the table copied into a new workbook ---------------------------------------------------------
def paste_into_new_workbook(src: Path, out: Path, *, details=True, header=True, at=(1, 1)):
    """Values only, as 'paste values' into a brand-new workbook: no names, no metadata."""
    old = openpyxl.load_workbook(src, data_only=True)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    start_row, start_col = at
    table = old[L.ASSESSMENT]
    first = L.ASSESSMENT_HEADER_ROW + 1 if header else L.ASSESSMENT_FIRST_ROW + 1
    for r in range(first, table.max_row + 1):
        for c in range(1, len(COLUMNS) + 1):
            ws.cell(start_row + r - first, start_col + c - 1).value = table.cell(r, c).value
    if details:
        details_ws = wb.create_sheet("Details")
        start = old[L.START]
        for i in range(len(L.DETAIL_FIELDS)):
            row = L.START_DETAILS_FIRST_ROW + 1 + i
            details_ws.cell(i + 1, 1).value = start.cell(row, 2).value
            details_ws.cell(i + 1, 2).value = start.cell(row, 3).value
    wb.save(out)
    return out


def test_a_table_pasted_into_a_new_workbook_is_read_by_its_ids(leeds, model, register, tmp_path):
    path = paste_into_new_workbook(leeds, tmp_path / "pasted.xlsx")
    result = read_return(path, model, register)
    assert result.status == Status.ACCEPTED_WITH_WARNINGS, [str(p) for p in result.problems]
    assert codes(result) == ["metadata-missing"]
    assert result.answers == expected_answers(model)
    assert result.council == register.match("Leeds")
    assert (result.model_id, result.model_version) == (model.id, model.version)


def test_rows_pasted_without_header_at_another_offset_are_found(leeds, model, register, tmp_path):
    path = paste_into_new_workbook(leeds, tmp_path / "offset.xlsx", header=False, at=(3, 4))
    result = read_return(path, model, register)
    assert result.answers == expected_answers(model)
    assert codes(result) == ["metadata-missing"]
    assert only(result, "metadata-missing")[0].location.sheet == "Sheet1"


def test_a_table_without_the_council_details_is_rejected(leeds, model, register, tmp_path):
    path = paste_into_new_workbook(leeds, tmp_path / "table-only.xlsx", details=False)
    result = read_return(path, model, register)
    assert result.answers == expected_answers(model)
    assert set(codes(result)) == {"metadata-missing", "council-missing"}
    assert result.status == Status.REJECTED


def test_other_sheets_with_ids_are_not_mistaken_for_the_table(leeds, model):
    """Guidance and Summary list every id too; with the table gone they must not be read."""

    def drop_table(wb):
        del wb[L.ASSESSMENT]

    result = read_return(edit(leeds, drop_table, "no-table.xlsx"), model)
    assert not any(a.current or a.target for a in result.answers.values())
    assert "incomplete" in codes(result) and result.status == Status.REJECTED
    assert codes(result).count("incomplete") == 1


def test_a_real_xls_renamed_to_xlsx_is_read_as_xls(leeds, model, register, tmp_path):
    """Values only, written by xlwt (an Excel 97-2003 file): dates arrive as serial numbers."""
    source = openpyxl.load_workbook(leeds, data_only=True)
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
    path = tmp_path / "really-xls.xlsx"
    book.save(str(path))
    result = read_return(path, model, register)
    assert result.format == "xls"
    assert result.status == Status.ACCEPTED, [str(p) for p in result.problems]
    assert result.answers == expected_answers(model)
    assert result.respondent.date_completed == dt.date(2026, 11, 2)


# --- levels as typed by hand ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "typed", ["mature", "3", "Level 3 - Mature", "Mature (3)", "  MATURE ", 3.0, 3, "3 - Mature"]
)
def test_levels_typed_over_the_dropdown_are_accepted_with_a_warning(typed, leeds, model):
    def type_level(wb):
        wb[L.ASSESSMENT]["I8"] = typed  # L3's current level

    result = read_return(edit(leeds, type_level, "typed.xlsx"), model)
    assert result.answers["L3"].current == "Mature"
    (problem,) = only(result, "level-not-from-list")
    assert (problem.location.sheet, problem.location.cell) == (L.ASSESSMENT, "I8")
    assert problem.location.item_id == "L3"
    assert result.status == Status.ACCEPTED_WITH_WARNINGS
    # the value as typed, spaces kept: they are what makes "  MATURE " not the dropdown's text
    shown = repr(typed) if isinstance(typed, str) else repr(str(int(typed)))
    assert f"the current level of L3 is {shown}, not the dropdown text" in problem.message


def test_an_unknown_level_names_the_value_and_the_allowed_ones(leeds, model):
    def type_level(wb):
        wb[L.ASSESSMENT]["J9"] = "Very good"

    result = read_return(edit(leeds, type_level, "unknown.xlsx"), model)
    (problem,) = only(result, "unknown-level")
    assert "'Very good'" in problem.message
    assert all(level in problem.message for level in LEVELS)
    assert (problem.location.cell, problem.location.item_id) == ("J9", "L4")
    assert result.answers["L4"].target is None
    assert "incomplete" not in codes(result)  # the bad value is the one problem, not two
    assert result.status == Status.REJECTED


@pytest.mark.parametrize(
    ("typed", "level", "issue"),
    [
        ("Mature", "Mature", ""),
        ("mature", "Mature", "loose"),
        ("Mature ", "Mature", "loose"),
        ("LEVEL 5", "Innovator", "loose"),
        ("5 Innovator", "Innovator", "loose"),
        ("Innovator - 5", "Innovator", "loose"),
        ("1.0", "Minimum", "loose"),
        (2.0, "Developing", "loose"),
        ("", None, ""),
        ("   ", None, ""),
        (None, None, ""),
        ("3 - Leader", None, "bad"),
        ("6", None, "bad"),
        (0, None, "bad"),
        (3.5, None, "bad"),
        ("3.5", None, "bad"),
        ("Developing/Mature", None, "bad"),
        ("N/A", None, "bad"),
        (True, None, "bad"),
        (dt.date(2020, 1, 1), None, "bad"),
        ("Level", None, "bad"),
    ],
)
def test_parse_level(typed, level, issue, model):
    assert parse_level(typed, model) == (level, issue)


def test_target_below_current_is_a_located_warning(filled, model):
    answers = sample_answers(model)
    answers["C2"] = Answer("C2", "Leader", "Developing", "e", "a", DATE)
    result = read_return(filled(answers=answers), model)
    (problem,) = only(result, "target-below-current")
    assert (problem.location.cell, problem.location.item_id) == ("J12", "C2")
    assert result.status == Status.ACCEPTED_WITH_WARNINGS


def test_a_formula_in_an_input_cell_is_ignored_with_a_warning(leeds, model):
    def formula(wb):
        wb[L.ASSESSMENT]["I6"] = "=Lists!A4"  # would evaluate to 'Mature'

    result = read_return(edit(leeds, formula, "formula.xlsx"), model)
    warning = only(result, "formula-in-input")[0]
    assert (warning.location.cell, warning.location.item_id) == ("I6", "L1")
    assert result.answers["L1"].current is None
    assert only(result, "incomplete")[0].location.item_id == "L1"


def test_text_over_excels_limit_is_cut_with_a_warning(leeds, model):
    def long_text(wb):
        wb[L.ASSESSMENT]["K6"] = "x" * 40_000

    result = read_return(edit(leeds, long_text, "long.xlsx"), model)
    (problem,) = only(result, "text-too-long")
    assert (problem.location.cell, problem.location.item_id) == ("K6", "L1")
    assert len(result.answers["L1"].evidence) == 32_767


def test_dates_typed_as_text_or_numbers_are_read(leeds, model):
    def dates(wb):
        ws = wb[L.ASSESSMENT]
        ws["M6"] = "31/03/2029"
        ws["M7"] = 47208  # an Excel serial number without a date format: 2029-03-31
        ws["M8"] = "next spring"

    result = read_return(edit(leeds, dates, "dates.xlsx"), model)
    assert result.answers["L1"].target_date == dt.date(2029, 3, 31)
    assert result.answers["L2"].target_date == dt.date(2029, 3, 31)
    assert result.answers["L3"].target_date == "next spring"


def test_the_same_item_twice_is_an_error_at_the_extra_row(leeds, model):
    def copy_row(wb):
        ws = wb[L.ASSESSMENT]
        for c in range(1, len(COLUMNS) + 1):
            ws.cell(30, c).value = ws.cell(11, c).value  # C1's row again, below the table

    result = read_return(edit(leeds, copy_row, "twice.xlsx"), model)
    (problem,) = only(result, "duplicate-item")
    assert (problem.location.sheet, problem.location.cell) == (L.ASSESSMENT, "A30")
    assert problem.location.item_id == "C1"
    assert result.answers["C1"] == expected_answers(model)["C1"]


def test_an_id_overwritten_with_another_is_read_by_the_item_name_on_its_row(leeds, model):
    def overwrite(wb):
        wb[L.ASSESSMENT]["A7"] = "L1"  # L2's row now claims to be L1

    result = read_return(edit(leeds, overwrite, "overwritten.xlsx"), model)
    assert result.answers == expected_answers(model)
    problem = next(p for p in only(result, "sources-disagree") if p.location.item_id == "L2")
    assert problem.location.cell == "A7" and "'L1'" in problem.message
    assert "duplicate-item" not in codes(result)


def test_an_id_overwritten_where_the_item_names_are_gone_leaves_that_item_missing(leeds, model):
    def overwrite(wb):
        ws = wb[L.ASSESSMENT]
        ws["A7"] = "L1"  # L2's row now claims to be L1, and nothing on the rows says otherwise
        for row in range(5, ws.max_row + 1):
            ws.cell(row, 2).value = ws.cell(row, 4).value = None

    result = read_return(edit(leeds, overwrite, "overwritten.xlsx"), model)
    assert only(result, "duplicate-item")[0].location.cell == "A7"
    missing = [p for p in only(result, "incomplete") if p.location.item_id == "L2"]
    assert missing and "missing" in missing[0].message
    assert any(p.location.item_id == "L2" for p in only(result, "sources-disagree"))
    assert "L2" not in result.answers or result.answers["L2"].current is None


# --- council and model ----------------------------------------------------------------------------
def test_a_council_typed_into_a_blank_workbook_is_matched(filled, model, register):
    path = filled(council=None, personalised=False)

    def choose(wb):
        wb[L.START]["C15"] = "leeds city council"

    result = read_return(edit(path, choose, "typed-council.xlsx"), model, register)
    assert result.council == register.match("Leeds")
    assert result.council_name == "leeds city council"
    assert result.accepted


def test_a_council_missing_from_the_register_is_rejected(leeds, model, tmp_path):
    small = tmp_path / "small.csv"
    small.write_text("code,name,region\nE06000014,City of York Council,Yorkshire and The Humber\n")
    result = read_return(leeds, model, load_register(small))
    (problem,) = only(result, "council-unknown")
    assert (problem.location.sheet, problem.location.cell) == (L.START, "C15")
    assert "Leeds City Council" in problem.message
    assert result.council is None and result.status == Status.REJECTED


def test_without_a_register_the_council_is_taken_as_written(leeds, model):
    result = read_return(leeds, model)
    assert (result.council_name, result.council_code, result.council) == (
        "Leeds City Council",
        "E08000035",
        None,
    )
    assert result.accepted


def test_a_personalised_workbook_with_its_council_cleared_still_knows_it(leeds, model, register):
    def clear(wb):
        wb[L.START]["C15"] = None
        wb[L.START]["C16"] = None

    result = read_return(edit(leeds, clear, "cleared.xlsx"), model, register)
    assert result.council == register.match("Leeds")  # from the generator's metadata


def test_the_council_changed_by_hand_is_the_one_issued_to_and_the_change_reported(
    leeds, model, register
):
    def change(wb):
        wb[L.START]["C15"] = "Bradford"
        wb[L.START]["C16"] = None

    result = read_return(edit(leeds, change, "changed.xlsx"), model, register)
    assert result.council == register.match("Leeds")  # the metadata says whom it was issued to
    problem = only(result, "sources-disagree")[0]
    assert "Leeds" in problem.message and "Bradford" in problem.message
    assert problem.location.cell == "C15"


def test_a_blank_workbook_whose_name_and_code_disagree_uses_the_name(filled, model, register):
    def choose(wb):
        wb[L.START]["C15"] = "Bradford"
        wb[L.START]["C16"] = register.match("Leeds").code

    path = edit(filled(council=None, personalised=False), choose, "typed.xlsx")
    result = read_return(path, model, register)
    assert result.council == register.match("Bradford")
    assert "Leeds" in only(result, "sources-disagree")[0].message


def test_metadata_edited_on_the_sheet_and_not_in_the_properties_is_reported(leeds, model):
    def edit_sheet(wb):
        wb[L.METADATA]["B3"] = "0.9.0"

    result = read_return(edit(leeds, edit_sheet, "meta.xlsx"), model)
    assert only(result, "sources-disagree")[0].location.cell == "B3"
    assert only(result, "unknown-model")[0].location.cell == "B3"


def test_a_workbook_from_no_known_model_is_not_nps(tmp_path, model):
    wb = openpyxl.Workbook()
    wb.active["A1"] = "Budget 2026"
    wb.active["A2"] = "L1"
    path = tmp_path / "budget.xlsx"
    wb.save(path)
    result = read_return(path, model)
    assert codes(result) == ["not-nps"]


# --- every problem code, located ------------------------------------------------------------------
def _set(sheet, **cells):
    def change(wb):
        for ref, value in cells.items():
            wb[sheet][ref] = value

    return change


def _strip_to_nothing(wb):
    for ws in wb.worksheets[1:]:
        wb.remove(ws)
    wb.active.delete_rows(1, 100)
    wb.active["A1"] = "Budget"
    wb.defined_names.clear()
    wb.custom_doc_props.props.clear()


def _stray_far_cell(wb):
    wb[L.ASSESSMENT]["XFD1048576"] = "oops"


def _macro_enabled(path: Path) -> Path:
    out = path.with_name("macros.xlsm")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.replace(
                    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
                )
            dst.writestr(info, data)
        dst.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 not really a VBA project")
    return out


def _blank_answers(filled, **kwargs):
    return filled(answers={}, **kwargs)


CODES = {
    # code: (build(filled, leeds, tmp_path) -> path, sheet, cell, item id, severity)
    "not-a-spreadsheet": (
        lambda f, p, t: _write(t / "data.xlsx", b"council,level\nLeeds,3\nYork,2\n"),
        None,
        None,
        None,
        "error",
    ),
    "corrupt-file": (
        lambda f, p, t: _write(t / "half.xlsx", p.read_bytes()[: p.stat().st_size // 2]),
        None,
        None,
        None,
        "error",
    ),
    "unsupported-format": (
        lambda f, p, t: _zip(t / "letter.xlsx", {"word/document.xml": b"<w:document/>"}),
        None,
        None,
        None,
        "error",
    ),
    "not-nps": (
        lambda f, p, t: edit(p, _strip_to_nothing, "other.xlsx"),
        None,
        None,
        None,
        "error",
    ),
    "unknown-model": (
        lambda f, p, t: edit(p, _set(L.METADATA, B2="nps-2030"), "model.xlsx"),
        L.METADATA,
        "B2",
        None,
        "error",
    ),
    "fingerprint-mismatch": (
        lambda f, p, t: edit(p, _set(L.METADATA, B4="0" * 64), "fingerprint.xlsx"),
        L.METADATA,
        "B4",
        None,
        "error",
    ),
    "council-missing": (
        lambda f, p, t: f(council=None, personalised=False),
        L.START,
        "C15",
        None,
        "error",
    ),
    "council-unknown": (
        lambda f, p, t: edit(
            f(council=None, personalised=False),
            _set(L.START, C15="Gotham City Council"),
            "gotham.xlsx",
        ),
        L.START,
        "C15",
        None,
        "error",
    ),
    "unknown-level": (
        lambda f, p, t: edit(p, _set(L.ASSESSMENT, I7="Very good"), "level.xlsx"),
        L.ASSESSMENT,
        "I7",
        "L2",
        "error",
    ),
    "incomplete": (  # a warning: the return counts for the items it answers
        lambda f, p, t: edit(p, _set(L.ASSESSMENT, J8=None), "incomplete.xlsx"),
        L.ASSESSMENT,
        "J8",
        "L3",
        "warning",
    ),
    "target-below-current": (
        lambda f, p, t: edit(p, _set(L.ASSESSMENT, I6="Innovator"), "below.xlsx"),
        L.ASSESSMENT,
        "J6",
        "L1",
        "warning",
    ),
    "duplicate-item": (
        lambda f, p, t: edit(p, _set(L.ASSESSMENT, A25="E4", I25="Mature"), "dup.xlsx"),
        L.ASSESSMENT,
        "A25",
        "E4",
        "error",
    ),
    "formula-in-input": (
        lambda f, p, t: edit(p, _set(L.ASSESSMENT, L9='="Actions"'), "fx.xlsx"),
        L.ASSESSMENT,
        "L9",
        "L4",
        "warning",
    ),
    "text-too-long": (
        lambda f, p, t: edit(p, _set(L.ASSESSMENT, L22="y" * 33_000), "long.xlsx"),
        L.ASSESSMENT,
        "L22",
        "E4",
        "warning",
    ),
    "file-too-large": (
        lambda f, p, t: edit(p, _stray_far_cell, "far.xlsx"),
        L.ASSESSMENT,
        "XFD1048576",
        None,
        "error",
    ),
    "macros-present": (
        lambda f, p, t: _macro_enabled(p),
        None,
        None,
        None,
        "warning",
    ),
    "level-not-from-list": (
        lambda f, p, t: edit(p, _set(L.ASSESSMENT, J11="developing"), "loose.xlsx"),
        L.ASSESSMENT,
        "J11",
        "C1",
        "warning",
    ),
    "sources-disagree": (
        lambda f, p, t: edit(p, swap_first_two_rows, "swap.xlsx"),
        L.ASSESSMENT,
        "I7",
        "L1",
        "warning",
    ),
    "sources-unsettled": (  # last round's levels beside this round's, no names to tell
        lambda f, p, t: _resaved(
            p, t / "lookalike.xlsx", E.lookalike_without_years, E.paste_values
        ),
        L.ASSESSMENT,
        "I4",
        None,
        "error",
    ),
    "metadata-missing": (
        lambda f, p, t: paste_into_new_workbook(p, t / "copy.xlsx"),
        "Sheet1",
        "A3",
        None,
        "warning",
    ),
}


def _resaved(src: Path, out: Path, *changes) -> Path:
    wb = openpyxl.load_workbook(src)
    for change in changes:
        wb = change(wb)
    wb.save(out)
    return out


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _zip(path: Path, parts: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


@pytest.mark.parametrize("code", list(CODES))
def test_each_problem_code_is_produced_and_located(code, filled, leeds, model, register, tmp_path):
    build, sheet, cell, item_id, severity = CODES[code]
    path = build(filled, leeds, tmp_path)
    result = read_return(path, model, register)
    problem = only(result, code)[0]
    assert problem.location.file == str(path)
    assert (problem.location.sheet, problem.location.cell, problem.location.item_id) == (
        sheet,
        cell,
        item_id,
    ), str(problem)
    assert problem.severity.value == severity
    assert problem.message and problem.hint
    assert result.accepted is (not any(p.is_error for p in result.problems))


def test_every_documented_problem_code_has_a_scenario():
    documented = {
        "not-a-spreadsheet",
        "corrupt-file",
        "encrypted",
        "unsupported-format",
        "not-nps",
        "unknown-model",
        "sources-unsettled",
        "fingerprint-mismatch",
        "council-missing",
        "council-unknown",
        "unknown-level",
        "incomplete",
        "target-below-current",
        "duplicate-item",
        "formula-in-input",
        "text-too-long",
        "file-too-large",
        "zip-bomb",
        "hostile-xml",
        "macros-present",
        "level-not-from-list",
        "sources-disagree",
        "metadata-missing",
    }
    # encrypted, zip-bomb and hostile-xml are built in tests/test_safety.py
    assert documented - set(CODES) == {"encrypted", "zip-bomb", "hostile-xml"}


def test_a_stray_far_cell_on_an_unread_sheet_does_not_matter(leeds, model):
    def far(wb):
        wb[L.GUIDANCE]["XFD1048576"] = "oops"

    result = read_return(edit(leeds, far, "far-guidance.xlsx"), model)
    assert result.status == Status.ACCEPTED


def test_a_macro_enabled_workbook_is_read_and_its_macros_never_run(leeds, model):
    result = read_return(_macro_enabled(leeds), model)
    assert result.format == "xlsm"
    assert codes(result) == ["macros-present"]
    assert result.answers == expected_answers(model)


def test_an_unexpected_reader_failure_is_a_problem_not_an_exception(leeds, model, monkeypatch):
    def broken(value, model):
        raise RuntimeError("bug")

    monkeypatch.setattr(npsxl.reading.reader, "parse_level", broken)
    result = read_return(leeds, model)
    assert codes(result) == ["reader-error"]
    assert "RuntimeError" in result.problems[0].message


def test_a_missing_file_is_unreadable(tmp_path, model):
    result = read_return(tmp_path / "nowhere.xlsx", model)
    assert codes(result) == ["unreadable"]


# --- xlsb (Excel binary), written record by record -----------------------------------------------
def _record(rtype: int, body: bytes = b"") -> bytes:
    head = bytes([rtype]) if rtype < 0x80 else bytes([(rtype & 0x7F) | 0x80, rtype >> 7])
    size, length = bytearray(), len(body)
    while True:
        size.append((length & 0x7F) | (0x80 if length > 0x7F else 0))
        length >>= 7
        if not length:
            break
    return head + bytes(size) + body


def _wide(text: str) -> bytes:
    return struct.pack("<I", len(text)) + text.encode("utf-16-le")


def _xlsb_sheet(cells: dict[tuple[int, int], object], formulas=()) -> bytes:
    rows = max((r for r, _ in cells), default=0)
    cols = max((c for _, c in cells), default=0)
    out = _record(0x81) + _record(0x94, struct.pack("<4I", 0, rows, 0, cols)) + _record(0x91)
    for row in sorted({r for r, _ in cells}):
        out += _record(0x00, struct.pack("<IIHBBBBI", row, 0, 300, 0, 0, 0, 0, 0))
        for (r, c), value in sorted(cells.items()):
            if r != row:
                continue
            head = struct.pack("<II", c, 0)
            if (r, c) in formulas:  # BrtFmlaString with a cached value and the formula 3
                out += _record(
                    0x08,
                    head
                    + _wide(str(value))
                    + b"\0\0"
                    + struct.pack("<I", 3)
                    + b"\x1e\x03\x00"
                    + struct.pack("<I", 0),
                )
            elif isinstance(value, str):
                out += _record(0x06, head + _wide(value))
            else:
                out += _record(0x05, head + struct.pack("<d", float(value)))
    return out + _record(0x92) + _record(0x82)


def xlsb_copy(src: Path, out: Path, formulas=(), extra=None) -> Path:
    """The workbook's values as an Excel binary workbook (no defined names, no styles)."""
    book = openpyxl.load_workbook(src, data_only=True)
    sheets = {}
    for ws in book.worksheets:
        cells = {}
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                if isinstance(value, dt.datetime):
                    value = (value - dt.datetime(1899, 12, 30)).days
                if value is not None:
                    cells[(cell.row - 1, cell.column - 1)] = value
        cells.update((extra or {}).get(ws.title, {}))
        sheets[ws.title] = cells
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    package = "http://schemas.openxmlformats.org/package/2006/relationships"
    names = list(sheets)
    workbook = _record(0x83) + _record(0x8F)
    for i, name in enumerate(names, start=1):
        workbook += _record(0x9C, struct.pack("<II", 0, i) + _wide(f"rId{i}") + _wide(name))
    workbook += _record(0x90) + _record(0x84)
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{rel}/worksheet" Target="worksheets/sheet{i}.bin"/>'
        for i in range(1, len(names) + 1)
    )
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        )
        archive.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{package}"><Relationship '
            f'Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.bin"/>'
            "</Relationships>",
        )
        archive.writestr("xl/workbook.bin", workbook)
        archive.writestr(
            "xl/_rels/workbook.bin.rels", f'<Relationships xmlns="{package}">{rels}</Relationships>'
        )
        for i, name in enumerate(names, start=1):
            archive.writestr(
                f"xl/worksheets/sheet{i}.bin",
                _xlsb_sheet(sheets[name], formulas if name == L.ASSESSMENT else ()),
            )
    return out


def test_an_xlsb_is_read(leeds, model, register, tmp_path):
    result = read_return(xlsb_copy(leeds, tmp_path / "binary.xlsb"), model, register)
    assert result.format == "xlsb"
    assert result.status == Status.ACCEPTED, [str(p) for p in result.problems]
    assert result.answers == expected_answers(model)
    assert result.council == register.match("Leeds")
    assert result.respondent.date_completed == dt.date(2026, 11, 2)


def test_an_xlsb_formula_in_an_input_cell_is_ignored(leeds, model, tmp_path):
    result = read_return(xlsb_copy(leeds, tmp_path / "fx.xlsb", formulas={(6, 9)}), model)
    warning = only(result, "formula-in-input")[0]
    assert (warning.location.cell, warning.location.item_id) == ("J7", "L2")
    assert result.answers["L2"].target is None


def test_an_xlsb_with_a_stray_far_cell_is_refused(leeds, model, tmp_path):
    far = {L.GUIDANCE: {(1_048_575, 16_383): "stray"}}
    result = read_return(xlsb_copy(leeds, tmp_path / "far.xlsb", extra=far), model)
    assert codes(result) == ["file-too-large"]
    assert (result.problems[0].location.sheet, result.problems[0].location.cell) == (
        L.GUIDANCE,
        "XFD1048576",
    )


# --- rounds and pre-filled workbooks ------------------------------------------------------------
def test_the_round_comes_from_the_workbook(filled, model):
    result = read_return(filled(round="2024"), model)
    assert result.round == "2024" and result.accepted


def test_without_a_round_in_the_workbook_it_is_the_year_completed(filled, model):
    respondent = Respondent("A. Officer", "Head", "a@example.org", dt.date(2025, 5, 1))
    path = edit(
        filled(respondent=respondent, round="2027"),
        google_sheets_and_no_metadata_sheet,
        "no-round.xlsx",
    )
    result = read_return(path, model)
    assert result.round == "2025"


def _previous(model):
    from npsxl.workbook.previous import Previous

    old = {
        item_id: Answer(item_id, answer.target, answer.target, f"Old evidence {item_id}", "Old")
        for item_id, answer in sample_answers(model, seed=2).items()
    }
    return Previous("2024", model.id, model.version, "old.xlsx", old, ("A note.",))


def test_a_prefilled_workbook_reads_its_new_answers_not_last_rounds(tmp_path, model, register):
    from npsxl.workbook.writer import build_workbook

    path = tmp_path / "prefilled.xlsx"
    build_workbook(
        model,
        path,
        register.match("Leeds"),
        answers=sample_answers(model),
        previous=_previous(model),
        round="2026",
    )
    result = read_return(path, model, register)
    assert result.status == Status.ACCEPTED, [str(p) for p in result.problems]
    assert result.answers == expected_answers(model)
    assert result.round == "2026"


def test_a_prefilled_table_pasted_without_its_header_is_read(tmp_path, model, register):
    from npsxl.workbook.writer import build_workbook

    path = tmp_path / "prefilled.xlsx"
    build_workbook(
        model,
        path,
        register.match("Leeds"),
        answers=sample_answers(model),
        previous=_previous(model),
        round="2026",
    )
    old = openpyxl.load_workbook(path, data_only=True)[L.ASSESSMENT]
    wb = openpyxl.Workbook()
    for r, row in enumerate(old.iter_rows(min_row=L.ASSESSMENT_FIRST_ROW + 1, values_only=True)):
        for c, value in enumerate(row):
            wb.active.cell(r + 2, c + 2).value = value
    pasted = tmp_path / "pasted.xlsx"
    wb.save(pasted)
    result = read_return(pasted, model)
    assert result.answers == expected_answers(model)


def test_headers_retyped_in_another_case_still_map_the_columns(leeds, model):
    def retype(wb):
        ws = wb[L.ASSESSMENT]
        ws.insert_cols(12)  # between evidence and actions
        ws["A4"], ws["I4"], ws["J4"] = " REF", "current  LEVEL", "TARGET level"

    result = read_return(edit(leeds, retype, "retyped.xlsx"), model)
    assert result.answers == expected_answers(model)
    assert "sources-disagree" in codes(result)  # the names still point at the old columns


def test_a_workbook_without_its_self_assessment_sheet_says_so_and_what_it_has(leeds, model):
    def delete(wb):
        del wb[L.ASSESSMENT]

    result = read_return(edit(leeds, delete, "no-sheet.xlsx"), model)
    assert result.status == Status.REJECTED
    (problem,) = only(result, "incomplete")
    assert problem.message.startswith(
        f"the '{L.ASSESSMENT}' sheet is missing (the workbook has '{L.START}', "
    )
    assert "no row has a reference id such as L1" in problem.message
    assert f"with its '{L.ASSESSMENT}' sheet" in problem.hint
