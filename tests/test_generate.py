"""`npsxl generate` and npsxl.workbook.generation: blank and personalised workbooks, batches, the
manifest, safe file names, overwriting and errors."""

from __future__ import annotations

import csv
import datetime as dt
import multiprocessing
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import ROOT

from npsxl import __version__
from npsxl.cli import cli
from npsxl.core.errors import NpsxlError, OutputError
from npsxl.model.defaults import PACKAGED_REGISTERS
from npsxl.model.register_csv import load_register
from npsxl.workbook import generation
from npsxl.workbook import layout as L
from npsxl.workbook.generation import (
    MANIFEST_COLUMNS,
    generate,
    read_manifest,
    safe_filename,
    workbook_path,
)

MODEL = ROOT / "model.yaml"
REGISTER = PACKAGED_REGISTERS["2018"]
WINDOWS_BAD = set('<>:"|?*\\')
RESERVED = {
    "CON",
    "PRN",
    "AUX",
    "NUL",
    *(f"COM{i}" for i in range(10)),
    *(f"LPT{i}" for i in range(10)),
}

SMALL_REGISTER = """code,name,region,council_type
E06000043,Brighton & Hove City Council,South East,unitary
E07000146,King's Lynn and West Norfolk Borough Council,East of England,district
E09000001,City of London Corporation,London,City of London
E07000999,"Con: ""The"" Council?",South West,district
E07000998,Bath/North*East <Somerset>.,South West,unitary
"""


def run(*args, cwd: Path | None = None):
    runner = CliRunner()
    return runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)


def gen(out: Path, *args, register: Path = REGISTER):
    return run("generate", "--model", MODEL, "--register", register, "--out", out, *args)


