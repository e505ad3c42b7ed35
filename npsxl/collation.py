"""Collate returned self-assessments into a returns log, tidy answers, summaries and trends.

:func:`npsxl.batch.collate` reads every input file once (through a reader callable, by default
:func:`npsxl.reader.read_return`), decides which returns count, and builds pandas frames:

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

**Rounds.** Every figure except the trends is for the *latest round*: the greatest round
among the counted returns (rounds compare as text; an unknown round, ``""``, comes first).
With one round, as before, that is every counted return.

**Model versions.** Returns made with an older model version are mapped onto the current
model through the archive's lineage (:meth:`npsxl.archive.ModelArchive.mapping`): an old
item whose lineage is comparable (unchanged, renamed, text changed, split) counts under
every current item it became, a split item's parts each inheriting the old level. Old
items that are not comparable (removed, merged), and every item of a version with no
lineage to the current model, are summarised per version only (``version_only`` and the
``model_version`` rows of summary.csv): they never appear under a current item, and never
as zeros. Items added since a return's version are summarised over the returns that have
them. :func:`write_data` writes the frames as CSV.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import os
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .archive import ModelArchive
from .atomic import atomic_path
from .errors import OutputError
from .lineage import Mapping
from .model import ENABLER, ENABLERS_GROUP_NAME, Item, Model
from .register import COUNCIL_TYPES, REGIONS, STANDARD_GROUPINGS, Council, Register, check_group_by
from .returns import Return

RETURNS_CSV = "returns.csv"
ANSWERS_CSV = "answers.csv"
SUMMARY_CSV = "summary.csv"
TRENDS_CSV = "trends.csv"

RETURNS_COLUMNS = (
    "source_file",
    "status",
    "council_code",
    "council_name",
    "region",
    "council_type",
    "model_id",
    "model_version",
    "complete",
    "items",
    "counted",
    "problems",
    "errors",
    "warnings",
    "round",
)
ANSWERS_COLUMNS = (
    "council_code",
    "council_name",
    "region",
    "council_type",
    "model_id",
    "model_version",
    "item_id",
    "item_name",
    "item_kind",
    "theme",
    "current_level",
    "current_score",
    "target_level",
    "target_score",
    "gap",
    "evidence",
    "actions",
    "target_date",
    "source_file",
)
SUMMARY_COLUMNS = ("group_type", "group", "item_id", "measure", "level", "count", "percent")
ITEM_STATS_COLUMNS = (
    "group_type",
    "group",
    "item_id",
    "item_name",
    "theme",
    "n",
    "n_current",
    "n_target",
    "median_current",
    "mean_current",
    "median_target",
    "mean_target",
    "mean_gap",
    "n_aiming_higher",
)
RESPONSE_COLUMNS = (
    "region",
    "expected",
    "received",
    "accepted",
    "rejected",
    "superseded",
    "councils",
    "response_rate",
)
LEVEL_MEANS_COLUMNS = (
    "group_type",
    "group",
    "councils",
    "answers",
    "mean_current",
    "mean_target",
    "mean_gap",
)
# The counted answers of every round under current-model item ids (see Collation.comparable);
# per_version has the same columns, with the answered (old) item id in item_id.
COMPARABLE_COLUMNS = (
    "return_index",
    "council_code",
    "council_name",
    "region",
    "council_type",
    "round",
    "model_id",
    "model_version",
    "item_id",
    "source_item_id",
    "change",
    "current_level",
    "current_score",
    "target_level",
    "target_score",
    "gap",
)
VERSION_ONLY_COLUMNS = (
    "model_version",
    "item_id",
    "item_name",
    "change",
    "n",
    "n_current",
    "median_current",
    "mean_current",
    "n_target",
    "median_target",
    "mean_target",
)
TRENDS_COLUMNS = (
    "council_code",
    "council_name",
    "region",
    "council_type",
    "item_id",
    "item_name",
    "previous_round",
    "previous_model_version",
    "previous_item_id",
    "previous_level",
    "previous_score",
    "latest_round",
    "latest_model_version",
    "latest_level",
    "latest_score",
    "movement",
)
MOVEMENT_COLUMNS = (
    "group_type",
    "group",
    "item_id",
    "item_name",
    "councils",
    "compared",
    "up",
    "same",
    "down",
    "not_comparable",
    "share_up",
)

SCORE_COLUMNS = ("current_score", "target_score", "gap")
MEASURES = ("current", "target")
NATIONAL = "national"
MODEL_VERSION = "model_version"
ALL_COUNCILS = "All councils"
ALL_REGIONS = "All regions"
NOT_GIVEN = "Not given"
NO_COUNCIL = "Council not identified"
ALL_ITEMS = "ALL ITEMS"  # the item id of movement()'s all-items rows: never a model item id
ALL_ITEMS_NAME = "All key areas and enablers"

COUNTED = "yes"
SUPERSEDED = "superseded"
NOT_COUNTED = "rejected"

UP, SAME, DOWN, NOT_COMPARABLE = "up", "same", "down", "not comparable"
MOVEMENTS = (UP, SAME, DOWN, NOT_COMPARABLE, "")
NO_LINEAGE = "no lineage"  # the change of an item whose version has no lineage to the model


# --- which returns count ------------------------------------------------------------------------
def _code(ret: Return) -> str:
    return ret.council.code if ret.council is not None else ret.council_code


def _name(ret: Return) -> str:
    return ret.council.name if ret.council is not None else ret.council_name


def _council_key(ret: Return) -> str:
    return (_code(ret) or _name(ret)).strip().casefold()


def _as_date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value.strip():
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def _mtime(path: str) -> float:
    try:
        return os.stat(path).st_mtime
    except OSError:
        return 0.0


def _recency(ret: Return, index: int) -> tuple:
    """Sort key: date completed (missing = oldest), then file modification time, then order."""
    return (_as_date(ret.respondent.date_completed) or dt.date.min, _mtime(ret.path), index)


def _round(ret: Return) -> str:
    return (ret.round or "").strip()


def counted_states(returns: Sequence[Return]) -> list[str]:
    """For each return: 'yes' (counted), 'superseded' or 'rejected'.

    Of several accepted returns naming the same council in the same round, only the most
    recent counts; returns of different rounds never supersede each other.
    """
    by_council: dict[tuple[str, str], list[int]] = {}
    for index, ret in enumerate(returns):
        if ret.accepted:
            by_council.setdefault((_council_key(ret), _round(ret)), []).append(index)
    states = [NOT_COUNTED] * len(returns)
    for indices in by_council.values():
        latest = indices[0]
        if len(indices) > 1:
            latest = max(indices, key=lambda i: _recency(returns[i], i))
        for index in indices:
            states[index] = COUNTED if index == latest else SUPERSEDED
    return states


def version_label(model_id: str, version: str) -> str:
    """'nps-2018 1.0.0': how a model version is named in summaries and the workbook."""
    return f"{model_id} {version}".strip()


def version_key(label: str) -> tuple:
    """Sort key for version labels: numbers compare as numbers ('1.10' after '1.9')."""
    parts = re.split(r"(\d+)", label)
    return tuple((0, int(p), "") if i % 2 else (1, 0, p) for i, p in enumerate(parts))


# --- model versions -----------------------------------------------------------------------------
class _Versions:
    """Each return's own model and its mapping onto the current model, worked out once."""

    def __init__(self, model: Model, archive: ModelArchive | None):
        self.model = model
        self.archive = archive
        self.current = (model.id, model.version)
        self._cache: dict[tuple[str, str], tuple[Model | None, dict[str, Mapping] | None]] = {}
        self._plans: dict[tuple[str, str], _Plan] = {}
        self._scores: dict[tuple[str, str], dict[str, int]] = {}

    def key(self, ret: Return) -> tuple[str, str]:
        """(model id, version) of a return; a return naming no model is taken as current."""
        if not ret.model_id and not ret.model_version:
            return self.current
        return (ret.model_id, ret.model_version)

    def resolve(self, key: tuple[str, str]) -> tuple[Model | None, dict[str, Mapping] | None]:
        """(the version's model or None when unknown, old id -> Mapping or None)."""
        if key not in self._cache:
            self._cache[key] = self._resolve(key)
        return self._cache[key]

    def _resolve(self, key):
        if key == self.current:
            identity = {i.id: Mapping(i.id, (i.id,), "unchanged", True) for i in self.model.items}
            return self.model, identity
        if self.archive is None:
            return None, None
        old = self.archive.find(*key)
        if old is None:
            return None, None
        mapping = self.archive.mapping(old, self.model)
        if mapping is None:
            return old, None
        known = {i.id for i in self.model.items}
        kept = {}
        for old_id, step in mapping.items():
            new_ids = tuple(i for i in step.new_ids if i in known)
            kept[old_id] = Mapping(old_id, new_ids, step.change, step.comparable and bool(new_ids))
        return old, kept

    def items(self, ret: Return) -> list[tuple[str, Item | None]]:
        """(item id, Item or None) for every item of the return's model, in model order.

        For a model the collation does not know, the items the return answered."""
        own, _ = self.resolve(self.key(ret))
        if own is None:
            return [(item_id, None) for item_id in ret.answers]
        return [(item.id, item) for item in own.items]

    def scores(self, ret: Return) -> dict[str, int]:
        key = self.key(ret)
        if key not in self._scores:
            own, _ = self.resolve(key)
            self._scores[key] = {level.name: level.score for level in (own or self.model).levels}
        return self._scores[key]

    def plan(self, ret: Return) -> _Plan:
        """:meth:`items` as columns, with the rows each item gives in the comparable and
        per-version frames; worked out once per model version."""
        key = self.key(ret)
        own, _ = self.resolve(key)
        if own is None:  # an unknown model: the items this return answered
            return _Plan(self.items(ret), None)
        if key not in self._plans:
            self._plans[key] = _Plan(self.items(ret), self.resolve(key)[1])
        return self._plans[key]


