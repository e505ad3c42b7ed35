"""Every kind of problem npsxl reports, in one place: :data:`CATALOGUE`.

Each :class:`ProblemType` has a code, a default severity, what it means, a message template
and a what-to-do hint. Every problem npsxl reports is built from one of them::

    from npsxl.core import catalogue as P

    P.UNKNOWN_LEVEL(Location(file=path, sheet=..., cell=...), field="current level",
                    item_id="L1", value="Very good", allowed="Minimum, ...")

The codes are a public contract: ``npsxl validate --format json`` prints them and
returns.csv lists them, so a code is never renamed, reused or removed. ``docs/problems.md``
is generated from this module (``python -m npsxl.core.catalogue > docs/problems.md``) and a
test fails when it is stale, when a module builds a :class:`~npsxl.core.problems.Problem`
without the catalogue, or when a code is used that is not catalogued.

Templates are :meth:`str.format` strings; ``example`` gives values for each placeholder, so
the documentation shows a real message.
"""

from __future__ import annotations

import string
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field

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
        return self(Location(file="returns/leeds.xlsx"), **self.example)


CATALOGUE: dict[str, ProblemType] = {}
"""Every problem type, by code, in the order of the documentation."""

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


def lookup(code: str) -> ProblemType:
    """The problem type of a code; KeyError for a code that is not catalogued."""
    return CATALOGUE[code]


# The problem types follow, section by section, in the order of the documentation.
# Each section is kept by the layer it names; add new types at the end of their section.

# --- the model file ---------------------------------------------------------------------------
MODEL = section(
    "The model file", "Problems in model.yaml (or another model file), by file and line."
)

# --- the model archive and lineage ------------------------------------------------------------
ARCHIVE = section(
    "The model archive and lineage",
    "Problems across published model versions and the lineage between them.",
)

# --- the council register ---------------------------------------------------------------------
REGISTER = section(
    "The council register", "Problems in a council register CSV, by line and column."
)

# --- checking a returned file before it is parsed ---------------------------------------------
FILE = section(
    "Checking a returned file",
    "What the preflight finds before any spreadsheet parser sees a file: its real format, "
    "its size, damage and hostile content.",
)

# --- reading the answers ----------------------------------------------------------------------
READING = section(
    "Reading the answers",
    "What the reader finds in a returned workbook: the council, the model, the answers, and "
    "edits that make them doubtful.",
)

# --- reading many files -----------------------------------------------------------------------
BATCH = section(
    "Reading many files",
    "A file that stops or outlasts the process reading it, in a batch.",
)

# --- collating --------------------------------------------------------------------------------
COLLATION = section(
    "Collating returns",
    "What collating finds across returns: duplicates, disagreements, partial returns.",
)


# --- the documentation ------------------------------------------------------------------------
def render_markdown() -> str:
    """docs/problems.md: every code with its severity, meaning, an example and what to do."""
    lines = [
        "# Problems npsxl reports",
        "",
        "Generated from `npsxl/core/catalogue.py` by "
        "`python -m npsxl.core.catalogue > docs/problems.md`; do not edit by hand.",
        "",
        "Every problem has a **code** (stable: `npsxl validate --format json` and returns.csv "
        "carry it, and codes are never renamed or reused), a **severity** (an *error* rejects "
        "the file or the input; a *warning* is reported and the input is still used), a "
        "**location** (file, and line, sheet, cell or item where known), a message and what "
        "to do.",
        "",
    ]
    for title, about in SECTIONS.items():
        kinds = [kind for kind in CATALOGUE.values() if kind.section == title]
        if not kinds:
            continue
        lines += [
            f"## {title}",
            "",
            about,
            "",
            "| code | severity | meaning |",
            "| --- | --- | --- |",
        ]
        lines += [f"| [`{k.code}`](#{k.code}) | {k.severity} | {k.meaning} |" for k in kinds]
        lines.append("")
        for kind in kinds:
            example = kind.example_problem()
            lines += [f"### `{kind.code}`", "", f"{kind.severity}: {kind.meaning}", ""]
            lines += [f"Example: {example.message}", ""]
            if example.hint:
                lines += [f"What to do: {example.hint}", ""]
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    sys.stdout.write(render_markdown())
