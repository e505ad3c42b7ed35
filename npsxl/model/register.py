"""The council register: which councils exist, and matching names or codes to them.

A :class:`Register` holds one council per row of a register file (read and checked by
:func:`npsxl.model.register_csv.load_register`). :meth:`Register.match` finds a council from
a code or a loosely written name ("Leeds", "leeds city council", "Brighton & Hove").
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from npsxl.core.errors import CouncilNotFound, NpsxlError
from npsxl.core.problems import Problem

REGIONS: tuple[str, ...] = (
    "North East",
    "North West",
    "Yorkshire and The Humber",
    "East Midlands",
    "West Midlands",
    "East of England",
    "London",
    "South East",
    "South West",
)
"""The nine English regions, in the usual (ONS) order."""

COUNCIL_TYPES: tuple[str, ...] = (
    "county",
    "district",
    "unitary",
    "metropolitan district",
    "London borough",
    "City of London",
)
"""Recognised values of the optional ``council_type`` column."""


def council_type_label(council_type: str) -> str:
    """A council type as people read it, capitalised: 'metropolitan district' is shown as
    'Metropolitan district' ('London borough' and 'City of London' as they are). The data
    (the register, the CSV files) keeps the value as it is."""
    return council_type[:1].upper() + council_type[1:]


STANDARD_GROUPINGS: tuple[str, ...] = ("region", "council_type")
"""The register columns every collation is summarised by; ``--group-by`` adds others."""


# Words stripped from the start / end of a name by normalise_council_name, longest first.
_PREFIXES = (
    "london borough of",
    "royal borough of",
    "borough council of",
    "council of the",
    "borough of",
    "city of",
)
_SUFFIXES = (
    "metropolitan borough council",
    "metropolitan district council",
    "city and district council",
    "borough council",
    "district council",
    "county council",
    "city council",
    "council",
    "borough",
    "district",
    "county",
    "city",
)
_PREFIX_WORDS = [tuple(p.split()) for p in _PREFIXES]
_SUFFIX_WORDS = [tuple(s.split()) for s in _SUFFIXES]

_MAX_SUGGESTIONS = 5


def fold(text: str) -> str:
    """Case-fold and collapse whitespace: how codes, regions and column names are compared."""
    return " ".join(text.split()).casefold()


def _simplify(text: str) -> str:
    """Lower-case, '&' -> 'and', punctuation dropped, hyphens as spaces, whitespace collapsed."""
    text = text.casefold().replace("&", " and ")
    text = re.sub(r"[\u2019'`.,()]", "", text)
    text = re.sub(r"[-\u2013\u2014/]", " ", text)
    return " ".join(text.split())


def normalise_council_name(text: str) -> str:
    """Reduce a council name to a key for loose matching.

    Case, runs of whitespace, "&" versus "and", hyphens and punctuation such as
    ``. , '`` are ignored, and one common prefix ("London Borough of", "Royal
    Borough of", "City of", "Borough of", "Council of the", ...) and one common
    suffix ("Council", "City Council", "Borough Council", "District Council",
    "County Council", "Metropolitan Borough Council", ...) are removed, so
    ``normalise_council_name("Leeds City Council") == normalise_council_name("LEEDS")``.
    A name that is nothing but a prefix or suffix is left as it is.
    """
    words = _simplify(text).split()
    for prefix in _PREFIX_WORDS:
        if len(words) > len(prefix) and tuple(words[: len(prefix)]) == prefix:
            words = words[len(prefix) :]
            break
    for suffix in _SUFFIX_WORDS:
        if len(words) > len(suffix) and tuple(words[-len(suffix) :]) == suffix:
            words = words[: -len(suffix)]
            break
    return " ".join(words)


@dataclass(frozen=True, slots=True)
class Council:
    """One council in a register."""

    code: str
    """ONS GSS code, e.g. ``E08000035``."""
    register_code: str
    """Three-letter local-authority code, e.g. ``LDS``; may be empty."""
    name: str
    """Official name, e.g. ``Leeds City Council``."""
    short_name: str
    """Everyday name, e.g. ``Leeds``; the official name if the register has none."""
    region: str
    """One of :data:`REGIONS`."""
    council_type: str
    """Usually one of :data:`COUNCIL_TYPES`; may be empty."""
    extra: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)
    """Values of the register's extra columns, in file order."""

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


def _ambiguous(query: str, candidates: list[Council]) -> CouncilNotFound:
    return CouncilNotFound(query, [c.name for c in candidates])


