"""What the reader makes of one returned file: :class:`Return`, with its answers and problems."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from npsxl.core.catalogue import ProblemType
from npsxl.core.problems import Location, Problem
from npsxl.model.answers import Answer, Respondent, ReturnKind, SignOff
from npsxl.model.register import Council


class Status(str, Enum):
    """What became of a returned file; the values are what JSON output and CSVs carry.

    (``enum.StrEnum`` would do, but it needs Python 3.11 and npsxl supports 3.10.)"""

    ACCEPTED = "accepted"
    ACCEPTED_WITH_WARNINGS = "accepted with warnings"
    REJECTED = "rejected"

    def __str__(self) -> str:
        return self.value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)


@dataclass
class Return:
    """One returned workbook as read: identity, model, answers per item, and every problem.

    ``answers`` has one :class:`Answer` per item of the model that was found; levels are
    canonical level names. ``council`` is the register's council when a register was given
    and the workbook's council was found in it.
    """

    path: str
    format: str = ""
    council_name: str = ""
    council_code: str = ""
    council: Council | None = None
    model_id: str = ""
    model_version: str = ""
    model_fingerprint: str = ""
    round: str = ""  # the assessment round, e.g. "2026"; from the workbook, else the year completed
    answers: dict[str, Answer] = field(default_factory=dict)
    respondent: Respondent = field(default_factory=Respondent)
    kind: ReturnKind = ReturnKind.AGREED  # the council's agreed return, or one respondent's view
    comments: str = ""  # the overall comments box: untrusted text, kept as text
    sign_off: SignOff = field(default_factory=SignOff)  # who approved it, their role, when
    item_count: int = 0
    problems: list[Problem] = field(default_factory=list)

    def report(
        self,
        kind: ProblemType,
        place: dict | None = None,
        /,
        *,
        item_id: str | None = None,
        **fields,
    ) -> None:
        """Add a problem of catalogued ``kind`` in this file, at ``place`` (its ``sheet`` and
        ``cell``) and ``item_id``, which also fills the template's ``{item_id}``."""
        location = Location(file=self.path, item_id=item_id, **(place or {}))
        self.problems.append(kind(location, item_id=item_id, **fields))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]

    @property
    def status(self) -> Status:
        if self.errors:
            return Status.REJECTED
        return Status.ACCEPTED_WITH_WARNINGS if self.problems else Status.ACCEPTED

    @property
    def accepted(self) -> bool:
        return not self.errors

    @property
    def complete_count(self) -> int:
        return sum(1 for a in self.answers.values() if a.complete)

    def to_dict(self) -> dict:
        """A JSON-ready view: path, status, council, model, answers, problems."""
        return {
            "path": self.path,
            "format": self.format,
            "status": self.status,
            "council": {
                "name": self.council.name if self.council else self.council_name,
                "code": self.council.code if self.council else self.council_code,
                "region": self.council.region if self.council else "",
                "council_type": self.council.council_type if self.council else "",
            },
            "model": {
                "id": self.model_id,
                "version": self.model_version,
                "fingerprint": self.model_fingerprint,
            },
            "round": self.round,
            "kind": self.kind.value,
            "complete": self.complete_count,
            "items": self.item_count,
            "respondent": {
                "name": self.respondent.name,
                "role": self.respondent.role,
                "email": self.respondent.email,
                "date_completed": _iso(self.respondent.date_completed),
            },
            "comments": self.comments,
            "sign_off": {
                "approved_by": self.sign_off.name,
                "role": self.sign_off.role,
                "date": _iso(self.sign_off.date),
            },
            "answers": [
                {
                    "item_id": a.item_id,
                    "current": a.current,
                    "target": a.target,
                    "evidence": a.evidence,
                    "actions": a.actions,
                    "target_date": _iso(a.target_date),
                }
                for a in self.answers.values()
            ],
            "problems": [p.to_dict() for p in self.problems],
        }


def _iso(value) -> str | None:
    if value is None or value == "":
        return None
    return value.isoformat() if hasattr(value, "isoformat") else str(value)
