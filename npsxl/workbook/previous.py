"""What a pre-filled workbook shows of the council's previous return: :class:`Previous`.

:mod:`npsxl.collation.prefill` builds one from a council's latest accepted return, mapped
onto the new model version through the archive's lineage; the writer shows it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from npsxl.model.answers import Answer


@dataclass(frozen=True)
class Previous:
    """A council's previous return, mapped onto the items of a new model version.

    ``answers`` is keyed by the NEW model's item ids: ``current``/``target`` are the
    previous levels (canonical level names of the previous version), ``evidence`` and
    ``actions`` the previous texts; target dates are not carried over. Items that are
    new, or whose previous answer could not be mapped, have no entry. ``notes`` says, one
    sentence each, what a council should know about how its answers were carried over.
    """

    round: str
    model_id: str
    model_version: str
    source_file: str
    answers: dict[str, Answer] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """``2024`` or, without a round, ``previous``: as in 'your 2024 return'."""
        return self.round or "previous"