class _Plan:
    """The rows one return of a model version gives, as columns: ``ids``, ``names``,
    ``kinds`` and ``themes`` per item of its model (the answers frame); ``pooled``, rows of
    the comparable frame as (item index, current item id, change), and ``apart``, rows of
    the per-version frame as (item index, item name, change)."""

    def __init__(self, items: list[tuple[str, Item | None]], mapping: dict[str, Mapping] | None):
        self.ids = [item_id for item_id, _ in items]
        self.names = [item.name if item else "" for _, item in items]
        self.kinds = [item.kind if item else "" for _, item in items]
        self.themes = [item_theme(item) if item else "" for _, item in items]
        self.pooled: list[tuple[int, str, str]] = []
        self.apart: list[tuple[int, str, str]] = []
        for index, (item_id, item) in enumerate(items):
            step = mapping.get(item_id) if mapping is not None else None
            if step is not None and step.comparable:
                self.pooled += [(index, new_id, step.change) for new_id in step.new_ids]
            else:
                change = step.change if step is not None else NO_LINEAGE
                self.apart.append((index, item.name if item else "", change))
        # each current item at most once per return; else the comparable frame is deduplicated
        self.unique = len({new_id for _, new_id, _ in self.pooled}) == len(self.pooled)


# --- frames -------------------------------------------------------------------------------------
def _iso(value) -> str:
    if value is None or value == "":
        return ""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _attributes(ret: Return) -> tuple[str, str]:
    """(region, council_type) from the register's council, or empty without one."""
    council = ret.council
    return (council.region, council.council_type) if council is not None else ("", "")


