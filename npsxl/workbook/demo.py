"""Synthetic returns for demos, samples and benchmarks: seeded, plausible, some faulty."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field, replace
from pathlib import Path

from npsxl.model.answers import Answer, Respondent, ReturnKind, SignOff
from npsxl.model.model import Model
from npsxl.model.register import Council, Register
from npsxl.workbook.generation import safe_filename
from npsxl.workbook.layout import item_input_name
from npsxl.workbook.writer import build_workbook

# How likely each current level is for a council (Minimum .. Innovator): most are developing
# or mature, few are innovators.
CURRENT_WEIGHTS = (0.12, 0.34, 0.34, 0.15, 0.05)
EVIDENCE = (
    "Procurement strategy approved by cabinet; quarterly reports to scrutiny.",
    "Contract register published; category plans for the top 20 contracts.",
    "Social value policy adopted, with TOMs used in all tenders over £100k.",
    "Joint working with neighbouring councils through the regional hub.",
    "Training plan for commissioners; two staff studying for CIPS.",
)
ACTIONS = (
    "Extend the approach to all directorates by next year.",
    "Introduce supplier relationship management for strategic suppliers.",
    "Report progress to the leadership team twice a year.",
    "Pilot an innovation partnership with the combined authority.",
)


def synthetic_answers(
    model: Model, rng: random.Random, missing_items: int = 0
) -> dict[str, Answer]:
    """Plausible answers: a spread of current levels, targets mostly at or above current."""
    answers = {}
    top = len(model.levels)
    leave_out = set(rng.sample([i.id for i in model.items], k=missing_items))
    for item in model.items:
        if item.id in leave_out:
            continue
        current = rng.choices(range(1, top + 1), weights=CURRENT_WEIGHTS[:top])[0]
        step = rng.choices((-1, 0, 1, 2), weights=(0.01, 0.32, 0.5, 0.17))[0]
        target = min(top, max(1, current + step))
        answers[item.id] = Answer(
            item.id,
            model.levels[current - 1].name,
            model.levels[target - 1].name,
            rng.choice(EVIDENCE),
            rng.choice(ACTIONS),
            dt.date(2027 + rng.randint(0, 2), rng.choice((3, 9)), 30),
        )
    return answers


FIRST_NAMES = ("Sam", "Alex", "Priya", "Tom", "Aisha", "Chris", "Jo", "Ravi")
SURNAMES = ("Patel", "Smith", "Jones", "Khan")
ROLES = ("Head of Procurement", "Procurement Manager", "Commercial Lead")
VIEW_ROLES = ("Finance Business Partner", "Contracts Manager", "Social Value Officer")


def respondent_for(council: Council, rng: random.Random) -> Respondent:
    first = rng.choice(FIRST_NAMES)
    role = rng.choice(ROLES)
    slug = safe_filename(council.short_name or council.name).lower()
    day = dt.date(2026, 10, 1) + dt.timedelta(days=rng.randint(0, 50))
    return Respondent(f"{first} {rng.choice(SURNAMES)}", role, f"procurement@{slug}.gov.uk", day)


def view_of(model: Model, answers: dict[str, Answer], rng: random.Random) -> dict[str, Answer]:
    """One respondent's view of a council's answers: each level moved by a step or two
    now and then (within the levels; a target never below the current level)."""
    top = len(model.levels)
    score = {level.name: level.score for level in model.levels}
    view = {}
    for item_id, answer in answers.items():
        if answer.current is None or answer.target is None:  # synthetic answers have both
            raise ValueError(f"{item_id}: a view is of answers with both levels")
        step = rng.choices((-2, -1, 0, 1, 2), weights=(0.05, 0.2, 0.5, 0.2, 0.05))[0]
        current = min(top, max(1, score[answer.current] + step))
        target = min(top, max(current, score[answer.target] + step))
        view[item_id] = replace(
            answer, current=model.levels[current - 1].name, target=model.levels[target - 1].name
        )
    return view


@dataclass
class SyntheticSet:
    """What :func:`make_returns` wrote: the filled returns (agreed returns and respondents'
    views), the faulty files, the councils left out (two of them send a faulty file
    instead); ``views`` are the returns that are one respondent's view."""

    returns: list[Path] = field(default_factory=list)
    faulty: list[Path] = field(default_factory=list)
    missing: list[Council] = field(default_factory=list)
    views: list[Path] = field(default_factory=list)


