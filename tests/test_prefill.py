"""Pre-filling a council's new workbook from its previous return (npsxl.collation.prefill): answers
mapped through the lineage, last round's levels beside empty dropdowns, evidence and
actions carried over, notes on Start here, the round, and the reader ignoring it all."""

from __future__ import annotations

import datetime as dt
import os
import zipfile
from pathlib import Path

import openpyxl
import pytest
from conftest import LEVELS, ROOT, sample_answers

from npsxl.collation.prefill import (
    Previous,
    _map_answers,
    latest_by_council,
    load_previous,
    previous_from_return,
)
from npsxl.core.errors import NpsxlError
from npsxl.core.problems import Problem
from npsxl.model.answers import Answer, Respondent
from npsxl.model.archive import ModelArchive
from npsxl.model.lineage import Mapping
from npsxl.model.loading import load_model
from npsxl.model.rounds import assessment_round
from npsxl.reading.reader import read_return
from npsxl.reading.returns import Return
from npsxl.workbook import layout as L
from npsxl.workbook.council_workbooks import CouncilWorkbooks
from npsxl.workbook.generation import generate, read_manifest
from npsxl.workbook.writer import build_workbook

GENERATED_AT = "2026-11-02T09:30:00+00:00"
OLD_RESPONDENT = Respondent(
    "A. Officer", "Head of Procurement", "a.officer@example.org", dt.date(2024, 11, 4)
)
NEW_IDS_FROM_C2 = ("C2A", "C2B")


@pytest.fixture(scope="module")
def m11():
    return load_model(ROOT / "samples" / "model-1.1-example.yaml")


@pytest.fixture(scope="module")
def archive(model, m11):
    return ModelArchive((model, m11))


@pytest.fixture(scope="module")
def leeds(register):
    return register.match("Leeds")


@pytest.fixture(scope="module")
def old_return(model, m11, register, leeds, tmp_path_factory):
    """A complete 1.0.1 return from Leeds in round 2024, as the reader reads it."""
    path = tmp_path_factory.mktemp("old") / "leeds-2024.xlsx"
    build_workbook(
        model,
        path,
        leeds,
        answers=sample_answers(model),
        respondent=OLD_RESPONDENT,
        generated_at=GENERATED_AT,
        round="2024",
    )
    ret = read_return(path, models=[model, m11], register=register)
    assert ret.accepted, [str(p) for p in ret.problems]
    return ret


@pytest.fixture(scope="module")
def previous(old_return, m11, archive):
    return previous_from_return(old_return, m11, archive)


@pytest.fixture(scope="module")
def prefilled(m11, leeds, previous, tmp_path_factory):
    path = tmp_path_factory.mktemp("new") / "leeds-2026.xlsx"
    build_workbook(m11, path, leeds, previous=previous, generated_at=GENERATED_AT, round="2026")
    return path


@pytest.fixture(scope="module")
def book(prefilled):
    return openpyxl.load_workbook(prefilled)


def cell_of(wb, name):
    ((sheet, ref),) = list(wb.defined_names[name].destinations)
    return wb[sheet][ref.replace("$", "")]


def header_columns(ws) -> dict[str, int]:
    """Header text -> 1-based column of the Self-assessment table."""
    row = L.ASSESSMENT_HEADER_ROW + 1
    return {c.value: c.column for c in ws[row] if c.value}


def item_rows(ws) -> dict[str, int]:
    first = L.ASSESSMENT_FIRST_ROW + 1
    return {
        ws.cell(r, 1).value: r
        for r in range(first, ws.max_row + 1)
        if ws.cell(r, 1).value and ws.cell(r, 3).value
    }


def sheet_text(ws) -> str:
    return "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)


