"""Collate returned self-assessments into a returns log, tidy answers, summaries and trends.

:func:`npsxl.collation.run.collate` reads every input file once (through a reader callable,
by default :func:`npsxl.reading.reader.read_return`), decides which returns count, and
builds pandas frames:

* the **returns log**: one row per input file, whatever became of it;
* the **answers**: one row per council counted in the latest round per item of the model
  version it answered (blank answers included);
* **summaries**: per group, item, measure (current or target) and level, the count and
  percent of councils, for the nation, each region, each council type and any extra
  register column;
* **trends**: with returns from two rounds, each council's movement per item between them.

A return counts when the reader accepted it and it is the most recent accepted return
for its council in its round (by the date completed, then the file's modification time);
older ones of the same round are *superseded* and never double counted. Returns of
different rounds are never duplicates of each other.

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
:mod:`npsxl.collation.frames` (the frames), this module (the :class:`Collation`: who
counted, rounds, versions, groupings, coverage), :mod:`npsxl.collation.statistics` (its
figures), :mod:`npsxl.collation.trends` (its trends) and :mod:`npsxl.report.csv_data` (the
CSV files). This module is a little over 400 lines because what the Collation itself
answers (who counted, the rounds, the versions, the groupings, the coverage) is one class's,
which its figures and trends build on.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from npsxl.collation.columns import (
    ALL_COUNCILS,
    ALL_REGIONS,
    COUNTED,
    NATIONAL,
    NO_COUNCIL,
    NOT_GIVEN,
    RESPONSE_COLUMNS,
    SUPERSEDED,
)
from npsxl.collation.counting import (
    Versions,
    code_of,
    counted_states,
    round_of,
    version_key,
    version_label,
)
from npsxl.collation.frames import answers_frame, comparable_frames, log_frame
from npsxl.collation.statistics import CollationFigures
from npsxl.collation.trends import CollationTrends
from npsxl.model.archive import ModelArchive
from npsxl.model.lineage import Mapping
from npsxl.model.model import Model
from npsxl.model.register import (
    COUNCIL_TYPES,
    REGIONS,
    STANDARD_GROUPINGS,
    Council,
    Register,
    check_group_by,
)
from npsxl.model.rounds import in_round_order, latest_round, round_key
from npsxl.reading.returns import Return


def _order(values: Iterable[str], preferred: Sequence[str] = ()) -> list[str]:
    """Distinct values: those in ``preferred`` in that order, the rest sorted, 'Not given' last."""
    present = set(values)
    rank = {value: i for i, value in enumerate(preferred)}
    known = sorted((v for v in present if v in rank), key=rank.__getitem__)
    rest = sorted(v for v in present if v not in rank and v != NOT_GIVEN)
    return known + rest + ([NOT_GIVEN] if NOT_GIVEN in present else [])


def _label(value: str) -> str:
    return value if value else NOT_GIVEN


# --- the collation ------------------------------------------------------------------------------
@dataclass
class Collation(CollationFigures, CollationTrends):
    """Everything collated from one batch of returns, with summaries computed on demand.

    ``returns`` holds every input exactly once, in input order, and ``log`` one row for
    each. ``answers`` holds one row per council counted in the latest round per item of
    the model version it answered. ``comparable`` holds the counted answers of every round
    under current-model item ids (:data:`COMPARABLE_COLUMNS`), ``per_version`` those that
    map onto no current item; :attr:`pooled` is ``comparable`` for the latest round, the
    basis of every summary.
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
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self):
        if self.comparable is None or self.per_version is None:
            states = self.log["counted"].tolist()
            versions = Versions(self.model, self.archive)
            self.comparable, self.per_version = comparable_frames(versions, self.returns, states)

    # -- who counted ---------------------------------------------------------------------------
    @property
    def counted(self) -> list[Return]:
        """The returns that count, in every round: accepted, and the most recent for their
        council in their round."""
        if "counted" not in self._cache:
            states = self.log["counted"].tolist()
            self._cache["counted"] = [
                r for r, state in zip(self.returns, states, strict=True) if state == COUNTED
            ]
        return list(self._cache["counted"])

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
        groups = _order(universe | set(pd.unique(labels)), preferred)
        return pd.Categorical(labels, categories=groups).codes.astype("int64"), groups

    @staticmethod
    def group_type(by: str | None) -> str:
        return NATIONAL if by is None else by

    # -- coverage ------------------------------------------------------------------------------
    def in_latest_round(self, ret: Return) -> bool:
        """Whether a file belongs to the latest round's figures: an accepted return of that
        round, or a rejected file of that round, a later one or no known round."""
        latest = self.latest_round
        if ret.accepted:
            return round_of(ret) == latest
        return not round_of(ret) or round_key(round_of(ret)) >= round_key(latest)

    def not_returned(self) -> list[Council]:
        """Councils in the register with no accepted return in the latest round, in register
        order."""
        if self.register is None:
            return []
        latest = self.latest_round
        covered = {
            code_of(r).casefold() for r in self.returns if r.accepted and round_of(r) == latest
        }
        return [c for c in self.register if c.code.casefold() not in covered]

    def response(self) -> pd.DataFrame:
        """Per region, for the latest round: councils expected (register), files received
        naming a council in the region, accepted, rejected and superseded files, councils
        counted, and the response rate (% of expected councils counted). Files naming no
        register council form a row of their own; the last row is the total."""
        expected = Counter(c.region for c in self.register) if self.register is not None else {}
        tallies: dict[str, Counter] = {}
        for ret, state in zip(self.returns, self.log["counted"], strict=True):
            if not self.in_latest_round(ret):
                continue
            region = ret.council.region if ret.council is not None else NO_COUNCIL
            tally = tallies.setdefault(region, Counter())
            tally["received"] += 1
            tally["accepted" if ret.accepted else "rejected"] += 1
            tally["superseded"] += state == SUPERSEDED
            tally["councils"] += state == COUNTED
        regions = _order(set(expected) | (set(tallies) - {NO_COUNCIL}), REGIONS)
        regions += [NO_COUNCIL] if NO_COUNCIL in tallies else []
        rows = []
        for region in regions:
            tally = tallies.get(region, Counter())
            rows.append(_response_row(region, expected.get(region, 0), tally))
        total = sum(tallies.values(), Counter())
        rows.append(_response_row(ALL_REGIONS, sum(expected.values()), total))
        return pd.DataFrame.from_records(rows, columns=list(RESPONSE_COLUMNS))

    def summary_text(self) -> str:
        """One paragraph: files read, accepted, rejected, superseded, councils covered/missing
        (in the latest round, named when known), and the earlier rounds."""
        states = Counter(self.log["counted"])
        accepted = sum(1 for r in self.returns if r.accepted)
        warned = sum(1 for r in self.returns if r.accepted and r.problems)
        files = len(self.returns)
        rounds = self.rounds
        several = len(rounds) > 1
        text = (
            f"Read {files} file{'s' if files != 1 else ''}: {accepted} accepted"
            f" ({warned} with warnings), {files - accepted} rejected"
        )
        if states[SUPERSEDED]:
            text += (
                f", {states[SUPERSEDED]} superseded by a more recent return from the same council"
            )
            text += " in the same round" if several else ""
        latest = self.latest_round
        councils = rounds.get(latest, 0)
        text += f". Round {latest}: " if latest else ". "
        text += f"{councils} council{'s' if councils != 1 else ''} covered"
        if self.register is not None:
            missing = len(self.not_returned())
            text += (
                f" of {len(self.register)} in the register; {missing} "
                f"council{'s' if missing != 1 else ''} with no accepted return"
                f"{' in that round' if several else ''}."
            )
        else:
            text += " (no register given)."
        if several:
            earlier = [
                f"{r or 'round not known'} ({n} council{'s' if n != 1 else ''})"
                for r, n in rounds.items()
                if r != latest
            ]
            text += f" Earlier rounds: {', '.join(earlier)}."
        return text


def _response_row(region: str, expected: int, tally: Counter) -> tuple:
    councils = tally["councils"]
    rate = round(100.0 * councils / expected, 1) if expected else math.nan
    return (
        region,
        expected,
        tally["received"],
        tally["accepted"],
        tally["rejected"],
        tally["superseded"],
        councils,
        rate,
    )


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
    states = counted_states(returns)
    versions = Versions(model, archive)
    counted = [r for r, state in zip(returns, states, strict=True) if state == COUNTED]
    latest = latest_round(round_of(r) for r in counted)
    comparable, per_version = comparable_frames(versions, returns, states)
    return Collation(
        model=model,
        register=register,
        returns=returns,
        log=log_frame(returns, states),
        answers=answers_frame(versions, [r for r in counted if round_of(r) == latest]),
        superseded=[r for r, state in zip(returns, states, strict=True) if state == SUPERSEDED],
        collated_at=collated_at
        or dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
        group_by=group_by,
        archive=archive,
        comparable=comparable,
        per_version=per_version,
    )
