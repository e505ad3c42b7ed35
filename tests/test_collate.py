"""Tests for collating returns (npsxl.collation) and the summary workbook (npsxl.report).

The fixture is small enough to check by hand: a seven-council register in four regions with
an extra 'hub' column, and returns written as tiny JSON files that a module-level fake reader
turns into :class:`Return` objects (so ``jobs=2`` can pickle it). Expected figures are
computed here with plain Python from ``TRUTH``, the answers that should count, written out by
hand, never from the code under test.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import json
import os
import statistics
import zipfile
from fractions import Fraction
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from npsxl.collation.columns import ANSWERS_COLUMNS, NOT_COUNTED, RETURNS_COLUMNS, SUMMARY_COLUMNS
from npsxl.collation.run import collate
from npsxl.core.errors import NpsxlError, OutputError
from npsxl.core.problems import Location, Problem, Severity
from npsxl.model.answers import Answer, Respondent
from npsxl.model.loading import model_from_text
from npsxl.model.register_csv import load_register
from npsxl.reading.batch import find_inputs
from npsxl.reading.returns import Return, Status
from npsxl.report.csv_data import write_csv, write_data
from npsxl.report.sheet_rows import cell_text
from npsxl.report.summary_base import sheet_name
from npsxl.report.summary_workbook import write_summary_workbook

LEVELS = ("Minimum", "Developing", "Mature", "Leader", "Innovator")
ITEMS = ("A1", "A2", "B1", "E1")
MEASURES = ("current", "target")


def _levels(prefix: str) -> str:
    return "\n".join(f"          {lv}: {prefix} at level {lv}." for lv in LEVELS)


def _area(item_id: str, name: str) -> str:
    return (
        f"      - id: {item_id}\n        name: {name}\n        description: What {name} covers.\n"
        "        what_it_is: What it is.\n        why_it_is_important: Why it matters.\n"
        f"        levels:\n{_levels(name)}"
    )


MODEL_YAML = (
    """id: test-model
version: "2.1.0"
title: A test strategy for collation
short_name: TEST 2018
publisher: Test Association
published: "2018-06"
source_url: https://example.org/strategy
purpose: A purpose.
brand:
  organisation: Test & Example Association
  strategy_short_name: TEST 2018
  font: Arial
  colours:
    header: {background: "#1F3864", text: "#FFFFFF"}
    theme: {background: "#D9E2F3", text: "#1F3864"}
    input: {background: "#FFF2CC", text: "#000000"}
    chosen: {background: "#C6EFCE", text: "#00501E"}
    target: {background: "#DDEBF7", text: "#1F3864"}
    warning: {background: "#FFC7CE", text: "#8A0005"}
    muted: {background: "#FFFFFF", text: "#595959"}
levels:
"""
    + "\n".join(f"  - {{name: {lv}, score: {i}}}" for i, lv in enumerate(LEVELS, 1))
    + f"""
