"""How npsxl's problems are catalogued: :class:`ProblemType`, and :func:`problem_type`,
:func:`variant` and :func:`section`, with which the catalogue's tables
(:mod:`npsxl.core.catalogue`) are written. Import the catalogue, not this module, to build a
problem."""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from npsxl.core.problems import Location, Problem, Severity

ERROR = Severity.ERROR
WARNING = Severity.WARNING


@dataclass(frozen=True)
class ProblemType:
    """One kind of problem: call it with a location and the template's fields."""

    code: str
    severity: Severity
    section: str
    meaning: str
    template: str
    hint: str = ""
    example: Mapping[str, object] = field(default_factory=dict)

    @property
    def fields(self) -> tuple[str, ...]:
        """The placeholders of the message template and the hint, in order."""
        names = []
        for text in (self.template, self.hint):
            for _, name, _, _ in string.Formatter().parse(text):
                if name and name not in names:
                    names.append(name)
        return tuple(names)

    def __call__(
        self,
        location: Location | None = None,
        /,
        *,
        severity: Severity | None = None,
        hint: str | None = None,
        **fields: object,
    ) -> Problem:
        """A located problem of this type. ``hint`` replaces the catalogued hint (for a
        more specific instruction); ``severity`` the default one where the caller decides
        (e.g. an incomplete return that the coordinator accepts)."""
        return Problem(
            self.code,
            self.template.format(**fields),
            location if location is not None else Location(),
            severity if severity is not None else self.severity,
            self.hint.format(**fields) if hint is None else hint,
        )

    def example_problem(self) -> Problem:
        """The problem the documentation shows."""
        fields: dict[str, Any] = dict(self.example)
        return self(Location(file="returns/leeds.xlsx"), **fields)


CATALOGUE: dict[str, ProblemType] = {}
"""Every problem type, by code, in the order of the documentation."""

VARIANTS: dict[str, list[ProblemType]] = {}
"""Code -> the other messages of that code (see :func:`variant`), in the order catalogued."""

SECTIONS: dict[str, str] = {}
"""Section title -> what the problems of that section are about."""


def section(title: str, about: str) -> str:
    SECTIONS[title] = about
    return title


def problem_type(
    code: str,
    severity: Severity,
    section_title: str,
    meaning: str,
    template: str,
    hint: str = "",
    **example: object,
) -> ProblemType:
    """Catalogue a problem type (at import of this module only)."""
    if code in CATALOGUE:
        raise ValueError(f"problem code {code!r} is catalogued twice")
    kind = ProblemType(code, severity, section_title, meaning, template, hint, example)
    missing = [name for name in kind.fields if name not in example]
    if missing:
        raise ValueError(f"{code}: the example gives no value for {', '.join(missing)}")
    CATALOGUE[code] = kind
    return kind


def variant(kind: ProblemType, template: str, hint: str | None = None, /, **example: object):
    """Another message of the problem ``kind`` catalogues, where one template cannot say it
    all: the same code, severity, section and meaning; its own template and (unless ``hint``
    is None) its own hint. Documented with ``kind``."""
    other = ProblemType(
        kind.code,
        kind.severity,
        kind.section,
        kind.meaning,
        template,
        kind.hint if hint is None else hint,
        example,
    )
    missing = [name for name in other.fields if name not in example]
    if missing:
        raise ValueError(f"{kind.code}: the example gives no value for {', '.join(missing)}")
    VARIANTS.setdefault(kind.code, []).append(other)
    return other


def every_type() -> list[ProblemType]:
    """Every problem type and every variant, in the order of the documentation."""
    return [other for kind in CATALOGUE.values() for other in (kind, *VARIANTS.get(kind.code, ()))]


def lookup(code: str) -> ProblemType:
    """The problem type of a code; KeyError for a code that is not catalogued."""
    return CATALOGUE[code]