def manifest_rows(out: Path) -> list[dict[str, str]]:
    with (out / "manifest.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames) == MANIFEST_COLUMNS
        return list(reader)


def error_lines(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("Error:")]


def assert_windows_safe(path: Path, root: Path):
    for part in path.relative_to(root).parts:
        assert part.isascii() and not (set(part) & WINDOWS_BAD), part
        assert part == part.strip(" .") or part.endswith(".xlsx"), part
        assert part.upper().split(".")[0] not in RESERVED, part
        assert len(part) <= 100


@pytest.fixture
def small_register(tmp_path) -> Path:
    path = tmp_path / "register.csv"
    path.write_text(SMALL_REGISTER, encoding="utf-8")
    return path


# --- the CLI -----------------------------------------------------------------------------------
def test_generate_without_options_writes_one_blank_workbook(tmp_path, monkeypatch, model):
    monkeypatch.chdir(tmp_path)  # an empty folder: the packaged model and register
    result = run("generate")
    assert result.exit_code == 0, result.output
    assert "model: the packaged model (nps-2018 1.0.1)" in result.stderr.splitlines()
    files = sorted(p.relative_to(tmp_path).as_posix() for p in (tmp_path / "output").rglob("*"))
    assert files == ["output/nps-2018-blank.xlsx"]
    assert "output/nps-2018-blank.xlsx" in result.stdout
    wb = openpyxl.load_workbook(tmp_path / "output" / "nps-2018-blank.xlsx")
    start = wb[L.START]
    assert start[L.start_detail_cell(0)].value is None  # the council picks or types its name
    dropdown = [
        d
        for d in start.data_validations.dataValidation
        if d.formula1.startswith(f"'{L.LISTS}'!$C$2:$C$")
    ]
    assert dropdown and L.start_detail_cell(0) in dropdown[0].sqref
    assert {p.name: p.value for p in wb.custom_doc_props.props}["npsxl_model_fingerprint"] == (
        model.fingerprint
    )


def test_generate_one_council_is_personalised_and_listed_in_the_manifest(tmp_path, model):
    out = tmp_path / "out"
    result = gen(out, "--council", "leeds")
    assert result.exit_code == 0, result.output
    path = out / "Yorkshire-and-The-Humber" / "E08000035-Leeds-City-Council.xlsx"
    assert path.is_file()
    assert "Wrote 1 workbook" in result.stdout and "manifest" in result.stdout
    (row,) = manifest_rows(out)
    assert row["file"] == "Yorkshire-and-The-Humber/E08000035-Leeds-City-Council.xlsx"
    assert (row["council_code"], row["council_name"], row["region"]) == (
        "E08000035",
        "Leeds City Council",
        "Yorkshire and The Humber",
    )
    assert (row["model_id"], row["model_version"], row["fingerprint"]) == (
        model.id,
        model.version,
        model.fingerprint,
    )
    generated = dt.datetime.fromisoformat(row["generated_at"])
    assert abs(dt.datetime.now(dt.timezone.utc) - generated) < dt.timedelta(minutes=5)
    wb = openpyxl.load_workbook(path)
    values = {
        f.key: wb[L.START][L.start_detail_cell(i)].value for i, f in enumerate(L.COUNCIL_FIELDS)
    }
    assert values == {
        "council_name": "Leeds City Council",
        "council_code": "E08000035",
        "region": "Yorkshire and The Humber",
        "council_type": "Metropolitan district",
    }
    assert all(wb[L.START][L.start_detail_cell(i)].protection.locked for i in range(4))
    props = {p.name: p.value for p in wb.custom_doc_props.props}
    assert props["npsxl_council_code"] == "E08000035"
    assert props["npsxl_generated_at"] == row["generated_at"]


def test_generate_a_region(tmp_path, register):
    out = tmp_path / "out"
    result = gen(out, "--region", "north east")
    assert result.exit_code == 0, result.output
    expected = register.in_region("North East")
    rows = manifest_rows(out)
    assert [r["council_code"] for r in rows] == [c.code for c in expected]
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.xlsx"))
    assert files == sorted(r["file"] for r in rows)
    assert all(f.startswith("North-East/") for f in files)
    assert f"Wrote {len(expected)} workbook(s)" in result.stdout


def test_generate_all_with_two_jobs(tmp_path, small_register):
    out = tmp_path / "out"
    result = gen(out, "--all", "--jobs", "2", register=small_register)
    assert result.exit_code == 0, result.output
    register = load_register(small_register)
    rows = manifest_rows(out)
    assert [r["council_name"] for r in rows] == [c.name for c in register]
    files = sorted(out.rglob("*.xlsx"))
    assert len(files) == len(register) == 5
    for path in files:
        assert_windows_safe(path, out)
    names = {r["file"] for r in rows}
    assert "South-East/E06000043-Brighton-and-Hove-City-Council.xlsx" in names
    assert "East-of-England/E07000146-Kings-Lynn-and-West-Norfolk-Borough-Council.xlsx" in names
    for row in rows:
        wb = openpyxl.load_workbook(out / row["file"], read_only=True)
        props = {p.name: p.value for p in wb.custom_doc_props.props}
        assert props["npsxl_council_name"] == row["council_name"]
        wb.close()


def test_generate_several_councils_and_a_region_without_repeats(tmp_path):
    out = tmp_path / "out"
    result = gen(
        out,
        "--council",
        "E08000035",
        "--council",
        "Leeds City Council",
        "--region",
        "North East",
        "--council",
        "Brighton & Hove",
    )
    assert result.exit_code == 0, result.output
    codes = [r["council_code"] for r in manifest_rows(out)]
    assert len(codes) == len(set(codes)) and "E08000035" in codes and "E06000043" in codes


def test_unknown_council_exits_2_listing_close_matches(tmp_path):
    result = gen(tmp_path / "out", "--council", "Leedz City Council")
    assert result.exit_code == 2
    (line,) = error_lines(result)
    assert "Leedz City Council" in line and "Did you mean" in line and "Leeds City Council" in line
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*.xlsx"))


def test_unwritable_output_folder_exits_2_with_one_line(tmp_path):
    blocker = tmp_path / "file.txt"
    blocker.write_text("a file, not a folder", encoding="utf-8")
    for args in ([], ["--council", "Leeds"]):
        result = gen(blocker / "out", *args)
        assert result.exit_code == 2, result.output
        (line,) = error_lines(result)
        assert "cannot write" in line and str(blocker) in line
        assert "Traceback" not in result.output


def test_refuses_to_overwrite_unless_forced(tmp_path):
    out = tmp_path / "out"
    assert gen(out, "--council", "Leeds").exit_code == 0
    path = out / "Yorkshire-and-The-Humber" / "E08000035-Leeds-City-Council.xlsx"
    path.write_bytes(b"edited by hand")
    result = gen(out, "--council", "Leeds", "--council", "Bradford")
    assert result.exit_code == 2
    (line,) = error_lines(result)
    assert str(path) in line and "--force" in line
    assert path.read_bytes() == b"edited by hand"
    assert not list(out.rglob("*Bradford*")), "nothing is written when anything would clash"
    result = gen(out, "--council", "Leeds", "--force")
    assert result.exit_code == 0, result.output
    assert openpyxl.load_workbook(path)[L.START][L.start_detail_cell(0)].value == (
        "Leeds City Council"
    )
    blank = gen(out)
    assert blank.exit_code == 0
    assert gen(out).exit_code == 2
    assert gen(out, "--force").exit_code == 0


def test_python_m_npsxl_version():
    result = subprocess.run(
        [sys.executable, "-m", "npsxl", "--version"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert __version__ in result.stdout and "npsxl" in result.stdout


# --- the library -------------------------------------------------------------------------------
def test_manifest_keeps_workbooks_from_earlier_batches(tmp_path, model, register):
    out = tmp_path / "out"
    generate(model, out, [register.match("Leeds")])
    generate(model, out, [register.match("Bradford"), register.match("Leeds")], force=True)
    rows = read_manifest(out / "manifest.csv")
    assert sorted(r["council_name"] for r in rows) == [
        "City of Bradford Metropolitan District Council",
        "Leeds City Council",
    ]
    (out / rows[0]["file"]).unlink()
    generate(model, out, [register.match("Wakefield")])
    names = [r["council_name"] for r in read_manifest(out / "manifest.csv")]
    assert len(names) == 2 and "Wakefield Metropolitan District Council" in names


def test_parallel_and_serial_batches_agree(tmp_path, model, register):
    councils = register.in_region("North East")[:6]
    seen = []
    serial = generate(model, tmp_path / "one", councils)
    parallel = generate(model, tmp_path / "two", councils, jobs=2, progress=seen.append)
    assert [b.council for b in parallel.workbooks] == councils
    assert sorted(b.council.code for b in seen) == sorted(c.code for c in councils)
    for a, b in zip(serial.workbooks, parallel.workbooks, strict=True):
        assert a.path.relative_to(tmp_path / "one") == b.path.relative_to(tmp_path / "two")
        first = openpyxl.load_workbook(a.path)[L.START]
        second = openpyxl.load_workbook(b.path)[L.START]
        assert first[L.start_detail_cell(0)].value == second[L.start_detail_cell(0)].value


@pytest.mark.parametrize("jobs", [1, 2])
def test_an_error_in_a_worker_stops_the_batch_with_that_error(tmp_path, model, register, jobs):
    councils = register.in_region("North East")[:8]
    blocked = workbook_path(tmp_path, model, councils[5])
    blocked.mkdir(parents=True)  # a folder where the workbook should go
    (blocked / "kept.txt").write_text("x")
    with pytest.raises(IsADirectoryError, match=blocked.name):
        generate(model, tmp_path, councils, jobs=jobs, force=True)
    assert not (tmp_path / "manifest.csv").exists()


@pytest.mark.skipif(
    multiprocessing.get_start_method() != "fork",
    reason="the workers must inherit the patched builder, which only fork does",
)
def test_a_crash_in_a_worker_stops_the_batch_and_names_the_workbook(
    tmp_path, model, register, monkeypatch
):
    councils = register.in_region("North East")[:8]
    real = generation._build_one

    def crashing(factory, council, path, before):
        if council == councils[3]:
            os._exit(7)
        return real(factory, council, path, before)

    monkeypatch.setattr(generation, "_build_one", crashing)
    with pytest.raises(NpsxlError, match="stopped the worker process") as raised:
        generate(model, tmp_path, councils, jobs=2)
    assert str(workbook_path(tmp_path, model, councils[3])) in str(raised.value)


def test_an_empty_selection_is_an_error(tmp_path, model):
    with pytest.raises(NpsxlError, match="no councils"):
        generate(model, tmp_path, [])
    assert not list(tmp_path.iterdir())


def test_generate_checks_every_target_before_writing(tmp_path, model, register):
    leeds, york = register.match("Leeds"), register.match("York")
    existing = workbook_path(tmp_path, model, york)
    existing.parent.mkdir(parents=True)
    existing.write_bytes(b"x")
    with pytest.raises(OutputError, match="already exists"):
        generate(model, tmp_path, [leeds, york])
    assert not workbook_path(tmp_path, model, leeds).exists()
    assert not (tmp_path / "manifest.csv").exists()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Brighton & Hove City Council", "Brighton-and-Hove-City-Council"),
        ("King's Lynn", "Kings-Lynn"),
        ('St Helens: <the> "best" | council? *', "St-Helens-the-best-council"),
        ("Yorkshire and The Humber", "Yorkshire-and-The-Humber"),
        ("Ynys Môn", "Ynys-Mon"),
        ("CON", "_CON"),
        ("nul.txt", "_nul.txt"),
        ("com1", "_com1"),
        ("...", "_"),
        ("name. ", "name"),
    ],
)
def test_safe_filename(text, expected):
    assert safe_filename(text) == expected
