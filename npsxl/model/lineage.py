"""How the items of one model version relate to the items of the version it replaces.

A new model version declares, in its ``replaces:`` block, for every item of the old
version what became of it: unchanged, renamed, text changed, split into several, merged
from several, removed, or (for new items) added. :func:`check_lineage` checks that
declaration against both models; :func:`item_mapping` says, item by item, where an old
answer goes and whether it stays comparable; :func:`diff_models` describes the change.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from npsxl.core import catalogue as P
from npsxl.core.catalogue import ProblemType
from npsxl.core.problems import Location, Problem
from npsxl.model.reconstructed import unmarked

CHANGES = ("unchanged", "renamed", "text_changed", "split", "merged", "removed", "added")
# Results stay comparable item by item when the item is the same index, possibly reworded,
# or when one index was split (each part inherits the old level). A merge mixes several old
# levels into one, so it is not comparable; removed and added items have no counterpart.
COMPARABLE = frozenset({"unchanged", "renamed", "text_changed", "split"})
SHAPES = {
    "unchanged": ("one", "one"),
    "renamed": ("one", "one"),
    "text_changed": ("one", "one"),
    "split": ("one", "many"),
    "merged": ("many", "one"),
    "removed": ("some", "none"),
    "added": ("none", "some"),
}


@dataclass(frozen=True)
class LineageEntry:
    """One line of a lineage: ``old`` item ids became ``new`` item ids by ``change``."""

    change: str
    old: tuple[str, ...] = ()
    new: tuple[str, ...] = ()
    note: str = ""
    line: int | None = None

    @property
    def comparable(self) -> bool:
        return self.change in COMPARABLE


@dataclass(frozen=True)
class Lineage:
    """The ``replaces:`` block of a model: which version it replaces, and how."""

    model_id: str
    version: str
    entries: tuple[LineageEntry, ...]
    source: str = ""


@dataclass(frozen=True)
class Mapping:
    """Where one old item's answers go in the new model."""

    old_id: str
    new_ids: tuple[str, ...]
    change: str
    comparable: bool


def fits_shape(shape: str, ids: tuple[str, ...]) -> bool:
    """Whether ``ids`` has the shape of one side of a change: one, many, some or none."""
    return {"one": len(ids) == 1, "many": len(ids) >= 2, "some": len(ids) >= 1, "none": not ids}[
        shape
    ]


def check_lineage(lineage: Lineage, old, new) -> list[Problem]:
    """Every problem with a lineage, given the old and the new :class:`~npsxl.model.model.Model`.

    Every old item must be accounted for exactly once, every new item must come from
    exactly one entry, ids must exist on their side, and each change must have its shape
    (a split has one old and several new items, and so on).
    """
    problems = []
    old_ids = {item.id for item in old.items}
    new_ids = {item.id for item in new.items}

    def problem(kind: ProblemType, entry: LineageEntry | None, **fields) -> None:
        location = Location(
            file=lineage.source, line=entry.line if entry else None, path="replaces.lineage"
        )
        problems.append(kind(location, **fields))

    if (lineage.model_id, lineage.version) != (old.id, old.version):
        problem(
            P.LINEAGE_WRONG_OLD_MODEL,
            None,
            model_id=lineage.model_id,
            version=lineage.version,
            old_id=old.id,
            old_version=old.version,
        )
    seen_old: dict[str, LineageEntry] = {}
    seen_new: dict[str, LineageEntry] = {}
    for entry in lineage.entries:
        if entry.change not in CHANGES:
            problem(
                P.LINEAGE_INVALID_CHANGE, entry, change=entry.change, changes=", ".join(CHANGES)
            )
            continue
        old_shape, new_shape = SHAPES[entry.change]
        if not fits_shape(old_shape, entry.old) or not fits_shape(new_shape, entry.new):
            problem(
                P.LINEAGE_INVALID_SHAPE,
                entry,
                change=entry.change.replace("_", " "),
                old_shape=old_shape,
                new_shape=new_shape,
                old_count=len(entry.old),
                new_count=len(entry.new),
            )
        for item_id in entry.old:
            if item_id not in old_ids:
                problem(
                    P.LINEAGE_OLD_NOT_IN_MODEL,
                    entry,
                    item_id=item_id,
                    model_id=old.id,
                    version=old.version,
                )
            elif item_id in seen_old:
                problem(P.LINEAGE_OLD_TWICE, entry, item_id=item_id, line=seen_old[item_id].line)
            seen_old.setdefault(item_id, entry)
        for item_id in entry.new:
            if item_id not in new_ids:
                problem(
                    P.LINEAGE_NEW_NOT_IN_NEW_MODEL,
                    entry,
                    item_id=item_id,
                    model_id=new.id,
                    version=new.version,
                )
            elif item_id in seen_new:
                problem(P.LINEAGE_NEW_FROM_TWO, entry, item_id=item_id, line=seen_new[item_id].line)
            seen_new.setdefault(item_id, entry)
        if entry.change == "unchanged" and len(entry.old) == len(entry.new) == 1:
            before, after = _item(old, entry.old[0]), _item(new, entry.new[0])
            if before and after and _texts(before) != _texts(after):
                problem(P.LINEAGE_UNCHANGED_TEXT_CHANGED, entry, item_id=entry.old[0])
    for item_id in sorted(old_ids - set(seen_old)):
        problem(P.LINEAGE_INVALID, None, item_id=item_id)
    for item_id in sorted(new_ids - set(seen_new)):
        problem(P.LINEAGE_NEW_WITHOUT_ORIGIN, None, item_id=item_id)
    return problems


