"""The strategy model: typed objects loaded from ``model.yaml`` by a strict loader.

Everything npsxl makes or reads derives from a :class:`Model`. :func:`load_model`
reports every problem in the file at once, each with its file, line and path,
and never returns a model that failed validation. Whatever is in the file, the
only exception it raises is :class:`~npsxl.core.errors.ModelError`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from npsxl.core.errors import ModelError
from npsxl.core.problems import Location, Problem, Severity
from npsxl.model.lineage import CHANGES, SHAPES, Lineage, LineageEntry
from npsxl.model.yamlsource import YamlDocument, format_path, parse_yaml

DEFAULT_MODEL_PATH = Path("model.yaml")
MAX_MODEL_BYTES = 2_000_000  # the shipped model is about 32 kB
ID_MAX_LENGTH = 31
ID_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,30}$")
MODEL_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
VERSION_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,31}$")
MIN_LEVELS, MAX_LEVELS = 2, 9  # returns are read back with single-digit scores
KEY_AREA = "key_area"
ENABLER = "enabler"
ENABLERS_GROUP_ID = "ENABLERS"
ENABLERS_GROUP_NAME = "Enablers"
COLOUR_ROLES = ("header", "theme", "input", "chosen", "target", "warning", "muted")
MIN_CONTRAST = 4.5
LOGO_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".bmp")
_HEX = re.compile(r"^#[0-9A-Fa-f]{6}$")
_URL = re.compile(r"^https?://[^\s/]+\.[^\s]+$")
# Left behind by PDF extraction: markup, bullets, tabs, line breaks, invisible characters,
# and double spaces. Text is folded onto one line; blank lines in a >- block become "\n".
_NOISE = re.compile(
    r"</?[A-Za-z][^<>]*>"  # markup such as <b>
    r"|[·•▪◦‣\uf0b7]"  # bullets
    r"|[\x00-\x1f\x7f-\x9f]"  # control characters: tabs, line breaks, ...
    r"|[\u00a0\u00ad\u200b\u2028\u2029\ufeff\ufffd]"  # invisible or replacement characters
    r"|  "  # double spaces
)


@dataclass(frozen=True)
class Level:
    name: str
    score: int


@dataclass(frozen=True)
class Item:
    """An assessed item: a key area (under a theme) or an enabler."""

    id: str
    name: str
    kind: str  # KEY_AREA or ENABLER
    group_id: str  # the theme id, or ENABLERS_GROUP_ID
    group_name: str
    descriptors: tuple[str, ...]  # one per level, in level order
    description: str = ""
    what_it_is: str = ""
    why_it_is_important: str = ""
    text_note: str = ""


@dataclass(frozen=True)
class Group:
    """A theme with its key areas, or the enablers."""

    id: str
    name: str
    items: tuple[Item, ...]
    description: str = ""


@dataclass(frozen=True)
class ColourPair:
    background: str
    text: str

    @property
    def contrast(self) -> float:
        return contrast_ratio(self.text, self.background)


@dataclass(frozen=True)
class Brand:
    organisation: str
    strategy_short_name: str
    font: str
    colours: dict[str, ColourPair] = field(default_factory=dict)  # by role, see COLOUR_ROLES
    logo: Path | None = None


@dataclass(frozen=True)
class Model:
    """A validated strategy model. Build one with :func:`load_model` or :func:`model_from_text`."""

    id: str
    version: str
    title: str
    short_name: str
    publisher: str
    published: str
    source_url: str
    purpose: str
    brand: Brand
    levels: tuple[Level, ...]
    themes: tuple[Group, ...]
    enablers: Group
    fingerprint: str
    source: str = ""
    replaces: Lineage | None = None  # how this version relates to the one it replaces

    @property
    def groups(self) -> tuple[Group, ...]:
        """The themes, then the enablers: the order of rows in the workbook."""
        return (*self.themes, self.enablers)

    @property
    def items(self) -> tuple[Item, ...]:
        return tuple(item for group in self.groups for item in group.items)

    @property
    def key_areas(self) -> tuple[Item, ...]:
        return tuple(item for theme in self.themes for item in theme.items)

    @property
    def level_names(self) -> tuple[str, ...]:
        return tuple(level.name for level in self.levels)

    def item(self, item_id: str) -> Item:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    def level(self, name_or_score) -> Level:
        for level in self.levels:
            if level.name == name_or_score or level.score == name_or_score:
                return level
        raise KeyError(name_or_score)

    def summary(self) -> str:
        """One line: id, version, counts and the full fingerprint."""
        return (
            f"{self.id} {self.version}: {len(self.themes)} themes, "
            f"{len(self.key_areas)} key areas, {len(self.enablers.items)} enablers, "
            f"{len(self.items)} items, {len(self.levels)} levels, fingerprint {self.fingerprint}"
        )


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio between two ``#RRGGBB`` colours."""

    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


