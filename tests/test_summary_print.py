"""The summary workbook prints for a council meeting (issue 13): the demo's whole summary on
40 pages or fewer, no text under 8 pt, the long tables left out of the printout, a chase list
of the councils to chase, and a heat map that a colour-blind reader can read.

The page count and the font sizes are read from the PDF that LibreOffice makes of the demo's
summary workbook, as a coordinator printing it would get.
"""

from __future__ import annotations

import re
import subprocess
import zlib
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import soffice_convert

from npsxl.cli import cli

MAX_PAGES = 40
SMALLEST_PT = 8.0
LO_SIZE = 0.9906  # LibreOffice writes a 10 pt font as 9.906 pt (its twips)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    result = CliRunner().invoke(cli, ["demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def printed(demo, tmp_path_factory):
    pdf = soffice_convert([demo / "nps-summary.xlsx"], "pdf", tmp_path_factory.mktemp("pdf"))
    return pdf["nps-summary"]


def pdf_pages(path: Path) -> list[bytes]:
    """The content of each page of a PDF written by LibreOffice, in page order."""
    data = path.read_bytes()
    objects = {
        int(m.group(1)): m.group(2) for m in re.finditer(rb"(\d+) 0 obj(.*?)endobj", data, re.S)
    }

    def stream(number: int) -> bytes:
        body = objects[number]
        raw = re.search(rb"stream\r?\n(.*?)endstream", body, re.S).group(1)
        return zlib.decompress(raw) if b"/FlateDecode" in body else raw

    def kids(number: int) -> list[int]:
        body = objects[number]
        if re.search(rb"/Type\s*/Pages\b", body):
            found = re.search(rb"/Kids\s*\[([^\]]*)\]", body).group(1)
            return [p for k in re.findall(rb"(\d+) 0 R", found) for p in kids(int(k))]
        return [number]

    trees = [n for n, body in objects.items() if re.search(rb"/Type\s*/Pages\b", body)]
    (root,) = [n for n in trees if b"/Parent" not in objects[n]]  # the root of the page tree
    pages = []
    for page in kids(root):
        contents = re.search(rb"/Contents\s*(\[[^\]]*\]|\d+ 0 R)", objects[page]).group(1)
        pages.append(b"".join(stream(int(n)) for n in re.findall(rb"(\d+) 0 R", contents)))
    return pages


def font_sizes(content: bytes) -> list[float]:
    """Every font size the page sets (``/F1 9.906 Tf``), in points as printed."""
    return [float(size) for size in re.findall(rb"/F\d+\s+([\d.]+)\s+Tf", content)]


def test_the_demo_summary_prints_on_40_pages_or_fewer(printed):
    pages = pdf_pages(printed)
    assert 10 <= len(pages) <= MAX_PAGES, f"{len(pages)} pages"


def test_no_page_prints_text_under_8_points(printed):
    small = {}
    for number, content in enumerate(pdf_pages(printed), start=1):
        sizes = font_sizes(content)
        assert sizes, f"page {number} has no text"
        smallest = min(sizes) / LO_SIZE
        if smallest < SMALLEST_PT - 0.05:
            small[number] = round(smallest, 1)
    assert small == {}, f"pages with text under {SMALLEST_PT} pt: {small}"


def page_texts(pdf: Path) -> list[str]:
    """The text of each printed page, in order (poppler's pdftotext)."""
    done = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True)
    return done.stdout.decode("utf-8").split("\f")[:-1]


@pytest.mark.parametrize("sheet", ["National", "Mean levels"])
def test_each_page_break_is_planned_and_no_chart_is_split(demo, printed, sheet):
    """The sheet prints on exactly the pages its breaks plan, with no break inside a chart:
    each part fits its page, so LibreOffice adds no break of its own, which would leave a
    table's last row alone on a page or cut a chart's legend from its bars."""
    ws = openpyxl.load_workbook(demo / "nps-summary.xlsx")[sheet]
    breaks = sorted(b.id for b in ws.row_breaks.brk)
    charts = [(chart.anchor._from.row, chart.anchor.to.row) for chart in ws._charts]
    assert breaks and charts
    for top, bottom in charts:
        assert not any(top < b <= bottom for b in breaks), (top, bottom, breaks)
    # each of the sheet's pages repeats its title under the brand bar
    pages = [text for text in page_texts(printed) if _titled(text, sheet)]
    assert len(pages) == len(breaks) + 1


def test_every_printed_page_names_its_sheet_in_the_footer(demo, printed):
    """A loose page of a long table (Not returned, By council type) still says what it is:
    the footer names the sheet on every page, as LibreOffice prints it."""
    sheets = openpyxl.load_workbook(demo / "nps-summary.xlsx").sheetnames
    pages = page_texts(printed)
    assert len(pages) > len(sheets)  # some sheets print on several pages
    for number, page in enumerate(pages, start=1):
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        footer = next(line for line in reversed(lines) if f"Page {number} of" in line)
        named = [sheet for sheet in sheets if footer.endswith(f"returns summary: {sheet}")]
        assert named, (number, footer)