themes:
  - id: LEAD
    name: Showing leadership
    key_areas:
{_area("A1", "Engaging councillors")}
{_area("A2", "Engaging senior managers and partners across the whole region")}
  - id: COMM
    name: Behaving commercially
    key_areas:
{_area("B1", "Managing contracts")}
enablers_description: The enablers.
enablers:
  - id: E1
    name: Developing talent
    levels:
{_levels("Talent")}
"""
)
MODEL = model_from_text(MODEL_YAML)
NAMES = {
    "A1": "Engaging councillors",
    "B1": "Managing contracts",
    "E1": "Developing talent",
    "A2": "Engaging senior managers and partners across the whole region",
}
THEMES = {
    "A1": "Showing leadership",
    "A2": "Showing leadership",
    "B1": "Behaving commercially",
    "E1": "Enablers",
}

REGISTER_CSV = """code,register_code,name,short_name,region,council_type,hub
E06000001,AAA,Alpha Council,Alpha,North East,unitary,North hub
E06000002,BBB,Beta Council,Beta,North East,unitary,North hub
E08000003,CCC,Gamma City Council,Gamma,North West,metropolitan district,North hub
E07000004,DDD,Delta District Council,Delta,North West,district,West hub
E07000005,EEE,Epsilon District Council,Epsilon,South West,district,West hub
E06000006,FFF,Zeta Council,Zeta,South West,unitary,West hub
E09000007,GGG,London Borough of Eta,Eta,London,London borough,
"""
# code -> (region, council type, hub), as in REGISTER_CSV
COUNCILS = {
    "E06000001": ("North East", "unitary", "North hub"),
    "E06000002": ("North East", "unitary", "North hub"),
    "E08000003": ("North West", "metropolitan district", "North hub"),
    "E07000004": ("North West", "district", "West hub"),
    "E07000005": ("South West", "district", "West hub"),
    "E06000006": ("South West", "unitary", "West hub"),
    "E09000007": ("London", "London borough", "Not given"),
}
INJECTIONS = ['=HYPERLINK("http://x","y")', "+1", "@SUM(A1)", "-2"]
ALPHA = {"A1": (2, 3), "A2": (3, 3), "B1": (1, 2), "E1": (4, 5)}
BETA = {"A2": (2, 4), "B1": (3, 3), "E1": (1, 3)}  # A1 left blank
GAMMA_NEW = {"A1": (3, 5), "A2": (1, 2), "B1": (2, 2), "E1": (5, 5)}
DELTA_NEW = {"A1": (4, 4), "A2": (2, 3), "B1": (5, 4), "E1": (2, 3)}  # B1: target below
ZETA = {"A1": (2, 2), "A2": (4, 5), "B1": (3, None), "E1": (3, 4)}  # B1: no target
LONG_EVIDENCE = "Our contract register shows every contract over 5,000 pounds. " * 8 + "\nEnd."
ALL_FIVES = {i: (5, 5) for i in ITEMS}
ALL_ONES = {i: (1, 1) for i in ITEMS}

# The answers that must count, by council code: written out by hand, not derived.
TRUTH = {
    "E06000001": ALPHA,
    "E06000002": BETA,
    "E08000003": GAMMA_NEW,
    "E07000004": DELTA_NEW,
    "E06000006": ZETA,
}
ERROR = ("bad-thing", "something is badly wrong", "error")
WARNING = ("odd-thing", "something looks odd", "warning")

# file name -> spec; input order is the sorted file names
FILES = {
    "alpha.json": {
        "code": "E06000001",
        "date": "2026-02-01",
        "answers": ALPHA,
        "evidence": INJECTIONS,
    },
    "beta.json": {
        "code": "E06000002",
        "date": "2026-02-02",
        "answers": BETA,
        "problems": [WARNING],
        "actions": ["", "=1+1", "\tTabbed", ""],
    },
    "delta-1.json": {"code": "E07000004", "answers": DELTA_NEW},  # newer mtime wins
    "delta-2.json": {"code": "E07000004", "answers": ALL_FIVES},
    "epsilon.json": {
        "code": "E07000005",
        "date": "2026-03-01",
        "answers": ALL_FIVES,
        "problems": [ERROR, WARNING],
    },
    "gamma-a-new.json": {"code": "E08000003", "date": "2026-03-01", "answers": GAMMA_NEW},
    "gamma-b-old.json": {"code": "E08000003", "date": "2026-01-10", "answers": ALL_ONES},
    "junk.json": {"code": None, "answers": {}, "problems": [ERROR]},
    "zeta.json": {
        "code": "E06000006",
        "date": "2026-02-03",
        "answers": ZETA,
        "evidence": ["", "", LONG_EVIDENCE, ""],
    },
}
STATES = {
    "alpha.json": "yes",
    "beta.json": "yes",
    "delta-1.json": "yes",
    "delta-2.json": "superseded",
    "epsilon.json": "rejected",
    "gamma-a-new.json": "yes",
    "gamma-b-old.json": "superseded",
    "junk.json": "rejected",
    "zeta.json": "yes",
}


def json_reader(path, register=None) -> Return:
    """The fake reader: a Return from one JSON spec (module level, so it pickles)."""
    spec = json.loads(Path(path).read_text(encoding="utf-8"))
    council = register.by_code(spec["code"]) if register and spec["code"] else None
    answers = {}
    for i, item_id in enumerate(ITEMS):
        if item_id not in spec["answers"]:
            continue
        current, target = spec["answers"][item_id]
        answers[item_id] = Answer(
            item_id,
            LEVELS[current - 1] if current else None,
            LEVELS[target - 1] if target else None,
            (spec.get("evidence") or [""] * 4)[i],
            (spec.get("actions") or [""] * 4)[i],
            dt.date(2028, 3, 31),
        )
    problems = [
        Problem(code, message, Location(file=str(path), sheet="Start here"), Severity(severity))
        for code, message, severity in spec["problems"]
    ]
    date = dt.date.fromisoformat(spec["date"]) if spec.get("date") else None
    return Return(
        path=str(path),
        format="xlsx",
        council=council,
        council_name=council.name if council else "",
        council_code=spec["code"] or "",
        model_id=MODEL.id,
        model_version=MODEL.version,
        model_fingerprint=MODEL.fingerprint,
        answers=answers,
        respondent=Respondent(date_completed=date),
        item_count=len(ITEMS),
        problems=problems,
    )


def failing_reader(path) -> Return:
    if path.endswith("beta.json"):
        raise ValueError("the parser fell over")
    return json_reader(path)


def write_register(folder: Path):
    path = folder / "register.csv"
    path.write_text(REGISTER_CSV, encoding="utf-8")
    return load_register(path)


def write_inputs(folder: Path) -> list[Path]:
    """The return files, in input order, with delta-1 newer on disk than delta-2."""
    folder.mkdir()
    paths = []
    for name, spec in FILES.items():
        path = folder / name
        full = {"problems": [], "date": None, **spec}
        path.write_text(json.dumps(full), encoding="utf-8")
        paths.append(path)
    os.utime(folder / "delta-1.json", (2_000_000_000, 2_000_000_000))
    os.utime(folder / "delta-2.json", (1_000_000_000, 1_000_000_000))
    return sorted(paths)


def collate_fixture(inputs, register):
    reader = functools.partial(json_reader, register=register)
    return collate(inputs, register, model=MODEL, reader=reader, group_by=["hub"])


@pytest.fixture
def small_register(tmp_path):
    return write_register(tmp_path)


@pytest.fixture
def inputs(tmp_path) -> list[Path]:
    return write_inputs(tmp_path / "returns")


@pytest.fixture
def collation(inputs, small_register):
    return collate_fixture(inputs, small_register)


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """One collation and its summary workbook for the tests that only read them."""
    folder = tmp_path_factory.mktemp("shared")
    inputs = write_inputs(folder / "returns")
    collation = collate_fixture(inputs, write_register(folder))
    path = write_summary_workbook(collation, folder / "out" / "summary.xlsx")
    return collation, inputs, openpyxl.load_workbook(path), path


@pytest.fixture
def workbook(shared):
    return shared[2], shared[3]


# --- hand computations ------------------------------------------------------------------------
def group_of(code: str, by: str | None) -> str:
    if by is None:
        return "All councils"
    region, council_type, hub = COUNCILS[code]
    return {"region": region, "council_type": council_type, "hub": hub}[by]


def expected_groups(by: str | None) -> set[str]:
    return {group_of(code, by) for code in COUNCILS}


def values(group: str, by: str | None, item: str, measure: str) -> list[int]:
    """The levels (1-5) given for an item by the counted councils in a group."""
    index = MEASURES.index(measure)
    found = []
    for code, answers in TRUTH.items():
        if group_of(code, by) == group and item in answers:
            level = answers[item][index]
            if level is not None:
                found.append(level)
    return found


def largest_remainder(counts: list[int], decimals: int = 1) -> list[float] | None:
    """Percentages of ``counts`` that add up to 100 at ``decimals``: each rounded down, the
    missing units to the largest remainders (the lower level first on a tie), by hand with
    exact fractions; None when there are no counts at all."""
    total = sum(counts)
    if not total:
        return None
    units = 100 * 10**decimals
    exact = [Fraction(c * units, total) for c in counts]
    floors = [int(e) for e in exact]
    order = sorted(range(len(counts)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[: units - sum(floors)]:
        floors[i] += 1
    return [f / 10**decimals for f in floors]


def expected_summary(by: str | None, decimals: int = 1) -> dict:
    """(group, item, measure, level) -> (count, n, percent); percent None for nobody."""
    result = {}
    for group in expected_groups(by):
        for item in ITEMS:
            for measure in MEASURES:
                given = values(group, by, item, measure)
                counts = [given.count(score) for score in range(1, len(LEVELS) + 1)]
                percents = largest_remainder(counts, decimals) or [None] * len(LEVELS)
                for level, count, percent in zip(LEVELS, counts, percents, strict=True):
                    result[(group, item, measure, level)] = (count, len(given), percent)
    return result


def expected_stats(group: str, by: str | None, item: str) -> dict:
    current, target = values(group, by, item, "current"), values(group, by, item, "target")
    pairs = [
        answers[item]
        for code, answers in TRUTH.items()
        if group_of(code, by) == group and item in answers
    ]
    gaps = [t - c for c, t in pairs if c is not None and t is not None]
    answered = [(c, t) for c, t in pairs if c is not None or t is not None]
    aiming = sum(1 for g in gaps if g > 0)

    def stat(func, data):
        return func(data) if data else None

    return {
        "n": len(answered),
        "n_current": len(current),
        "n_target": len(target),
        "median_current": stat(statistics.median, current),
        "mean_current": stat(statistics.mean, current),
        "median_target": stat(statistics.median, target),
        "mean_target": stat(statistics.mean, target),
        "n_gap": len(gaps),
        "mean_gap": stat(statistics.mean, gaps),
        "n_aiming_higher": aiming,
        "share_aiming_higher": round(100 * aiming / len(gaps), 1) if gaps else None,
    }


def close(actual, expected) -> bool:
    if expected is None:
        return actual is None or (isinstance(actual, float) and pd.isna(actual))
    return actual is not None and abs(float(actual) - float(expected)) < 1e-9


# --- finding inputs ---------------------------------------------------------------------------
def test_find_inputs_walks_folders_skips_hidden_and_lock_files(tmp_path):
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / ".hidden").mkdir()
    for name in (
        "b.xlsx",
        "a.xlsx",
        "sub/c.ods",
        ".hidden/x.xlsx",
        ".DS_Store",
        "~$a.xlsx",
        "sub/~$c.xlsx",
        "notes.txt",
    ):
        (folder / name).write_text("x")
    loose = tmp_path / "loose.xlsx"
    loose.write_text("x")
    found = find_inputs([folder, loose, folder / "a.xlsx", str(folder / "sub")])
    assert [p.relative_to(tmp_path).as_posix() for p in found] == [
        "in/a.xlsx",
        "in/b.xlsx",
        "in/notes.txt",
        "in/sub/c.ods",
        "loose.xlsx",
    ]
    assert find_inputs(str(loose)) == [loose]
    with pytest.raises(NpsxlError, match="no-such-folder"):
        find_inputs([folder, tmp_path / "no-such-folder"])


def test_find_inputs_counts_a_linked_file_once(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.xlsx").write_text("x")
    (folder / "copy-of-a.xlsx").symlink_to(folder / "a.xlsx")
    outside = tmp_path / "outside.xlsx"
    outside.write_text("x")
    (folder / "link-out.xlsx").symlink_to(outside)
    found = find_inputs([folder, outside, tmp_path / "in" / "a.xlsx"])
    assert [p.name for p in found] == ["a.xlsx", "link-out.xlsx"]


# --- the returns log --------------------------------------------------------------------------
def test_every_input_appears_once_in_the_log_in_input_order(collation, inputs):
    log = collation.log
    assert list(log.columns) == list(RETURNS_COLUMNS)
    assert log["source_file"].tolist() == [str(p) for p in inputs]
    assert [r.path for r in collation.returns] == [str(p) for p in inputs]
    assert {
        Path(p).name: s for p, s in zip(log["source_file"], log["counted"], strict=True)
    } == STATES
    by_name = log.assign(name=log["source_file"].map(lambda p: Path(p).name)).set_index("name")
    assert by_name.at["beta.json", "status"] == Status.ACCEPTED_WITH_WARNINGS
    assert by_name.at["epsilon.json", "status"] == Status.REJECTED
    assert (by_name.at["epsilon.json", "errors"], by_name.at["epsilon.json", "warnings"]) == (1, 1)
    assert by_name.at["epsilon.json", "problems"].count("; ") == 1
    assert "something is badly wrong" in by_name.at["epsilon.json", "problems"]
    assert by_name.at["alpha.json", "region"] == "North East"
    assert by_name.at["alpha.json", "council_type"] == "unitary"
    assert by_name.at["beta.json", "complete"] == 3
    assert by_name.at["beta.json", "items"] == 4
    assert by_name.at["junk.json", "council_code"] == ""


def test_rejected_and_superseded_returns_never_contribute_answers(collation):
    answers = collation.answers
    assert set(answers["council_code"]) == set(TRUTH)
    assert answers.groupby("council_code").size().to_dict() == {c: len(ITEMS) for c in TRUTH}
    assert "E07000005" not in set(answers["council_code"])  # Epsilon: rejected
    assert not answers["source_file"].str.contains("delta-2|gamma-b-old|epsilon|junk").any()
    assert [Path(r.path).name for r in collation.superseded] == ["delta-2.json", "gamma-b-old.json"]


def test_duplicates_most_recent_date_wins_then_modification_time(collation, inputs, small_register):
    rows = collation.answers.set_index(["council_code", "item_id"])
    # Gamma: the newer date_completed wins although it comes first in the input
    assert rows.at[("E08000003", "A1"), "current_score"] == 3
    assert rows.at[("E08000003", "A1"), "source_file"].endswith("gamma-a-new.json")
    # Delta: no dates, so the newer file wins although it comes first in the input
    assert rows.at[("E07000004", "A1"), "source_file"].endswith("delta-1.json")
    # swap the modification times: the other Delta file wins
    folder = inputs[0].parent
    os.utime(folder / "delta-1.json", (1_000_000_000, 1_000_000_000))
    os.utime(folder / "delta-2.json", (2_000_000_000, 2_000_000_000))
    again = collate(
        inputs,
        small_register,
        model=MODEL,
        reader=functools.partial(json_reader, register=small_register),
    )
    rows = again.answers.set_index(["council_code", "item_id"])
    assert rows.at[("E07000004", "A1"), "source_file"].endswith("delta-2.json")
    assert [Path(r.path).name for r in again.superseded] == ["delta-1.json", "gamma-b-old.json"]


# --- tidy answers -----------------------------------------------------------------------------
def test_answers_table_has_exact_columns_and_one_row_per_council_and_item(collation):
    answers = collation.answers
    assert list(answers.columns) == list(ANSWERS_COLUMNS)
    assert len(answers) == len(TRUTH) * len(ITEMS)
    for column in ("current_score", "target_score", "gap"):
        assert str(answers[column].dtype) == "Int64"
    rows = answers.set_index(["council_code", "item_id"])
    for code, given in TRUTH.items():
        region, council_type, _ = COUNCILS[code]
        for item in ITEMS:
            row = rows.loc[(code, item)]
            assert (row["region"], row["council_type"]) == (region, council_type)
            assert row["item_name"] == NAMES[item]
            assert row["theme"] == THEMES[item]
            assert row["item_kind"] == ("enabler" if item == "E1" else "key_area")
            assert (row["model_id"], row["model_version"]) == ("test-model", "2.1.0")
            current, target = given.get(item, (None, None))
            for key, level in (("current", current), ("target", target)):
                if level is None:
                    assert pd.isna(row[f"{key}_level"]) and pd.isna(row[f"{key}_score"])
                else:
                    assert row[f"{key}_level"] == LEVELS[level - 1]
                    assert row[f"{key}_score"] == level
            if current is not None and target is not None:
                assert row["gap"] == target - current
            else:
                assert pd.isna(row["gap"])
    alpha = rows.loc["E06000001"]
    assert alpha["evidence"].tolist() == INJECTIONS  # kept as-is in the data
    assert alpha["target_date"].tolist() == ["2028-03-31"] * 4
    assert rows.at[("E06000002", "A1"), "evidence"] == ""  # Beta left A1 blank


# --- summaries --------------------------------------------------------------------------------
@pytest.mark.parametrize("by", [None, "region", "council_type", "hub"])
def test_summary_counts_and_percents_match_hand_computation(collation, by):
    frame = collation.summary(by)
    assert list(frame.columns) == list(SUMMARY_COLUMNS)
    expected = expected_summary(by)
    assert len(frame) == len(expected) == len(expected_groups(by)) * 4 * 2 * 5
    assert set(frame["group_type"]) == {by or "national"}
    for row in frame.itertuples(index=False):
        count, n, percent = expected[(row.group, row.item_id, row.measure, row.level)]
        assert (row.count, row.n) == (count, n), row
        assert close(row.percent, percent), row


def test_summary_spot_checks_by_hand(collation):
    national = collation.summary().set_index(["item_id", "measure", "level"])
    # A1 current: Alpha 2, Gamma 3, Delta 4, Zeta 2; Beta left it blank -> denominator 4
    assert national.at[("A1", "current", "Developing"), "count"] == 2
    assert national.at[("A1", "current", "Developing"), "percent"] == 50.0
    assert national.at[("A1", "current", "Minimum"), "percent"] == 0.0
    # B1 target: Zeta gave none -> denominator 4: Alpha 2, Beta 3, Gamma 2, Delta 4
    assert national.at[("B1", "target", "Developing"), "percent"] == 50.0
    region = collation.summary("region").set_index(["group", "item_id", "measure", "level"])
    assert region.at[("North East", "A1", "current", "Developing"), "percent"] == 100.0
    assert region.at[("London", "A1", "current", "Mature"), "count"] == 0
    assert pd.isna(region.at[("London", "A1", "current", "Mature"), "percent"])  # nobody
    assert region.at[("North West", "E1", "target", "Innovator"), "percent"] == 50.0
    assert region.at[("North West", "A1", "target", "Innovator"), "percent"] == 50.0


@pytest.mark.parametrize("by", [None, "region", "council_type", "hub"])
def test_item_stats_match_hand_computation(collation, by):
    stats = collation.item_stats(by)
    assert len(stats) == len(expected_groups(by)) * len(ITEMS)
    for row in stats.itertuples(index=False):
        expected = expected_stats(row.group, by, row.item_id)
        for key, value in expected.items():
            assert close(getattr(row, key), value), (row.group, row.item_id, key)


def test_summaries_hold_every_grouping_including_group_by(collation):
    summaries = collation.summaries()
    assert list(summaries.columns) == list(SUMMARY_COLUMNS)
    assert list(dict.fromkeys(summaries["group_type"])) == [
        "national",
        "region",
        "council_type",
        "hub",
    ]
    hubs = summaries[summaries["group_type"] == "hub"]
    assert list(dict.fromkeys(hubs["group"])) == ["North hub", "West hub", "Not given"]
    regions = summaries[summaries["group_type"] == "region"]
    assert list(dict.fromkeys(regions["group"])) == [
        "North East",
        "North West",
        "London",
        "South West",
    ]


def test_unknown_group_by_column_is_refused(inputs, small_register):
    with pytest.raises(NpsxlError, match="'district'.*extra columns: hub"):
        collate(inputs, small_register, model=MODEL, reader=json_reader, group_by=["district"])


def test_group_by_ignores_repeats_and_the_standard_groupings(inputs, small_register):
    collation = collate(
        inputs, small_register, model=MODEL, reader=json_reader, group_by=["hub", "region", "hub"]
    )
    assert collation.group_by == ("hub",)
    assert collation.groupings() == [None, "region", "council_type", "hub"]


# --- coverage ---------------------------------------------------------------------------------
def test_not_returned_response_and_summary_text(collation):
    assert [c.name for c in collation.not_returned()] == [
        "Epsilon District Council",
        "London Borough of Eta",
    ]
    response = collation.response().set_index("region")
    # expected, received, accepted, rejected, superseded, views, councils
    assert response.loc["North West"].tolist()[:7] == [2, 4, 4, 0, 2, 0, 2]
    assert response.at["North West", "response_rate"] == 100.0
    assert response.loc["South West"].tolist()[:7] == [2, 2, 1, 1, 0, 0, 1]
    assert response.at["South West", "response_rate"] == 50.0
    assert response.at["London", "expected"] == 1
    assert response.at["London", "response_rate"] == 0.0
    assert response.at["Council not identified", "received"] == 1
    total = response.loc["All regions"]
    assert total.tolist()[:7] == [7, 9, 7, 2, 2, 0, 5]
    assert total["response_rate"] == round(100 * 5 / 7, 1)
    text = collation.summary_text()
    # Beta's own warning; Delta's and Gamma's two agreed returns each, from nobody named,
    # give different levels: all four are flagged
    assert "Read 9 files: 7 accepted (5 with warnings), 2 rejected" in text
    assert "2 superseded" in text and "5 councils covered of 7" in text
    assert "2 councils with no accepted return" in text
    assert "2 pairs of agreed returns from the same council disagree" in text


def test_jobs_2_reads_in_worker_processes_with_the_same_result(collation, inputs, small_register):
    seen = []
    reader = functools.partial(json_reader, register=small_register)
    parallel = collate(
        inputs,
        small_register,
        model=MODEL,
        reader=reader,
        group_by=["hub"],
        jobs=2,
        progress=seen.append,
    )
    assert [r.path for r in seen] == [str(p) for p in inputs]
    pd.testing.assert_frame_equal(parallel.log, collation.log)
    pd.testing.assert_frame_equal(parallel.answers, collation.answers)
    pd.testing.assert_frame_equal(parallel.summaries(), collation.summaries())
    assert parallel.returns[0].council.extra["hub"] == "North hub"


def test_a_reader_that_raises_gives_a_rejected_return(inputs):
    collation = collate(inputs, model=MODEL, reader=failing_reader)
    row = collation.log[collation.log["source_file"].str.endswith("beta.json")].iloc[0]
    assert (row["status"], row["counted"], row["errors"]) == (Status.REJECTED, NOT_COUNTED, 1)
    assert "ValueError: the parser fell over" in row["problems"]
    assert len(collation.log) == len(inputs)


def test_without_a_register_councils_come_from_the_returns(inputs):
    collation = collate(inputs, model=MODEL, reader=json_reader)
    assert set(collation.answers["council_code"]) == set(TRUTH)
    assert set(collation.answers["region"]) == {""}
    assert collation.not_returned() == []
    assert collation.groups("region") == ["Not given"]
    assert "no register given" in collation.summary_text()


# --- CSV files --------------------------------------------------------------------------------
def test_write_data_writes_the_csv_files(collation, tmp_path):
    written = write_data(collation, tmp_path / "data")
    assert [p.name for p in written] == [
        "returns.csv",
        "answers.csv",
        "summary.csv",
        "statistics.csv",
        "respondents.csv",
        "within_councils.csv",
        "returns.jsonl",
        "answers.jsonl",
        "respondents.jsonl",
    ]
    with open(written[1], encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert tuple(rows[0]) == ANSWERS_COLUMNS
    assert len(rows) == 1 + len(TRUTH) * len(ITEMS)
    cells = {cell for row in rows for cell in row}
    assert {"'" + text for text in INJECTIONS} <= cells and not cells & set(INJECTIONS)
    exact = pd.read_json(written[7], lines=True, dtype=False)
    assert list(exact.columns) == list(ANSWERS_COLUMNS) and len(exact) == len(rows) - 1
    assert set(INJECTIONS) <= set(exact["evidence"])  # the text as typed
    answers = pd.read_csv(written[1], dtype={"current_score": "Int64"})
    assert answers["current_score"].isna().sum() == 1  # Beta's blank A1
    summary = pd.read_csv(written[2])
    assert list(summary.columns) == list(SUMMARY_COLUMNS)
    assert set(summary["group_type"]) == {"national", "region", "council_type", "hub"}
    assert len(summary) == len(collation.summaries())
    log = pd.read_csv(written[0], keep_default_na=False)
    assert list(log.columns) == list(RETURNS_COLUMNS) and len(log) == len(FILES)
    assert not list(tmp_path.joinpath("data").glob(".*"))  # no temporary files left
    before = written[0].read_bytes()
    with pytest.raises(OutputError):
        write_data(collation, tmp_path / "data", force=False)
    assert written[0].read_bytes() == before


def test_csv_files_are_byte_for_byte_what_pandas_writes(collation, tmp_path):
    """The CSV writer formats each distinct value once instead of every cell; the bytes are
    still those of pandas' to_csv (UTF-8 with a byte order mark), quoting, blanks, floats
    and missing scores included, for text that needs no making safe."""
    tricky = ['say "yes", or no', "line\nbreak", "£, é and 🎉", " pad ", ""]
    answers = collation.answers.copy()
    answers["evidence"] = [tricky[i % len(tricky)] for i in range(len(answers))]
    answers["actions"] = answers["actions"].str.lstrip("=+-@\t")
    answers.loc[0, "actions"] = None
    frames = [
        answers,
        collation.summaries(),
        collation.statistics(),
        collation.within_councils(),
        pd.DataFrame({"one": ["", "x", None]}),
    ]
    for number, frame in enumerate(frames):
        write_csv(frame, tmp_path / f"{number}.csv")
        expected = frame.to_csv(index=False, lineterminator="\n").encode("utf-8-sig")
        assert (tmp_path / f"{number}.csv").read_bytes() == expected
    # the log's problems hold semicolons: quoted, they load as pandas' own file loads
    write_csv(collation.log, tmp_path / "log.csv")
    assert "; " in "".join(collation.log["problems"])
    pd.testing.assert_frame_equal(
        pd.read_csv(tmp_path / "log.csv", keep_default_na=False),
        pd.read_csv(io.StringIO(collation.log.to_csv(index=False)), keep_default_na=False),
    )


def test_csv_text_that_a_spreadsheet_would_evaluate_is_made_safe(collation, tmp_path):
    """OWASP's rule: a leading = + - @, tab or carriage return gets a single quote, and so
    does one after a semicolon or a tab (where an import splitting on them starts a cell);
    a field holding a semicolon, a tab or a carriage return is quoted (pandas leaves the
    last two bare); the rest loads unchanged."""
    typed = [*INJECTIONS, "\tTabbed", "\rCR", "a;=1+2", "a\t=1+2", "a,=1+2", "a\r=1+2", " =x"]
    answers = collation.answers.copy()
    answers["evidence"] = [typed[i % len(typed)] for i in range(len(answers))]
    write_csv(answers, tmp_path / "answers.csv")
    raw = (tmp_path / "answers.csv").read_bytes().decode("utf-8-sig")
    for text in ("a;'=1+2", "a\t'=1+2", "a,=1+2", "a\r=1+2"):
        assert f'"{text}"' in raw
    back = pd.read_csv(tmp_path / "answers.csv", keep_default_na=False, dtype=str)
    expected = [
        ("'" + t if t[0] in "=+-@\t\r" else t).replace(";=", ";'=").replace("\t=", "\t'=")
        for t in answers["evidence"]
    ]
    assert back["evidence"].tolist() == expected
    assert back["current_score"].tolist() == [
        "" if pd.isna(v) else str(v) for v in answers["current_score"]
    ]  # numbers stay numbers, negative gaps included


# --- the summary workbook ---------------------------------------------------------------------
def test_cell_text_is_the_text_exactly():
    for text in INJECTIONS + ["=1+1", "\tx", "\rx", "Plain text", "", " =x", "'quoted"]:
        assert cell_text(text) == text
    assert cell_text(None) == "" and cell_text(float("nan")) == "" and cell_text(pd.NA) == ""
    assert cell_text(12) == "12"


def test_sheet_names_are_valid_and_unique():
    used: set[str] = set()
    assert sheet_name("North/East: [a]*?\\", used) == "North-East- -a----"
    long = "A very long hub name that goes past thirty-one characters"
    first, second = sheet_name(long, used), sheet_name(long, used)
    assert len(first) == len(second) == 31 and first != second


def rows_of(ws) -> list[tuple]:
    return list(ws.iter_rows(values_only=True))


def item_rows(ws) -> list[tuple]:
    """Rows whose first cell is an item label ('A1  Engaging councillors')."""
    labels = {f"{i}  {NAMES[i]}" for i in ITEMS}
    return [row for row in rows_of(ws) if row[0] in labels]


SCOPE = "All councils in the register"  # seven councils are not all of England
STAT_KEYS = ("median_current", "median_target", "share_aiming_higher")


def level_name(median) -> str | None:
    """A median as the sheets name it: 'Mature', 'Developing/Mature' half way (by hand)."""
    if median is None:
        return None
    low = int(median)
    return LEVELS[low - 1] + (f"/{LEVELS[low]}" if median != low else "")


def check_figures_row(row, group, by, item) -> None:
    """A figures-table row: councils answering, whole percentages (largest remainder),
    medians named, the share aiming higher (whole), against the hand computation."""
    shares = expected_summary(by, decimals=0)
    figures = expected_stats(group, by, item)
    # councils answering: one number, or current/target where they differ
    answering = (figures["n_current"], figures["n_target"])
    expected = answering[0] if len(set(answering)) == 1 else "{}/{}".format(*answering)
    assert row[1] == expected, (group, item)
    for m, measure in enumerate(MEASURES):
        cells = row[2 + 5 * m : 7 + 5 * m]
        if shares[(group, item, measure, LEVELS[0])][1] == 0:  # nobody: never 0 %
            assert cells == ("no returns", None, None, None, None), (group, item, measure)
            continue
        for cell, level in zip(cells, LEVELS, strict=True):
            assert close(cell, shares[(group, item, measure, level)][2]), (group, item, level)
    for col, key in ((12, "median_current"), (13, "median_target")):
        assert row[col] == (level_name(figures[key]) or "no returns"), (group, item, key)
    if figures["n_gap"] == 0:
        assert row[14] == "–", (group, item)
    else:  # a whole percentage, half up
        whole = int(Fraction(100 * figures["n_aiming_higher"], figures["n_gap"]) + Fraction(1, 2))
        assert row[14] == whole, (group, item)


def test_summary_workbook_national_figures_match_hand_computation(workbook):
    wb, _ = workbook
    ws = wb[SCOPE]
    rows = item_rows(ws)
    shares, means = rows[:4], rows[4:8]
    for row in shares:
        check_figures_row(row, "All councils", None, row[0].split()[0])
    keys = ("mean_current", "mean_target", "n_gap", "mean_gap", "n_aiming_higher")
    for row in means:
        figures = expected_stats("All councils", None, row[0].split()[0])
        for col, key in enumerate(keys):
            assert close(row[2 + 2 * col], figures[key]), (row[0], key)


def test_summary_workbook_region_sheets_compare_with_national(workbook):
    wb, _ = workbook
    assert {"North East", "North West", "South West"} <= set(wb.sheetnames)
    for region in ("North East", "North West", "South West"):
        rows = rows_of(wb[region])
        for i, row in enumerate(rows):
            if row[0] in {f"{item}  {NAMES[item]}" for item in ITEMS}:
                item = row[0].split()[0]
                check_figures_row(row, region, "region", item)
                assert rows[i + 1][0] == SCOPE.lower()  # the register's figures beneath
                check_figures_row(rows[i + 1], "All councils", None, item)


def test_summary_workbook_heat_map_and_group_sheets(workbook):
    wb, _ = workbook
    heat = rows_of(wb["Heat map"])
    blocks = [i for i, row in enumerate(heat) if row[0] == "Region"]
    assert len(blocks) == 2
    for block, measure in zip(blocks, MEASURES, strict=True):
        assert heat[block][2:6] == ITEMS
        for row in heat[block + 1 : block + 6]:
            by = None if row[0] == SCOPE else "region"
            group = "All councils" if by is None else row[0]
            assert row[1] == sum(1 for c in TRUTH if by is None or group_of(c, by) == row[0])
            if row[1] == 0:  # London: nothing to show, and no number
                assert row[2] == "no returns" and row[3:6] == (None, None, None)
                continue
            for c, item in enumerate(ITEMS, start=2):
                median = expected_stats(group, by, item)[f"median_{measure}"]
                assert close(row[c], median) if median is not None else row[c] == "–"
    keys = (
        "n_current",
        "median_current",
        "mean_current",
        "median_target",
        "mean_target",
        "mean_gap",
        "n_aiming_higher",
        "share_aiming_higher",
    )
    # council types are shown capitalised; the register's values are lower case
    shown_type = {
        "Unitary": "unitary",
        "Metropolitan district": "metropolitan district",
        "District": "district",
        "London borough": "London borough",
    }
    for sheet, by in (("By council type", "council_type"), ("By hub", "hub")):
        counted = {group_of(code, by) for code in TRUTH}
        table = [row for row in rows_of(wb[sheet]) if row[1] and str(row[1])[:2] in ITEMS]
        assert len(table) == len(counted) * len(ITEMS)
        for row in table:
            group = shown_type[row[0]] if by == "council_type" else row[0]
            figures = expected_stats(group, by, row[1].split()[0])
            for col, key in enumerate(keys, start=2):
                if key.startswith("median"):  # named, two names on two lines half way
                    shown = (level_name(figures[key]) or "–").replace("/", "/\n")
                    assert row[col] == shown, (sheet, row[0], row[1], key)
                elif key == "n_current" and figures["n_target"] != figures["n_current"]:
                    shown = f"{figures['n_current']}/{figures['n_target']}"
                    assert row[col] == shown, (sheet, row[0], row[1], key)
                else:
                    assert close(row[col], figures[key]), (sheet, row[0], row[1], key)
        empty = [row for row in rows_of(wb[sheet]) if row[1] == "no returns yet"]
        empty = [shown_type[row[0]] if by == "council_type" else row[0] for row in empty]
        assert empty == sorted(expected_groups(by) - counted)


def test_summary_workbook_overview_log_and_not_returned(shared):
    _, inputs, wb, _ = shared
    assert wb.sheetnames[:2] == ["Overview", SCOPE]
    assert wb.sheetnames[-3:] == ["Returns log", "Not returned", "Data"]
    overview = rows_of(wb["Overview"])
    total = next(row for row in overview if row[0] == "All regions")
    assert total[1:9] == (7, 9, 7, 2, 2, 0, 5, round(100 * 5 / 7, 1))
    london = next(row for row in overview if row[0] == "London")
    assert london[1:9] == (1, 0, 0, 0, 0, 0, 0, 0.0)
    text = " ".join(str(v) for row in overview for v in row if v)
    for sheet in (SCOPE, "Heat map", "Returns log", "Not returned", "Data", "By hub"):
        assert sheet in text
    assert "There are no returns yet from London (1 expected)" in text
    assert "Agreed returns that disagree" in text  # Delta's and Gamma's pairs
    log_rows = rows_of(wb["Returns log"])
    header = next(row for row in log_rows if row[0] == "File")
    counted, problems = header.index("Counted"), header.index("Problems")
    log = [row for row in log_rows if row[0] and row[0].endswith(".json")]
    assert [row[0] for row in log] == [str(p) for p in inputs]
    # what it counted for, then the respondent's number (one each: nobody is named)
    assert {Path(row[0]).name: row[counted].split("\n")[0] for row in log} == STATES
    epsilon = next(row for row in log if row[0].endswith("epsilon.json"))
    assert "something is badly wrong" in epsilon[problems] and "\n" in epsilon[problems]
    missing = rows_of(wb["Not returned"])
    titles = [row[0] for row in missing if row[0] and str(row[0]).startswith(("Nothing", "Rec"))]
    assert titles == [
        "Nothing received (1)",
        "Received but rejected (1 file): the reason to forward to the council",
    ]
    assert ("E09000007", "London Borough of Eta", "London", "London borough", None, None) in (
        missing
    )
    epsilon = next(row for row in missing if row[0] == "E07000005")
    assert epsilon[:5] == (
        "E07000005",
        "Epsilon District Council",
        "South West",
        "District",
        "West hub",
    )
    assert epsilon[5].startswith("epsilon.json:\nSheet 'Start here': something is badly wrong")


def test_summary_workbook_writes_untrusted_text_as_text(workbook):
    wb, path = workbook
    ws = wb["Data"]
    header = next(r for r in ws.iter_rows(min_row=1, max_row=10) if r[0].value == "council code")
    columns = [c.value.replace(" ", "_") for c in header]
    assert tuple(columns) == ANSWERS_COLUMNS
    evidence = columns.index("evidence")
    cells = [
        row[evidence] for row in ws.iter_rows(min_row=header[0].row + 1) if row[evidence].value
    ]
    by_value = {c.value: c for c in cells}
    for text in INJECTIONS:  # exactly as typed, kept text by the style's quote prefix
        cell = by_value[text]
        assert cell.data_type == "s" and cell.quotePrefix, text
    assert not by_value[LONG_EVIDENCE].quotePrefix  # only where it is needed
    long_row = next(c.row for c in cells if c.value == LONG_EVIDENCE)
    assert ws.row_dimensions[long_row].height >= 5 * 13  # wrapped text gets a taller row
    actions = {
        row[columns.index("actions")].value: row[columns.index("actions")]
        for row in ws.iter_rows(min_row=6)
    }
    assert actions["=1+1"].quotePrefix and actions["\tTabbed"].quotePrefix
    assert not any(str(value).startswith("'") for value in actions)
    for sheet in wb.worksheets:
        assert not sheet._hyperlinks
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate)
    with zipfile.ZipFile(path) as archive:
        assert not [n for n in archive.namelist() if "externalLink" in n]
        rels = "".join(archive.read(n).decode() for n in archive.namelist() if n.endswith(".rels"))
        assert "hyperlink" not in rels


def test_summary_workbook_charts_and_print_setup(workbook):
    wb, path = workbook
    with zipfile.ZipFile(path) as archive:
        charts = [
            archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/charts/chart")
        ]
        drawings = "".join(
            archive.read(n).decode()
            for n in archive.namelist()
            if n.startswith("xl/drawings/drawing")
        )
    stacked = [c for c in charts if 'c:grouping val="percentStacked"' in c]
    regions_with_returns = 3  # London has none: a note instead of empty charts
    assert len(stacked) == 2 * (1 + regions_with_returns)
    assert len(charts) == len(stacked) + 3  # a clustered chart per region, type and hub
    for chart in charts:
        assert "<c:title>" in chart and chart.count("<c:title>") >= 3  # chart and both axes
    assert drawings.count('descr="') == len(charts)
    for ws in wb.worksheets:
        assert ws.page_setup.paperSize == 9, ws.title
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0
        assert ws.print_title_rows, ws.title
        assert ws.freeze_panes, ws.title
        assert "Page &P of &N" in ws.oddFooter.center.text
        assert ws.column_dimensions["A"].width > 5


def test_a_region_with_no_returns_gets_no_sheet(workbook):
    wb, _ = workbook
    assert "London" not in wb.sheetnames  # the Overview says there are no returns yet


def test_summary_workbook_without_register_or_accepted_returns(inputs, tmp_path):
    junk = [p for p in inputs if p.name == "junk.json"]
    collation = collate(junk, model=MODEL, reader=json_reader)
    path = write_summary_workbook(collation, tmp_path / "empty.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [
        "Overview",
        "All councils",
        "By council type",
        "Mean levels",
        "Heat map",
        "Returns log",
        "Not returned",
        "Data",
    ]
    not_returned = " ".join(str(v) for row in rows_of(wb["Not returned"]) for v in row if v)
    assert "No council register was given" in not_returned
    assert [row[0] for row in rows_of(wb["Returns log"]) if row[0] == str(junk[0])]
    written = write_data(collation, tmp_path / "data")
    assert pd.read_csv(written[1]).empty


def test_summary_workbook_refuses_to_overwrite_without_force(collation, tmp_path):
    path = tmp_path / "summary.xlsx"
    path.write_text("keep me")
    with pytest.raises(OutputError):
        write_summary_workbook(collation, path, force=False)
    assert path.read_text() == "keep me"
