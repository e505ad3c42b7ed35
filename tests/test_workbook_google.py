"""The workbook avoids what Google Sheets is documented not to support, so that a council
that opens it there gets the same colours, dropdowns and Summary as in Excel or LibreOffice.

- Conditional formatting: a custom formula may refer only to its own sheet (another sheet
  only through INDIRECT), so no rule refers to another sheet, or to a defined name (which
  stands for a range on the Lists sheet).
- Formulas, the Summary's above all, refer to cells, never to defined names alone: the
  defined names stay (the reader finds the cells by them), but nothing the council sees
  depends on a spreadsheet carrying them over from the .xlsx file.
- Dropdowns list the level names themselves, and the councils as a plain range.
"""

from __future__ import annotations

import openpyxl
import pytest
from conftest import sample_answers
from openpyxl.formula import Tokenizer

from npsxl.workbook import layout as L
from npsxl.workbook.writer import build_workbook


@pytest.fixture(scope="module")
def books(model, register, tmp_path_factory):
    folder = tmp_path_factory.mktemp("google")
    paths = {
        "blank": folder / "blank.xlsx",
        "personalised": folder / "leeds.xlsx",
        "filled": folder / "york.xlsx",
    }
    build_workbook(model, paths["blank"], councils=list(register))
    build_workbook(model, paths["personalised"], register.match("Leeds"))
    build_workbook(model, paths["filled"], register.match("York"), answers=sample_answers(model))
    return {kind: openpyxl.load_workbook(path) for kind, path in paths.items()}


def names_in(formula: str, defined: set[str]) -> list[str]:
    """The defined names a formula refers to."""
    tokens = Tokenizer(formula if formula.startswith("=") else "=" + formula).items
    return [
        t.value
        for t in tokens
        if t.type == "OPERAND" and t.subtype == "RANGE" and t.value.upper() in defined
    ]


def other_sheets_in(formula: str) -> list[str]:
    tokens = Tokenizer(formula if formula.startswith("=") else "=" + formula).items
    return [t.value for t in tokens if t.type == "OPERAND" and "!" in t.value]


def defined_names(wb) -> set[str]:
    return {name.upper() for name in wb.defined_names}


def test_the_workbook_still_has_its_defined_names(books):
    for wb in books.values():
        names = defined_names(wb)
        assert L.LEVELS_NAME in names and "NPS_L1_CURRENT" in names
        assert len(names) > 70  # every input and metadata cell is named, for the reader


def test_no_conditional_format_refers_to_another_sheet_or_a_defined_name(books):
    seen = 0
    for kind, wb in books.items():
        defined = defined_names(wb)
        for ws in wb.worksheets:
            for cf in ws.conditional_formatting:
                for rule in cf.rules:
                    for formula in rule.formula or []:
                        seen += 1
                        where = (kind, ws.title, str(cf.sqref), formula)
                        assert other_sheets_in(formula) == [], where
                        assert names_in(formula, defined) == [], where
    assert seen >= 5 * len(books)  # the rules are there: current, target, below, done, check


def test_no_formula_depends_on_defined_names(books):
    formulas = 0
    for kind, wb in books.items():
        defined = defined_names(wb)
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str) and cell.value.startswith("="):
                        formulas += 1
                        where = (kind, ws.title, cell.coordinate)
                        assert names_in(cell.value, defined) == [], where
    summary = books["filled"][L.SUMMARY]
    on_summary = [
        c.value
        for row in summary.iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value.startswith("=")
    ]
    assert len(on_summary) >= 14 * 6  # scores, level names, gap, complete for every item
    assert any("'Self-assessment'!$J$" in f for f in on_summary)  # the input cells themselves
    assert formulas > len(on_summary)


def test_dropdowns_need_no_defined_name(books, model):
    for kind, wb in books.items():
        defined = defined_names(wb)
        sources = [
            dv.formula1
            for ws in wb.worksheets
            for dv in ws.data_validations.dataValidation
            if dv.type == "list"
        ]
        assert '"' + ",".join(model.level_names) + '"' in sources, kind
        for source in sources:
            assert source.upper() not in defined and names_in(source, defined) == [], source
        if kind == "blank":
            assert f"'{L.LISTS}'!$C$2:$C$" in " ".join(sources)
