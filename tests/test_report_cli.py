"""``npsxl report`` through click's runner: the HTML, the PDFs from headless Chromium, and the
messages when the PDF engine or the report extra is missing."""

from __future__ import annotations

import csv
import subprocess
import sys

import pytest
from click.testing import CliRunner
from conftest import ROOT, sample_answers
from reports_common import FORMULA, SCRIPT, pdf_info, pdf_text

from npsxl.cli import cli
from npsxl.model.answers import Answer

RESPONDENT_NAME, RESPONDENT_EMAIL = "A. Officer", "a.officer@example.org"  # conftest's filled()


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def out(tmp_path_factory):
    """The report folder: outside the returns' folder, which is read whole."""
    return tmp_path_factory.mktemp("out") / "report"


@pytest.fixture
def returns(filled, model, tmp_path):
    """Leeds, with hostile evidence and actions, and York."""
    answers = sample_answers(model)
    first = model.items[0].id
    answers[first] = Answer(first, "Developing", "Leader", f"{SCRIPT} & more", FORMULA)
    filled("Leeds", answers=answers)
    filled("York")
    return tmp_path


def test_report_writes_the_briefing_and_each_council_in_html_and_pdf(runner, returns, out):
    result = runner.invoke(cli, ["report", str(returns), "--out", str(out), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert "Wrote the briefing" in result.output and "and their PDFs" in result.output
    councils = sorted((out / "councils").glob("*.pdf"))
    assert [p.name for p in councils] == [
        "E06000014-City-of-York-Council.pdf",
        "E08000035-Leeds-City-Council.pdf",
    ]
    for pdf, name in (
        (out / "briefing.pdf", "NPS 2018 self-assessment: briefing"),
        (councils[1], "Leeds City Council"),
        (councils[0], "York"),
    ):
        info = pdf_info(pdf)
        assert "A4" in info["Page size"], info
        assert info["Tagged"] == "yes" and int(info["Pages"]) >= 2
        text = pdf_text(pdf)
        assert name in text
        assert RESPONDENT_NAME not in text and RESPONDENT_EMAIL not in text
    leeds = pdf_text(councils[1])
    assert SCRIPT in leeds and FORMULA in leeds  # shown as the text it is
    assert "Page 1 of" in leeds and "To reach" in leeds
    for page in [out / "index.html", *(out / "councils").glob("*.html")]:
        text = page.read_text(encoding="utf-8")
        assert RESPONDENT_NAME not in text and RESPONDENT_EMAIL not in text
    with (out / "councils.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["council_name"] for r in rows} == {"Leeds City Council", "City of York Council"}
    assert all(r["pdf"].endswith(".pdf") and (out / r["pdf"]).is_file() for r in rows)


def test_without_the_pdf_engine_the_html_is_written_and_the_exit_is_2(
    runner, returns, out, monkeypatch
):
    monkeypatch.setenv("NPSXL_CHROMIUM", str(out.parent / "no-such-chromium"))
    result = runner.invoke(cli, ["report", str(returns), "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "no PDFs: the PDFs need headless Chromium; not found: Chromium" in result.output
    assert "apt-get install chromium chromium-driver" in result.output
    assert "--no-pdf" in result.output
    assert (out / "index.html").is_file() and len(list((out / "councils").glob("*.html"))) == 2
    assert not list(out.rglob("*.pdf"))


def test_no_pdf_writes_the_html_alone_and_rejected_files_give_exit_1(runner, out):
    samples = ROOT / "samples" / "returns"
    result = runner.invoke(cli, ["report", str(samples), "--out", str(out), "--no-pdf"])
    assert result.exit_code == 1, result.output  # two sample files are rejected
    # ten accepted: a draft with items left blank counts for its council, the tenth
    assert "10 accepted" in result.output and "2 rejected" in result.output
    assert len(list((out / "councils").glob("*.html"))) == 10
    assert not list(out.rglob("*.pdf"))
    briefing = (out / "index.html").read_text(encoding="utf-8")
    assert "10 of the 353 councils in the register (3%)" in briefing
    assert "In North East, the region with returns, 10 of 12 (83%)" in briefing


def test_the_report_extra_missing_is_one_clear_message(runner, returns, monkeypatch):
    from npsxl.report import reports

    monkeypatch.setattr(reports, "_importable", lambda module: module != "matplotlib")
    result = runner.invoke(cli, ["report", str(returns)])
    assert result.exit_code == 2
    assert "the reports need matplotlib: pip install 'npsxl[report]'" in result.output


def test_group_by_adds_a_section_and_an_unknown_column_is_a_usage_error(
    runner, returns, register, tmp_path_factory
):
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    path = elsewhere / "hubs.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["code", "name", "region", "council_type", "hub"])
        for name, hub in (("Leeds", "West"), ("York", "North"), ("Bradford", "West")):
            c = register.match(name)
            writer.writerow([c.code, c.name, c.region, c.council_type, hub])
    out = elsewhere / "report"
    args = ["report", str(returns), "--register", str(path), "--out", str(out), "--no-pdf"]
    result = runner.invoke(cli, [*args, "--group-by", "hub"])
    assert result.exit_code == 0, result.output
    briefing = (out / "index.html").read_text(encoding="utf-8")
    assert '<h2 id="by-hub">By hub</h2>' in briefing
    result = runner.invoke(cli, [*args, "--group-by", "nope"])
    assert result.exit_code == 2 and "--group-by 'nope' is not a column" in result.output


def test_the_command_line_starts_without_the_report_libraries():
    code = (
        "import sys, npsxl.cli\n"
        "for name in ('matplotlib', 'jinja2', 'selenium', 'pandas'):\n"
        "    assert name not in sys.modules, f'{name} is imported at start'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
