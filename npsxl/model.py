"""The strategy model: typed objects loaded from ``model.yaml`` by a strict loader.

Everything npsxl makes or reads derives from a :class:`Model`. :func:`load_model`
reports every problem in the file at once, each with its file, line and path,
and never returns a model that failed validation.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import ModelError
from .problems import Location, Problem, Severity
from .yamlsource import YamlDocument, format_path, parse_yaml

DEFAULT_MODEL_PATH = Path("model.yaml")
ID_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,30}$")
KEY_AREA = "key_area"
ENABLER = "enabler"
ENABLERS_GROUP_ID = "ENABLERS"
ENABLERS_GROUP_NAME = "Enablers"
COLOUR_ROLES = ("header", "theme", "input", "chosen", "target", "warning", "muted")
MIN_CONTRAST = 4.5
_HEX = re.compile(r"^#[0-9A-Fa-f]{6}$")
_NOISE = re.compile(r"<[^>]+>|[·•\t\n]|  ")


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
    colours: dict
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
        return (
            f"{self.id} {self.version}: {len(self.themes)} themes, {len(self.key_areas)} key areas, "
            f"{len(self.enablers.items)} enablers, {len(self.items)} items, {len(self.levels)} levels, "
            f"fingerprint {self.fingerprint[:12]}"
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
    "themes": True, "enablers_description": True, "enablers": True,
}  # fmt: skip
BRAND_KEYS = {"organisation": True, "strategy_short_name": True, "font": True, "colours": True,
              "logo": False}  # fmt: skip
LEVEL_KEYS = {"name": True, "score": True}
THEME_KEYS = {"id": True, "name": True, "key_areas": True}
KEY_AREA_KEYS = {"id": True, "name": True, "description": True, "what_it_is": True,
                 "why_it_is_important": True, "levels": True, "text_note": False}  # fmt: skip
ENABLER_KEYS = {"id": True, "name": True, "levels": True, "text_note": False}
PAIR_KEYS = {"background": True, "text": True}


class _Checker:
    """Walks the parsed YAML, collecting located problems."""

    def __init__(self, doc: YamlDocument):
        self.doc = doc
        self.problems: list[Problem] = list(doc.problems)

    def problem(self, path, message, hint="", code="model-invalid", line_path=None):
        location = Location(
            file=self.doc.filename,
            line=self.doc.line(line_path if line_path is not None else path),
            path=format_path(path) or None,
        )
        self.problems.append(Problem(code, message, location, Severity.ERROR, hint))

    def mapping(self, value, path, keys: dict) -> dict | None:
        if not isinstance(value, dict):
            self.problem(path, f"expected a mapping, found {_kind(value)}", code="model-wrong-type")
            return None
        for key in value:
            if key not in keys:
                allowed = ", ".join(keys)
                self.problem(path + (key,), f"unknown key {key!r}", f"allowed keys: {allowed}",
                             code="model-unknown-key")  # fmt: skip
        for key, required in keys.items():
            if required and key not in value:
                self.problem(path, f"missing required key {key!r}", code="model-missing-key")
        return value

    def text(self, mapping, key, path, required=True) -> str:
        if mapping is None or key not in mapping:
            return ""
        value = mapping[key]
        if value is None and not required:
            return ""
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.problem(path + (key,), f"expected text, found {_kind(value)}",
                         code="model-wrong-type")  # fmt: skip
            return ""
        if not isinstance(value, str):
            self.problem(path + (key,), f"expected text, found the number {value!r}",
                         'put it in quotes, e.g. "1.0.0"', code="model-wrong-type")  # fmt: skip
            return str(value)
        text = value.strip()
        if required and not text:
            self.problem(path + (key,), "text is empty", code="model-empty-text")
        elif _NOISE.search(text):
            found = _NOISE.search(text).group(0)
            self.problem(path + (key,), f"text contains extraction noise {found!r}",
                         "remove tags, bullets, tabs, line breaks and double spaces",
                         code="model-text-noise")  # fmt: skip
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
            self.problem(path + (key,), "list is empty", code="model-empty-text")
        return value


def _kind(value) -> str:
    if value is None:
        return "nothing"
    return {dict: "a mapping", list: "a list", str: "text", bool: "true/false",
            int: "a number", float: "a number"}.get(type(value), type(value).__name__)  # fmt: skip


def _check_levels(c: _Checker, raw) -> tuple[Level, ...]:
    levels = []
    seen = set()
    for i, entry in enumerate(c.sequence(raw, "levels", ())):
        path = ("levels", i)
        entry = c.mapping(entry, path, LEVEL_KEYS)
        if entry is None:
            continue
        name = c.text(entry, "name", path)
        score = entry.get("score")
        if name.lower() in seen:
            c.problem(path + ("name",), f"level name {name!r} is used twice",
                      code="model-duplicate-level")  # fmt: skip
        seen.add(name.lower())
        if "score" in entry and (isinstance(score, bool) or score != i + 1):
            c.problem(path + ("score",), f"score {score!r} out of order: level {i + 1} must score "
                      f"{i + 1}", "scores run 1, 2, 3... in the order of the levels",
                      code="model-level-order")  # fmt: skip
        levels.append(Level(name, i + 1))
    return tuple(levels)


def _check_descriptors(c: _Checker, entry, path, levels) -> tuple[str, ...]:
    raw = entry.get("levels") if entry else None
    if raw is None:
        return ()
    level_names = [level.name for level in levels]
    keys = dict.fromkeys(level_names, True)
    mapping = c.mapping(raw, path + ("levels",), {}) if not isinstance(raw, dict) else raw
    if mapping is None:
        return ()
    unknown = [k for k in mapping if k not in keys]
    for key in unknown:
        c.problem(path + ("levels", key), f"unknown level {key!r}",
                  f"levels are: {', '.join(level_names)}", code="model-unknown-key")  # fmt: skip
    missing = [name for name in level_names if name not in mapping]
    if missing:
        c.problem(path + ("levels",), f"{len(mapping) - len(unknown)} descriptors for "
                  f"{len(level_names)} levels (missing: {', '.join(missing)})",
                  "give exactly one descriptor per level", code="model-missing-descriptor")  # fmt: skip
    return tuple(c.text(mapping, name, path + ("levels",)) for name in level_names)


def _check_id(c: _Checker, entry, path, seen_ids: dict) -> str:
    item_id = c.text(entry, "id", path)
    if not item_id:
        return ""
    if not ID_PATTERN.match(item_id):
        c.problem(path + ("id",), f"id {item_id!r} is not valid in an Excel defined name",
                  "use a letter, then letters, digits or underscores (at most 31)",
                  code="model-bad-id")  # fmt: skip
    key = item_id.upper()
    if key in seen_ids:
        c.problem(path + ("id",), f"id {item_id!r} is already used at {seen_ids[key]}",
                  "ids must be unique across the whole model", code="model-duplicate-id")  # fmt: skip
    else:
        seen_ids[key] = format_path(path)
    return item_id


def _check_brand(c: _Checker, raw) -> Brand:
    path = ("brand",)
    brand = c.mapping(raw.get("brand"), path, BRAND_KEYS) if "brand" in raw else None
    colours = {}
    if brand is not None and "colours" in brand:
        cpath = path + ("colours",)
        raw_colours = c.mapping(brand["colours"], cpath, dict.fromkeys(COLOUR_ROLES, True))
        for role in COLOUR_ROLES:
            pair = (raw_colours or {}).get(role)
            if pair is None:
                continue
            pair = c.mapping(pair, cpath + (role,), PAIR_KEYS)
            if pair is None:
                continue
            values = {}
            for key in PAIR_KEYS:
                value = c.text(pair, key, cpath + (role,))
                if value and not _HEX.match(value):
                    c.problem(cpath + (role, key), f"colour {value!r} is not #RRGGBB",
                              code="model-bad-colour")  # fmt: skip
                    value = ""
                values[key] = value
            if values.get("background") and values.get("text"):
                colour_pair = ColourPair(values["background"].upper(), values["text"].upper())
                if colour_pair.contrast < MIN_CONTRAST:
                    c.problem(cpath + (role,), f"text {colour_pair.text} on {colour_pair.background}"
                              f" has contrast {colour_pair.contrast:.2f}:1, below {MIN_CONTRAST}:1",
                              "darken the text or lighten the background",
                              code="model-low-contrast")  # fmt: skip
                colours[role] = colour_pair
    logo = None
    if brand and brand.get("logo"):
        logo_text = c.text(brand, "logo", path, required=False)
        base = Path(c.doc.filename).parent
        logo = (base / logo_text) if logo_text else None
        if logo is not None and not logo.is_file():
            c.problem(path + ("logo",), f"logo file {logo_text!r} not found",
                      "give a path relative to the model file, or null", code="model-bad-logo")  # fmt: skip
    return Brand(
        organisation=c.text(brand, "organisation", path),
        strategy_short_name=c.text(brand, "strategy_short_name", path),
        font=c.text(brand, "font", path),
        colours=colours,
        logo=logo,
    )


def _validate(doc: YamlDocument) -> tuple[Model | None, list[Problem]]:
    c = _Checker(doc)
    if doc.data is None and not doc.problems:
        c.problem((), "the model file is empty", "start from the shipped model.yaml",
                  code="model-empty")  # fmt: skip
        return None, c.problems
    if doc.data is None:
        return None, c.problems
    raw = c.mapping(doc.data, (), TOP_KEYS)
    if raw is None:
        return None, c.problems

    meta = {key: c.text(raw, key, ()) for key in
            ("id", "version", "title", "short_name", "publisher", "published", "source_url",
             "purpose")}  # fmt: skip
    if meta["published"] and not re.match(r"^\d{4}-\d{2}$", meta["published"]):
        c.problem(("published",), f"published {meta['published']!r} is not YYYY-MM",
                  code="model-wrong-type")  # fmt: skip
    brand = _check_brand(c, raw)
    levels = _check_levels(c, raw)
    seen_ids: dict[str, str] = {}

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
    if ENABLERS_GROUP_ID in seen_ids:
        c.problem((), f"id {ENABLERS_GROUP_ID!r} is reserved for the enablers group",
                  code="model-duplicate-id", line_path=())  # fmt: skip
    if c.problems:
        return None, c.problems
    enablers_group = Group(ENABLERS_GROUP_ID, ENABLERS_GROUP_NAME, tuple(enablers),
                           description=c.text(raw, "enablers_description", ()))  # fmt: skip
    model = Model(
        **meta,
        brand=brand,
        levels=levels,
        themes=tuple(themes),
        enablers=enablers_group,
        fingerprint="",
        source=doc.filename,
    )
    return _with_fingerprint(model), []


def canonical_content(model: Model) -> dict:
    """The strategy content that the fingerprint covers: everything but branding and file paths.

    Branding is presentation; changing a colour must not make earlier returns look like
    they came from a different strategy.
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
    }  # fmt: skip


