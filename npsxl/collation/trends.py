"""The trends of a collation: each council's movement per item between the previous and
the latest round (:attr:`~CollationTrends.trends`), and how councils moved per group
(:meth:`~CollationTrends.movement`).

:class:`CollationTrends` is a part of :class:`npsxl.collation.collation.Collation`: it uses
the collation's rounds, comparable answers and groupings.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from npsxl.collation.base import CollationBase
from npsxl.collation.columns import (
    ALL_ITEMS,
    ALL_ITEMS_NAME,
    DOWN,
    MOVEMENT_COLUMNS,
    MOVEMENTS,
    NOT_COMPARABLE,
    SAME,
    TRENDS_COLUMNS,
    UP,
)
from npsxl.collation.counting import attributes_of, code_of, council_key, name_of, round_of


class CollationTrends(CollationBase):
    """The trends of a :class:`~npsxl.collation.collation.Collation` (a part of it)."""

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
        # council -> index of its figure, in each of the two rounds compared
        in_round: dict[str, dict[str, int]] = {latest: {}, previous: {}}
        figures = self.counted
        for index, ret in enumerate(figures):
            if round_of(ret) in in_round:
                in_round[round_of(ret)][council_key(ret)] = index
        earlier = in_round[previous]
        pairs = [(index, earlier[key]) for key, index in in_round[latest].items() if key in earlier]
        pairs.sort(key=lambda p: (name_of(figures[p[0]]).casefold(), code_of(figures[p[0]])))
        versions = self._versions
        items = list(self.model.items)
        n_items = len(items)

        def per_pair(values) -> np.ndarray:
            return np.repeat(np.array(values, dtype=object), n_items)

        rets = [(figures[a], figures[b]) for a, b in pairs]
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