# --- mapping the previous answers --------------------------------------------------------------
def test_previous_answers_are_mapped_onto_the_new_items(previous, old_return, model, m11):
    old = old_return.answers
    assert previous.model_id == model.id and previous.model_version == model.version
    assert previous.round == "2024" and previous.source_file == old_return.path
    assert set(previous.answers) == {i.id for i in m11.items} - {"E5"}
    for new_id in NEW_IDS_FROM_C2:  # the split item's answer goes to both parts
        got = previous.answers[new_id]
        assert (got.current, got.target) == (old["C2"].current, old["C2"].target)
        assert (got.evidence, got.actions) == ("Evidence for C2", "Actions for C2")
    for item_id in ("L1", "L2", "E4"):
        got = previous.answers[item_id]
        assert got == Answer(
            item_id,
            old[item_id].current,
            old[item_id].target,
            f"Evidence for {item_id}",
            f"Actions for {item_id}",
        )
    assert all(a.target_date is None for a in previous.answers.values())


def test_notes_say_what_is_new_split_and_reworded(previous):
    notes = previous.notes
    assert len(notes) == 3, notes
    (l1,) = [n for n in notes if n.startswith("L1 ")]
    assert "level descriptions changed" in l1 and "check your levels" in l1
    (split,) = [n for n in notes if "C2 " in n]
    assert "C2A Managing contracts" in split and "C2B Managing supplier relationships" in split
    assert "both" in split
    (new,) = [n for n in notes if n.startswith("E5 ")]
    assert "new in this version" in new and "no previous answer" in new


def test_same_version_prefill_carries_everything_without_notes(old_return, model, archive):
    same = previous_from_return(old_return, model, archive)
    assert same.notes == () and same.model_version == model.version
    for item in model.items:
        before = old_return.answers[item.id]
        got = same.answers[item.id]
        assert (got.current, got.target, got.evidence, got.actions) == (
            before.current,
            before.target,
            before.evidence,
            before.actions,
        )
    assert previous_from_return(old_return, model).answers == same.answers  # no archive needed


def test_merged_and_removed_items_are_not_carried_over_and_say_so(model):
    answers = sample_answers(model)
    mapping = {i.id: Mapping(i.id, (i.id,), "unchanged", True) for i in model.items}
    mapping["C1"] = Mapping("C1", ("C3",), "merged", False)
    mapping["C3"] = Mapping("C3", ("C3",), "merged", False)
    mapping["B3"] = Mapping("B3", (), "removed", False)
    carried, notes = _map_answers(answers, model, model, mapping)
    assert "C3" not in carried and "B3" not in carried and "L1" in carried
    c1 = next(n for n in notes if n.startswith("C1 ") and "merged" in n)
    assert "C1 Creating commercial opportunities (version 1.0.1) was merged into C3 " in c1
    assert f"({answers['C1'].current}, target {answers['C1'].target}) is not carried over" in c1
    b3 = next(n for n in notes if n.startswith("B3 ") and "new" not in n)
    assert "was removed" in b3 and "is not carried over" in b3
    # C1 itself is still in this (same) model but nothing maps to it any more
    assert any(n.startswith("C1 ") and "is new in this version" in n for n in notes)


def test_returns_that_cannot_be_carried_over_are_refused(model, m11, archive, old_return):
    rejected = Return(
        path="bad.xlsx",
        model_id=model.id,
        model_version=model.version,
        problems=[Problem("incomplete", "L1 has no current level")],
    )
    with pytest.raises(NpsxlError, match="rejected"):
        previous_from_return(rejected, m11, archive)
    newer = Return(path="new.xlsx", model_id=m11.id, model_version=m11.version)
    with pytest.raises(NpsxlError, match="does not replace it"):
        previous_from_return(newer, model, archive)
    unknown = Return(path="old.xlsx", model_id=model.id, model_version="0.9.0")
    with pytest.raises(NpsxlError, match="not in the model archive"):
        previous_from_return(unknown, m11, archive)
    other = Return(path="other.xlsx", model_id="other-model", model_version="1.0.0")
    with pytest.raises(NpsxlError, match="other-model"):
        previous_from_return(other, m11, archive)
    with pytest.raises(NpsxlError, match="not in the model archive"):
        previous_from_return(old_return, m11)  # an archive without 1.0.0