# --- schema -------------------------------------------------------------------------------------

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
THEME_KEYS = {"id": True, "name": True, "key_areas": True}
KEY_AREA_KEYS = {"id": True, "name": True, "description": True, "what_it_is": True,
                 "why_it_is_important": True, "levels": True, "text_note": False}  # fmt: skip
ENABLER_KEYS = {"id": True, "name": True, "levels": True, "text_note": False}
PAIR_KEYS = {"background": True, "text": True}
META_KEYS = ("id", "version", "title", "short_name", "publisher", "published", "source_url",
             "purpose")  # fmt: skip


def _kind(value) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, dt.date):
        return "a date"
    return {dict: "a mapping", list: "a list", str: "text", bool: "true/false",
            int: "a number", float: "a number"}.get(type(value), type(value).__name__)  # fmt: skip


class _Checker:
    """Walks the parsed YAML, collecting located problems."""

    def __init__(self, doc: YamlDocument):
        self.doc = doc
        self.problems: list[Problem] = list(doc.problems)

    def problem(self, path, message, hint="", code="model-invalid"):
        if tuple(path) in self.doc.invalid:
            return  # the YAML reader already reported this value
        location = Location(file=self.doc.filename, line=self.doc.line(path),
                            path=format_path(path) or None)  # fmt: skip
        self.problems.append(Problem(code, message, location, Severity.ERROR, hint))

    def mapping(self, value, path, keys: dict, hint="") -> dict | None:
        """``value`` if it is a mapping; unknown and missing keys are reported."""
        if not isinstance(value, dict):
            self.problem(path, f"expected a mapping, found {_kind(value)}", hint,
                         code="model-wrong-type")  # fmt: skip
            return None
        for key in value:
            if key not in keys:
                self.problem(
                    path + (key,),
                    f"unknown key {key!r}",
                    f"allowed keys: {', '.join(keys)}",
                    code="model-unknown-key",
                )
        for key, required in keys.items():
            if required and key not in value:
                self.problem(path, f"missing required key {key!r}", code="model-missing-key")
        return value

    def text(self, mapping, key, path, required=True) -> str:
        """The stripped text at ``mapping[key]``; "" (and a problem) if it is not clean text."""
        if mapping is None or key not in mapping:
            return ""
        value, where = mapping[key], path + (key,)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.problem(where, "text is empty", code="model-empty-text")
            return ""
        if not isinstance(value, str):
            hint = "put it in quotes to make it text"
            if isinstance(value, dt.date):
                what = f"the date {value.isoformat()}"
                hint = f'YAML reads an unquoted date as a date: write "{value.isoformat()}"'
            elif isinstance(value, bool):
                what = "true/false"
                hint = "YAML reads unquoted yes/no/on/off/true/false as true/false: " + hint
            elif isinstance(value, (int, float)):
                what = f"the number {value!r}"
                hint = f'put it in quotes, e.g. "{value}"'
            else:
                what = _kind(value)
                hint = ""
            self.problem(where, f"expected text, found {what}", hint, code="model-wrong-type")
            return ""
        text = value.strip()
        found = _NOISE.search(text)
        if found:
            self.problem(where, f"text contains extraction noise {found.group(0)!r}",
                         "remove tags, bullets, tabs, line breaks, invisible characters and "
                         "double spaces", code="model-text-noise")  # fmt: skip
        return text

    def sequence(self, mapping, key, path) -> list:
        if mapping is None or key not in mapping:
            return []
        value = mapping[key]
        if not isinstance(value, list):
            self.problem(path + (key,), f"expected a list, found {_kind(value)}",
                         code="model-wrong-type")  # fmt: skip
            return []
        if not value:
            self.problem(path + (key,), "list is empty", code="model-empty-list")
        return value


def _is_date(text: str) -> bool:
    """``2018-06`` or ``2018-06-01``, and a real month and day."""
    if not re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", text):
        return False
    try:
        dt.date.fromisoformat(text if len(text) == 10 else text + "-01")
    except ValueError:
        return False
    return True


def _check_meta(c: _Checker, raw: dict) -> dict[str, str]:
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