def make_returns(
    model: Model,
    councils: list[Council] | Register,
    out_dir: str | Path,
    *,
    seed: int = 2018,
    missing_share: float = 0.1,
    faulty: int = 3,
    generated_at: str = "2026-10-01T09:00:00+00:00",
    round: str = "",
    respondents: int = 1,
    agreed_share: float = 0.5,
) -> SyntheticSet:
    """Write one filled return per council (a share left out as 'not returned'), plus a few
    faulty files: a return a council stopped half way (it counts for what it answers),
    one with an unknown level, and a file that is not a workbook. The first two are from
    councils that sent nothing else, when there are any. Deterministic for a given seed.

    With ``respondents`` above 1, each council sends that many respondents' views (each
    a variation on the council's answers, from a different officer) and, for a share
    ``agreed_share`` of the councils, its agreed return as well."""
    rng = random.Random(seed)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    result = SyntheticSet()
    councils = list(councils)
    for council in councils:
        if rng.random() < missing_share:
            result.missing.append(council)
            continue
        stem = f"{safe_filename(council.code)}-{safe_filename(council.name)}"
        if respondents <= 1:
            _write_return(model, out_dir / f"{stem}.xlsx", council, rng, generated_at, round=round)
            result.returns.append(out_dir / f"{stem}.xlsx")
            continue
        answers = synthetic_answers(model, rng)
        for number in range(1, respondents + 1):
            path = out_dir / f"{stem}-view-{number}.xlsx"
            who = _officer(council, rng, number)
            _write_return(
                model,
                path,
                council,
                rng,
                generated_at,
                answers=view_of(model, answers, rng),
                respondent=who,
                round=round,
                kind=ReturnKind.VIEW,
            )
            result.returns.append(path)
            result.views.append(path)
        if rng.random() < agreed_share:
            path = out_dir / f"{stem}-agreed.xlsx"
            who = replace(respondent_for(council, rng), date_completed=dt.date(2026, 11, 30))
            _write_return(
                model,
                path,
                council,
                rng,
                generated_at,
                answers=answers,
                respondent=who,
                round=round,
                kind=ReturnKind.AGREED,
            )
            result.returns.append(path)
    if faulty and result.returns:
        chase = result.missing or councils
        result.faulty = _faulty_files(model, chase, out_dir, rng, generated_at, faulty)
    return result


def _officer(council: Council, rng: random.Random, number: int) -> Respondent:
    """A respondent of their own (name, role and email their own) for a council's view."""
    first = FIRST_NAMES[(number - 1) % len(FIRST_NAMES)]
    surname = rng.choice(SURNAMES)
    slug = safe_filename(council.short_name or council.name).lower()
    day = dt.date(2026, 10, 1) + dt.timedelta(days=rng.randint(0, 50))
    role = VIEW_ROLES[(number - 1) % len(VIEW_ROLES)]
    return Respondent(f"{first} {surname}", role, f"{first}.{surname}@{slug}.gov.uk".lower(), day)


def _write_return(
    model,
    path,
    council,
    rng,
    generated_at,
    *,
    answers=None,
    respondent=None,
    round="",
    kind=None,
) -> None:
    """A filled return for ``council``: ``answers`` (drawn from ``rng`` if None), then a
    respondent drawn from ``rng`` (if None), in that order so a seed always gives the same
    files. ``kind`` fills in 'This return is' (left blank when None); an agreed return is
    signed off by the council's director of finance on the day it was completed."""
    if answers is None:
        answers = synthetic_answers(model, rng)
    if respondent is None:
        respondent = respondent_for(council, rng)
    sign_off = None
    if kind is ReturnKind.AGREED:
        pick = sum(map(ord, council.code))  # not from rng: a seed gives the files it gave
        approver = f"{FIRST_NAMES[pick % len(FIRST_NAMES)]} {SURNAMES[pick % len(SURNAMES)]}"
        sign_off = SignOff(approver, "Director of Finance", respondent.date_completed)
    build_workbook(
        model,
        path,
        council,
        answers=answers,
        respondent=respondent,
        generated_at=generated_at,
        round=round,
        kind=kind,
        sign_off=sign_off,
    )


def _type_over(path: Path, defined_name: str, value: str) -> None:
    """Type a value into a named cell, as a council would in their spreadsheet app."""
    import openpyxl

    book = openpyxl.load_workbook(path)
    sheet, cell = next(iter(book.defined_names[defined_name].destinations))
    book[sheet][cell.replace("$", "")] = value
    book.save(path)


def _faulty_files(model, councils, out_dir, rng, generated_at, count) -> list[Path]:
    made = []
    first = councils[0]
    if count >= 1:  # a council that stopped half way: it counts for what it answered
        path = out_dir / f"{safe_filename(first.code)}-draft-incomplete.xlsx"
        answers = synthetic_answers(model, rng, missing_items=5)
        _write_return(model, path, first, rng, generated_at, answers=answers)
        made.append(path)
    if count >= 2:  # a level typed by hand that is not a level
        council = councils[min(1, len(councils) - 1)]
        path = out_dir / f"{safe_filename(council.code)}-unknown-level.xlsx"
        _write_return(model, path, council, rng, generated_at)
        _type_over(path, item_input_name(model.items[0].id, "current"), "Very good")
        made.append(path)
    if count >= 3:  # an export that is not a workbook at all
        path = out_dir / "assessment-export.xlsx"
        path.write_text("council,item,current\nSomewhere,L1,Mature\n", encoding="utf-8")
        made.append(path)
    return made
