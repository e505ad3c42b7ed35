"""The schema of a model file: walks the parsed YAML, checks every part and builds the
:class:`~npsxl.model.model.Model`, or reports every problem at once, each located by file,
line and path. The assessed items are checked in :mod:`npsxl.model.item_checks`.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from npsxl.core import catalogue as P
from npsxl.core.problems import Problem
from npsxl.model.checker import Checker, kind_of
from npsxl.model.fingerprint import with_fingerprint
from npsxl.model.item_checks import check_items
from npsxl.model.lineage import CHANGES, SHAPES, Lineage, LineageEntry, fits_shape
from npsxl.model.model import (
    COLOUR_ROLES,
    ENABLERS_GROUP_ID,
    ENABLERS_GROUP_NAME,
    MIN_CONTRAST,
    Brand,
    ColourPair,
    Group,
    Level,
    Model,
)
from npsxl.model.yamlsource import YamlDocument

MODEL_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
VERSION_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,31}$")
MIN_LEVELS, MAX_LEVELS = 2, 9  # returns are read back with single-digit scores
LOGO_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".bmp")
_HEX = re.compile(r"^#[0-9A-Fa-f]{6}$")
_URL = re.compile(r"^https?://[^\s/]+\.[^\s]+$")

TOP_KEYS = {
    "id": True,
    "version": True,
    "title": True,
    "short_name": True,
    "publisher": True,
    "published": True,
    "source_url": True,
    "purpose": True,
    "brand": True,
    "levels": True,
    "themes": True,
    "enablers_description": True,
    "enablers": True,
    "replaces": False,
}
REPLACES_KEYS = {"id": True, "version": True, "lineage": True}
LINEAGE_KEYS = {"change": True, "old": False, "new": False, "note": False}
BRAND_KEYS = {
    "organisation": True,
    "strategy_short_name": True,
    "font": True,
    "colours": True,
    "logo": False,
}
LEVEL_KEYS = {"name": True, "score": True}
PAIR_KEYS = {"background": True, "text": True}
META_KEYS = (
    "id",
    "version",
    "title",
    "short_name",
    "publisher",
    "published",
    "source_url",
    "purpose",
)


def _is_date(text: str) -> bool:
    """``2018-06`` or ``2018-06-01``, and a real month and day."""
    if not re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", text):
        return False
    try:
        dt.date.fromisoformat(text if len(text) == 10 else text + "-01")
    except ValueError:
        return False
    return True


def _check_meta(c: Checker, raw: dict) -> dict[str, str]:
    meta = {key: c.text(raw, key, ()) for key in META_KEYS}
    if meta["id"] and not MODEL_ID_PATTERN.match(meta["id"]):
        c.problem(P.MODEL_BAD_ID, ("id",), model_id=meta["id"])
    if meta["version"] and not VERSION_PATTERN.match(meta["version"]):
        c.problem(P.MODEL_BAD_VERSION, ("version",), version=meta["version"])
    published = meta["published"]
    if published and not _is_date(published):
        c.problem(P.MODEL_BAD_DATE, ("published",), published=published)
    if meta["source_url"] and not _URL.match(meta["source_url"]):
        c.problem(P.MODEL_BAD_URL, ("source_url",), url=meta["source_url"])
    return meta


def _check_levels(c: Checker, raw) -> tuple[Level, ...]:
    levels = []
    seen: dict[str, int] = {}
    entries = c.sequence(raw, "levels", ())
    if entries and not MIN_LEVELS <= len(entries) <= MAX_LEVELS:
        c.problem(
            P.MODEL_LEVEL_COUNT,
            ("levels",),
            count=len(entries),
            minimum=MIN_LEVELS,
            maximum=MAX_LEVELS,
        )
    for i, entry in enumerate(entries):
        path = ("levels", i)
        entry = c.mapping(entry, path, LEVEL_KEYS, "e.g. {name: Minimum, score: 1}")
        if entry is None:
            continue
        name = c.text(entry, "name", path)
        if name and name.casefold() in seen:
            c.problem(
                P.MODEL_DUPLICATE_LEVEL, path + ("name",), name=name, first=seen[name.casefold()]
            )
        elif name:
            seen[name.casefold()] = i
        if "score" in entry:
            score = entry["score"]
            if isinstance(score, bool) or not isinstance(score, int):
                c.problem(P.MODEL_SCORE_NOT_A_NUMBER, path + ("score",), found=kind_of(score))
            elif score != i + 1:
                c.problem(P.MODEL_LEVEL_ORDER, path + ("score",), score=score, position=i + 1)
        levels.append(Level(name, i + 1))
    return tuple(levels)


def _check_colours(c: Checker, brand, path) -> dict[str, ColourPair]:
    colours: dict[str, ColourPair] = {}
    if brand is None or "colours" not in brand:
        return colours
    cpath = path + ("colours",)
    raw = c.mapping(brand["colours"], cpath, dict.fromkeys(COLOUR_ROLES, True))
    for role in COLOUR_ROLES:
        if raw is None or role not in raw:
            continue
        rpath = cpath + (role,)
        pair = c.mapping(
            raw[role], rpath, PAIR_KEYS, 'e.g. {background: "#1F3864", text: "#FFFFFF"}'
        )
        if pair is None:
            continue
        values = {}
        for key in PAIR_KEYS:
            if key not in pair:
                continue
            value = pair[key]
            if value is None:
                c.problem(P.MODEL_EMPTY_COLOUR, rpath + (key,))
            elif not isinstance(value, str) or not _HEX.match(value.strip()):
                c.problem(P.MODEL_BAD_COLOUR, rpath + (key,), value=value)
            else:
                values[key] = value.strip().upper()
        if len(values) == len(PAIR_KEYS):
            colour_pair = ColourPair(values["background"], values["text"])
            if colour_pair.contrast < MIN_CONTRAST:
                c.problem(
                    P.MODEL_LOW_CONTRAST,
                    rpath,
                    text=colour_pair.text,
                    background=colour_pair.background,
                    contrast=colour_pair.contrast,
                    minimum=MIN_CONTRAST,
                )
            colours[role] = colour_pair
    return colours


def _check_brand(c: Checker, raw) -> Brand:
    path = ("brand",)
    brand = c.mapping(raw["brand"], path, BRAND_KEYS) if "brand" in raw else None
    colours = _check_colours(c, brand, path)
    logo = None
    logo_text = c.text(brand, "logo", path, required=False)
    if logo_text:
        logo = Path(c.doc.filename).parent / logo_text
        try:
            found = logo.is_file()
        except (OSError, ValueError):  # e.g. a name too long for the file system
            found = False
        if not found:
            c.problem(P.MODEL_BAD_LOGO, path + ("logo",), logo=logo_text)
        elif logo.suffix.lower() not in LOGO_SUFFIXES:
            c.problem(P.MODEL_LOGO_NOT_AN_IMAGE, path + ("logo",), logo=logo_text)
    return Brand(
        organisation=c.text(brand, "organisation", path),
        strategy_short_name=c.text(brand, "strategy_short_name", path),
        font=c.text(brand, "font", path),
        colours=colours,
        logo=logo,
    )


def check_document(doc: YamlDocument) -> tuple[Model | None, list[Problem]]:
    """The model a parsed model file describes, with its fingerprint, or None and every
    problem found (those of the YAML reader included), in line order."""
    c = Checker(doc)
    if doc.data is None and not doc.problems:
        doc.lines.setdefault((), 1)
        c.problem(P.MODEL_EMPTY, ())
    raw = None
    if doc.data is not None or not c.problems:
        raw = c.mapping(doc.data, (), TOP_KEYS, "a model file is a mapping: id:, version:, ...")
    if raw is None:
        return None, _in_line_order(c.problems)

    meta = _check_meta(c, raw)
    brand = _check_brand(c, raw)
    levels = _check_levels(c, raw)
    themes, enablers = check_items(c, raw, levels)
    enablers_description = c.text(raw, "enablers_description", ())
    item_ids = {item.id for group in themes for item in group.items} | {i.id for i in enablers}
    replaces = _check_replaces(c, raw, item_ids)
    if c.problems:
        return None, _in_line_order(c.problems)
    model = Model(
        **meta,
        brand=brand,
        levels=levels,
        themes=tuple(themes),
        enablers=Group(
            ENABLERS_GROUP_ID,
            ENABLERS_GROUP_NAME,
            tuple(enablers),
            description=enablers_description,
        ),
        fingerprint="",
        source=doc.filename,
        replaces=replaces,
    )
    return with_fingerprint(model), []


def _id_list(c: Checker, entry: dict, key: str, path) -> tuple[str, ...]:
    value = entry.get(key)
    if value is None:
        return ()
    values = value if isinstance(value, list) else [value]
    ids = []
    for i, one in enumerate(values):
        if not isinstance(one, str) or not one.strip():
            where = path + (key, i) if isinstance(value, list) else path + (key,)
            c.problem(P.LINEAGE_ID_NOT_TEXT, where, found=kind_of(one))
            continue
        ids.append(one.strip())
    return tuple(ids)


def _check_replaces(c: Checker, raw: dict, item_ids: set[str]) -> Lineage | None:
    """The ``replaces:`` block. Old ids are checked against the old model by the archive."""
    if "replaces" not in raw:
        return None
    path = ("replaces",)
    block = c.mapping(raw["replaces"], path, REPLACES_KEYS)
    if block is None:
        return None
    model_id = c.text(block, "id", path)
    version = c.text(block, "version", path)
    entries = []
    seen_new: dict[str, int | None] = {}
    for i, entry in enumerate(c.sequence(block, "lineage", path)):
        epath = path + ("lineage", i)
        entry = c.mapping(entry, epath, LINEAGE_KEYS)
        if entry is None:
            continue
        change = c.text(entry, "change", epath)
        if change and change not in CHANGES:
            c.problem(
                P.LINEAGE_UNKNOWN_CHANGE,
                epath + ("change",),
                change=change,
                changes=", ".join(CHANGES),
            )
            continue
        old, new = _id_list(c, entry, "old", epath), _id_list(c, entry, "new", epath)
        line = c.doc.line(epath)
        if change:
            shapes = SHAPES[change]
            if not fits_shape(shapes[0], old) or not fits_shape(shapes[1], new):
                c.problem(
                    P.LINEAGE_SHAPE,
                    epath,
                    change=change.replace("_", " "),
                    old_shape=shapes[0],
                    new_shape=shapes[1],
                    old_count=len(old),
                    new_count=len(new),
                )
        for item_id in new:
            if item_id not in item_ids:
                c.problem(P.LINEAGE_NEW_NOT_IN_MODEL, epath + ("new",), item_id=item_id)
            elif item_id in seen_new:
                c.problem(
                    P.LINEAGE_NEW_TWICE, epath + ("new",), item_id=item_id, line=seen_new[item_id]
                )
            seen_new.setdefault(item_id, line)
        entries.append(
            LineageEntry(change, old, new, c.text(entry, "note", epath, required=False), line)
        )
    for item_id in sorted(item_ids - set(seen_new)):
        c.problem(P.LINEAGE_NEW_UNACCOUNTED, path + ("lineage",), item_id=item_id)
    return Lineage(model_id, version, tuple(entries), c.doc.filename)


def _in_line_order(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: p.location.line or 0)
