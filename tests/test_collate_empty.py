"""Empty is empty (issue 13): a group with no answers shows "no returns", never 0 %;
summary.csv has ``n`` and a blank percent; statistics.csv; percentages add up to 100 by the
largest remainder; the register's scope names the all-councils sheet; CSV files carry a
byte order mark for Excel and still load in pandas and DuckDB.

Returns are built directly on the small model of test_collate (items A1, A2, B1, E1) and its
register of seven councils in four regions (London's only council sends nothing). Every
expected figure is written out by hand.
"""

from __future__ import annotations

import math
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from test_collate import ITEMS, LEVELS, MODEL, write_register

from npsxl.collation.collation import collate_returns
from npsxl.collation.columns import STATISTICS_COLUMNS, SUMMARY_COLUMNS
from npsxl.model.answers import Answer, Respondent
from npsxl.reading.returns import Return
from npsxl.report.csv_data import write_data
from npsxl.report.summary_workbook import write_summary_workbook

ROOT = Path(__file__).resolve().parent.parent

# council code -> {item: (current, target)}; B1 unanswered in the North East, A2 by half
ANSWERS = {
    "E06000001": {"A1": (1, 2), "A2": (1, None), "E1": (1, 2)},  # Alpha, North East
    "E06000002": {"A1": (2, 3), "E1": (2, 2)},  # Beta, North East
    "E08000003": {"A1": (3, 3), "A2": (2, 3), "B1": (2, 3), "E1": (2, 3)},  # Gamma, NW
    "E07000004": {"A1": (4, 4), "B1": (2, 3), "E1": (3, 3)},  # Delta, North West
    "E07000005": {"A1": (5, 5), "A2": (3, 3), "B1": (3, 4), "E1": (3, 5)},  # Epsilon, SW
    "E06000006": {"A1": (5, 5), "B1": (4, 4), "E1": (4, 4)},  # Zeta, South West
}
EVIDENCE = "Social value: £100k+ contracts, café suppliers, naïve résumé"


def make_return(folder: Path, register, code: str, answers: dict) -> Return:
    council = register.by_code(code)
    return Return(
        path=str(folder / f"{code}.xlsx"),
        format="xlsx",
        council=council,
        council_code=code,
        council_name=council.name,
        model_id=MODEL.id,
        model_version=MODEL.version,
        model_fingerprint=MODEL.fingerprint,
        round="2026",
        answers={
            item: Answer(item, LEVELS[c - 1], LEVELS[t - 1] if t else None, EVIDENCE)
            for item, (c, t) in answers.items()
        },
        respondent=Respondent(date_completed=None),
        item_count=len(ITEMS),
    )


@pytest.fixture(scope="module")
def case(tmp_path_factory):
    folder = tmp_path_factory.mktemp("empty")
    register = write_register(folder)
    returns = [make_return(folder, register, code, a) for code, a in ANSWERS.items()]
    collation = collate_returns(returns, MODEL, register)
    workbook = write_summary_workbook(collation, folder / "summary.xlsx")
    data = folder / "data"
    write_data(collation, data)
    return collation, openpyxl.load_workbook(workbook), data


def cell(frame, **where):
    rows = frame
    for key, value in where.items():
        rows = rows[rows[key] == value]
    assert len(rows) == 1, where
    return rows.iloc[0]


# --- summary.csv ------------------------------------------------------------------------------
def test_an_empty_group_has_n_zero_and_a_blank_percent(case):
    collation, _, _ = case
    region = collation.summary("region")
    assert list(region.columns) == list(SUMMARY_COLUMNS) and "n" in SUMMARY_COLUMNS
    london = region[region["group"] == "London"]
    assert len(london) == len(ITEMS) * 2 * len(LEVELS)  # the rows are there...
    assert (london["n"] == 0).all() and (london["count"] == 0).all()
    assert london["percent"].isna().all()  # ...and the percent is blank, not 0
    b1 = region[(region["group"] == "North East") & (region["item_id"] == "B1")]
    assert (b1["n"] == 0).all() and b1["percent"].isna().all()
    # a real zero stays a zero: nobody in the North West is at Minimum for A1 (2 answered)
    zero = cell(region, group="North West", item_id="A1", measure="current", level="Minimum")
    assert (zero["count"], zero["n"], zero["percent"]) == (0, 2, 0.0)