@dataclass
class Register:
    """The councils from one register file, with lookup by code, name and region."""

    councils: tuple[Council, ...]
    source: str = ""
    """The register's path, as given to :func:`load_register`."""
    extra_columns: tuple[str, ...] = ()
    """Names of columns beyond the standard ones, in file order."""
    warnings: list[Problem] = field(default_factory=list)
    """Problems that did not stop the register loading (e.g. an unknown council type)."""

    def __post_init__(self) -> None:
        self.councils = tuple(self.councils)
        self._by_code: dict[str, Council] = {}
        self._by_simple: dict[str, list[Council]] = {}
        self._by_key: dict[str, list[Council]] = {}
        for council in self.councils:
            for code in (council.code, council.register_code):
                if code:
                    self._by_code.setdefault(fold(code), council)
            for text in (council.name, council.short_name):
                for index, key in (
                    (self._by_simple, _simplify(text)),
                    (self._by_key, normalise_council_name(text)),
                ):
                    bucket = index.setdefault(key, [])
                    if council not in bucket:
                        bucket.append(council)

    def __len__(self) -> int:
        return len(self.councils)

    def __iter__(self) -> Iterator[Council]:
        return iter(self.councils)

    @property
    def regions(self) -> list[str]:
        """The regions that have at least one council in this register, sorted."""
        return sorted({c.region for c in self.councils})

    def by_code(self, code: str) -> Council | None:
        """The council with this GSS code or register code (any case), or None."""
        return self._by_code.get(fold(code))

    def match(self, query: str) -> Council:
        """The council a code or name refers to.

        Tried in turn: a GSS or register code (any case); the name or short name
        ignoring case, punctuation and "&"/"and"; then the same after dropping
        prefixes and suffixes such as "London Borough of" or "City Council" (see
        :func:`normalise_council_name`).

        Raises :class:`~npsxl.core.errors.CouncilNotFound` when nothing matches (with
        up to five close names as suggestions) or when the query fits more than
        one council (with those councils as suggestions).
        """
        council = self.by_code(query)
        if council is not None:
            return council
        for index, key in (
            (self._by_simple, _simplify(query)),
            (self._by_key, normalise_council_name(query)),
        ):
            candidates = index.get(key, []) if key else []
            if len(candidates) == 1:
                return candidates[0]
            if candidates:
                raise _ambiguous(query, candidates)
        raise CouncilNotFound(query, self._suggest(query))

    def find(self, query: str) -> Council | None:
        """Like :meth:`match`, but None when no single council matches."""
        try:
            return self.match(query)
        except CouncilNotFound:
            return None

    def in_region(self, region: str) -> list[Council]:
        """The councils in a region (name in any case), in register order.

        A known region with no councils in this register gives an empty list;
        a name that is not one of :data:`REGIONS` raises
        :class:`~npsxl.core.errors.NpsxlError` listing the regions present.
        """
        canonical = canonical_region(region)
        if canonical is None:
            present = "; ".join(self.regions) or "none"
            raise NpsxlError(
                f"Unknown region {region!r}. Regions in the register {self.source or ''}"
                f"{' ' if self.source else ''}are: {present}."
            )
        return [c for c in self.councils if c.region == canonical]

    def _suggest(self, query: str) -> list[str]:
        key = normalise_council_name(query)
        if not key:
            return []
        keys = list(self._by_key)
        containing = [k for k in keys if len(key) >= 3 and f" {key} " in f" {k} "]
        close = difflib.get_close_matches(key, keys, n=len(keys), cutoff=0.6)
        suggestions: list[str] = []
        for candidate in containing + close:
            for council in self._by_key[candidate]:
                if council.name not in suggestions:
                    suggestions.append(council.name)
        return suggestions[:_MAX_SUGGESTIONS]


_REGION_LOOKUP = {fold(r): r for r in REGIONS}


def canonical_region(text: str) -> str | None:
    """The region as spelt in :data:`REGIONS` (any case, "&" for "and"), or None."""
    return _REGION_LOOKUP.get(fold(text.replace("&", " and ")))


def check_group_by(columns: Iterable[str], register: Register | None) -> tuple[str, ...]:
    """The extra groupings to summarise: ``columns`` without repeats, region or council type
    (always summarised). Raises :class:`NpsxlError` for a column not in the register."""
    available = register.extra_columns if register is not None else ()
    wanted = tuple(dict.fromkeys(c for c in columns if c not in STANDARD_GROUPINGS))
    for column in wanted:
        if column not in available:
            where = f"the register {register.source}" if register is not None else "no register"
            extra = ", ".join(available) or "none"
            raise NpsxlError(
                f"cannot group by {column!r}: it is not an extra column of {where} "
                f"(extra columns: {extra})"
            )
    return wanted
