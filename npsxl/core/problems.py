"""Located problems: what went wrong, where, and what to do about it.

Every check in npsxl reports :class:`Problem` objects instead of stopping at the
first error, so a user sees everything wrong with a file at once.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class Location:
    """Where a problem is: a file plus any of line, sheet, cell, item id or path."""

    file: str = ""
    line: int | None = None
    sheet: str | None = None
    cell: str | None = None
    item_id: str | None = None
    path: str | None = None  # e.g. "themes[1].key_areas[2].levels" or a CSV column

    def _details(self) -> list[str]:
        parts = []
        if self.sheet:
            parts.append(f"sheet '{self.sheet}'" + (f" cell {self.cell}" if self.cell else ""))
        elif self.cell:
            parts.append(f"cell {self.cell}")
        if self.item_id:
            parts.append(f"item {self.item_id}")
        if self.path:
            parts.append(self.path)
        return parts

    def __str__(self) -> str:
        if self.line is None:
            head = self.file
        else:
            head = f"{self.file}:{self.line}" if self.file else f"line {self.line}"
        parts = ([head] if head else []) + self._details()
        return ": ".join(parts[:1]) + ("" if len(parts) < 2 else ": " + ", ".join(parts[1:]))

    def in_file(self) -> str:
        """Where in its file the problem is ("sheet 'Self-assessment' cell I6, item L1"),
        without the file's name; '' when only the file is known."""
        line = [f"line {self.line}"] if self.line is not None else []
        return ", ".join(line + self._details())


@dataclass(frozen=True, slots=True)
class Problem:
    """One located problem. ``hint`` says what the user should do about it."""

    code: str
    message: str
    location: Location = field(default_factory=Location)
    severity: Severity = Severity.ERROR
    hint: str = ""

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def __str__(self) -> str:
        where = str(self.location)
        text = f"{where}: {self.message}" if where else self.message
        return f"{text} ({self.hint})" if self.hint else text

    def to_dict(self) -> dict:
        data = asdict(self)
        data["severity"] = self.severity.value
        data["location"] = {k: v for k, v in data["location"].items() if v not in (None, "")}
        return data


def errors(problems) -> list[Problem]:
    return [p for p in problems if p.is_error]


def warnings(problems) -> list[Problem]:
    return [p for p in problems if not p.is_error]