@pytest.mark.parametrize(
    "item, measure, expected",
    [
        # A1 current, six councils at 1, 2, 3, 4, 5, 5: 16.67 x 4 and 33.33 -> the three
        # largest remainders (ties to the lower level) get the missing tenths
        ("A1", "current", [16.7, 16.7, 16.7, 16.6, 33.3]),
        # A2 current, three councils at 1, 2, 3: a third each
        ("A2", "current", [33.4, 33.3, 33.3, 0.0, 0.0]),
        # E1 current 1, 2, 2, 3, 3, 4 and target 2, 2, 3, 3, 4, 5
        ("E1", "current", [16.7, 33.3, 33.3, 16.7, 0.0]),
        ("E1", "target", [0.0, 33.3, 33.3, 16.7, 16.7]),
        # B1 current 2, 2, 3, 4 (the North East gave none)
        ("B1", "current", [0.0, 50.0, 25.0, 25.0, 0.0]),
    ],
)
def test_percentages_add_up_to_100_by_largest_remainder(case, item, measure, expected):
    collation, _, _ = case
    national = collation.summary()
    got = [
        cell(national, item_id=item, measure=measure, level=level)["percent"] for level in LEVELS
    ]
    assert got == expected
    assert round(sum(got), 6) == 100.0


def test_every_answered_group_adds_up_to_100(case):
    collation, _, _ = case
    summaries = collation.summaries()
    totals = summaries.groupby(["group_type", "group", "item_id", "measure"])["percent"].sum(
        min_count=1
    )
    answered = totals.dropna()
    assert len(answered) > 0
    assert (answered.round(6) == 100.0).all()


# --- statistics.csv ---------------------------------------------------------------------------
def test_statistics_give_n_medians_means_gap_and_aims(case):
    collation, _, data = case
    stats = pd.read_csv(data / "statistics.csv")
    assert tuple(stats.columns) == STATISTICS_COLUMNS
    national = stats[stats["group_type"] == "national"].set_index("item_id")
    e1 = national.loc["E1"]
    # current 1, 2, 2, 3, 3, 4; target 2, 2, 3, 3, 4, 5; gaps 1, 0, 1, 0, 2, 0
    assert (e1["n"], e1["n_current"], e1["n_target"], e1["n_gap"]) == (6, 6, 6, 6)
    assert (e1["median_current"], e1["mean_current"]) == (2.5, 2.5)
    assert e1["median_target"] == 3.0 and math.isclose(e1["mean_target"], 19 / 6)
    assert math.isclose(e1["mean_gap"], 4 / 6)
    assert (e1["n_aiming_higher"], e1["share_aiming_higher"]) == (3, 50.0)
    a2 = national.loc["A2"]  # Alpha gave only a current level
    assert (a2["n"], a2["n_current"], a2["n_target"], a2["n_gap"]) == (3, 3, 2, 2)
    assert (a2["mean_gap"], a2["n_aiming_higher"], a2["share_aiming_higher"]) == (0.5, 1, 50.0)
    london = stats[(stats["group_type"] == "region") & (stats["group"] == "London")]
    assert len(london) == len(ITEMS) and (london["n"] == 0).all()
    figures = ["median_current", "mean_current", "mean_gap", "share_aiming_higher"]
    assert london[figures].isna().all().all()


def test_summary_csv_leaves_an_empty_percent_blank(case):
    _, _, data = case
    text = (data / "summary.csv").read_text(encoding="utf-8-sig")
    header, *lines = text.splitlines()
    assert header == ",".join(SUMMARY_COLUMNS)
    london = [line for line in lines if line.startswith("region,London,")]
    assert london and all(line.endswith(",0,0,") for line in london)