def _log_frame(returns: Sequence[Return], states: Sequence[str]) -> pd.DataFrame:
    rows = []
    for ret, state in zip(returns, states, strict=True):
        region, council_type = _attributes(ret)
        errors = sum(1 for p in ret.problems if p.is_error)
        rows.append(
            (
                ret.path,
                ret.status,
                _code(ret),
                _name(ret),
                region,
                council_type,
                ret.model_id,
                ret.model_version,
                ret.complete_count,
                ret.item_count,
                state,
                "; ".join(str(p) for p in ret.problems),
                errors,
                len(ret.problems) - errors,
                _round(ret),
            )
        )
    return pd.DataFrame.from_records(rows, columns=list(RETURNS_COLUMNS))


def _columns_frame(data: dict[str, list], integers: Iterable[str] = ()) -> pd.DataFrame:
    """A frame from column lists (emptied on the way, so they are not all held twice):
    scores as Int64, ``integers`` as int64, the rest as strings where they are strings."""
    integers = set(integers)
    frame = {}
    for name in list(data):
        column = data.pop(name)
        if name in SCORE_COLUMNS:
            frame[name] = pd.array(column, dtype="Int64")
        elif name in integers:
            frame[name] = np.array(column, dtype="int64")
        else:
            frame[name] = pd.Series(column, dtype=object).infer_objects()
    return pd.DataFrame(frame)


class _Dates:
    """ISO text of target dates, worked out once per date (thousands of answers share a few)."""

    def __init__(self):
        self.done: dict = {}

    def __call__(self, value) -> str:
        if value.__class__ is not dt.date:
            return _iso(value)
        text = self.done.get(value)
        if text is None:
            text = self.done[value] = _iso(value)
        return text


def _levels(
    ret: Return, ids: list[str], scores: dict[str, int]
) -> tuple[list, list, list, list, list, list]:
    """(answers, current, current score, target, target score, gap) per item id."""
    got = ret.answers.get
    answers = [got(item_id) for item_id in ids]
    current = [a.current if a else None for a in answers]
    target = [a.target if a else None for a in answers]
    current_scores = [scores.get(level) for level in current]
    target_scores = [scores.get(level) for level in target]
    gaps = [
        t - c if c is not None and t is not None else None
        for c, t in zip(current_scores, target_scores, strict=True)
    ]
    return answers, current, current_scores, target, target_scores, gaps


def _answers_frame(versions: _Versions, counted: Sequence[Return]) -> pd.DataFrame:
    """One row per return per item of its own model version, built column by column (a
    return's values repeat over its rows) so no row tuples are ever made."""
    data: dict[str, list] = {name: [] for name in ANSWERS_COLUMNS}
    col = data.__getitem__
    iso = _Dates()
    for ret in counted:
        region, council_type = _attributes(ret)
        model_id, version = versions.key(ret)
        plan = versions.plan(ret)
        k = len(plan.ids)
        for name, value in (
            ("council_code", _code(ret)),
            ("council_name", _name(ret)),
            ("region", region),
            ("council_type", council_type),
            ("model_id", model_id),
            ("model_version", version),
            ("source_file", ret.path),
        ):
            col(name).extend([value] * k)
        col("item_id").extend(plan.ids)
        col("item_name").extend(plan.names)
        col("item_kind").extend(plan.kinds)
        col("theme").extend(plan.themes)
        answers, current, current_scores, target, target_scores, gaps = _levels(
            ret, plan.ids, versions.scores(ret)
        )
        col("current_level").extend(current)
        col("current_score").extend(current_scores)
        col("target_level").extend(target)
        col("target_score").extend(target_scores)
        col("gap").extend(gaps)
        col("evidence").extend([a.evidence if a else "" for a in answers])
        col("actions").extend([a.actions if a else "" for a in answers])
        col("target_date").extend([iso(a.target_date) if a else "" for a in answers])
    return _columns_frame(data)


