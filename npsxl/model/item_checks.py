"""The checks of a model's assessed items: the themes with their key areas, the enablers,
their ids (unique, and usable in Excel defined names) and one descriptor per level."""

from __future__ import annotations

from npsxl.core import catalogue as P
from npsxl.core.catalogue import ProblemType
from npsxl.model.checker import Checker, kind_of
from npsxl.model.model import ENABLER, ENABLERS_GROUP_ID, ENABLERS_GROUP_NAME, KEY_AREA, Group, Item
from npsxl.model.yamlsource import format_path

ID_MAX_LENGTH = 31
THEME_KEYS = {"id": True, "name": True, "key_areas": True}
KEY_AREA_KEYS = {
    "id": True,
    "name": True,
    "description": True,
    "what_it_is": True,
    "why_it_is_important": True,
    "levels": True,
    "text_note": False,
}
ENABLER_KEYS = {"id": True, "name": True, "levels": True, "text_note": False}


def _check_descriptors(c: Checker, entry, path, levels) -> tuple[str, ...]:
    if entry is None or "levels" not in entry:
        return ()  # a missing key is reported by mapping()
    lpath = path + ("levels",)
    level_names = [level.name for level in levels]
    example = f"{level_names[0]}: ..." if level_names else "Minimum: ..."
    mapping = entry["levels"]
    if not isinstance(mapping, dict):
        c.problem(
            P.MODEL_WRONG_TYPE,
            lpath,
            expected="a mapping from level name to descriptor",
            found=kind_of(mapping),
            hint=f"give one descriptor per level by name, e.g. {example}",
        )
        return ()
    for key in mapping:
        if key not in level_names:
            like = [n for n in level_names if n.casefold() == str(key).casefold()]
            hint = f"did you mean {like[0]!r}?" if like else None
            c.problem(
                P.MODEL_UNKNOWN_LEVEL,
                lpath + (key,),
                hint=hint,
                level=key,
                levels=", ".join(level_names),
            )
    missing = [name for name in level_names if name not in mapping]
    if missing:
        known = sum(1 for k in mapping if k in level_names)
        c.problem(
            P.MODEL_MISSING_DESCRIPTOR,
            lpath,
            found=known,
            count=len(level_names),
            missing=", ".join(missing),
        )
    return tuple(c.text(mapping, name, lpath) for name in level_names)


def _id_problem(item_id: str) -> tuple[ProblemType, dict] | None:
    """Why ``item_id`` cannot be part of an Excel defined name (its problem type and fields),
    or None."""
    fields = {"item_id": item_id, "max_length": ID_MAX_LENGTH}
    if len(item_id) > ID_MAX_LENGTH:
        return P.ITEM_ID_TOO_LONG, {**fields, "length": len(item_id)}
    if not (item_id[0].isascii() and item_id[0].isalpha()):
        return P.ITEM_ID_FIRST_CHARACTER, fields
    bad = "".join(
        dict.fromkeys(ch for ch in item_id if not (ch.isascii() and (ch.isalnum() or ch == "_")))
    )
    if bad:
        return P.ITEM_ID_CHARACTERS, {**fields, "characters": bad}
    return None


def _check_id(c: Checker, entry, path, seen_ids: dict) -> str:
    item_id = c.text(entry, "id", path)
    if not item_id:
        return ""
    ipath = path + ("id",)
    reason = _id_problem(item_id)
    if reason is not None:
        kind, fields = reason
        c.problem(kind, ipath, **fields)
    key = item_id.upper()  # Excel defined names ignore case
    if key == ENABLERS_GROUP_ID:
        c.problem(P.MODEL_RESERVED_ID, ipath, item_id=item_id)
    elif key in seen_ids:
        first, first_path = seen_ids[key]
        kind = P.MODEL_DUPLICATE_ID if first == item_id else P.MODEL_DUPLICATE_ID_IGNORING_CASE
        c.problem(
            kind,
            ipath,
            item_id=item_id,
            first=first,
            first_path=format_path(first_path),
            first_line=c.doc.line(first_path + ("id",)),
        )
    else:
        seen_ids[key] = (item_id, path)
    return item_id


def check_items(c: Checker, raw, levels) -> tuple[list[Group], list[Item]]:
    seen_ids: dict[str, tuple[str, tuple]] = {}
    themes = []
    for t, theme in enumerate(c.sequence(raw, "themes", ())):
        tpath = ("themes", t)
        theme = c.mapping(theme, tpath, THEME_KEYS)
        if theme is None:
            continue
        theme_id = _check_id(c, theme, tpath, seen_ids)
        theme_name = c.text(theme, "name", tpath)
        items = []
        for k, area in enumerate(c.sequence(theme, "key_areas", tpath)):
            kpath = tpath + ("key_areas", k)
            area = c.mapping(area, kpath, KEY_AREA_KEYS)
            if area is None:
                continue
            items.append(
                Item(
                    id=_check_id(c, area, kpath, seen_ids),
                    name=c.text(area, "name", kpath),
                    kind=KEY_AREA,
                    group_id=theme_id,
                    group_name=theme_name,
                    descriptors=_check_descriptors(c, area, kpath, levels),
                    description=c.text(area, "description", kpath),
                    what_it_is=c.text(area, "what_it_is", kpath),
                    why_it_is_important=c.text(area, "why_it_is_important", kpath),
                    text_note=c.text(area, "text_note", kpath, required=False),
                )
            )
        themes.append(Group(theme_id, theme_name, tuple(items)))

    enablers = []
    for e, enabler in enumerate(c.sequence(raw, "enablers", ())):
        epath = ("enablers", e)
        enabler = c.mapping(enabler, epath, ENABLER_KEYS)
        if enabler is None:
            continue
        enablers.append(
            Item(
                id=_check_id(c, enabler, epath, seen_ids),
                name=c.text(enabler, "name", epath),
                kind=ENABLER,
                group_id=ENABLERS_GROUP_ID,
                group_name=ENABLERS_GROUP_NAME,
                descriptors=_check_descriptors(c, enabler, epath, levels),
                text_note=c.text(enabler, "text_note", epath, required=False),
            )
        )
    return themes, enablers
