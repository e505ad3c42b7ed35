"""Assessment rounds: what a round label may be, and which round comes after which.

A council assesses itself in rounds ("2024", "2026", "2026-27", "2026-2"), named by a short
label written into its workbook. :func:`assessment_round` checks a label (this year when
none is given). Rounds are ordered naturally (:func:`round_key`): the numbers in a label
compare as numbers, so "2026-2" comes before "2026-10" and "2024" before "2026"; an unknown
round, ``""``, comes first. Collating (which round is the latest, which the previous one)
and pre-filling (each council's latest return) both order rounds by this key.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from npsxl.core.errors import NpsxlError
from npsxl.core.ordering import natural_key

ROUND_MAX_LENGTH = 40
_UNUSABLE = re.compile(r"[\x00-\x1f\x7f\ufffe\uffff]")


def default_round() -> str:
    """The assessment round when none is given: this year, e.g. ``"2026"``."""
    return str(dt.date.today().year)


def assessment_round(value: str | int | None = "") -> str:
    """``value`` as an assessment round: trimmed, this year when empty.

    Raises :class:`npsxl.core.errors.NpsxlError` for control characters or more than
    :data:`ROUND_MAX_LENGTH` characters (it is shown in a line on the Start here sheet).
    """
    text = "" if value is None else str(value).strip()
    if not text:
        return default_round()
    if _UNUSABLE.search(text) or len(text) > ROUND_MAX_LENGTH:
        raise NpsxlError(
            f"the assessment round {text[:60]!r} is not usable: give a short label such as "
            f"2026 or 2026-27 (at most {ROUND_MAX_LENGTH} characters, on one line)"
        )
    return text


def round_key(label: str) -> tuple:
    """The sort key of a round label, in natural order (:func:`npsxl.core.ordering.natural_key`):
    "2024" < "2026" < "2026-2" < "2026-10" < "2026-27" < "2027"; ``""`` (an unknown round)
    comes first."""
    return natural_key(label)


def in_round_order(labels: Iterable[str]) -> list[str]:
    """``labels`` sorted from the earliest round to the latest (see :func:`round_key`)."""
    return sorted(labels, key=round_key)


def latest_round(labels: Iterable[str]) -> str:
    """The latest round among ``labels`` (see :func:`round_key`); ``""`` when there is none."""
    return max(labels, key=round_key, default="")
