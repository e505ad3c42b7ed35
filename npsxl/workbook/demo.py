"""Synthetic returns for demos, samples and benchmarks: seeded, plausible, some faulty."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from pathlib import Path

from npsxl.model.answers import Answer, Respondent
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


def respondent_for(council: Council, rng: random.Random) -> Respondent:
    first = rng.choice(("Sam", "Alex", "Priya", "Tom", "Aisha", "Chris", "Jo", "Ravi"))
    role = rng.choice(("Head of Procurement", "Procurement Manager", "Commercial Lead"))
    slug = safe_filename(council.short_name or council.name).lower()
    day = dt.date(2026, 10, 1) + dt.timedelta(days=rng.randint(0, 50))
    return Respondent(
        f"{first} {rng.choice(('Patel', 'Smith', 'Jones', 'Khan'))}",
        role,
        f"procurement@{slug}.gov.uk",
        day,
    )


@dataclass
class SyntheticSet:
    """What :func:`make_returns` wrote: the filled returns, the faulty files, who is missing."""

    returns: list[Path] = field(default_factory=list)
    faulty: list[Path] = field(default_factory=list)
    missing: list[Council] = field(default_factory=list)


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
) -> SyntheticSet:
    """Write one filled return per council (a share left out as 'not returned'), plus a few
    faulty files: an incomplete return, one with an unknown level, and a file that is not a
    workbook. Deterministic for a given seed."""
    rng = random.Random(seed)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    result = SyntheticSet()
    councils = list(councils)
    for council in councils:
        if rng.random() < missing_share:
            result.missing.append(council)
            continue
        path = out_dir / f"{safe_filename(council.code)}-{safe_filename(council.name)}.xlsx"
        _write_return(model, path, council, rng, generated_at, round=round)
        result.returns.append(path)
    if faulty and result.returns:
        result.faulty = _faulty_files(model, councils, out_dir, rng, generated_at, faulty)
    return result


def _write_return(model, path, council, rng, generated_at, *, answers=None, round="") -> None:
    """A filled return for ``council``: ``answers`` (drawn from ``rng`` if None), then a
    respondent drawn from ``rng``, in that order so a seed always gives the same files."""
    if answers is None:
        answers = synthetic_answers(model, rng)
    respondent = respondent_for(council, rng)
    build_workbook(
        model,
        path,
        council,
        answers=answers,
        respondent=respondent,
        generated_at=generated_at,
        round=round,
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
    if count >= 1:  # a council that stopped half way
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
