"""The council register: which councils exist, and matching names or codes to them.

A register is a CSV file with one council per row. Required columns are ``code``
(ONS GSS code), ``name`` and ``region``; ``register_code`` (three-letter code),
``short_name`` and ``council_type`` are optional. Any other columns (for example a
coordinator's ``hub`` grouping) are kept, in file order, in :attr:`Council.extra`.

:func:`load_register` checks the whole file and reports every problem at once,
each located by line and column. :meth:`Register.match` finds a council from a
code or a loosely written name ("Leeds", "leeds city council", "Brighton & Hove").
"""

from __future__ import annotations

import csv
import difflib
import io
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from npsxl.core.errors import CouncilNotFound, NpsxlError, RegisterError
from npsxl.core.problems import Location, Problem, Severity

REGIONS: tuple[str, ...] = (
    "North East",
    "North West",
    "Yorkshire and The Humber",
    "East Midlands",
    "West Midlands",
    "East of England",
    "London",
    "South East",
    "South West",
)
"""The nine English regions, in the usual (ONS) order."""

COUNCIL_TYPES: tuple[str, ...] = (
    "county",
    "district",
    "unitary",
    "metropolitan district",
    "London borough",
    "City of London",
)
"""Recognised values of the optional ``council_type`` column."""

STANDARD_GROUPINGS: tuple[str, ...] = ("region", "council_type")
"""The register columns every collation is summarised by; ``--group-by`` adds others."""

REQUIRED_COLUMNS: tuple[str, ...] = ("code", "name", "region")
OPTIONAL_COLUMNS: tuple[str, ...] = ("register_code", "short_name", "council_type")

# Words stripped from the start / end of a name by normalise_council_name, longest first.
_PREFIXES = (
    "london borough of",
    "royal borough of",
    "borough council of",
    "council of the",
    "borough of",
    "city of",
)
_SUFFIXES = (
    "metropolitan borough council",
    "metropolitan district council",
    "city and district council",
    "borough council",
    "district council",
    "county council",
    "city council",
    "council",
    "borough",
    "district",
    "county",
    "city",
)
_PREFIX_WORDS = [tuple(p.split()) for p in _PREFIXES]
_SUFFIX_WORDS = [tuple(s.split()) for s in _SUFFIXES]

_MAX_SUGGESTIONS = 5


def _fold(text: str) -> str:
    """Case-fold and collapse whitespace (used for codes and regions)."""
    return " ".join(text.split()).casefold()


def _simplify(text: str) -> str:
    """Lower-case, '&' -> 'and', punctuation dropped, hyphens as spaces, whitespace collapsed."""
    text = text.casefold().replace("&", " and ")
    text = re.sub(r"[\u2019'`.,()]", "", text)
    text = re.sub(r"[-\u2013\u2014/]", " ", text)
    return " ".join(text.split())


def normalise_council_name(text: str) -> str:
    """Reduce a council name to a key for loose matching.

    Case, runs of whitespace, "&" versus "and", hyphens and punctuation such as
    ``. , '`` are ignored, and one common prefix ("London Borough of", "Royal
    Borough of", "City of", "Borough of", "Council of the", ...) and one common
    suffix ("Council", "City Council", "Borough Council", "District Council",
    "County Council", "Metropolitan Borough Council", ...) are removed, so
    ``normalise_council_name("Leeds City Council") == normalise_council_name("LEEDS")``.
    A name that is nothing but a prefix or suffix is left as it is.
    """
    words = _simplify(text).split()
    for prefix in _PREFIX_WORDS:
        if len(words) > len(prefix) and tuple(words[: len(prefix)]) == prefix:
            words = words[len(prefix) :]
            break
    for suffix in _SUFFIX_WORDS:
        if len(words) > len(suffix) and tuple(words[-len(suffix) :]) == suffix:
            words = words[: -len(suffix)]
            break
    return " ".join(words)


