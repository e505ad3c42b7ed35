"""The generated self-assessment workbook, read back with openpyxl: structure, names,
protection, validation, formats, row heights, cached values and untrusted text."""

from __future__ import annotations

import datetime as dt
import math
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from conftest import ROOT, column_pixels_of, sample_answers, without_lineage
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.utils.datetime import from_excel

from npsxl.model.answers import Answer, Respondent
from npsxl.model.loading import model_from_text
from npsxl.model.model import contrast_ratio
from npsxl.model.register import Council
from npsxl.workbook import layout as L
from npsxl.workbook.council_workbooks import CouncilWorkbooks
from npsxl.workbook.previous import Previous
from npsxl.workbook.textfit import MAX_ROW_HEIGHT, wrapped_lines_both
from npsxl.workbook.writer import build_workbook

MODEL_TEXT = without_lineage((ROOT / "model.yaml").read_text(encoding="utf-8"))
GENERATED_AT = "2026-11-02T09:30:00+00:00"
RESPONDENT = Respondent(
    "A. Officer", "Head of Procurement", "a.officer@example.org", dt.date(2026, 11, 2)
)
INPUT_NAME = re.compile(r"^NPS_.+_(CURRENT|TARGET|EVIDENCE|ACTIONS|TARGET_DATE)$")
RESPONDENT_NAMES = {f.defined_name for f in L.RESPONDENT_FIELDS}
# the kind of return, the comments and the sign-off: inputs whoever the workbook is for
FORM_NAMES = {f.defined_name for f in L.START_INPUT_FIELDS if f not in L.COUNCIL_FIELDS}


# --- fixtures: one workbook of each kind, built once ---------------------------------------------
@pytest.fixture(scope="module")
def books(model, register, tmp_path_factory):
    """Paths of a blank, a personalised, a filled (personalised, answered) and a pre-filled
    (personalised, from a previous return) workbook."""
    folder = tmp_path_factory.mktemp("books")
    leeds = register.match("Leeds")
    paths = {
        "blank": folder / "blank.xlsx",
        "personalised": folder / "personalised.xlsx",
        "filled": folder / "filled.xlsx",
        "prefilled": folder / "prefilled.xlsx",
    }
    build_workbook(model, paths["blank"], None, councils=list(register), generated_at=GENERATED_AT)
    build_workbook(model, paths["personalised"], leeds, generated_at=GENERATED_AT)
    build_workbook(
        model,
        paths["filled"],
        leeds,
        answers=sample_answers(model),
        respondent=RESPONDENT,
        generated_at=GENERATED_AT,
    )
    notes = (
        "L1 Engaging councillors: the level descriptions changed since version 0.9; check your "
        "levels.",
        "E4 Innovating: new in this version, so there is no previous answer.",
    )
    previous = Previous("2024", model.id, "0.9", "old.xlsx", sample_answers(model, 1), notes)
    build_workbook(model, paths["prefilled"], leeds, previous=previous, generated_at=GENERATED_AT)
    return paths


@pytest.fixture(scope="module")
def opened(books):
    return {kind: openpyxl.load_workbook(path) for kind, path in books.items()}


def cell_of(wb, name):
    """(worksheet, coordinate) that a workbook-level defined name points at."""
    ((sheet, ref),) = list(wb.defined_names[name].destinations)
    return wb[sheet], ref.replace("$", "")


def input_cells(wb, blank: bool) -> set[tuple[str, str]]:
    names = [n for n in wb.defined_names if INPUT_NAME.match(n) or n in FORM_NAMES]
    if blank:
        names.append("NPS_COUNCIL_NAME")  # chosen from the dropdown or typed
    return {(ws.title, ref) for ws, ref in (cell_of(wb, n) for n in names)}


def written_cells(wb):
    for ws in wb.worksheets:
        for (row, col), cell in ws._cells.items():
            yield ws, row, col, cell


# --- structure ---------------------------------------------------------------------------------
def test_sheet_order_visibility_and_active_sheet(opened):
    for wb in opened.values():
        assert wb.sheetnames == list(L.SHEET_ORDER)
        states = {ws.title: ws.sheet_state for ws in wb.worksheets}
        assert {name for name, state in states.items() if state != "visible"} == set(
            L.HIDDEN_SHEETS
        )
        assert wb.active.title == L.START
        assert wb.sheetnames[-len(L.HIDDEN_SHEETS) :] == list(L.HIDDEN_SHEETS)


