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

**Rounds.** Every figure except the trends is for the *latest round*: the greatest round
among the counted returns (rounds compare as text; an unknown round, ``""``, comes first).
With one round, as before, that is every counted return.

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
:mod:`npsxl.collation.frames` (the frames), this module (the :class:`Collation` and its
summaries) and :mod:`npsxl.report.csv_data` (the CSV files).
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
    ALL_ITEMS,
    ALL_ITEMS_NAME,
    ALL_REGIONS,
    COUNTED,
    DOWN,
    ITEM_STATS_COLUMNS,
    LEVEL_MEANS_COLUMNS,
    MEASURES,
    MODEL_VERSION,
    MOVEMENT_COLUMNS,
    MOVEMENTS,
    NATIONAL,
    NO_COUNCIL,
    NOT_COMPARABLE,
    NOT_GIVEN,
    RESPONSE_COLUMNS,
    SAME,
    SUMMARY_COLUMNS,
    SUPERSEDED,
    TRENDS_COLUMNS,
    UP,
    VERSION_ONLY_COLUMNS,
)
from npsxl.collation.counting import (
    Versions,
    attributes_of,
    code_of,
    council_key,
    counted_states,
    item_theme,
    name_of,
    round_of,
    version_key,
    version_label,
)
from npsxl.collation.frames import answers_frame, comparable_frames, log_frame
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
        rows = sorted(counts.items(), key=lambda kv: (kv[0][0], version_key(kv[0][1])))
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
            if state == COUNTED and round_of(ret) in in_round:
                in_round[round_of(ret)][council_key(ret)] = index
        earlier = in_round[previous]
        pairs = [(index, earlier[key]) for key, index in in_round[latest].items() if key in earlier]
        pairs.sort(
            key=lambda p: (name_of(self.returns[p[0]]).casefold(), code_of(self.returns[p[0]]))
        )
        versions = self._versions
        items = list(self.model.items)
        n_items = len(items)

        def per_pair(values) -> np.ndarray:
            return np.repeat(np.array(values, dtype=object), n_items)

        rets = [(self.returns[a], self.returns[b]) for a, b in pairs]
        attributes = [attributes_of(new) for new, _ in rets]
        grid = pd.DataFrame(
            {
                "latest_index": np.repeat(np.array([a for a, _ in pairs], dtype="int64"), n_items),
                "previous_index": np.repeat(
                    np.array([b for _, b in pairs], dtype="int64"), n_items
                ),
                "council_code": per_pair([code_of(new) for new, _ in rets]),
                "council_name": per_pair([name_of(new) for new, _ in rets]),
                "region": per_pair([a for a, _ in attributes]),
                "council_type": per_pair([t for _, t in attributes]),
                "item_id": np.tile(np.array([i.id for i in items], dtype=object), len(pairs)),
                "item_name": np.tile(np.array([i.name for i in items], dtype=object), len(pairs)),
                "previous_round": per_pair([round_of(old) for _, old in rets]),
                "previous_model_version": per_pair([versions.key(old)[1] for _, old in rets]),
                "latest_round": per_pair([round_of(new) for new, _ in rets]),
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
            return round_of(ret) == latest
        return not round_of(ret) or round_of(ret) >= latest

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
    latest = max((round_of(r) for r in counted), default="")
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
