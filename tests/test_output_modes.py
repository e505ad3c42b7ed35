"""Outputs are created as open() creates a file, readable by whom the user's umask allows, so
that colleagues can open a summary on a shared drive; and still written atomically."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from npsxl.cli import cli
from npsxl.collation.run import collate
from npsxl.report.csv_data import write_data
from npsxl.report.summary_workbook import write_summary_workbook
from npsxl.workbook.generation import generate
from npsxl.workbook.writer import build_workbook

MASKS = {0o022: 0o644, 0o077: 0o600}


@pytest.fixture(params=sorted(MASKS), ids=lambda mask: f"umask {mask:03o}")
def umask(request):
    """Run the test under this umask; the mode a new file must have."""
    before = os.umask(request.param)
    yield MASKS[request.param]
    os.umask(before)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def modes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): mode(p) for p in folder.rglob("*") if p.is_file()}


def test_the_library_s_outputs_follow_the_umask(umask, model, register, tmp_path):
    one = build_workbook(model, tmp_path / "one" / "leeds.xlsx", register.match("Leeds"))
    batch = generate(
        model, tmp_path / "batch", register.in_region("North East")[:3], register=register
    )
    collation = collate([one.path, *(b.path for b in batch.workbooks)], register, model=model)
    summary = write_summary_workbook(collation, tmp_path / "summary" / "nps-summary.xlsx")
    csvs = write_data(collation, tmp_path / "summary" / "data")
    written = [one.path, batch.manifest, *(b.path for b in batch.workbooks), summary, *csvs]
    assert {str(path): mode(path) for path in written} == {str(path): umask for path in written}
    leftovers = [p for p in tmp_path.rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []


def test_a_file_that_already_exists_is_replaced_with_the_umask_s_mode(umask, model, tmp_path):
    path = tmp_path / "blank.xlsx"
    path.write_bytes(b"old")
    path.chmod(0o640)
    build_workbook(model, path)
    assert mode(path) == umask and path.read_bytes()[:2] == b"PK"


def test_the_command_line_s_outputs_follow_the_umask(umask, filled, tmp_path, monkeypatch):
    returns = [filled("Leeds"), filled("Bradford")]
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    made = runner.invoke(cli, ["generate", "--council", "Leeds", "--out", "workbooks"])
    assert made.exit_code == 0, made.output
    collated = runner.invoke(
        cli,
        [
            "collate",
            *map(str, returns),
            "--out",
            "summary/s.xlsx",
            "--data-dir",
            "summary/data",
            "--jobs",
            "1",
        ],
    )
    assert collated.exit_code == 0, collated.output
    written = {**modes(tmp_path / "workbooks"), **modes(tmp_path / "summary")}
    assert "manifest.csv" in written and "s.xlsx" in written and "data/answers.csv" in written
    assert written == dict.fromkeys(written, umask)
