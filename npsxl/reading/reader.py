"""Read a returned self-assessment workbook from any spreadsheet app: :func:`read_return`.

Answers are found two ways and cross-checked: by the workbook's defined names
(``NPS_L1_CURRENT``...) and by the visible reference id on each row under the
table's header. The rows win when the two disagree (a sort moves values but not
names), and the disagreement is reported. Only input cells count: cached values
of formulas are never trusted. Every problem is located and says what to do.

Reading is lazy: only the sheets that are needed are parsed (normally 'Start here',
'Self-assessment' and 'Metadata'); the others are scanned only when the table or the
metadata is not where the generator put it. :mod:`npsxl.reading.preflight` checks the file before
anything parses it, and :mod:`npsxl.reading.opening` opens it, whatever its format.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import python_calamine

from npsxl.core import catalogue as P
from npsxl.core.catalogue import ProblemType
from npsxl.core.errors import CouncilNotFound, is_native_panic
from npsxl.core.problems import Location
from npsxl.model.answers import Answer, Respondent
from npsxl.model.model import Model
from npsxl.model.register import Register
from npsxl.reading.book import Book, Cell, Damaged, Refused
from npsxl.reading.opening import keep_part, open_book
from npsxl.reading.preflight import DEFAULT_LIMITS, Limits, inspect_file
from npsxl.reading.returns import Return
from npsxl.workbook import layout as L

EXCEL_CELL_LIMIT = 32_767
MANY_DISAGREEMENTS = 3  # more items than this disagreeing: one summary warning


# --- reading one file -----------------------------------------------------------------------------
def read_return(
    path: str | Path,
    models: Model | Iterable[Model],
    register: Register | None = None,
    *,
    limits: Limits = DEFAULT_LIMITS,
) -> Return:
    """Read and validate one returned workbook. Never raises for a bad file: the problems
    list of the :class:`Return` says what is wrong, where, and what the council should do.
    The file is only ever read, never written."""
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
            result.problems.append(P.MACROS_PRESENT(Location(file=path)))
        _Interpreter(book, models, register, result).run()
    except Refused as refused:
        result.problems.append(refused.problem)
    except python_calamine.PasswordError:
        result.problems.append(P.PASSWORD_PROTECTED(Location(file=path)))
    except Damaged as exc:
        result.problems.append(P.DAMAGED_UNREADABLE(Location(file=path), detail=exc))
    except Exception as exc:  # noqa: BLE001 - one bad file never stops a batch
        error = f"{type(exc).__name__}: {str(exc)[:200]}"
        result.problems.append(P.READER_ERROR(Location(file=path), error=error))
    except BaseException as exc:
        if not is_native_panic(exc):  # Ctrl+C and the like still stop the program
            raise
        detail = f"the spreadsheet parser failed on it: {str(exc)[:200]}"
        result.problems.append(P.DAMAGED_UNREADABLE(Location(file=path), detail=detail))
    finally:
        if book is not None:
            book.close()
    return result


# --- interpreting ---------------------------------------------------------------------------------
def _norm(value) -> str:
    return " ".join(str(value).split()).lower() if value is not None else ""


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _where(cell: Cell | None) -> dict:
    return {"sheet": cell.sheet, "cell": cell.ref} if cell is not None else {}


_LEVEL_TOKENS = re.compile(r"[^\W\d_]+|\d+(?:\.0+)?")
_LEVEL_PUNCTUATION = re.compile(r"[\s\-.:()\[\]–—/=,]+")


class _ModelFacts:
    """What the reader works out once per model, not once per file: the items and their
    ids, level names and scores, the defined names of the input cells, the table's columns.
    Read only."""

    def __init__(self, model: Model):
        self.items = model.items
        self.ids = {item.id.upper(): item for item in self.items}
        self.longest_id = max(len(key) for key in self.ids) + 8
        self.level_names = model.level_names
        self.exact = {name: name for name in self.level_names}
        self.folded = {name.casefold(): name for name in self.level_names}
        self.scores: dict[str, int] = {}
        for level in model.levels:
            self.scores.setdefault(level.name, level.score)
        columns = L.assessment_columns(self.level_names)
        self.headers = {_norm(c.header): c.key for c in columns}
        self.offsets = {c.key: i for i, c in enumerate(columns)}
        self.input_names = {
            item.id: {key: L.item_input_name(item.id, key).upper() for key in L.ITEM_FIELDS}
            for item in self.items
        }


_FACTS: dict[int, tuple[Model, _ModelFacts]] = {}


def _facts(model: Model) -> _ModelFacts:
    entry = _FACTS.get(id(model))
    if entry is None or entry[0] is not model:
        if len(_FACTS) >= 32:
            _FACTS.clear()
        entry = _FACTS[id(model)] = (model, _ModelFacts(model))
    return entry[1]


def parse_level(value, model: Model) -> tuple[str | None, str]:
    """Turn what a council typed into a level name. Returns ``(level, issue)``:
    issue is '' for the dropdown text, 'loose' for an accepted variant ("mature",
    "3", 3.0, "Level 3 - Mature", "Mature (3)"), 'bad' otherwise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, ""
    if isinstance(value, bool):
        return None, "bad"
    facts = _facts(model)
    level_names, names = facts.level_names, facts.folded
    count = len(level_names)
    if isinstance(value, (int, float)):
        if float(value).is_integer() and 1 <= int(value) <= count:
            return level_names[int(value) - 1], "loose"
        return None, "bad"
    if not isinstance(value, str):
        return None, "bad"
    exact = facts.exact.get(value)
    if exact is not None:
        return exact, ""  # the model's own string: one object for every answer, not one each
    folded = " ".join(value.split()).casefold()
    if folded in names:
        return names[folded], "loose"
    tokens = _LEVEL_TOKENS.findall(folded)
    if _LEVEL_PUNCTUATION.sub("", _LEVEL_TOKENS.sub("", folded)):
        return None, "bad"  # characters other than words, digits and separators
    words = [t for t in tokens if not t[0].isdigit() and t != "level"]
    digits = [t for t in tokens if t[0].isdigit()]
    if len(digits) > 1 or (not words and not digits):
        return None, "bad"
    by_score = None
    if digits:
        score = int(float(digits[0]))
        if not 1 <= score <= count:
            return None, "bad"
        by_score = level_names[score - 1]
    by_name = names.get(" ".join(words)) if words else None
    if words and by_name is None:
        return None, "bad"
    if by_score and by_name and by_score != by_name:
        return None, "bad"
    return by_name or by_score, "loose"


