"""Collate returned self-assessments into a returns log, tidy answers and summaries.

:func:`collate` reads every input file once (through a reader callable, by default
:func:`npsxl.reader.read_return`), decides which returns count, and builds pandas frames:

* the **returns log**: one row per input file, whatever became of it;
* the **answers**: one row per counted council per model item (blank answers included);
* **summaries**: per group, item, measure (current or target) and level, the count and
  percent of councils, for the nation, each region, each council type and any extra
  register column.

A return counts when the reader accepted it and it is the most recent accepted return
for its council (by the date completed, then the file's modification time); older ones
are *superseded* and never double counted. :func:`write_data` writes the frames as CSV.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .atomic import atomic_path
from .batch import read_returns
from .errors import NpsxlError, OutputError
from .model import ENABLER, ENABLERS_GROUP_NAME, Item, Model
from .register import COUNCIL_TYPES, REGIONS, Council, Register
from .returns import Return

RETURNS_CSV = "returns.csv"
ANSWERS_CSV = "answers.csv"
SUMMARY_CSV = "summary.csv"

RETURNS_COLUMNS = (
    "source_file",
    "status",
    "council_code",
    "council_name",
    "region",
    "council_type",
    "model_id",
    "model_version",
    "complete",
    "items",
    "counted",
    "problems",
    "errors",
    "warnings",
)
ANSWERS_COLUMNS = (
    "council_code",
    "council_name",
    "region",
    "council_type",
    "model_id",
    "model_version",
    "item_id",
    "item_name",
    "item_kind",
    "theme",
    "current_level",
    "current_score",
    "target_level",
    "target_score",
    "gap",
    "evidence",
    "actions",
    "target_date",
    "source_file",
)
SUMMARY_COLUMNS = ("group_type", "group", "item_id", "measure", "level", "count", "percent")
ITEM_STATS_COLUMNS = (
    "group_type",
    "group",
    "item_id",
    "item_name",
    "theme",
    "n",
    "n_current",
    "n_target",
    "median_current",
    "mean_current",
    "median_target",
    "mean_target",
    "mean_gap",
    "n_aiming_higher",
)
RESPONSE_COLUMNS = (
    "region",
    "expected",
    "received",
    "accepted",
    "rejected",
    "superseded",
    "councils",
    "response_rate",
)
LEVEL_MEANS_COLUMNS = (
    "group_type",
    "group",
    "councils",
    "answers",
    "mean_current",
    "mean_target",
    "mean_gap",
)

SCORE_COLUMNS = ("current_score", "target_score", "gap")
MEASURES = ("current", "target")
NATIONAL = "national"
ALL_COUNCILS = "All councils"
ALL_REGIONS = "All regions"
NOT_GIVEN = "Not given"
NO_COUNCIL = "Council not identified"
STANDARD_GROUPINGS = ("region", "council_type")

COUNTED = "yes"
SUPERSEDED = "superseded"
NOT_COUNTED = "rejected"


# --- which returns count ------------------------------------------------------------------------
def _code(ret: Return) -> str:
    return ret.council.code if ret.council is not None else ret.council_code


def _name(ret: Return) -> str:
    return ret.council.name if ret.council is not None else ret.council_name


def _council_key(ret: Return) -> str:
    return (_code(ret) or _name(ret)).strip().casefold()


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


def counted_states(returns: Sequence[Return]) -> list[str]:
    """For each return: 'yes' (counted), 'superseded' or 'rejected'.

    Of several accepted returns naming the same council, only the most recent counts.
    """
    by_council: dict[str, list[int]] = {}
    for index, ret in enumerate(returns):
        if ret.accepted:
            by_council.setdefault(_council_key(ret), []).append(index)
    states = [NOT_COUNTED] * len(returns)
    for indices in by_council.values():
        latest = indices[0]
        if len(indices) > 1:
            latest = max(indices, key=lambda i: _recency(returns[i], i))
        for index in indices:
            states[index] = COUNTED if index == latest else SUPERSEDED
    return states


# --- frames -------------------------------------------------------------------------------------
def _iso(value) -> str:
    if value is None or value == "":
        return ""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _attributes(ret: Return) -> tuple[str, str]:
    """(region, council_type) from the register's council, or empty without one."""
    council = ret.council
    return (council.region, council.council_type) if council is not None else ("", "")


