"""Random sequences of the edits people make, applied to a filled return with known answers:
every answer the reader accepts is right, or carries a warning naming that item and field.

The edits (tests/edits.py) are those seen in returned workbooks: sorting, inserting or
deleting rows and columns with or without moving the defined names, renaming, reordering,
hiding or copying sheets, levels retyped in the accepted forms, a paste of values into a new
workbook, reference ids edited, another council typed over the details. A rejection is
allowed (the reader says why); a wrong answer without a warning about it is not.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import edits as E
import openpyxl
import pytest
from conftest import sample_answers
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from npsxl.model.answers import Respondent
from npsxl.reading.reader import read_return
from npsxl.workbook import layout as L
from npsxl.workbook.writer import build_workbook

FIELD_WORDS = {
    "current": "current",
    "target": "target",
    "evidence": "evidence",
    "actions": "actions",
    "target_date": "target date",
}
SHEETS = (L.START, L.ASSESSMENT, L.GUIDANCE, L.SUMMARY, L.LISTS, L.METADATA)


def _edit(label, function):
    function.label = label
    return function


booleans = st.booleans()
EDIT = st.one_of(
    st.builds(
        lambda key, rev: _edit(f"sort by {key}", lambda wb: E.sort_rows(wb, key, rev)),
        st.sampled_from(["current", "target", "ref", "name", "evidence"]),
        booleans,
    ),
    st.builds(
        lambda sheet, at, n, up: _edit(
            f"insert {n} rows at {at} on {sheet} (names moved: {up})",
            lambda wb: E.insert_rows(wb, sheet, at, n, up),
        ),
        st.sampled_from([L.START, L.ASSESSMENT]),
        st.integers(1, 26),
        st.integers(1, 2),
        booleans,
    ),
    st.builds(
        lambda sheet, at, up: _edit(
            f"delete row {at} on {sheet} (names moved: {up})",
            lambda wb: E.delete_rows(wb, sheet, at, 1, up),
        ),
        st.sampled_from([L.START, L.ASSESSMENT]),
        st.integers(1, 26),
        booleans,
    ),
    st.builds(
        lambda at, up: _edit(
            f"insert a column at {at} (names moved: {up})", lambda wb: E.insert_cols(wb, at, 1, up)
        ),
        st.integers(1, 15),
        booleans,
    ),
    st.builds(
        lambda at, up: _edit(
            f"delete column {at} (names moved: {up})", lambda wb: E.delete_cols(wb, at, 1, up)
        ),
        st.integers(1, 15),
        booleans,
    ),
    st.builds(
        lambda up, key: _edit(
            f"last round's {key} beside this round's (names moved: {up})",
            lambda wb: E.lookalike_level_column(wb, up, key),
        ),
        booleans,
        st.sampled_from(["current", "target"]),
    ),
    st.builds(
        lambda up: _edit(
            f"last round's current beside this round's, no years (names moved: {up})",
            lambda wb: E.lookalike_without_years(wb, up),
        ),
        booleans,
    ),
    st.builds(
        lambda sheet, new, up: _edit(
            f"rename {sheet} to {new} (names follow: {up})",
            lambda wb: E.rename_sheet(wb, sheet, new, up),
        ),
        st.sampled_from([L.START, L.ASSESSMENT, L.METADATA]),
        st.sampled_from(["Our answers", "Sheet1"]),
        booleans,
    ),
    st.just(_edit("reorder the sheets", E.reorder_sheets)),
    st.builds(
        lambda sheet: _edit(f"hide {sheet}", lambda wb: E.hide_sheet(wb, sheet)),
        st.sampled_from(SHEETS),
    ),
    st.builds(
        lambda sheet: _edit(f"copy {sheet}", lambda wb: E.copy_sheet(wb, sheet)),
        st.sampled_from([L.START, L.ASSESSMENT]),
    ),
    st.builds(
        lambda form: _edit(
            f"retype the levels (form {form})", lambda wb: E.retype_levels(wb, form)
        ),
        st.integers(0, 3),
    ),
    st.builds(
        lambda a, b: _edit(f"swap the ids of rows {a} and {b}", lambda wb: E.swap_ids(wb, a, b)),
        st.integers(0, 13),
        st.integers(0, 13),
    ),
    st.just(_edit("type another council over the details", E.change_council)),
    st.just(_edit("paste values into a new workbook", E.paste_values)),
    st.just(_edit("lose the defined names", E.clear_names)),
)


@pytest.fixture(scope="module")
def source(tmp_path_factory, model, register) -> Path:
    path = tmp_path_factory.mktemp("property") / "leeds.xlsx"
    respondent = Respondent("A. Officer", "Head", "a.officer@example.org", dt.date(2026, 11, 2))
    build_workbook(
        model, path, register.match("Leeds"), answers=sample_answers(model), respondent=respondent
    )
    return path


def _about(problem, item_id: str | None, key: str) -> bool:
    return problem.location.item_id == item_id and FIELD_WORDS[key] in problem.message.lower()


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(changes=st.lists(EDIT, min_size=1, max_size=4))
def test_every_accepted_answer_is_right_or_warned_about(changes, source, model, register):
    wb = openpyxl.load_workbook(source)
    for change in changes:
        wb = change(wb)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "edited.xlsx"
        wb.save(path)
        result = read_return(path, model, register)
    steps = [change.label for change in changes]
    text = [str(p) for p in result.problems]
    assert "reader-error" not in [p.code for p in result.problems], (steps, text)
    if not result.accepted:
        return
    expected = sample_answers(model)
    for item_id, answer in result.answers.items():
        for key in L.ITEM_FIELDS:
            got, want = getattr(answer, key), getattr(expected[item_id], key)
            if got == want:
                continue
            withheld = got in (None, "") and any(
                _about(p, item_id, key) or _about(p, None, key) for p in result.problems
            )
            warned = any(_about(p, item_id, key) for p in result.warnings)
            assert withheld or warned, (steps, item_id, key, got, want, text)
    labels = {change.label for change in changes}
    if {"type another council over the details", "paste values into a new workbook"} <= labels:
        return  # the metadata that said whom it was issued to is gone: the details are all
    if result.council != register.match("Leeds"):
        assert any(
            "council" in p.message.lower() or p.code == "metadata-missing" for p in result.problems
        ), (steps, result.council, text)