# --- CSV files for Excel, pandas and DuckDB ---------------------------------------------------
def test_csv_files_have_a_bom_for_excel_and_load_unchanged(case):
    import duckdb  # a test extra

    _, _, data = case
    for path in sorted(data.glob("*.csv")):
        assert path.read_bytes().startswith(b"\xef\xbb\xbf"), path.name
        frame = pd.read_csv(path)
        assert not frame.columns[0].startswith("\ufeff"), path.name
        relation = duckdb.read_csv(str(path))
        assert relation.columns == list(frame.columns), path.name
    answers = pd.read_csv(data / "answers.csv")
    assert answers.columns[0] == "council_code"
    assert EVIDENCE in set(answers["evidence"])
    rows = duckdb.sql(f"select evidence from read_csv('{data / 'answers.csv'}')").fetchall()
    assert (EVIDENCE,) in rows


# --- the workbook -----------------------------------------------------------------------------
def texts(ws) -> list[str]:
    return [str(v) for row in ws.iter_rows(values_only=True) for v in row if v is not None]


def test_no_sheet_for_a_region_without_returns_and_the_register_scope(case):
    _, wb, _ = case
    assert {"North East", "North West", "South West"} <= set(wb.sheetnames)
    assert "London" not in wb.sheetnames
    assert "National" not in wb.sheetnames  # seven councils are not all of England
    assert "All councils in the register" in wb.sheetnames
    overview = " ".join(texts(wb["Overview"]))
    assert "London" in overview and "no returns" in overview


def test_an_item_nobody_answered_shows_no_returns_never_zero(case):
    _, wb, _ = case
    ws = wb["North East"]
    rows = list(ws.iter_rows(values_only=True))
    b1 = next(i for i, row in enumerate(rows) if row[0] and str(row[0]).startswith("B1 "))
    region_row = rows[b1]
    assert "no returns" in region_row
    # the councils answering (column C) may be 0; no share is
    assert not [v for v in region_row[3:] if isinstance(v, (int, float))]
    heat = list(wb["Heat map"].iter_rows(values_only=True))
    london = [row for row in heat if row[0] == "London"]
    assert london and all("no returns" in row for row in london)
    assert not [v for row in london for v in row[2:] if isinstance(v, (int, float))]


def test_region_sheet_names_medians_shows_aims_as_shares_beside_all_councils(case):
    _, wb, _ = case
    rows = list(wb["North West"].iter_rows(values_only=True))
    top = next(i for i, row in enumerate(rows) if row[0] and str(row[0]).startswith("E1 "))
    region, everyone = rows[top], rows[top + 1]
    assert (
        everyone[0] == "all councils in the register"
    )  # beneath the region's row (a small register)
    header = next(i for i, row in enumerate(rows) if row[0] == "Key area or enabler")
    labels = [f"{a or ''}|{b or ''}" for a, b in zip(rows[header], rows[header + 1], strict=True)]
    median_current = next(i for i, text in enumerate(labels) if "Median current" in text)
    aiming = next(i for i, text in enumerate(labels) if "Aiming higher" in text)
    developing = labels.index("|Developing")  # the first: the current level's
    # North West E1: Gamma (2, 3), Delta (3, 3): median current 2.5, one of two aims higher;
    # all councils: current 1, 2, 2, 3, 3, 4 (median 2.5), three of six aim higher
    assert region[median_current] == "Developing/Mature"
    assert everyone[median_current] == "Developing/Mature"
    assert (region[aiming], everyone[aiming]) == (50, 50)
    # E1 current at Developing: one of two here; two of six of all councils (16.67 is
    # rounded down for Minimum and Leader's larger remainders: 17, 33, 33, 17)
    assert (region[developing], everyone[developing]) == (50, 33)
    assert region[1] == 2 and everyone[1] == 6  # councils answering


def test_the_national_register_keeps_the_national_sheet(model, register, tmp_path):
    leeds = register.match("Leeds")
    ret = Return(
        path=str(tmp_path / "leeds.xlsx"),
        council=leeds,
        council_code=leeds.code,
        council_name=leeds.name,
        model_id=model.id,
        model_version=model.version,
        answers={i.id: Answer(i.id, "Mature", "Leader") for i in model.items},
        item_count=len(model.items),
    )
    collation = collate_returns([ret], model, register)
    wb = openpyxl.load_workbook(write_summary_workbook(collation, tmp_path / "s.xlsx"))
    assert "National" in wb.sheetnames
    assert [s for s in wb.sheetnames if s in register.regions] == ["Yorkshire and The Humber"]
