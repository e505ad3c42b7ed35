"""The figures of a collation: per group, item, measure and level the count and percent of
councils (:meth:`~CollationFigures.summary`), the medians, means and gaps per item
(:meth:`~CollationFigures.item_stats`), the mean levels over all items
(:meth:`~CollationFigures.level_means`), and the items only in older model versions
(:meth:`~CollationFigures.version_summary`, :attr:`~CollationFigures.version_only`).

:class:`CollationFigures` is a part of :class:`npsxl.collation.collation.Collation`: it uses
the collation's pooled answers and groupings. The figures are computed with numpy (see
:func:`_count_mean`), each once per collation.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from npsxl.collation.base import CollationBase
from npsxl.collation.columns import (
    LEVEL_MEANS_COLUMNS,
    MEASURES,
    MODEL_VERSION,
    STATISTICS_COLUMNS,
    SUMMARY_COLUMNS,
    VERSION_ONLY_COLUMNS,
)
from npsxl.collation.counting import item_theme, version_key, version_label


def largest_remainder(counts: np.ndarray, decimals: int = 1) -> np.ndarray:
    """Percentages of counts along the last axis, rounded to ``decimals`` so that each set
    adds up to exactly 100: every share is rounded down, then the units still missing go to
    the shares with the largest remainders (the lower level first on a tie). NaN for a set
    whose counts are all 0 (there is no share of nobody). Computed in whole numbers, so a
    tie is a tie."""
    counts = np.asarray(counts, dtype="int64")
    total = counts.sum(axis=-1, keepdims=True)
    units = 100 * 10**decimals
    scaled = counts * units
    floor, remainder = np.divmod(scaled, np.maximum(total, 1))
    missing = units - floor.sum(axis=-1, keepdims=True)
    order = np.argsort(-remainder, axis=-1, kind="stable")  # largest first, lower level first
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.broadcast_to(np.arange(counts.shape[-1]), order.shape), -1)
    percent = (floor + (rank < missing)) / 10**decimals
    return np.where(total > 0, percent, np.nan)


def share(part: np.ndarray, whole: np.ndarray) -> np.ndarray:
    """100 * part / whole to one decimal, NaN where the whole is 0."""
    whole = np.asarray(whole)
    return np.where(whole > 0, np.round(100.0 * np.asarray(part) / np.maximum(whole, 1), 1), np.nan)


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
    """Per cell: councils that answered (gave a current or a target level, ``n``), those
    that gave each, and median and mean of the current and target scores (float, NaN when
    not given). Both the item stats and the version-only table use it; each selects its own
    column order."""
    answered = ~(np.isnan(current) & np.isnan(target))
    stats = {"n": np.bincount(cells[answered], minlength=size)}
    for measure, scores in (("current", current), ("target", target)):
        stats[f"n_{measure}"], stats[f"mean_{measure}"] = _count_mean(cells, size, scores)
        stats[f"median_{measure}"] = _median(cells, size, scores)
    return stats


class CollationFigures(CollationBase):
    """The figures of a :class:`~npsxl.collation.collation.Collation` (a part of it)."""

    def _codes(self, column: str, categories: Sequence[str]) -> np.ndarray:
        """Index of each pooled row's value in ``categories`` (-1 when blank), computed once."""
        key = ("codes", column)
        if key not in self._cache:
            values = self.pooled[column].to_numpy(dtype=object, na_value=None)
            codes = pd.Categorical(values, categories=list(categories)).codes
            self._cache[key] = codes.astype("int64")
        return self._cache[key]

    def summary(self, by: str | None = None) -> pd.DataFrame:
        """Counts and percents of councils per group, item, measure and level (summary.csv).

        ``by``: None (national, one group 'All councils'), 'region', 'council_type', or an
        extra register column. Every level of every current-model item appears, with zero
        counts. ``n`` is the number of councils in the group that gave that measure for that
        item, and ``percent`` the share of them at the level (:func:`largest_remainder`: one
        decimal, the five add up to 100), blank (NaN) when ``n`` is 0: no returns is not
        0 %. Latest round, pooled across model versions; each council once. Computed once
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
        denominators = np.broadcast_to(counts.sum(axis=3, keepdims=True), counts.shape)
        index = pd.MultiIndex.from_product(
            [groups, self.item_ids, list(MEASURES), levels],
            names=["group", "item_id", "measure", "level"],
        )
        result = index.to_frame(index=False)
        result.insert(0, "group_type", self.group_type(by))
        result["count"] = counts.ravel()
        result["n"] = denominators.ravel()
        result["percent"] = largest_remainder(counts).ravel()
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
                totals = np.broadcast_to(counts.sum(axis=1, keepdims=True), counts.shape)
                part = pd.MultiIndex.from_product(
                    [items, [measure], levels], names=["item_id", "measure", "level"]
                ).to_frame(index=False)
                part.insert(0, "group", label)
                part.insert(0, "group_type", MODEL_VERSION)
                part["count"] = counts.ravel()
                part["n"] = totals.ravel()
                part["percent"] = largest_remainder(counts).ravel()
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
        """Per group and item (:data:`STATISTICS_COLUMNS`, statistics.csv): councils that
        answered (``n``: gave a current or a target level), how many gave each, median and
        mean of current and target, how many gave both (``n_gap``), the mean gap (target -
        current, where both given), how many aim higher than they stand and their share of
        ``n_gap`` (one decimal). A group with no answers for an item has n = 0 and blanks.
        Computed once per grouping."""
        key = ("item_stats", by)
        if key not in self._cache:
            self._cache[key] = self._make_item_stats(by)
        return self._cache[key]

    def statistics(self) -> pd.DataFrame:
        """:meth:`item_stats` of every grouping (national, region, council type, then
        ``group_by``), one after another: statistics.csv."""
        return pd.concat([self.item_stats(by) for by in self.groupings()], ignore_index=True)

    def _make_item_stats(self, by: str | None) -> pd.DataFrame:
        groups_of, groups = self._grouping(by)
        items_of = self._codes("item_id", self.item_ids)
        known = items_of >= 0
        n_items = len(self.item_ids)
        size = len(groups) * n_items
        cells = (groups_of * n_items + items_of)[known]
        scores = {name: values[known] for name, values in self._score_arrays().items()}
        stats = _level_stats(cells, size, scores["current"], scores["target"])
        n_gap, mean_gap = _count_mean(cells, size, scores["gap"])
        aiming = np.bincount(cells[scores["gap"] > 0], minlength=size)
        items = list(self.model.items)
        result = pd.DataFrame(
            {
                "group_type": self.group_type(by),
                "group": pd.Series(np.repeat(groups, n_items), dtype=object),
                "item_id": pd.Series(self.item_ids * len(groups), dtype=object),
                "item_name": [item.name for item in items] * len(groups),
                "theme": [item_theme(item) for item in items] * len(groups),
                **stats,
                "n_gap": n_gap,
                "mean_gap": mean_gap,
                "n_aiming_higher": aiming,
                "share_aiming_higher": share(aiming, n_gap),
            }
        )
        return result[list(STATISTICS_COLUMNS)]

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
