"""Reading a council register CSV and checking it, every problem located by line and column.

A register is a CSV file with one council per row. Required columns are ``code``
(ONS GSS code), ``name`` and ``region``; ``register_code`` (three-letter code),
``short_name`` and ``council_type`` are optional. Any other columns (for example a
coordinator's ``hub`` grouping) are kept, in file order, in
:attr:`~npsxl.model.register.Council.extra`. :func:`load_register` checks the whole file
and reports every problem at once.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator

from npsxl.core.errors import RegisterError
from npsxl.core.problems import Location, Problem, Severity
from npsxl.model.register import (
    COUNCIL_TYPES,
    REGIONS,
    Council,
    Register,
    canonical_region,
    fold,
)

REQUIRED_COLUMNS: tuple[str, ...] = ("code", "name", "region")
OPTIONAL_COLUMNS: tuple[str, ...] = ("register_code", "short_name", "council_type")
_TYPE_LOOKUP = {fold(t): t for t in COUNCIL_TYPES}


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
            folded = fold(heading)
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
            first = first_lines.setdefault((column, fold(value)), line)
            if first != line:
                self.report(
                    "register-duplicate-code",
                    f"{column} {value!r} is already used on line {first}",
                    line,
                    column,
                    "list each council once: remove the repeated row or correct its code",
                )
        region = values["region"]
        region_name = canonical_region(region) if region else ""
        if region_name is None:
            self.report(
                "register-unknown-region",
                f"unknown region {region!r}",
                line,
                "region",
                f"use one of: {'; '.join(REGIONS)}",
            )
        council_type = values.get("council_type", "")
        if council_type and fold(council_type) in _TYPE_LOOKUP:
            council_type = _TYPE_LOOKUP[fold(council_type)]
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
            region=region_name or region,
            council_type=council_type,
            extra={name: cell(index) for name, index in extras},
        )
