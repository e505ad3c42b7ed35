"""When the sources in a returned workbook disagree, the reader decides field by field.

The headers say which column is which, the item name on a row says which item it is, and
the metadata says whom the workbook was issued to; where the evidence does not settle a
field, it is withheld with a located error naming both candidates. Each table below is one
kind of edit seen in real returns: first those that gave silent wrong answers, then those
that were rejected although the answers could be recovered. Each source is read as saved
by openpyxl (which leaves defined names where they were) and as re-saved by LibreOffice.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import edits as E
import openpyxl
import pytest
from conftest import sample_answers, soffice_convert

from npsxl.model.answers import Respondent
from npsxl.reading.reader import read_return
from npsxl.workbook import layout as L
from npsxl.workbook.writer import build_workbook

RESPONDENT = Respondent(
    "A. Officer", "Head of Procurement", "a.officer@example.org", dt.date(2026, 11, 2)
)
FIELD_WORDS = {
    "current": "current level",
    "target": "target level",
    "evidence": "evidence",
    "actions": "actions",
    "target_date": "target date",
}


def _source(model, register, folder: Path, name: str, change, answers=None) -> Path:
    path = folder / f"{name}.xlsx"
    build_workbook(
        model,
        path,
        register.match("Leeds"),
        answers=sample_answers(model) if answers is None else answers,
        respondent=RESPONDENT,
    )
    wb = change(openpyxl.load_workbook(path))
    wb.save(path)
    return path


def _delete_evidence_column(wb):
    return E.delete_cols(wb, E.COLUMN["evidence"], update_names=False)


def _row_above_respondent(wb):
    return E.insert_rows(wb, L.START, L.START_DETAILS_FIRST_ROW + 5, update_names=False)


def _row_above_council(wb):
    return E.insert_rows(wb, L.START, L.START_DETAILS_FIRST_ROW + 1, update_names=False)


def _ids_swapped_no_names(wb):
    return E.swap_ids(E.clear_names(wb), 0, 3)


def _lookalike_pasted(wb):
    return E.paste_values(E.lookalike_level_column(wb))


def _lookalike_without_years_pasted(wb):
    return E.paste_values(E.lookalike_without_years(wb))


def _blank_original_filled_copy(wb):
    E.copy_sheet(wb, L.ASSESSMENT)
    copy = wb.worksheets[-1]
    copy.title = "Our answers"
    original = wb[L.ASSESSMENT]
    for row in E.item_rows(original).values():
        for key in L.ITEM_FIELDS:
            original.cell(row, E.COLUMN[key]).value = None
    return wb


def _no_ref_column_no_names(wb):
    return E.delete_cols(E.clear_names(wb), E.COLUMN["ref"])


def _council_and_metadata_sheet_typed_over(wb):
    E.change_council(wb)
    wb[L.METADATA][L.meta_cell("council_code")] = "E08000036"
    return wb


def _headers_qualified(wb):
    ws = E.assessment(wb)
    for key, header in (
        ("current", "Current level (2026)"),
        ("target", "Target (2026)"),
        ("evidence", "Evidence - 2026"),
        ("target_date", "Target date (dd/mm/yyyy)"),
    ):
        ws.cell(E.HEADER_ROW, E.COLUMN[key]).value = header
    return wb


# name: (edit, what must hold of the result)
SILENT = {
    "look-alike level column, names moved": (
        lambda wb: E.lookalike_level_column(wb, update_names=True),
        "right",
    ),
    "look-alike level column, names left": (
        lambda wb: E.lookalike_level_column(wb, update_names=False),
        "right-or-withheld",
    ),
    "look-alike level column, pasted as values": (_lookalike_pasted, "right"),
    "look-alike level column without years, names moved": (E.lookalike_without_years, "right"),
    "look-alike level column without years, pasted as values": (
        _lookalike_without_years_pasted,
        "withheld:current",
    ),
    "look-alike level column, this year's deleted": (
        lambda wb: E.delete_cols(E.lookalike_level_column(wb), E.COLUMN["current"] + 1),
        "withheld:current",
    ),
    "evidence column deleted, names left": (_delete_evidence_column, "warned"),
    "row inserted above the respondent, names left": (_row_above_respondent, "right"),
    "ids swapped, no defined names": (_ids_swapped_no_names, "right-warned:L1,L4"),
    "another council typed over the details": (E.change_council, "issued-council"),
    "another council typed over the details and the metadata sheet": (
        _council_and_metadata_sheet_typed_over,
        "unsettled-council",
    ),
}
RECOVERED = {
    "row inserted above the council details, names left": (_row_above_council, "right"),
    "answers in a copy of the sheet, the original blank": (
        _blank_original_filled_copy,
        "right-warned",
    ),
    "ref column and names deleted, item names on the rows": (_no_ref_column_no_names, "right"),
    "headers qualified with the round, a column inserted, names cleared": (
        lambda wb: E.insert_cols(_headers_qualified(E.clear_names(wb)), 2, header="Notes"),
        "right",
    ),
}
CASES = {**SILENT, **RECOVERED}


@pytest.fixture(scope="module")
def sources(tmp_path_factory, model, register):
    folder = tmp_path_factory.mktemp("evidence")
    made = {
        name: _source(model, register, folder, f"case{i}", change)
        for i, (name, (change, _)) in enumerate(CASES.items())
    }
    converted = soffice_convert(list(made.values()), "xlsx:Calc MS Excel 2007 XML", folder / "lo")
    return {
        name: {"openpyxl": path, "libreoffice": converted[path.stem]} for name, path in made.items()
    }


def _warned(result, item_id: str | None, key: str) -> bool:
    word = FIELD_WORDS[key]
    return any(
        p.location.item_id in (item_id, None) and word in p.message.lower() for p in result.problems
    )


def check(result, expectation: str, model, register):
    expected = sample_answers(model)
    kind, _, detail = expectation.partition(":")
    text = [str(p) for p in result.problems]
    if kind == "withheld":
        assert not result.accepted, text
        errors = [p for p in result.errors if FIELD_WORDS[detail] in p.message.lower()]
        assert errors, text
        assert errors[0].location.sheet and errors[0].location.cell, str(errors[0])
    for item_id, answer in result.answers.items():
        want = expected[item_id]
        for key in L.ITEM_FIELDS:
            got = getattr(answer, key)
            if got == getattr(want, key):
                continue
            if kind == "withheld" and key == detail and got in (None, ""):
                continue
            assert (
                got in (None, "") and kind == "right-or-withheld" or _warned(result, item_id, key)
            ), f"{item_id} {key}: {got!r}, not {getattr(want, key)!r}, and no warning: {text}"
    if kind == "unsettled-council":
        assert not result.accepted, text
        error = next(p for p in result.errors if p.code == "sources-unsettled")
        assert "E08000035" in error.message and "E08000036" in error.message, str(error)
        assert (error.location.sheet, error.location.cell) == (
            L.METADATA,
            L.meta_cell("council_code"),
        ), str(error)
    if kind == "warned":
        assert result.accepted, text
    if kind in ("right", "right-warned", "issued-council"):
        assert result.accepted, text
        assert result.answers == expected, text
    if kind == "right":
        assert result.respondent == RESPONDENT, text
        assert result.council == register.match("Leeds"), text
    if kind == "right-warned":
        assert result.warnings, text
        for item_id in filter(None, detail.split(",")):
            assert any(p.location.item_id == item_id for p in result.warnings), text
    if kind == "issued-council":
        assert result.council == register.match("Leeds"), text
        warning = next(p for p in result.warnings if "Wakefield" in p.message)
        assert "Leeds" in warning.message and warning.location.cell, str(warning)


@pytest.mark.parametrize("saved_by", ["openpyxl", "libreoffice"])
@pytest.mark.parametrize("case", list(CASES))
def test_disagreeing_sources_give_right_answers_or_located_problems(
    case, saved_by, sources, model, register
):
    result = read_return(sources[case][saved_by], model, register)
    check(result, CASES[case][1], model, register)


@pytest.mark.parametrize("ref_header", ["Ref", "ID"])
def test_a_councils_own_template_with_short_headers_is_read(ref_header, model, register, tmp_path):
    """Not the generated workbook at all: a council's own sheet with the ids and short
    headers, and its details beside their labels."""
    answers = sample_answers(model)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "NPS return"
    ws.append([ref_header, "Current", "Target", "Evidence", "Actions", "Target date"])
    for item in model.items:
        a = answers[item.id]
        ws.append([item.id, a.current, a.target, a.evidence, a.actions, a.target_date])
    details = wb.create_sheet("About us")
    for label, value in (
        ("Council", "Leeds City Council"),
        ("Council code", "E08000035"),
        ("Your name", RESPONDENT.name),
        ("Your role", RESPONDENT.role),
        ("Email", RESPONDENT.email),
        ("Date completed", RESPONDENT.date_completed),
    ):
        details.append([label, value])
    path = tmp_path / "own-template.xlsx"
    wb.save(path)
    result = read_return(path, model, register)
    assert result.accepted, [str(p) for p in result.problems]
    assert [p.code for p in result.problems] == ["metadata-missing"]
    assert result.answers == answers
    assert result.council == register.match("Leeds")
    assert result.respondent == RESPONDENT


@pytest.mark.parametrize("saved_by", ["openpyxl", "libreoffice"])
def test_a_detail_whose_name_was_left_behind_is_read_beside_its_label(saved_by, sources, model):
    result = read_return(sources["row inserted above the respondent, names left"][saved_by], model)
    moved = [p for p in result.warnings if "NPS_RESPONDENT_NAME" in p.message]
    assert moved and "'Your name'" in moved[0].message, [str(p) for p in result.problems]
    first = L.START_DETAILS_FIRST_ROW + 4  # 'Your name', one row further down than generated
    assert (moved[0].location.sheet, moved[0].location.cell) == (L.START, L.a1(first + 1, 2))
    assert result.respondent == RESPONDENT


def test_two_sheets_with_different_answers_are_not_settled(model, register, tmp_path):
    def copy_and_change(wb):
        E.copy_sheet(wb, L.ASSESSMENT)
        copy = wb.worksheets[-1]
        copy.title = "Our answers"
        row = E.item_rows(copy)[model.items[2].name]
        copy.cell(row, E.COLUMN["current"]).value = "Innovator"
        return wb

    result = read_return(_source(model, register, tmp_path, "two", copy_and_change), model)
    error = next(p for p in result.errors if p.code == "sources-unsettled")
    assert "'Self-assessment'" in error.message and "'Our answers'" in error.message
    assert (error.location.sheet, error.location.item_id) == ("Our answers", model.items[2].id)
    assert (
        error.location.cell
        == f"I{E.item_rows(openpyxl.load_workbook(result.path)[L.ASSESSMENT])[model.items[2].name]}"
    )
    assert not result.accepted


def test_a_score_or_gap_column_is_not_taken_for_the_level_it_is_named_after():
    """The Summary sheet's 'Current score' beside 'Current level' must not make the reader
    doubt which column holds the level (as when the Self-assessment's names are gone)."""
    from npsxl.model.defaults import packaged_model
    from npsxl.reading.facts import facts_of
    from npsxl.reading.table import header_key

    headers = facts_of(packaged_model()).headers
    assert header_key("current level (2026)", headers) == "current"
    assert header_key("current", headers) == "current"
    for other in ("current score", "target score", "current - mean", "target gap"):
        assert header_key(other, headers) is None, other
