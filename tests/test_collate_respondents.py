"""Several respondents per council (issue 13): agreed returns and respondents' views.

Returns are built directly as :class:`Return` objects with their kind set, on the small test
model of test_collate (items A1, A2, B1, E1) and its register. The council figures, the
states of every file, the spreads and the summaries expected are written out by hand below,
never computed with the code under test.

The rules (see the README, "Several respondents per council"):

* per council and round, the latest agreed return is the council's figure (``yes``); an
  earlier agreed one is ``superseded``, flagged ``agreed-returns-disagree`` when it comes
  from another respondent and gives another level anywhere both gave one;
* per respondent (email, else name, else role, case-folded), the latest view counts and an
  earlier one is ``superseded``; a counted view is ``view`` when the council has an agreed
  return (it adds the spread only) and ``derived`` when it has none: the council's figure
  is then the median level of its views per item and measure, the lower middle on a tie;
* a council counts once in every summary.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from test_collate import ITEMS, LEVELS, MEASURES, MODEL, write_register

from npsxl.cli import cli
from npsxl.collation.collation import collate_returns
from npsxl.core.problems import Location, Problem
from npsxl.model.answers import Answer, Respondent, ReturnKind
from npsxl.reading.returns import Return
from npsxl.report.csv_data import write_data
from npsxl.report.summary_workbook import write_summary_workbook

AGREED, VIEW = ReturnKind.AGREED, ReturnKind.VIEW
ALPHA, BETA, GAMMA, DELTA = "E06000001", "E06000002", "E08000003", "E07000004"
EPSILON, ZETA, ETA = "E07000005", "E06000006", "E09000007"


def person(name="", role="", email="", date=None) -> Respondent:
    return Respondent(name, role, email, dt.date.fromisoformat(date) if date else None)


# file -> (council, kind, respondent, {item: (current, target)}, errors)
FILES = {
    "alpha-agreed.xlsx": (
        ALPHA,
        AGREED,
        person("Sam Shaw", "Head of Procurement", "sam.shaw@alpha.example", "2026-03-01"),
        {"A1": (3, 4), "A2": (2, 3), "B1": (3, 3), "E1": (2, 4)},
    ),
    "alpha-view-priya.xlsx": (
        ALPHA,
        VIEW,
        person("Priya Patel", "Commercial Lead", "priya.patel@alpha.example", "2026-02-01"),
        {"A1": (1, 2), "A2": (2, 3), "B1": (3, 3), "E1": (2, 2)},
    ),
    "alpha-view-tom.xlsx": (
        ALPHA,
        VIEW,
        person("Tom Jones", "Procurement Officer", "tom.jones@alpha.example", "2026-02-02"),
        {"A1": (3, 4), "A2": (2, 2), "B1": (4, 4), "E1": (2, 3)},
    ),
    "alpha-view-aisha.xlsx": (
        ALPHA,
        VIEW,
        person("Aisha Khan", "Finance Partner", "aisha.khan@alpha.example", "2026-02-03"),
        {"A1": (5, 5), "A2": (3, 3), "B1": (3, 4), "E1": (3, 3)},
    ),
    "beta-jo-first.xlsx": (
        BETA,
        VIEW,
        person("Jo Smith", "Procurement Manager", "JO.SMITH@beta.example", "2026-01-10"),
        {"A1": (5, 5), "A2": (5, 5), "B1": (5, 5), "E1": (5, 5)},
    ),
    "beta-jo-second.xlsx": (
        BETA,
        VIEW,
        person("Jo Smith", "Procurement Manager", "jo.smith@beta.example", "2026-02-10"),
        {"A1": (2, 3), "A2": (1, 2), "B1": (3, 4)},  # E1 not answered
    ),
    "beta-ravi.xlsx": (
        BETA,
        VIEW,
        person("Ravi Khan", "Head of Commissioning", "ravi.khan@beta.example", "2026-01-20"),
        {"A1": (4, 5), "A2": (3, None), "E1": (2, 3)},  # B1 not answered, A2 no target
    ),
    "gamma-1.xlsx": (
        GAMMA,
        VIEW,
        person("Chris Lee", "Procurement Lead", "chris.lee@gamma.example", "2026-02-01"),
        {"A1": (1, 2), "A2": (2, 2), "B1": (2, 3), "E1": (1, 1)},
    ),
    "gamma-2.xlsx": (
        GAMMA,
        VIEW,
        person("Alex Roe", "Contracts Manager", "alex.roe@gamma.example", "2026-02-02"),
        {"A1": (4, 4), "A2": (2, 3), "B1": (5, 5), "E1": (1, 2)},
    ),
    "gamma-3.xlsx": (
        GAMMA,
        VIEW,
        person("Kim Wu", "Social Value Officer", "kim.wu@gamma.example", "2026-02-03"),
        {"A1": (2, 3), "A2": (4, 4), "B1": (3, 3), "E1": (2, 2)},
    ),
    "delta-chris.xlsx": (
        DELTA,
        AGREED,
        person("Chris Day", "Head of Procurement", "chris.day@delta.example", "2026-02-01"),
        {"A1": (2, 3), "A2": (2, 3), "B1": (2, 3), "E1": (2, 3)},
    ),
    "delta-alex.xlsx": (
        DELTA,
        AGREED,
        person("Alex Ng", "Chief Finance Officer", "alex.ng@delta.example", "2026-03-01"),
        {"A1": (3, 3), "A2": (2, 3), "B1": (2, 4), "E1": (2, 3)},
    ),
    "epsilon-first.xlsx": (
        EPSILON,
        AGREED,
        person("Pat Moss", "Procurement Manager", "pat.moss@epsilon.example", "2026-01-05"),
        {"A1": (1, 2), "A2": (1, 2), "B1": (1, 2), "E1": (1, 2)},
    ),
    "epsilon-second.xlsx": (
        EPSILON,
        AGREED,
        person("Pat Moss", "Procurement Manager", "PAT.MOSS@Epsilon.example", "2026-02-05"),
        {"A1": (2, 3), "A2": (2, 3), "B1": (3, 3), "E1": (1, 2)},
    ),
    "zeta-anonymous.xlsx": (
        ZETA,
        VIEW,
        person(date="2026-02-01"),
        {"A1": (3, 3), "A2": (3, 4), "B1": (2, 2), "E1": (4, 4)},
    ),
    "zeta-sam.xlsx": (
        ZETA,
        VIEW,
        person("Sam Poe", date="2026-02-02"),
        {"A1": (5, 5), "A2": (3, 4), "B1": (2, 3), "E1": (4, 5)},
    ),
    "eta-broken.xlsx": (ETA, AGREED, person("Lee Eta", "Officer", "lee@eta.example"), {}),
}
REJECTED = {"eta-broken.xlsx"}

# What became of every file, by hand.
STATES = {
    "alpha-agreed.xlsx": "yes",
    "alpha-view-priya.xlsx": "view",
    "alpha-view-tom.xlsx": "view",
    "alpha-view-aisha.xlsx": "view",
    "beta-jo-first.xlsx": "superseded",  # the same respondent (email, any case) sent again
    "beta-jo-second.xlsx": "derived",
    "beta-ravi.xlsx": "derived",
    "gamma-1.xlsx": "derived",
    "gamma-2.xlsx": "derived",
    "gamma-3.xlsx": "derived",
    "delta-chris.xlsx": "superseded",
    "delta-alex.xlsx": "yes",
    "epsilon-first.xlsx": "superseded",
    "epsilon-second.xlsx": "yes",
    "zeta-anonymous.xlsx": "derived",
    "zeta-sam.xlsx": "derived",
    "eta-broken.xlsx": "rejected",
}

# Each council's figure, by hand: the agreed return, or the lower-middle median of its views.
FIGURES = {
    ALPHA: {"A1": (3, 4), "A2": (2, 3), "B1": (3, 3), "E1": (2, 4)},  # its agreed return
    # views jo-second and ravi: A1 current [2, 4] -> 2, target [3, 5] -> 3; A2 current
    # [1, 3] -> 1, target [2] -> 2; B1 only Jo; E1 only Ravi
    BETA: {"A1": (2, 3), "A2": (1, 2), "B1": (3, 4), "E1": (2, 3)},
    # three views: A1 [1, 2, 4] -> 2 and [2, 3, 4] -> 3; A2 [2, 2, 4], [2, 3, 4];
    # B1 [2, 3, 5], [3, 3, 5]; E1 [1, 1, 2], [1, 2, 2]
    GAMMA: {"A1": (2, 3), "A2": (2, 3), "B1": (3, 3), "E1": (1, 2)},
    DELTA: {"A1": (3, 3), "A2": (2, 3), "B1": (2, 4), "E1": (2, 3)},  # the later agreed one
    EPSILON: {"A1": (2, 3), "A2": (2, 3), "B1": (3, 3), "E1": (1, 2)},  # the resubmission
    # two views: A1 [3, 5] -> 3 both; A2 3, 4; B1 [2, 2] -> 2, [2, 3] -> 2; E1 4, [4, 5] -> 4
    ZETA: {"A1": (3, 3), "A2": (3, 4), "B1": (2, 2), "E1": (4, 4)},
}
BASIS = {ALPHA: "agreed", BETA: "views", GAMMA: "views", DELTA: "agreed", EPSILON: "agreed"}
BASIS[ZETA] = "views"
VIEWS = {ALPHA: 3, BETA: 2, GAMMA: 3, DELTA: 0, EPSILON: 0, ZETA: 2}

# Spread (highest minus lowest level among the council's counted views), current and target.
SPREADS = {
    ALPHA: {"A1": (4, 3), "A2": (1, 1), "B1": (1, 1), "E1": (1, 1)},
    BETA: {"A1": (2, 2), "A2": (2, 0), "B1": (0, 0), "E1": (0, 0)},
    GAMMA: {"A1": (3, 2), "A2": (2, 2), "B1": (3, 2), "E1": (1, 1)},
    ZETA: {"A1": (2, 2), "A2": (0, 0), "B1": (0, 1), "E1": (0, 1)},
}
# An agreed level outside all the council's views, by hand: Alpha's agreed E1 target is
# Leader (4), its views' targets Developing, Mature, Mature (2-3). A figure derived from
# views lies among them, so only a council with an agreed return can have one.
OUTSIDE = {(ALPHA, "E1", "target")}
NAMES_AND_EMAILS = sorted(
    {x for _, _, who, _ in FILES.values() for x in (who.name, who.email) if x}, key=len
)


def make_return(name: str, register, folder: Path) -> Return:
    code, kind, who, answers = FILES[name]
    council = register.by_code(code)
    problems = []
    if name in REJECTED:
        where = Location(file=str(folder / name), sheet="Self-assessment")
        problems.append(Problem("unknown-level", "the current level of A1 is 'x'", where))
    return Return(
        path=str(folder / name),
        format="xlsx",
        council=council,
        council_name=council.name,
        council_code=code,
        model_id=MODEL.id,
        model_version=MODEL.version,
        model_fingerprint=MODEL.fingerprint,
        round="2026",
        answers={
            item: Answer(
                item,
                LEVELS[c - 1] if c else None,
                LEVELS[t - 1] if t else None,
                f"Evidence from {name}",
            )
            for item, (c, t) in answers.items()
        },
        respondent=who,
        kind=kind,
        item_count=len(ITEMS),
        problems=problems,
    )


@pytest.fixture(scope="module")
def case(tmp_path_factory):
    folder = tmp_path_factory.mktemp("respondents")
    register = write_register(folder)
    returns = [make_return(name, register, folder) for name in FILES]
    return collate_returns(returns, MODEL, register), folder


def by_file(collation, column: str) -> dict[str, object]:
    log = collation.log
    return {Path(p).name: v for p, v in zip(log["source_file"], log[column].tolist(), strict=True)}


# --- what counts ------------------------------------------------------------------------------
def test_every_file_is_accounted_for_once_with_what_became_of_it(case):
    collation, _ = case
    assert len(collation.log) == len(FILES)
    assert by_file(collation, "counted") == STATES
    assert by_file(collation, "kind") == {name: spec[1].value for name, spec in FILES.items()}


def test_a_council_counts_exactly_once_with_its_figure(case):
    collation, _ = case
    answers = collation.answers
    assert sorted(answers["council_code"].unique()) == sorted(FIGURES)
    assert answers.groupby("council_code").size().to_dict() == {c: len(ITEMS) for c in FIGURES}
    rows = answers.set_index(["council_code", "item_id"])
    for code, figure in FIGURES.items():
        for item, (current, target) in figure.items():
            assert rows.at[(code, item), "current_score"] == current, (code, item)
            assert rows.at[(code, item), "target_score"] == target, (code, item)
            assert rows.at[(code, item), "gap"] == target - current, (code, item)
            assert rows.at[(code, item), "basis"] == BASIS[code]
            assert rows.at[(code, item), "views"] == VIEWS[code]
    assert len(collation.counted) == len(FIGURES)  # one figure per council and round


def test_a_derived_figure_names_the_views_it_comes_from(case):
    collation, folder = case
    rows = collation.answers.set_index(["council_code", "item_id"])
    sources = rows.at[(BETA, "A1"), "source_file"].split("; ")
    assert sorted(sources) == sorted(
        str(folder / n) for n in ("beta-jo-second.xlsx", "beta-ravi.xlsx")
    )
    assert rows.at[(ALPHA, "A1"), "source_file"] == str(folder / "alpha-agreed.xlsx")


@pytest.mark.parametrize("by", [None, "region"])
def test_summaries_count_each_council_once(case, by):
    collation, _ = case
    summary = collation.summary(by)
    region_of = {ALPHA: "North East", BETA: "North East", GAMMA: "North West"}
    region_of |= {DELTA: "North West", EPSILON: "South West", ZETA: "South West"}
    for row in summary.itertuples(index=False):
        if row.group_type == "model_version":
            continue
        m = MEASURES.index(row.measure)
        members = [c for c in FIGURES if by is None or region_of[c] == row.group]
        given = [FIGURES[c][row.item_id][m] for c in members]
        score = LEVELS.index(row.level) + 1
        assert row.count == given.count(score), row
        assert row.n == len(given), row


# --- flags ------------------------------------------------------------------------------------
def problem_codes(collation) -> dict[str, list[str]]:
    return {
        Path(ret.path).name: [p.code for p in problems]
        for ret, problems in zip(collation.returns, collation.collation_problems, strict=True)
    }


def test_two_agreed_returns_that_disagree_are_flagged_on_both(case):
    collation, folder = case
    codes = problem_codes(collation)
    assert codes["delta-chris.xlsx"] == ["agreed-returns-disagree"]
    assert codes["delta-alex.xlsx"] == ["agreed-returns-disagree"]
    others = by_file(collation, "disagrees_with")
    assert others["delta-chris.xlsx"] == str(folder / "delta-alex.xlsx")
    assert others["delta-alex.xlsx"] == str(folder / "delta-chris.xlsx")
    problems = by_file(collation, "problems")
    assert "A1" in problems["delta-alex.xlsx"] and "B1" in problems["delta-alex.xlsx"]
    assert "A2" not in problems["delta-alex.xlsx"].split("disagree")[-1]
    statuses = by_file(collation, "status")
    assert statuses["delta-alex.xlsx"] == "accepted with warnings"


def test_a_resubmission_is_superseded_without_a_flag(case):
    collation, _ = case
    codes = problem_codes(collation)
    for name in ("epsilon-first.xlsx", "epsilon-second.xlsx", "beta-jo-first.xlsx"):
        assert codes[name] == [], name
    assert by_file(collation, "disagrees_with")["epsilon-first.xlsx"] == ""


def test_a_view_naming_nobody_counts_on_its_own_and_is_flagged(case):
    collation, _ = case
    codes = problem_codes(collation)
    assert codes["zeta-anonymous.xlsx"] == ["view-not-identified"]
    assert codes["zeta-sam.xlsx"] == []
    anonymous = next(r for r in collation.returns if r.path.endswith("zeta-anonymous.xlsx"))
    (problem,) = collation.collation_problems[collation.returns.index(anonymous)]
    # where to fill in who they are: the name, role and email cells of Start here
    assert str(problem.location).endswith(": sheet 'Start here' cell C19:C21")
    assert {n: c for n, c in codes.items() if c} == {
        "delta-chris.xlsx": ["agreed-returns-disagree"],
        "delta-alex.xlsx": ["agreed-returns-disagree"],
        "zeta-anonymous.xlsx": ["view-not-identified"],
    }


# --- respondents and the spread -------------------------------------------------------------------
def test_respondents_are_numbered_per_council_with_their_role(case):
    collation, _ = case
    labels = by_file(collation, "respondent")
    # per council, numbered by their first return, oldest first; one number per person
    assert labels["alpha-view-priya.xlsx"] == "Respondent 1 (Commercial Lead)"
    assert labels["alpha-view-tom.xlsx"] == "Respondent 2 (Procurement Officer)"
    assert labels["alpha-view-aisha.xlsx"] == "Respondent 3 (Finance Partner)"
    assert labels["alpha-agreed.xlsx"] == "Respondent 4 (Head of Procurement)"
    assert labels["beta-jo-first.xlsx"] == labels["beta-jo-second.xlsx"]
    assert labels["beta-jo-first.xlsx"] == "Respondent 1 (Procurement Manager)"
    assert labels["beta-ravi.xlsx"] == "Respondent 2 (Head of Commissioning)"
    assert labels["zeta-anonymous.xlsx"] == "Respondent 1"
    assert labels["zeta-sam.xlsx"] == "Respondent 2"
    assert labels["eta-broken.xlsx"] == ""


def test_the_respondents_table_has_every_counted_return_per_item(case):
    collation, _ = case
    table = collation.respondents()
    counted = [n for n, s in STATES.items() if s in ("yes", "view", "derived")]
    assert len(table) == len(counted) * len(ITEMS)
    assert not {"respondent_name", "respondent_email"} & set(table.columns)
    rows = table.assign(file=table["source_file"].map(lambda p: Path(p).name))
    rows = rows.set_index(["file", "item_id"])
    for name in counted:
        code, kind, who, answers = FILES[name]
        for item in ITEMS:
            current, target = answers.get(item, (None, None))
            row = rows.loc[(name, item)]
            assert row["council_code"] == code and row["kind"] == kind.value
            assert row["counted"] == STATES[name]
            assert row["respondent_role"] == who.role
            for measure, level in (("current", current), ("target", target)):
                if level is None:
                    assert pd.isna(row[f"{measure}_score"])
                else:
                    assert row[f"{measure}_score"] == level
                    assert row[f"{measure}_level"] == LEVELS[level - 1]
    with_contacts = collation.respondents(include_contacts=True)
    emails = set(with_contacts["respondent_email"])
    assert "priya.patel@alpha.example" in emails and "ravi.khan@beta.example" in emails


def test_within_councils_gives_the_spread_and_flags_two_levels_or_more(case):
    collation, _ = case
    within = collation.within_councils()
    assert set(within["council_code"]) == set(SPREADS)  # councils with two or more views
    rows = within.set_index(["council_code", "item_id"])
    for code, spreads in SPREADS.items():
        for item, (current, target) in spreads.items():
            row = rows.loc[(code, item)]
            assert (row["spread_current"], row["spread_target"]) == (current, target), (code, item)
            assert bool(row["flagged"]) == (current >= 2 or target >= 2), (code, item)
            assert row["views"] == VIEWS[code]
            assert (row["figure_current"], row["figure_target"]) == FIGURES[code][item]
            for measure in MEASURES:
                expected = (code, item, measure) in OUTSIDE
                assert bool(row[f"outside_{measure}"]) == expected, (code, item, measure)
    assert (
        rows.at[(ALPHA, "A1"), "lowest_current"],
        rows.at[(ALPHA, "A1"), "highest_current"],
    ) == (
        1,
        5,
    )


# --- outputs and personal data ----------------------------------------------------------------
def all_text(folder: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8-sig") for p in sorted(folder.glob("*.csv")))


def test_names_and_emails_stay_out_of_the_csv_files_by_default(case, tmp_path):
    collation, _ = case
    written = write_data(collation, tmp_path / "data")
    names = [p.name for p in written]
    assert "respondents.csv" in names and "statistics.csv" in names
    text = all_text(tmp_path / "data")
    for secret in NAMES_AND_EMAILS:
        assert secret.casefold() not in text.casefold(), secret
    assert "Respondent 1 (Commercial Lead)" in text


def test_include_contacts_adds_names_and_emails(case, tmp_path):
    collation, folder = case
    write_data(collation, tmp_path / "data", include_contacts=True)
    with open(tmp_path / "data" / "respondents.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    tom = next(r for r in rows if r["source_file"] == str(folder / "alpha-view-tom.xlsx"))
    assert (tom["respondent_name"], tom["respondent_email"]) == (
        "Tom Jones",
        "tom.jones@alpha.example",
    )
    log = pd.read_csv(tmp_path / "data" / "returns.csv", keep_default_na=False)
    assert set(log["respondent_email"]) >= {"sam.shaw@alpha.example", "lee@eta.example"}


def test_the_summary_workbook_shows_the_spread_but_no_names(case, tmp_path):
    collation, _ = case
    path = write_summary_workbook(collation, tmp_path / "summary.xlsx")
    wb = openpyxl.load_workbook(path)
    assert "Within councils" in wb.sheetnames
    ws = wb["Within councils"]
    rows = list(ws.iter_rows())
    header = next(r for r in rows if r[0].value == "Council")
    columns = [c.value for c in header]
    items = [columns.index(i) for i in ITEMS]
    alpha = next(r for r in rows if r[0].value == "Alpha Council")  # the current-level block
    assert [alpha[i].value for i in items] == [s[0] for s in SPREADS[ALPHA].values()]
    flagged, plain = alpha[items[0]], alpha[items[1]]
    assert flagged.font.b and not plain.font.b  # 4 levels apart: flagged; 1: not
    # Alpha's second row, its targets: E1's agreed level is outside its views'
    alpha_target = [r for r in rows if r[0].value == "Alpha Council"][1]
    assert alpha_target[columns.index("Levels")].value == "Target"
    marked = [i for i in ITEMS if alpha_target[columns.index(i)].font.u == "double"]
    assert marked == ["E1"] and alpha_target[columns.index("E1")].font.i
    assert not [c for c in alpha if c.font.u]  # the current levels: none outside
    text = " ".join(str(c.value) for sheet in wb.worksheets for r in sheet.iter_rows() for c in r)
    for secret in NAMES_AND_EMAILS:
        assert secret.casefold() not in text.casefold(), secret
    overview = " ".join(str(c.value) for r in wb["Overview"].iter_rows() for c in r if c.value)
    assert "Delta District Council" in overview and "disagree" in overview


def test_the_cli_keeps_contacts_out_unless_asked(filled, tmp_path):
    paths = [str(filled("Leeds")), str(filled("Bradford"))]
    runner = CliRunner()
    for flag, present in (([], False), (["--include-contacts"], True)):
        out = tmp_path / ("with" if present else "without")
        result = runner.invoke(
            cli, ["collate", *paths, "--out", str(out / "s.xlsx"), "--data-dir", str(out), *flag]
        )
        assert result.exit_code == 0, result.output
        text = all_text(out)
        for secret in ("A. Officer", "a.officer@example.org"):
            assert (secret in text) is present, (flag, secret)


# --- several respondents from the project's own workbooks ---------------------------------------
def test_the_demo_respondents_collate_to_one_figure_per_council(model, register, tmp_path):
    """make_returns(respondents=3) writes three officers' views per council and, for some,
    the agreed return. Read back by the reader, which reads the kind of return from the
    workbooks' 'This return is' field."""
    from npsxl.reading.reader import read_return
    from npsxl.workbook.demo import make_returns

    councils = register.in_region("North East")[:6]
    made = make_returns(model, councils, tmp_path, respondents=3, missing_share=0, faulty=0, seed=7)
    views = set(made.views)
    assert len(views) == 3 * len(councils)
    returns = []
    for path in made.returns:
        ret = read_return(path, model, register)
        assert ret.accepted, path
        assert ret.kind is (VIEW if path in views else AGREED), path
        returns.append(ret)
    collation = collate_returns(returns, model, register)
    assert sorted(collation.answers["council_code"].unique()) == sorted(c.code for c in councils)
    counted = by_file(collation, "counted")
    with_agreed = {r.council.code for r in returns if r.kind is AGREED}
    assert 0 < len(with_agreed) < len(councils)  # some councils agreed a return, some did not
    for ret in returns:
        name, code = Path(ret.path).name, ret.council.code
        if ret.kind is AGREED:
            assert counted[name] == "yes"
        else:
            assert counted[name] == ("view" if code in with_agreed else "derived")
    # a council with views only: its figure is the lower middle of its three views, by hand
    code = next(c.code for c in councils if c.code not in with_agreed)
    mine = [r for r in returns if r.council.code == code]
    score = {level.name: level.score for level in model.levels}
    rows = collation.answers.set_index(["council_code", "item_id"])
    for item in model.items:
        for measure in ("current", "target"):
            levels = sorted(score[getattr(r.answers[item.id], measure)] for r in mine)
            assert rows.at[(code, item.id), f"{measure}_score"] == levels[1], (item.id, measure)
    assert "Respondent 3 (Social Value Officer)" in set(by_file(collation, "respondent").values())


def test_a_view_naming_nobody_is_told_when_the_file_is_checked_and_once_when_collated(
    filled, model, register
):
    from npsxl.reading.reader import read_return

    anonymous = filled("Leeds", filename="leeds-view.xlsx", respondent=person(), kind=VIEW)
    ret = read_return(anonymous, model, register)
    (problem,) = [p for p in ret.problems if p.code == "view-not-identified"]
    assert (problem.location.sheet, problem.location.cell) == ("Start here", "C19")
    assert ret.status.value == "accepted with warnings"
    collation = collate_returns([ret], model, register)
    assert not collation.collation_problems[0]  # not told twice
