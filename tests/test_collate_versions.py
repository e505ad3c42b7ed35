"""Collation across model versions and rounds (npsxl.collation, npsxl.report).

The main fixture uses the first published model (1.0.0, 14 items) and the fictional 1.1.0-example
(C2 split into C2A and C2B, E5 added, L1 reworded). Returns are built directly as
:class:`Return` objects: round 2024 from 1.0.0 for councils A, B and C; round 2026 from
1.1.0 for A and B, and from 1.0.0 for D (a council that used the old workbook in the new
round). Expected figures are computed here with plain Python from answers written out by
hand (``POOLED_2026``, ``MOVES``), never from the code under test.

A second, small pair of synthetic models covers what the example lacks: an item removed,
two items merged, and a version with no lineage at all.

Design decision: a current-model item with no comparable answer in one of the two rounds
(E5, added in 1.1.0) is kept in the trends with movement 'not comparable', so that the
trends table has every current item for every council compared and says why there is no
movement, rather than leaving the reader to wonder where E5 went.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from test_collate import largest_remainder

from npsxl.collation.collation import collate_returns
from npsxl.collation.columns import (
    ALL_ITEMS,
    ANSWERS_COLUMNS,
    MOVEMENT_COLUMNS,
    RETURNS_COLUMNS,
    SUMMARY_COLUMNS,
    TRENDS_COLUMNS,
)
from npsxl.collation.run import collate
from npsxl.core.problems import Location, Problem, Severity
from npsxl.model.answers import Answer, Respondent
from npsxl.model.archive import ModelArchive, load_archive
from npsxl.model.defaults import PACKAGED_ARCHIVE
from npsxl.model.loading import load_model, model_from_text
from npsxl.model.register_csv import load_register
from npsxl.reading.reader import read_return
from npsxl.reading.returns import Return, Status
from npsxl.report.csv_data import write_data
from npsxl.report.summary_workbook import write_summary_workbook
from npsxl.workbook.writer import build_workbook

ROOT = Path(__file__).resolve().parent.parent
LEVELS = ("Minimum", "Developing", "Mature", "Leader", "Innovator")
MEASURES = ("current", "target")
M10 = load_model(PACKAGED_ARCHIVE / "nps-2018-1.0.0.yaml")  # 1.1.0-example replaces 1.0.1
M11 = load_model(ROOT / "samples" / "model-1.1-example.yaml")
V10, V11 = "1.0.0", "1.1.0-example"

# Item ids written out by hand (not read from the models).
ITEMS_10 = ("L1", "L2", "L3", "L4", "C1", "C2", "C3", "B1", "B2", "B3", "E1", "E2", "E3", "E4")
ITEMS_11 = (
    "L1",
    "L2",
    "L3",
    "L4",
    "C1",
    "C2A",
    "C2B",
    "C3",
    "B1",
    "B2",
    "B3",
    "E1",
    "E2",
    "E3",
    "E4",
    "E5",
)

REGISTER_CSV = """code,register_code,name,short_name,region,council_type
E06000001,AAA,Alpha Council,Alpha,North East,unitary
E07000002,BBB,Beta District Council,Beta,North West,district
E07000003,CCC,Gamma District Council,Gamma,North East,district
E06000004,DDD,Delta Council,Delta,North West,unitary
E09000005,EEE,London Borough of Epsilon,Epsilon,London,London borough
"""
A, B, C, D, E = "E06000001", "E07000002", "E07000003", "E06000004", "E09000005"
REGION = {A: "North East", B: "North West", C: "North East", D: "North West", E: "London"}


def levels(items, default, **overrides):
    """{item: (current, target)}: ``default`` for every item, with overrides by hand."""
    return {item: overrides.get(item, default) for item in items}


# Round 2024, all on 1.0.0
A24 = levels(ITEMS_10, (2, 3), C2=(1, 3), E4=(3, 4))
B24 = levels(ITEMS_10, (3, 4), C2=(4, 5), L1=(3, None))
C24 = levels(ITEMS_10, (1, 2))
# Round 2026: A and B on 1.1.0-example, D still on 1.0.0
A26 = levels(ITEMS_11, (3, 4), C2A=(1, 2), C2B=(2, 3), E4=(2, 4), E5=(4, 5))
B26 = levels(ITEMS_11, (3, 4), C2A=(5, 5), C2B=(3, 3), L1=(None, 4), E5=(2, 3))
D26 = levels(ITEMS_10, (4, 5), C2=(2, 5))
A26_OLD = levels(ITEMS_11, (1, 1))  # an earlier 2026 file from A: superseded by A26

# What must count in 2026 under the 1.1.0 item ids, by hand: D's C2 goes to C2A and C2B,
# D has no E5.
D26_POOLED = {
    "L1": (4, 5),
    "L2": (4, 5),
    "L3": (4, 5),
    "L4": (4, 5),
    "C1": (4, 5),
    "C2A": (2, 5),
    "C2B": (2, 5),
    "C3": (4, 5),
    "B1": (4, 5),
    "B2": (4, 5),
    "B3": (4, 5),
    "E1": (4, 5),
    "E2": (4, 5),
    "E3": (4, 5),
    "E4": (4, 5),
}
POOLED_2026 = {A: A26, B: B26, D: D26_POOLED}

# Movement of the current level from 2024 to 2026, by hand ('' = a level left blank).
_SAME_ITEMS = ("L2", "L3", "L4", "C1", "C3", "B1", "B2", "B3", "E1", "E2", "E3")
MOVES = {
    A: {
        **{i: "up" for i in ("L1", *_SAME_ITEMS)},  # 2 -> 3
        "C2A": "same",  # C2 1 -> 1
        "C2B": "up",  # C2 1 -> 2
        "E4": "down",  # 3 -> 2
        "E5": "not comparable",  # added in 1.1.0
    },
    B: {
        **{i: "same" for i in _SAME_ITEMS},  # 3 -> 3
        "L1": "",  # 3 -> blank
        "C2A": "up",  # C2 4 -> 5
        "C2B": "down",  # C2 4 -> 3
        "E4": "same",
        "E5": "not comparable",
    },
}


def make_return(
    path, code, model, round_, answers, date=None, register=None, problems=(), model_key=None
):
    """A Return as the reader would give it; ``answers`` maps item -> (current, target)."""
    council = register.by_code(code) if register is not None and code else None
    model_id, version = model_key or (model.id, model.version)
    return Return(
        path=str(path),
        format="xlsx",
        council=council,
        council_code=code or "",
        council_name=council.name if council else "",
        model_id=model_id,
        model_version=version,
        model_fingerprint=model.fingerprint,
        round=round_,
        answers={
            item: Answer(
                item,
                LEVELS[c - 1] if c else None,
                LEVELS[t - 1] if t else None,
                f"Evidence {item}",
            )
            for item, (c, t) in answers.items()
        },
        respondent=Respondent(date_completed=date),
        item_count=len(model.items),
        problems=list(problems),
    )


@pytest.fixture(scope="module")
def register(tmp_path_factory):
    path = tmp_path_factory.mktemp("register") / "register.csv"
    path.write_text(REGISTER_CSV, encoding="utf-8")
    return load_register(path)


@pytest.fixture(scope="module")
def archive():
    return load_archive(PACKAGED_ARCHIVE, extra=[M10, M11])


def mixed_returns(register) -> list[Return]:
    junk = Problem("bad-thing", "not a workbook", Location(file="junk.xlsx"), Severity("error"))
    return [
        make_return("a-2024.xlsx", A, M10, "2024", A24, dt.date(2024, 3, 1), register),
        make_return("b-2024.xlsx", B, M10, "2024", B24, dt.date(2024, 3, 2), register),
        make_return("c-2024.xlsx", C, M10, "2024", C24, dt.date(2024, 3, 3), register),
        make_return("a-2026.xlsx", A, M11, "2026", A26, dt.date(2026, 4, 1), register),
        make_return("a-2026-old.xlsx", A, M11, "2026", A26_OLD, dt.date(2026, 2, 1), register),
        make_return("b-2026.xlsx", B, M11, "2026", B26, dt.date(2026, 4, 2), register),
        make_return("d-2026.xlsx", D, M10, "2026", D26, dt.date(2026, 4, 3), register),
        make_return("junk.xlsx", None, M10, "", {}, None, register, [junk], ("", "")),
    ]


STATES = {
    "a-2024.xlsx": "yes",
    "b-2024.xlsx": "yes",
    "c-2024.xlsx": "yes",
    "a-2026.xlsx": "yes",
    "a-2026-old.xlsx": "superseded",
    "b-2026.xlsx": "yes",
    "d-2026.xlsx": "yes",
    "junk.xlsx": "rejected",
}


@pytest.fixture(scope="module")
def mixed(register, archive):
    return collate_returns(mixed_returns(register), M11, register, archive=archive)


@pytest.fixture(scope="module")
def mixed_workbook(mixed, tmp_path_factory):
    path = write_summary_workbook(mixed, tmp_path_factory.mktemp("wb") / "summary.xlsx")
    return openpyxl.load_workbook(path), path


# --- hand computations ------------------------------------------------------------------------
def given(truth: dict, codes, item: str, measure: str) -> list[int]:
    index = MEASURES.index(measure)
    found = []
    for code in codes:
        if item in truth[code] and truth[code][item][index] is not None:
            found.append(truth[code][item][index])
    return found


def expected_shares(truth: dict, codes, items) -> dict:
    """(item, measure, level) -> (count, percent) over the councils ``codes``; percents by
    the largest remainder (written out by hand in test_collate), None for nobody."""
    result = {}
    for item in items:
        for measure in MEASURES:
            values = given(truth, codes, item, measure)
            counts = [values.count(score) for score in range(1, len(LEVELS) + 1)]
            percents = largest_remainder(counts) or [None] * len(LEVELS)
            for level, count, percent in zip(LEVELS, counts, percents, strict=True):
                result[(item, measure, level)] = (count, percent)
    return result


def same_share(row, expected) -> bool:
    count, percent = expected
    return row.count == count and close(row.percent, percent)


def share_up(moves: list[str]) -> float | None:
    compared = [m for m in moves if m in ("up", "same", "down")]
    return round(100 * compared.count("up") / len(compared), 1) if compared else None


def close(actual, expected) -> bool:
    if expected is None:
        return actual is None or (isinstance(actual, float) and math.isnan(actual))
    return actual is not None and abs(float(actual) - float(expected)) < 1e-9


# --- which returns count ----------------------------------------------------------------------
def test_duplicates_are_per_council_and_round(mixed):
    states = dict(zip(mixed.log["source_file"], mixed.log["counted"], strict=True))
    assert states == STATES  # A's 2024 return is not superseded by its 2026 ones
    assert [r.path for r in mixed.superseded] == ["a-2026-old.xlsx"]
    assert mixed.rounds == {"2024": 3, "2026": 3}
    assert (mixed.latest_round, mixed.previous_round) == ("2026", "2024")
    assert mixed.model_versions == {f"nps-2018 {V10}": 4, f"nps-2018 {V11}": 2}
    by_round = mixed.versions_by_round()
    assert by_round.values.tolist() == [
        ["2024", f"nps-2018 {V10}", 3],
        ["2026", f"nps-2018 {V10}", 1],
        ["2026", f"nps-2018 {V11}", 2],
    ]


def test_returns_log_has_the_round_and_every_file_once(mixed, tmp_path):
    assert list(mixed.log.columns) == list(RETURNS_COLUMNS)
    assert "round" in RETURNS_COLUMNS
    written = write_data(mixed, tmp_path)
    log = pd.read_csv(written[0], dtype=str, keep_default_na=False)
    assert list(log.columns) == list(RETURNS_COLUMNS)
    assert log["source_file"].tolist() == list(STATES)  # every file once, in input order
    assert log["round"].tolist() == ["2024"] * 3 + ["2026"] * 4 + [""]


def test_answers_hold_the_latest_round_under_the_ids_answered(mixed):
    answers = mixed.answers
    assert list(answers.columns) == list(ANSWERS_COLUMNS)
    sizes = answers.groupby("council_code").size().to_dict()
    assert sizes == {A: len(ITEMS_11), B: len(ITEMS_11), D: len(ITEMS_10)}
    for code, items, version in ((A, ITEMS_11, V11), (B, ITEMS_11, V11), (D, ITEMS_10, V10)):
        rows = answers[answers["council_code"] == code]
        assert tuple(rows["item_id"]) == items
        assert set(rows["model_version"]) == {version}
    rows = answers.set_index(["council_code", "item_id"])
    assert rows.at[(D, "C2"), "current_level"] == "Developing"
    assert rows.at[(D, "C2"), "item_name"] == "Managing contracts and relationships"
    assert rows.at[(A, "C2A"), "current_score"] == 1
    assert not answers["source_file"].str.contains("2024|old").any()


# --- pooled summaries -------------------------------------------------------------------------
def test_national_summary_pools_versions_and_matches_hand_computation(mixed):
    frame = mixed.summary()
    assert list(frame.columns) == list(SUMMARY_COLUMNS)
    assert tuple(dict.fromkeys(frame["item_id"])) == ITEMS_11  # never C2, never a 1.0-only id
    expected = expected_shares(POOLED_2026, (A, B, D), ITEMS_11)
    assert len(frame) == len(expected)
    for row in frame.itertuples(index=False):
        assert same_share(row, expected[(row.item_id, row.measure, row.level)]), row
    national = frame.set_index(["item_id", "measure", "level"])
    # spot checks by hand: C2A current is A 1, B 5 and D's C2 2 (a third each: the lowest
    # level takes the tenth that makes 100)
    assert national.at[("C2A", "current", "Minimum"), "percent"] == 33.4
    assert national.at[("C2A", "current", "Innovator"), "percent"] == 33.3
    assert national.at[("C2A", "current", "Developing"), "count"] == 1
    assert national.at[("C2B", "current", "Developing"), "percent"] == 66.7  # A 2, D's C2 2
    # E5 only over A (4) and B (2): D's 1.0.0 return has no E5 and is not a blank
    assert national.at[("E5", "current", "Leader"), "percent"] == 50.0
    assert national.at[("E5", "current", "Developing"), "percent"] == 50.0
    # L1: B left current blank, so over A and D
    assert national.at[("L1", "current", "Mature"), "percent"] == 50.0


def test_region_summary_and_item_stats_pool_versions(mixed):
    region = mixed.summary("region")
    for group, codes in (("North East", (A,)), ("North West", (B, D)), ("London", ())):
        expected = expected_shares(POOLED_2026, codes, ITEMS_11)
        rows = region[region["group"] == group]
        assert len(rows) == len(expected)
        for row in rows.itertuples(index=False):
            assert same_share(row, expected[(row.item_id, row.measure, row.level)]), row
    stats = mixed.item_stats().set_index("item_id")
    assert stats.at["E5", "n"] == 2 and stats.at["E5", "n_current"] == 2
    assert stats.at["C2A", "n"] == 3 and stats.at["C2A", "mean_current"] == pytest.approx(8 / 3)
    assert stats.at["C2B", "median_current"] == 2.0
    assert stats.at["L1", "n"] == 3 and stats.at["L1", "n_current"] == 2
    assert mixed.councils_in() == {"All councils": 3}


def test_nothing_is_version_only_when_the_lineage_is_comparable(mixed):
    assert mixed.version_only.empty
    assert mixed.version_summary().empty
    summaries = mixed.summaries()
    assert "model_version" not in set(summaries["group_type"])
    assert "C2" not in set(summaries["item_id"])
    assert mixed.version_mappings()[f"nps-2018 {V10}"]["C2"].new_ids == ("C2A", "C2B")


def test_response_and_not_returned_are_for_the_latest_round(mixed):
    assert [c.code for c in mixed.not_returned()] == [C, E]  # C returned in 2024 only
    response = mixed.response().set_index("region")
    # North East: A's two 2026 files (one superseded); C expected but not returned in 2026
    # expected, received, accepted, rejected, superseded, views, councils, response rate
    assert response.loc["North East"].tolist()[:8] == [2, 2, 2, 0, 1, 0, 1, 50.0]
    assert response.loc["North West"].tolist()[:8] == [2, 2, 2, 0, 0, 0, 2, 100.0]
    assert response.at["Council not identified", "rejected"] == 1  # junk: no round known
    assert response.loc["All regions"].tolist()[:8] == [5, 5, 4, 1, 1, 0, 3, 60.0]
    text = mixed.summary_text()
    assert "Read 8 files: 7 accepted" in text
    assert "1 superseded by a more recent return from the same council in the same round" in text
    assert "Round 2026: 3 councils covered of 5 in the register" in text
    assert "2 councils with no accepted return in that round" in text
    assert "Earlier rounds: 2024 (3 councils)" in text


# --- trends -----------------------------------------------------------------------------------
def test_trends_compare_councils_in_both_rounds_through_the_lineage(mixed):
    trends = mixed.trends
    assert list(trends.columns) == list(TRENDS_COLUMNS)
    assert list(dict.fromkeys(trends["council_code"])) == [A, B]  # by name; C, D in one round
    assert len(trends) == 2 * len(ITEMS_11)
    for code in (A, B):
        rows = trends[trends["council_code"] == code].set_index("item_id")
        assert tuple(rows.index) == ITEMS_11
        assert rows["movement"].to_dict() == MOVES[code]
        assert set(rows["previous_round"]) == {"2024"} and set(rows["latest_round"]) == {"2026"}
        assert set(rows["previous_model_version"]) == {V10}
        assert set(rows["latest_model_version"]) == {V11}
        assert rows.at["C2A", "previous_item_id"] == "C2"
        assert rows.at["C2B", "previous_item_id"] == "C2"
        assert rows.at["E5", "previous_item_id"] == ""
        assert pd.isna(rows.at["E5", "previous_score"])
    rows = trends.set_index(["council_code", "item_id"])
    assert rows.at[(A, "C2B"), "previous_level"] == "Minimum"  # A's 2024 C2
    assert rows.at[(A, "C2B"), "latest_level"] == "Developing"
    assert rows.at[(B, "C2A"), "previous_score"] == 4 and rows.at[(B, "C2A"), "latest_score"] == 5
    assert rows.at[(B, "L1"), "latest_level"] == ""
    assert rows.at[(A, "E5"), "latest_level"] == "Leader"


def test_movement_by_region_matches_hand_computation(mixed):
    table = mixed.movement("region")
    assert list(table.columns) == list(MOVEMENT_COLUMNS)
    assert list(dict.fromkeys(table["group"])) == ["North East", "North West", "London"]
    members = {"North East": [A], "North West": [B], "London": []}
    rows = table.set_index(["group", "item_id"])
    for group, codes in members.items():
        for item in ITEMS_11:
            moves = [MOVES[c][item] for c in codes]
            row = rows.loc[(group, item)]
            assert row["councils"] == len(codes)
            assert row["compared"] == sum(m in ("up", "same", "down") for m in moves)
            for key in ("up", "same", "down"):
                assert row[key] == moves.count(key)
            assert row["not_comparable"] == moves.count("not comparable")
            assert close(row["share_up"], share_up(moves)), (group, item)
        every = [MOVES[c][i] for c in codes for i in ITEMS_11]
        total = rows.loc[(group, ALL_ITEMS)]
        assert total["compared"] == sum(m in ("up", "same", "down") for m in every)
        assert close(total["share_up"], share_up(every))
    # by hand: North East (A) moved up on 13 of 15 comparable items, North West (B) on 1 of 14
    assert rows.at[("North East", ALL_ITEMS), "share_up"] == 86.7
    assert rows.at[("North West", ALL_ITEMS), "share_up"] == 7.1
    national = mixed.movement(None).set_index("item_id")
    assert national.at["C2A", "share_up"] == 50.0  # A same, B up
    assert national.at[ALL_ITEMS, "share_up"] == round(100 * 14 / 29, 1)
    assert national.at["E5", "compared"] == 0 and national.at["E5", "not_comparable"] == 2


def test_trends_csv_is_written_only_with_two_rounds(mixed, register, archive, tmp_path):
    written = write_data(mixed, tmp_path / "data")
    names = ["returns", "answers", "summary", "statistics", "respondents", "within_councils"]
    exact = ["returns.jsonl", "answers.jsonl", "respondents.jsonl"]
    assert [p.name for p in written] == [f"{name}.csv" for name in [*names, "trends"]] + exact
    trends = pd.read_csv(written[-4], dtype=str, keep_default_na=False)
    assert list(trends.columns) == list(TRENDS_COLUMNS)
    assert len(trends) == 2 * len(ITEMS_11)
    summary = pd.read_csv(written[2], dtype={"item_id": str})
    assert "C2" not in set(summary["item_id"])
    one_round = [r for r in mixed_returns(register) if r.round != "2024"]
    again = collate_returns(one_round, M11, register, archive=archive)
    assert again.trends.empty and list(again.trends.columns) == list(TRENDS_COLUMNS)
    assert again.movement().empty
    written = write_data(again, tmp_path / "data")
    assert [p.name for p in written] == [f"{name}.csv" for name in names] + exact
    assert not (tmp_path / "data" / "trends.csv").exists()  # the stale one is gone


# --- the summary workbook ---------------------------------------------------------------------
def rows_of(ws) -> list[tuple]:
    return list(ws.iter_rows(values_only=True))


def text_of(ws) -> str:
    return " ".join(str(v) for row in rows_of(ws) for v in row if v is not None)


def test_workbook_has_versions_and_trends_sheets(mixed_workbook):
    wb, _ = mixed_workbook
    assert wb.sheetnames[-5:] == ["Versions", "Trends", "Returns log", "Not returned", "Data"]
    overview = text_of(wb["Overview"])
    assert f"nps-2018 {V10} (4 returns), nps-2018 {V11} (2 returns)" in overview
    assert "2024 (3 councils), 2026 (3 councils)" in overview
    versions = rows_of(wb["Versions"])
    c2 = next(row for row in versions if row[1] == "C2  Managing contracts and relationships")
    assert c2[:5] == (
        f"nps-2018 {V10}",
        "C2  Managing contracts and relationships",
        "split",
        "C2A  Managing contracts, C2B  Managing supplier relationships",
        "Yes: comparable",
    )
    e5 = next(row for row in versions if row[3] == "E5  Adding value")
    assert e5[2] == "added"
    assert "Nothing is version-only" in text_of(wb["Versions"])


def test_workbook_trends_sheet_figures(mixed_workbook):
    wb, _ = mixed_workbook
    rows = rows_of(wb["Trends"])
    header = next(row for row in rows if row[0] == "Key area or enabler")
    assert header[1:5] == ("North East", "North West", "London", "All councils")
    shares = {row[0].split()[0]: row for row in rows[rows.index(header) + 1 :][:17]}
    for item in ITEMS_11:
        row = shares[item]
        assert close(row[1], share_up([MOVES[A][item]])), item
        assert close(row[2], share_up([MOVES[B][item]])), item
        assert row[3] is None  # London: nobody compared
        assert close(row[4], share_up([MOVES[A][item], MOVES[B][item]])), item
    counts = next(row for row in rows if row[0] == "North East" and row[1] == 1)
    assert counts[1:8] == (1, 15, 13, 1, 1, 1, 86.7)
    table = next(i for i, row in enumerate(rows) if row[0] == "Council" and row[1] == "Code")
    body = [row for row in rows[table + 1 :] if row[0]]
    assert len(body) == 2 * len(ITEMS_11)
    moves = {(row[1], row[3]): row[12] for row in body}
    assert moves == {(c, i): MOVES[c][i] or None for c in (A, B) for i in ITEMS_11}
    assert {row[7] for row in body if row[3] in ("C2A", "C2B")} == {"C2"}


def test_workbook_trends_chart_and_print_setup(mixed_workbook):
    wb, path = mixed_workbook
    with zipfile.ZipFile(path) as archive:
        charts = [
            archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/charts/chart")
        ]
        drawings = "".join(
            archive.read(n).decode()
            for n in archive.namelist()
            if n.startswith("xl/drawings/drawing")
        )
    trend = [c for c in charts if "moved up from 2024 to 2026" in c]
    assert len(trend) == 1
    assert 'c:grouping val="clustered"' in trend[0] and trend[0].count("<c:title>") >= 3
    assert trend[0].count("<c:ser>") == 3  # North East, North West, All councils
    assert "Clustered bar chart: for each key area or enabler" in drawings
    assert drawings.count('descr="') == len(charts)
    for name in ("Versions", "Trends"):
        ws = wb[name]
        assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "landscape"
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToHeight == 0
        assert ws.print_title_rows and ws.freeze_panes
        assert "Page &P of &N" in ws.oddFooter.center.text


def test_workbook_national_sheet_never_shows_old_ids(mixed_workbook):
    wb, _ = mixed_workbook
    labels = [row[0] for row in rows_of(wb["All councils in the register"]) if row[0]]
    assert "C2A  Managing contracts" in labels
    assert not any(str(label).startswith("C2 ") for label in labels)
    heat = rows_of(wb["Heat map"])
    header = next(row for row in heat if row[0] == "Region")
    assert header[2 : 2 + len(ITEMS_11)] == ITEMS_11


def test_council_text_in_the_new_sheets_is_made_safe(register, archive, tmp_path):
    nasty = '=HYPERLINK("http://x","y")'
    returns = mixed_returns(register)
    for ret in returns:
        if ret.council is not None and ret.council.code == A:
            ret.council = type(ret.council)(
                A, "AAA", nasty, "Alpha", "North East", "unitary"
            )  # the register's name, as untrusted as any other text
    collation = collate_returns(returns, M11, register, archive=archive)
    path = write_summary_workbook(collation, tmp_path / "nasty.xlsx")
    wb = openpyxl.load_workbook(path)
    cells = [row[0] for row in wb["Trends"].iter_rows()]
    named = [c for c in cells if c.value == nasty]  # as typed, no apostrophe in the text
    assert named and all(c.quotePrefix and c.data_type == "s" for c in named)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate)


# --- removed, merged, no lineage (synthetic models) -------------------------------------------
def _levels_yaml(prefix: str) -> str:
    return "\n".join(f"          {lv}: {prefix} at level {lv}." for lv in LEVELS)


def _item_yaml(item_id: str, name: str, enabler: bool = False) -> str:
    if enabler:
        return f"  - id: {item_id}\n    name: {name}\n    levels:\n{_levels_yaml(name)}"
    return (
        f"      - id: {item_id}\n        name: {name}\n"
        f"        description: What {name} covers.\n"
        "        what_it_is: What it is.\n        why_it_is_important: Why it matters.\n"
        f"        levels:\n{_levels_yaml(name)}"
    )


def small_model(version: str, key_areas, enablers, replaces: str = "") -> str:
    head = f"""id: small