def _log_frame(returns: Sequence[Return], states: Sequence[str]) -> pd.DataFrame:
    rows = []
    for ret, state in zip(returns, states, strict=True):
        region, council_type = _attributes(ret)
        errors = sum(1 for p in ret.problems if p.is_error)
        rows.append(
            (
                ret.path,
                ret.status,
                _code(ret),
                _name(ret),
                region,
                council_type,
                ret.model_id,
                ret.model_version,
                ret.complete_count,
                ret.item_count,
                state,
                "; ".join(str(p) for p in ret.problems),
                errors,
                len(ret.problems) - errors,
            )
        )
    return pd.DataFrame.from_records(rows, columns=list(RETURNS_COLUMNS))


def _answers_frame(model: Model, counted: Sequence[Return]) -> pd.DataFrame:
    """One row per counted return per model item, built from plain lists in one go."""
    scores = {level.name: level.score for level in model.levels}
    items = [(item, item_theme(item)) for item in model.items]
    rows = []
    for ret in counted:
        region, council_type = _attributes(ret)
        head = (_code(ret), _name(ret), region, council_type, ret.model_id, ret.model_version)
        for item, theme in items:
            answer = ret.answers.get(item.id)
            current = answer.current if answer else None
            target = answer.target if answer else None
            current_score, target_score = scores.get(current), scores.get(target)
            both = current_score is not None and target_score is not None
            gap = target_score - current_score if both else None
            rows.append(
                (
                    *head,
                    item.id,
                    item.name,
                    item.kind,
                    theme,
                    current,
                    current_score,
                    target,
                    target_score,
                    gap,
                    answer.evidence if answer else "",
                    answer.actions if answer else "",
                    _iso(answer.target_date) if answer else "",
                    ret.path,
                )
            )
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(ANSWERS_COLUMNS)
    data = {}
    for name, values in zip(ANSWERS_COLUMNS, columns, strict=True):
        if name in SCORE_COLUMNS:
            data[name] = pd.array(list(values), dtype="Int64")
        else:
            data[name] = pd.Series(list(values), dtype=object).infer_objects()
    return pd.DataFrame(data)


def _order(values: Iterable[str], preferred: Sequence[str] = ()) -> list[str]:
    """Distinct values: those in ``preferred`` in that order, the rest sorted, 'Not given' last."""
    present = set(values)
    rank = {value: i for i, value in enumerate(preferred)}
    known = sorted((v for v in present if v in rank), key=rank.__getitem__)
    rest = sorted(v for v in present if v not in rank and v != NOT_GIVEN)
    return known + rest + ([NOT_GIVEN] if NOT_GIVEN in present else [])


def _label(value: str) -> str:
    return value if value else NOT_GIVEN


def item_theme(item: Item) -> str:
    """The item's theme name; 'Enablers' for an enabler."""
    return ENABLERS_GROUP_NAME if item.kind == ENABLER else item.group_name