# --- the pre-filled workbook ---------------------------------------------------------------------
def test_previous_levels_are_shown_beside_empty_dropdowns(book, previous, m11):
    ws = book[L.ASSESSMENT]
    cols = header_columns(ws)
    current, target = cols[L.CURRENT_HEADER], cols[L.TARGET_HEADER]
    assert (cols[L.PREVIOUS_CURRENT_HEADER], cols[L.PREVIOUS_TARGET_HEADER]) == (
        target + 1,
        target + 2,
    )
    expected = [c.header for c in L.assessment_columns(m11.level_names, previous=True)]
    assert list(cols) == expected
    rows = item_rows(ws)
    assert set(rows) == {i.id for i in m11.items}
    for item in m11.items:
        r = rows[item.id]
        shown = (ws.cell(r, current + 2).value, ws.cell(r, current + 3).value)
        before = previous.answers.get(item.id)
        assert shown == ((before.current, before.target) if before else (None, None)), item.id
        for key in L.LEVEL_FIELDS:  # the dropdowns: empty, for the council to choose again
            assert cell_of(book, L.item_input_name(item.id, key)).value is None
        assert ws.cell(r, current).value is None and ws.cell(r, target).value is None
        for key in ("current", "target"):
            info = ws.cell(r, cols[getattr(L, f"PREVIOUS_{key.upper()}_HEADER")])
            assert info.protection.locked and info.font.i, item.id
    c2a, c2b = (previous.answers[i] for i in NEW_IDS_FROM_C2)
    assert ws.cell(rows["C2A"], current + 2).value == c2a.current == c2b.current
    assert ws.cell(rows["C2B"], current + 3).value == c2b.target
    legend = [c.value for c in ws[L.ASSESSMENT_HELP_ROW + 2] if c.value]
    assert "Last round (2024)" in legend


def test_evidence_and_actions_are_carried_over_into_the_inputs(book, m11):
    for item in m11.items:
        evidence = cell_of(book, L.item_input_name(item.id, "evidence"))
        actions = cell_of(book, L.item_input_name(item.id, "actions"))
        assert not evidence.protection.locked and not actions.protection.locked
        if item.id == "E5":
            assert evidence.value is None and actions.value is None
            continue
        source = "C2" if item.id in NEW_IDS_FROM_C2 else item.id
        assert (evidence.value, actions.value) == (
            f"Evidence for {source}",
            f"Actions for {source}",
        )
        assert cell_of(book, L.item_input_name(item.id, "target_date")).value is None


def test_start_here_lists_the_notes_and_the_round(book, previous):
    text = sheet_text(book[L.START])
    assert "Assessment round: 2026" in text
    assert "Carried over from your 2024 return" in text
    assert "shown in grey beside the dropdowns" in text
    assert "copied into their cells for you to update" in text
    assert "nps-2018 version 1.0.1" in text
    for note in previous.notes:
        assert f"\u2022 {note}" in text
    ws = book[L.START]
    for row in ws.iter_rows():
        for c in row:
            if isinstance(c.value, str) and c.value.startswith("\u2022 "):
                assert ws.row_dimensions[c.row].height >= 15 and c.alignment.wrap_text


def test_round_is_written_three_ways(book):
    cell = cell_of(book, L.meta_defined_name("round"))
    assert cell.parent.title == L.METADATA and cell.coordinate == L.meta_cell("round")
    assert cell.value == "2026" and cell.parent.cell(cell.row, 1).value == "round"
    properties = {p.name: p.value for p in book.custom_doc_props.props}
    assert properties[L.meta_property_name("round")] == "2026"
    assert L.meta_defined_name("round") == "NPS_META_ROUND"


