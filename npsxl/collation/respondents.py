"""Who answered for a council: respondents, their views, and a council's figure from them.

A council may send its **agreed** return and any number of **views**, one per respondent
(:class:`~npsxl.model.answers.ReturnKind`). This module says who a return's respondent is
(:func:`respondent_key`, :func:`respondent_label`), derives a council's figure from its views
when it sent no agreed return (:func:`derive_figure`), and finds where two returns give
different levels (:func:`differing_levels`). Which return counts for what is decided in
:mod:`npsxl.collation.counting`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from npsxl.model.answers import Answer, Respondent, ReturnKind
from npsxl.reading.returns import Return

LEVEL_FIELDS = ("current", "target")
FIELD_NAMES = {"current": "current level", "target": "target level"}


def _folded(value) -> str:
    return " ".join(str(value or "").split()).casefold()


def respondent_key(ret: Return) -> str:
    """Who sent a return: the respondent's email, else name, else role (spaces collapsed,
    case-folded); '' when the return names nobody. Returns of one council with the same
    key (not '') are the same respondent's, so a later one is a resubmission."""
    who = ret.respondent
    for value in (who.email, who.name, who.role):
        key = _folded(value)
        if key:
            return key
    return ""


def respondent_label(number: int, role: str) -> str:
    """How outputs name a respondent without personal data: 'Respondent 2', with the role
    when one is given ('Respondent 2 (Head of Procurement)')."""
    role = " ".join(str(role or "").split())
    return f"Respondent {number}" + (f" ({role})" if role else "")


def lower_median(scores: Sequence[int]) -> int | None:
    """The median of whole scores, the lower of the two middle ones on a tie; None for none."""
    if not scores:
        return None
    ordered = sorted(scores)
    return ordered[(len(ordered) - 1) // 2]


def derive_figure(views: Sequence[Return], scores: Mapping[str, int]) -> Return:
    """A council's figure from its respondents' views (``views`` oldest first; the last is
    the latest): per item and measure, the lower median (:func:`lower_median`) of the
    levels the views gave. ``scores`` maps the level names of the latest view's model to
    their scores. The figure has the latest view's council, model and round; its ``path``
    lists the views' files (``'; '`` separated), its texts are blank, and it is marked as
    a view (it is no agreed return)."""
    latest = views[-1]
    names = {score: name for name, score in scores.items()}
    item_ids = list(dict.fromkeys(i for view in reversed(views) for i in view.answers))
    answers = {}
    for item_id in item_ids:
        given = [view.answers[item_id] for view in views if item_id in view.answers]
        levels = {}
        for field in LEVEL_FIELDS:
            found = [scores[level] for a in given if (level := getattr(a, field)) in scores]
            median = lower_median(found)
            levels[field] = names.get(median) if median is not None else None
        answers[item_id] = Answer(item_id, levels["current"], levels["target"])
    return Return(
        path="; ".join(view.path for view in views),
        council=latest.council,
        council_name=latest.council_name,
        council_code=latest.council_code,
        model_id=latest.model_id,
        model_version=latest.model_version,
        model_fingerprint=latest.model_fingerprint,
        round=latest.round,
        answers=answers,
        respondent=Respondent(date_completed=latest.respondent.date_completed),
        kind=ReturnKind.VIEW,
        item_count=latest.item_count,
    )


def differing_levels(first: Return, second: Return) -> list[str]:
    """Where two returns give different levels: 'L1 (current level)', ... for every item
    and measure both gave a level for, in the first return's order."""
    found = []
    for item_id, answer in first.answers.items():
        other = second.answers.get(item_id)
        if other is None:
            continue
        for field in LEVEL_FIELDS:
            mine, theirs = getattr(answer, field), getattr(other, field)
            if mine is not None and theirs is not None and mine != theirs:
                found.append(f"{item_id} ({FIELD_NAMES[field]})")
    return found
