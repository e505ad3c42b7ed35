"""The schema of a model file: walks the parsed YAML, checks every part and builds the
:class:`~npsxl.model.model.Model`, or reports every problem at once, each located by file,
line and path. The assessed items are checked in :mod:`npsxl.model.item_checks`.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

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
    "id": True, "version": True, "title": True, "short_name": True, "publisher": True,
    "published": True, "source_url": True, "purpose": True, "brand": True, "levels": True,
    "themes": True, "enablers_description": True, "enablers": True, "replaces": False,
}  # fmt: skip
REPLACES_KEYS = {"id": True, "version": True, "lineage": True}
LINEAGE_KEYS = {"change": True, "old": False, "new": False, "note": False}
BRAND_KEYS = {"organisation": True, "strategy_short_name": True, "font": True, "colours": True,
              "logo": False}  # fmt: skip
LEVEL_KEYS = {"name": True, "score": True}
PAIR_KEYS = {"background": True, "text": True}
META_KEYS = ("id", "version", "title", "short_name", "publisher", "published", "source_url",
             "purpose")  # fmt: skip


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
        c.problem(("id",), f"model id {meta['id']!r} is not valid",
                  "use letters, digits, '.', '_' or '-' (no spaces), at most 64",
                  code="model-bad-id")  # fmt: skip
    if meta["version"] and not VERSION_PATTERN.match(meta["version"]):
        c.problem(("version",), f"version {meta['version']!r} is not valid",
                  'use letters, digits, ".", "_", "+" or "-" (no spaces), e.g. "1.0.1"',
                  code="model-bad-version")  # fmt: skip
    published = meta["published"]
    if published and not _is_date(published):
        c.problem(("published",), f"published {published!r} is not a date as YYYY-MM or "
                  "YYYY-MM-DD", 'e.g. "2018-06"', code="model-bad-date")  # fmt: skip
    if meta["source_url"] and not _URL.match(meta["source_url"]):
        c.problem(("source_url",), f"source_url {meta['source_url']!r} is not a web address",
                  "start it with https://", code="model-bad-url")  # fmt: skip
    return meta


def _check_levels(c: Checker, raw) -> tuple[Level, ...]:
    levels = []
    seen: dict[str, int] = {}
    entries = c.sequence(raw, "levels", ())
    if entries and not MIN_LEVELS <= len(entries) <= MAX_LEVELS:
        c.problem(("levels",), f"{len(entries)} levels: a model needs {MIN_LEVELS} to "
                  f"{MAX_LEVELS}", code="model-level-count")  # fmt: skip
    for i, entry in enumerate(entries):
        path = ("levels", i)
        entry = c.mapping(entry, path, LEVEL_KEYS, "e.g. {name: Minimum, score: 1}")
        if entry is None:
            continue
        name = c.text(entry, "name", path)
        if name and name.casefold() in seen:
            c.problem(
                path + ("name",),
                f"level name {name!r} is used twice (first at levels[{seen[name.casefold()]}])",
                code="model-duplicate-level",
            )
        elif name:
            seen[name.casefold()] = i
        if "score" in entry:
            score = entry["score"]
            if isinstance(score, bool) or not isinstance(score, int):
                c.problem(path + ("score",), f"score must be a whole number, found "
                          f"{kind_of(score)}", code="model-wrong-type")  # fmt: skip
            elif score != i + 1:
                c.problem(path + ("score",), f"score {score} out of order: level {i + 1} must "
                          f"score {i + 1}", "scores run 1, 2, 3... in the order of the levels",
                          code="model-level-order")  # fmt: skip
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
        pair = c.mapping(raw[role], rpath, PAIR_KEYS,
                         'e.g. {background: "#1F3864", text: "#FFFFFF"}')  # fmt: skip
        if pair is None:
            continue
        values = {}
        for key in PAIR_KEYS:
            if key not in pair:
                continue
            value = pair[key]
            if value is None:
                c.problem(rpath + (key,), "colour is empty",
                          'put it in quotes, e.g. "#1F3864": an unquoted # starts a YAML comment',
                          code="model-bad-colour")  # fmt: skip
            elif not isinstance(value, str) or not _HEX.match(value.strip()):
                c.problem(
                    rpath + (key,),
                    f"colour {value!r} is not #RRGGBB",
                    'six hex digits in quotes, e.g. "#1F3864"',
                    code="model-bad-colour",
                )
            else:
                values[key] = value.strip().upper()
        if len(values) == len(PAIR_KEYS):
            colour_pair = ColourPair(values["background"], values["text"])
            if colour_pair.contrast < MIN_CONTRAST:
                c.problem(rpath, f"text {colour_pair.text} on {colour_pair.background} has "
                          f"contrast {colour_pair.contrast:.2f}:1, below {MIN_CONTRAST}:1",
                          "darken the text or lighten the background",
                          code="model-low-contrast")  # fmt: skip
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
            c.problem(
                path + ("logo",),
                f"logo file {logo_text!r} not found",
                "give a path relative to the model file, or null",
                code="model-bad-logo",
            )
        elif logo.suffix.lower() not in LOGO_SUFFIXES:
            c.problem(path + ("logo",), f"logo file {logo_text!r} is not a PNG, JPEG, GIF or "
                      "BMP image", code="model-bad-logo")  # fmt: skip
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
        c.problem((), "the model file is empty", "start from the shipped model.yaml",
                  code="model-empty")  # fmt: skip
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
        ),  # fmt: skip
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
            c.problem(where, f"expected an item id, found {kind_of(one)}",
                      "give an id such as L2, or a list of ids", code="model-lineage")  # fmt: skip
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
            c.problem(epath + ("change",), f"unknown change {change!r}",
                      f"use one of: {', '.join(CHANGES)}", code="model-lineage")  # fmt: skip
            continue
        old, new = _id_list(c, entry, "old", epath), _id_list(c, entry, "new", epath)
        line = c.doc.line(epath)
        if change:
            shapes = SHAPES[change]
            if not fits_shape(shapes[0], old) or not fits_shape(shapes[1], new):
                c.problem(epath, f"a {change.replace('_', ' ')} entry needs {shapes[0]} old and "
                          f"{shapes[1]} new item(s); found {len(old)} old, {len(new)} new",
                          code="model-lineage")  # fmt: skip
        for item_id in new:
            if item_id not in item_ids:
                c.problem(epath + ("new",), f"new item {item_id!r} is not in this model",
                          code="model-lineage")  # fmt: skip
            elif item_id in seen_new:
                c.problem(epath + ("new",), f"new item {item_id} already comes from the entry "
                          f"at line {seen_new[item_id]}", code="model-lineage")  # fmt: skip
            seen_new.setdefault(item_id, line)
        entries.append(LineageEntry(change, old, new, c.text(entry, "note", epath, required=False),
                                    line))  # fmt: skip
    for item_id in sorted(item_ids - set(seen_new)):
        c.problem(path + ("lineage",), f"item {item_id} of this model does not say where it "
                  "comes from", "add an entry for it (change: added, if it is new)",
                  code="model-lineage")  # fmt: skip
    return Lineage(model_id, version, tuple(entries), c.doc.filename)


def _in_line_order(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: p.location.line or 0)