version: "{version}"
title: A small strategy
short_name: SMALL
publisher: Test Association
published: "2020-01"
source_url: https://example.org/strategy
purpose: A purpose.
brand:
  organisation: Test Association
  strategy_short_name: SMALL
  font: Arial
  colours:
    header: {{background: "#1F3864", text: "#FFFFFF"}}
    theme: {{background: "#D9E2F3", text: "#1F3864"}}
    input: {{background: "#FFF2CC", text: "#000000"}}
    chosen: {{background: "#C6EFCE", text: "#00501E"}}
    target: {{background: "#DDEBF7", text: "#1F3864"}}
    warning: {{background: "#FFC7CE", text: "#8A0005"}}
    muted: {{background: "#FFFFFF", text: "#595959"}}
levels:
"""
    levels_yaml = "\n".join(f"  - {{name: {lv}, score: {i}}}" for i, lv in enumerate(LEVELS, 1))
    areas = "\n".join(_item_yaml(i, n) for i, n in key_areas)
    ens = "\n".join(_item_yaml(i, n, enabler=True) for i, n in enablers)
    body = (
        f"\nthemes:\n  - id: ONE\n    name: Theme one\n    key_areas:\n{areas}\n"
        f"enablers_description: The enablers.\nenablers:\n{ens}\n"
    )
    return head + levels_yaml + body + replaces


SMALL_1 = model_from_text(
    small_model(
        "1.0",
        [("A1", "Area one"), ("A2", "Area two"), ("B1", "Area three"), ("B2", "Area four")],
        [("E1", "Enabler one")],
    )
)
SMALL_2 = model_from_text(
    small_model(
        "2.0",
        [("A1", "Area one"), ("B9", "Areas three and four")],
        [("E1A", "Enabler one, part A"), ("E1B", "Enabler one, part B"), ("E2", "New enabler")],
        """replaces:
  id: small
  version: "1.0"
  lineage:
  - {change: unchanged, old: A1, new: A1}
  - {change: removed, old: A2}
  - {change: merged, old: [B1, B2], new: B9}
  - {change: split, old: E1, new: [E1A, E1B]}
  - {change: added, new: E2}