def test_one_row_per_item_under_its_group_heading_with_its_reference(opened, model):
    ws = opened["personalised"][L.ASSESSMENT]
    headers = [c.value for c in ws[L.ASSESSMENT_HEADER_ROW + 1]]
    assert headers == [c.header for c in L.assessment_columns(model.level_names)]
    refs = [ws.cell(r, 1).value for r in range(L.ASSESSMENT_FIRST_ROW + 1, ws.max_row + 1)]
    expected = []
    for group in model.groups:
        expected += [group.name] + [item.id for item in group.items]
    assert refs == expected
    row_of = {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1)}
    for item in model.items:
        r = row_of[item.id]
        assert [ws.cell(r, 4 + i).value for i in range(len(model.levels))] == list(item.descriptors)
        assert ws.cell(r, 2).value.startswith("=HYPERLINK(\"#'Guidance'!A")
        assert item.name in ws.cell(r, 2).value
    assert "Enablers" in refs


def test_guidance_has_each_items_texts_where_its_link_points(opened, model):
    wb = opened["blank"]
    ws, guidance = wb[L.ASSESSMENT], wb[L.GUIDANCE]
    texts = {c.value for row in guidance.iter_rows() for c in row if isinstance(c.value, str)}
    for item in model.items:
        r = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == item.id)
        target = int(re.search(r"!A(\d+)\"", ws.cell(r, 2).value).group(1))
        assert guidance.cell(target, 1).value == item.id
        assert guidance.cell(target, 2).value == item.name
        for text in (item.description, item.what_it_is, item.why_it_is_important):
            assert not text or text in texts
    for descriptor in model.item("E2").descriptors:  # enablers: their levels in full
        assert descriptor in texts


def test_level_validations_cover_exactly_the_level_cells(opened, model):
    for kind, wb in opened.items():
        level_cells = {
            cell_of(wb, L.item_input_name(item.id, key))[1]
            for item in model.items
            for key in L.LEVEL_FIELDS
        }
        assert len(level_cells) == 2 * len(model.items) == 28
        covered = []
        for ws in wb.worksheets:
            for dv in ws.data_validations.dataValidation:
                if dv.formula1 == level_list(model):
                    assert ws.title == L.ASSESSMENT and dv.type == "list"
                    assert dv.showErrorMessage, "a typed level outside the list must be refused"
                    covered += [c for r in dv.sqref.ranges for c in _cells(r.coord)]
        assert sorted(covered) == sorted(level_cells), kind
    sheet, area = next(iter(opened["blank"].defined_names[L.LEVELS_NAME].destinations))
    assert sheet == L.LISTS
    levels = opened["blank"][sheet][area.replace("$", "")]
    assert [c.value for (c,) in levels] == list(model.level_names)


def level_list(model) -> str:
    """A level dropdown's list as the file holds it: the names, no defined name (for Google
    Sheets, which may not carry a defined name over)."""
    return '"' + ",".join(model.level_names) + '"'


def _cells(coord: str) -> list[str]:
    min_col, min_row, max_col, max_row = range_boundaries(coord)
    return [
        f"{get_column_letter(c)}{r}"
        for r in range(min_row, max_row + 1)
        for c in range(min_col, max_col + 1)
    ]


def test_chosen_levels_are_marked_besides_colour_and_not_like_links(opened, model):
    ws = opened["filled"][L.ASSESSMENT]
    level_1 = get_column_letter(L.column_index(model.level_names, "level_1") + 1)
    marks = {}
    for rules in ws.conditional_formatting:
        if not str(rules.sqref).startswith(level_1):
            continue
        for rule in rules.rules:
            font, border = rule.dxf.font, rule.dxf.border
            assert not (font and font.u), "an underline would look like a link"
            assert not (font and font.b), "bold would widen the text beyond its row"
            sides = {border.left.style, border.right.style, border.top.style, border.bottom.style}
            assert len(sides) == 1 and None not in sides, rule.formula
            marks[rule.priority] = (sides.pop(), bool(font and font.i), rule.stopIfTrue)
    # current and target on one level first (both shown), then current, then target
    assert [marks[p] for p in sorted(marks)] == [
        ("double", True, True),
        ("medium", False, None),
        ("dotted", True, None),
    ]
    legend = " ".join(str(c.value) for c in ws[L.ASSESSMENT_HELP_ROW + 2] if c.value)
    for words in (
        "current level",
        "target level",
        "Current and target",
        "Target below",
        "yours to fill in",
        "read only",
    ):
        assert words in legend