def _item(model, item_id):
    return next((item for item in model.items if item.id == item_id), None)


def _texts(item) -> tuple:
    """An item's words, without the brackets that mark reconstructed words: marking words
    as reconstructed leaves an item unchanged."""
    return (
        unmarked(item.name),
        unmarked(item.description),
        unmarked(item.what_it_is),
        unmarked(item.why_it_is_important),
        tuple(unmarked(d) for d in item.descriptors),
    )


def item_mapping(lineage: Lineage) -> dict[str, Mapping]:
    """Old item id -> where its answers go. Added items have no entry."""
    mapping = {}
    for entry in lineage.entries:
        for old_id in entry.old:
            mapping[old_id] = Mapping(old_id, entry.new, entry.change, entry.comparable)
    return mapping


def compose(first: dict[str, Mapping], second: dict[str, Mapping]) -> dict[str, Mapping]:
    """Chain two mappings (A->B then B->C) into A->C; comparable only if both steps are."""
    result = {}
    for old_id, step in first.items():
        targets: list[str] = []
        comparable, changes = step.comparable, [step.change]
        for middle in step.new_ids:
            nxt = second.get(middle)
            if nxt is None:
                continue
            targets.extend(nxt.new_ids)
            comparable = comparable and nxt.comparable
            changes.append(nxt.change)
        change = next((c for c in changes if c != "unchanged"), "unchanged")
        result[old_id] = Mapping(
            old_id, tuple(dict.fromkeys(targets)), change, comparable and bool(targets)
        )
    return result


def word_diff(before: str, after: str) -> str:
    """A readable word diff: ``[-removed words-]{+added words+}``."""
    a, b = before.split(), after.split()
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            out.extend(a[i1:i2])
        if op in ("delete", "replace"):
            out.append("[-" + " ".join(a[i1:i2]) + "-]")
        if op in ("insert", "replace"):
            out.append("{+" + " ".join(b[j1:j2]) + "+}")
    return " ".join(out)


def diff_models(old, new, lineage: Lineage | None = None) -> list[str]:
    """Lines describing what changed from ``old`` to ``new``, for people to read."""
    lines = [f"{old.id} {old.version} -> {new.id} {new.version}"]
    old_items = {i.id: i for i in old.items}
    new_items = {i.id: i for i in new.items}
    entries = list(lineage.entries) if lineage else _implied_entries(old, new)
    if lineage is None:
        lines.append(
            "(no lineage declared: items matched by id for this comparison only; collate "
            "compares returns of two versions only through a declared `replaces:` lineage)"
        )
    unchanged = [e.old[0] for e in entries if e.change == "unchanged" and not e.note]
    if unchanged:
        lines.append(f"unchanged ({len(unchanged)} items, comparable): {', '.join(unchanged)}")
    for entry in entries:
        if entry.change == "unchanged" and not entry.note:
            continue
        olds = ", ".join(f"{i} {old_items[i].name}" for i in entry.old if i in old_items)
        news = ", ".join(f"{i} {new_items[i].name}" for i in entry.new if i in new_items)
        verdict = "comparable" if entry.comparable else "not comparable"
        label = entry.change.replace("_", " ")
        if entry.change == "added":
            lines.append(f"added: {news} ({verdict})")
        elif entry.change == "removed":
            lines.append(f"removed: {olds} ({verdict})")
        else:
            lines.append(f"{label}: {olds} -> {news} ({verdict})")
        if entry.note:
            lines.append(f"    note: {entry.note}")
        if len(entry.old) == 1 and len(entry.new) == 1:
            before, after = old_items.get(entry.old[0]), new_items.get(entry.new[0])
            if before and after:
                lines.extend(_text_changes(before, after, [lv.name for lv in new.levels]))
    return lines


def _text_changes(before, after, level_names) -> list[str]:
    lines = []
    fields = [
        ("name", before.name, after.name),
        ("description", before.description, after.description),
        ("what it is", before.what_it_is, after.what_it_is),
        ("why it is important", before.why_it_is_important, after.why_it_is_important),
    ]
    fields += [
        (f"level {name}", b, a)
        for name, b, a in zip(level_names, before.descriptors, after.descriptors, strict=False)
    ]
    for label, b, a in fields:
        if b != a:
            lines.append(f"    {label}: {word_diff(b, a)}")
    return lines


def _implied_entries(old, new) -> list[LineageEntry]:
    old_ids = [i.id for i in old.items]
    new_ids = [i.id for i in new.items]
    entries = []
    for item_id in old_ids:
        if item_id in new_ids:
            before, after = _item(old, item_id), _item(new, item_id)
            change = "unchanged" if _texts(before) == _texts(after) else "text_changed"
            entries.append(LineageEntry(change, (item_id,), (item_id,)))
        else:
            entries.append(LineageEntry("removed", (item_id,), ()))
    entries += [LineageEntry("added", (), (i,)) for i in new_ids if i not in old_ids]
    return entries