""",
    )
)
P, Q, R = A, B, D  # P: both rounds; Q: 2026 on the old version; R: 2026 on the new one
P24 = {"A1": (1, 2), "A2": (2, 3), "B1": (2, 2), "B2": (3, 3), "E1": (2, 4)}
P26 = {"A1": (3, 4), "B9": (3, 4), "E1A": (2, 3), "E1B": (3, 3), "E2": (4, 4)}
Q26 = {"A1": (2, 2), "A2": (5, 5), "B1": (1, 2), "B2": (4, 4), "E1": (3, 4)}
R26 = {"A1": (2, 3), "B9": (5, 5), "E1A": (1, 2), "E1B": (1, 2), "E2": (2, 3)}
SMALL_POOLED = {  # by hand: Q's A1 and E1 (as both E1A and E1B) count; A2, B1, B2 do not
    P: P26,
    Q: {"A1": (2, 2), "E1A": (3, 4), "E1B": (3, 4)},
    R: R26,
}
SMALL_ITEMS = ("A1", "B9", "E1A", "E1B", "E2")


@pytest.fixture(scope="module")
def small(register):
    archive = ModelArchive((SMALL_1, SMALL_2))
    returns = [
        make_return("p-2024.xlsx", P, SMALL_1, "2024", P24, None, register),
        make_return("p-2026.xlsx", P, SMALL_2, "2026", P26, None, register),
        make_return("q-2026.xlsx", Q, SMALL_1, "2026", Q26, None, register),
        make_return("r-2026.xlsx", R, SMALL_2, "2026", R26, None, register),
    ]
    return collate_returns(returns, SMALL_2, register, archive=archive)


def test_removed_and_merged_items_never_appear_under_current_items(small):
    national = small.summary()
    assert tuple(dict.fromkeys(national["item_id"])) == SMALL_ITEMS
    expected = expected_shares(SMALL_POOLED, (P, Q, R), SMALL_ITEMS)
    for row in national.itertuples(index=False):
        assert same_share(row, expected[(row.item_id, row.measure, row.level)]), row
    stats = small.item_stats().set_index("item_id")
    assert stats.at["B9", "n"] == 2  # merged: only the 2.0 returns (P, R)
    assert stats.at["E2", "n"] == 2  # added: only the 2.0 returns
    assert stats.at["E1A", "n"] == 3 and stats.at["A1", "n"] == 3
    for by in (None, "region", "council_type"):
        assert not {"A2", "B1", "B2", "E1"} & set(small.summary(by)["item_id"])


def test_items_only_in_an_older_version_are_reported_per_version(small):
    table = small.version_only
    assert table[["model_version", "item_id", "change", "n", "n_current"]].values.tolist() == [
        ["small 1.0", "A2", "removed", 1, 1],
        ["small 1.0", "B1", "merged", 1, 1],
        ["small 1.0", "B2", "merged", 1, 1],
    ]
    assert table["mean_current"].tolist() == [5.0, 1.0, 4.0]  # Q's levels, nobody else's
    rows = small.version_summary()
    assert set(rows["group_type"]) == {"model_version"} and set(rows["group"]) == {"small 1.0"}
    assert tuple(dict.fromkeys(rows["item_id"])) == ("A2", "B1", "B2")
    counted = rows[rows["count"] > 0].set_index(["item_id", "measure"])["level"].to_dict()
    assert counted == {
        ("A2", "current"): "Innovator",
        ("A2", "target"): "Innovator",
        ("B1", "current"): "Minimum",
        ("B1", "target"): "Developing",
        ("B2", "current"): "Leader",
        ("B2", "target"): "Leader",
    }
    assert rows[rows["count"] > 0]["percent"].eq(100.0).all()
    summaries = small.summaries()
    old = summaries[summaries["item_id"].isin(["A2", "B1", "B2"])]
    assert set(old["group_type"]) == {"model_version"}  # never as a national zero


def test_trends_across_a_merge_and_a_removal(small):
    trends = small.trends
    assert set(trends["council_code"]) == {P}
    moves = trends.set_index("item_id")["movement"].to_dict()
    assert moves == {
        "A1": "up",  # 1 -> 3
        "B9": "not comparable",  # merged from B1 and B2
        "E1A": "same",  # E1 2 -> 2
        "E1B": "up",  # E1 2 -> 3
        "E2": "not comparable",  # added
    }
    assert "A2" not in set(trends["item_id"])


def test_without_a_lineage_a_version_is_reported_apart(register):
    returns = [
        make_return("q-2026.xlsx", Q, SMALL_1, "2026", Q26, None, register),
        make_return("r-2026.xlsx", R, SMALL_2, "2026", R26, None, register),
    ]
    collation = collate_returns(returns, SMALL_2, register)  # no archive
    expected = expected_shares({R: R26}, (R,), SMALL_ITEMS)
    for row in collation.summary().itertuples(index=False):
        assert (row.count, row.percent) == expected[(row.item_id, row.measure, row.level)]
    table = collation.version_only
    assert table["item_id"].tolist() == ["A1", "A2", "B1", "B2", "E1"]
    assert set(table["change"]) == {"no lineage"}
    assert collation.version_mappings() == {"small 1.0": None}
    assert len(collation.answers) == 5 + 5  # both returns, each under its own ids


def test_small_workbook_lists_version_only_items(small, tmp_path):
    path = write_summary_workbook(small, tmp_path / "small.xlsx")
    wb = openpyxl.load_workbook(path)
    rows = rows_of(wb["Versions"])
    start = next(
        i for i, row in enumerate(rows) if row[0] == "Reported per version only (round 2026)"
    )
    only = [row for row in rows[start + 2 :] if row[0]]
    assert [(row[1], row[2], row[3]) for row in only] == [
        ("A2  Area two", "removed", 1),
        ("B1  Area three", "merged", 1),
        ("B2  Area four", "merged", 1),
    ]
    national = [row[0] for row in rows_of(wb["All councils in the register"]) if row[0]]
    assert not any(str(label).startswith(("A2 ", "B1 ", "B2 ")) for label in national)


# --- end to end, with real workbooks ----------------------------------------------------------
def read_with_round(path, models=(), register=None):
    """The reader, with the round taken from the year completed when the reader gives none.

    The reader fills ``round`` from the workbook (build_workbook's ``round``), else the year
    completed; this fallback only keeps the test meaningful with a reader that does not."""
    ret = read_return(path, models=list(models), register=register)
    if not ret.round and ret.respondent.date_completed is not None:
        completed = ret.respondent.date_completed
        ret.round = str(getattr(completed, "year", str(completed)[:4]))
    return ret


def _answers(model, plan: dict) -> dict[str, Answer]:
    return {
        item.id: Answer(item.id, LEVELS[plan[item.id][0] - 1], LEVELS[plan[item.id][1] - 1])
        for item in model.items
    }


def test_end_to_end_with_real_workbooks_of_two_versions(register, archive, tmp_path):
    def build(model, code, plan, year):
        path = tmp_path / f"{code}-{year}-{model.version}.xlsx"
        build_workbook(
            model,
            path,
            register.by_code(code),
            answers=_answers(model, plan),
            respondent=Respondent("A. Officer", "Head", "a@example.org", dt.date(year, 5, 1)),
            round=str(year),
        )
        return path

    a24 = levels(ITEMS_10, (2, 3), C2=(1, 3))
    a26 = levels(ITEMS_11, (3, 4), C2A=(1, 2), C2B=(2, 3), E5=(4, 5))
    d26 = levels(ITEMS_10, (4, 5), C2=(2, 5))
    paths = [build(M10, A, a24, 2024), build(M11, A, a26, 2026), build(M10, D, d26, 2026)]
    reader = functools.partial(read_with_round, models=[M10, M11], register=register)
    collation = collate(paths, register, model=M11, archive=archive, reader=reader)
    assert collation.log["status"].tolist() == [Status.ACCEPTED] * 3, collation.log[
        "problems"
    ].tolist()
    assert collation.log["counted"].tolist() == ["yes"] * 3
    assert collation.rounds == {"2024": 1, "2026": 2}
    assert collation.log["round"].tolist() == ["2024", "2026", "2026"]
    national = collation.summary().set_index(["item_id", "measure", "level"])
    assert national.at[("C2A", "current", "Minimum"), "percent"] == 50.0  # A 1, D's C2 2
    assert national.at[("C2B", "current", "Developing"), "percent"] == 100.0  # A 2, D's C2 2
    assert national.at[("E5", "current", "Leader"), "count"] == 1  # A only
    moves = collation.trends.set_index("item_id")["movement"].to_dict()
    assert moves["C2A"] == "same" and moves["C2B"] == "up" and moves["L1"] == "up"
    assert moves["E5"] == "not comparable"
    path = write_summary_workbook(collation, tmp_path / "summary.xlsx")
    assert {"Versions", "Trends"} <= set(openpyxl.load_workbook(path).sheetnames)


def test_default_reader_reads_every_archived_version(register, archive, tmp_path):
    path = tmp_path / "d.xlsx"
    build_workbook(
        M10,
        path,
        register.by_code(D),
        answers=_answers(M10, levels(ITEMS_10, (4, 5))),
        respondent=Respondent("A. Officer", "Head", "a@example.org", dt.date(2026, 5, 1)),
        round="2026",
    )
    collation = collate([path], register, model=M11, archive=archive)
    assert collation.log["status"].tolist() == [Status.ACCEPTED], collation.log["problems"].tolist()
    assert set(collation.answers["model_version"]) == {V10}
    assert collation.log["round"].tolist() == ["2026"]  # filled by the reader
    assert (
        collation.summary()
        .set_index(["item_id", "measure", "level"])
        .at[("C2A", "current", "Leader"), "count"]
        == 1
    )