def test_target_dates_must_be_real_dates_in_a_sensible_range(opened, model):
    for kind, wb in opened.items():
        wanted = {cell_of(wb, L.item_input_name(item.id, "target_date"))[1] for item in model.items}
        ws = wb[L.ASSESSMENT]
        (dv,) = [d for d in ws.data_validations.dataValidation if d.type == "date"]
        assert {c for r in dv.sqref.ranges for c in _cells(r.coord)} == wanted, kind
        assert dv.operator in (None, "between") and dv.errorStyle in (None, "stop")  # defaults
        first, last = (from_excel(float(f)) for f in (dv.formula1, dv.formula2))
        assert first.year == 2018 and 2090 < last.year < 2200
        assert dv.showErrorMessage and "dd/mm/yyyy" in dv.error and "2018" in dv.error
        assert dv.showInputMessage and "dd/mm/yyyy" in dv.prompt


def test_blank_workbook_offers_the_register_in_a_dropdown(opened, register):
    wb = opened["blank"]
    ws, ref = cell_of(wb, "NPS_COUNCIL_NAME")
    (dv,) = [d for d in ws.data_validations.dataValidation if ref in d.sqref]
    sheet, area = next(iter(wb.defined_names[L.COUNCILS_NAME].destinations))
    # the named range's own cells, as a plain range (not the name, for Google Sheets)
    assert dv.type == "list" and dv.formula1 == f"'{sheet}'!{area}"
    assert not dv.showErrorMessage, "a council may type a name that is not in the list"
    names = [c.value for (c,) in wb[sheet][area.replace("$", "")]]
    assert names == sorted((c.name for c in register), key=str.casefold)  # A to Z
    code_ws, code_ref = cell_of(wb, "NPS_COUNCIL_CODE")
    name_ref = "$" + ref[0] + "$" + ref[1:]
    assert code_ws[code_ref].data_type == "f"
    assert f"MATCH(TRIM({name_ref}),'{sheet}'!{area},0)" in code_ws[code_ref].value


def test_every_input_cell_unlocked_and_every_other_cell_locked(opened):
    for kind, wb in opened.items():
        inputs = input_cells(wb, blank=kind == "blank")
        assert len(inputs) == 14 * 5 + len(FORM_NAMES) + (kind == "blank")
        seen = set()
        for ws, _row, _col, cell in written_cells(wb):
            key = (ws.title, cell.coordinate)
            unlocked = not cell.protection.locked
            assert unlocked == (key in inputs), (kind, key, cell.value)
            seen.add(key)
        assert inputs <= seen, "every input cell is written, styled as an input"
        for ws in wb.worksheets:
            p = ws.protection
            assert p.sheet and not p.password, ws.title
            # allowed while protected: resizing rows and columns, selecting any cell
            assert not p.formatRows and not p.formatColumns
            assert not p.selectLockedCells and not p.selectUnlockedCells


def test_input_cells_are_styled_as_inputs(opened, model):
    wb = opened["blank"]
    fill = model.brand.colours["input"].background.lstrip("#").upper()
    for sheet, ref in input_cells(wb, blank=True):
        assert wb[sheet][ref].fill.fgColor.rgb == "FF" + fill, (sheet, ref)


def test_personalised_details_are_filled_in_and_locked(opened, register):
    leeds = register.match("Leeds")
    wb = opened["personalised"]
    assert leeds.council_type == "metropolitan district"  # in the register; shown capitalised
    for field, value in zip(
        L.COUNCIL_FIELDS,
        (leeds.name, leeds.code, leeds.region, "Metropolitan district"),
        strict=True,
    ):
        ws, ref = cell_of(wb, field.defined_name)
        assert ws.title == L.START and ws[ref].value == value and ws[ref].data_type == "s"
        assert ws[ref].protection.locked
    assert leeds.name in wb[L.ASSESSMENT]["A1"].value
    assert not any(
        d.formula1 == L.COUNCILS_NAME for d in wb[L.START].data_validations.dataValidation
    )