# --- the reader reads the new answers ------------------------------------------------------------
def test_reader_reads_the_new_levels_not_the_carried_over_ones(
    prefilled, model, m11, register, previous, tmp_path
):
    wb = openpyxl.load_workbook(prefilled)
    chosen = {}
    for i, item in enumerate(m11.items):
        before = previous.answers.get(item.id)
        # choose levels that differ from last round's wherever possible
        current = LEVELS[(i + 2) % 4]
        if before and before.current == current:
            current = LEVELS[(i + 3) % 4]
        chosen[item.id] = (current, LEVELS[4])
        cell_of(wb, L.item_input_name(item.id, "current")).value = current
        cell_of(wb, L.item_input_name(item.id, "target")).value = LEVELS[4]
    cell_of(wb, "NPS_RESPONDENT_NAME").value = "B. Officer"
    cell_of(wb, "NPS_DATE_COMPLETED").value = dt.datetime(2026, 11, 20)
    path = tmp_path / "filled.xlsx"
    wb.save(path)
    ret = read_return(path, models=[model, m11], register=register)
    assert ret.accepted, [str(p) for p in ret.problems]
    assert (ret.model_version, ret.council.code) == (m11.version, register.match("Leeds").code)
    assert {k: (a.current, a.target) for k, a in ret.answers.items()} == chosen
    assert ret.answers["C2B"].evidence == "Evidence for C2"
    assert ret.answers["E5"].evidence == ""


def test_reader_finds_an_unfilled_prefilled_workbook_incomplete(prefilled, model, m11, register):
    ret = read_return(prefilled, models=[model, m11], register=register)
    assert not ret.accepted
    assert any(p.code == "incomplete" for p in ret.errors)
    assert all(a.current is None and a.target is None for a in ret.answers.values())


# --- choosing returns --------------------------------------------------------------------------
def _ret(path, council, round_="", completed=None, problems=()):
    return Return(
        path=str(path),
        council=council,
        round=round_,
        model_id="nps-2018",
        model_version="1.0.0",
        respondent=Respondent(date_completed=completed),
        problems=list(problems),
    )


def test_latest_by_council_prefers_round_then_date_then_newest_file(register, tmp_path):
    leeds, york = register.match("Leeds"), register.match("York")
    files = [tmp_path / f"{i}.xlsx" for i in range(4)]
    for i, f in enumerate(files):
        f.write_bytes(b"x")
        os.utime(f, (1_700_000_000 + i, 1_700_000_000 + i))
    bad = Problem("incomplete", "blank")
    returns = [
        _ret(files[0], leeds, "2024", dt.date(2024, 12, 1)),
        _ret(files[1], leeds, "2022", dt.date(2025, 1, 1)),  # completed later, earlier round
        _ret(files[2], leeds, "2026", None, [bad]),  # rejected: not used
        _ret(files[3], None, "2026"),  # no council: not used
        _ret(files[0], york, "", dt.date(2023, 5, 1)),
        _ret(files[1], york, "", dt.date(2023, 5, 1)),  # same date: the newer file wins
    ]
    latest = latest_by_council(returns)
    assert latest == {leeds.code: returns[0], york.code: returns[5]}
    assert (
        latest_by_council([_ret(files[0], leeds, "2026-10"), _ret(files[1], leeds, "2026-9")])[
            leeds.code
        ].round
        == "2026-10"
    )


def test_load_previous_reads_a_folder_and_says_what_it_skipped(
    model, m11, archive, register, leeds, old_return, tmp_path
):
    folder = tmp_path / "returns"
    folder.mkdir()
    (folder / "leeds-2024.xlsx").write_bytes(Path(old_return.path).read_bytes())
    york = register.match("York")
    earlier = Respondent(date_completed=dt.date(2022, 6, 1))
    build_workbook(
        model,
        folder / "leeds-2022.xlsx",
        leeds,
        answers=sample_answers(model, 1),
        respondent=earlier,
        round="2022",
    )
    build_workbook(
        model,
        folder / "york.xlsx",
        york,
        answers=sample_answers(model, 2),
        respondent=OLD_RESPONDENT,
        round="2024",
    )
    (folder / "notes.txt").write_text("not a workbook", encoding="utf-8")
    found = load_previous(folder, m11, archive, register)
    assert found.read == 4
    assert set(found.previous) == {leeds.code, york.code}
    assert found.previous[leeds.code].source_file.endswith("leeds-2024.xlsx")
    assert found.previous[leeds.code].round == "2024"
    skipped = "\n".join(found.skipped)
    assert "notes.txt" in skipped and "leeds-2022.xlsx" in skipped and len(found.skipped) == 2
    onto_older = load_previous(folder / "york.xlsx", model, None, register)
    assert set(onto_older.previous) == {york.code} and not onto_older.skipped
    with pytest.raises(NpsxlError, match="no such file"):
        load_previous(tmp_path / "missing", m11, archive, register)