@dataclass(frozen=True)
class Council:
    """One council in a register."""

    code: str
    """ONS GSS code, e.g. ``E08000035``."""
    register_code: str
    """Three-letter local-authority code, e.g. ``LDS``; may be empty."""
    name: str
    """Official name, e.g. ``Leeds City Council``."""
    short_name: str
    """Everyday name, e.g. ``Leeds``; the official name if the register has none."""
    region: str
    """One of :data:`REGIONS`."""
    council_type: str
    """Usually one of :data:`COUNCIL_TYPES`; may be empty."""
    extra: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)
    """Values of the register's extra columns, in file order."""

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


def _ambiguous(query: str, candidates: list[Council]) -> CouncilNotFound:
    return CouncilNotFound(query, [c.name for c in candidates])


@dataclass
class Register:
    """The councils from one register file, with lookup by code, name and region."""

    councils: tuple[Council, ...]
    source: str = ""
    """The register's path, as given to :func:`load_register`."""
    extra_columns: tuple[str, ...] = ()
    """Names of columns beyond the standard ones, in file order."""
    warnings: list[Problem] = field(default_factory=list)
    """Problems that did not stop the register loading (e.g. an unknown council type)."""

    def __post_init__(self) -> None:
        self.councils = tuple(self.councils)
        self._by_code: dict[str, Council] = {}
        self._by_simple: dict[str, list[Council]] = {}
        self._by_key: dict[str, list[Council]] = {}
        for council in self.councils:
            for code in (council.code, council.register_code):
                if code:
                    self._by_code.setdefault(_fold(code), council)
            for text in (council.name, council.short_name):
                for index, key in (
                    (self._by_simple, _simplify(text)),
                    (self._by_key, normalise_council_name(text)),
                ):
                    bucket = index.setdefault(key, [])
                    if council not in bucket:
                        bucket.append(council)

    def __len__(self) -> int:
        return len(self.councils)

    def __iter__(self) -> Iterator[Council]:
        return iter(self.councils)

    @property
    def regions(self) -> list[str]:
        """The regions that have at least one council in this register, sorted."""
        return sorted({c.region for c in self.councils})

    def by_code(self, code: str) -> Council | None:
        """The council with this GSS code or register code (any case), or None."""
        return self._by_code.get(_fold(code))

    def match(self, query: str) -> Council:
        """The council a code or name refers to.

        Tried in turn: a GSS or register code (any case); the name or short name
        ignoring case, punctuation and "&"/"and"; then the same after dropping
        prefixes and suffixes such as "London Borough of" or "City Council" (see
        :func:`normalise_council_name`).

        Raises :class:`~npsxl.core.errors.CouncilNotFound` when nothing matches (with
        up to five close names as suggestions) or when the query fits more than
        one council (with those councils as suggestions).
        """
        council = self.by_code(query)
        if council is not None:
            return council
        for index, key in (
            (self._by_simple, _simplify(query)),
            (self._by_key, normalise_council_name(query)),
        ):
            candidates = index.get(key, []) if key else []
            if len(candidates) == 1:
                return candidates[0]
            if candidates:
                raise _ambiguous(query, candidates)
        raise CouncilNotFound(query, self._suggest(query))

    def find(self, query: str) -> Council | None:
        """Like :meth:`match`, but None when no single council matches."""
        try:
            return self.match(query)
        except CouncilNotFound:
            return None

    def in_region(self, region: str) -> list[Council]:
        """The councils in a region (name in any case), in register order.

        A known region with no councils in this register gives an empty list;
        a name that is not one of :data:`REGIONS` raises
        :class:`~npsxl.core.errors.NpsxlError` listing the regions present.
        """
        canonical = _canonical_region(region)
        if canonical is None:
            present = "; ".join(self.regions) or "none"
            raise NpsxlError(
                f"Unknown region {region!r}. Regions in the register {self.source or ''}"
                f"{' ' if self.source else ''}are: {present}."
            )
        return [c for c in self.councils if c.region == canonical]

    def _suggest(self, query: str) -> list[str]:
        key = normalise_council_name(query)
        if not key:
            return []
        keys = list(self._by_key)
        containing = [k for k in keys if len(key) >= 3 and f" {key} " in f" {k} "]
        close = difflib.get_close_matches(key, keys, n=len(keys), cutoff=0.6)
        suggestions: list[str] = []
        for candidate in containing + close:
            for council in self._by_key[candidate]:
                if council.name not in suggestions:
                    suggestions.append(council.name)
        return suggestions[:_MAX_SUGGESTIONS]