def test_no_merged_cells_in_the_answer_area(opened):
    for kind, wb in opened.items():
        assert not wb[L.ASSESSMENT].merged_cells.ranges
        inputs = input_cells(wb, blank=kind == "blank")
        for ws in wb.worksheets:
            for merged in ws.merged_cells.ranges:
                assert not {(ws.title, c) for c in _cells(merged.coord)} & inputs


# --- names and metadata --------------------------------------------------------------------------
def test_every_input_has_its_defined_name_in_its_column(opened, model):
    wb = opened["filled"]
    columns = L.assessment_columns(model.level_names)
    for item in model.items:
        for key in L.ITEM_FIELDS:
            ws, ref = cell_of(wb, L.item_input_name(item.id, key))
            cell = ws[ref]
            assert ws.title == L.ASSESSMENT
            assert ws.cell(cell.row, 1).value == item.id  # the visible reference on the row
            assert cell.column - 1 == L.column_index(model.level_names, key)
            assert columns[cell.column - 1].is_input
    for i, field in enumerate(L.DETAIL_FIELDS):
        ws, ref = cell_of(wb, field.defined_name)
        assert (ws.title, ref) == (L.START, L.start_detail_cell(i))
        assert ws.cell(ws[ref].row, L.START_LABEL_COL + 1).value == field.label


@pytest.mark.parametrize("kind", ["blank", "personalised"])
def test_metadata_is_written_three_ways_and_agrees(opened, model, register, kind):
    wb = opened[kind]
    council = register.match("Leeds") if kind == "personalised" else None
    expected = {
        "model_id": model.id,
        "model_version": model.version,
        "model_fingerprint": model.fingerprint,
        "layout_version": L.LAYOUT_VERSION,
        "council_code": council.code if council else "",
        "council_name": council.name if council else "",
        "generated_at": GENERATED_AT,
    }
    properties = {p.name: p.value for p in wb.custom_doc_props.props}
    meta = wb[L.METADATA]
    for key in L.META_KEYS:
        ws, ref = cell_of(wb, L.meta_defined_name(key))
        assert ws.title == L.METADATA and ref == L.meta_cell(key)
        assert meta.cell(ws[ref].row, 1).value == key
        value = ws[ref].value or ""
        assert properties[L.meta_property_name(key)] == (value or "-")
        if key in expected:
            assert value == expected[key], key
    assert properties["npsxl_generator"].startswith("npsxl ")
    small = " ".join(str(c.value) for row in wb[L.START].iter_rows() for c in row if c.value)
    short = model.fingerprint[:12]
    assert f"Model {model.id} version {model.version}, fingerprint {short} " in small
    assert model.fingerprint not in small  # in full in the metadata, for the reader
    assert wb.properties.subject == (council.name if council else "Blank self-assessment")


# --- formats: contrast, printing, chart ----------------------------------------------------------
def _rgb(color, default: str) -> str:
    if color is None or color.type != "rgb" or color.rgb in (None, "00000000"):
        if color is not None and color.type == "theme" and color.theme not in (0, 1):
            raise AssertionError(f"unexpected theme colour {color.theme}")
        return default
    return "#" + color.rgb[-6:]


def test_text_contrast_is_at_least_4_5_on_every_fill(opened):
    pairs = set()
    for wb in opened.values():
        for _ws, _row, _col, cell in written_cells(wb):
            fill = cell.fill
            background = fill.fgColor if fill.fill_type == "solid" else None
            pairs.add((_rgb(cell.font.color, "#000000"), _rgb(background, "#FFFFFF")))
        for ws in wb.worksheets:
            for rules in ws.conditional_formatting:
                for rule in rules.rules:
                    dxf = rule.dxf
                    background = dxf.fill.bgColor if dxf.fill is not None else None
                    font = dxf.font.color if dxf.font is not None else None
                    pairs.add((_rgb(font, "#000000"), _rgb(background, "#FFFFFF")))
    assert len(pairs) >= 8
    for text, background in pairs:
        assert contrast_ratio(text, background) >= 4.5, (text, background)


