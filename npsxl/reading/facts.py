"""What the reader works out once per model, not once per file: :func:`facts_of`."""

from __future__ import annotations

from collections.abc import Iterable

from npsxl.model.model import Item, Model
from npsxl.reading.values import norm
from npsxl.workbook import layout as L


class ModelFacts:
    """The items and their ids, names and first level descriptions, level names and
    scores, the defined names of the input cells, the table's columns. Read only."""

    def __init__(self, model: Model):
        self.items = model.items
        self.ids = {item.id.upper(): item for item in self.items}
        # what tells the item on a row: only texts no other item shares
        self.by_name = _unique((item.name, item) for item in self.items)
        self.by_folded_name = _unique((norm(item.name), item) for item in self.items)
        self.by_descriptor = _unique((item.descriptors[0], item) for item in self.items)
        self.by_folded_descriptor = _unique(
            (norm(item.descriptors[0]), item) for item in self.items
        )
        self.longest_id = max(len(key) for key in self.ids) + 8
        self.level_names = model.level_names
        self.exact = {name: name for name in self.level_names}
        self.folded = {name.casefold(): name for name in self.level_names}
        self.scores: dict[str, int] = {}
        for level in model.levels:
            self.scores.setdefault(level.name, level.score)
        columns = L.assessment_columns(self.level_names)
        self.headers = {norm(c.header): c.key for c in columns}
        self.header_of = {c.key: c.header for c in columns}
        self.offsets = {c.key: i for i, c in enumerate(columns)}
        self.input_names = {
            item.id: {key: L.item_input_name(item.id, key).upper() for key in L.ITEM_FIELDS}
            for item in self.items
        }


def _unique(pairs: Iterable[tuple[str, Item]]) -> dict[str, Item]:
    """The pairs as a dict, without the keys that occur more than once."""
    found: dict[str, Item] = {}
    shared: set[str] = set()
    for key, item in pairs:
        if key in found:
            shared.add(key)
        found[key] = item
    return {key: item for key, item in found.items() if key not in shared}


_FACTS: dict[int, tuple[Model, ModelFacts]] = {}


def facts_of(model: Model) -> ModelFacts:
    """The facts of ``model``, worked out on first use (kept for the last 32 models)."""
    entry = _FACTS.get(id(model))
    if entry is None or entry[0] is not model:
        if len(_FACTS) >= 32:
            _FACTS.clear()
        entry = _FACTS[id(model)] = (model, ModelFacts(model))
    return entry[1]
