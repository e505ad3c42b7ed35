"""Both workbooks are legible under any legal brand: every text style a cell with a value
uses (its font colour on its fill, read back with openpyxl) reaches WCAG's 4.5:1, for the
shipped brand and for another one (black text on a gold header, dark fills for the chosen
and warning pairs), as are the conditional formats and the heat map's colour scale.

A legal brand only promises each colour pair's text is legible on its own background; the
other brand here makes a title in the header colour on white unreadable (1.6:1)."""

from __future__ import annotations

import datetime as dt
import re

import openpyxl
import pytest
from conftest import ROOT, sample_answers

from npsxl import build_workbook, collate, read_return, write_summary_workbook
from npsxl.collation.prefill import previous_from_return
from npsxl.model.answers import Answer, Respondent
from npsxl.model.loading import model_from_text
from npsxl.model.model import MIN_CONTRAST, contrast_ratio
from npsxl.workbook.demo import make_returns

GOLD_COLOURS = """  colours:
    header: {background: "#FFC000", text: "#000000"}
    theme: {background: "#FFF2CC", text: "#7F6000"}
    input: {background: "#E2EFDA", text: "#000000"}
    chosen: {background: "#375623", text: "#FFFFFF"}
    target: {background: "#FCE4D6", text: "#833C0B"}
    warning: {background: "#C00000", text: "#FFFFFF"}
    muted: {background: "#F2F2F2", text: "#404040"}
"""


def gold_model():
    """The shipped model with the brand's colours (and organisation) replaced in its YAML."""
    text = (ROOT / "model.yaml").read_text(encoding="utf-8")
    block = re.compile(r"  colours:.*?\n(?=\S)", re.S)
    assert len(block.findall(text)) == 1, "the brand's colours block is not where it was"
    text = block.sub(lambda _: GOLD_COLOURS, text)
    text = text.replace("organisation: Local Government Association", "organisation: Gold & Co")
    model = model_from_text(text, str(ROOT / "model.yaml"))
    assert model.brand.colours["header"].background == "#FFC000"
    assert contrast_ratio(model.brand.colours["header"].background, "#FFFFFF") < 2
    return model


@pytest.fixture(scope="module", params=["shipped", "gold"])
def branded(request, model):
    return model if request.param == "shipped" else gold_model()


def _rgb(color, default: str) -> str:
    """'#RRGGBB' of an openpyxl colour; ``default`` when unset (xlsxwriter's theme text 1 is
    black)."""
    if color is None or (color.type == "theme" and color.theme == 1):
        return default
    assert color.type == "rgb", f"unexpected colour {color!r}"
    return "#" + color.rgb[-6:]


def _cell_styles(path):
    """{(font colour, fill colour): first 'sheet!cell' using it} over cells with a value."""
    styles: dict[tuple[str, str], str] = {}
    book = openpyxl.load_workbook(path)
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is None or cell.value == "":
                    continue
                fill = cell.fill
                background = "#FFFFFF"
                if fill is not None and fill.fill_type == "solid":
                    background = _rgb(fill.fgColor, "#FFFFFF")
                key = (_rgb(cell.font.color, "#000000"), background)
                styles.setdefault(key, f"{ws.title}!{cell.coordinate}")
    return book, styles


def _conditional_styles(book):
    """(font colour, fill colour, where) of every conditional format with a fill, and the
    colours of every colour scale (under the cells' own black text)."""
    found = []
    for ws in book.worksheets:
        for cf in ws.conditional_formatting:
            for rule in cf.rules:
                if rule.colorScale is not None:
                    for colour in rule.colorScale.color:
                        found.append(("#000000", _rgb(colour, "#FFFFFF"), f"{ws.title} scale"))
                elif rule.dxf is not None and rule.dxf.fill is not None:
                    fill = rule.dxf.fill
                    background = _rgb(
                        fill.bgColor if fill.bgColor.rgb != "00000000" else fill.fgColor, "#FFFFFF"
                    )
                    font = rule.dxf.font.color if rule.dxf.font is not None else None
                    found.append((_rgb(font, "#000000"), background, f"{ws.title} {cf.sqref}"))
    return found


def _assert_legible(path, minimum_styles: int):
    book, styles = _cell_styles(path)
    assert len(styles) >= minimum_styles  # the check saw the workbook's variety of styles
    illegible = {
        f"{text} on {fill} at {where}: {contrast_ratio(text, fill):.2f}:1"
        for (text, fill), where in styles.items()
        if contrast_ratio(text, fill) < MIN_CONTRAST
    }
    conditional = _conditional_styles(book)
    assert conditional
    illegible |= {
        f"{text} on {fill} ({where}): {contrast_ratio(text, fill):.2f}:1"
        for text, fill, where in conditional
        if contrast_ratio(text, fill) < MIN_CONTRAST
    }
    assert not illegible, "\n".join(sorted(illegible))
    return styles


def test_self_assessment_workbooks_are_legible(branded, register, tmp_path):
    leeds = register.match("Leeds")
    answers = sample_answers(branded)
    answers["L1"] = Answer("L1", "Leader", "Developing", "Evidence", "Actions")  # below current
    blank = build_workbook(branded, tmp_path / "blank.xlsx", councils=list(register)).path
    officer = Respondent("A. Officer", "Head", "a@example.org", dt.date(2026, 3, 1))
    filled = build_workbook(
        branded, tmp_path / "leeds.xlsx", leeds, answers=answers, respondent=officer, round="2026"
    ).path
    previous = previous_from_return(read_return(filled, branded, register), branded)
    prefilled = build_workbook(
        branded, tmp_path / "again.xlsx", leeds, previous=previous, round="2028"
    ).path
    for path, minimum in ((blank, 6), (filled, 8), (prefilled, 8)):
        styles = _assert_legible(path, minimum)
        brand = branded.brand.colours
        # the brand is really in it: the header pair, and a title in the colour for white
        assert (brand["header"].text, brand["header"].background) in styles
    if branded.brand.colours["header"].background == "#FFC000":
        book, styles = _cell_styles(prefilled)
        title = book["Start here"]["B2"]
        assert _rgb(title.font.color, "#000000") == "#000000"  # not gold on white


def test_summary_workbook_is_legible(branded, register, tmp_path):
    north_east = register.in_region("North East")[:6]
    make_returns(branded, north_east, tmp_path / "r2024", round="2024", faulty=0, seed=1)
    made = make_returns(branded, north_east, tmp_path / "r2026", round="2026", faulty=3, seed=2)
    assert made.faulty  # rejected files: the Returns log shows every status
    collation = collate([tmp_path / "r2024", tmp_path / "r2026"], register, model=branded)
    assert collation.previous_round == "2024"  # the Trends sheet, with its movement colours
    path = write_summary_workbook(collation, tmp_path / "summary.xlsx")
    styles = _assert_legible(path, 6)
    brand = branded.brand.colours
    for role in ("header", "theme", "chosen", "warning"):
        assert (brand[role].text, brand[role].background) in styles
    book = openpyxl.load_workbook(path, read_only=False)
    title = book["Overview"]["A2"]
    assert title.value == "Overview"
    assert contrast_ratio(_rgb(title.font.color, "#000000"), "#FFFFFF") >= MIN_CONTRAST
