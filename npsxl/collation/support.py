"""Where councils need support: each council's gap to its own targets, item by item
(:meth:`~CollationSupport.support_gaps`), and the items where most councils are furthest
from their targets (:meth:`~CollationSupport.support_priorities`).

:class:`CollationSupport` is a part of :class:`npsxl.collation.collation.Collation`. Both
tables are for the latest round, on the pooled answers (returns of older model versions
under the current items, where comparable). A gap is a council's target level minus its
current level, in levels, and is only known where the council gave both; nothing is
guessed where it did not. These are figures for a coordinator planning support: they name
councils, so they stay out of the public briefing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from npsxl.collation.base import CollationBase
from npsxl.collation.columns import SUPPORT_COUNCIL_COLUMNS, SUPPORT_PRIORITY_COLUMNS
from npsxl.collation.counting import item_theme

FAR_GAP = 2  # levels: a council this far or further from its target on an item is "far"


class CollationSupport(CollationBase):
    """Gaps to councils' own targets in a :class:`~npsxl.collation.collation.Collation`."""

    def support_gaps(self) -> pd.DataFrame:
        """One row per council counted in the latest round, by region (in display order)
        then council name: :data:`~npsxl.collation.columns.SUPPORT_COUNCIL_COLUMNS`, then
        one column per current item id with the council's gap on it (Int64; <NA> where it
        did not give both levels). ``items_behind`` counts the items whose gap is above 0,
        ``largest_gap`` is the largest gap (<NA> when none is known)."""
        if "support_gaps" not in self._cache:
            self._cache["support_gaps"] = self._make_support_gaps()
        return self._cache["support_gaps"]

    def _make_support_gaps(self) -> pd.DataFrame:
        pooled = self.pooled
        ids = self.item_ids
        info = ["council_code", "council_name", "region", "council_type"]
        councils = pooled[info].drop_duplicates("council_code")
        gaps = pooled[pooled["gap"].notna()]
        grid = gaps.groupby(["council_code", "item_id"], sort=False)["gap"].max().unstack("item_id")
        frame = councils.set_index("council_code").join(grid.reindex(columns=ids))
        frame = frame.reset_index()
        regions = {region: i for i, region in enumerate(self.groups("region"))}
        frame["_region"] = frame["region"].map(regions).fillna(len(regions))
        frame["_name"] = frame["council_name"].astype(str).str.casefold()
        frame = frame.sort_values(["_region", "_name", "council_code"], kind="stable")
        frame = frame.drop(columns=["_region", "_name"]).reset_index(drop=True)
        for item_id in ids:
            frame[item_id] = pd.array(frame[item_id].tolist(), dtype="Int64")
        values = frame[ids].astype("float64").to_numpy().reshape(len(frame), len(ids))
        frame["items_behind"] = (np.nan_to_num(values, nan=0.0) > 0).sum(axis=1).astype("int64")
        largest = np.where(np.isnan(values), -np.inf, values).max(axis=1, initial=-np.inf)
        frame["largest_gap"] = pd.array(
            [int(v) if np.isfinite(v) else None for v in largest], dtype="Int64"
        )
        return frame[[*SUPPORT_COUNCIL_COLUMNS[:4], *ids, *SUPPORT_COUNCIL_COLUMNS[4:]]]

    def support_priorities(self) -> pd.DataFrame:
        """Per current item (:data:`~npsxl.collation.columns.SUPPORT_PRIORITY_COLUMNS`), the
        items where most councils are furthest from their own targets first: ``furthest``
        counts the councils for which this item has their largest gap (above 0; an item tied
        for a council's largest counts for each), ``far`` those :data:`FAR_GAP` levels or
        more from their target on it, ``behind`` those with any gap above 0, ``n_gap`` those
        that gave both levels; ``mean_gap`` over ``n_gap`` (blank when 0). Ordered by
        ``furthest``, ``far``, ``behind`` and the mean gap, largest first, then model order;
        ``rank`` numbers them."""
        if "support_priorities" not in self._cache:
            self._cache["support_priorities"] = self._make_support_priorities()
        return self._cache["support_priorities"]

    def _make_support_priorities(self) -> pd.DataFrame:
        grid = self.support_gaps()
        ids = self.item_ids
        values = grid[ids].astype("float64").to_numpy().reshape(len(grid), len(ids))
        given = ~np.isnan(values)
        filled = np.where(given, values, -np.inf)
        largest = filled.max(axis=1, initial=-np.inf, keepdims=True)
        furthest = (given & (filled == largest) & (largest > 0)).sum(axis=0)
        n_gap = given.sum(axis=0)
        totals = np.where(given, values, 0.0).sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean_gap = np.where(n_gap > 0, totals / np.maximum(n_gap, 1), np.nan)
        items = list(self.model.items)
        frame = pd.DataFrame(
            {
                "item_id": pd.Series(ids, dtype=object),
                "item_name": [item.name for item in items],
                "theme": [item_theme(item) for item in items],
                "n_gap": n_gap.astype("int64"),
                "furthest": furthest.astype("int64"),
                "far": (given & (filled >= FAR_GAP)).sum(axis=0).astype("int64"),
                "behind": (given & (filled > 0)).sum(axis=0).astype("int64"),
                "mean_gap": mean_gap,
                "_order": range(len(ids)),
            }
        )
        frame = frame.sort_values(
            ["furthest", "far", "behind", "mean_gap", "_order"],
            ascending=[False, False, False, False, True],
            na_position="last",
            kind="stable",
        ).reset_index(drop=True)
        frame["rank"] = np.arange(1, len(frame) + 1, dtype="int64")
        return frame[list(SUPPORT_PRIORITY_COLUMNS)]