def _check_levels(c: _Checker, raw) -> tuple[Level, ...]:
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
                          f"{_kind(score)}", code="model-wrong-type")  # fmt: skip
            elif score != i + 1:
                c.problem(path + ("score",), f"score {score} out of order: level {i + 1} must "
                          f"score {i + 1}", "scores run 1, 2, 3... in the order of the levels",
                          code="model-level-order")  # fmt: skip
        levels.append(Level(name, i + 1))
    return tuple(levels)


def _check_descriptors(c: _Checker, entry, path, levels) -> tuple[str, ...]:
    if entry is None or "levels" not in entry:
        return ()  # a missing key is reported by mapping()
    lpath = path + ("levels",)
    level_names = [level.name for level in levels]
    example = f"{level_names[0]}: ..." if level_names else "Minimum: ..."
    mapping = entry["levels"]
    if not isinstance(mapping, dict):
        c.problem(lpath, f"expected a mapping from level name to descriptor, found "
                  f"{_kind(mapping)}", f"give one descriptor per level by name, e.g. {example}",
                  code="model-wrong-type")  # fmt: skip
        return ()
    for key in mapping:
        if key not in level_names:
            like = [n for n in level_names if n.casefold() == str(key).casefold()]
            hint = f"did you mean {like[0]!r}?" if like else f"levels are: {', '.join(level_names)}"
            c.problem(lpath + (key,), f"unknown level {key!r}", hint, code="model-unknown-level")
    missing = [name for name in level_names if name not in mapping]
    if missing:
        known = sum(1 for k in mapping if k in level_names)
        c.problem(lpath, f"{known} descriptors for {len(level_names)} levels (missing: "
                  f"{', '.join(missing)})", "give exactly one descriptor per level",
                  code="model-missing-descriptor")  # fmt: skip
    return tuple(c.text(mapping, name, lpath) for name in level_names)


def _id_problem(item_id: str) -> str:
    """Why ``item_id`` cannot be part of an Excel defined name, or ""."""
    if len(item_id) > ID_MAX_LENGTH:
        return f"id {item_id!r} is {len(item_id)} characters long; at most {ID_MAX_LENGTH}"
    if not (item_id[0].isascii() and item_id[0].isalpha()):
        return f"id {item_id!r} must start with a letter"
    bad = "".join(
        dict.fromkeys(ch for ch in item_id if not (ch.isascii() and (ch.isalnum() or ch == "_")))
    )
    if bad:
        return f"id {item_id!r} contains {bad!r}: only letters, digits and underscores are allowed"
    return ""


def _check_id(c: _Checker, entry, path, seen_ids: dict) -> str:
    item_id = c.text(entry, "id", path)
    if not item_id:
        return ""
    ipath = path + ("id",)
    reason = _id_problem(item_id)
    if reason:
        c.problem(
            ipath,
            reason,
            "ids are used in Excel defined names: a letter, then letters, "
            f"digits or underscores, at most {ID_MAX_LENGTH}",
            code="model-bad-id",
        )
    key = item_id.upper()  # Excel defined names ignore case
    if key == ENABLERS_GROUP_ID:
        c.problem(ipath, f"id {item_id!r} is reserved for the enablers group",
                  "choose another id", code="model-reserved-id")  # fmt: skip
    elif key in seen_ids:
        first, first_path = seen_ids[key]
        same = "" if first == item_id else f" as {first!r} (ids are compared ignoring case)"
        c.problem(
            ipath,
            f"id {item_id!r} is already used{same} at {format_path(first_path)} "
            f"(line {c.doc.line(first_path + ('id',))})",
            "ids must be unique across the whole model",
            code="model-duplicate-id",
        )
    else:
        seen_ids[key] = (item_id, path)
    return item_id


def _check_colours(c: _Checker, brand, path) -> dict[str, ColourPair]:
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


def _check_brand(c: _Checker, raw) -> Brand:
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


def _check_items(c: _Checker, raw, levels) -> tuple[list[Group], list[Item]]:
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


def _validate(doc: YamlDocument) -> tuple[Model | None, list[Problem]]:
    c = _Checker(doc)
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
    themes, enablers = _check_items(c, raw, levels)
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
    return _with_fingerprint(model), []


def _id_list(c: _Checker, entry: dict, key: str, path) -> tuple[str, ...]:
    value = entry.get(key)
    if value is None:
        return ()
    values = value if isinstance(value, list) else [value]
    ids = []
    for i, one in enumerate(values):
        if not isinstance(one, str) or not one.strip():
            where = path + (key, i) if isinstance(value, list) else path + (key,)
            c.problem(where, f"expected an item id, found {_kind(one)}",
                      "give an id such as L2, or a list of ids", code="model-lineage")  # fmt: skip
            continue
        ids.append(one.strip())
    return tuple(ids)