def _with_fingerprint(model: Model) -> Model:
    from dataclasses import replace

    canonical = json.dumps(canonical_content(model), sort_keys=True, ensure_ascii=False,
                           separators=(",", ":"))  # fmt: skip
    return replace(model, fingerprint=hashlib.sha256(canonical.encode("utf-8")).hexdigest())


def check_model_text(text: str, filename: str = "model.yaml") -> tuple[Model | None, list[Problem]]:
    """Validate model YAML text. Returns the model (or None) and every problem found."""
    return _validate(parse_yaml(text, filename))


def model_from_text(text: str, filename: str = "model.yaml") -> Model:
    """Build a :class:`Model` from YAML text, raising :class:`ModelError` listing every problem."""
    model, problems = check_model_text(text, filename)
    if model is None:
        raise ModelError(f"{filename}: {len(problems)} problem(s) in the model", problems)
    return model


def load_model(path: str | Path = DEFAULT_MODEL_PATH) -> Model:
    """Load and validate a model file. Raises :class:`ModelError` listing every problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ModelError(
            f"{path}: model file not found",
            [Problem("model-not-found", "model file not found", Location(str(path)),
                     hint="give the path with --model, or run from the folder holding model.yaml")],
        ) from None  # fmt: skip
    except (OSError, UnicodeDecodeError) as exc:
        raise ModelError(
            f"{path}: cannot read the model file",
            [Problem("model-unreadable", f"cannot read: {exc}", Location(str(path)),
                     hint="save it as UTF-8 text")],
        ) from None  # fmt: skip
    return model_from_text(text, str(path))
