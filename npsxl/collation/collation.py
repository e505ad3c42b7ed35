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
:mod:`npsxl.collation.frames` (the frames), this module (the :class:`Collation`: who
counted, rounds, versions, groupings), :mod:`npsxl.collation.statistics` (its figures),
:mod:`npsxl.collation.trends` (its trends), :mod:`npsxl.collation.coverage` (response, the
chase list, the summary line), :mod:`npsxl.collation.within` (respondents and the spread),
:mod:`npsxl.collation.support` (each council's gaps to its own targets, for planning
support) and :mod:`npsxl.report.csv_data` (the CSV files).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from npsxl.collation.columns import (
    ALL_COUNCILS,
    NATIONAL,
    NOT_GIVEN,
    SUPERSEDED,
)
from npsxl.collation.counting import (
    Counting,
    Versions,
    code_of,
    count_returns,
    round_of,
    version_key,
    version_label,
)
from npsxl.collation.coverage import CollationCoverage, display_order
from npsxl.collation.frames import answers_frame, comparable_frames, log_frame
from npsxl.collation.statistics import CollationFigures
from npsxl.collation.support import CollationSupport
from npsxl.collation.trends import CollationTrends
from npsxl.collation.within import CollationRespondents
from npsxl.core.problems import Problem
from npsxl.model.archive import ModelArchive
from npsxl.model.lineage import Mapping
from npsxl.model.model import Model
from npsxl.model.register import (
    COUNCIL_TYPES,
    REGIONS,
    STANDARD_GROUPINGS,
    Register,
    check_group_by,
)
from npsxl.model.rounds import in_round_order, latest_round, round_key
from npsxl.reading.returns import Return


