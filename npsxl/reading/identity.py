"""Which model and which council a returned workbook is for, and who filled it in:
:class:`Identification`.

The model's id, version and fingerprint are read from the workbook's defined names and its
Metadata sheet, its document properties, or the small print on its sheets; the council and
the respondent from the cells the defined names point at, else from next to their labels.
"""

from __future__ import annotations

import re

from npsxl.core import catalogue as P
from npsxl.core.errors import CouncilNotFound
from npsxl.model.answers import Respondent, ReturnKind, SignOff
from npsxl.model.fingerprint import where_they_differ
from npsxl.model.model import Model
from npsxl.model.register import Register
from npsxl.reading.book import Book, Cell, place_of
from npsxl.reading.returns import Return
from npsxl.reading.table import Table, find_tables
from npsxl.reading.values import as_text, norm, to_date
from npsxl.workbook import layout as L

# The small print gives the fingerprint's first 12 characters (workbooks made before 1.0.1's
# layout gave all 64); the metadata has it in full.
_SMALL_PRINT = re.compile(
    rf"Model (\S+) version (\S+), fingerprint ([0-9a-f]{{{L.SHORT_FINGERPRINT},64}})\b"
)
_MODEL_KEYS = ("model_id", "model_version", "model_fingerprint")


class Identification:
    """The model, council and respondent of one workbook; problems go to ``result``."""

    def __init__(self, book: Book, models: list[Model], register: Register | None, result: Return):
        self.book = book
        self.models = models
        self.register = register
        self.result = result
        self.meta_where: dict[str, dict] = {}  # metadata key -> where it was found
        self._detail_cells: dict[str, Cell] | None = None
        self.other_tables: list[Table] = []  # the council's own copies of the table

    def _find_table(self, models: list[Model]) -> Table | None:
        table, self.other_tables = find_tables(self.book, models)
        return table

    # metadata: defined names and the Metadata sheet, custom properties, the small print ------
    def metadata(self) -> dict[str, str]:
        """The model details and the rest of the metadata, by key (see ``L.META_KEYS``)."""
        book = self.book
        cells: dict[str, str] = {}
        for key in L.META_KEYS:
            cell = book.named(L.meta_defined_name(key))
            if cell is not None and not book.is_formula(cell) and as_text(cell.value):
                cells[key] = as_text(cell.value)
                self.meta_where[key] = place_of(cell)
        if L.METADATA in book.sheet_names:
            self._key_block(L.METADATA, cells)
        props = {}
        for key in L.META_KEYS:
            value = book.properties.get(L.meta_property_name(key), "").strip()
            if value and value != "-":
                props[key] = value
        for key in _MODEL_KEYS:
            if key in cells and key in props and cells[key] != props[key]:
                self.result.report(
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
                key, value = row[0].strip(), as_text(row[1])
                cell = Cell(sheet, r, 1, row[1])
                if value and key not in found and not self.book.is_formula(cell):
                    found[key] = value
                    self.meta_where[key] = place_of(cell)

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

    def model(self, meta: dict[str, str]) -> tuple[Model | None, Table | None]:
        """The model the workbook was made from, and its table when it had to be found to
        tell the model; (None, None) when no known model fits (the problem is reported)."""
        r = self.result
        r.model_id = meta.get("model_id", "")
        r.model_version = meta.get("model_version", "")
        r.model_fingerprint = meta.get("model_fingerprint", "")
        known = ", ".join(sorted({f"{m.id} {m.version}" for m in self.models})) or "none"
        if not r.model_id:
            table = self._find_table(self.models)
            if table is None:
                self.result.report(P.NOT_NPS)
                return None, None
            model = table.model
            self.result.report(
                P.METADATA_MISSING,
                place_of(min(table.refs.values(), key=lambda c: (c.row, c.col))),
                model=f"{model.id} {model.version}",
            )
            r.model_id, r.model_version = model.id, model.version
            return model, table
        same_id = [m for m in self.models if m.id == r.model_id]
        where = self.meta_where.get("model_id", {})
        if not same_id:
            self.result.report(P.UNKNOWN_MODEL, where, model_id=r.model_id, known=known)
            return None, None
        if not r.model_version:
            table = self._find_table(same_id)
            model = table.model if table is not None else same_id[-1]
            self.result.report(P.MODEL_VERSION_MISSING, where, model=f"{model.id} {model.version}")
            r.model_version = model.version
            return model, table
        versions = [m for m in same_id if m.version == r.model_version]
        if not versions:
            self.result.report(
                P.UNKNOWN_MODEL_VERSION,
                self.meta_where.get("model_version", where),
                model_id=r.model_id,
                version=r.model_version,
                known=known,
            )
            return None, None
        model = next((m for m in versions if _fits(m, r.model_fingerprint)), versions[0])
        if not r.model_fingerprint:
            self.result.report(P.FINGERPRINT_MISSING, where)
        elif not _fits(model, r.model_fingerprint):
            found, expected, position = where_they_differ(r.model_fingerprint, model.fingerprint)
            self.result.report(
                P.FINGERPRINT_MISMATCH,
                self.meta_where.get("model_fingerprint", where),
                model=f"{model.id} {model.version}",
                found=found,
                expected=expected,
                position=position,
            )
            return None, None
        r.model_fingerprint = model.fingerprint  # in full, when the small print had it short
        return model, self._find_table([model])

    # identity and respondent ------------------------------------------------------------------
    def _details(self) -> dict[str, Cell]:
        """The cells holding council and respondent details: by defined name where the cell
        is beside its label, else beside their labels on the sheet that holds most of them
        (a name left behind by a row inserted or deleted is reported, not trusted)."""
        if self._detail_cells is not None:
            return self._detail_cells
        labels = {norm(f.label): f.key for f in L.START_INPUT_FIELDS}
        cells, suspect = {}, {}
        for field_ in L.START_INPUT_FIELDS:
            cell = self.book.named(field_.defined_name)
            if cell is None:
                continue
            beside = self.book.value(cell.sheet, cell.row, cell.col - 1)
            if beside.__class__ is str and labels.get(norm(beside)) == field_.key:
                cells[field_.key] = cell
            else:
                suspect[field_.key] = (cell, as_text(beside))
        if len(cells) < len(L.START_INPUT_FIELDS):
            by_label = self._details_by_label(labels)
            for field_ in L.START_INPUT_FIELDS:
                key = field_.key
                if key in cells:
                    continue
                labelled = by_label.get(key)
                if key not in suspect:
                    if labelled is not None:
                        cells[key] = labelled
                    continue
                named, beside = suspect[key]
                about = {
                    "name": field_.defined_name,
                    "name_cell": named.ref,
                    "beside": beside,
                    "label": field_.label,
                }
                if labelled is not None:
                    cells[key] = labelled
                    if as_text(labelled.value) != as_text(named.value):
                        self.result.report(
                            P.DETAIL_NAME_MOVED, place_of(labelled), cell=labelled.ref, **about
                        )
                elif labels.get(norm(beside)) is not None:  # beside another detail's label
                    self.result.report(P.DETAIL_NAME_NOT_USED, place_of(named), **about)
                else:
                    cells[key] = named
        self._detail_cells = cells
        return cells

    def _details_by_label(self, labels: dict[str, str]) -> dict[str, Cell]:
        order = [L.START] + [s for s in self.book.sheet_names if s != L.START]
        for sheet in order:
            if sheet not in self.book.sheet_names:
                continue
            found = {}
            for r, row in enumerate(self.book.rows(sheet)[:100]):
                for c, value in enumerate(row[:12]):
                    key = labels.get(norm(value)) if isinstance(value, str) else None
                    if key is not None and key not in found:
                        found[key] = Cell(sheet, r, c + 1, self.book.value(sheet, r, c + 1))
            if len(found) >= 4:
                return found
        return {}

    def _detail(self, key: str, *, input_cell: bool = True) -> tuple[str, Cell | None]:
        cell = self._details().get(key)
        if cell is None:
            return "", None
        if self.book.is_formula(cell):
            if input_cell:
                self.result.report(P.FORMULA_IN_INPUT, place_of(cell), ref=cell.ref)
            return "", cell
        return as_text(cell.value), cell

    def council(self, meta: dict[str, str]) -> None:
        """The council's name and code, and the register's council they name."""
        r = self.result
        name, name_cell = self._detail("council_name")
        code, code_cell = self._detail("council_code", input_cell=False)
        name = name or meta.get("council_name", "")
        code = code or meta.get("council_code", "")
        r.council_name, r.council_code = name, code
        where = place_of(name_cell or code_cell)
        if not name and not code:
            if not where:
                where = {"sheet": L.START, "cell": L.start_detail_cell(0)}
            self.result.report(P.COUNCIL_MISSING, where)
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
        council = by_name or by_code
        issued = self._issued_to(self.register, meta, where, council)
        if council is not None and issued is not None and council != issued:
            self.result.report(
                P.ISSUED_TO_ANOTHER,
                where,
                issued=issued.name,
                issued_code=issued.code,
                typed=council.name,
            )
            r.council, r.council_name, r.council_code = issued, issued.name, issued.code
            return
        if by_name is not None and by_code is not None and by_name != by_code:
            self.result.report(
                P.COUNCIL_NAME_AND_CODE_DISAGREE,
                where,
                named=by_name.name,
                code=code,
                coded=by_code.name,
            )
        if council is None:
            if not_found is None:
                self.result.report(P.COUNCIL_CODE_UNKNOWN, where, code=code)
            elif not_found.suggestions:
                suggestions = ", ".join(not_found.suggestions)
                self.result.report(
                    P.COUNCIL_UNKNOWN_SUGGESTED, where, name=name, suggestions=suggestions
                )
            else:
                self.result.report(P.COUNCIL_UNKNOWN, where, name=name)
            return
        if not_found is not None:
            self.result.report(
                P.COUNCIL_NAME_UNKNOWN_CODE_USED, where, name=name, code=code, council=council.name
            )
        r.council = council
        if not r.council_code:
            r.council_code = council.code

    def _issued_to(self, register: Register, meta: dict[str, str], where: dict, typed):
        """The register's council the workbook was issued to, from its metadata (the
        Metadata sheet or its defined name, and the document properties); when the two
        disagree, nothing settles it: an error naming both."""
        code = meta.get("council_code", "")
        prop = self.book.properties.get(L.meta_property_name("council_code"), "").strip()
        if not code or code == "-":
            return None
        if prop and prop != "-" and prop != code:
            self.result.report(
                P.ISSUED_TO_UNSETTLED,
                self.meta_where.get("council_code", where),
                sheet_code=code,
                property_code=prop,
                typed=typed.name if typed is not None else "no council in the register",
            )
            return None
        return register.by_code(code)

    def respondent(self) -> None:
        """Who filled the workbook in, and when."""
        values = {
            key: self._detail(key)[0]
            for key in ("respondent_name", "respondent_role", "respondent_email")
        }
        _, cell = self._detail("date_completed")
        date = to_date(cell.value) if cell is not None and not self.book.is_formula(cell) else None
        self.result.respondent = Respondent(
            values["respondent_name"], values["respondent_role"], values["respondent_email"], date
        )

    def form(self) -> None:
        """The kind of return (blank: the council's agreed return, as collation has always
        taken a return to be), the overall comments and the sign-off."""
        text, cell = self._detail("return_kind")
        choices = {norm(shown): value for shown, value in L.RETURN_KIND_CHOICES.items()}
        choices.update({value: value for value in L.RETURN_KIND_CHOICES.values()})
        kind = choices.get(norm(text))
        if text and kind is None:
            quoted = " nor ".join(f'"{shown}"' for shown in L.RETURN_KIND_CHOICES)
            self.result.report(P.RETURN_KIND_UNKNOWN, place_of(cell), value=text, choices=quoted)
        self.result.kind = ReturnKind(kind or ReturnKind.AGREED)
        who = self.result.respondent
        if self.result.kind is ReturnKind.VIEW and not (who.name or who.role or who.email):
            # told when the file is checked, before it is sent, not only when collated
            _, cell = self._detail("respondent_name")
            where = place_of(cell) or {"sheet": L.START}
            council = self.result.council_name or "the council"
            self.result.report(P.VIEW_NOT_IDENTIFIED, where, council=council)
        comments, _ = self._detail("comments")
        self.result.comments = comments
        name, _ = self._detail("approved_by")
        role, _ = self._detail("approver_role")
        _, cell = self._detail("date_approved")
        date = to_date(cell.value) if cell is not None and not self.book.is_formula(cell) else None
        self.result.sign_off = SignOff(name, role, date)


def _fits(model: Model, fingerprint: str) -> bool:
    """Whether ``fingerprint`` is the model's: all of it, or (from the small print) its first
    :data:`~npsxl.workbook.layout.SHORT_FINGERPRINT` characters or more."""
    if len(fingerprint) == len(model.fingerprint):
        return fingerprint == model.fingerprint
    return len(fingerprint) >= L.SHORT_FINGERPRINT and model.fingerprint.startswith(fingerprint)
