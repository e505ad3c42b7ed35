"""The summary workbook's Support planning sheet, for the coordinator: each council's gap to
its own targets per item (blank where it did not give both levels), and the items where most
councils are furthest from their targets, checked cell by cell against the answers the
councils gave (answers.csv of the same run), on workbooks the project generates.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import LEVELS, column_pixels_of, sample_answers

from npsxl import build_workbook
from npsxl.cli import cli
from npsxl.model.answers import Answer
from npsxl.workbook.demo import make_returns

SHEET = "Support planning"
FAR = 2  # levels: "2 or more levels from their target"


@pytest.fixture(scope="module")
def collated(tmp_path_factory, model, register):
    """Returns of five North East and three North West councils (the generator's answers),
    York with answers of its own (one current level left blank, one target below the
    current level), then `npsxl collate`."""
    folder = tmp_path_factory.mktemp("support")
    returns = folder / "returns"
    chosen = register.in_region("North East")[:5] + register.in_region("North West")[:3]
    make_returns(model, chosen, returns, round="2026", faulty=0, seed=11)
    answers = sample_answers(model, seed=1)
    answers["L1"] = Answer("L1", None, "Leader", "Evidence", "Actions")
    answers["E4"] = Answer("E4", "Leader", "Developing", "Evidence", "Actions")
    answers["C1"] = Answer("C1", LEVELS[0], LEVELS[4], "Evidence", "Actions")  # 4 levels
    build_workbook(
        model, returns / "york.xlsx", register.match("York"), answers=answers, round="2026"
    )
    out = folder / "summary.xlsx"
    result = CliRunner().invoke(
        cli, ["collate", str(returns), "--out", str(out), "--data-dir", str(folder / "data")]
    )
    assert result.exit_code in (0, 1), result.output
    with open(folder / "data" / "answers.csv", encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return openpyxl.load_workbook(out), rows


def given_gaps(rows) -> dict[str, dict[str, int | None]]:
    """council name -> item id -> target score minus current score (None: not both given),
    from answers.csv."""
    gaps: dict[str, dict[str, int | None]] = defaultdict(dict)
    for row in rows:
        both = row["current_score"] and row["target_score"]
        gap = int(row["target_score"]) - int(row["current_score"]) if both else None
        gaps[row["council_name"]][row["item_id"]] = gap
    return gaps


def grid(ws, items: list[str]) -> tuple[dict[str, dict[str, object]], list[str]]:
    """The gaps table as council name -> header -> cell value, and the region rows' texts."""
    rows = list(ws.iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if r[0] == "Council")
    names = list(rows[header])
    assert names[1 : 1 + len(items)] == items
    table, regions = {}, []
    for row in rows[header + 1 :]:
        if row[0] is None:
            break
        if all(v is None for v in row[1:]):
            regions.append(row[0])  # a region's merged heading
            continue
        table[row[0]] = dict(zip(names[1:], row[1:], strict=True))
    return table, regions


def test_every_gap_is_the_councils_target_minus_its_current_level(collated, model):
    wb, rows = collated
    items = [item.id for item in model.items]
    table, regions = grid(wb[SHEET], items)
    expected = given_gaps(rows)
    assert set(table) == set(expected) and len(table) >= 6
    for council, gaps in expected.items():
        for item in items:
            assert table[council][item] == gaps[item], (council, item)
        known = [g for g in gaps.values() if g is not None]
        assert table[council]["Items below target"] == sum(g > 0 for g in known)
        assert table[council]["Largest gap"] == max(known)
    york = next(name for name in table if "York" in name)
    assert table[york]["L1"] is None  # the current level left blank: no gap, not a 0
    assert table[york]["E4"] == LEVELS.index("Developing") - LEVELS.index("Leader") < 0
    assert table[york]["C1"] == len(LEVELS) - 1
    assert regions[0].startswith("North East (") and "North West" in regions[1]


def test_the_items_where_most_councils_are_furthest_come_first(collated, model):
    wb, rows = collated
    gaps = given_gaps(rows)
    furthest, far, behind, both = Counter(), Counter(), Counter(), Counter()
    for by_item in gaps.values():
        known = {item: gap for item, gap in by_item.items() if gap is not None}
        largest = max(known.values())
        for item, gap in known.items():
            both[item] += 1
            furthest[item] += largest > 0 and gap == largest
            far[item] += gap >= FAR
            behind[item] += gap > 0
    ws = wb[SHEET]
    shown = []
    for row in ws.iter_rows(values_only=True):
        if isinstance(row[0], str) and row[0][:1].isdigit() and ". " in row[0]:
            rank, rest = row[0].split(". ", 1)
            item = rest.split()[0]
            figures = [v for v in row[1:] if v is not None]
            shown.append((int(rank), item, *figures))
    assert [s[0] for s in shown] == list(range(1, len(model.items) + 1))
    for _rank, item, n_furthest, n_far, n_behind, n_both, mean in shown:
        assert (n_furthest, n_far, n_behind, n_both) == (
            furthest[item],
            far[item],
            behind[item],
            both[item],
        ), item
        known = [g[item] for g in gaps.values() if g.get(item) is not None]
        assert mean == pytest.approx(sum(known) / len(known))
    keys = [(s[2], s[3], s[4], s[6]) for s in shown]
    assert keys == sorted(keys, reverse=True)  # most councils furthest first


def test_the_sheet_prints_its_priorities_and_keeps_the_grid_on_screen(collated):
    wb, _rows = collated
    ws = wb[SHEET]
    area = ws.print_area[0] if isinstance(ws.print_area, list) else ws.print_area
    last_printed = int(area.split(":")[-1].lstrip("$ABCDEFGHIJKLMNOPQRSTUVWXYZ").strip("$"))
    texts = [str(r[0]) for r in ws.iter_rows(max_row=last_printed, values_only=True) if r[0]]
    assert any(t.startswith("Items where most councils are furthest") for t in texts)
    assert any("not printed with the workbook" in t for t in texts)
    assert "Council" not in texts  # the gaps table is not in the printout...
    header = next(r[0].row for r in ws.iter_rows() if r[0].value == "Council")
    assert header > last_printed and ws.print_title_rows == f"${header}:${header}"  # ...but
    # printed as a selection, it repeats its header row on each page
    assert ws.page_setup.orientation == "landscape" and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToWidth in (None, 1)  # one page wide (1 is the default)
    assert "not for publication" in texts[2]
    # a landscape page (100 width units) wide at 80 % or more, so its text prints at 8 pt+
    assert column_pixels_of(ws, 1, ws.max_column) <= round(100 / 0.8 * 7)
