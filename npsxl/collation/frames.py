"""The collation's pandas frames, built from the returns and what each counts for
(:class:`~npsxl.collation.counting.Counting`): the returns log, the latest round's answers
(one council figure per council), and every council figure's answers under current-model
item ids (comparable) or under its own version's (per version)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from npsxl.collation.columns import (
    ANSWERS_COLUMNS,
    COMPARABLE_COLUMNS,
    CONTACT_COLUMNS,
    RESPONDENTS_COLUMNS,
    RETURNS_COLUMNS,
    SCORE_COLUMNS,
)
from npsxl.collation.counting import (
    Counting,
    Versions,
    attributes_of,
    code_of,
    name_of,
    round_of,
)
from npsxl.reading.returns import Return, Status


# --- frames -------------------------------------------------------------------------------------
def _iso(value) -> str:
    if value is None or value == "":
        return ""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def missing_items(versions: Versions, ret: Return) -> str:
    """The ids of the items of a return's own model without a current or a target level,
    space separated, in model order ('' when complete or when no item was read)."""
    if not ret.item_count:
        return ""
    missing = []
    for item_id, _ in versions.items(ret):
        answer = ret.answers.get(item_id)
        if answer is None or not answer.complete:
            missing.append(item_id)
    return " ".join(missing)


def log_frame(returns: Sequence[Return], counting: Counting, versions: Versions) -> pd.DataFrame:
    """The returns log: one row per input file
    (:data:`~npsxl.collation.columns.RETURNS_COLUMNS`). Its status and problems are the
    reader's and the collation's together (what collating finds is never an error)."""
    rows = []
    for index, ret in enumerate(returns):
        region, council_type = attributes_of(ret)
        problems = [*ret.problems, *counting.problems[index]]
        errors = sum(1 for p in problems if p.is_error)
        status = (
            Status.REJECTED
            if errors
            else (Status.ACCEPTED_WITH_WARNINGS if problems else Status.ACCEPTED)
        )
        rows.append(
            (
                ret.path,
                status,
                code_of(ret),
                name_of(ret),
                region,
                council_type,
                ret.model_id,
                ret.model_version,
                ret.complete_count,
                ret.item_count,
                counting.states[index],
                "; ".join(str(p) for p in problems),
                errors,
                len(problems) - errors,
                round_of(ret),
                ret.kind.value,
                counting.respondents[index],
                missing_items(versions, ret),
                counting.disagrees_with[index],
                ret.comments,
                " ".join(ret.sign_off.role.split()),
                _iso(ret.sign_off.date),
            )
        )
    return pd.DataFrame.from_records(rows, columns=list(RETURNS_COLUMNS))


def _columns_frame(data: dict[str, list], integers: Iterable[str] = ()) -> pd.DataFrame:
    """A frame from column lists (emptied on the way, so they are not all held twice):
    scores as Int64, ``integers`` as int64, the rest as strings where they are strings."""
    integers = set(integers)
    frame = {}
    for name in list(data):
        column = data.pop(name)
        if name in SCORE_COLUMNS:
            frame[name] = pd.array(column, dtype="Int64")
        elif name in integers:
            frame[name] = np.array(column, dtype="int64")
        else:
            frame[name] = pd.Series(column, dtype=object).infer_objects()
    return pd.DataFrame(frame)


class _Dates:
    """ISO text of target dates, worked out once per date (thousands of answers share a few)."""

    def __init__(self) -> None:
        self.done: dict[dt.date, str] = {}

    def __call__(self, value) -> str:
        if value.__class__ is not dt.date:
            return _iso(value)
        text = self.done.get(value)
        if text is None:
            text = self.done[value] = _iso(value)
        return text


def _levels(
    ret: Return, ids: list[str], scores: dict[str, int]
) -> tuple[list, list, list, list, list, list]:
    """(answers, current, current score, target, target score, gap) per item id."""
    got = ret.answers.get
    answers = [got(item_id) for item_id in ids]
    current = [a.current if a else None for a in answers]
    target = [a.target if a else None for a in answers]
    current_scores = [scores.get(level) if level is not None else None for level in current]
    target_scores = [scores.get(level) if level is not None else None for level in target]
    gaps = [
        t - c if c is not None and t is not None else None
        for c, t in zip(current_scores, target_scores, strict=True)
    ]
    return answers, current, current_scores, target, target_scores, gaps


def answers_frame(
    versions: Versions, counting: Counting, figures: Sequence[int] | None = None
) -> pd.DataFrame:
    """One row per council figure (``figures``: their indices in ``counting``, every one by
    default) per item of its own model version, built column by column (a figure's values
    repeat over its rows) so no row tuples are ever made."""
    data: dict[str, list] = {name: [] for name in ANSWERS_COLUMNS}
    col = data.__getitem__
    iso = _Dates()
    if figures is None:
        figures = range(len(counting.figures))
    for number in figures:
        ret = counting.figures[number]
        region, council_type = attributes_of(ret)
        model_id, version = versions.key(ret)
        plan = versions.plan(ret)
        k = len(plan.ids)
        for name, value in (
            ("council_code", code_of(ret)),
            ("council_name", name_of(ret)),
            ("region", region),
            ("council_type", council_type),
            ("model_id", model_id),
            ("model_version", version),
            ("basis", counting.bases[number]),
            ("views", len(counting.views[number])),
            ("source_file", ret.path),
        ):
            col(name).extend([value] * k)
        col("item_id").extend(plan.ids)
        col("item_name").extend(plan.names)
        col("item_kind").extend(plan.kinds)
        col("theme").extend(plan.themes)
        answers, current, current_scores, target, target_scores, gaps = _levels(
            ret, plan.ids, versions.scores(ret)
        )
        col("current_level").extend(current)
        col("current_score").extend(current_scores)
        col("target_level").extend(target)
        col("target_score").extend(target_scores)
        col("gap").extend(gaps)
        col("evidence").extend([a.evidence if a else "" for a in answers])
        col("actions").extend([a.actions if a else "" for a in answers])
        col("target_date").extend([iso(a.target_date) if a else "" for a in answers])
    return _columns_frame(data, ("views",))


def comparable_frames(
    versions: Versions, figures: Sequence[Return]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(comparable, per_version) rows for every council figure of every round
    (``return_index`` is the figure's index in ``figures``).

    comparable: one row per figure per current-model item it has an answer for through a
    comparable lineage (a split old item gives one row per part). per_version: one row per
    figure per item of its own version that maps onto no current item comparably.
    """
    heads: tuple[str, ...] = ("return_index", "council_code", "council_name", "region")
    heads += ("council_type", "round", "model_id", "model_version")
    tails = ("current_level", "current_score", "target_level", "target_score", "gap")
    pooled: dict[str, list] = {name: [] for name in COMPARABLE_COLUMNS}
    apart_columns = list(COMPARABLE_COLUMNS)
    apart_columns[apart_columns.index("source_item_id")] = "item_name"
    apart: dict[str, list] = {name: [] for name in apart_columns}
    unique = True
    for index, ret in enumerate(figures):
        region, council_type = attributes_of(ret)
        key = versions.key(ret)
        plan = versions.plan(ret)
        unique = unique and plan.unique
        head = (index, code_of(ret), name_of(ret), region, council_type, round_of(ret), *key)
        values = _levels(ret, plan.ids, versions.scores(ret))[1:]
        for rows, data in ((plan.pooled, pooled), (plan.apart, apart)):
            if not rows:
                continue
            for name, value in zip(heads, head, strict=True):
                data[name].extend([value] * len(rows))
            picks = [i for i, _, _ in rows]
            if data is pooled:
                data["item_id"].extend([new_id for _, new_id, _ in rows])
                data["source_item_id"].extend([plan.ids[i] for i in picks])
            else:
                data["item_id"].extend([plan.ids[i] for i in picks])
                data["item_name"].extend([name for _, name, _ in rows])
            data["change"].extend([change for _, _, change in rows])
            for name, column in zip(tails, values, strict=True):
                data[name].extend([column[i] for i in picks])
    comparable = _columns_frame(pooled, ("return_index",))
    if not unique:
        comparable = comparable.drop_duplicates(["return_index", "item_id"], ignore_index=True)
    return comparable, _columns_frame(apart, ("return_index",))