def test_visible_sheets_print_a4_landscape_with_footer(opened, register):
    for kind, wb in opened.items():
        for name in L.SHEET_ORDER[:4]:
            ws = wb[name]
            setup = ws.page_setup
            assert setup.orientation == "landscape" and setup.paperSize == 9  # A4
            if name == L.ASSESSMENT:  # two pages wide at a readable scale, left to right
                assert not ws.sheet_properties.pageSetUpPr.fitToPage
                assert 85 <= setup.scale <= 100 and setup.pageOrder == "overThenDown"
                evidence = L.column_index(model_levels(wb), "evidence", kind == "prefilled")
                assert [b.id for b in ws.col_breaks.brk] == [evidence]
                assert ws.print_title_cols == "$A:$B"
            else:
                assert ws.sheet_properties.pageSetUpPr.fitToPage
                assert setup.fitToWidth in (None, 1)  # 1 is the default
            footer = ws.oddFooter
            assert footer.center.text == "Page &P of &N"
            who = "Blank workbook" if kind == "blank" else register.match("Leeds").name
            assert footer.left.text == who
        assert wb[L.ASSESSMENT].print_title_rows == f"${L.ASSESSMENT_HEADER_ROW + 1}:$" + str(
            L.ASSESSMENT_HEADER_ROW + 1
        )
        assert wb[L.ASSESSMENT].freeze_panes == f"C{L.ASSESSMENT_FIRST_ROW + 1}"


def model_levels(wb) -> list[str]:
    return [
        row[0] for row in wb[L.LISTS].iter_rows(min_row=2, max_col=1, values_only=True) if row[0]
    ]


def test_summary_chart_has_alt_text(books, model):
    with zipfile.ZipFile(books["filled"]) as archive:
        drawing = archive.read("xl/drawings/drawing1.xml").decode()
        chart = archive.read("xl/charts/chart1.xml").decode()
    descr = re.search(r'descr="([^"]+)"', drawing).group(1)
    assert "current and target level" in descr and f"{len(model.items)} key areas" in descr
    assert chart.count("<c:ser>") == 2 and "Summary!$D$5:$D$18" in chart


# --- row heights ---------------------------------------------------------------------------------
def test_rows_with_wrapped_text_are_tall_enough(opened):
    checked = 0
    for wb in opened.values():
        for ws in wb.worksheets[:4]:
            merged = {m.min_row: m for m in ws.merged_cells.ranges}
            for row in ws.iter_rows():
                for cell in row:
                    if not (isinstance(cell.value, str) and cell.alignment.wrap_text):
                        continue
                    text = cell.value
                    if text.startswith("=HYPERLINK("):
                        text = re.search(r',"(.*)"\)$', text).group(1)
                    elif text.startswith("="):
                        continue
                    span = merged.get(cell.row)
                    if span and span.min_col == cell.column:
                        pixels = column_pixels_of(ws, span.min_col, span.max_col)
                    else:
                        pixels = column_pixels_of(ws, cell.column, cell.column)
                    size = cell.font.sz or 10
                    lines = max(wrapped_lines_both(text, pixels, bold=cell.font.b, size=size))
                    # a crude independent bound: Arial prose is never under 0.6 digit a character
                    crude = math.ceil(len(text) * 0.6 / (pixels / 7))
                    height = ws.row_dimensions[cell.row].height
                    assert height is not None, (ws.title, cell.coordinate)
                    needed = max(lines, crude) * 12 * size / 10
                    where = (ws.title, cell.coordinate, height, lines, text)
                    # every fixed text fits in a row Excel can show (at most 409 pt)
                    assert needed <= MAX_ROW_HEIGHT, where
                    assert height >= needed, where
                    checked += 1
    assert checked > 300


def test_no_row_is_taller_than_excel_allows(opened):
    for kind, wb in opened.items():
        for ws in wb.worksheets:
            for number, dimension in ws.row_dimensions.items():
                assert (dimension.height or 0) <= MAX_ROW_HEIGHT, (kind, ws.title, number)


