"""The strategy model: the typed objects everything npsxl makes or reads derives from.

A :class:`Model` is only ever built by the checks (:mod:`npsxl.model.checks`), from a model
file that passed them; load one with :func:`npsxl.model.loading.load_model`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from npsxl.model.lineage import Lineage

KEY_AREA = "key_area"
ENABLER = "enabler"
ENABLERS_GROUP_ID = "ENABLERS"
ENABLERS_GROUP_NAME = "Enablers"
COLOUR_ROLES = ("header", "theme", "input", "chosen", "target", "warning", "muted")
MIN_CONTRAST = 4.5


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
    """A validated strategy model. Build one with :func:`~npsxl.model.loading.load_model`."""

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