def test_the_overview_s_guide_to_the_sheets_starts_a_page(printed):
    """Its heading never prints alone at the foot of the first page."""
    (page,) = [text for text in page_texts(printed) if "How to read this workbook" in text]
    lines = [line.strip() for line in page.splitlines() if line.strip()]
    assert lines[1:3] == ["Overview", "How to read this workbook"], lines[:4]
    # and About this collation prints whole, with the versions table under it
    (about,) = [text for text in page_texts(printed) if "About this collation" in text]
    for text in ("Collated", "Files read", "Returns counted by model version and round"):
        assert text in about, text


def _titled(page: str, sheet: str) -> bool:
    """Whether the page prints ``sheet``'s title under the brand bar. pdftotext also gives
    the text of a chart clipped at the page's edge, which may come first or share a line."""
    lines = [line.strip() for line in page.splitlines() if line.strip()]
    bars = [i for i, line in enumerate(lines) if line.startswith("Local Government Association |")]
    near = [line for i in bars[:1] for line in lines[i + 1 : i + 3]]
    return any(line == sheet or line.startswith(sheet + "  ") for line in near)


def test_the_long_tables_are_left_out_of_the_printout(demo):
    wb = openpyxl.load_workbook(demo / "nps-summary.xlsx")
    for name in ("Data", "Returns log"):
        ws = wb[name]
        area = ws.print_area[0] if isinstance(ws.print_area, list) else ws.print_area
        last_row = int(re.findall(r"\d+", area.split(":")[-1])[0])
        assert last_row <= 5, (name, area)  # the title and a note, not thousands of rows
        text = " ".join(
            str(v) for row in ws.iter_rows(max_row=last_row, values_only=True) for v in row if v
        )
        assert "not printed" in text and ".csv" in text, name
        assert ws.max_row > 50, name  # the table itself is there, on screen
    chase = wb["Not returned"]
    assert chase.print_title_rows  # the chase list prints in full, its header on every page


def test_the_chase_list_splits_nothing_received_from_rejected(demo):
    wb = openpyxl.load_workbook(demo / "nps-summary.xlsx")
    rows = list(wb["Not returned"].iter_rows(values_only=True))
    titles = [str(row[0]) for row in rows if row[0]]
    nothing = next(i for i, t in enumerate(titles) if t.startswith("Nothing received"))
    rejected = next(i for i, t in enumerate(titles) if t.startswith("Received but rejected"))
    assert nothing < rejected
    text = " ".join(str(v) for row in rows for v in row if v)
    # the demo's file with a level typed over the dropdown: rejected, with what to do
    assert "unknown-level" in text or "not a level" in text
    assert "choose the level from the dropdown" in text
    # where in the file, for the council to find it
    assert "Sheet 'Self-assessment' cell I6, item L1: the current level of L1 is" in text


def relative_luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_heat_map_steps_are_one_hue_light_to_dark_and_keep_the_numbers(demo):
    wb = openpyxl.load_workbook(demo / "nps-summary.xlsx")
    ws = wb["Heat map"]
    fills: dict[int, set[str]] = {}
    texts: dict[int, set[str]] = {}
    for row in ws.iter_rows():
        for c in row:
            if type(c.value) in (int, float) and 1 <= c.value <= 5 and c.column > 2:
                step = int(c.value)  # a median of 2.5 takes the step of 2
                fills.setdefault(step, set()).add(c.fill.fgColor.rgb[-6:])
                texts.setdefault(step, set()).add((c.font.color.rgb or "FF000000")[-6:])
    assert len(fills) >= 3, fills
    assert all(len(f) == 1 for f in fills.values()), fills  # one fill per step
    order = [next(iter(fills[s])) for s in sorted(fills)]
    luminance = [relative_luminance(c) for c in order]
    assert luminance == sorted(luminance, reverse=True)  # light (low) to dark (high)
    for lighter, darker in zip(order[:-1], order[1:], strict=True):
        assert contrast(lighter, darker) >= 1.3, (lighter, darker)  # clearly different steps
    for step, fill in zip(sorted(fills), order, strict=True):
        (text,) = texts[step]
        assert contrast(text, fill) >= 4.5, (step, text, fill)
    assert not ws.conditional_formatting  # the steps are the cells' own formats


def test_with_the_register_of_england_the_grey_rows_are_all_councils(demo):
    rows = list(
        openpyxl.load_workbook(demo / "nps-summary.xlsx")["London"].iter_rows(values_only=True)
    )
    first = next(i for i, row in enumerate(rows) if row[0] and str(row[0]).startswith("L1 "))
    assert rows[first + 1][0] == "all councils"
    assert openpyxl.load_workbook(demo / "nps-summary.xlsx").sheetnames[1] == "National"
