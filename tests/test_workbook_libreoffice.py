"""Generated workbooks in LibreOffice (headless): they convert to xlsx, ods and PDF; what
matters survives the round trips; LibreOffice's own recalculation of a workbook a council
filled in (with openpyxl here, which drops cached values) gives the right scores; and
LibreOffice's own row layout fits in the row heights the generator sets.

Every conversion of every workbook runs in a handful of soffice calls, once per module.
These tests fail (never skip) when soffice is missing.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from conftest import sample_answers, soffice_convert

from npsxl.model.answers import Answer, Respondent
from npsxl.workbook import layout as L
from npsxl.workbook.writer import build_workbook

GENERATED_AT = "2026-11-02T09:30:00+00:00"
ERRORS = ("#NAME?", "#VALUE!", "#REF!", "#N/A", "#DIV/0!", "#NUM!", "#NULL!", "Err:")
KINDS = ("blank", "personalised", "filled", "edited", "edited_blank")


def name_cell(wb, name):
    ((sheet, ref),) = list(wb.defined_names[name].destinations)
    return wb[sheet], ref.replace("$", "")


def set_named(wb, name, value):
    ws, ref = name_cell(wb, name)
    ws[ref] = value


# What the council "types" into the openpyxl-edited workbooks
EDITED = {  # item -> (current, target); 9 of 14 complete, one target below current
    "L1": ("Minimum", "Developing"),
    "L2": ("Developing", "Mature"),
    "L3": ("Mature", "Leader"),
    "L4": ("Leader", "Innovator"),
    "C1": ("Minimum", "Innovator"),
    "C2": ("Leader", "Developing"),
    "C3": ("Mature", "Mature"),
    "B1": ("Developing", "Leader"),
    "B2": ("Innovator", "Innovator"),
    "B3": ("Mature", None),
}


@pytest.fixture(scope="module")
def lo(model, register, tmp_path_factory):
    folder = tmp_path_factory.mktemp("libreoffice")
    leeds = register.match("Leeds")
    src = {kind: folder / f"{kind}.xlsx" for kind in KINDS}
    build_workbook(model, src["blank"], None, councils=list(register), generated_at=GENERATED_AT)
    build_workbook(model, src["personalised"], leeds, generated_at=GENERATED_AT)
    answers = sample_answers(model)
    answers["C2"] = Answer("C2", "Leader", "Developing", "Evidence", "Actions")
    build_workbook(
        model,
        src["filled"],
        leeds,
        answers=answers,
        generated_at=GENERATED_AT,
        respondent=Respondent("A. Officer", "Head", "a@example.org", dt.date(2026, 11, 2)),
    )
    # a council's app edits the generated files: openpyxl keeps formulas, drops cached values
    wb = openpyxl.load_workbook(src["personalised"])
    for item_id, (current, target) in EDITED.items():
        set_named(wb, L.item_input_name(item_id, "current"), current)
        if target:
            set_named(wb, L.item_input_name(item_id, "target"), target)
        set_named(wb, L.item_input_name(item_id, "evidence"), f"Evidence & notes for {item_id}")
    set_named(wb, "NPS_RESPONDENT_NAME", "A. Officer")
    wb.save(src["edited"])
    wb = openpyxl.load_workbook(src["blank"])
    set_named(wb, "NPS_COUNCIL_NAME", leeds.name)
    for item in model.items:
        set_named(wb, L.item_input_name(item.id, "current"), "Developing")
        set_named(wb, L.item_input_name(item.id, "target"), "mature")  # any case, as MATCH
    wb.save(src["edited_blank"])

    paths = list(src.values())
    to_xlsx = "xlsx:Calc MS Excel 2007 XML"
    xlsx = soffice_convert(paths, to_xlsx, folder / "xlsx")
    ods = soffice_convert(paths, "ods", folder / "ods")
    pdf = soffice_convert(paths, "pdf", folder / "pdf")
    ods_xlsx = soffice_convert(list(ods.values()), to_xlsx, folder / "ods-xlsx")
    optimal = folder / "optimal"
    optimal.mkdir()
    flagged = [
        _optimal_rows(ods[kind], optimal / f"{kind}-optimal.ods") for kind in ("blank", "filled")
    ]
    heights = soffice_convert(flagged, to_xlsx, folder / "optimal-xlsx")
    return {
        "src": src,
        "xlsx": xlsx,
        "ods": ods,
        "pdf": pdf,
        "ods_xlsx": ods_xlsx,
        "heights": heights,
    }


def _optimal_rows(ods: Path, out: Path) -> Path:
    """A copy of ``ods`` whose rows all ask LibreOffice for their optimal height."""
    with zipfile.ZipFile(ods) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "content.xml":
                data = data.replace(
                    b'style:use-optimal-row-height="false"', b'style:use-optimal-row-height="true"'
                )
            compress = zipfile.ZIP_STORED if info.filename == "mimetype" else zipfile.ZIP_DEFLATED
            target.writestr(info.filename, data, compress_type=compress)
    return out


# --- conversions -----------------------------------------------------------------------------
def test_every_kind_converts_to_xlsx_ods_and_pdf(lo):
    for kind in KINDS:
        assert zipfile.is_zipfile(lo["xlsx"][kind])
        with zipfile.ZipFile(lo["ods"][kind]) as archive:
            assert archive.read("mimetype") == b"application/vnd.oasis.opendocument.spreadsheet"
        pdf = lo["pdf"][kind].read_bytes()
        assert pdf.startswith(b"%PDF")
        pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
        assert 4 <= pages <= 30, (kind, pages)


def _errors(path: Path) -> list[tuple]:
    wb = openpyxl.load_workbook(path, data_only=True)
    found = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                text = cell.value if isinstance(cell.value, str) else ""
                if cell.data_type == "e" or text.startswith(ERRORS):
                    found.append((ws.title, cell.coordinate, cell.value))
    return found


def test_no_formula_errors_after_libreoffice_recalculates(lo):
    for source in ("xlsx", "ods_xlsx"):
        for kind in KINDS:
            assert _errors(lo[source][kind]) == [], (source, kind)


# --- what survives the round trips -------------------------------------------------------------
@pytest.mark.parametrize("source", ["xlsx", "ods_xlsx"])
def test_validations_names_properties_and_protection_survive(lo, model, source):
    for kind in ("blank", "personalised", "edited"):
        original = openpyxl.load_workbook(lo["src"][kind])
        wb = openpyxl.load_workbook(lo[source][kind])
        assert wb.sheetnames == list(L.SHEET_ORDER)
        assert [ws.title for ws in wb.worksheets if ws.sheet_state != "visible"] == list(
            L.HIDDEN_SHEETS
        )
        # defined names: every one, pointing at the same cell
        for name in original.defined_names:
            assert name in wb.defined_names, (source, kind, name)
            assert list(wb.defined_names[name].destinations) == list(
                original.defined_names[name].destinations
            ), (source, kind, name)
        # dropdowns on exactly the level cells, from the level list
        level_cells = {
            name_cell(wb, L.item_input_name(i.id, k))[1]
            for i in model.items
            for k in L.LEVEL_FIELDS
        }
        covered = set()
        ws = wb[L.ASSESSMENT]
        for dv in ws.data_validations.dataValidation:
            if dv.type == "list":
                levels = '"' + ",".join(model.level_names) + '"'
                assert dv.formula1 == levels, (source, kind, dv.formula1)
                covered |= {
                    c
                    for r in dv.sqref.ranges
                    for row in ws[r.coord]
                    for c in (x.coordinate for x in row)
                }
        assert covered == level_cells, (source, kind)
        if kind == "blank":
            start = wb[L.START]
            # the councils' range (LibreOffice drops the quotes a name without spaces needs not)
            assert any(
                dv.formula1.replace("'", "").startswith(f"{L.LISTS}!$C$2:$C$")
                for dv in start.data_validations.dataValidation
            )
        # custom document properties
        before = {p.name: p.value for p in original.custom_doc_props.props}
        after = {p.name: p.value for p in wb.custom_doc_props.props}
        assert {k: after.get(k) for k in before} == before, (source, kind)
        # protection: every sheet, without a password; inputs stay unlocked
        for sheet in wb.worksheets:
            assert sheet.protection.sheet and not sheet.protection.password, (source, sheet.title)
            if source == "xlsx":  # ODF has no "format rows/columns" permissions (see report)
                assert not sheet.protection.formatRows and not sheet.protection.formatColumns
        names = [
            n
            for n in wb.defined_names
            if re.match(r"^NPS_.+_(CURRENT|TARGET|EVIDENCE|ACTIONS|TARGET_DATE)$", n)
        ]
        for name in names:
            sheet, ref = name_cell(wb, name)
            assert not sheet[ref].protection.locked, (source, kind, name)
        for item in model.items:  # the visible reference id on the row, locked
            sheet, ref = name_cell(wb, L.item_input_name(item.id, "current"))
            ref_cell = sheet.cell(sheet[ref].row, 1)
            assert ref_cell.value == item.id and ref_cell.protection.locked


def test_ods_keeps_names_validations_and_protection_in_its_own_xml(lo):
    from npsxl.reading.preflight import parse_xml

    with zipfile.ZipFile(lo["ods"]["blank"]) as archive:
        content = parse_xml(archive.read("content.xml"))
        meta = archive.read("meta.xml").decode()
    ns = {"table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0"}
    ranges = {
        e.get(f"{{{ns['table']}}}name") for e in content.iter(f"{{{ns['table']}}}named-range")
    }
    assert {"NPS_L1_CURRENT", "NPS_LEVELS", "NPS_META_MODEL_FINGERPRINT"} <= ranges
    conditions = [
        e.get(f"{{{ns['table']}}}condition", "")
        for e in content.iter(f"{{{ns['table']}}}content-validation")
    ]
    assert any('"Minimum";"Developing"' in c for c in conditions), conditions
    protected = [
        t.get(f"{{{ns['table']}}}protected") for t in content.iter(f"{{{ns['table']}}}table")
    ]
    assert protected and all(p == "true" for p in protected)
    assert "npsxl_model_fingerprint" in meta


# --- LibreOffice's own calculation ---------------------------------------------------------------
def _values(path):
    return openpyxl.load_workbook(path, data_only=True)


def _summary(wb) -> dict[str, list]:
    ws = wb[L.SUMMARY]
    rows = {}
    for r in range(5, ws.max_row + 1):  # under the header in row 4
        if not ws.cell(r, 1).value:
            break  # the item table ends at the first empty row
        rows[ws.cell(r, 1).value] = [ws.cell(r, c).value for c in (4, 6, 8, 9)]  # scores, gap
    return rows


def _start_texts(wb) -> list[str]:
    return [str(c.value) for row in wb[L.START].iter_rows() for c in row if c.value is not None]


def _expected(model, chosen: dict[str, tuple]) -> dict[str, list]:
    score = {name.casefold(): i for i, name in enumerate(model.level_names, start=1)}
    expected = {}
    for item in model.items:
        current, target = chosen.get(item.id, (None, None))
        c = score.get((current or "").casefold())
        t = score.get((target or "").casefold())
        complete = c is not None and t is not None
        expected[item.id] = [c, t, t - c if complete else None, "Yes" if complete else "No"]
    return expected


@pytest.mark.parametrize("source", ["xlsx", "ods_xlsx"])
def test_libreoffice_computes_the_scores_of_a_workbook_edited_without_cached_values(
    lo, model, source
):
    wb = _values(lo[source]["edited"])
    got = _summary(wb)
    expected = _expected(model, EDITED)
    for item in model.items:
        value = [None if v == "" else v for v in got[item.id]]
        assert value == expected[item.id], (source, item.id, value)
    texts = _start_texts(wb)
    assert "9 of 14 items complete" in texts
    assert "Still to complete: B3, E1, E2, E3, E4" in texts
    ws = wb[L.ASSESSMENT]
    checks = {ws.cell(r, 1).value: ws.cell(r, 14).value for r in range(5, ws.max_row + 1)}
    assert checks["C2"] == "Target below current" and checks["B3"] == "Choose both levels"
    assert checks["L1"] == "Done" and checks["E1"] == "To do"
    averages = {ws_row[1].value: ws_row for ws_row in wb[L.SUMMARY].iter_rows(min_row=20)}
    leadership = averages["Showing leadership"]
    assert leadership[3].value == pytest.approx(2.5) and leadership[5].value == pytest.approx(3.5)
    # B3 has a current level only: the averages are over B1 and B2, which have both
    benefits = [averages["Achieving community benefits"][i].value for i in (2, 3, 5, 7)]
    assert benefits[0] == "2 of 3"
    assert benefits[1:] == [pytest.approx(3.5), pytest.approx(4.5), pytest.approx(1.0)]
    assert averages["Enablers"][3].value in (None, "")


def test_libreoffice_fills_in_the_council_chosen_in_a_blank_workbook(lo, model, register):
    wb = _values(lo["xlsx"]["edited_blank"])
    leeds = register.match("Leeds")
    for field, value in zip(
        L.COUNCIL_FIELDS,
        (leeds.name, leeds.code, leeds.region, "Metropolitan district"),
        strict=True,
    ):
        ws, ref = name_cell(wb, field.defined_name)
        assert ws[ref].value == value, field.key
    chosen = {item.id: ("Developing", "mature") for item in model.items}
    got = _summary(wb)
    assert all(got[i.id] == _expected(model, chosen)[i.id] for i in model.items)
    # LibreOffice's own count: every item complete, none with evidence (which blocks nothing)
    assert "14 of 14 items complete; 14 without evidence" in _start_texts(wb)


def test_libreoffice_shows_the_cached_values_of_a_generated_filled_workbook(lo, model):
    answers = sample_answers(model)
    chosen = {i: (a.current, a.target) for i, a in answers.items()}
    chosen["C2"] = ("Leader", "Developing")
    for source in ("xlsx", "ods_xlsx"):
        wb = _values(lo[source]["filled"])
        assert _summary(wb) == _expected(model, chosen)
        assert "14 of 14 items complete" in _start_texts(wb)
    blank = _values(lo["xlsx"]["blank"])
    assert "0 of 14 items complete" in _start_texts(blank)


# --- LibreOffice's own row layout fits ---------------------------------------------------------
def test_rows_are_at_least_as_tall_as_libreoffice_needs(lo):
    """LibreOffice recomputes the optimal height of every row of a copy; ours are no smaller."""
    for kind in ("blank", "filled"):
        ours = openpyxl.load_workbook(lo["src"][kind])
        optimal = openpyxl.load_workbook(lo["heights"][f"{kind}-optimal"])
        checked = 0
        for name in L.SHEET_ORDER[:4]:
            a, b = ours[name], optimal[name]
            for row in range(1, a.max_row + 1):
                mine = a.row_dimensions[row].height or 15
                needed = b.row_dimensions[row].height or 12.8
                assert mine + 0.5 >= needed, (kind, name, row, mine, needed)
                checked += needed > 30  # rows of wrapped text
        assert checked > 30, kind
