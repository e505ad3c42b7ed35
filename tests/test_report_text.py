"""The text printed about returns (npsxl.report.text), on returns the project generates, and
the validate command printing exactly those lines."""

from __future__ import annotations

from click.testing import CliRunner
from conftest import sample_answers

from npsxl import read_return
from npsxl.cli import cli
from npsxl.model.answers import Answer
from npsxl.report.text import counts_line, return_lines


def test_a_return_with_problems_gives_a_heading_and_one_located_line_per_problem(
    filled, model, register
):
    answers = sample_answers(model)
    answers["L1"] = Answer("L1", "Mature", "Minimum")  # a warning
    del answers["E4"]  # an error, when complete returns are required
    path = filled("Leeds", answers=answers)
    ret = read_return(path, model, register, require_complete=True)

    lines = return_lines(ret)

    assert (
        lines[0] == f"{path}: REJECTED: Leeds City Council, nps-2018 1.0.1, 13 of 14 items complete"
    )
    assert len(lines) == 1 + len(ret.problems) == 3
    assert lines[1].startswith(
        "  warning: [target-below-current] (sheet 'Self-assessment', cell J6, item L1) L1: "
    )
    assert lines[2].startswith("  error: [incomplete] (sheet 'Self-assessment', cell I22, item E4)")
    assert lines[2].endswith("What to do: choose both a current and a target level for every item.")


def test_the_status_is_shown_as_the_caller_asks(filled, model, register):
    ret = read_return(filled("Leeds"), model, register)
    assert return_lines(ret, lambda status: f"<{status}>") == [
        f"{ret.path}: <accepted>: Leeds City Council, nps-2018 1.0.1, 14 of 14 items complete"
    ]


def test_counts_line_counts_each_status(filled, model, register):
    good = read_return(filled("Leeds"), model, register)
    answers = sample_answers(model)
    answers["L1"] = Answer("L1", "Mature", "Minimum")
    warned = read_return(filled("Bradford", answers=answers), model, register)
    rejected = read_return(filled("Camden", answers={}), model, register)
    assert counts_line([good, warned, rejected, good]) == (
        "4 file(s): 2 accepted, 1 accepted with warnings, 1 rejected"
    )
    assert counts_line([]) == "0 file(s): 0 accepted, 0 accepted with warnings, 0 rejected"


def test_validate_prints_exactly_these_lines(filled, model, register, tmp_path):
    answers = sample_answers(model)
    del answers["C2"]
    paths = [filled("Leeds"), filled("Bradford", answers=answers)]
    args = ["validate", "--jobs", "1", "--require-complete", str(tmp_path)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1
    returns = [read_return(p, model, register, require_complete=True) for p in sorted(paths)]
    expected = [line for ret in returns for line in return_lines(ret)] + [counts_line(returns)]
    assert result.stdout.splitlines() == expected  # the progress bar is on stderr
