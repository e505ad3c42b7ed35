"""The base of a :class:`~npsxl.collation.collation.Collation`: its fields, who counted, its
rounds and model versions, and its groupings (:class:`CollationBase`).

The collation's parts (:mod:`~npsxl.collation.statistics`, :mod:`~npsxl.collation.trends`,
:mod:`~npsxl.collation.within`, :mod:`~npsxl.collation.coverage`) build on this class, so that
what each part reads from the collation is stated once, here, and type-checked.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from npsxl.collation.columns import ALL_COUNCILS, NATIONAL, NOT_GIVEN
from npsxl.collation.counting import (
    Counting,
    Versions,
    code_of,
    round_of,
    version_key,
    version_label,
)
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


def display_order(values: Iterable[str], preferred: Sequence[str] = ()) -> list[str]:
    """Distinct values: those in ``preferred`` in that order, the rest sorted, 'Not given' last."""
    present = set(values)
    rank = {value: i for i, value in enumerate(preferred)}
    known = sorted((v for v in present if v in rank), key=rank.__getitem__)
    rest = sorted(v for v in present if v not in rank and v != NOT_GIVEN)
    return known + rest + ([NOT_GIVEN] if NOT_GIVEN in present else [])


def _label(value: str) -> str:
    return value if value else NOT_GIVEN


@dataclass
class CollationBase:
    """The fields of a collation (see :class:`~npsxl.collation.collation.Collation`) and the
    views every part of it uses."""

    model: Model
    register: Register | None
    returns: list[Return]
    log: pd.DataFrame
    answers: pd.DataFrame
    superseded: list[Return]
    collated_at: str
    comparable: pd.DataFrame
    per_version: pd.DataFrame
    counting: Counting
    group_by: tuple[str, ...] = ()
    archive: ModelArchive | None = None
    _cache: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)

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