# --- the collation ------------------------------------------------------------------------------
@dataclass
class Collation:
    """Everything collated from one batch of returns, with summaries computed on demand.

    ``returns`` holds every input exactly once, in input order, and ``log`` one row for
    each. ``answers`` holds one row per counted council per model item.
    """

    model: Model
    register: Register | None
    returns: list[Return]
    log: pd.DataFrame
    answers: pd.DataFrame
    superseded: list[Return]
    collated_at: str
    group_by: tuple[str, ...] = ()
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    # -- who counted ---------------------------------------------------------------------------
    @property
    def counted(self) -> list[Return]:
        """The returns that count: accepted, and the most recent for their council."""
        return [
            r
            for r, state in zip(self.returns, self.log["counted"], strict=True)
            if state == COUNTED
        ]

    @property
    def item_ids(self) -> list[str]:
        return [item.id for item in self.model.items]

    def groupings(self) -> list[str | None]:
        """The groupings summarised: None (national), region, council type, then ``group_by``."""
        return [None, *STANDARD_GROUPINGS, *self.group_by]

    # -- grouping ------------------------------------------------------------------------------
    def groups(self, by: str | None) -> list[str]:
        """The groups of a grouping, in display order: every value in the register or data."""
        return self._grouping(by)[1]

    def _grouping(self, by: str | None) -> tuple[np.ndarray, list[str]]:
        """(index into the groups for each answers row, ordered groups), computed once."""
        key = ("grouping", by)
        if key not in self._cache:
            self._cache[key] = self._make_grouping(by)
        return self._cache[key]

    def _make_grouping(self, by: str | None) -> tuple[np.ndarray, list[str]]:
        if by is None:
            return np.zeros(len(self.answers), dtype="int64"), [ALL_COUNCILS]
        councils = list(self.register) if self.register is not None else []
        if by in STANDARD_GROUPINGS:
            values = self.answers[by].to_numpy(dtype=object, na_value="")
            universe = {_label(getattr(c, by)) for c in councils}
            preferred = REGIONS if by == "region" else COUNCIL_TYPES
        else:
            check_group_by([by], self.register)
            by_code = {_code(r): r.council.extra.get(by, "") for r in self.counted if r.council}
            codes = self.answers["council_code"].to_numpy(dtype=object, na_value="")
            values = np.array([by_code.get(code, "") for code in codes], dtype=object)
            universe = {_label(c.extra.get(by, "")) for c in councils}
            preferred = ()
        labels = np.where(values == "", NOT_GIVEN, values)
        groups = _order(universe | set(pd.unique(labels)), preferred)
        return pd.Categorical(labels, categories=groups).codes.astype("int64"), groups

    def _codes(self, column: str, categories: Sequence[str]) -> np.ndarray:
        """Index of each answers row's value in ``categories`` (-1 when blank), computed once."""
        key = ("codes", column)
        if key not in self._cache:
            values = self.answers[column].to_numpy(dtype=object, na_value=None)
            codes = pd.Categorical(values, categories=list(categories)).codes
            self._cache[key] = codes.astype("int64")
        return self._cache[key]

    def _labels(self, by: str | None) -> pd.Categorical:
        codes, groups = self._grouping(by)
        return pd.Categorical.from_codes(codes, categories=groups)

    @staticmethod
    def group_type(by: str | None) -> str:
        return NATIONAL if by is None else by

    # -- summaries -----------------------------------------------------------------------------
    def summary(self, by: str | None = None) -> pd.DataFrame:
        """Counts and percents of councils per group, item, measure and level (summary.csv).

        ``by``: None (national, one group 'All councils'), 'region', 'council_type', or an
        extra register column. Every level appears, with zero counts. ``percent`` is of the
        councils in the group that gave that measure for that item (0 when none did).
        """
        groups_of, groups = self._grouping(by)
        items_of = self._codes("item_id", self.item_ids)
        levels = list(self.model.level_names)
        shape = (len(groups), len(self.item_ids), len(levels))
        counts = np.zeros((*shape[:2], len(MEASURES), shape[2]), dtype="int64")
        for m, measure in enumerate(MEASURES):
            levels_of = self._codes(f"{measure}_level", levels)
            given = (levels_of >= 0) & (items_of >= 0)
            flat = np.ravel_multi_index(
                (groups_of[given], items_of[given], levels_of[given]), shape
            )
            counts[:, :, m, :] = np.bincount(flat, minlength=int(np.prod(shape))).reshape(shape)
        denominators = counts.sum(axis=3, keepdims=True)
        percent = np.round(100.0 * counts / np.maximum(denominators, 1), 1)
        index = pd.MultiIndex.from_product(
            [groups, self.item_ids, list(MEASURES), levels],
            names=["group", "item_id", "measure", "level"],
        )
        result = index.to_frame(index=False)
        result.insert(0, "group_type", self.group_type(by))
        result["count"] = counts.ravel()
        result["percent"] = np.where(denominators > 0, percent, 0.0).ravel()
        return result[list(SUMMARY_COLUMNS)]

    def summaries(self) -> pd.DataFrame:
        """National, region, council type and every ``group_by`` summary, one after another."""
        return pd.concat([self.summary(by) for by in self.groupings()], ignore_index=True)

    def _scores(self, by: str | None) -> pd.DataFrame:
        """Scores per answers row with categorical group and item (every combination kept)."""
        scores = self.answers[["current_score", "target_score", "gap"]].astype("float64")
        items = pd.Categorical.from_codes(self._codes("item_id", self.item_ids), self.item_ids)
        return pd.DataFrame(
            {
                "group": self._labels(by),
                "item_id": items,
                "council_code": self.answers["council_code"],
                "current": scores["current_score"],
                "target": scores["target_score"],
                "gap": scores["gap"],
                "higher": scores["gap"] > 0,
            }
        )

    def item_stats(self, by: str | None = None) -> pd.DataFrame:
        """Per group and item: councils (n), how many gave current/target, median and mean of
        current and target, mean gap (target - current, where both given) and how many
        councils aim higher than they stand. Groups with no councils have n = 0 and blanks."""
        stats = (
            self._scores(by)
            .groupby(["group", "item_id"], observed=False)
            .agg(
                n=("item_id", "size"),
                n_current=("current", "count"),
                n_target=("target", "count"),
                median_current=("current", "median"),
                mean_current=("current", "mean"),
                median_target=("target", "median"),
                mean_target=("target", "mean"),
                mean_gap=("gap", "mean"),
                n_aiming_higher=("higher", "sum"),
            )
        )
        counts = ["n", "n_current", "n_target", "n_aiming_higher"]
        stats[counts] = stats[counts].astype("int64")
        result = stats.reset_index()
        result["group"] = result["group"].astype(object)
        result["item_id"] = result["item_id"].astype(object)
        items = {item.id: item for item in self.model.items}
        result.insert(0, "group_type", self.group_type(by))
        result.insert(3, "item_name", [items[i].name for i in result["item_id"]])
        result.insert(4, "theme", [item_theme(items[i]) for i in result["item_id"]])
        return result[list(ITEM_STATS_COLUMNS)]

    def level_means(self, by: str | None = None) -> pd.DataFrame:
        """Per group: councils, answers given, and the mean current level, mean target level
        and mean gap over all items and councils (blank when no council in the group)."""
        means = (
            self._scores(by)
            .groupby("group", observed=False)
            .agg(
                councils=("council_code", "nunique"),
                answers=("current", "count"),
                mean_current=("current", "mean"),
                mean_target=("target", "mean"),
                mean_gap=("gap", "mean"),
            )
        )
        means[["councils", "answers"]] = means[["councils", "answers"]].astype("int64")
        result = means.reset_index()
        result["group"] = result["group"].astype(object)
        result.insert(0, "group_type", self.group_type(by))
        return result[list(LEVEL_MEANS_COLUMNS)]

    def councils_in(self, by: str | None = None) -> dict[str, int]:
        """How many counted councils each group has."""
        key = ("councils", by)
        if key not in self._cache:
            means = self.level_means(by)
            self._cache[key] = dict(zip(means["group"], means["councils"].tolist(), strict=True))
        return dict(self._cache[key])

    # -- coverage ------------------------------------------------------------------------------
    def not_returned(self) -> list[Council]:
        """Councils in the register with no accepted return, in register order."""
        if self.register is None:
            return []
        covered = {_code(r).casefold() for r in self.returns if r.accepted}
        return [c for c in self.register if c.code.casefold() not in covered]

    def response(self) -> pd.DataFrame:
        """Per region: councils expected (register), files received naming a council in the
        region, accepted, rejected and superseded files, councils counted, and the response
        rate (% of expected councils counted). Files naming no register council form a row of
        their own; the last row is the total."""
        expected = Counter(c.region for c in self.register) if self.register is not None else {}
        tallies: dict[str, Counter] = {}
        for ret, state in zip(self.returns, self.log["counted"], strict=True):
            region = ret.council.region if ret.council is not None else NO_COUNCIL
            tally = tallies.setdefault(region, Counter())
            tally["received"] += 1
            tally["accepted" if ret.accepted else "rejected"] += 1
            tally["superseded"] += state == SUPERSEDED
            tally["councils"] += state == COUNTED
        regions = _order(set(expected) | (set(tallies) - {NO_COUNCIL}), REGIONS)
        regions += [NO_COUNCIL] if NO_COUNCIL in tallies else []
        rows = []
        for region in regions:
            tally = tallies.get(region, Counter())
            rows.append(_response_row(region, expected.get(region, 0), tally))
        total = sum(tallies.values(), Counter())
        rows.append(_response_row(ALL_REGIONS, sum(expected.values()), total))
        return pd.DataFrame.from_records(rows, columns=list(RESPONSE_COLUMNS))

    def summary_text(self) -> str:
        """One paragraph: files read, accepted, rejected, superseded, councils covered/missing."""
        states = Counter(self.log["counted"])
        accepted = sum(1 for r in self.returns if r.accepted)
        warned = sum(1 for r in self.returns if r.accepted and r.problems)
        files = len(self.returns)
        text = (
            f"Read {files} file{'s' if files != 1 else ''}: {accepted} accepted"
            f" ({warned} with warnings), {files - accepted} rejected"
        )
        if states[SUPERSEDED]:
            text += (
                f", {states[SUPERSEDED]} superseded by a more recent return from the same council"
            )
        councils = states[COUNTED]
        text += f". {councils} council{'s' if councils != 1 else ''} covered"
        if self.register is not None:
            missing = len(self.not_returned())
            text += (
                f" of {len(self.register)} in the register; {missing} "
                f"council{'s' if missing != 1 else ''} with no accepted return."
            )
        else:
            text += " (no register given)."
        return text


