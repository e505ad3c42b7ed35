"""Which returns count, and what each one's answers count for.

A return counts when the reader accepted it and it is the most recent accepted return for
its council in its round (:func:`counted_states`). :class:`Versions` knows each return's own
model version and how its items map onto the current model's (through the archive's
lineage).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Sequence

from npsxl.collation.columns import COUNTED, NO_LINEAGE, NOT_COUNTED, SUPERSEDED
from npsxl.model.archive import ModelArchive
from npsxl.model.lineage import Mapping
from npsxl.model.model import ENABLER, ENABLERS_GROUP_NAME, Item, Model
from npsxl.reading.returns import Return


# --- which returns count ------------------------------------------------------------------------
def code_of(ret: Return) -> str:
    """The council code: the register's when the return was matched to it, else as written."""
    return ret.council.code if ret.council is not None else ret.council_code


def name_of(ret: Return) -> str:
    """The council name: the register's when the return was matched to it, else as written."""
    return ret.council.name if ret.council is not None else ret.council_name


def council_key(ret: Return) -> str:
    """What makes two returns the same council's: the code, else the name, case-folded."""
    return (code_of(ret) or name_of(ret)).strip().casefold()


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


def round_of(ret: Return) -> str:
    """The return's round ('' when unknown)."""
    return (ret.round or "").strip()


def counted_states(returns: Sequence[Return]) -> list[str]:
    """For each return: 'yes' (counted), 'superseded' or 'rejected'.

    Of several accepted returns naming the same council in the same round, only the most
    recent counts; returns of different rounds never supersede each other.
    """
    by_council: dict[tuple[str, str], list[int]] = {}
    for index, ret in enumerate(returns):
        if ret.accepted:
            by_council.setdefault((council_key(ret), round_of(ret)), []).append(index)
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
class Versions:
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


def attributes_of(ret: Return) -> tuple[str, str]:
    """(region, council_type) from the register's council, or empty without one."""
    council = ret.council
    return (council.region, council.council_type) if council is not None else ("", "")


def item_theme(item: Item) -> str:
    """The item's theme name; 'Enablers' for an enabler."""
    return ENABLERS_GROUP_NAME if item.kind == ENABLER else item.group_name
