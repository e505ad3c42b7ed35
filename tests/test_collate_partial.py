"""Partial returns count (issue 13): an incomplete return is accepted with warnings and counts
for the items it answers; ``--require-complete`` rejects it; a blank return stays rejected.

Real workbooks made with ``build_workbook`` (the shipped model, 14 items), read by the real
reader. The answers are those of ``conftest.sample_answers`` (item i, seed s: current level
1 + (i + s) % 4, target one above); the levels expected below are written out by hand.
"""

from __future__ import annotations

import csv

import pytest
from click.testing import CliRunner
from conftest import codes, sample_answers

from npsxl.cli import cli
from npsxl.collation.run import collate
from npsxl.core.problems import Severity
from npsxl.model.answers import Answer
from npsxl.reading.reader import read_return


@pytest.fixture
def partial_set(filled, model, tmp_path):
    """Leeds complete; Bradford without C2; Hartlepool without L1's target level."""
    folder = tmp_path / "returns"
    folder.mkdir()
    bradford = sample_answers(model, seed=1)
    del bradford["C2"]
    hartlepool = sample_answers(model, seed=2)
    hartlepool["L1"] = Answer("L1", hartlepool["L1"].current, None)
    return {
        "Leeds": filled("Leeds", filename="returns/leeds.xlsx"),
        "Bradford": filled("Bradford", answers=bradford, filename="returns/bradford.xlsx"),
        "Hartlepool": filled("Hartlepool", answers=hartlepool, filename="returns/hpool.xlsx"),
    }


def incomplete(ret) -> list[tuple[str | None, Severity]]:
    return [(p.location.item_id, p.severity) for p in ret.problems if p.code == "incomplete"]


# --- the reader -------------------------------------------------------------------------------
def test_an_incomplete_return_is_accepted_with_warnings_by_default(partial_set, model, register):
    ret = read_return(partial_set["Bradford"], model, register)
    assert ret.status == "accepted with warnings"
    assert incomplete(ret) == [("C2", Severity.WARNING)]
    assert ret.complete_count == 13
    assert ret.answers["C1"].current == "Developing"  # item 4, seed 1: 1 + 5 % 4 = 2
    one_level = read_return(partial_set["Hartlepool"], model, register)
    assert one_level.status == "accepted with warnings"
    assert incomplete(one_level) == [("L1", Severity.WARNING)]
    assert (one_level.answers["L1"].current, one_level.answers["L1"].target) == ("Mature", None)


def test_require_complete_rejects_an_incomplete_return(partial_set, model, register):
    ret = read_return(partial_set["Bradford"], model, register, require_complete=True)
    assert ret.status == "rejected"
    assert incomplete(ret) == [("C2", Severity.ERROR)]
    leeds = read_return(partial_set["Leeds"], model, register, require_complete=True)
    assert leeds.status == "accepted"


@pytest.mark.parametrize("require_complete", [False, True])
def test_a_return_with_no_levels_at_all_stays_rejected(filled, model, register, require_complete):
    blank = read_return(
        filled("Camden", answers={}), model, register, require_complete=require_complete
    )
    assert blank.status == "rejected"
    assert codes(blank) == ["incomplete"] and blank.problems[0].is_error
    assert "no levels have been chosen" in blank.problems[0].message


# --- collating --------------------------------------------------------------------------------
def test_a_partial_return_counts_for_the_items_it_answers(partial_set, model, register):
    collation = collate(list(partial_set.values()), register, model=model, jobs=2)
    assert collation.log["counted"].tolist() == ["yes", "yes", "yes"]
    missing = dict(zip(collation.log["council_name"], collation.log["missing_items"], strict=True))
    assert missing == {
        "City of Bradford Metropolitan District Council": "C2",
        "Hartlepool Borough Council": "L1",
        "Leeds City Council": "",
    }
    national = collation.summary().set_index(["item_id", "measure", "level"])
    # C2 (item 5) current: Leeds 1 + 5 % 4 = 2 Developing, Hartlepool 1 + 7 % 4 = 4 Leader;
    # Bradford left it out, so the share is of 2 councils
    assert national.at[("C2", "current", "Developing"), "n"] == 2
    assert national.at[("C2", "current", "Developing"), "percent"] == 50.0
    assert national.at[("C2", "current", "Leader"), "percent"] == 50.0
    # L1 current: Leeds 1 Minimum, Bradford 2 Developing, Hartlepool 3 Mature: a third each,
    # rounded by largest remainder (the tie goes to the lower level) to add up to 100
    assert [
        national.at[("L1", "current", lv), "percent"] for lv in ("Minimum", "Developing", "Mature")
    ] == [
        33.4,
        33.3,
        33.3,
    ]
    # L1 target: Leeds 2 Developing, Bradford 3 Mature; Hartlepool gave none
    assert national.at[("L1", "target", "Developing"), "n"] == 2
    assert national.at[("L1", "target", "Mature"), "percent"] == 50.0
    stats = collation.item_stats().set_index("item_id")
    assert (stats.at["L1", "n"], stats.at["L1", "n_current"], stats.at["L1", "n_target"]) == (
        3,
        3,
        2,
    )
    assert stats.at["L1", "n_gap"] == 2  # the gap needs both levels
    assert (stats.at["C2", "n"], stats.at["C2", "n_current"]) == (2, 2)


def test_require_complete_is_threaded_through_collate(partial_set, model, register):
    collation = collate(list(partial_set.values()), register, model=model, require_complete=True)
    counted = dict(zip(collation.log["council_name"], collation.log["counted"], strict=True))
    assert counted == {
        "City of Bradford Metropolitan District Council": "rejected",
        "Hartlepool Borough Council": "rejected",
        "Leeds City Council": "yes",
    }


# --- the command line -------------------------------------------------------------------------
def test_validate_and_collate_take_require_complete(partial_set, tmp_path):
    runner = CliRunner()
    folder = str(partial_set["Leeds"].parent)
    result = runner.invoke(cli, ["validate", folder])
    assert result.exit_code == 0, result.output
    assert "bradford.xlsx: ACCEPTED WITH WARNINGS" in result.output
    assert "warning: [incomplete] (" in result.output
    strict = runner.invoke(cli, ["validate", folder, "--require-complete"])
    assert strict.exit_code == 1
    assert "bradford.xlsx: REJECTED" in strict.output
    out = tmp_path / "out"
    args = ["collate", folder, "--out", str(out / "s.xlsx"), "--data-dir", str(out)]
    assert runner.invoke(cli, args).exit_code == 0
    with open(out / "returns.csv", encoding="utf-8-sig", newline="") as handle:
        log = {row["council_name"]: row for row in csv.DictReader(handle)}
    assert log["Hartlepool Borough Council"]["missing_items"] == "L1"
    assert log["Hartlepool Borough Council"]["counted"] == "yes"
    result = runner.invoke(cli, [*args, "--require-complete"])
    assert result.exit_code == 1
    with open(out / "returns.csv", encoding="utf-8-sig", newline="") as handle:
        log = {row["council_name"]: row for row in csv.DictReader(handle)}
    assert log["Hartlepool Borough Council"]["counted"] == "rejected"