def _response_row(region: str, expected: int, tally: Counter) -> tuple:
    councils = tally["councils"]
    rate = round(100.0 * councils / expected, 1) if expected else math.nan
    return (
        region,
        expected,
        tally["received"],
        tally["accepted"],
        tally["rejected"],
        tally["superseded"],
        councils,
        rate,
    )


# --- entry points -------------------------------------------------------------------------------
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


def collate_returns(
    returns: Sequence[Return],
    model: Model,
    register: Register | None = None,
    group_by: Sequence[str] = (),
    collated_at: str | None = None,
) -> Collation:
    """Build a :class:`Collation` from returns already read (one per input file)."""
    group_by = check_group_by(group_by, register)
    returns = list(returns)
    states = counted_states(returns)
    counted = [r for r, state in zip(returns, states, strict=True) if state == COUNTED]
    return Collation(
        model=model,
        register=register,
        returns=returns,
        log=_log_frame(returns, states),
        answers=_answers_frame(model, counted),
        superseded=[r for r, state in zip(returns, states, strict=True) if state == SUPERSEDED],
        collated_at=collated_at
        or dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
        group_by=group_by,
    )


def collate(
    paths: Iterable[str | os.PathLike],
    register: Register | None = None,
    *,
    model: Model,
    reader: Callable[[str], Return] | None = None,
    group_by: Sequence[str] = (),
    jobs: int = 1,
    progress: Callable[[Return], None] | None = None,
) -> Collation:
    """Read every file in ``paths`` (in order) and collate the returns.

    ``reader(path) -> Return`` defaults to :func:`npsxl.reader.read_return` for ``model``
    and ``register``; with ``jobs > 1`` files are read in that many worker processes, so the
    reader must be picklable (a module-level function, or a ``functools.partial`` of one).
    A reader that raises gives a rejected return; it never stops the batch. ``progress`` is
    called with each Return. ``group_by`` names extra register columns to summarise by.
    """
    check_group_by(group_by, register)
    returns = read_returns(paths, model, register, jobs=jobs, progress=progress, reader=reader)
    return collate_returns(returns, model, register, group_by)


def write_data(
    collation: Collation, data_dir: str | os.PathLike, *, force: bool = True
) -> list[Path]:
    """Write returns.csv, answers.csv and summary.csv (UTF-8) to ``data_dir``, atomically.

    Without ``force``, an existing file raises :class:`~npsxl.errors.OutputError` before
    anything is written.
    """
    data_dir = Path(data_dir)
    frames = (
        (RETURNS_CSV, collation.log),
        (ANSWERS_CSV, collation.answers),
        (SUMMARY_CSV, collation.summaries()),
    )
    existing = [data_dir / name for name, _ in frames if (data_dir / name).exists()]
    if existing and not force:
        raise OutputError(f"{existing[0]} already exists; use --force to overwrite it")
    written = []
    for name, frame in frames:
        target = data_dir / name
        with atomic_path(target, force=force) as tmp:
            frame.to_csv(tmp, index=False, encoding="utf-8", lineterminator="\n")
        written.append(target)
    return written