_REGION_LOOKUP = {_fold(r): r for r in REGIONS}
_TYPE_LOOKUP = {_fold(t): t for t in COUNCIL_TYPES}


def _canonical_region(text: str) -> str | None:
    return _REGION_LOOKUP.get(_fold(text.replace("&", " and ")))


def _read_text(path: str) -> tuple[str | None, Problem | None]:
    """The file's text, or a 'register-unreadable' problem."""
    where = Location(file=path)
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        return None, Problem(
            "register-unreadable",
            f"council register file not found: {path}",
            where,
            hint="check the path, or generate one with scripts/make_register.py",
        )
    except OSError as exc:
        return None, Problem(
            "register-unreadable",
            f"cannot read the council register: {exc.strerror or exc}",
            where,
            hint="check the path points to a readable CSV file",
        )
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return None, Problem(
            "register-unreadable",
            f"the council register is not UTF-8 text (byte 0x{data[exc.start]:02x})",
            Location(file=path, line=line),
            hint="save it from your spreadsheet as 'CSV UTF-8'",
        )


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """(first line number, cells) for each non-blank CSV record."""
    reader = csv.reader(io.StringIO(text, newline=""))
    last_line = 0
    for row in reader:
        start, last_line = last_line + 1, reader.line_num
        if any(cell.strip() for cell in row):
            yield start, [cell.strip() for cell in row]


def check_group_by(columns: Iterable[str], register: Register | None) -> tuple[str, ...]:
    """The extra groupings to summarise: ``columns`` without repeats, region or council type
    (always summarised). Raises :class:`NpsxlError` for a column not in the register."""
    available = register.extra_columns if register is not None else ()
    wanted = tuple(dict.fromkeys(c for c in columns if c not in STANDARD_GROUPINGS))
    for column in wanted:
        if column not in available:
            where = f"the register {register.source}" if register is not None else "no register"
            extra = ", ".join(available) or "none"
            raise NpsxlError(
                f"cannot group by {column!r}: it is not an extra column of {where} "
                f"(extra columns: {extra})"
            )
    return wanted


def load_register(path: str | os.PathLike[str]) -> Register:
    """Load and check a council register CSV.

    Raises :class:`~npsxl.core.errors.RegisterError` listing every problem found
    (each located by line and column) if the file cannot be used. Problems that
    do not stop it loading, such as an unrecognised ``council_type``, are in
    :attr:`Register.warnings`.
    """
    source = os.fspath(path)
    checker = _Checker(source)
    councils, extra_columns = checker.read()
    if any(p.is_error for p in checker.problems):
        summary = f"{source}: {len(checker.problems)} problem(s) in council register"
        raise RegisterError(summary, checker.problems)
    return Register(
        councils=tuple(councils),
        source=source,
        extra_columns=extra_columns,
        warnings=checker.problems,
    )


