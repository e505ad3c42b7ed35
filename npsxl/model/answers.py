"""What a council answers: levels and texts per item, and who answered."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum


@dataclass(frozen=True, slots=True)
class Answer:
    """One item's answers. Levels are canonical level names (or None when not given)."""

    item_id: str
    current: str | None = None
    target: str | None = None
    evidence: str = ""
    actions: str = ""
    target_date: dt.date | str | None = None

    @property
    def complete(self) -> bool:
        return self.current is not None and self.target is not None


@dataclass(frozen=True, slots=True)
class Respondent:
    name: str = ""
    role: str = ""
    email: str = ""
    date_completed: dt.date | str | None = None


@dataclass(frozen=True, slots=True)
class SignOff:
    """Who approved a return (their name is personal data, like a respondent's), their
    role, and when."""

    name: str = ""
    role: str = ""
    date: dt.date | str | None = None


class ReturnKind(str, Enum):
    """What kind of return a workbook is, as the council says on its Start here sheet.

    ``AGREED``: the council's agreed (consolidated) return, its figure in every summary.
    ``VIEW``: one respondent's own view; views add the spread of opinion inside a council,
    and give the council's figure only when it sent no agreed return.
    """

    AGREED = "agreed"
    VIEW = "view"

    def __str__(self) -> str:
        return self.value