_SHARED_DATES: dict[dt.date, dt.date] = {}


def _shared_date(value):
    """``value``, or an equal date already made: thousands of answers share a few target
    dates, and one object each adds up over a collation."""
    if value.__class__ is not dt.date:
        return value
    if len(_SHARED_DATES) >= 4096:
        _SHARED_DATES.clear()
    return _SHARED_DATES.setdefault(value, value)


def _date(value):
    """A date from a date cell, an Excel serial number or text; other text is kept as is."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 36526 <= value < 73051:
        return dt.date(1899, 12, 30) + dt.timedelta(days=int(value))  # 2000-01-01..2099
    text = _text(value)
    for pattern in (
        "%d/%m/%Y",
        "%Y-%m-%d",
        "%d-%m-%Y",
        "%d.%m.%Y",
        "%d %B %Y",
        "%d %b %Y",
        "%d/%m/%y",
        "%Y-%m-%dT%H:%M:%S",
    ):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            pass
    return text


@dataclass
class _Table:
    model: Model
    sheet: str
    rows: dict[str, dict[str, Cell]]  # item id -> field key -> cell
    refs: dict[str, Cell]  # item id -> its reference cell
    duplicates: dict[str, list[Cell]] = field(default_factory=dict)
    header: bool = False

    @property
    def score(self) -> tuple[int, int]:
        return len(self.rows), int(self.header)


_SMALL_PRINT = re.compile(r"Model (\S+) version (\S+), fingerprint ([0-9a-f]{64})")
_MODEL_KEYS = ("model_id", "model_version", "model_fingerprint")
_GENERATED_SHEETS = (L.START, L.GUIDANCE, L.SUMMARY, L.LISTS, L.METADATA)


class _Interpreter:
    def __init__(self, book: Book, models: list[Model], register, result: Return):
        self.book = book
        self.models = models
        self.register = register
        self.result = result
        self.file = book.path
        self.meta_where: dict[str, dict] = {}
        self._detail_cells: dict[str, Cell] | None = None

    def problem(
        self,
        kind: ProblemType,
        place: dict | None = None,
        /,
        *,
        item_id: str | None = None,
        hint: str | None = None,
        **fields,
    ) -> None:
        """Report a problem of catalogued ``kind`` at ``place`` (``sheet`` and ``cell``) and
        ``item_id``, which also fills the template's ``{item_id}``."""
        where = Location(file=self.file, item_id=item_id, **(place or {}))
        self.result.problems.append(kind(where, hint=hint, item_id=item_id, **fields))

    def run(self):
        meta = self._metadata()
        model, table = self._model(meta)
        if model is None:
            return
        self.model = model
        self.result.item_count = len(_facts(model).items)
        self._identity(meta)
        self._respondent()
        completed = self.result.respondent.date_completed
        self.result.round = meta.get("round", "") or (
            str(completed.year) if isinstance(completed, dt.date) else ""
        )
        self._answers(table)

    # metadata: defined names and the Metadata sheet, custom properties, the small print ------
    def _metadata(self) -> dict[str, str]:
        book = self.book
        cells: dict[str, str] = {}
        for key in L.META_KEYS:
            cell = book.named(L.meta_defined_name(key))
            if cell is not None and not book.is_formula(cell) and _text(cell.value):
                cells[key] = _text(cell.value)
                self.meta_where[key] = _where(cell)
        if L.METADATA in book.sheet_names:
            self._key_block(L.METADATA, cells)
        props = {}
        for key in L.META_KEYS:
            value = book.properties.get(L.meta_property_name(key), "").strip()
            if value and value != "-":
                props[key] = value
        for key in _MODEL_KEYS:
            if key in cells and key in props and cells[key] != props[key]:
                self.problem(
                    P.PROPERTIES_DISAGREE,
                    self.meta_where[key],
                    key=key.replace("_", " "),
                    sheet_value=cells[key],
                    property_value=props[key],
                )
        found = {**props, **cells}
        if not all(key in found for key in _MODEL_KEYS):
            others = [L.START] + [s for s in book.sheet_names if s not in (L.START, L.METADATA)]
            for sheet in others:
                if sheet in book.sheet_names:
                    self._key_block(sheet, found)
                    self._small_print(sheet, found)
                if all(key in found for key in _MODEL_KEYS):
                    break
        return found

    def _key_block(self, sheet: str, found: dict) -> None:
        for r, row in enumerate(self.book.rows(sheet)[:200]):
            if len(row) >= 2 and isinstance(row[0], str) and row[0].strip() in L.META_KEYS:
                key, value = row[0].strip(), _text(row[1])
                cell = Cell(sheet, r, 1, row[1])
                if value and key not in found and not self.book.is_formula(cell):
                    found[key] = value
                    self.meta_where[key] = _where(cell)

    def _small_print(self, sheet: str, found: dict) -> None:
        for r, row in enumerate(self.book.rows(sheet)[:200]):
            for c, value in enumerate(row):
                match = _SMALL_PRINT.search(value) if isinstance(value, str) else None
                if match:
                    for key, text in zip(_MODEL_KEYS, match.groups(), strict=True):
                        if key not in found:
                            found[key] = text
                            self.meta_where[key] = {"sheet": sheet, "cell": L.a1(r, c)}
                    return

    def _model(self, meta) -> tuple[Model | None, _Table | None]:
        r = self.result
        r.model_id = meta.get("model_id", "")
        r.model_version = meta.get("model_version", "")
        r.model_fingerprint = meta.get("model_fingerprint", "")
        known = ", ".join(sorted({f"{m.id} {m.version}" for m in self.models})) or "none"
        if not r.model_id:
            table = self._find_table(self.models)
            if table is None:
                self.problem(P.NOT_NPS)
                return None, None
            model = table.model
            self.problem(
                P.METADATA_MISSING,
                _where(min(table.refs.values(), key=lambda c: (c.row, c.col))),
                model=f"{model.id} {model.version}",
            )
            r.model_id, r.model_version = model.id, model.version
            return model, table
        same_id = [m for m in self.models if m.id == r.model_id]
        where = self.meta_where.get("model_id", {})
        if not same_id:
            self.problem(P.UNKNOWN_MODEL, where, model_id=r.model_id, known=known)
            return None, None
        if not r.model_version:
            table = self._find_table(same_id)
            model = table.model if table is not None else same_id[-1]
            self.problem(P.MODEL_VERSION_MISSING, where, model=f"{model.id} {model.version}")
            r.model_version = model.version
            return model, table
        versions = [m for m in same_id if m.version == r.model_version]
        if not versions:
            self.problem(
                P.UNKNOWN_MODEL_VERSION,
                self.meta_where.get("model_version", where),
                model_id=r.model_id,
                version=r.model_version,
                known=known,
            )
            return None, None
        model = next((m for m in versions if m.fingerprint == r.model_fingerprint), versions[0])
        if not r.model_fingerprint:
            self.problem(P.FINGERPRINT_MISSING, where)
        elif r.model_fingerprint != model.fingerprint:
            self.problem(
                P.FINGERPRINT_MISMATCH,
                self.meta_where.get("model_fingerprint", where),
                model=f"{model.id} {model.version}",
                found=r.model_fingerprint[:12],
                expected=model.fingerprint[:12],
            )
            return None, None
        return model, self._find_table([model])

    # the table --------------------------------------------------------------------------------
    def _find_table(self, models: list[Model]) -> _Table | None:
        """The sheet and rows of the assessment table, found by headers and reference ids:
        the generator's sheet first, then sheets the defined names point at, then the rest."""
        book = self.book
        named = [
            s
            for n, (s, _, _) in book.names.items()
            if n.endswith(("_CURRENT", "_TARGET")) and s in book.sheet_names
        ]
        rest = [s for s in book.sheet_names if s not in _GENERATED_SHEETS]
        order = list(dict.fromkeys([L.ASSESSMENT, *named, *rest, *_GENERATED_SHEETS]))
        best = None
        for sheet in order:
            if sheet not in book.sheet_names:
                continue
            rows = book.rows(sheet)
            for model in models:
                table = _scan_sheet(sheet, rows, model)
                if table is not None and (best is None or table.score > best.score):
                    best = table
            if best is not None and best.header and len(best.rows) == len(best.model.items):
                break
        return best

    # identity and respondent ------------------------------------------------------------------
    def _details(self) -> dict[str, Cell]:
        """The cells holding council and respondent details: by defined name, else next to
        their labels on the sheet that holds most of the labels."""
        if self._detail_cells is not None:
            return self._detail_cells
        cells = {}
        for field_ in L.DETAIL_FIELDS:
            cell = self.book.named(field_.defined_name)
            if cell is not None:
                cells[field_.key] = cell
        if len(cells) < len(L.DETAIL_FIELDS):
            labels = {_norm(f.label): f.key for f in L.DETAIL_FIELDS}
            order = [L.START] + [s for s in self.book.sheet_names if s != L.START]
            for sheet in order:
                if sheet not in self.book.sheet_names:
                    continue
                found = {}
                for r, row in enumerate(self.book.rows(sheet)[:100]):
                    for c, value in enumerate(row[:12]):
                        key = labels.get(_norm(value)) if isinstance(value, str) else None
                        if key is not None and key not in found:
                            found[key] = Cell(sheet, r, c + 1, self.book.value(sheet, r, c + 1))
                if len(found) >= 4:
                    for key, cell in found.items():
                        cells.setdefault(key, cell)
                    break
        self._detail_cells = cells
        return cells

    def _detail(self, key: str, *, input_cell: bool = True) -> tuple[str, Cell | None]:
        cell = self._details().get(key)
        if cell is None:
            return "", None
        if self.book.is_formula(cell):
            if input_cell:
                self.problem(P.FORMULA_IN_INPUT, _where(cell), ref=cell.ref)
            return "", cell
        return _text(cell.value), cell

    def _identity(self, meta):
        r = self.result
        name, name_cell = self._detail("council_name")
        code, code_cell = self._detail("council_code", input_cell=False)
        name = name or meta.get("council_name", "")
        code = code or meta.get("council_code", "")
        r.council_name, r.council_code = name, code
        where = _where(name_cell or code_cell)
        if not name and not code:
            if not where:
                where = {"sheet": L.START, "cell": L.start_detail_cell(0)}
            self.problem(P.COUNCIL_MISSING, where)
            return
        if self.register is None:
            return
        by_code = self.register.by_code(code) if code else None
        by_name = None
        not_found = None
        if name:
            try:
                by_name = self.register.match(name)
            except CouncilNotFound as exc:
                not_found = exc
        if by_name is not None and by_code is not None and by_name != by_code:
            self.problem(
                P.COUNCIL_NAME_AND_CODE_DISAGREE,
                where,
                named=by_name.name,
                code=code,
                coded=by_code.name,
            )
        council = by_name or by_code
        if council is None:
            if not_found is None:
                self.problem(P.COUNCIL_CODE_UNKNOWN, where, code=code)
            elif not_found.suggestions:
                suggestions = ", ".join(not_found.suggestions)
                self.problem(P.COUNCIL_UNKNOWN_SUGGESTED, where, name=name, suggestions=suggestions)
            else:
                self.problem(P.COUNCIL_UNKNOWN, where, name=name)
            return
        if not_found is not None:
            self.problem(
                P.COUNCIL_NAME_UNKNOWN_CODE_USED, where, name=name, code=code, council=council.name
            )
        r.council = council
        if not r.council_code:
            r.council_code = council.code

    def _respondent(self):
        values = {
            key: self._detail(key)[0]
            for key in ("respondent_name", "respondent_role", "respondent_email")
        }
        _, cell = self._detail("date_completed")
        date = _date(cell.value) if cell is not None and not self.book.is_formula(cell) else None
        self.result.respondent = Respondent(
            values["respondent_name"], values["respondent_role"], values["respondent_email"], date
        )

    # answers ----------------------------------------------------------------------------------
    def _answers(self, table: _Table | None):
        model, book = self.model, self.book
        rows = table.rows if table is not None else {}
        row_owner = {}  # (sheet, row) -> item id whose reference id is on that row
        if table is not None:
            for item_id, ref in table.refs.items():
                row_owner[(ref.sheet, ref.row)] = item_id
            for item_id, extras in table.duplicates.items():
                for extra in extras:
                    row_owner[(extra.sheet, extra.row)] = item_id
                    self.problem(
                        P.DUPLICATE_ITEM,
                        _where(extra),
                        item_id=item_id,
                        first=table.refs[item_id].row + 1,
                        extra=extra.row + 1,
                    )
        disagreements: list[tuple[str, str, Cell | None, Cell, str | None]] = []
        found: dict[str, dict[str, Cell | None]] = {}
        facts = _facts(model)
        names = book.names
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
                name_cell = book.named(name)
                if name_cell is None:
                    continue
                owner = row_owner.get((name_cell.sheet, name_cell.row), item.id)
                other = owner if owner != item.id else None
                if row_cell is None:
                    if other is not None:  # it points into another item's row: not this item's
                        disagreements.append((item.id, key, None, name_cell, other))
                    else:
                        cells[key] = name_cell
                        named_only.append(name_cell)
                elif (row_cell.sheet, row_cell.row, row_cell.col) != (
                    name_cell.sheet,
                    name_cell.row,
                    name_cell.col,
                ) and (other is not None or _text(row_cell.value) != _text(name_cell.value)):
                    disagreements.append((item.id, key, row_cell, name_cell, other))
            if named_only and table is not None and item.id not in rows:
                self.problem(
                    P.NO_ROW_FOR_ITEM,
                    _where(named_only[0]),
                    item_id=item.id,
                    names=f"{L.NAME_PREFIX}{item.id}_*",
                )
            found[item.id] = cells
        if table is None and any(c is not None for cells in found.values() for c in cells.values()):
            first = next(c for cells in found.values() for c in cells.values() if c is not None)
            self.problem(P.NO_REFERENCE_IDS, _where(first))
        self._report_disagreements(disagreements)
        self._read_items(table, found)

    def _report_disagreements(self, disagreements):
        by_item: dict[str, list] = {}
        for item_id, key, row_cell, name_cell, other in disagreements:
            by_item.setdefault(item_id, []).append((key, row_cell, name_cell, other))
        if len(by_item) > MANY_DISAGREEMENTS:
            item_id, _, row_cell, name_cell, _ = disagreements[0]
            self.problem(
                P.NAMES_MOVED,
                _where(row_cell or name_cell),
                count=len(by_item),
                items=", ".join(by_item),
            )
            return
        for item_id, entries in by_item.items():
            key, row_cell, name_cell, other = entries[0]
            named = {
                "name": L.item_input_name(item_id, key),
                "name_cell": name_cell.ref,
                "name_value": _text(name_cell.value),
            }
            where = _where(row_cell or name_cell)
            if row_cell is None:  # then the name points into another item's row
                self.problem(
                    P.NO_ROW_NAME_ON_ANOTHER_ROW, where, item_id=item_id, other=other, **named
                )
                continue
            row = {
                "row_value": _text(row_cell.value),
                "row_cell": row_cell.ref,
                "fields": ", ".join(k.replace("_", " ") for k, _, _, _ in entries),
            }
            if other:
                self.problem(
                    P.NAME_ON_ANOTHER_ROW, where, item_id=item_id, other=other, **named, **row
                )
            else:
                self.problem(P.SOURCES_DISAGREE, where, item_id=item_id, **named, **row)

    def _cell_value(self, cell: Cell | None, item_id: str):
        if cell is None:
            return None
        if self.book.is_formula(cell):
            self.problem(P.FORMULA_IN_INPUT, _where(cell), item_id=item_id, ref=cell.ref)
            return None
        return cell.value

    def _read_items(self, table: _Table | None, found):
        model = self.model
        scores = _facts(model).scores
        incomplete = []
        any_level = False
        for item in _facts(model).items:
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
                if issue == "bad":
                    any_level = True
                    self.problem(
                        P.UNKNOWN_LEVEL,
                        _where(cell),
                        item_id=item.id,
                        field=label,
                        value=_text(value),
                        allowed=", ".join(model.level_names),
                    )
                elif issue == "loose":
                    self.problem(
                        P.LEVEL_NOT_FROM_LIST,
                        _where(cell),
                        item_id=item.id,
                        field=label,
                        value=_text(value),
                        level=level,
                    )
                any_level = any_level or level is not None
                levels[key] = (level, issue, cell)
            missing = [k for k in L.LEVEL_FIELDS if levels[k][0] is None and levels[k][1] != "bad"]
            if missing:
                what = {"missing": " and ".join(missing)}
                incomplete.append((item, P.INCOMPLETE, _where(levels[missing[0]][2]), what))
            current, target = levels["current"][0], levels["target"][0]
            if current and target and scores[target] < scores[current]:
                self.problem(
                    P.TARGET_BELOW_CURRENT,
                    _where(levels["target"][2]),
                    item_id=item.id,
                    target=target,
                    current=current,
                )
            texts = {}
            for key in ("evidence", "actions"):
                cell = cells[key]
                text = _text(self._cell_value(cell, item.id))
                if len(text) >= EXCEL_CELL_LIMIT:  # the parser cuts longer text at the limit
                    self.problem(
                        P.TEXT_TOO_LONG,
                        _where(cell),
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
                _shared_date(_date(date_value)),
            )
        if not self.result.answers:
            self.problem(P.TABLE_NOT_FOUND, {"sheet": L.ASSESSMENT}, example_id=model.items[0].id)
            return
        if incomplete and not any_level:
            first = next(iter(found.values()))
            where = _where(first.get("current")) or (
                {"sheet": table.sheet} if table is not None else {}
            )
            self.problem(P.NOTHING_CHOSEN, where, count=len(model.items), sheet=L.ASSESSMENT)
            return
        for item, kind, where, fields in incomplete:
            self.problem(kind, where, item_id=item.id, name=item.name, **fields)