@pytest.mark.parametrize("length", [600, 2000])
def test_long_evidence_fits_its_row_and_the_row_grows_with_typing(model, tmp_path, length):
    words = "Our category strategy was approved by cabinet and spend is analysed quarterly. "
    long = (words * 40)[:length]
    path = tmp_path / "long.xlsx"
    build_workbook(model, path, answers={"C3": Answer("C3", evidence=long, actions=long)})
    wb = openpyxl.load_workbook(path)
    ws, ref = cell_of(wb, "NPS_C3_EVIDENCE")
    _, other = cell_of(wb, "NPS_C2_EVIDENCE")
    assert ws[ref].value == long
    row = ws.row_dimensions[ws[ref].row]
    pixels = column_pixels_of(ws, ws[ref].column, ws[ref].column)
    needed = max(wrapped_lines_both(long, pixels)) * 12.75 + 3
    assert needed <= row.height <= MAX_ROW_HEIGHT
    # no custom height: Excel and LibreOffice fit the row again as the council types
    with zipfile.ZipFile(path) as archive:
        sheet = archive.read("xl/worksheets/sheet2.xml").decode()  # the Self-assessment
    for number in (ws[ref].row, ws[other].row):
        tag = re.search(rf'<row r="{number}"[^>]*>', sheet).group(0)
        assert "ht=" in tag and "customHeight" not in tag, tag
    if length == 2000:
        assert row.height > ws.row_dimensions[ws[other].row].height + 100


# --- a changed model makes a changed workbook, with no code change ------------------------------
def _edited_model():
    text = MODEL_TEXT
    start = text.index("      - id: L4\n")
    end = text.index("  - id: COMMERCIAL\n")
    text = text[:start] + text[end:]  # L4 removed
    new_item = (
        "      - id: C9\n"
        "        name: Managing supply chain resilience\n"
        "        description: A new key area added to the living strategy.\n"
        "        what_it_is: Knowing and managing the risks in critical supply chains.\n"
        "        why_it_is_important: Failures in supply chains stop services.\n"
        "        levels:\n"
        + "".join(
            f"          {lv}: Resilience descriptor for {lv}.\n"
            for lv in ("Minimum", "Developing", "Mature", "Leader", "Innovator")
        )
    )
    anchor = text.index("  - id: BENEFITS\n")
    text = text[:anchor] + new_item + text[anchor:]
    old = "Councillors regard procurement and commercial issues as purely operational matters."
    assert old in text
    text = text.replace(old, "Councillors see procurement as a back-office matter.")
    return model_from_text(text, "edited.yaml")


def test_a_changed_model_makes_a_correspondingly_changed_workbook(model, tmp_path):
    edited = _edited_model()
    assert edited.fingerprint != model.fingerprint
    path = tmp_path / "edited.xlsx"
    build_workbook(edited, path, answers=sample_answers(edited))
    wb = openpyxl.load_workbook(path)
    names = set(wb.defined_names)
    assert not any(n.startswith("NPS_L4_") for n in names)
    assert {L.item_input_name("C9", key) for key in L.ITEM_FIELDS} <= names
    ws = wb[L.ASSESSMENT]
    refs = [ws.cell(r, 1).value for r in range(1, ws.max_row + 1)]
    assert "L4" not in refs and refs.index("C9") == refs.index("C3") + 1
    row = refs.index("C9") + 1
    assert ws.cell(row, 4).value == "Resilience descriptor for Minimum."
    l1 = refs.index("L1") + 1
    assert ws.cell(l1, 4).value == "Councillors see procurement as a back-office matter."
    covered = [
        c
        for dv in ws.data_validations.dataValidation
        if dv.formula1 == level_list(edited)
        for r in dv.sqref.ranges
        for c in _cells(r.coord)
    ]
    assert len(covered) == 2 * len(edited.items)
    summary = openpyxl.load_workbook(path, data_only=True)[L.SUMMARY]
    summary_refs = [summary.cell(r, 1).value for r in range(5, 5 + len(edited.items))]
    assert summary_refs == [i.id for i in edited.items]
    start = openpyxl.load_workbook(path, data_only=True)[L.START]
    status = [c.value for row in start.iter_rows() for c in row if c.value]
    n = len(edited.items)
    assert f"{n} of {n} items complete" in status
    props = {p.name: p.value for p in wb.custom_doc_props.props}
    assert props["npsxl_model_fingerprint"] == edited.fingerprint


