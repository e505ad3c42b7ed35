"""The edits people make to a returned workbook, as functions on an openpyxl workbook.

Each edit takes a workbook loaded with openpyxl and returns the workbook to save (the same
one, or a new one for a paste into a new workbook). Inserting or deleting rows and columns
can move the workbook's defined names with the cells, as Excel and LibreOffice do, or leave
them where they were, as openpyxl and some scripts do (``update_names``). The edits keep
the answers' meaning: tests compare what the reader finds with the answers the workbook
was filled with.
"""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
from openpyxl.utils import column_index_from_string, get_column_letter

from npsxl.model.loading import load_model
from npsxl.workbook import layout as L

ROOT = Path(__file__).resolve().parent.parent

LEVELS = ("Minimum", "Developing", "Mature", "Leader", "Innovator")
COLUMNS = L.assessment_columns(LEVELS)
COLUMN = {c.key: i + 1 for i, c in enumerate(COLUMNS)}  # field -> 1-based column
FIRST_ITEM_ROW = L.ASSESSMENT_FIRST_ROW + 1  # 1-based
HEADER_ROW = L.ASSESSMENT_HEADER_ROW + 1
_REF = re.compile(r"^('?)(.+?)\1!\$([A-Z]+)\$(\d+)$")


# --- defined names --------------------------------------------------------------------------------
def _move_names(wb, sheet: str, *, rows=None, cols=None) -> None:
    """Move the defined names on ``sheet`` as an application does when rows or columns are
    inserted (``(at, +n)``) or deleted (``(at, -n)``); a deleted cell's name becomes #REF!."""
    for defined in wb.defined_names.values():
        match = _REF.match(defined.attr_text or "")
        if match is None or match.group(2) != sheet:
            continue
        col, row = column_index_from_string(match.group(3)), int(match.group(4))
        for shift, is_row in ((rows, True), (cols, False)):
            if shift is None:
                continue
            at, n = shift
            here = row if is_row else col
            if n < 0 and at <= here < at - n:
                defined.attr_text = "#REF!"
                break
            if here >= at:
                here += n
            row, col = (here, col) if is_row else (row, here)
        else:
            defined.attr_text = f"'{sheet}'!${get_column_letter(col)}${row}"


def rename_names_sheet(wb, old: str, new: str) -> None:
    for defined in wb.defined_names.values():
        text = defined.attr_text or ""
        if text.startswith(f"'{old}'!"):
            defined.attr_text = f"'{new}'!" + text[len(old) + 3 :]


def item_rows(ws) -> dict[str, int]:
    """Item name -> 1-based row on an assessment sheet laid out as generated."""
    found = {}
    for row in range(1, ws.max_row + 1):
        for col in range(1, min(ws.max_column, 20) + 1):
            value = ws.cell(row, col).value
            if isinstance(value, str) and value.startswith("=HYPERLINK("):
                value = value.rsplit(",", 1)[-1].strip('")')  # the text shown
            if isinstance(value, str) and value in ITEM_NAMES:
                found[value] = row
                break
    return found


ITEM_NAMES = {item.name for item in load_model(ROOT / "model.yaml").items}


def assessment(wb):
    """The sheet holding the assessment table (it may have been renamed)."""
    if L.ASSESSMENT in wb.sheetnames:
        return wb[L.ASSESSMENT]
    for ws in wb.worksheets:  # renamed: the sheet headed with a current level
        for row in ws.iter_rows(max_row=HEADER_ROW + 3, max_col=20, values_only=True):
            if any(isinstance(v, str) and v.startswith(L.CURRENT_HEADER) for v in row):
                return ws
    return wb.worksheets[0]


# --- the edits ------------------------------------------------------------------------------------
def sort_rows(wb, key: str = "current", reverse: bool = False):
    """Sort the item rows by one column, every column moving with its row."""
    ws = assessment(wb)
    rows = sorted(item_rows(ws).values())
    width = ws.max_column
    values = [[ws.cell(r, c).value for c in range(1, width + 1)] for r in rows]
    col = COLUMN.get(key, 1)
    values.sort(key=lambda v: str((v[col - 1] if col <= len(v) else None) or ""), reverse=reverse)
    for r, row_values in zip(rows, values, strict=True):
        for c, value in enumerate(row_values, start=1):
            ws.cell(r, c).value = value
    return wb


def insert_rows(wb, sheet: str, at: int, count: int = 1, update_names: bool = True):
    ws = wb[sheet] if sheet in wb.sheetnames else assessment(wb)
    ws.insert_rows(at, count)
    if update_names:
        _move_names(wb, ws.title, rows=(at, count))
    return wb


def delete_rows(wb, sheet: str, at: int, count: int = 1, update_names: bool = True):
    ws = wb[sheet] if sheet in wb.sheetnames else assessment(wb)
    ws.delete_rows(at, count)
    if update_names:
        _move_names(wb, ws.title, rows=(at, -count))
    return wb