def _comparable_frames(
    versions: _Versions, returns: Sequence[Return], states: Sequence[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(comparable, per_version) rows for every counted return of every round.

    comparable: one row per return per current-model item it has an answer for through a
    comparable lineage (a split old item gives one row per part). per_version: one row per
    return per item of its own version that maps onto no current item comparably.
    """
    heads = ("return_index", "council_code", "council_name", "region", "council_type")
    heads += ("round", "model_id", "model_version")
    tails = ("current_level", "current_score", "target_level", "target_score", "gap")
    pooled: dict[str, list] = {name: [] for name in COMPARABLE_COLUMNS}
    apart_columns = list(COMPARABLE_COLUMNS)
    apart_columns[apart_columns.index("source_item_id")] = "item_name"
    apart: dict[str, list] = {name: [] for name in apart_columns}
    unique = True
    for index, (ret, state) in enumerate(zip(returns, states, strict=True)):
        if state != COUNTED:
            continue
        region, council_type = _attributes(ret)
        key = versions.key(ret)
        plan = versions.plan(ret)
        unique = unique and plan.unique
        head = (index, _code(ret), _name(ret), region, council_type, _round(ret), *key)
        values = _levels(ret, plan.ids, versions.scores(ret))[1:]
        for rows, data in ((plan.pooled, pooled), (plan.apart, apart)):
            if not rows:
                continue
            for name, value in zip(heads, head, strict=True):
                data[name].extend([value] * len(rows))
            picks = [i for i, _, _ in rows]
            if data is pooled:
                data["item_id"].extend([new_id for _, new_id, _ in rows])
                data["source_item_id"].extend([plan.ids[i] for i in picks])
            else:
                data["item_id"].extend([plan.ids[i] for i in picks])
                data["item_name"].extend([name for _, name, _ in rows])
            data["change"].extend([change for _, _, change in rows])
            for name, column in zip(tails, values, strict=True):
                data[name].extend([column[i] for i in picks])
    comparable = _columns_frame(pooled, ("return_index",))
    if not unique:
        comparable = comparable.drop_duplicates(["return_index", "item_id"], ignore_index=True)
    return comparable, _columns_frame(apart, ("return_index",))


def _order(values: Iterable[str], preferred: Sequence[str] = ()) -> list[str]:
    """Distinct values: those in ``preferred`` in that order, the rest sorted, 'Not given' last."""
    present = set(values)
    rank = {value: i for i, value in enumerate(preferred)}
    known = sorted((v for v in present if v in rank), key=rank.__getitem__)
    rest = sorted(v for v in present if v not in rank and v != NOT_GIVEN)
    return known + rest + ([NOT_GIVEN] if NOT_GIVEN in present else [])


def _label(value: str) -> str:
    return value if value else NOT_GIVEN


def item_theme(item: Item) -> str:
    """The item's theme name; 'Enablers' for an enabler."""
    return ENABLERS_GROUP_NAME if item.kind == ENABLER else item.group_name


# --- the collation ------------------------------------------------------------------------------
def _count_mean(cells: np.ndarray, size: int, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(count, mean) of the values given (not NaN) in each of ``size`` cells, where
    ``cells[i]`` is the cell of ``values[i]``; the mean is NaN for a cell with none.

    With :func:`_median`, the figures of a pandas groupby in a few numpy calls: a groupby
    costs milliseconds per call, and the summary workbook asks for a dozen. (Scores are
    whole numbers, so every sum is exact and the figures are pandas' to the last bit.)
    """
    given = ~np.isnan(values)
    count = np.bincount(cells[given], minlength=size)
    total = np.bincount(cells[given], weights=values[given], minlength=size)
    return count, np.divide(total, count, out=np.full(size, np.nan), where=count > 0)


def _median(cells: np.ndarray, size: int, values: np.ndarray) -> np.ndarray:
    """The median of the values given in each cell, as :func:`_count_mean` (NaN for none)."""
    given = ~np.isnan(values)
    cells, values = cells[given], values[given]
    count = np.bincount(cells, minlength=size)
    ordered = values[np.lexsort((values, cells))]  # by cell, then by value
    start = np.cumsum(count) - count
    has = count > 0
    low = ordered[(start + (count - 1) // 2)[has]]
    high = ordered[(start + count // 2)[has]]
    median = np.full(size, np.nan)
    median[has] = (low + high) / 2
    return median


def _level_stats(
    cells: np.ndarray, size: int, current: np.ndarray, target: np.ndarray
) -> dict[str, np.ndarray]:
    """Per cell: councils (rows, ``n``), answers given, and median and mean of the current
    and target scores (float, NaN when not given). Both the item stats and the version-only
    table use it; each selects its own column order."""
    stats = {"n": np.bincount(cells, minlength=size)}
    for measure, scores in (("current", current), ("target", target)):
        stats[f"n_{measure}"], stats[f"mean_{measure}"] = _count_mean(cells, size, scores)
        stats[f"median_{measure}"] = _median(cells, size, scores)
    return stats


@dataclass
class Collation:
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
            versions = _Versions(self.model, self.archive)
            self.comparable, self.per_version = _comparable_frames(versions, self.returns, states)

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
            counts = Counter(_round(r) for r in self.counted)
            self._cache["rounds"] = dict(sorted(counts.items()))
        return dict(self._cache["rounds"])

    @property
    def latest_round(self) -> str:
        """The greatest round among the counted returns: every summary is for this round."""
        if "latest_round" not in self._cache:
            self._cache["latest_round"] = max(self.rounds, default="")
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
        return [r for r in self.counted if _round(r) == latest]

    @property
    def model_versions(self) -> dict[str, int]:
        """'id version' -> counted returns (every round) made with it, sorted by version."""
        counts = Counter(version_label(*self._versions.key(r)) for r in self.counted)
        return dict(sorted(counts.items(), key=lambda kv: version_key(kv[0])))

    def versions_by_round(self) -> pd.DataFrame:
        """Counted returns per round and model version: round, model_version, returns."""
        versions = self._versions
        counts = Counter((_round(r), version_label(*versions.key(r))) for r in self.counted)
        rows = sorted(counts.items(), key=lambda kv: (kv[0][0], version_key(kv[0][1])))
        return pd.DataFrame(
            [(rnd, label, n) for (rnd, label), n in rows],
            columns=["round", "model_version", "returns"],
        )

    def version_mappings(self) -> dict[str, dict[str, Mapping] | None]:
        """For each model version among the counted returns other than the current one:
        old item id -> :class:`~npsxl.lineage.Mapping` onto the current model, or None when
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
    def _versions(self) -> _Versions:
        if "versions" not in self._cache:
            self._cache["versions"] = _Versions(self.model, self.archive)
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
            by_code = {_code(r): r.council.extra.get(by, "") for r in self.counted if r.council}
            codes = frame["council_code"].to_numpy(dtype=object, na_value="")
            values = np.array([by_code.get(code, "") for code in codes], dtype=object)
            universe = {_label(c.extra.get(by, "")) for c in councils}
            preferred = ()
        labels = np.where(values == "", NOT_GIVEN, values)
        groups = _order(universe | set(pd.unique(labels)), preferred)
        return pd.Categorical(labels, categories=groups).codes.astype("int64"), groups

    def _codes(self, column: str, categories: Sequence[str]) -> np.ndarray:
        """Index of each pooled row's value in ``categories`` (-1 when blank), computed once."""
        key = ("codes", column)
        if key not in self._cache:
            values = self.pooled[column].to_numpy(dtype=object, na_value=None)
            codes = pd.Categorical(values, categories=list(categories)).codes
            self._cache[key] = codes.astype("int64")
        return self._cache[key]

    @staticmethod
    def group_type(by: str | None) -> str:
        return NATIONAL if by is None else by

    # -- summaries -----------------------------------------------------------------------------
    def summary(self, by: str | None = None) -> pd.DataFrame:
        """Counts and percents of councils per group, item, measure and level (summary.csv).

        ``by``: None (national, one group 'All councils'), 'region', 'council_type', or an
        extra register column. Every level of every current-model item appears, with zero
        counts. ``percent`` is of the councils in the group that gave that measure for that
        item (0 when none did). Latest round, pooled across model versions. Computed once
        per grouping (the workbook and summary.csv both use it).
        """
        key = ("summary", by)
        if key not in self._cache:
            self._cache[key] = self._make_summary(by)
        return self._cache[key]

    def _make_summary(self, by: str | None) -> pd.DataFrame:
        groups_of, groups = self._grouping(by)
        items_of = self._codes("item_id", self.item_ids)
        levels = list(self.model.level_names)
        shape = (len(groups), len(self.item_ids), len(levels))
        counts = np.zeros((*shape[:2], len(MEASURES), shape[2]), dtype="int64")
        for m, measure in enumerate(MEASURES):
            levels_of = self._codes(f"{measure}_level", levels)
            given = (levels_of >= 0) & (items_of >= 0)
            flat = np.ravel_multi_index(
                (groups_of[given], items_of[given], levels_of[given]), shape
            )
            counts[:, :, m, :] = np.bincount(flat, minlength=int(np.prod(shape))).reshape(shape)
        denominators = counts.sum(axis=3, keepdims=True)
        percent = np.round(100.0 * counts / np.maximum(denominators, 1), 1)
        index = pd.MultiIndex.from_product(
            [groups, self.item_ids, list(MEASURES), levels],
            names=["group", "item_id", "measure", "level"],
        )
        result = index.to_frame(index=False)
        result.insert(0, "group_type", self.group_type(by))
        result["count"] = counts.ravel()
        result["percent"] = np.where(denominators > 0, percent, 0.0).ravel()
        return result[list(SUMMARY_COLUMNS)]

    def version_summary(self) -> pd.DataFrame:
        """summary.csv rows for the items only in an older model version (latest round):
        group_type 'model_version', group 'id version', the old item id, every level of that
        version. Empty when every answer maps onto a current item."""
        frame = self._latest_rows(self.per_version)
        if frame.empty:
            return pd.DataFrame(columns=list(SUMMARY_COLUMNS))
        labels = [
            version_label(i, v)
            for i, v in zip(frame["model_id"], frame["model_version"], strict=True)
        ]
        frame = frame.assign(version=labels)
        parts = []
        for label in sorted(set(labels), key=version_key):
            rows = frame[frame["version"] == label]
            own = self.version_model(label)
            levels = list((own or self.model).level_names)
            items = list(dict.fromkeys(rows["item_id"]))
            for measure in MEASURES:
                counts = (
                    rows.groupby(["item_id", f"{measure}_level"])
                    .size()
                    .reindex(pd.MultiIndex.from_product([items, levels]), fill_value=0)
                    .to_numpy()
                    .reshape(len(items), len(levels))
                )
                totals = counts.sum(axis=1, keepdims=True)
                percent = np.where(
                    totals > 0, np.round(100.0 * counts / np.maximum(totals, 1), 1), 0.0
                )
                part = pd.MultiIndex.from_product(
                    [items, [measure], levels], names=["item_id", "measure", "level"]
                ).to_frame(index=False)
                part.insert(0, "group", label)
                part.insert(0, "group_type", MODEL_VERSION)
                part["count"] = counts.ravel()
                part["percent"] = percent.ravel()
                parts.append(part)
        result = pd.concat(parts, ignore_index=True)
        order = {item: i for i, item in enumerate(dict.fromkeys(result["item_id"]))}
        result = result.assign(
            _v=[version_key(g) for g in result["group"]],
            _i=result["item_id"].map(order),
            _m=result["measure"].map(MEASURES.index),
        )
        result = result.sort_values(["_v", "_i", "_m"], kind="stable")
        return result[list(SUMMARY_COLUMNS)].reset_index(drop=True)

    def summaries(self) -> pd.DataFrame:
        """National, region, council type and every ``group_by`` summary, one after another,
        then the per-version rows of items only in older versions (summary.csv)."""
        frames = [self.summary(by) for by in self.groupings()]
        extra = self.version_summary()
        if not extra.empty:
            frames.append(extra)
        return pd.concat(frames, ignore_index=True)

    @property
    def version_only(self) -> pd.DataFrame:
        """Per older model version and item that maps onto no current item comparably
        (removed, merged, or the version has no lineage), latest round: councils (n), how
        many gave current/target, median and mean of each (:data:`VERSION_ONLY_COLUMNS`)."""
        if "version_only" in self._cache:
            return self._cache["version_only"]
        frame = self._latest_rows(self.per_version)
        if frame.empty:
            result = pd.DataFrame(columns=list(VERSION_ONLY_COLUMNS))
        else:
            scores = frame[["current_score", "target_score"]].astype("float64")
            labels = [
                version_label(i, v)
                for i, v in zip(frame["model_id"], frame["model_version"], strict=True)
            ]
            # cells in order of first appearance, as groupby(sort=False) orders its groups
            keys = pd.MultiIndex.from_arrays([labels, frame["item_id"]])
            cells, cell_keys = keys.factorize()
            first = np.unique(cells, return_index=True)[1]
            result = pd.DataFrame(
                {
                    "model_version": cell_keys.get_level_values(0),
                    "item_id": cell_keys.get_level_values(1),
                    "item_name": frame["item_name"].to_numpy()[first],
                    "change": frame["change"].to_numpy()[first],
                    **_level_stats(
                        cells,
                        len(cell_keys),
                        scores["current_score"].to_numpy(),
                        scores["target_score"].to_numpy(),
                    ),
                }
            )
            result = result.iloc[
                sorted(range(len(result)), key=lambda i: version_key(result["model_version"][i]))
            ].reset_index(drop=True)
            result = result[list(VERSION_ONLY_COLUMNS)]
        self._cache["version_only"] = result
        return result

    def _score_arrays(self) -> dict[str, np.ndarray]:
        """The pooled rows' current and target scores and gap, as floats (NaN: not given)."""
        if "score_arrays" not in self._cache:
            columns = {"current": "current_score", "target": "target_score", "gap": "gap"}
            self._cache["score_arrays"] = {
                name: self.pooled[column].astype("float64").to_numpy()
                for name, column in columns.items()
            }
        return self._cache["score_arrays"]

    def item_stats(self, by: str | None = None) -> pd.DataFrame:
        """Per group and item: councils (n), how many gave current/target, median and mean of
        current and target, mean gap (target - current, where both given) and how many
        councils aim higher than they stand. Groups with no councils have n = 0 and blanks."""
        groups_of, groups = self._grouping(by)
        items_of = self._codes("item_id", self.item_ids)
        known = items_of >= 0
        n_items = len(self.item_ids)
        size = len(groups) * n_items
        cells = (groups_of * n_items + items_of)[known]
        scores = {name: values[known] for name, values in self._score_arrays().items()}
        stats = _level_stats(cells, size, scores["current"], scores["target"])
        items = list(self.model.items)
        result = pd.DataFrame(
            {
                "group_type": self.group_type(by),
                "group": pd.Series(np.repeat(groups, n_items), dtype=object),
                "item_id": pd.Series(self.item_ids * len(groups), dtype=object),
                "item_name": [item.name for item in items] * len(groups),
                "theme": [item_theme(item) for item in items] * len(groups),
                **stats,
                "mean_gap": _count_mean(cells, size, scores["gap"])[1],
                "n_aiming_higher": np.bincount(cells[scores["gap"] > 0], minlength=size),
            }
        )
        return result[list(ITEM_STATS_COLUMNS)]

    def level_means(self, by: str | None = None) -> pd.DataFrame:
        """Per group: councils, answers given, and the mean current level, mean target level
        and mean gap over all items and councils (blank when no council in the group)."""
        groups_of, groups = self._grouping(by)
        size = len(groups)
        council_of, councils = pd.factorize(self.pooled["council_code"])
        # each (group, council) pair once, as group * len(councils) + council
        pairs = np.unique((groups_of * len(councils) + council_of)[council_of >= 0])
        scores = self._score_arrays()
        answers, mean_current = _count_mean(groups_of, size, scores["current"])
        result = pd.DataFrame(
            {
                "group_type": self.group_type(by),
                "group": pd.Series(groups, dtype=object),
                "councils": np.bincount(pairs // max(len(councils), 1), minlength=size),
                "answers": answers,
                "mean_current": mean_current,
                "mean_target": _count_mean(groups_of, size, scores["target"])[1],
                "mean_gap": _count_mean(groups_of, size, scores["gap"])[1],
            }
        )
        return result[list(LEVEL_MEANS_COLUMNS)]

    def councils_in(self, by: str | None = None) -> dict[str, int]:
        """How many counted councils each group has."""
        key = ("councils", by)
        if key not in self._cache:
            means = self.level_means(by)
            self._cache[key] = dict(zip(means["group"], means["councils"].tolist(), strict=True))
        return dict(self._cache[key])

    # -- trends --------------------------------------------------------------------------------
    @property
    def trends(self) -> pd.DataFrame:
        """Movement between the previous and the latest round (:data:`TRENDS_COLUMNS`).

        One row per council counted in both rounds per current-model item, councils by name.
        Each answer is mapped onto the current model through its version's lineage (a
        previous C2 gives the previous level of both C2A and C2B). ``movement`` compares the
        current levels: 'up', 'same' or 'down'; 'not comparable' when the lineage gives no
        answer for the item in one of the rounds (an item added since, a merged or removed
        one, a version with no lineage); empty when a level was left blank. The previous
        and latest level columns show what each round's answer maps to (blank when none).
        Empty (with these columns) unless the counted returns span two known rounds.
        """
        if "trends" not in self._cache:
            self._cache["trends"] = self._make_trends()
        return self._cache["trends"]

    def _make_trends(self) -> pd.DataFrame:
        previous, latest = self.previous_round, self.latest_round
        if previous is None:  # one round: the empty table, as the code below would make it
            scores = ("previous_score", "latest_score")
            return pd.DataFrame(
                {c: pd.Series(dtype="Int64" if c in scores else object) for c in TRENDS_COLUMNS}
            )
        # council -> index of its counted return, in each of the two rounds compared
        in_round: dict[str, dict[str, int]] = {latest: {}, previous: {}}
        states = self.log["counted"].tolist()
        for index, (ret, state) in enumerate(zip(self.returns, states, strict=True)):
            if state == COUNTED and _round(ret) in in_round:
                in_round[_round(ret)][_council_key(ret)] = index
        earlier = in_round[previous]
        pairs = [(index, earlier[key]) for key, index in in_round[latest].items() if key in earlier]
        pairs.sort(key=lambda p: (_name(self.returns[p[0]]).casefold(), _code(self.returns[p[0]])))
        versions = self._versions
        items = list(self.model.items)
        n_items = len(items)

        def per_pair(values) -> np.ndarray:
            return np.repeat(np.array(values, dtype=object), n_items)

        rets = [(self.returns[a], self.returns[b]) for a, b in pairs]
        attributes = [_attributes(new) for new, _ in rets]
        grid = pd.DataFrame(
            {
                "latest_index": np.repeat(np.array([a for a, _ in pairs], dtype="int64"), n_items),
                "previous_index": np.repeat(
                    np.array([b for _, b in pairs], dtype="int64"), n_items
                ),
                "council_code": per_pair([_code(new) for new, _ in rets]),
                "council_name": per_pair([_name(new) for new, _ in rets]),
                "region": per_pair([a for a, _ in attributes]),
                "council_type": per_pair([t for _, t in attributes]),
                "item_id": np.tile(np.array([i.id for i in items], dtype=object), len(pairs)),
                "item_name": np.tile(np.array([i.name for i in items], dtype=object), len(pairs)),
                "previous_round": per_pair([_round(old) for _, old in rets]),
                "previous_model_version": per_pair([versions.key(old)[1] for _, old in rets]),
                "latest_round": per_pair([_round(new) for new, _ in rets]),
                "latest_model_version": per_pair([versions.key(new)[1] for new, _ in rets]),
            }
        )
        answer_columns = ["return_index", "item_id", "source_item_id", "current_level"]
        answers = self.comparable[[*answer_columns, "current_score"]]
        for when in ("latest", "previous"):
            renamed = answers.rename(
                columns={
                    "return_index": f"{when}_index",
                    "source_item_id": f"{when}_item_id",
                    "current_level": f"{when}_level",
                    "current_score": f"{when}_score",
                }
            ).assign(**{f"has_{when}": True})
            grid = grid.merge(renamed, on=[f"{when}_index", "item_id"], how="left", sort=False)
        has_both = grid["has_latest"].eq(True).to_numpy() & grid["has_previous"].eq(True).to_numpy()
        new = grid["latest_score"].astype("float64").to_numpy()
        old = grid["previous_score"].astype("float64").to_numpy()
        blank = np.isnan(new) | np.isnan(old)
        grid["movement"] = np.select(
            [~has_both, blank, new > old, new < old], [NOT_COMPARABLE, "", UP, DOWN], default=SAME
        )
        result = grid[list(TRENDS_COLUMNS)].copy()
        for column in TRENDS_COLUMNS:
            if column not in ("previous_score", "latest_score"):
                values = result[column].to_numpy(dtype=object, na_value="")
                result[column] = pd.Series(values, dtype=object).infer_objects()
            else:
                result[column] = result[column].astype("Int64")
        return result.reset_index(drop=True)

    def movement(self, by: str | None = "region") -> pd.DataFrame:
        """Per group and current-model item, how councils moved between the two rounds
        (:data:`MOVEMENT_COLUMNS`), then an all-items row (item id :data:`ALL_ITEMS`) per group.

        ``councils``: councils in the group counted in both rounds. ``compared``: those whose
        current level could be compared for the item ('up', 'same' or 'down'); in the
        all-items row, the number of council-and-item comparisons. ``share_up``: % of
        ``compared`` that moved up (blank when nothing was compared). ``by`` as in
        :meth:`summary`; every group of the register appears. Empty without trends.
        """
        trends = self.trends
        if self.previous_round is None:
            return pd.DataFrame(columns=list(MOVEMENT_COLUMNS))
        groups_of, groups = self._make_grouping(trends, by)
        items = self.item_ids
        items_of = pd.Categorical(trends["item_id"], categories=items).codes.astype("int64")
        moves = trends["movement"].to_numpy(dtype=object, na_value="")
        moves_of = pd.Categorical(moves, categories=list(MOVEMENTS)).codes.astype("int64")
        shape = (len(groups), len(items), len(MOVEMENTS))
        flat = np.ravel_multi_index((groups_of, items_of, moves_of), shape)
        counts = np.bincount(flat, minlength=int(np.prod(shape))).reshape(shape)
        councils = counts[:, 0, :].sum(axis=1) if items else np.zeros(len(groups), "int64")
        counts = np.concatenate([counts, counts.sum(axis=1, keepdims=True)], axis=1)
        up, same, down, not_comparable = (counts[:, :, i] for i in range(4))
        compared = up + same + down
        share = np.where(compared > 0, np.round(100.0 * up / np.maximum(compared, 1), 1), np.nan)
        names = [item.name for item in self.model.items] + [ALL_ITEMS_NAME]
        width = len(items) + 1
        return pd.DataFrame(
            {
                "group_type": self.group_type(by),
                "group": np.repeat(np.array(groups, dtype=object), width),
                "item_id": np.tile(np.array([*items, ALL_ITEMS], dtype=object), len(groups)),
                "item_name": np.tile(np.array(names, dtype=object), len(groups)),
                "councils": np.repeat(councils, width).astype("int64"),
                "compared": compared.ravel().astype("int64"),
                "up": up.ravel().astype("int64"),
                "same": same.ravel().astype("int64"),
                "down": down.ravel().astype("int64"),
                "not_comparable": not_comparable.ravel().astype("int64"),
                "share_up": share.ravel(),
            }
        )[list(MOVEMENT_COLUMNS)]

    # -- coverage ------------------------------------------------------------------------------
    def in_latest_round(self, ret: Return) -> bool:
        """Whether a file belongs to the latest round's figures: an accepted return of that
        round, or a rejected file of that round, a later one or no known round."""
        latest = self.latest_round
        if ret.accepted:
            return _round(ret) == latest
        return not _round(ret) or _round(ret) >= latest

    def not_returned(self) -> list[Council]:
        """Councils in the register with no accepted return in the latest round, in register
        order."""
        if self.register is None:
            return []
        latest = self.latest_round
        covered = {_code(r).casefold() for r in self.returns if r.accepted and _round(r) == latest}
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


# --- CSV ----------------------------------------------------------------------------------------
_CSV_SPECIAL = re.compile(r'[",\r\n]')
CSV_ROWS_PER_CHUNK = 10_000


def _csv_field(text: str) -> bytes:
    """``text`` as a CSV field in UTF-8: as is, or quoted by the csv module (as pandas'
    ``to_csv`` quotes it) when it holds a quote, a comma or a line break."""
    if _CSV_SPECIAL.search(text):
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerow([text])
        text = buffer.getvalue()[:-1]
    return text.encode()


def _csv_column(values: pd.Series) -> np.ndarray:
    """Each value as a CSV field (b'' when missing); each distinct value is formatted once."""
    codes, uniques = pd.factorize(values.to_numpy(dtype=object))  # missing (NaN, NA): -1
    fields = [_csv_field(str(value)) for value in uniques]
    return np.array([*fields, b""], dtype=object)[codes]  # code -1 (missing) picks the b''


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` byte for byte as pandas' ``to_csv`` writes it (UTF-8, no index,
    Unix line ends), in less than half the time for text and integer columns: answers.csv
    repeats each council's and item's values over thousands of rows, and pandas formats
    every cell. Other frames (floats, objects, a single column) go to pandas."""
    simple = all(
        isinstance(dtype, pd.StringDtype) or pd.api.types.is_integer_dtype(dtype)
        for dtype in frame.dtypes
    )
    if not simple or len(frame.columns) < 2:  # the csv module quotes a lone empty field
        frame.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
        return
    with open(path, "wb") as stream:
        stream.write(b",".join(_csv_field(str(name)) for name in frame.columns) + b"\n")
        for offset in range(0, len(frame), CSV_ROWS_PER_CHUNK):
            chunk = frame.iloc[offset : offset + CSV_ROWS_PER_CHUNK]
            columns = [_csv_column(chunk[name]) for name in chunk.columns]
            stream.write(b"\n".join(map(b",".join, zip(*columns, strict=True))) + b"\n")


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
    versions = _Versions(model, archive)
    counted = [r for r, state in zip(returns, states, strict=True) if state == COUNTED]
    latest = max((_round(r) for r in counted), default="")
    comparable, per_version = _comparable_frames(versions, returns, states)
    return Collation(
        model=model,
        register=register,
        returns=returns,
        log=_log_frame(returns, states),
        answers=_answers_frame(versions, [r for r in counted if _round(r) == latest]),
        superseded=[r for r, state in zip(returns, states, strict=True) if state == SUPERSEDED],
        collated_at=collated_at
        or dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
        group_by=group_by,
        archive=archive,
        comparable=comparable,
        per_version=per_version,
    )


def write_data(
    collation: Collation, data_dir: str | os.PathLike, *, force: bool = True
) -> list[Path]:
    """Write returns.csv, answers.csv and summary.csv (UTF-8) to ``data_dir``, atomically,
    and trends.csv when the collation has trends; returns the paths written, in that order.

    * returns.csv: every input file once (:data:`RETURNS_COLUMNS`, ``round`` last);
    * answers.csv: the latest round's counted answers, each item under the id of the model
      version it was answered with (:data:`ANSWERS_COLUMNS`);
    * summary.csv: :meth:`Collation.summaries` (:data:`SUMMARY_COLUMNS`), including the
      ``model_version`` rows of items only in older versions;
    * trends.csv: :attr:`Collation.trends`, one row per council counted in both the previous
      and the latest round per current-model item, with the columns council_code,
      council_name, region, council_type, item_id, item_name (current model),
      previous_round, previous_model_version, previous_item_id (the item answered then, e.g.
      C2 for C2A), previous_level, previous_score, latest_round, latest_model_version,
      latest_level, latest_score (current levels) and movement ('up', 'same', 'down',
      'not comparable', or empty when a level was left blank).

    With ``force`` a trends.csv left by an earlier collation is removed when this one has
    no trends. Without ``force``, an existing file raises
    :class:`~npsxl.errors.OutputError` before anything is written.
    """
    data_dir = Path(data_dir)
    frames = [
        (RETURNS_CSV, collation.log),
        (ANSWERS_CSV, collation.answers),
        (SUMMARY_CSV, collation.summaries()),
    ]
    trends = collation.trends
    if not trends.empty:
        frames.append((TRENDS_CSV, trends))
    existing = [data_dir / name for name, _ in frames if (data_dir / name).exists()]
    if existing and not force:
        raise OutputError(f"{existing[0]} already exists; use --force to overwrite it")
    written = []
    for name, frame in frames:
        target = data_dir / name
        with atomic_path(target, force=force) as tmp:
            _write_csv(frame, tmp)
        written.append(target)
    stale = data_dir / TRENDS_CSV
    if trends.empty and force and stale.is_file():
        stale.unlink()
    return written