# --- batches and the round ----------------------------------------------------------------------
@pytest.mark.parametrize("jobs", [1, 2])
def test_generate_prefills_the_councils_with_a_previous_return(
    m11, register, leeds, previous, tmp_path, jobs
):
    york = register.match("York")
    result = generate(
        m11, tmp_path, [leeds, york], previous={leeds.code: previous}, round="2026", jobs=jobs
    )
    by_code = {b.council.code: b for b in result.workbooks}
    assert by_code[leeds.code].prefilled_from == previous.source_file
    assert by_code[york.code].prefilled_from == ""
    for code, prefilled in ((leeds.code, True), (york.code, False)):
        wb = openpyxl.load_workbook(by_code[code].path)
        headers = header_columns(wb[L.ASSESSMENT])
        assert (L.PREVIOUS_CURRENT_HEADER in headers) is prefilled
        assert cell_of(wb, L.meta_defined_name("round")).value == "2026"
        assert ("Carried over from your" in sheet_text(wb[L.START])) is prefilled
    rows = {r["council_code"]: r for r in read_manifest(result.manifest)}
    assert rows[leeds.code]["prefilled_from"] == previous.source_file
    assert rows[york.code]["round"] == "2026" and rows[york.code]["prefilled_from"] == ""


def test_fast_batch_path_writes_the_round(model, leeds, tmp_path):
    fast, built = tmp_path / "fast.xlsx", tmp_path / "built.xlsx"
    result = CouncilWorkbooks(model, GENERATED_AT, "2025-26").build(leeds, fast)
    build_workbook(model, built, leeds, generated_at=GENERATED_AT, round="2025-26")
    assert result.round == "2025-26"

    def parts(path):
        with zipfile.ZipFile(path) as archive:
            return {n: archive.read(n) for n in archive.namelist() if n != "docProps/core.xml"}

    assert parts(fast) == parts(built)
    wb = openpyxl.load_workbook(fast)
    assert cell_of(wb, L.meta_defined_name("round")).value == "2025-26"
    assert "Assessment round: 2025-26" in sheet_text(wb[L.START])
    assert CouncilWorkbooks(model).round == str(dt.date.today().year)


def test_assessment_round_defaults_to_this_year_and_refuses_bad_labels():
    assert assessment_round("") == assessment_round(None) == str(dt.date.today().year)
    assert assessment_round(" 2026 ") == "2026" and assessment_round(2027) == "2027"
    for bad in ("2026\n2027", "x" * 41):
        with pytest.raises(NpsxlError, match="assessment round"):
            assessment_round(bad)


def test_previous_columns_have_headers_the_reader_cannot_mistake(model):
    plain = L.assessment_columns(model.level_names)
    shown = L.assessment_columns(model.level_names, previous=True)
    assert [c.key for c in shown if c.key not in L.PREVIOUS_FIELDS] == [c.key for c in plain]
    normed = [" ".join(c.header.split()).lower() for c in shown]
    assert len(set(normed)) == len(normed)
    assert L.column_index(model.level_names, "previous_current", previous=True) == (
        L.column_index(model.level_names, "target") + 1
    )
    assert not any(c.is_input for c in shown if c.key in L.PREVIOUS_FIELDS)


def test_a_previous_without_a_round_still_reads_well(model, leeds, tmp_path):
    bare = Previous(
        "", model.id, model.version, "x.xlsx", {"L1": Answer("L1", "Mature", "Leader", "E", "A")}
    )
    path = tmp_path / "bare.xlsx"
    build_workbook(model, path, leeds, previous=bare, round="2026")
    text = sheet_text(openpyxl.load_workbook(path)[L.START])
    assert "Carried over from your previous return" in text and "so some items" not in text
