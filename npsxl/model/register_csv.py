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

from npsxl.core import catalogue as P
from npsxl.core.catalogue import ProblemType
from npsxl.core.errors import RegisterError
from npsxl.core.problems import Location, Problem
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
        return None, P.REGISTER_UNREADABLE(where, path=path)
    except OSError as exc:
        return None, P.REGISTER_CANNOT_READ(where, reason=exc.strerror or exc)
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return None, P.REGISTER_NOT_UTF8(Location(file=path, line=line), byte=data[exc.start])


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

    def report(self, kind: ProblemType, line: int | None, column: str | None, /, **fields) -> None:
        """Report a ``kind`` of problem at a line and column of the file."""
        location = Location(file=self.source, line=line, path=column)
        self.problems.append(kind(location, **fields))

    def read(self) -> tuple[list[Council], tuple[str, ...]]:
        """Councils and extra column names; check ``problems`` before using them."""
        text, unreadable = _read_text(self.source)
        if unreadable is not None:
            self.problems.append(unreadable)
            return [], ()
        try:
            records = list(_records(text or ""))
        except csv.Error as exc:
            self.report(P.REGISTER_NOT_CSV, None, None, reason=exc)
            return [], ()
        if not records:
            self.report(P.REGISTER_EMPTY, 1, None)
            return [], ()
        header_line, header = records[0]
        columns, extras = self.header(header_line, header)
        if any(p.is_error for p in self.problems):
            return [], ()
        if len(records) == 1:
            self.report(P.REGISTER_NO_COUNCILS, header_line, None)
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
                self.report(P.REGISTER_DUPLICATE_COLUMN, line, heading, column=heading)
                continue
            seen.add(folded)
            if folded in REQUIRED_COLUMNS + OPTIONAL_COLUMNS:
                columns[folded] = index
            else:
                extras.append((heading, index))
        found = ", ".join(h for h in header if h) or "none"
        for column in REQUIRED_COLUMNS:
            if column not in columns:
                self.report(P.REGISTER_MISSING_COLUMN, line, column, column=column, found=found)
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
            self.report(P.REGISTER_EXTRA_VALUES, line, None, count=len(cells), width=width)
        values = {column: cell(index) for column, index in columns.items()}
        for column in REQUIRED_COLUMNS:
            if not values[column]:
                self.report(P.REGISTER_MISSING_VALUE, line, column, column=column)
        for column in ("code", "register_code"):
            value = values.get(column, "")
            if not value:
                continue
            first = first_lines.setdefault((column, fold(value)), line)
            if first != line:
                self.report(
                    P.REGISTER_DUPLICATE_CODE,
                    line,
                    column,
                    column=column,
                    value=value,
                    first_line=first,
                )
        region = values["region"]
        region_name = canonical_region(region) if region else ""
        if region_name is None:
            self.report(
                P.REGISTER_UNKNOWN_REGION, line, "region", region=region, regions="; ".join(REGIONS)
            )
        council_type = values.get("council_type", "")
        if council_type and fold(council_type) in _TYPE_LOOKUP:
            council_type = _TYPE_LOOKUP[fold(council_type)]
        elif council_type:
            self.report(
                P.REGISTER_UNKNOWN_TYPE,
                line,
                "council_type",
                council_type=council_type,
                types="; ".join(COUNCIL_TYPES),
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