class _Checker:
    """Reads one register file, collecting every problem instead of stopping at the first."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[Problem] = []

    def report(
        self,
        code: str,
        message: str,
        line: int | None,
        column: str | None,
        hint: str,
        severity: Severity = Severity.ERROR,
    ) -> None:
        location = Location(file=self.source, line=line, path=column)
        self.problems.append(Problem(code, message, location, severity, hint))

    def read(self) -> tuple[list[Council], tuple[str, ...]]:
        """Councils and extra column names; check ``problems`` before using them."""
        text, unreadable = _read_text(self.source)
        if unreadable is not None:
            self.problems.append(unreadable)
            return [], ()
        try:
            records = list(_records(text or ""))
        except csv.Error as exc:
            self.report(
                "register-unreadable",
                f"not a readable CSV file: {exc}",
                None,
                None,
                "save it from your spreadsheet as 'CSV UTF-8'",
            )
            return [], ()
        if not records:
            self.report(
                "register-empty",
                "the council register is empty (no header row)",
                1,
                None,
                "add a header row (code,name,region,...) and one row per council",
            )
            return [], ()
        header_line, header = records[0]
        columns, extras = self.header(header_line, header)
        if any(p.is_error for p in self.problems):
            return [], ()
        if len(records) == 1:
            self.report(
                "register-empty",
                "the council register has a header but no councils",
                header_line,
                None,
                "add one row per council below the header",
            )
            return [], ()
        first_lines: dict[tuple[str, str], int] = {}
        councils = [
            self.row(line, cells, len(header), columns, extras, first_lines)
            for line, cells in records[1:]
        ]
        return councils, tuple(name for name, _ in extras)

    def header(self, line: int, header: list[str]) -> tuple[dict[str, int], list[tuple[str, int]]]:
        """Map standard columns to their index and list extra (name, index) columns."""
        columns: dict[str, int] = {}
        extras: list[tuple[str, int]] = []
        seen: set[str] = set()
        for index, heading in enumerate(header):
            folded = _fold(heading)
            if not folded:
                continue
            if folded in seen:
                self.report(
                    "register-duplicate-column",
                    f"column {heading!r} appears more than once in the header",
                    line,
                    heading,
                    "remove or rename the repeated column",
                )
                continue
            seen.add(folded)
            if folded in REQUIRED_COLUMNS + OPTIONAL_COLUMNS:
                columns[folded] = index
            else:
                extras.append((heading, index))
        found = ", ".join(h for h in header if h) or "none"
        for column in REQUIRED_COLUMNS:
            if column not in columns:
                self.report(
                    "register-missing-column",
                    f"required column {column!r} is missing (found: {found})",
                    line,
                    column,
                    f"add a {column!r} column to the header row",
                )
        return columns, extras

    def row(
        self,
        line: int,
        cells: list[str],
        width: int,
        columns: dict[str, int],
        extras: list[tuple[str, int]],
        first_lines: dict[tuple[str, str], int],
    ) -> Council:
        """Check one data row and build its council (used only if no errors are found)."""

        def cell(index: int) -> str:
            return cells[index] if index < len(cells) else ""

        if any(cells[width:]):
            self.report(
                "register-extra-values",
                f"row has {len(cells)} values but the header has {width} columns",
                line,
                None,
                "quote values that contain commas, or add a heading for the extra column",
            )
        values = {column: cell(index) for column, index in columns.items()}
        for column in REQUIRED_COLUMNS:
            if not values[column]:
                self.report(
                    "register-missing-value",
                    f"no {column} given",
                    line,
                    column,
                    f"fill in the {column} for this council, or delete the row",
                )
        for column in ("code", "register_code"):
            value = values.get(column, "")
            if not value:
                continue
            first = first_lines.setdefault((column, _fold(value)), line)
            if first != line:
                self.report(
                    "register-duplicate-code",
                    f"{column} {value!r} is already used on line {first}",
                    line,
                    column,
                    "list each council once: remove the repeated row or correct its code",
                )
        region = values["region"]
        canonical_region = _canonical_region(region) if region else ""
        if canonical_region is None:
            self.report(
                "register-unknown-region",
                f"unknown region {region!r}",
                line,
                "region",
                f"use one of: {'; '.join(REGIONS)}",
            )
        council_type = values.get("council_type", "")
        if council_type and _fold(council_type) in _TYPE_LOOKUP:
            council_type = _TYPE_LOOKUP[_fold(council_type)]
        elif council_type:
            self.report(
                "register-unknown-type",
                f"unknown council_type {council_type!r}",
                line,
                "council_type",
                f"use one of: {'; '.join(COUNCIL_TYPES)} (or leave it empty)",
                Severity.WARNING,
            )
        return Council(
            code=values["code"],
            register_code=values.get("register_code", ""),
            name=values["name"],
            short_name=values.get("short_name") or values["name"],
            region=canonical_region or region,
            council_type=council_type,
            extra={name: cell(index) for name, index in extras},
        )