def _check_replaces(c: _Checker, raw: dict, item_ids: set[str]) -> Lineage | None:
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
            counts = {"one": lambda n: n == 1, "many": lambda n: n >= 2,
                      "some": lambda n: n >= 1, "none": lambda n: n == 0}  # fmt: skip
            if not counts[shapes[0]](len(old)) or not counts[shapes[1]](len(new)):
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


def canonical_content(model: Model) -> dict:
    """The strategy content that the fingerprint covers: everything but branding and file paths.

    Branding is presentation; changing a colour, the font or the logo must not make earlier
    returns look like they came from a different strategy. Text is compared after YAML has
    parsed it (and leading and trailing whitespace is stripped), so reformatting the file,
    reordering keys, requoting or editing comments leaves the fingerprint unchanged, while
    any change to the words, ids, order of items or levels changes it.
    """

    def item(i: Item) -> dict:
        return {
            "id": i.id, "name": i.name, "kind": i.kind, "group": i.group_id,
            "description": i.description, "what_it_is": i.what_it_is,
            "why_it_is_important": i.why_it_is_important, "descriptors": list(i.descriptors),
            "text_note": i.text_note,
        }  # fmt: skip

    return {
        "id": model.id, "version": model.version, "title": model.title,
        "short_name": model.short_name, "publisher": model.publisher,
        "published": model.published, "source_url": model.source_url, "purpose": model.purpose,
        "levels": [[level.name, level.score] for level in model.levels],
        "groups": [{"id": g.id, "name": g.name, "description": g.description,
                    "items": [item(i) for i in g.items]} for g in model.groups],
        **({"replaces": _lineage_content(model.replaces)} if model.replaces else {}),
    }  # fmt: skip


def _lineage_content(lineage: Lineage) -> dict:
    entries = [[e.change, list(e.old), list(e.new), e.note] for e in lineage.entries]
    return {"id": lineage.model_id, "version": lineage.version, "lineage": entries}


def _with_fingerprint(model: Model) -> Model:
    canonical = json.dumps(canonical_content(model), sort_keys=True, ensure_ascii=False,
                           separators=(",", ":"))  # fmt: skip
    return replace(model, fingerprint=hashlib.sha256(canonical.encode("utf-8")).hexdigest())


def check_model_text(text: str, filename: str = "model.yaml") -> tuple[Model | None, list[Problem]]:
    """Validate model YAML text. Returns the model (or None) and every problem found.

    ``filename`` is used in problem locations and as the folder a logo path is relative to.
    """
    return _validate(parse_yaml(text, filename))


def model_from_text(text: str, filename: str = "model.yaml") -> Model:
    """Build a :class:`Model` from YAML text, raising :class:`ModelError` listing every problem."""
    model, problems = check_model_text(text, filename)
    if model is None:
        raise ModelError(f"{filename}: {len(problems)} problem(s) in the model", problems)
    return model


def _unreadable(path: Path, code: str, message: str, hint: str, line: int | None = None):
    problem = Problem(code, message, Location(str(path), line=line), hint=hint)
    return ModelError(f"{path}: {message}", [problem])


def read_model_text(path: str | Path) -> str:
    """The text of a model file, or :class:`ModelError` with one located problem."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_MODEL_BYTES + 1)
    except FileNotFoundError:
        raise _unreadable(
            path,
            "model-not-found",
            "model file not found",
            "give the path of model.yaml, or run from the folder holding it",
        ) from None
    except IsADirectoryError:
        raise _unreadable(path, "model-unreadable", "this is a folder, not a model file",
                          "give the path of the model file itself") from None  # fmt: skip
    except OSError as exc:
        raise _unreadable(
            path,
            "model-unreadable",
            f"cannot read the model file: {exc.strerror or exc}",
            "check the file's permissions",
        ) from None
    if len(data) > MAX_MODEL_BYTES:
        raise _unreadable(path, "model-too-large", f"the model file is larger than "
                          f"{MAX_MODEL_BYTES:,} bytes", "is this really a model file?")  # fmt: skip
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise _unreadable(path, "model-not-utf8", f"byte 0x{data[exc.start]:02X} is not UTF-8 text",
                          "save the file as UTF-8", line=line) from None  # fmt: skip


def load_model(path: str | Path = DEFAULT_MODEL_PATH) -> Model:
    """Load and validate a model file. Raises :class:`ModelError` listing every problem."""
    return model_from_text(read_model_text(path), str(path))