def insert_cols(wb, at: int, count: int = 1, update_names: bool = True, header: str = ""):
    ws = assessment(wb)
    ws.insert_cols(at, count)
    if header:
        ws.cell(HEADER_ROW, at).value = header
    if update_names:
        _move_names(wb, ws.title, cols=(at, count))
    return wb


def delete_cols(wb, at: int, count: int = 1, update_names: bool = True):
    ws = assessment(wb)
    ws.delete_cols(at, count)
    if update_names:
        _move_names(wb, ws.title, cols=(at, -count))
    return wb


def lookalike_level_column(
    wb, update_names: bool = True, field: str = "current", labels=("2025", "2026")
):
    """Last year's levels in a column inserted before this year's, headed 'Current level
    (2025)', this year's header renamed 'Current level (2026)' (or other ``labels``)."""
    ws = assessment(wb)
    col = COLUMN[field]
    header = L.CURRENT_HEADER if field == "current" else L.TARGET_HEADER
    insert_cols(wb, col, 1, update_names, header=f"{header} ({labels[0]})")
    ws.cell(HEADER_ROW, col + 1).value = f"{header} ({labels[1]})"
    for i, row in enumerate(sorted(item_rows(ws).values())):
        ws.cell(row, col).value = LEVELS[(i + 2) % len(LEVELS)]
    return wb


def rename_sheet(wb, old: str, new: str, update_names: bool = True):
    if old in wb.sheetnames and new not in wb.sheetnames:
        wb[old].title = new
        if update_names:
            rename_names_sheet(wb, old, new)
    return wb


def reorder_sheets(wb):
    wb._sheets.reverse()
    wb.active = 0
    return wb


def hide_sheet(wb, sheet: str):
    visible = [ws for ws in wb.worksheets if ws.sheet_state == "visible"]
    if sheet in wb.sheetnames and [ws for ws in visible if ws.title != sheet]:
        wb[sheet].sheet_state = "hidden"
        if wb.active is wb[sheet]:
            wb.active = next(i for i, ws in enumerate(wb.worksheets) if ws.sheet_state == "visible")
    return wb


def copy_sheet(wb, sheet: str):
    if sheet in wb.sheetnames:
        wb.copy_worksheet(wb[sheet])
    return wb


def retype_levels(wb, variant: int = 0):
    """Type the levels over the dropdowns, in one of the accepted forms."""
    ws = assessment(wb)
    header = {ws.cell(HEADER_ROW, c).value: c for c in range(1, ws.max_column + 1)}
    for name in (L.CURRENT_HEADER, L.TARGET_HEADER):
        col = header.get(name)
        if col is None:
            continue
        for row in item_rows(ws).values():
            value = ws.cell(row, col).value
            if value in LEVELS:
                score = LEVELS.index(value) + 1
                forms = (value.lower(), score, f"Level {score} - {value}", f" {value.upper()} ")
                ws.cell(row, col).value = forms[variant % len(forms)]
    return wb


def swap_ids(wb, first: int = 0, second: int = 1):
    """Swap the reference ids of two item rows (the item names stay on their rows)."""
    ws = assessment(wb)
    rows = sorted(item_rows(ws).values())
    if len(rows) < 2:
        return wb
    a, b = rows[first % len(rows)], rows[second % len(rows)]
    col = next(
        (c for c in range(1, 20) if ws.cell(HEADER_ROW, c).value == L.REF_HEADER), COLUMN["ref"]
    )
    ws.cell(a, col).value, ws.cell(b, col).value = ws.cell(b, col).value, ws.cell(a, col).value
    return wb


def change_council(wb, name: str = "Wakefield Metropolitan District Council", code="E08000036"):
    """Type another council's name and code over the details."""
    for ws in wb.worksheets:
        for row in ws.iter_rows(max_row=60, max_col=6):
            for cell in row[:-1]:
                if cell.value == "Council":
                    ws.cell(cell.row, cell.column + 1).value = name
                elif cell.value == "Council code":
                    ws.cell(cell.row, cell.column + 1).value = code
    return wb


def paste_values(wb):
    """Both filled sheets pasted as values into a brand-new workbook: no names, no metadata,
    no properties, no formulas (openpyxl has no cached values for them: left empty)."""
    new = openpyxl.Workbook()
    new.remove(new.active)
    sources = [ws for ws in wb.worksheets if ws.title in (L.START, L.ASSESSMENT)] or [
        assessment(wb)
    ]
    for ws in sources:
        target = new.create_sheet(ws.title)
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                if isinstance(value, str) and value.startswith("="):
                    continue
                if value is not None:
                    target.cell(cell.row, cell.column).value = value
    return new


def lookalike_without_years(wb, update_names: bool = True):
    return lookalike_level_column(wb, update_names, labels=("last year", "this year"))


def clear_names(wb):
    wb.defined_names.clear()
    return wb
