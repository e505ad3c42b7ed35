"""Which returns count, and what each one's answers count for.

:func:`count_returns` decides, for every input file, what became of it, and gives one
*council figure* per council and round, so a council counts once in every summary. Per
council (code, else name) and round, among the returns the reader accepted:

* the most recent **agreed** return is the council's figure (``yes``); earlier agreed ones
  are ``superseded``, and flagged (``agreed-returns-disagree``) when another respondent's
  gives another level for an item both answered;
* per respondent (:func:`~npsxl.collation.respondents.respondent_key`), the most recent
  **view** counts and earlier ones are ``superseded``; a counted view is ``view`` (it adds
  the spread inside the council) when the council has an agreed return, and ``derived``
  when it has none: the figure is then derived from the views
  (:func:`~npsxl.collation.respondents.derive_figure`);
* rejected files are ``rejected``.

"Most recent" is by the date completed, then the file's modification time, then input
order. Returns of different rounds never supersede each other. :class:`Versions` knows
each return's own model version and how its items map onto the current model's (through
the archive's lineage).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass, field

from npsxl.collation.columns import (
    COUNTED,
    DERIVED,
    NO_LINEAGE,
    NOT_COUNTED,
    SUPERSEDED,
    VIEW,
)
from npsxl.collation.respondents import (
    derive_figure,
    differing_levels,
    respondent_key,
    respondent_label,
)
from npsxl.core import catalogue as P
from npsxl.core.ordering import natural_key
from npsxl.core.problems import Location, Problem
from npsxl.model.answers import ReturnKind
from npsxl.model.archive import ModelArchive
from npsxl.model.lineage import Mapping
from npsxl.model.model import ENABLER, ENABLERS_GROUP_NAME, Item, Model
from npsxl.reading.returns import Return
from npsxl.workbook import layout as L

# where a workbook of the current layout asks for the respondent's name, role and email
_FIELDS = [field.key for field in L.DETAIL_FIELDS]
RESPONDENT_CELLS = (
    f"{L.start_detail_cell(_FIELDS.index('respondent_name'))}:"
    f"{L.start_detail_cell(_FIELDS.index('respondent_email'))}"
)


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


BASIS_AGREED = "agreed"  # a council's figure is its agreed return
BASIS_VIEWS = "views"  # a council's figure is derived from its respondents' views


@dataclass
class Counting:
    """What became of every input file, and one figure per council and round.

    Per file (in input order): ``states`` ('yes', 'view', 'derived', 'superseded' or
    'rejected'), ``respondents`` (a label without personal data, '' for a rejected file),
    ``problems`` (what collating found: disagreeing agreed returns, views naming nobody)
    and ``disagrees_with`` (the other agreed returns whose levels differ, '; ' separated).
    Per council figure, in the input order of the file that leads it: ``figures`` (the
    agreed return, or the Return derived from the views), ``bases`` ('agreed' or 'views'),
    ``sources`` (indices of the files the figure comes from) and ``views`` (indices of the
    council's counted views, oldest first).
    """

    states: list[str]
    respondents: list[str]
    problems: list[list[Problem]]
    disagrees_with: list[str]
    figures: list[Return] = field(default_factory=list)
    bases: list[str] = field(default_factory=list)
    sources: list[tuple[int, ...]] = field(default_factory=list)
    views: list[tuple[int, ...]] = field(default_factory=list)


def count_returns(returns: Sequence[Return], versions: Versions) -> Counting:
    """Decide what every return counts for (see the module's docstring); ``versions`` gives
    the level scores of each return's model, to derive a figure from views."""
    n = len(returns)
    result = Counting([NOT_COUNTED] * n, [""] * n, [[] for _ in range(n)], [""] * n)
    by_council: dict[tuple[str, str], list[int]] = {}
    for index, ret in enumerate(returns):
        if ret.accepted:
            by_council.setdefault((council_key(ret), round_of(ret)), []).append(index)
    led = []
    for indices in by_council.values():
        # oldest first (one return: no need to look at the file's time)
        order = sorted(indices, key=lambda i: _recency(returns[i], i)) if indices[1:] else indices
        led.append(_count_council(returns, order, result, versions))
    for _, figure, basis, sources, views in sorted(led, key=lambda entry: entry[0]):
        result.figures.append(figure)
        result.bases.append(basis)
        result.sources.append(sources)
        result.views.append(views)
    return result


def _count_council(returns, order: list[int], result: Counting, versions) -> tuple:
    """Count one council's accepted returns of one round (``order``: oldest first); returns
    (lead file index, figure, basis, sources, counted views)."""
    numbers: dict[str, int] = {}
    latest_view: dict[str, int] = {}
    for index in order:
        ret = returns[index]
        key = respondent_key(ret) or f"#{index}"  # nobody named: a respondent of its own
        number = numbers.setdefault(key, len(numbers) + 1)
        result.respondents[index] = respondent_label(number, ret.respondent.role)
        result.states[index] = SUPERSEDED
        if ret.kind is ReturnKind.VIEW:
            latest_view[key] = index  # oldest first, so the latest stays
            told = any(p.code == P.VIEW_NOT_IDENTIFIED.code for p in ret.problems)
            if not respondent_key(ret) and not told:  # the reader tells it of files it reads
                where = Location(file=ret.path, sheet=L.START, cell=RESPONDENT_CELLS)
                result.problems[index].append(P.VIEW_NOT_IDENTIFIED(where, council=name_of(ret)))
    views = tuple(sorted(latest_view.values(), key=order.index))
    agreed = [i for i in order if returns[i].kind is not ReturnKind.VIEW]
    if agreed:
        lead = agreed[-1]
        result.states[lead] = COUNTED
        for index in views:
            result.states[index] = VIEW
        for index in agreed[:-1]:
            _check_agreement(returns, index, lead, result)
        return lead, returns[lead], BASIS_AGREED, (lead,), views
    for index in views:
        result.states[index] = DERIVED
    latest = returns[views[-1]]
    figure = derive_figure([returns[i] for i in views], versions.scores(latest))
    return min(views), figure, BASIS_VIEWS, tuple(sorted(views)), views


def _some(items: list[str], shown: int = 6) -> str:
    """'A1 (current level), B1 (target level)', the first ``shown`` and how many more."""
    more = len(items) - shown
    return ", ".join(items[:shown]) + (f" and {more} more" if more > 0 else "")


def _check_agreement(returns, earlier: int, lead: int, result: Counting) -> None:
    """Flag an earlier agreed return and the counted one when another respondent (or
    nobody known) sent it and the levels differ; a resubmission is not flagged."""
    old, new = returns[earlier], returns[lead]
    same = respondent_key(old) and respondent_key(old) == respondent_key(new)
    items = [] if same else differing_levels(new, old)
    if not items:
        return
    round_text = f"round {round_of(new)}" if round_of(new) else "the same round"
    for index, other in ((earlier, new), (lead, old)):
        ret = returns[index]
        result.problems[index].append(
            P.AGREED_RETURNS_DISAGREE(
                Location(file=ret.path),
                other=other.path,
                council=name_of(new),
                round=round_text,
                items=_some(items),
                counted=new.path,
            )
        )
        mentioned = result.disagrees_with[index]
        result.disagrees_with[index] = f"{mentioned}; {other.path}" if mentioned else other.path


def version_label(model_id: str, version: str) -> str:
    """'nps-2018 1.0.0': how a model version is named in summaries and the workbook."""
    return f"{model_id} {version}".strip()


def version_key(label: str) -> tuple:
    """Sort key for version labels, in natural order (:func:`npsxl.core.ordering.natural_key`):
    '1.10' after '1.9'."""
    return natural_key(label)


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
