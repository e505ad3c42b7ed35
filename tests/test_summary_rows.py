"""Row heights in the summary workbook: measured as the self-assessment workbook's are
(npsxl.workbook.textfit), on every sheet, the long tables spliced in as XML included; at most
Excel's limit; one-line rows left at the default height."""

from __future__ import annotations

import math

import openpyxl
import pytest
from conftest import column_pixels_of, sample_answers

from npsxl import build_workbook, collate, write_summary_workbook
from npsxl.model.answers import Answer
from npsxl.workbook.demo import make_returns
from npsxl.workbook.textfit import MAX_ROW_HEIGHT, wrapped_lines_both

LONG = "\n".join(["Our evidence, paragraph by paragraph, with every detail of it. " * 4] * 3)
ENDLESS = "A very long account of what was done, repeated. " * 120  # far beyond one row
PATH = "https://example.org/" + "very-long-path-without-spaces-" * 8


@pytest.fixture(scope="module")
def summary(tmp_path_factory, model, register):
    folder = tmp_path_factory.mktemp("rows")
    north_east = register.in_region("North East")[:5]
    make_returns(model, north_east, folder / "returns", round="2026", faulty=2, seed=3)
    answers = sample_answers(model)
    answers["L1"] = Answer("L1", "Mature", "Leader", LONG, PATH)
    answers["L2"] = Answer("L2", "Mature", "Leader", ENDLESS, "=1+1")
    build_workbook(
        model,
        folder / "returns" / "york.xlsx",
        register.match("York"),
        answers=answers,
        round="2026",
    )
    collation = collate([folder / "returns"], register, model=model)
    path = write_summary_workbook(collation, folder / "summary.xlsx")
    return openpyxl.load_workbook(path)


def test_every_wrapped_text_has_room(summary):
    checked, sheets, capped = 0, set(), []
    for ws in summary.worksheets:
        merged = {(m.min_row, m.min_col): m for m in ws.merged_cells.ranges}
        for row in ws.iter_rows():
            for cell in row:
                if not (isinstance(cell.value, str) and cell.alignment.wrap_text):
                    continue
                span = merged.get((cell.row, cell.column))
                last = span.max_col if span else cell.column
                pixels = column_pixels_of(ws, cell.column, last)
                size = cell.font.sz or 10
                lines = max(wrapped_lines_both(cell.value, pixels, bold=cell.font.b, size=size))
                if lines == 1:
                    continue
                # independently: Arial prose is never under 0.6 digit a character, and a line
                # takes at least 11.2pt (LibreOffice's spacing; Excel's is wider)
                crude = math.ceil(len(cell.value.split("\n")[0]) * 0.6 / (pixels / 7))
                needed = max(lines, crude) * 11.2 * size / 10
                height = ws.row_dimensions[cell.row].height
                where = (ws.title, cell.coordinate, height, lines, cell.value[:80])
                assert height is not None, where
                if span and span.max_row > cell.row:  # a merged cell has all its rows' room
                    below = range(cell.row + 1, span.max_row + 1)
                    height += sum(ws.row_dimensions[r].height or 15 for r in below)
                if needed > MAX_ROW_HEIGHT:
                    assert MAX_ROW_HEIGHT - 0.75 <= height <= MAX_ROW_HEIGHT, where
                    capped.append(cell.value)
                else:
                    assert height >= needed, where
                checked += 1
                sheets.add(ws.title)
    assert checked > 100
    # the long tables spliced in as XML, and the sheets xlsxwriter writes
    assert {"Data", "Returns log", "Overview", "National"} <= sheets
    assert capped and all(text.startswith("A very long account") for text in capped)


def test_no_row_is_taller_than_excel_allows(summary):
    heights = [
        dim.height
        for ws in summary.worksheets
        for dim in ws.row_dimensions.values()
        if dim.height is not None
    ]
    assert max(heights) <= MAX_ROW_HEIGHT


def test_one_line_rows_keep_the_default_height(summary):
    ws = summary["Data"]
    header = next(r for r in ws.iter_rows(min_row=1, max_row=10) if r[0].value == "council code")
    columns = [c.value for c in header]
    evidence, actions = columns.index("evidence"), columns.index("actions")
    rows = list(ws.iter_rows(min_row=header[0].row + 1))
    (long_row,) = [r[0].row for r in rows if str(r[evidence].value).startswith("Our evidence")]
    assert ws.row_dimensions[long_row].height >= 11 * 11.2  # 3 paragraphs, 11 lines or more
    short = [
        row[0].row
        for row in rows
        if len(str(row[evidence].value or "")) < 20
        and len(str(row[actions].value or "")) < 20
        and len(str(row[columns.index("source file")].value)) < 20
        and len(str(row[columns.index("council name")].value)) < 20
        and len(str(row[columns.index("item name")].value)) < 20
    ]
    for number in short:
        assert ws.row_dimensions[number].height is None, number
