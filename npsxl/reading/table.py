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
    field, its reference cell, and the extra rows of items that appear twice.

    ``columns`` maps each field to its column as the header row says (empty without a
    header row), ``headers`` each column of the header row to its text, and ``ambiguous``
    each field more than one column is headed like (no cells are taken for it). ``renamed``
    lists the rows whose reference id names another item than the item name beside it:
    (item read, its row's reference cell, the item the id names)."""

    model: Model
    sheet: str
    rows: dict[str, dict[str, Cell]]  # item id -> field key -> cell
    refs: dict[str, Cell]  # item id -> its reference cell
    duplicates: dict[str, list[Cell]] = field(default_factory=dict)
    header: bool = False
    header_row: int | None = None
    columns: dict[str, int] = field(default_factory=dict)
    headers: dict[int, str] = field(default_factory=dict)
    ambiguous: dict[str, list[int]] = field(default_factory=dict)
    renamed: list[tuple[str, Cell, str]] = field(default_factory=list)

    @property
    def score(self) -> tuple[int, int]:
        return len(self.rows), int(self.header)

    def has_levels(self) -> bool:
        """Whether any item's current or target level cell holds something."""
        return any(
            cells[key].value not in (None, "")
            for cells in self.rows.values()
            for key in L.LEVEL_FIELDS
            if key in cells
        )


def find_table(book: Book, models: list[Model]) -> Table | None:
    """The sheet and rows of the assessment table, found by headers and reference ids:
    the generator's sheet first, then sheets the defined names point at, then the rest."""
    return find_tables(book, models)[0]


def find_tables(book: Book, models: list[Model]) -> tuple[Table | None, list[Table]]:
    """The assessment table (as :func:`find_table`), and the complete tables with levels on
    the council's own sheets beside it (a copy of the sheet filled in instead, say)."""
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
            if table is not None and sheet != L.ASSESSMENT and _worked_out(book, table):
                continue  # the Summary sheet's table, say: formulas, not answers
            if table is not None and (best is None or table.score > best.score):
                best = table
        if best is not None and best.header and len(best.rows) == len(best.model.items):
            break
    others = []
    if best is not None:
        for sheet in rest:
            if sheet != best.sheet and sheet in book.sheet_names:
                other = scan_sheet(sheet, book.rows(sheet), best.model)
                if (
                    other is not None
                    and other.score == best.score
                    and other.has_levels()
                    and not _worked_out(book, other)
                ):
                    others.append(other)
    return best, others


def _worked_out(book: Book, table: Table) -> bool:
    """Whether every level cell of the table holds a formula."""
    cells = [cells[k] for cells in table.rows.values() for k in L.LEVEL_FIELDS if k in cells]
    return bool(cells) and all(book.is_formula(cell) for cell in cells)


# Short headers of councils' own templates, and their usual variants
_ALIASES = {
    "ref": "ref",
    "ref.": "ref",
    "id": "ref",
    "ref id": "ref",
    "reference": "ref",
    "reference id": "ref",
    "item id": "ref",
    "current": "current",
    "current level": "current",
    "target": "target",
    "target level": "target",
    "evidence": "evidence",
    "actions": "actions",
    "actions planned": "actions",
    "key area": "name",
    "key area or enabler": "name",
    "item": "name",
}
_PREFIXED = ("current", "target", "evidence", "actions", "target_date", "name")
_LONGEST_HEADER = 60


def header_key(text: str, headers: dict[str, str]) -> str | None:
    """The field a header names: the generator's header in any case and spacing, a short
    form ('ID', 'Current'), or either followed by a qualifier ('Current level (2026)',
    'Evidence - 2026'), the longest that fits."""
    key = headers.get(text) or _ALIASES.get(text)
    if key is not None:
        return key
    prefixes = _PREFIXES.get(id(headers))
    if prefixes is None or prefixes[0] is not headers:
        known = [*headers.items(), *_ALIASES.items()]
        ordered = sorted((h, k) for h, k in known if k in _PREFIXED)
        ordered.sort(key=lambda pair: -len(pair[0]))  # the longest first: 'target date' (...)
        if len(_PREFIXES) >= 32:
            _PREFIXES.clear()
        prefixes = _PREFIXES[id(headers)] = (headers, ordered)
    for header, key in prefixes[1]:
        if text.startswith(header) and len(text) > len(header) and not text[len(header)].isalnum():
            qualifier = text[len(header) :].strip(" -:()[]").split(maxsplit=1)
            if qualifier and qualifier[0] in _OTHER_MEASURES:
                continue  # 'Current score' (the Summary sheet's) is not the current level
            return key
    return None


# words that, after a field's header, make it another column: a score or a gap, not a level
_OTHER_MEASURES = frozenset(("score", "scores", "gap", "gaps", "mean", "median", "average"))


_PREFIXES: dict[int, tuple[dict, list[tuple[str, str]]]] = {}


def _header_candidates(row: list, headers: dict[str, str]) -> dict[str, list[int]] | None:
    """Each field's columns if ``row`` is a header row (a level field and the ref or the item
    name among its headers), else None."""
    found: dict[str, list[int]] = {}
    for c, value in enumerate(row):
        if value.__class__ is str and value and len(value) <= _LONGEST_HEADER:
            key = header_key(norm(value), headers)
            if key is not None:
                found.setdefault(key, []).append(c)
    has_level = "current" in found or "target" in found
    return found if has_level and ("ref" in found or "name" in found) else None


def scan_sheet(sheet: str, rows: list[list], model: Model, exact: bool = True) -> Table | None:
    """Rows of one sheet that hold an item: under a header row (columns mapped by their
    headers), by the reference id or the item name on the row, the name winning when the two
    disagree; or without a header row when the row itself shows the generated layout (the
    item's level descriptors after its id). Header rows are first looked for by the exact
    'Ref', then by any header the reader knows, in any case and spacing."""
    facts = facts_of(model)
    ids, longest_id = facts.ids, facts.longest_id
    headers, offsets = facts.headers, facts.offsets
    ref_col = name_col = None
    table = Table(model, sheet, {}, {})
    loose = []  # rows without a header: (item id, row index, ref column, row)
    for r, row in enumerate(rows):
        if not exact or L.REF_HEADER in row:
            candidates_of = _header_candidates(row, headers)
            if candidates_of is not None:
                table.header, table.header_row = True, r
                table.headers = {
                    c: v for c, v in enumerate(row) if v.__class__ is str and v.strip()
                }
                table.columns = {k: cs[0] for k, cs in candidates_of.items() if len(cs) == 1}
                table.ambiguous = {
                    k: cs for k, cs in candidates_of.items() if len(cs) > 1 and k in L.ITEM_FIELDS
                }
                ref_col = candidates_of.get("ref", [None])[0]
                name_col = candidates_of.get("name", [None])[0]
                continue
        if table.header:
            _header_row_item(table, sheet, r, row, ref_col, name_col, facts)
            continue
        candidates = [
            c for c, v in enumerate(row) if v.__class__ is str and 0 < len(v) <= longest_id
        ]
        for c in candidates:
            value = row[c]
            item = ids.get(value.strip().upper())
            if item is None:
                continue
            named = _named_item(row, c + offsets["name"], c + offsets["level_1"], facts)
            id_item = item
            if named is not None and named is not item and _generated_row(row, c, named, offsets):
                item = named
            elif not _generated_row(row, c, item, offsets):
                continue  # no header: accept only the generated layout around the id
            ref = Cell(sheet, r, c, value)
            if item.id in table.refs:
                table.duplicates.setdefault(item.id, []).append(ref)
            else:
                table.refs[item.id] = ref
                loose.append((item.id, r, c, row))
                if item is not id_item:
                    table.renamed.append((item.id, ref, id_item.id))
            break
    if exact and not table.header:
        return scan_sheet(sheet, rows, model, exact=False)
    if loose:
        offsets = _loose_offsets(model, offsets, loose)
        for item_id, r, c, row in loose:
            column_of = {key: c + off for key, off in offsets.items()}
            table.rows[item_id] = _row_cells(sheet, r, row, column_of)
    return table if table.rows else None


def _header_row_item(table: Table, sheet, r, row, ref_col, name_col, facts) -> None:
    """The item on one row under the header: by its item name, else by its reference id."""
    width = len(row)
    value = row[ref_col] if ref_col is not None and ref_col < width else None
    id_item = facts.ids.get(value.strip().upper()) if value.__class__ is str else None
    item = _named_item(row, name_col, table.columns.get("level_1"), facts) or id_item
    if item is None:
        return
    if id_item is not None:
        ref = Cell(sheet, r, ref_col, value)
    else:
        ref_at = name_col if name_col is not None else table.columns.get("level_1", 0)
        ref = Cell(sheet, r, ref_at, row[ref_at] if ref_at < width else None)
    if item.id in table.refs:
        table.duplicates.setdefault(item.id, []).append(ref)
        return
    table.rows[item.id] = _row_cells(sheet, r, row, table.columns)
    table.refs[item.id] = ref
    if id_item is not None and id_item is not item:
        table.renamed.append((item.id, ref, id_item.id))


def _named_item(row: list, name_col: int | None, descriptor_col: int | None, facts):
    """The item a row's item name says it is (or, where the name is not there, as when a
    script saved the HYPERLINK formula of a name without its value, the description of its
    first level); None when neither names an item."""
    width = len(row)
    for col, exact, folded in (
        (name_col, facts.by_name, facts.by_folded_name),
        (descriptor_col, facts.by_descriptor, facts.by_folded_descriptor),
    ):
        value = row[col] if col is not None and col < width else None
        if value.__class__ is str and value:
            item = exact.get(value) or folded.get(norm(value))
            if item is not None:
                return item
    return None


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