# --- cached values -------------------------------------------------------------------------------
def test_filled_workbook_has_right_cached_values(books, model):
    answers = sample_answers(model)
    wb = openpyxl.load_workbook(books["filled"], data_only=True)
    ws = wb[L.SUMMARY]
    score = {name: i for i, name in enumerate(model.level_names, start=1)}
    for row in range(5, 5 + len(model.items)):
        item_id = ws.cell(row, 1).value
        a = answers[item_id]
        current, target = score[a.current], score[a.target]
        assert [ws.cell(row, c).value for c in range(4, 10)] == [
            current,
            a.current,
            target,
            a.target,
            target - current,
            "Yes",
        ]
    averages = {
        ws.cell(r, 2).value: (ws.cell(r, 4).value, ws.cell(r, 6).value, ws.cell(r, 8).value)
        for r in range(20, ws.max_row + 1)
        if ws.cell(r, 2).value
    }
    for group in model.groups:
        currents = [score[answers[i.id].current] for i in group.items]
        targets = [score[answers[i.id].target] for i in group.items]
        got = averages[group.name]
        assert got[0] == pytest.approx(sum(currents) / len(currents))
        assert got[1] == pytest.approx(sum(targets) / len(targets))
        assert got[2] == pytest.approx(1.0)
    start = [c.value for row in wb[L.START].iter_rows() for c in row if c.value]
    assert "14 of 14 items complete" in start
    assert any(str(v).startswith("Nothing missing") for v in start)
    checks = [wb[L.ASSESSMENT].cell(r, 14).value for r in range(6, 30)]
    assert checks.count("Done") == 14


def test_partly_filled_workbook_caches_progress_and_flags(model, tmp_path):
    answers = {
        "L1": Answer("L1", "Leader", "Developing"),  # target below current
        "L2": Answer("L2", "Mature", None),  # one level only
        "C1": Answer("C1", "Minimum", "Innovator"),
    }
    path = tmp_path / "part.xlsx"
    build_workbook(model, path, answers=answers)
    wb = openpyxl.load_workbook(path, data_only=True)
    start = [c.value for row in wb[L.START].iter_rows() for c in row if c.value]
    assert "2 of 14 items complete; 2 without evidence" in start  # complete, without evidence
    missing = [i.id for i in model.items if i.id not in ("L1", "C1")]
    assert "Still to complete: " + ", ".join(missing) in start
    ws = wb[L.ASSESSMENT]
    check = {ws.cell(r, 1).value: ws.cell(r, 14).value for r in range(5, ws.max_row + 1)}
    assert check["L1"] == "Target below current"
    assert check["L2"] == "Choose both levels"
    assert check["C1"] == "Done" and check["E4"] == "To do"
    summary = wb[L.SUMMARY]
    gaps = {summary.cell(r, 1).value: summary.cell(r, 8).value for r in range(5, 19)}
    assert gaps["L1"] == -2 and gaps["C1"] == 4 and gaps["L2"] in (None, "")

    def value(r, c):  # an empty text is read back as None
        return summary.cell(r, c).value or ""

    names = {value(r, 1): (value(r, 5), value(r, 7)) for r in range(5, 19)}
    assert names["L1"] == ("Leader", "Developing") and names["L2"] == ("Mature", "")
    averages = {
        value(r, 2): [value(r, c) for c in (3, 4, 6, 8)]
        for r in range(20, summary.max_row + 1)
        if value(r, 2)
    }
    # over the items with both levels (L1 of Showing leadership; L2 has a current only), so
    # the gap is the difference of the averages shown
    assert averages["Showing leadership"] == ["1 of 4", 4.0, 2.0, -2.0]
    assert averages["Behaving commercially"] == ["1 of 3", 1.0, 5.0, 4.0]
    assert averages["Enablers"] == ["0 of 4", "", "", ""]
    overall = averages["All key areas and enablers"]
    assert overall[0] == "2 of 14" and overall[1:3] == [2.5, 3.5] and overall[3] == 1.0


# --- untrusted text -----------------------------------------------------------------------------
TRICKY = '=HYPERLINK("http://example.com","Click") & "Sons" <b>'


