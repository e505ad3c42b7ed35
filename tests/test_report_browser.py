"""The reports opened in headless Chromium (Debian's, through selenium and chromedriver):
axe-core finds no violation of the WCAG 2.0 and 2.1 A and AA rules, the console has no
error, nothing is fetched, and the PDFs printed from the same pages are A4.

The pages are those of the two-round collation in ``reports_common``: the briefing with
its movement section, the hostile council's report and the report of the council that
left an item blank.
"""

from __future__ import annotations

import json

import pytest
from reports_common import (
    DELTA,
    HOSTILE_NAME,
    SCRIPT,
    ZETA,
    browser,
    close_browser,
    describe,
    pdf_info,
    pdf_text,
    run_axe,
    two_rounds,
)

from npsxl.report.reports import write_reports


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    collation, _register = two_rounds(tmp_path_factory.mktemp("register"))
    return write_reports(collation, tmp_path_factory.mktemp("report"), jobs=2)


@pytest.fixture(scope="module")
def driver():
    opened = browser()
    yield opened
    close_browser(opened)


def pages(written):
    councils = {files.code: files.html for files in written.councils}
    return {"briefing": written.briefing_html, "zeta": councils[ZETA], "delta": councils[DELTA]}


@pytest.fixture(params=["briefing", "zeta", "delta"])
def opened(request, written, driver):
    """The page opened in the browser, with the logs read before it loaded emptied."""
    driver.get_log("browser")
    driver.get_log("performance")
    path = pages(written)[request.param]
    driver.get(path.as_uri())
    return path


def test_axe_finds_no_wcag_a_or_aa_violation(opened, driver):
    results = run_axe(driver)
    assert "error" not in results, results
    assert results["violations"] == [], describe(results["violations"])
    # the rules that matter most here did run, and passed
    for rule in ("color-contrast", "html-has-lang", "document-title", "list", "th-has-data-cells"):
        assert rule in results["passes"], (rule, results["passes"])
    # the charts: an SVG image (briefing) or layers of SVG under one image (council pages)
    assert {"svg-img-alt", "role-img-alt"} & set(results["passes"]), results["passes"]


def test_the_console_has_no_error_and_nothing_is_fetched(opened, driver):
    severe = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
    assert severe == []
    requested = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            requested.append(message["params"]["request"]["url"])
    assert requested == [opened.as_uri()]


def test_headings_are_in_order_and_the_title_is_set(opened, driver):
    levels = driver.execute_script(
        "return [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].map(h => +h.tagName[1]);"
    )
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False)), levels
    assert driver.title and driver.execute_script("return document.documentElement.lang") == "en-GB"


def test_every_chart_is_named_for_assistive_technology(opened, driver):
    charts = driver.execute_script(
        "return [...document.querySelectorAll('figure')].map(f => {"
        "  const image = f.querySelector('[role=img]');"
        "  return [image ? image.getAttribute('aria-label') : null,"
        "          [...f.querySelectorAll('svg')].every(s => s === image ||"
        "             s.closest('[aria-hidden=true]') !== null),"
        "          f.nextElementSibling ? f.nextElementSibling.tagName : f.parentElement"
        "             .nextElementSibling.tagName];"
        "});"
    )
    assert charts
    for label, hidden, following in charts:
        assert label and hidden and following == "TABLE", (label, hidden, following)


def test_hostile_text_is_shown_as_text(written, driver):
    driver.get(pages(written)["zeta"].as_uri())
    assert driver.execute_script("return document.scripts.length") == 0
    assert driver.execute_script("return document.images.length") == 0
    body = driver.execute_script("return document.body.innerText")
    assert SCRIPT in body and HOSTILE_NAME in body
    assert driver.title.startswith(HOSTILE_NAME)


def test_axe_does_find_violations_on_a_page_that_has_them(driver, tmp_path):
    """The harness is not blind: a page with the faults the reports avoid fails."""
    bad = tmp_path / "bad.html"
    bad.write_text(
        "<!doctype html><html><head></head><body><h1>T</h1><h3>skipped</h3>"
        '<p style="color:#bbb;background:#fff">faint</p><svg role="img"><rect/></svg>'
        "</body></html>",
        encoding="utf-8",
    )
    driver.get(bad.as_uri())
    found = {v["id"] for v in run_axe(driver)["violations"]}
    assert {"html-has-lang", "document-title", "color-contrast", "svg-img-alt"} <= found


def test_the_pdfs_are_a4_tagged_and_name_the_council(written):
    assert written.briefing_pdf is not None and len(written.pdfs) == 1 + len(written.councils)
    for files in written.councils:
        info = pdf_info(files.pdf)
        assert "A4" in info["Page size"] and info["Tagged"] == "yes", info
        assert files.name.split()[0] in pdf_text(files.pdf)
    zeta = next(f for f in written.councils if f.code == ZETA)
    text = " ".join(pdf_text(zeta.pdf).split())
    assert SCRIPT in text
    briefing = " ".join(pdf_text(written.briefing_pdf).split())
    assert "Movement since round 2025" in briefing and "Headline findings" in briefing


def test_a_printer_moves_to_a_fresh_tab_and_each_pdf_is_its_own_page(tmp_path, monkeypatch):
    """A tab keeps what every page loaded into it held, so the printer changes tabs every
    PAGES_PER_TAB pages: the PDFs on either side of a change are still each their own page's,
    and one tab is left open, not one per batch."""
    from npsxl.report import pdf

    monkeypatch.setattr(pdf, "PAGES_PER_TAB", 2)
    printer = pdf.Printer(pdf.find_engine())
    try:
        printed = []
        for number in range(5):
            html = tmp_path / f"page{number}.html"
            html.write_text(
                f'<!doctype html><html lang="en"><title>Page {number}</title>'
                f"<p>Text of page number {number}</p></html>",
                encoding="utf-8",
            )
            printed.append(printer.print(html, tmp_path / f"page{number}.pdf"))
        handles = printer.driver.window_handles
    finally:
        printer.close()
    assert len(handles) == 1
    for number, path in enumerate(printed):
        text = " ".join(pdf_text(path).split())
        assert f"Text of page number {number}" in text, text
        others = [n for n in range(5) if n != number]
        assert not any(f"page number {n}" in text for n in others)
