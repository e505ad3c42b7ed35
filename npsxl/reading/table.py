"""Find the self-assessment table in a returned workbook by its reference ids and headers,
whatever sheet it is on and however its rows were moved: :func:`find_table`."""

from __future__ import annotations

from dataclasses import dataclass, field

from npsxl.model.model import Model
from npsxl.reading.book import Book, Cell
from npsxl.reading.facts import facts_of
from npsxl.reading.values import norm
from npsxl.workbook import layout as L

GENERATED_SHEETS = (L.START, L.GUIDANCE, L.SUMMARY, L.LISTS, L.METADATA)


@dataclass
class Table:
    """The assessment table as found on one sheet, for one model: each item's cells by
    field, its reference cell, and the extra rows of items that appear twice."""

    model: Model
    sheet: str
    rows: dict[str, dict[str, Cell]]  # item id -> field key -> cell
    refs: dict[str, Cell]  # item id -> its reference cell
    duplicates: dict[str, list[Cell]] = field(default_factory=dict)
    header: bool = False

    @property
    def score(self) -> tuple[int, int]:
        return len(self.rows), int(self.header)


def find_table(book: Book, models: list[Model]) -> Table | None:
    """The sheet and rows of the assessment table, found by headers and reference ids:
    the generator's sheet first, then sheets the defined names point at, then the rest."""
    named = [
        s
        for n, (s, _, _) in book.names.items()
        if n.endswith(("_CURRENT", "_TARGET")) and s in book.sheet_names
    ]
    rest = [s for s in book.sheet_names if s not in GENERATED_SHEETS]
    order = list(dict.fromkeys([L.ASSESSMENT, *named, *rest, *GENERATED_SHEETS]))
    best = None
    for sheet in order:
        if sheet not in book.sheet_names:
            continue
        rows = book.rows(sheet)
        for model in models:
            table = scan_sheet(sheet, rows, model)
            if table is not None and (best is None or table.score > best.score):
                best = table
        if best is not None and best.header and len(best.rows) == len(best.model.items):
            break
    return best


_REF_HEADER, _CURRENT_HEADER = norm(L.REF_HEADER), norm(L.CURRENT_HEADER)


def scan_sheet(sheet: str, rows: list[list], model: Model, exact: bool = True) -> Table | None:
    """Rows of one sheet whose reference cell holds an item id: under a header row with
    'Ref' and 'Current level' (columns mapped by their headers), or without one when the
    row itself shows the generated layout (the item's level descriptors after its id).
    Header rows are first looked for by the exact 'Ref', then in any case and spacing."""
    facts = facts_of(model)
    ids, longest_id = facts.ids, facts.longest_id
    headers, offsets = facts.headers, facts.offsets
    ref_header, current_header = _REF_HEADER, _CURRENT_HEADER
    column_of: dict[str, int] = {}
    ref_col = None
    table = Table(model, sheet, {}, {})
    loose = []  # rows without a header: (item id, row index, ref column, row)
    for r, row in enumerate(rows):
        if (
            (L.REF_HEADER in row)
            if exact
            else any(v.__class__ is str and len(v) < 12 and norm(v) == ref_header for v in row)
        ):
            normed = {}
            for c, value in enumerate(row):
                if isinstance(value, str) and value:
                    normed.setdefault(norm(value), c)
            if current_header in normed:
                column_of = {headers[h]: c for h, c in normed.items() if h in headers}
                ref_col = column_of["ref"]
                table.header = True
                continue
        if ref_col is not None:
            candidates = (ref_col,) if ref_col < len(row) else ()
        else:
            candidates = [
                c for c, v in enumerate(row) if v.__class__ is str and 0 < len(v) <= longest_id
            ]
        for c in candidates:
            value = row[c]
            item = ids.get(value.strip().upper()) if isinstance(value, str) else None
            if item is None:
                continue
            if ref_col is None and not _generated_row(row, c, item, offsets):
                continue  # no header: accept only the generated layout around the id
            ref = Cell(sheet, r, c, value)
            if item.id in table.refs:
                table.duplicates.setdefault(item.id, []).append(ref)
            elif ref_col is None:
                table.refs[item.id] = ref
                loose.append((item.id, r, c, row))
            else:
                table.rows[item.id] = _row_cells(sheet, r, row, column_of)
                table.refs[item.id] = ref
            break
    if exact and not table.header:
        return scan_sheet(sheet, rows, model, exact=False)
    if loose:
        offsets = _loose_offsets(model, offsets, loose)
        for item_id, r, c, row in loose:
            column_of = {key: c + off for key, off in offsets.items()}
            table.rows[item_id] = _row_cells(sheet, r, row, column_of)
    return table if table.rows else None


def _row_cells(sheet: str, r: int, row: list, column_of: dict[str, int]) -> dict[str, Cell]:
    width = len(row)
    return {
        key: Cell(sheet, r, col, row[col] if col < width else None)
        for key in L.ITEM_FIELDS
        if (col := column_of.get(key)) is not None
    }


def _loose_offsets(model: Model, offsets: dict[str, int], loose: list) -> dict[str, int]:
    """Column offsets for rows without a header: the generated layout, or that of a
    pre-filled workbook (last round's levels after the target) when the two columns after
    the target hold nothing but level names."""
    levels = set(model.level_names)
    first, second = offsets["evidence"], offsets["actions"]
    seen_level = False
    for _, _, c, row in loose:
        for col in (c + first, c + second):
            value = row[col] if col < len(row) else None
            if value in levels:
                seen_level = True
            elif value not in (None, ""):
                return offsets
    if not seen_level:
        return offsets
    columns = L.assessment_columns(model.level_names, previous=True)
    return {c.key: i for i, c in enumerate(columns)}


def _generated_row(row: list, c: int, item, offsets: dict[str, int]) -> bool:
    def at(key):
        col = c + offsets[key]
        return norm(row[col]) if col < len(row) else ""

    return any(
        at(f"level_{i}") == norm(descriptor) and descriptor
        for i, descriptor in enumerate(item.descriptors, start=1)
    )
