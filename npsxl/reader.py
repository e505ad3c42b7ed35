"""Read a returned self-assessment workbook from any spreadsheet app: :func:`read_return`.

Answers are found two ways and cross-checked: by the workbook's defined names
(``NPS_L1_CURRENT``...) and by the visible reference id on each row under the
table's header. The rows win when the two disagree (a sort moves values but not
names), and the disagreement is reported. Only input cells count: cached values
of formulas are never trusted. Every problem is located and says what to do.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import python_calamine
from xlsxwriter.utility import xl_cell_to_rowcol, xl_rowcol_to_cell

from . import layout as L
from .answers import Answer, Respondent
from .errors import CouncilNotFound
from .model import Model
from .problems import Location, Problem, Severity
from .register import Register
from .returns import Return
from .safety import DEFAULT_LIMITS, Limits, parse_xml, preflight

EXCEL_CELL_LIMIT = 32_767
WARNING = Severity.WARNING

HINTS = {
    "unknown-level": "choose the level from the dropdown",
    "incomplete": "choose both a current and a target level for every item",
    "not-nps": "send the NPS self-assessment workbook you were given, filled in",
    "council-missing": "choose your council on the 'Start here' sheet",
}


@dataclass
class _Cell:
    sheet: str
    row: int
    col: int
    value: object

    @property
    def ref(self) -> str:
        return xl_rowcol_to_cell(self.row, self.col)


@dataclass
class _Book:
    """The parsed content: cell values per sheet, plus what only OOXML files carry."""

    path: str
    format: str
    sheets: dict[str, list[list]]
    names: dict[str, tuple[str, str]] = field(default_factory=dict)  # NPS_* -> (sheet, A1)
    properties: dict[str, str] = field(default_factory=dict)
    formula_cells: dict[str, set[str]] = field(default_factory=dict)  # sheet -> {A1}

    def value(self, sheet: str, row: int, col: int):
        rows = self.sheets.get(sheet)
        if rows is None or row < 0 or row >= len(rows) or col < 0 or col >= len(rows[row]):
            return None
        return rows[row][col]

    def named(self, name: str) -> _Cell | None:
        target = self.names.get(name)
        if not target or target[0] not in self.sheets:
            return None
        row, col = xl_cell_to_rowcol(target[1])
        return _Cell(target[0], row, col, self.value(target[0], row, col))

    def is_formula(self, cell: _Cell) -> bool:
        return cell.ref in self.formula_cells.get(cell.sheet, ())


def read_return(
    path: str | Path,
    models: Model | Iterable[Model],
    register: Register | None = None,
    *,
    limits: Limits = DEFAULT_LIMITS,
) -> Return:
    """Read and validate one returned workbook. Never raises for a bad file: the problems
    list of the :class:`Return` says what is wrong, where, and what the council should do."""
    models = [models] if isinstance(models, Model) else list(models)
    path = str(path)
    result = Return(path=path)
    fmt, problems = preflight(path, limits)
    result.format = fmt
    result.problems.extend(problems)
    if problems:
        return result
    try:
        book = _load(path, fmt)
    except python_calamine.PasswordError:
        result.problems.append(_p("encrypted", "the file is password-protected", path,
                                  hint="remove the password and resend"))  # fmt: skip
        return result
    except Exception as exc:  # noqa: BLE001 - any parser failure means a damaged file
        result.problems.append(_p("corrupt-file", f"the file is damaged and cannot be read "
                                  f"({type(exc).__name__}: {str(exc)[:200]})", path,
                                  hint="open it, save it again and resend"))  # fmt: skip
        return result
    if fmt == "xlsm":
        result.problems.append(_p("macros-present", "the workbook contains macros; they were "
                                  "not run and are ignored", path, severity=WARNING,
                                  hint="save it as .xlsx next time"))  # fmt: skip
    _Interpreter(book, models, register, result).run()
    return result


# --- loading ----------------------------------------------------------------------------------------
def _load(path: str, fmt: str) -> _Book:
    workbook = python_calamine.CalamineWorkbook.from_path(path)
    try:
        sheets = {}
        for name in workbook.sheet_names:
            sheets[name] = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
    finally:
        workbook.close()
    book = _Book(path, fmt, sheets)
    if fmt in ("xlsx", "xlsm"):
        _read_ooxml_extras(book)
    elif fmt == "ods":
        _read_ods_properties(book)
    return book


_SHEET_REF = re.compile(r"^(?:'((?:[^']|'')+)'|([^'!]+))!\$?([A-Z]{1,3})\$?([0-9]+)$")
_CELL = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
_R_ATTR = re.compile(rb'\br="([A-Z]{1,3}[0-9]+)"')
_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


def _read_ooxml_extras(book: _Book) -> None:
    """Defined names, custom properties and which input cells hold formulas."""
    with zipfile.ZipFile(book.path) as archive:
        names = set(archive.namelist())
        root = parse_xml(archive.read("xl/workbook.xml"))
        sheet_parts = {}
        rels = {}
        if "xl/_rels/workbook.xml.rels" in names:
            for rel in parse_xml(archive.read("xl/_rels/workbook.xml.rels")):
                target = rel.get("Target", "")
                target = target[1:] if target.startswith("/") else "xl/" + target
                rels[rel.get("Id")] = target
        for sheet in root.iter(f"{_NS_MAIN}sheet"):
            sheet_parts[sheet.get("name")] = rels.get(sheet.get(f"{_NS_REL}id"))
        for defined in root.iter(f"{_NS_MAIN}definedName"):
            name = defined.get("name", "")
            if not name.upper().startswith(L.NAME_PREFIX) or defined.get("localSheetId"):
                continue
            match = _SHEET_REF.match((defined.text or "").strip())
            if match:
                sheet = (match.group(1) or "").replace("''", "'") or match.group(2)
                book.names[name.upper()] = (sheet, f"{match.group(3)}{match.group(4)}")
        if "docProps/custom.xml" in names:
            for prop in parse_xml(archive.read("docProps/custom.xml")):
                if len(prop):
                    book.properties[prop.get("name", "")] = (prop[0].text or "").strip()
        input_sheets = {sheet for sheet, _ in book.names.values()} | {L.ASSESSMENT, L.START}
        for sheet in input_sheets:
            part = sheet_parts.get(sheet)
            if part and part in names:
                book.formula_cells[sheet] = _formula_cells(archive.read(part))


def _formula_cells(xml: bytes) -> set[str]:
    cells = set()
    for match in _CELL.finditer(xml):
        body = match.group(2)
        if body and b"<f" in body:
            ref = _R_ATTR.search(match.group(1))
            if ref:
                cells.add(ref.group(1).decode())
    return cells


def _read_ods_properties(book: _Book) -> None:
    meta_ns = "{urn:oasis:names:tc:opendocument:xmlns:meta:1.0}"
    with zipfile.ZipFile(book.path) as archive:
        if "meta.xml" not in archive.namelist():
            return
        root = parse_xml(archive.read("meta.xml"))
        for prop in root.iter(f"{meta_ns}user-defined"):
            book.properties[prop.get(f"{meta_ns}name", "")] = (prop.text or "").strip()


# --- interpreting -------------------------------------------------------------------------------------
def _p(code, message, file, *, sheet=None, cell=None, item_id=None, severity=Severity.ERROR,
       hint=""):  # fmt: skip
    return Problem(code, message, Location(file=file, sheet=sheet, cell=cell, item_id=item_id),
                   severity, hint or HINTS.get(code, ""))  # fmt: skip


def _norm(value) -> str:
    return " ".join(str(value).split()).lower() if value is not None else ""


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return str(value).strip()


_LEVEL_FORMS = re.compile(r"^(?:level\s*)?(\d)\s*(?:[-.:)–—]\s*|\s+)?(.*?)\s*$")


def parse_level(value, model: Model) -> tuple[str | None, str]:
    """Turn what a council typed into a level name. Returns ``(level, issue)``:
    issue is '' for the dropdown text, 'loose' for an accepted variant, 'bad' otherwise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, ""
    if isinstance(value, bool):
        return None, "bad"
    names = {name.lower(): name for name in model.level_names}
    if isinstance(value, (int, float)):
        score = int(value) if float(value).is_integer() else None
        if score is not None and 1 <= score <= len(model.levels):
            return model.levels[score - 1].name, "loose"
        return None, "bad"
    text = str(value).strip()
    if text in model.level_names:
        return text, ""
    folded = " ".join(text.split()).lower()
    if folded in names:
        return names[folded], "loose"
    match = _LEVEL_FORMS.match(folded)
    if match:
        score, rest = int(match.group(1)), match.group(2).strip(" ()")
        if 1 <= score <= len(model.levels):
            level = model.levels[score - 1].name
            if not rest or rest == level.lower():
                return level, "loose"
    match = re.match(r"^(.*?)\s*\(\s*(\d)\s*\)$", folded)  # "Mature (3)"
    if match and match.group(1) in names and names[match.group(1)] == model.level(int(match.group(2))).name:
        return names[match.group(1)], "loose"
    return None, "bad"