def _label(value: str) -> str:
    return value if value else NOT_GIVEN


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

    model: Model
    register: Register | None
    returns: list[Return]
    log: pd.DataFrame
    answers: pd.DataFrame
    superseded: list[Return]
    collated_at: str
    group_by: tuple[str, ...] = ()
    archive: ModelArchive | None = None
    comparable: pd.DataFrame | None = None
    per_version: pd.DataFrame | None = None
    counting: Counting | None = None
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self):
        if self.counting is None:
            self.counting = count_returns(self.returns, self._versions)
        if self.comparable is None or self.per_version is None:
            self.comparable, self.per_version = comparable_frames(
                self._versions, self.counting.figures
            )

    # -- who counted ---------------------------------------------------------------------------
    @property
    def counted(self) -> list[Return]:
        """The council figures, in every round: one per council and round, its agreed return
        or the figure derived from its respondents' views (a Return whose ``path`` lists
        the views' files)."""
        return list(self.counting.figures)

    @property
    def collation_problems(self) -> list[list[Problem]]:
        """What collating found about each input file (in input order): agreed returns that
        disagree, views that name no respondent. The returns log lists them too."""
        return self.counting.problems

    @property
    def rounds(self) -> dict[str, int]:
        """Round -> councils counted in it, in round order ('' is an unknown round)."""
        if "rounds" not in self._cache:
            counts = Counter(round_of(r) for r in self.counted)
            self._cache["rounds"] = {r: counts[r] for r in in_round_order(counts)}
        return dict(self._cache["rounds"])

    @property
    def latest_round(self) -> str:
        """The latest round among the counted returns (:func:`~npsxl.model.rounds.round_key`):
        every summary is for this round."""
        if "latest_round" not in self._cache:
            self._cache["latest_round"] = latest_round(self.rounds)
        return self._cache["latest_round"]

    @property
    def previous_round(self) -> str | None:
        """The round before the latest among the counted returns, or None (no trends)."""
        known = [r for r in self.rounds if r]
        return known[-2] if len(known) >= 2 else None

    @property
    def latest(self) -> list[Return]:
        """The counted returns of the latest round."""
        latest = self.latest_round
        return [r for r in self.counted if round_of(r) == latest]

    @property
    def model_versions(self) -> dict[str, int]:
        """'id version' -> counted returns (every round) made with it, sorted by version."""
        counts = Counter(version_label(*self._versions.key(r)) for r in self.counted)
        return dict(sorted(counts.items(), key=lambda kv: version_key(kv[0])))

    def versions_by_round(self) -> pd.DataFrame:
        """Counted returns per round and model version: round, model_version, returns."""
        versions = self._versions
        counts = Counter((round_of(r), version_label(*versions.key(r))) for r in self.counted)
        rows = sorted(counts.items(), key=lambda kv: (round_key(kv[0][0]), version_key(kv[0][1])))
        return pd.DataFrame(
            [(rnd, label, n) for (rnd, label), n in rows],
            columns=["round", "model_version", "returns"],
        )

    def version_mappings(self) -> dict[str, dict[str, Mapping] | None]:
        """For each model version among the counted returns other than the current one:
        old item id -> :class:`~npsxl.model.lineage.Mapping` onto the current model, or None when
        the version has no lineage to the current model (or is not in the archive)."""
        if "mappings" not in self._cache:
            versions = self._versions
            result = {}
            for ret in self.counted:
                key = versions.key(ret)
                label = version_label(*key)
                if key != versions.current and label not in result:
                    result[label] = versions.resolve(key)[1]
            self._cache["mappings"] = dict(
                sorted(result.items(), key=lambda kv: version_key(kv[0]))
            )
        return dict(self._cache["mappings"])

    def version_model(self, label: str) -> Model | None:
        """The model of a version label among the counted returns, when known."""
        versions = self._versions
        for ret in self.counted:
            key = versions.key(ret)
            if version_label(*key) == label:
                return versions.resolve(key)[0]
        return None

    @property
    def _versions(self) -> Versions:
        if "versions" not in self._cache:
            self._cache["versions"] = Versions(self.model, self.archive)
        return self._cache["versions"]

    @property
    def item_ids(self) -> list[str]:
        return [item.id for item in self.model.items]

    def groupings(self) -> list[str | None]:
        """The groupings summarised: None (national), region, council type, then ``group_by``."""
        return [None, *STANDARD_GROUPINGS, *self.group_by]

    def _latest_rows(self, frame: pd.DataFrame) -> pd.DataFrame:
        return frame[frame["round"].to_numpy(dtype=object) == self.latest_round].reset_index(
            drop=True
        )

    @property
    def pooled(self) -> pd.DataFrame:
        """The latest round's counted answers under current-model item ids (the basis of every
        summary): a return of an older version contributes through its comparable lineage."""
        if "pooled" not in self._cache:
            self._cache["pooled"] = self._latest_rows(self.comparable)
        return self._cache["pooled"]

    # -- grouping ------------------------------------------------------------------------------
    def groups(self, by: str | None) -> list[str]:
        """The groups of a grouping, in display order: every value in the register or data."""
        return self._grouping(by)[1]

    def _grouping(self, by: str | None) -> tuple[np.ndarray, list[str]]:
        """(index into the groups for each pooled row, ordered groups), computed once."""
        key = ("grouping", by)
        if key not in self._cache:
            self._cache[key] = self._make_grouping(self.pooled, by)
        return self._cache[key]

    def _make_grouping(self, frame: pd.DataFrame, by: str | None) -> tuple[np.ndarray, list[str]]:
        if by is None:
            return np.zeros(len(frame), dtype="int64"), [ALL_COUNCILS]
        councils = list(self.register) if self.register is not None else []
        if by in STANDARD_GROUPINGS:
            values = frame[by].to_numpy(dtype=object, na_value="")
            universe = {_label(getattr(c, by)) for c in councils}
            preferred = REGIONS if by == "region" else COUNCIL_TYPES
        else:
            check_group_by([by], self.register)
            by_code = {code_of(r): r.council.extra.get(by, "") for r in self.counted if r.council}
            codes = frame["council_code"].to_numpy(dtype=object, na_value="")
            values = np.array([by_code.get(code, "") for code in codes], dtype=object)
            universe = {_label(c.extra.get(by, "")) for c in councils}
            preferred = ()
        labels = np.where(values == "", NOT_GIVEN, values)
        groups = display_order(universe | set(pd.unique(labels)), preferred)
        return pd.Categorical(labels, categories=groups).codes.astype("int64"), groups

    @staticmethod
    def group_type(by: str | None) -> str:
        return NATIONAL if by is None else by


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