# --- finding the table by its reference ids -------------------------------------------------------
_REF_HEADER, _CURRENT_HEADER = _norm(L.REF_HEADER), _norm(L.CURRENT_HEADER)


def _scan_sheet(sheet: str, rows: list[list], model: Model, exact: bool = True) -> _Table | None:
    """Rows of one sheet whose reference cell holds an item id: under a header row with
    'Ref' and 'Current level' (columns mapped by their headers), or without one when the
    row itself shows the generated layout (the item's level descriptors after its id).
    Header rows are first looked for by the exact 'Ref', then in any case and spacing."""
    facts = _facts(model)
    ids, longest_id = facts.ids, facts.longest_id
    headers, offsets = facts.headers, facts.offsets
    ref_header, current_header = _REF_HEADER, _CURRENT_HEADER
    column_of: dict[str, int] = {}
    ref_col = None
    table = _Table(model, sheet, {}, {})
    loose = []  # rows without a header: (item id, row index, ref column, row)
    for r, row in enumerate(rows):
        if (
            (L.REF_HEADER in row)
            if exact
            else any(v.__class__ is str and len(v) < 12 and _norm(v) == ref_header for v in row)
        ):
            normed = {}
            for c, value in enumerate(row):
                if isinstance(value, str) and value:
                    normed.setdefault(_norm(value), c)
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
        return _scan_sheet(sheet, rows, model, exact=False)
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
        return _norm(row[col]) if col < len(row) else ""

    return any(
        at(f"level_{i}") == _norm(descriptor) and descriptor
        for i, descriptor in enumerate(item.descriptors, start=1)
    )