class _Interpreter:
    def __init__(self, book: _Book, models: list[Model], register, result: Return):
        self.book = book
        self.models = models
        self.register = register
        self.result = result
        self.file = book.path

    def problem(self, code, message, **kwargs):
        self.result.problems.append(_p(code, message, self.file, **kwargs))

    def run(self):
        meta = self._metadata()
        table = _find_table(self.book, [m for m in self.models])
        model = self._model(meta, table)
        if model is None:
            return
        self.model = model
        self.result.item_count = len(model.items)
        self._identity(meta)
        self._respondent()
        self._answers(table)

    # metadata: defined names, custom properties, the Metadata sheet, the small print
    def _metadata(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for key in L.META_KEYS:
            cell = self.book.named(L.meta_defined_name(key))
            if cell is not None and _text(cell.value):
                found[key] = _text(cell.value)
        for key in L.META_KEYS:
            value = self.book.properties.get(L.meta_property_name(key), "")
            if value and value != "-":
                found.setdefault(key, value)
        for rows in self._sheets_first(L.METADATA):
            for row in rows:
                if len(row) >= 2 and isinstance(row[0], str) and row[0].strip() in L.META_KEYS:
                    value = _text(row[1])
                    if value:
                        found.setdefault(row[0].strip(), value)
        if "model_fingerprint" not in found:
            small = re.compile(r"Model (\S+) version (\S+), fingerprint ([0-9a-f]{64})")
            for rows in self._sheets_first(L.START):
                for row in rows:
                    for value in row:
                        match = small.search(value) if isinstance(value, str) else None
                        if match:
                            found.setdefault("model_id", match.group(1))
                            found.setdefault("model_version", match.group(2))
                            found.setdefault("model_fingerprint", match.group(3))
        return found

    def _sheets_first(self, preferred: str):
        if preferred in self.book.sheets:
            yield self.book.sheets[preferred]
        for name, rows in self.book.sheets.items():
            if name != preferred:
                yield rows

    def _model(self, meta, table) -> Model | None:
        r = self.result
        r.model_id = meta.get("model_id", "")
        r.model_version = meta.get("model_version", "")
        r.model_fingerprint = meta.get("model_fingerprint", "")
        if not r.model_id:
            if table is None or not table.rows:
                self.problem("not-nps", "this is not an NPS self-assessment: no model "
                             "information and no table of reference ids was found")  # fmt: skip
                return None
            model = table.model
            self.problem("metadata-missing", f"the workbook's model details are missing; the "
                         f"answers were matched to {model.id} {model.version} by their "
                         "reference ids", severity=WARNING,
                         hint="use the workbook you were given rather than a copy")  # fmt: skip
            r.model_id, r.model_version = model.id, model.version
            return model
        same_id = [m for m in self.models if m.id == r.model_id]
        known = ", ".join(sorted({f"{m.id} {m.version}" for m in self.models}))
        if not same_id:
            self.problem("unknown-model", f"the workbook is for model {r.model_id!r}, which is "
                         f"not known here (known: {known})",
                         hint="use the current self-assessment workbook")  # fmt: skip
            return None
        versions = [m for m in same_id if m.version == r.model_version]
        if not versions:
            self.problem("unknown-model", f"the workbook is for {r.model_id} version "
                         f"{r.model_version!r}, which is not known here (known: {known})",
                         hint="use the current self-assessment workbook")  # fmt: skip
            return None
        model = versions[0]
        if r.model_fingerprint and r.model_fingerprint != model.fingerprint:
            self.problem("fingerprint-mismatch", f"the workbook's strategy text does not match "
                         f"{model.id} {model.version} (fingerprint {r.model_fingerprint[:12]}, "
                         f"expected {model.fingerprint[:12]}): it was generated from an edited "
                         "model", hint="use the workbook generated from the published model")  # fmt: skip
            return None
        return model

    def _field_cell(self, field_: L.DetailField) -> _Cell | None:
        cell = self.book.named(field_.defined_name)
        if cell is not None:
            return cell
        for sheet in [L.START, *self.book.sheets]:
            rows = self.book.sheets.get(sheet) or []
            for r, row in enumerate(rows[:60]):
                for c, value in enumerate(row[:6]):
                    if isinstance(value, str) and value.strip() == field_.label:
                        return _Cell(sheet, r, c + 1, self.book.value(sheet, r, c + 1))
        return None

    def _detail(self, key: str) -> tuple[str, _Cell | None]:
        field_ = next(f for f in L.DETAIL_FIELDS if f.key == key)
        cell = self._field_cell(field_)
        if cell is None or self.book.is_formula(cell):
            return "", cell
        return _text(cell.value), cell

    def _identity(self, meta):
        r = self.result
        name, name_cell = self._detail("council_name")
        code = meta.get("council_code", "")
        if not code:
            code, _ = self._detail("council_code")
        r.council_name, r.council_code = name, code
        where = {"sheet": name_cell.sheet, "cell": name_cell.ref} if name_cell else {}
        if not name and not code:
            self.problem("council-missing", "the council is not named", **where)
            return
        if self.register is None:
            return
        council = self.register.by_code(code) if code else None
        if council is None and name:
            try:
                council = self.register.match(name)
            except CouncilNotFound as exc:
                also = f"; did you mean {', '.join(exc.suggestions)}?" if exc.suggestions else ""
                self.problem("council-unknown", f"council {name!r} is not in the register"
                             f"{also}", hint="choose your council from the dropdown", **where)  # fmt: skip
                return
        if council is None:
            self.problem("council-unknown", f"council code {code!r} is not in the register",
                         hint="choose your council from the dropdown", **where)  # fmt: skip
            return
        r.council = council

    def _respondent(self):
        values = {key: self._detail(key)[0] for key in
                  ("respondent_name", "respondent_role", "respondent_email")}  # fmt: skip
        _, cell = self._detail("date_completed")
        date = _date(cell.value) if cell is not None and not self.book.is_formula(cell) else None
        self.result.respondent = Respondent(values["respondent_name"], values["respondent_role"],
                                            values["respondent_email"], date)  # fmt: skip

    def _answers(self, table):
        model = self.model
        rows = table.rows if table is not None and table.model is model else {}
        if table is not None and table.model is model:
            for item_id, extra in table.duplicates.items():
                cells = ", ".join(f"row {c.row + 1}" for c in extra)
                self.problem("duplicate-item", f"item {item_id} appears more than once ({cells})",
                             sheet=table.sheet, item_id=item_id,
                             hint="delete the extra rows so each item appears once")  # fmt: skip
        for item in model.items:
            cells = {}
            row_cells = rows.get(item.id)
            for key in L.ITEM_FIELDS:
                by_row = row_cells.get(key) if row_cells else None
                by_name = self.book.named(L.item_input_name(item.id, key))
                cells[key] = by_row or by_name
                if by_row and by_name and (by_row.sheet, by_row.ref) != (by_name.sheet, by_name.ref):
                    if _text(by_row.value) != _text(by_name.value):
                        self.problem("sources-disagree", f"the row with reference {item.id} "
                                     f"holds {_text(by_row.value)!r} in {by_row.ref}, but the "
                                     f"defined name {L.item_input_name(item.id, key)} points at "
                                     f"{by_name.ref} holding {_text(by_name.value)!r}; the row "
                                     "was used", sheet=by_row.sheet, cell=by_row.ref,
                                     item_id=item.id, severity=WARNING,
                                     hint="rows were probably sorted or moved; check the "
                                     "answers")  # fmt: skip
            if row_cells is None and cells["current"] is None:
                self.problem("incomplete", f"item {item.id} ({item.name}) is missing from the "
                             "workbook", item_id=item.id,
                             hint="use the workbook you were given, with every row")  # fmt: skip
                continue
            self.result.answers[item.id] = self._answer(item, cells)

    def _cell_value(self, cell: _Cell | None, item_id: str):
        if cell is None:
            return None
        if self.book.is_formula(cell):
            self.problem("formula-in-input", f"{cell.ref} holds a formula; only typed values "
                         "count, so it was ignored", sheet=cell.sheet, cell=cell.ref,
                         item_id=item_id, severity=WARNING,
                         hint="type or choose the value instead of a formula")  # fmt: skip
            return None
        return cell.value

    def _answer(self, item, cells) -> Answer:
        levels = {}
        for key in L.LEVEL_FIELDS:
            cell = cells[key]
            value = self._cell_value(cell, item.id)
            level, issue = parse_level(value, self.model)
            where = {"sheet": cell.sheet, "cell": cell.ref} if cell else {}
            label = L.CURRENT_HEADER if key == "current" else L.TARGET_HEADER
            if issue == "bad":
                self.problem("unknown-level", f"{label.lower()} of {item.id} is {_text(value)!r}, "
                             f"not a level; allowed: {', '.join(self.model.level_names)}",
                             item_id=item.id, **where)  # fmt: skip
            elif issue == "loose":
                self.problem("level-not-from-list", f"{label.lower()} of {item.id} is "
                             f"{_text(value)!r}, read as {level!r}", item_id=item.id,
                             severity=WARNING, hint="choose levels from the dropdown", **where)  # fmt: skip
            levels[key] = (level, issue, where)
        missing = [k for k in L.LEVEL_FIELDS if levels[k][0] is None and levels[k][1] != "bad"]
        if missing:
            what = " and ".join(("current" if k == "current" else "target") for k in missing)
            cell_where = levels[missing[0]][2]
            self.problem("incomplete", f"{item.id} ({item.name}): no {what} level", item_id=item.id,
                         **cell_where)  # fmt: skip
        current, target = levels["current"][0], levels["target"][0]
        if current and target and self.model.level(target).score < self.model.level(current).score:
            self.problem("target-below-current", f"{item.id}: target {target} is below current "
                         f"{current}", item_id=item.id, severity=WARNING,
                         hint="check the levels; a target is usually at or above the current "
                         "level", **levels["target"][2])  # fmt: skip
        texts = {}
        for key in ("evidence", "actions"):
            text = _text(self._cell_value(cells[key], item.id))
            if len(text) > EXCEL_CELL_LIMIT:
                self.problem("text-too-long", f"{key} of {item.id} is {len(text)} characters, "
                             f"over Excel's limit of {EXCEL_CELL_LIMIT}; it was cut",
                             sheet=cells[key].sheet, cell=cells[key].ref, item_id=item.id,
                             severity=WARNING, hint="shorten it or refer to a document")  # fmt: skip
                text = text[:EXCEL_CELL_LIMIT]
            texts[key] = text
        date_value = self._cell_value(cells["target_date"], item.id)
        return Answer(item.id, current, target, texts["evidence"], texts["actions"],
                      _date(date_value))  # fmt: skip


def _date(value):
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d %B %Y", "%d %b %Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            pass
    return text


# --- finding the table by its reference ids ---------------------------------------------------------
@dataclass
class _Table:
    model: Model
    sheet: str
    rows: dict[str, dict[str, _Cell]]
    duplicates: dict[str, list[_Cell]]


def _find_table(book: _Book, models: list[Model]) -> _Table | None:
    """The sheet, header and rows of the assessment table, found by headers and reference ids."""
    order = [L.ASSESSMENT] + [s for s in book.sheets if s != L.ASSESSMENT]
    best = None
    for model in models:
        ids = {item.id.upper(): item.id for item in model.items}
        columns = L.assessment_columns(model.level_names)
        headers = {_norm(c.header): c.key for c in columns}
        offsets = {c.key: i for i, c in enumerate(columns)}
        for sheet in order:
            rows = book.sheets.get(sheet)
            if not rows:
                continue
            table = _scan_sheet(sheet, rows, ids, headers, offsets)
            if table and (best is None or len(table[0]) > len(best.rows)):
                best = _Table(model, sheet, table[0], table[1])
                if len(table[0]) == len(ids):
                    return best
    return best


def _scan_sheet(sheet, rows, ids, headers, offsets):
    column_of: dict[str, int] = {}
    ref_col = None
    found: dict[str, dict[str, _Cell]] = {}
    duplicates: dict[str, list[_Cell]] = {}
    for r, row in enumerate(rows):
        keys = {_norm(v): c for c, v in enumerate(row) if isinstance(v, str) and v.strip()}
        if _norm(L.REF_HEADER) in keys and _norm(L.CURRENT_HEADER) in keys:
            column_of = {headers[h]: c for h, c in keys.items() if h in headers}
            ref_col = column_of["ref"]
            continue
        candidates = [ref_col] if ref_col is not None else range(min(len(row), 30))
        for c in candidates:
            if c is None or c >= len(row) or not isinstance(row[c], str):
                continue
            item_id = ids.get(row[c].strip().upper())
            if item_id is None:
                continue
            if ref_col is None:  # no header seen: assume the generated column order
                column_of = {key: c + off for key, off in offsets.items()}
            cells = {key: _Cell(sheet, r, column_of[key], row[column_of[key]]
                                if column_of[key] < len(row) else None)
                     for key in L.ITEM_FIELDS if key in column_of}  # fmt: skip
            if item_id in found:
                duplicates.setdefault(item_id, []).append(_Cell(sheet, r, c, row[c]))
            else:
                found[item_id] = cells
            break
    return (found, duplicates) if found else None
