"""What a council answers: levels and texts per item, and who answered."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class Respondent:
    name: str = ""
    role: str = ""
    email: str = ""
    date_completed: dt.date | str | None = None
