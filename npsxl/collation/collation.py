"""Collate returned self-assessments into a returns log, tidy answers, summaries and trends.

:func:`npsxl.collation.run.collate` reads every input file once (through a reader callable,
by default :func:`npsxl.reading.reader.read_return`), decides which returns count, and
builds pandas frames:

* the **returns log**: one row per input file, whatever became of it;
* the **answers**: one row per council counted in the latest round per item of the model
  version it answered (blank answers included): its *figure*, each council once;
* **summaries**: per group, item, measure (current or target) and level, the count and
  percent of councils, for the nation, each region, each council type and any extra
  register column;
* **trends**: with returns from two rounds, each council's movement per item between them;
* **respondents**: every counted return's answers, and the spread of views inside each
  council that sent several.

What counts (:mod:`npsxl.collation.counting`): per council and round, its latest agreed
return is its figure; its respondents' views (the latest of each respondent) add the
spread inside it, and give its figure (their lower median, per item and measure) when it
sent no agreed return. Earlier returns of the same council (agreed) or respondent (views)
are *superseded* and never double counted; agreed returns that disagree are flagged.
Returns of different rounds are never duplicates of each other. A return with items left
blank counts for the items it answers.

**Rounds.** Every figure except the trends is for the *latest round*: the latest round
among the counted returns, in the natural order of :func:`npsxl.model.rounds.round_key`
("2026-2" before "2026-10"; an unknown round, ``""``, comes first). With one round, as
before, that is every counted return.

**Model versions.** Returns made with an older model version are mapped onto the current
model through the archive's lineage (:meth:`npsxl.model.archive.ModelArchive.mapping`): an old
item whose lineage is comparable (unchanged, renamed, text changed, split) counts under
every current item it became, a split item's parts each inheriting the old level. Old
items that are not comparable (removed, merged), and every item of a version with no
lineage to the current model, are summarised per version only (``version_only`` and the
``model_version`` rows of summary.csv): they never appear under a current item, and never
as zeros. Items added since a return's version are summarised over the returns that have
them.

Where the pieces live: :mod:`npsxl.collation.columns` (the tidy data's columns),
:mod:`npsxl.collation.counting` (which returns count, model versions),
:mod:`npsxl.collation.respondents` (who a respondent is, a figure from views),
:mod:`npsxl.collation.frames` (the frames), this module (the :class:`Collation`),
:mod:`npsxl.collation.base` (its fields; who counted, rounds, versions, groupings),
:mod:`npsxl.collation.statistics` (its figures),
:mod:`npsxl.collation.trends` (its trends), :mod:`npsxl.collation.coverage` (response, the
chase list, the summary line), :mod:`npsxl.collation.within` (respondents and the spread),
:mod:`npsxl.collation.support` (each council's gaps to its own targets, for planning
support) and :mod:`npsxl.report.csv_data` (the CSV files).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from npsxl.collation.columns import (
    SUPERSEDED,
)
from npsxl.collation.counting import (
    Versions,
    count_returns,
    round_of,
)
from npsxl.collation.coverage import CollationCoverage
from npsxl.collation.frames import answers_frame, comparable_frames, log_frame
from npsxl.collation.statistics import CollationFigures
from npsxl.collation.support import CollationSupport
from npsxl.collation.trends import CollationTrends
from npsxl.collation.within import CollationRespondents
from npsxl.model.archive import ModelArchive
from npsxl.model.model import Model
from npsxl.model.register import (
    Register,
    check_group_by,
)
from npsxl.model.rounds import latest_round
from npsxl.reading.returns import Return


# --- the collation ------------------------------------------------------------------------------
@dataclass
class Collation(
    CollationFigures, CollationTrends, CollationRespondents, CollationCoverage, CollationSupport
):
    """Everything collated from one batch of returns, with summaries computed on demand.

    ``returns`` holds every input exactly once, in input order, and ``log`` one row for
    each. ``counting`` says what each file counts for and holds the council figures (one
    per council and round: its agreed return, or a figure derived from its respondents'
    views; see :mod:`npsxl.collation.counting`). ``answers`` holds one row per council
    figure of the latest round per item of the model version it answered. ``comparable``
    holds the figures' answers of every round under current-model item ids
    (:data:`COMPARABLE_COLUMNS`), ``per_version`` those that map onto no current item;
    :attr:`pooled` is ``comparable`` for the latest round, the basis of every summary.
    """


# --- entry points -------------------------------------------------------------------------------
def collate_returns(
    returns: Sequence[Return],
    model: Model,
    register: Register | None = None,
    group_by: Sequence[str] = (),
    collated_at: str | None = None,
    archive: ModelArchive | None = None,
) -> Collation:
    """Build a :class:`Collation` from returns already read (one per input file).

    ``model`` is the current (newest) model; ``archive`` knows the older versions and their
    lineage. Without it, returns of another version are reported per version only.
    """
    group_by = check_group_by(group_by, register)
    returns = list(returns)
    versions = Versions(model, archive)
    counting = count_returns(returns, versions)
    figures = counting.figures
    latest = latest_round(round_of(r) for r in figures)
    comparable, per_version = comparable_frames(versions, figures)
    states = counting.states
    return Collation(
        model=model,
        register=register,
        returns=returns,
        log=log_frame(returns, counting, versions),
        answers=answers_frame(
            versions, counting, [i for i, r in enumerate(figures) if round_of(r) == latest]
        ),
        superseded=[r for r, state in zip(returns, states, strict=True) if state == SUPERSEDED],
        collated_at=collated_at
        or dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
        group_by=group_by,
        archive=archive,
        comparable=comparable,
        per_version=per_version,
        counting=counting,
    )