def respondents_frame(
    versions: Versions,
    returns: Sequence[Return],
    counting: Counting,
    indices: Sequence[int],
    include_contacts: bool = False,
) -> pd.DataFrame:
    """respondents.csv: one row per counted return (``indices`` into ``returns``: agreed
    returns and respondents' views) per item of its own model version
    (:data:`~npsxl.collation.columns.RESPONDENTS_COLUMNS`); respondents are named by number
    and role, and by name and email only with ``include_contacts``."""
    columns = list(RESPONDENTS_COLUMNS)
    if include_contacts:
        at = columns.index("respondent_role") + 1
        columns[at:at] = list(CONTACT_COLUMNS)
    data: dict[str, list] = {name: [] for name in columns}
    col = data.__getitem__
    iso = _Dates()
    for index in indices:
        ret = returns[index]
        region, council_type = attributes_of(ret)
        model_id, version = versions.key(ret)
        plan = versions.plan(ret)
        k = len(plan.ids)
        heads = [
            ("council_code", code_of(ret)),
            ("council_name", name_of(ret)),
            ("region", region),
            ("council_type", council_type),
            ("round", round_of(ret)),
            ("respondent", counting.respondents[index]),
            ("respondent_role", " ".join(ret.respondent.role.split())),
            ("kind", ret.kind.value),
            ("counted", counting.states[index]),
            ("model_id", model_id),
            ("model_version", version),
            ("source_file", ret.path),
        ]
        if include_contacts:
            heads += [
                ("respondent_name", ret.respondent.name),
                ("respondent_email", ret.respondent.email),
            ]
        for name, value in heads:
            col(name).extend([value] * k)
        col("item_id").extend(plan.ids)
        col("item_name").extend(plan.names)
        answers, current, current_scores, target, target_scores, gaps = _levels(
            ret, plan.ids, versions.scores(ret)
        )
        col("current_level").extend(current)
        col("current_score").extend(current_scores)
        col("target_level").extend(target)
        col("target_score").extend(target_scores)
        col("gap").extend(gaps)
        col("evidence").extend([a.evidence if a else "" for a in answers])
        col("actions").extend([a.actions if a else "" for a in answers])
        col("target_date").extend([iso(a.target_date) if a else "" for a in answers])
    return _columns_frame(data)
