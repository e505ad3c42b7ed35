"""Read a returned self-assessment workbook from any spreadsheet app: :func:`read_return`.

Answers are found two ways and cross-checked: by the workbook's defined names
(``NPS_L1_CURRENT``...) and by the rows under the table's header. The headers say which
column is which and the item name on a row (else its reference id) says which item it is,
so the rows win when the two disagree (a sort moves values but not names), and the
disagreement is reported, naming the item and the field. Where nothing settles a field (two
columns headed alike and no names that agree with the headers), it is withheld with an
error naming both candidates; a defined name is trusted for a field with no column only
where its column's header does not say it holds something else. Only input cells count:
cached values of formulas are never trusted. Every problem is located and says what to do.
This module is over 400 lines because deciding field by field is one piece with reading
the items.

Reading is lazy: only the sheets that are needed are parsed (normally 'Start here',
'Self-assessment' and 'Metadata'); the others are scanned only when the table or the
metadata is not where the generator put it.

The steps, each in a module of its own: :mod:`npsxl.reading.preflight` checks the file
before anything parses it; :mod:`npsxl.reading.opening` opens it, whatever its format;
:mod:`npsxl.reading.identity` finds the model, the council and the respondent;
:mod:`npsxl.reading.table` finds the assessment table; this module reads the answers,
deciding between rows and names, with :mod:`npsxl.reading.values` and
:mod:`npsxl.reading.levels` for what the cells mean.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from pathlib import Path

import python_calamine

from npsxl.core import catalogue as P
from npsxl.core.catalogue import ProblemType
from npsxl.core.errors import is_native_panic
from npsxl.model.answers import Answer
from npsxl.model.model import Item, Model
from npsxl.model.register import Register
from npsxl.reading.book import Book, Cell, Damaged, Refused, place_of
from npsxl.reading.facts import facts_of
from npsxl.reading.identity import Identification
from npsxl.reading.levels import parse_level
from npsxl.reading.opening import keep_part, open_book
from npsxl.reading.preflight import DEFAULT_LIMITS, Limits, inspect_file
from npsxl.reading.returns import Return
from npsxl.reading.table import Table
from npsxl.reading.values import as_text, as_typed, shared_date, to_date
from npsxl.workbook import layout as L

EXCEL_CELL_LIMIT = 32_767
MANY_DISAGREEMENTS = 3  # more items than this disagreeing: one summary warning
_YEAR = re.compile(r"\b20\d\d\b")
FIELD_LABELS = {
    "current": "current level",
    "target": "target level",
    "evidence": "evidence",
    "actions": "actions",
    "target_date": "target date",
}


# --- reading one file -----------------------------------------------------------------------------
def read_return(
    path: str | Path,
    models: Model | Iterable[Model],
    register: Register | None = None,
    *,
    limits: Limits = DEFAULT_LIMITS,
    require_complete: bool = False,
) -> Return:
    """Read and validate one returned workbook. Never raises for a bad file: the problems
    list of the :class:`Return` says what is wrong, where, and what the council should do.
    The file is only ever read, never written.

    An item without a current or a target level is a warning, and the return counts for
    what it answers; with ``require_complete`` it is an error, as is, always, a return with
    no level at all."""
    models = [models] if isinstance(models, Model) else list(models)
    path = str(path)
    result = Return(path=path)
    book = None
    try:
        found = inspect_file(path, limits, keep=keep_part, kept_only=True)
        result.format = found.format
        result.problems.extend(found.problems)
        if found.problems or found.data is None:
            return result
        book = open_book(found, limits)
        del found  # the parts and bytes: the parser has its own copy
        if book.format == "xlsm":
            result.report(P.MACROS_PRESENT)
        _Interpreter(book, models, register, result, require_complete).run()
    except Refused as refused:
        result.problems.append(refused.problem)
    except python_calamine.PasswordError:
        result.report(P.PASSWORD_PROTECTED)
    except Damaged as exc:
        result.report(P.DAMAGED_UNREADABLE, detail=exc)
    except Exception as exc:  # noqa: BLE001 - one bad file never stops a batch
        result.report(P.READER_ERROR, error=f"{type(exc).__name__}: {str(exc)[:200]}")
    except BaseException as exc:
        if not is_native_panic(exc):  # Ctrl+C and the like still stop the program
            raise
        detail = f"the spreadsheet parser failed on it: {str(exc)[:200]}"
        result.report(P.DAMAGED_UNREADABLE, detail=detail)
    finally:
        if book is not None:
            book.close()
    return result


# --- interpreting ---------------------------------------------------------------------------------
class _Interpreter:
    """The answers of one opened workbook, once its model and council are known."""

    def __init__(
        self, book: Book, models: list[Model], register, result: Return, require_complete=False
    ):
        self.book = book
        self.require_complete = require_complete
        self.models = models
        self.register = register
        self.result = result

    def run(self):
        who = Identification(self.book, self.models, self.register, self.result)
        meta = who.metadata()
        model, table = who.model(meta)
        others = who.other_tables
        if model is None:
            return
        self.model = model
        self.result.item_count = len(facts_of(model).items)
        who.council(meta)
        who.respondent()
        who.form()
        completed = self.result.respondent.date_completed
        self.result.round = meta.get("round", "") or (
            str(completed.year) if isinstance(completed, dt.date) else ""
        )
        self._answers(table, others)

    # answers ----------------------------------------------------------------------------------
    def _answers(self, table: Table | None, others: list[Table]):
        model, book = self.model, self.book
        chosen = self._choose_table(table, others)
        # a blank sheet, copied
        abandoned = table.sheet if table is not None and chosen is not table else None
        table = chosen
        rows = table.rows if table is not None else {}
        row_owner = {}  # (sheet, row) -> item id whose reference id is on that row
        withheld: set[str] = set()
        if table is not None:
            for item_id, ref in table.refs.items():
                row_owner[(ref.sheet, ref.row)] = item_id
            for item_id, extras in table.duplicates.items():
                for extra in extras:
                    row_owner[(extra.sheet, extra.row)] = item_id
                    self.result.report(
                        P.DUPLICATE_ITEM,
                        place_of(extra),
                        item_id=item_id,
                        first=table.refs[item_id].row + 1,
                        extra=extra.row + 1,
                    )
            for item_id, ref, id_item in table.renamed:
                self.result.report(
                    P.ID_AND_NAME_DISAGREE,
                    place_of(ref),
                    item_id=item_id,
                    ref=as_text(ref.value) or id_item,
                    name=next(i.name for i in model.items if i.id == item_id),
                )
            if table.header and _YEAR.search(self.result.round or ""):
                withheld = self._other_rounds(table)
            if table.ambiguous:
                withheld |= self._settle_columns(table)
        disagreements: list[tuple[str, str, Cell | None, Cell, str | None]] = []
        found: dict[str, dict[str, Cell | None]] = {}
        facts = facts_of(model)
        names = book.names
        headed = table if table is not None and table.header else None  # the table, with headers
        refused: set[str] = set()  # items whose names point at a row that is not theirs
        for item in facts.items:
            by_row = rows.get(item.id, {})
            cells: dict[str, Cell | None] = {}
            named_only = []
            input_names = facts.input_names[item.id]
            for key in L.ITEM_FIELDS:
                row_cell = by_row.get(key)
                cells[key] = row_cell
                name = input_names[key]
                if row_cell is not None and names.get(name) == (
                    row_cell.sheet,
                    row_cell.row,
                    row_cell.col,
                ):
                    continue  # both ways lead to the same cell: the usual case
                name_cell = book.named(name) if key not in withheld else None
                if name_cell is None or name_cell.sheet == abandoned:
                    continue
                owner = row_owner.get((name_cell.sheet, name_cell.row), item.id)
                other = owner if owner != item.id else None
                if row_cell is None:
                    if other is not None:  # it points into another item's row: not this item's
                        disagreements.append((item.id, key, None, name_cell, other))
                    elif (
                        headed is not None
                        and name_cell.sheet == headed.sheet
                        and key not in headed.columns
                    ):
                        cells[key] = self._named_beside_headers(headed, item.id, key, name_cell)
                    elif (
                        headed is not None
                        and item.id not in rows
                        and name_cell.sheet == headed.sheet
                    ):
                        if self._row_says_otherwise(headed, item.id, name, name_cell, refused):
                            continue
                        cells[key] = name_cell
                        named_only.append((key, name_cell))
                    else:
                        cells[key] = name_cell
                        named_only.append((key, name_cell))
                elif (row_cell.sheet, row_cell.row, row_cell.col) != (
                    name_cell.sheet,
                    name_cell.row,
                    name_cell.col,
                ) and (other is not None or as_text(row_cell.value) != as_text(name_cell.value)):
                    disagreements.append((item.id, key, row_cell, name_cell, other))
            if named_only and table is not None and item.id not in rows:
                self.result.report(
                    P.NO_ROW_FOR_ITEM,
                    place_of(named_only[0][1]),
                    item_id=item.id,
                    names=f"{L.NAME_PREFIX}{item.id}_*",
                    fields=", ".join(FIELD_LABELS[k] for k, _ in named_only),
                )
            found[item.id] = cells
        if table is None and any(c is not None for cells in found.values() for c in cells.values()):
            first = next(c for cells in found.values() for c in cells.values() if c is not None)
            self.result.report(P.NO_REFERENCE_IDS, place_of(first))
        if headed is not None:
            self._missing_columns(headed, found, withheld)
        self._report_disagreements(disagreements)
        self._read_items(table, found)

    def _choose_table(self, table: Table | None, others: list[Table]) -> Table | None:
        """The table, or the council's own copy of it where the table is blank; two tables
        with different answers are an error."""
        if table is None or not others:
            return table
        if not table.has_levels():
            other = others[0]
            first = min(other.refs.values(), key=lambda c: (c.row, c.col))
            self.result.report(
                P.ANSWERS_ON_OTHER_SHEET, place_of(first), sheet=other.sheet, original=table.sheet
            )
            return other
        for other in others:
            for item in self.model.items:
                mine, theirs = table.rows.get(item.id, {}), other.rows.get(item.id, {})
                for key in L.LEVEL_FIELDS:
                    mine_cell, their_cell = mine.get(key), theirs.get(key)
                    a = mine_cell.value if mine_cell is not None else None
                    b = their_cell.value if their_cell is not None else None
                    if as_text(a) != as_text(b):
                        self.result.report(
                            P.SHEETS_DISAGREE,
                            place_of(theirs.get(key) or other.refs[item.id]),
                            item_id=item.id,
                            first=table.sheet,
                            second=other.sheet,
                            field=FIELD_LABELS[key],
                            first_value=as_text(a),
                            second_value=as_text(b),
                        )
                        return table
        return table

    def _settle_columns(self, table: Table) -> set[str]:
        """Pick the column of each field more than one column is headed like: the one the
        defined names point at, where the names agree with the headers elsewhere. The rest
        are withheld, with an error naming both columns."""
        facts, names = facts_of(self.model), self.book.names
        pointed: dict[str, set[int]] = {}
        fits = True
        for item in facts.items:
            for key, name in facts.input_names[item.id].items():
                target = names.get(name)
                if target is None or target[0] != table.sheet:
                    continue
                col = target[2]
                pointed.setdefault(key, set()).add(col)
                known = table.columns.get(key)
                if (known is not None and col != known) or (
                    key in table.ambiguous and col not in table.ambiguous[key]
                ):
                    fits = False
        withheld = set()
        header_row = table.header_row or 0
        for key, columns in table.ambiguous.items():
            first, second = columns[0], columns[1]
            chosen = pointed.get(key, set())
            fields = {
                "field": FIELD_LABELS[key],
                "first": L.a1(0, first)[:-1],
                "first_header": table.headers.get(first, ""),
                "second": L.a1(0, second)[:-1],
                "second_header": table.headers.get(second, ""),
            }
            if fits and len(chosen) == 1 and (col := next(iter(chosen))) in columns:
                where = {"sheet": table.sheet, "cell": L.a1(header_row, col)}
                self.result.report(
                    P.LOOKALIKE_COLUMN_NAMED, where, chosen=L.a1(0, col)[:-1], **fields
                )
                self._take_column(table, key, col)
            else:
                where = {"sheet": table.sheet, "cell": L.a1(header_row, first)}
                self.result.report(P.SOURCES_UNSETTLED, where, **fields)
                withheld.add(key)
        return withheld

    def _row_says_otherwise(self, table: Table, item_id, name, cell: Cell, refused) -> bool:
        """Whether the row a defined name points at, for an item with no row of its own,
        says it is something else (a reference id or a name in its cells): then the name
        is not used, and that is reported once for the item."""
        said = [
            as_text(self.book.value(cell.sheet, cell.row, col))
            for col in (table.columns.get("ref"), table.columns.get("name"))
            if col is not None
        ]
        said = [text for text in said if text]
        if not said:
            return False
        if item_id not in refused:
            refused.add(item_id)
            self.result.report(
                P.NAME_ON_UNKNOWN_ROW,
                place_of(cell),
                item_id=item_id,
                name=name,
                name_cell=cell.ref,
                row_says=" ".join(said),
            )
        return True

    def _take_column(self, table: Table, key: str, col: int) -> None:
        table.columns[key] = col
        for item_id, cells in table.rows.items():
            r = table.refs[item_id].row
            cells[key] = Cell(table.sheet, r, col, self.book.value(table.sheet, r, col))

    def _other_rounds(self, table: Table) -> set[str]:
        """Set aside the columns headed with another year than the workbook's round (last
        round's levels, kept beside this round's): where that leaves one column for a
        field, it is read; where it leaves none, the field is withheld with an error."""
        years = set(_YEAR.findall(self.result.round))
        header_row = table.header_row or 0

        def other_round(col: int) -> bool:
            found = set(_YEAR.findall(table.headers.get(col, "")))
            return bool(found) and not found & years

        withheld = set()
        for key in L.ITEM_FIELDS:
            columns = table.ambiguous.get(key)
            if columns is not None:
                keep = [c for c in columns if not other_round(c)]
                if len(keep) == 1 and len(columns) == 2:
                    del table.ambiguous[key]
                    self._take_column(table, key, keep[0])
                    other = next(c for c in columns if c != keep[0])
                    self.result.report(
                        P.LOOKALIKE_COLUMN_ROUND,
                        {"sheet": table.sheet, "cell": L.a1(header_row, keep[0])},
                        field=FIELD_LABELS[key],
                        chosen=L.a1(0, keep[0])[:-1],
                        chosen_header=table.headers.get(keep[0], ""),
                        other=L.a1(0, other)[:-1],
                        other_header=table.headers.get(other, ""),
                        round=self.result.round,
                    )
                continue
            col = table.columns.get(key)
            if col is not None and other_round(col):
                del table.columns[key]
                for cells in table.rows.values():
                    cells.pop(key, None)
                withheld.add(key)
                self.result.report(
                    P.OTHER_ROUND_COLUMN,
                    {"sheet": table.sheet, "cell": L.a1(header_row, col)},
                    field=FIELD_LABELS[key],
                    column=L.a1(0, col)[:-1],
                    header=table.headers.get(col, ""),
                    round=self.result.round,
                )
        return withheld

    def _named_beside_headers(self, table: Table, item_id: str, key: str, cell: Cell):
        """The cell a defined name points at in the table, for a field no column is headed
        like: used only where its column's header does not say it holds something else."""
        header = table.headers.get(cell.col, "")
        fields = {"field": FIELD_LABELS[key], "name": L.item_input_name(item_id, key)}
        expected = facts_of(self.model).header_of[key]
        if header.strip():
            self.result.report(
                P.NAME_IN_OTHER_COLUMN,
                place_of(cell),
                item_id=item_id,
                header=expected,
                name_cell=cell.ref,
                other=header,
                **fields,
            )
            return None
        self.result.report(
            P.NAMED_CELL_USED,
            place_of(cell),
            item_id=item_id,
            header=expected,
            name_cell=cell.ref,
            **fields,
        )
        return cell

    def _missing_columns(self, table: Table, found, withheld: set[str]) -> None:
        header_of = facts_of(self.model).header_of
        for key in ("evidence", "actions", "target_date"):
            if key in table.columns or key in withheld:
                continue
            if any(cells.get(key) is not None for cells in found.values()):
                continue
            where = {"sheet": table.sheet, "cell": L.a1(table.header_row or 0, 0)}
            self.result.report(
                P.COLUMN_MISSING,
                where,
                sheet=table.sheet,
                header=header_of[key],
                field=FIELD_LABELS[key],
            )

    def _report_disagreements(self, disagreements):
        by_item: dict[str, list] = {}
        for item_id, key, row_cell, name_cell, other in disagreements:
            by_item.setdefault(item_id, []).append((key, row_cell, name_cell, other))
        if len(by_item) > MANY_DISAGREEMENTS:
            item_id, _, row_cell, name_cell, _ = disagreements[0]
            self.result.report(
                P.NAMES_MOVED,
                place_of(row_cell or name_cell),
                count=len(by_item),
                items=", ".join(by_item),
            )
            return
        for item_id, entries in by_item.items():
            key, row_cell, name_cell, other = entries[0]
            named = {
                "name": L.item_input_name(item_id, key),
                "name_cell": name_cell.ref,
                "name_value": as_text(name_cell.value),
            }
            where = place_of(row_cell or name_cell)
            if row_cell is None:  # then the name points into another item's row
                self.result.report(
                    P.NO_ROW_NAME_ON_ANOTHER_ROW, where, item_id=item_id, other=other, **named
                )
                continue
            row = {
                "row_value": as_text(row_cell.value),
                "row_cell": row_cell.ref,
                "fields": ", ".join(k.replace("_", " ") for k, _, _, _ in entries),
            }
            if other:
                self.result.report(
                    P.NAME_ON_ANOTHER_ROW, where, item_id=item_id, other=other, **named, **row
                )
            else:
                self.result.report(P.SOURCES_DISAGREE, where, item_id=item_id, **named, **row)

    def _cell_value(self, cell: Cell | None, item_id: str):
        if cell is None:
            return None
        if self.book.is_formula(cell):
            self.result.report(P.FORMULA_IN_INPUT, place_of(cell), item_id=item_id, ref=cell.ref)
            return None
        return cell.value

    def _read_items(self, table: Table | None, found):
        model = self.model
        scores = facts_of(model).scores
        incomplete: list[tuple[Item, ProblemType, dict, dict[str, str]]] = []
        any_level = False
        for item in facts_of(model).items:
            cells = found[item.id]
            if all(cell is None for cell in cells.values()):
                where = {"sheet": table.sheet} if table is not None else {}
                incomplete.append((item, P.ITEM_MISSING, where, {}))
                continue
            levels = {}
            for key in L.LEVEL_FIELDS:
                cell = cells[key]
                value = self._cell_value(cell, item.id)
                level, issue = parse_level(value, model)
                label = "current level" if key == "current" else "target level"
                # text as typed, spaces kept: 'Mature ' is why it is not the dropdown's text
                typed = value if isinstance(value, str) else as_text(value)
                if issue == "bad":
                    any_level = True
                    self.result.report(
                        P.UNKNOWN_LEVEL,
                        place_of(cell),
                        item_id=item.id,
                        field=label,
                        value=typed,
                        allowed=", ".join(model.level_names),
                    )
                elif issue == "loose":
                    self.result.report(
                        P.LEVEL_NOT_FROM_LIST,
                        place_of(cell),
                        item_id=item.id,
                        field=label,
                        value=typed,
                        level=level,
                    )
                any_level = any_level or level is not None
                levels[key] = (level, issue, cell)
            missing = [k for k in L.LEVEL_FIELDS if levels[k][0] is None and levels[k][1] != "bad"]
            if missing:
                what = {"missing": " and ".join(missing)}
                cell = levels[missing[0]][2]
                if cell is None and table is not None:  # withheld: at the item's row
                    cell = table.refs.get(item.id)
                incomplete.append((item, P.INCOMPLETE, place_of(cell), what))
            current, target = levels["current"][0], levels["target"][0]
            if current and target and scores[target] < scores[current]:
                self.result.report(
                    P.TARGET_BELOW_CURRENT,
                    place_of(levels["target"][2]),
                    item_id=item.id,
                    target=target,
                    current=current,
                )
            texts = {}
            for key in ("evidence", "actions"):
                cell = cells[key]
                text = as_typed(self._cell_value(cell, item.id))
                if len(text) >= EXCEL_CELL_LIMIT:  # the parser cuts longer text at the limit
                    self.result.report(
                        P.TEXT_TOO_LONG,
                        place_of(cell),
                        item_id=item.id,
                        field=key,
                        limit=EXCEL_CELL_LIMIT,
                    )
                    text = text[:EXCEL_CELL_LIMIT]
                texts[key] = text
            date_value = self._cell_value(cells["target_date"], item.id)
            self.result.answers[item.id] = Answer(
                item.id,
                current,
                target,
                texts["evidence"],
                texts["actions"],
                shared_date(to_date(date_value)),
            )
        if not self.result.answers:
            example = model.items[0].id
            sheets = self.book.sheet_names
            if L.ASSESSMENT in sheets:
                self.result.report(P.TABLE_NOT_FOUND, {"sheet": L.ASSESSMENT}, example_id=example)
            else:  # deleted or renamed beyond recognition: say so, and what the file has
                shown = ", ".join(f"'{name}'" for name in sheets) or "no sheets"
                self.result.report(
                    P.SHEET_NOT_FOUND, {}, sheet=L.ASSESSMENT, sheets=shown, example_id=example
                )
            return
        if incomplete and not any_level:
            first = next(iter(found.values()))
            where = place_of(first.get("current")) or (
                {"sheet": table.sheet} if table is not None else {}
            )
            self.result.report(P.NOTHING_CHOSEN, where, count=len(model.items), sheet=L.ASSESSMENT)
            return
        severity = P.ERROR if self.require_complete else P.WARNING  # the return counts, or not
        for item, kind, where, fields in incomplete:
            self.result.report(
                kind, where, item_id=item.id, name=item.name, severity=severity, **fields
            )
