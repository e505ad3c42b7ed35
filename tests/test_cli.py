"""The validate, collate, demo and generate --prefill commands, through click's runner."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import ROOT

from npsxl.cli import cli
from npsxl.model.defaults import PACKAGED_ARCHIVE
from npsxl.reading.returns import Status


@pytest.fixture
def runner():
    return CliRunner()


def small_register(tmp_path, register, names=("Leeds", "Bradford", "Hartlepool", "Camden")):
    path = tmp_path / "cluster.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["code", "name", "region", "council_type", "hub"])
        for i, name in enumerate(names):
            c = register.match(name)
            writer.writerow([c.code, c.name, c.region, c.council_type, f"Hub {i % 2}"])
    return path


def test_validate_accepts_a_good_return(runner, filled):
    path = filled("Leeds")
    result = runner.invoke(cli, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert f"{path}: ACCEPTED: Leeds City Council, nps-2018 1.0.1, 14 of 14 items complete" in (
        result.output
    )
    assert "1 file(s): 1 accepted, 0 accepted with warnings, 0 rejected" in result.output


def test_validate_rejects_and_says_what_to_do(runner, filled, tmp_path):
    good = filled("Leeds")
    (tmp_path / "notes.xlsx").write_text("council,level\nLeeds,Mature\n", encoding="utf-8")
    result = runner.invoke(cli, ["validate", str(tmp_path)])
    assert result.exit_code == 1
    assert f"{good}: ACCEPTED" in result.output
    assert "notes.xlsx: REJECTED" in result.output
    assert "error: [not-a-spreadsheet] not a spreadsheet: " in (result.output)


def test_validate_json_has_one_object_per_file(runner, filled, model):
    answers = {}
    path = filled("Bradford", answers=answers)
    result = runner.invoke(cli, ["validate", "--format", "json", str(path)])
    assert result.exit_code == 1
    (report,) = json.loads(result.stdout)
    assert report["path"] == str(path)
    assert report["status"] == "rejected"  # the published string, as JSON carries it
    assert report["council"]["name"] == "City of Bradford Metropolitan District Council"
    assert report["model"] == {
        "id": model.id,
        "version": model.version,
        "fingerprint": model.fingerprint,
    }
    codes = {p["code"] for p in report["problems"]}
    assert "incomplete" in codes
    assert all({"code", "severity", "message", "location"} <= set(p) for p in report["problems"])


@pytest.mark.parametrize(
    "args, message",
    [
        (["validate", "no/such/folder"], "no/such/folder: no such file or folder"),
        (["validate", "x.xlsx", "--register", "no/such.csv"], "no/such.csv"),
        (["validate", "x.xlsx", "--model", "no/such.yaml"], "no/such.yaml"),
        (["collate", "x.xlsx", "--group-by", "hub"], "--group-by 'hub' is not a column"),
    ],
)
def test_usage_and_configuration_errors_exit_2(runner, args, message, tmp_path, monkeypatch):
    (tmp_path / "x.xlsx").write_bytes(b"")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert message in result.output


def test_collate_writes_the_workbook_and_the_data(runner, filled, register, tmp_path):
    paths = [filled("Leeds"), filled("Bradford"), filled("Hartlepool", answers={})]
    out = tmp_path / "summary.xlsx"
    data = tmp_path / "data"
    cluster = small_register(tmp_path, register)
    result = runner.invoke(
        cli,
        [
            "collate",
            *map(str, paths),
            "--register",
            str(cluster),
            "--out",
            str(out),
            "--data-dir",
            str(data),
            "--group-by",
            "hub",
        ],
    )
    assert result.exit_code == 1, result.output  # Hartlepool's return is rejected
    assert "Read 3 files: 2 accepted (0 with warnings), 1 rejected." in result.output
    book = openpyxl.load_workbook(out)
    sheets = {"Overview", "All councils in the register", "Returns log", "Not returned", "Data"}
    assert sheets <= set(book.sheetnames)  # four councils are not all of England
    with (data / "answers.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["council_name"] for r in rows} == {
        "Leeds City Council",
        "City of Bradford Metropolitan District Council",
    }
    assert len(rows) == 28
    with (data / "summary.csv").open(encoding="utf-8-sig") as handle:
        groups = {r["group_type"] for r in csv.DictReader(handle)}
    assert groups == {"national", "region", "council_type", "hub"}


def test_collate_pools_returns_across_model_versions(runner, model, register, tmp_path):
    from conftest import sample_answers

    from npsxl.model.loading import load_model
    from npsxl.workbook.writer import build_workbook

    new = load_model(ROOT / "samples" / "model-1.1-example.yaml")
    old_path = tmp_path / "old.xlsx"
    new_path = tmp_path / "new.xlsx"
    build_workbook(
        model, old_path, register.match("Leeds"), answers=sample_answers(model), round="2026"
    )
    build_workbook(
        new, new_path, register.match("Bradford"), answers=sample_answers(new), round="2026"
    )
    out = tmp_path / "summary.xlsx"
    result = runner.invoke(
        cli,
        [
            "collate",
            str(old_path),
            str(new_path),
            "--model",
            str(ROOT / "samples" / "model-1.1-example.yaml"),
            "--archive",
            str(PACKAGED_ARCHIVE),
            "--out",
            str(out),
            "--data-dir",
            str(tmp_path / "data"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Versions" in openpyxl.load_workbook(out).sheetnames


def test_returns_from_1_0_0_and_1_0_1_are_collated_together(
    runner, filled, model, register, tmp_path, monkeypatch
):
    """1.0.1 changed no item's words (its lineage says every item is unchanged), so a
    council's 1.0.0 workbook and another's 1.0.1 workbook count together, item by item."""
    from conftest import sample_answers

    from npsxl.model.loading import load_model
    from npsxl.workbook.writer import build_workbook

    first = load_model(PACKAGED_ARCHIVE / "nps-2018-1.0.0.yaml")
    assert (first.version, model.version) == ("1.0.0", "1.0.1")
    returns = tmp_path / "returns"
    returns.mkdir()
    old_answers, new_answers = sample_answers(first), sample_answers(model, seed=1)
    build_workbook(first, returns / "leeds.xlsx", register.match("Leeds"), answers=old_answers)
    filled("Bradford", answers=new_answers, filename="returns/bradford.xlsx")
    cluster = small_register(tmp_path, register)
    monkeypatch.chdir(tmp_path)  # no model.yaml here: the packaged model and archive
    result = runner.invoke(cli, ["collate", "returns", "--register", str(cluster)])
    assert result.exit_code == 0, result.output
    assert "Read 2 files: 2 accepted (0 with warnings), 0 rejected." in result.output
    data = tmp_path / "output" / "data"
    with (data / "returns.csv").open(encoding="utf-8-sig") as handle:
        log = {r["council_name"]: r for r in csv.DictReader(handle)}
    assert {name: (r["model_version"], r["counted"]) for name, r in log.items()} == {
        "Leeds City Council": ("1.0.0", "yes"),
        "City of Bradford Metropolitan District Council": ("1.0.1", "yes"),
    }
    with (data / "summary.csv").open(encoding="utf-8-sig") as handle:
        summary = list(csv.DictReader(handle))
    assert {r["group_type"] for r in summary} == {"national", "region", "council_type"}
    national = [r for r in summary if r["group_type"] == "national"]
    for item in model.items:
        for measure in ("current", "target"):
            rows = [r for r in national if (r["item_id"], r["measure"]) == (item.id, measure)]
            assert {r["n"] for r in rows} == {"2"}, (item.id, measure)  # both councils count
            chosen = [getattr(a[item.id], measure) for a in (old_answers, new_answers)]
            counts = {r["level"]: int(r["count"]) for r in rows if int(r["count"])}
            assert counts == {level: chosen.count(level) for level in set(chosen)}


def test_demo_runs_the_whole_flow(runner, register, tmp_path):
    cluster = small_register(tmp_path, register)
    result = runner.invoke(cli, ["demo", "--register", str(cluster), "--out", str(tmp_path / "d")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "d" / "nps-summary.xlsx").is_file()
    assert (tmp_path / "d" / "data" / "answers.csv").is_file()
    assert "rejected" in result.output  # the demo includes a few faulty files


def test_generate_prefill_from_previous_returns(runner, filled, register, tmp_path):
    previous = filled("Leeds")
    cluster = small_register(tmp_path, register)
    out = tmp_path / "next"
    result = runner.invoke(
        cli,
        [
            "generate",
            "--prefill",
            str(previous),
            "--register",
            str(cluster),
            "--out",
            str(out),
            "--round",
            "2028",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "1 pre-filled from the previous round" in result.output
    (made,) = list(out.rglob("*.xlsx"))
    book = openpyxl.load_workbook(made)
    assert book.custom_doc_props["npsxl_round"].value == "2028"
    sheet = book["Self-assessment"]
    headers = [c.value for c in sheet[4]]
    assert "Last round: current" in headers


def test_every_command_has_help(runner):
    for args in (
        ["--help"],
        ["validate", "--help"],
        ["collate", "--help"],
        ["demo", "--help"],
        ["generate", "--help"],
        ["model", "diff", "--help"],
    ):
        result = runner.invoke(cli, args)
        assert result.exit_code == 0 and "Usage:" in result.output


def test_public_api_names_are_the_functions_not_modules():
    import inspect

    import npsxl
    import npsxl.collation.collation  # noqa: F401  (importing a submodule must not shadow the API)
    import npsxl.workbook.generation  # noqa: F401

    for name in npsxl.__all__:
        value = getattr(npsxl, name)
        assert not inspect.ismodule(value), name


def test_the_program_keeps_the_commands_exit_codes(tmp_path):
    def run(*args):
        return subprocess.run(
            [sys.executable, "-m", "npsxl", *args], capture_output=True, text=True, cwd=ROOT
        )

    missing = run("validate", str(tmp_path / "nothing-here"))
    assert missing.returncode == 2 and "no such file or folder" in missing.stderr
    out = tmp_path / "summary.xlsx"
    collated = run("collate", "samples/returns", "--out", str(out), "--data-dir", str(tmp_path))
    assert collated.returncode == 1, collated.stderr  # the samples include faulty files
    assert out.is_file() and (tmp_path / "answers.csv").is_file()
    assert "2 rejected" in collated.stdout  # a third, incomplete, counts for what it answers


def test_the_statuses_are_one_definition_with_the_published_strings():
    assert [s.value for s in Status] == ["accepted", "accepted with warnings", "rejected"]
    assert json.dumps([Status.ACCEPTED_WITH_WARNINGS]) == '["accepted with warnings"]'
    assert f"{Status.REJECTED}" == str(Status.REJECTED) == "rejected"


@pytest.mark.parametrize("command", ["validate", "collate", "report"])
def test_an_empty_folder_of_returns_is_a_usage_error_and_writes_nothing(runner, tmp_path, command):
    empty = tmp_path / "returns"
    empty.mkdir()
    out = tmp_path / "out"
    args = {"validate": [], "collate": ["--out", str(out / "s.xlsx"), "--data-dir", str(out)]}
    args["report"] = ["--out", str(out), "--no-pdf"]
    result = runner.invoke(cli, [command, str(empty), *args[command]])
    assert result.exit_code == 2, result.output
    assert f"no files found in {empty} (check the path of the returns)" in result.output
    assert not out.exists()