def test_council_and_respondent_text_is_written_as_strings(model, tmp_path):
    council = Council("E09000099", "", TRICKY, "Tricky", "London", "London borough")
    path = tmp_path / "tricky.xlsx"
    build_workbook(
        model,
        path,
        council,
        answers={"L1": Answer("L1", "Mature", "Leader", "=1+1", "@SUM(A1)", "+44")},
        respondent=Respondent("=cmd|' /C calc'!A0", "-2+3", "http://x.example", "=TODAY()"),
    )
    wb = openpyxl.load_workbook(path)
    for name, value in (
        ("NPS_COUNCIL_NAME", TRICKY),
        ("NPS_L1_EVIDENCE", "=1+1"),
        ("NPS_L1_ACTIONS", "@SUM(A1)"),
        ("NPS_L1_TARGET_DATE", "+44"),
        ("NPS_RESPONDENT_NAME", "=cmd|' /C calc'!A0"),
        ("NPS_RESPONDENT_ROLE", "-2+3"),
        ("NPS_DATE_COMPLETED", "=TODAY()"),
        ("NPS_META_COUNCIL_NAME", TRICKY),
    ):
        ws, ref = cell_of(wb, name)
        assert ws[ref].value == value and ws[ref].data_type == "s", name
        assert ws[ref].hyperlink is None
    assert wb[L.ASSESSMENT]["A1"].data_type == "s"
    for ws in wb.worksheets[:4]:
        assert ws.oddFooter.left.text == TRICKY.replace("&", "&&")  # '&' starts a footer code
        assert ws.oddFooter.center.text == "Page &P of &N"
        assert not ws._hyperlinks
    with zipfile.ZipFile(path) as archive:
        assert "/externalLinks/" not in " ".join(archive.namelist())
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "&amp;&amp; &quot;Sons&quot;" in sheet or '&amp;&amp; "Sons"' in sheet


# --- the fast path for batches ----------------------------------------------------------------
def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {n: archive.read(n) for n in archive.namelist() if n != "docProps/core.xml"}


@pytest.mark.parametrize(
    "council",
    [
        Council(
            "E08000035",
            "LDS",
            "Leeds City Council",
            "Leeds",
            "Yorkshire and The Humber",
            "metropolitan district",
        ),
        Council(
            "E06000043",
            "BNH",
            "Brighton & Hove <City> Council",
            "Brighton",
            "South East",
            "unitary",
        ),
        Council("E09000099", "", TRICKY, "x", "London", "London borough"),  # quote prefix: built
        Council("E07000001", "", "A" * 70, "x", "South West", ""),  # long name, no type: built
        Council("E07000002", "", "Tab\tCouncil _x0041_", "x", "South West", "district"),
    ],
    ids=["plain", "ampersand", "formula-like", "long-and-empty", "escaped"],
)
def test_council_workbooks_are_the_same_as_built_ones(model, tmp_path, council):
    factory = CouncilWorkbooks(model, GENERATED_AT)
    fast, built = tmp_path / "fast.xlsx", tmp_path / "built.xlsx"
    result = factory.build(council, fast)
    build_workbook(model, built, council, generated_at=GENERATED_AT)
    assert _parts(fast) == _parts(built)
    assert result.council is council and result.path == fast
    assert result.fingerprint == model.fingerprint and result.generated_at == GENERATED_AT
    wb = openpyxl.load_workbook(fast)
    ws, ref = cell_of(wb, "NPS_COUNCIL_NAME")
    assert ws[ref].value == council.name
    if "_x" not in council.name:  # xlsxwriter escapes '_xHHHH_' in document properties
        assert wb.properties.subject == council.name


def test_council_workbooks_refuse_to_overwrite_without_force(model, tmp_path, register):
    from npsxl.core.errors import OutputError

    path = tmp_path / "x.xlsx"
    path.write_bytes(b"keep")
    with pytest.raises(OutputError, match="already exists"):
        CouncilWorkbooks(model).build(register.match("Leeds"), path, force=False)
    assert path.read_bytes() == b"keep"


def test_xlsxwriter_warnings_fail_the_tests(tmp_path):
    """setup.cfg turns xlsxwriter's warnings into errors, so a workbook that would make
    xlsxwriter complain (and silently drop something) fails the suite."""
    wb = xlsxwriter.Workbook(tmp_path / "w.xlsx")
    ws = wb.add_worksheet()
    with pytest.raises(UserWarning):
        ws.write_formula(0, 0, "")
    wb.close()


def test_blank_workbook_without_a_register_lets_the_council_type_its_details(model, tmp_path):
    path = tmp_path / "blank.xlsx"
    build_workbook(model, path)
    wb = openpyxl.load_workbook(path)
    assert L.COUNCILS_NAME not in wb.defined_names
    for field in L.COUNCIL_FIELDS:
        ws, ref = cell_of(wb, field.defined_name)
        assert ws[ref].value is None and not ws[ref].protection.locked, field.key
    assert all(dv.formula1 != L.COUNCILS_NAME for dv in wb[L.START].data_validations.dataValidation)
