"""Assessment rounds (npsxl.model.rounds): the label check and the one order of rounds, as
collating and pre-filling use it, on workbooks the project generates."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import ROOT, sample_answers

from npsxl import build_workbook, collate
from npsxl.cli import cli
from npsxl.collation.prefill import load_previous
from npsxl.core.errors import NpsxlError
from npsxl.model.answers import Answer, Respondent
from npsxl.model.rounds import (
    ROUND_MAX_LENGTH,
    assessment_round,
    default_round,
    in_round_order,
    latest_round,
    round_key,
)

COUNCILS = ("Leeds", "Bradford", "York")


# --- the order ------------------------------------------------------------------------------------
def test_rounds_are_in_natural_order_and_an_unknown_round_comes_first():
    labels = ["2026-10", "2027", "2026-2", "2024", "", "2026", "2026-27", "2026-9"]
    assert in_round_order(labels) == [
        "",
        "2024",
        "2026",
        "2026-2",
        "2026-9",
        "2026-10",
        "2026-27",
        "2027",
    ]
    assert latest_round(["2026-2", "2026-10"]) == "2026-10"
    assert latest_round(["", "2024"]) == "2024"
    assert latest_round([]) == ""
    assert round_key("2026-2") < round_key("2026-10") < round_key("2026-11")


def test_the_order_is_total_and_survives_hostile_labels():
    # labels only a returned workbook could carry: case, leading zeros, thousands of digits,
    # digits that are not 0-9
    labels = [
        "2026-a",
        "2026-A",
        "02026",
        "2026",
        "9" * 5000,
        "2026\u00b2",
        "\u0662\u0660\u0662\u0666",
    ]
    ordered = in_round_order(labels)
    assert ordered == in_round_order(reversed(labels))
    assert ordered == [
        "02026",
        "2026",
        "2026-A",
        "2026-a",
        "2026\u00b2",
        "9" * 5000,
        "\u0662\u0660\u0662\u0666",
    ]


def test_assessment_round_checks_the_label():
    assert assessment_round("  2026-27 ") == "2026-27"
    assert assessment_round("") == assessment_round(None) == default_round()
    assert default_round() == str(dt.date.today().year)
    assert assessment_round(2026) == "2026"
    for bad in ("2026\n2027", "x" * (ROUND_MAX_LENGTH + 1)):
        with pytest.raises(NpsxlError, match="not usable"):
            assessment_round(bad)


# --- collating and pre-filling agree --------------------------------------------------------------
@pytest.fixture(scope="module")
def two_rounds(tmp_path_factory, model, register):
    """Returns of three councils in round 2026-2 (all at a level lower than in 2026-10) and
    2026-10, completed on the same day, plus rejected files of rounds 2026-9 and 2026-11."""
    folder = tmp_path_factory.mktemp("rounds")
    same_day = Respondent("A. Officer", "Head", "a@example.org", dt.date(2026, 11, 2))
    for round_, current in (("2026-10", "Mature"), ("2026-2", "Developing")):
        for name in COUNCILS:
            council = register.match(name)
            answers = {
                i.id: Answer(i.id, current, "Leader", "Evidence", "Actions") for i in model.items
            }
            build_workbook(
                model,
                folder / f"{council.code}-{round_}.xlsx",
                council,
                answers=answers,
                respondent=same_day,
                round=round_,
            )
    for round_ in ("2026-9", "2026-11"):
        build_workbook(
            model,
            folder / f"rejected-{round_}.xlsx",
            register.match("Hull"),
            answers={},
            respondent=same_day,
            round=round_,
        )
    return folder


def test_collation_takes_2026_10_as_later_than_2026_2(two_rounds, model, register):
    c = collate([two_rounds], register, model=model)
    assert c.latest_round == "2026-10"
    assert c.previous_round == "2026-2"
    assert c.rounds == {"2026-2": 3, "2026-10": 3}
    assert list(c.rounds) == ["2026-2", "2026-10"]
    assert c.versions_by_round()["round"].tolist() == ["2026-2", "2026-10"]
    # every figure is for 2026-10: everyone at Mature
    assert set(c.answers["current_level"]) == {"Mature"}
    national = c.item_stats(None)
    assert set(national["median_current"]) == {3.0}
    # the trends go from 2026-2 to 2026-10: everyone moved up
    assert set(c.trends["previous_round"]) == {"2026-2"}
    assert set(c.trends["latest_round"]) == {"2026-10"}
    assert set(c.trends["movement"]) == {"up"}
    # a rejected file of an earlier round is not this round's; one of a later round is
    in_latest = {
        r.path.rsplit("/", 1)[-1] for r in c.returns if not r.accepted and c.in_latest_round(r)
    }
    assert in_latest == {"rejected-2026-11.xlsx"}
    assert "Round 2026-10: 3 councils covered" in c.summary_text()
    assert "Earlier rounds: 2026-2 (3 councils)" in c.summary_text()


def test_prefill_picks_the_same_latest_round(two_rounds, model, register, tmp_path):
    found = load_previous(two_rounds, model, None, register)
    assert {p.round for p in found.previous.values()} == {"2026-10"}
    assert all(p.source_file.endswith("-2026-10.xlsx") for p in found.previous.values())
    # and the workbook it makes says so
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli,
        [
            "generate",
            "--model",
            str(ROOT / "model.yaml"),
            "--prefill",
            str(two_rounds),
            "--council",
            "Leeds",
            "--round",
            "2027",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    (path,) = out.rglob("*.xlsx")
    start = openpyxl.load_workbook(path)["Start here"]
    texts = [c.value for row in start.iter_rows() for c in row if isinstance(c.value, str)]
    assert "Carried over from your 2026-10 return" in texts
    assert "Assessment round: 2027" in texts


def test_a_return_without_a_round_counts_as_the_earliest(model, register, tmp_path):
    leeds = register.match("Leeds")
    build_workbook(model, tmp_path / "new.xlsx", leeds, answers=sample_answers(model), round="2024")
    old = tmp_path / "old.xlsx"
    build_workbook(model, old, leeds, answers=sample_answers(model, 1), round="2022")
    c = collate([tmp_path], register, model=model)
    assert (c.latest_round, c.previous_round) == ("2024", "2022")


def test_model_versions_sort_in_the_same_natural_order_even_when_hostile():
    from npsxl.collation.counting import version_key

    labels = ["1.10", "1.9", "1.0.1", "1.0.0", "2.0", "1." + "9" * 5000]
    hostile = labels[-1]
    assert sorted(labels, key=version_key) == ["1.0.0", "1.0.1", "1.9", "1.10", hostile, "2.0"]
    assert sorted(labels, key=version_key) == sorted(labels, key=round_key)
