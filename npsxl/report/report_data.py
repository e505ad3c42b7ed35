"""The figures behind the briefing and the council reports, gathered from a collation into
the plain data of :mod:`npsxl.report.report_figures`: :func:`report_data`.

This is the one module of the HTML and PDF reports that reads a
:class:`~npsxl.collation.collation.Collation`. The templates, the charts and the headline
findings see only that plain data, so a change in how the collation counts (who counts for
a council, which answers count for an item, several respondents for one council) changes
this module alone. Where the collation has no figure the reports need (the councils behind
a mean gap, the councils expected per council type), it is worked out here from the
collation's frames. Figures are for the latest round, pooled across model versions, as in
the collation; the movement compares the latest round with the previous one.

Respondents (their names, roles and emails) are not gathered: the reports leave them out.
Council types are shown capitalised. This module is over 400 lines because it is the one
reader of the collation for the reports (see above)."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pandas as pd

from npsxl.collation.collation import Collation
from npsxl.collation.columns import ALL_COUNCILS, ALL_ITEMS, NOT_GIVEN
from npsxl.collation.counting import code_of, item_theme, name_of, round_of, version_label
from npsxl.model.model import Model
from npsxl.model.register import council_type_label
from npsxl.report.report_figures import (
    CouncilItem,
    CouncilMove,
    CouncilReport,
    GroupFigures,
    Grouping,
    ItemFigures,
    ItemInfo,
    ItemMovement,
    Median,
    OlderItem,
    ReportData,
    Responses,
)
from npsxl.workbook.generation import safe_filename

TITLES = {"region": "Region", "council_type": "Council type"}


# --- gathering ----------------------------------------------------------------------------------
def _number(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _text(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _benchmark(model: Model) -> str:
    """The middle level ('Mature' of five): the report's line for 'Mature or above'."""
    return model.levels[len(model.levels) // 2].name


class _Gatherer:
    """Reads the collation once per grouping and hands out the plain figures."""

    def __init__(self, collation: Collation):
        self.collation = collation
        self.model = collation.model
        self.items = tuple(ItemInfo(i.id, i.name, item_theme(i)) for i in self.model.items)
        self.levels = self.model.level_names
        self.benchmark_score = self.model.level(_benchmark(self.model)).score
        self._stats: dict[str | None, dict[tuple[str, str], dict]] = {}

    def item_stats(self, by: str | None) -> dict[tuple[str, str], dict]:
        """(group, item id) -> that row of ``Collation.item_stats(by)``, read once."""
        if by not in self._stats:
            frame = self.collation.item_stats(by)
            self._stats[by] = {
                (row["group"], row["item_id"]): row for row in frame.to_dict("records")
            }
        return self._stats[by]

    def median(self, by: str | None, group: str, item_id: str, measure: str) -> Median:
        row = self.item_stats(by).get((group, item_id))
        if row is None:
            return Median(None, 0)
        return Median(_number(row[f"median_{measure}"]), int(row[f"n_{measure}"]))

    def grouping(self, by: str | None) -> list[GroupFigures]:
        collation = self.collation
        summary = collation.summary(by)
        groups = collation.groups(by)
        councils = collation.councils_in(by)
        expected = self._expected(by)
        n_items, n_levels = len(self.items), len(self.levels)
        counts = summary["count"].to_numpy().reshape(len(groups), n_items, 2, n_levels).astype(int)
        gaps = self._gap_counts(by, groups)
        means = collation.level_means(by).set_index("group")["mean_gap"]
        result = []
        for g, group in enumerate(groups):
            items = []
            for i, item in enumerate(self.items):
                row = self.item_stats(by)[(group, item.id)]
                items.append(
                    ItemFigures(
                        item=item,
                        current=tuple(counts[g, i, 0].tolist()),
                        target=tuple(counts[g, i, 1].tolist()),
                        median_current=Median(_number(row["median_current"]), row["n_current"]),
                        median_target=Median(_number(row["median_target"]), row["n_target"]),
                        mean_gap=_number(row["mean_gap"]),
                        n_gap=int(gaps[g, i]),
                        aiming_higher=int(row["n_aiming_higher"]),
                    )
                )
            high = slice(self.benchmark_score - 1, None)
            result.append(
                GroupFigures(
                    name=council_type_label(group) if by == "council_type" else group,
                    councils=int(councils.get(group, 0)),
                    expected=None if expected is None else expected.get(group, 0),
                    items=tuple(items),
                    answers={
                        "current": int(counts[g, :, 0].sum()),
                        "target": int(counts[g, :, 1].sum()),
                    },
                    at_or_above={
                        "current": int(counts[g, :, 0, high].sum()),
                        "target": int(counts[g, :, 1, high].sum()),
                    },
                    mean_gap=_number(means.get(group)),
                )
            )
        return result

    def _expected(self, by: str | None) -> Counter | None:
        """Councils in the register per group (None without a register)."""
        register = self.collation.register
        if register is None:
            return None
        if by is None:
            return Counter({ALL_COUNCILS: len(register)})
        standard = by in ("region", "council_type")
        return Counter(
            (getattr(c, by) if standard else c.extra.get(by, "")) or NOT_GIVEN for c in register
        )

    def _gap_counts(self, by: str | None, groups: list[str]) -> np.ndarray:
        """Councils that gave both levels, per group and item (behind each mean gap)."""
        pooled = self.collation.pooled
        gaps = np.zeros((len(groups), len(self.items)), dtype=int)
        if pooled.empty:
            return gaps
        both = pooled[pooled["gap"].notna()]
        if by is None:
            labels = pd.Series(ALL_COUNCILS, index=both.index)
        elif by in ("region", "council_type"):
            labels = both[by].fillna("").replace("", NOT_GIVEN)
        else:
            extra = {
                code_of(r): r.council.extra.get(by, "") for r in self.collation.counted if r.council
            }
            labels = both["council_code"].map(extra).fillna("").replace("", NOT_GIVEN)
        counted = both.groupby([labels, both["item_id"]]).size()
        group_index = {g: i for i, g in enumerate(groups)}
        item_index = {item.id: i for i, item in enumerate(self.items)}
        for (group, item_id), n in counted.items():
            if group in group_index and item_id in item_index:
                gaps[group_index[group], item_index[item_id]] = n
        return gaps

    def ambition(self) -> tuple[int, int]:
        """(councils that gave a target, those aiming at the benchmark or above on every
        item they gave a target for)."""
        pooled = self.collation.pooled
        targets = pooled[pooled["target_score"].notna()]
        if targets.empty:
            return 0, 0
        lowest = targets.groupby("council_code")["target_score"].min()
        return len(lowest), int((lowest >= self.benchmark_score).sum())

    def movement(self) -> tuple[tuple[ItemMovement, ...], int]:
        collation = self.collation
        if collation.previous_round is None:
            return (), 0
        frame = collation.movement(None)
        by_id = {item.id: item for item in self.items}
        moves = tuple(
            ItemMovement(
                by_id.get(row["item_id"]) if row["item_id"] != ALL_ITEMS else None,
                int(row["compared"]),
                int(row["up"]),
                int(row["same"]),
                int(row["down"]),
                int(row["not_comparable"]),
            )
            for row in frame.to_dict("records")
        )
        councils = int(frame["councils"].iloc[0]) if len(frame) else 0
        return moves, councils

    def responses(self) -> Responses:
        total = self.collation.response().iloc[-1]
        return Responses(
            expected=int(total["expected"]) if self.collation.register is not None else None,
            received=int(total["received"]),
            accepted=int(total["accepted"]),
            rejected=int(total["rejected"]),
            superseded=int(total["superseded"]),
            councils=int(total["councils"]),
        )

    # -- the councils ----------------------------------------------------------------------
    def councils(self) -> list[CouncilReport]:
        collation = self.collation
        pooled = collation.pooled
        rows_of = {index: rows for index, rows in pooled.groupby("return_index", sort=False)}
        older = collation.per_version
        older = older[older["round"].to_numpy(dtype=object) == collation.latest_round]
        older_of = {index: rows for index, rows in older.groupby("return_index", sort=False)}
        trends = collation.trends
        moves_of = {code: rows for code, rows in trends.groupby("council_code", sort=False)}
        index_of = {id(ret): i for i, ret in enumerate(collation.returns)}
        councils_in = {by: collation.councils_in(by) for by in ("region", "council_type")}
        stems: set[str] = set()
        reports = []
        for ret in sorted(collation.latest, key=lambda r: (name_of(r).casefold(), code_of(r))):
            index = index_of[id(ret)]
            rows = rows_of.get(index)
            region = _group_label(rows, "region", ret)
            council_type = _group_label(rows, "council_type", ret)
            stem = _file_stem(code_of(ret), name_of(ret), stems)
            reports.append(
                CouncilReport(
                    code=code_of(ret),
                    name=name_of(ret) or code_of(ret) or "Council not named",
                    region=region,
                    council_type=council_type_label(council_type),
                    round=round_of(ret),
                    model_version=version_label(
                        ret.model_id or self.model.id, ret.model_version or self.model.version
                    ),
                    file_stem=stem,
                    items=tuple(self._council_items(ret, rows, region, council_type)),
                    older_items=tuple(_older_items(ret, older_of.get(index))),
                    region_councils=int(councils_in["region"].get(region, 0)),
                    council_type_councils=int(councils_in["council_type"].get(council_type, 0)),
                    previous_round=collation.previous_round,
                    movement=tuple(self._moves(moves_of.get(code_of(ret)))),
                )
            )
        return reports

    def _council_items(self, ret, rows, region: str, council_type: str) -> list[CouncilItem]:
        by_item = {}
        if rows is not None:
            by_item = {row["item_id"]: row for row in rows.to_dict("records")}
        result = []
        for info, item in zip(self.items, self.model.items, strict=True):
            row = by_item.get(info.id, {})
            source = row.get("source_item_id") or info.id
            answer = ret.answers.get(source)
            current, target = _level(row.get("current_level")), _level(row.get("target_level"))
            current_score = _score(row.get("current_score"))
            above = None
            if current_score is not None and current_score < len(self.levels):
                above = current_score  # the index of the level above, 0-based
            medians = {
                (by, measure): self.median(by, group, info.id, measure)
                for by, group in (("region", region), ("council_type", council_type))
                for measure in ("current", "target")
            }
            result.append(
                CouncilItem(
                    item=info,
                    current=current,
                    target=target,
                    current_score=current_score,
                    target_score=_score(row.get("target_score")),
                    evidence=answer.evidence if answer else "",
                    actions=answer.actions if answer else "",
                    target_date=_text(answer.target_date) if answer else "",
                    next_level=self.levels[above] if above is not None else None,
                    next_descriptor=item.descriptors[above] if above is not None else "",
                    answered_as=source if source != info.id else "",
                    region=medians["region", "current"],
                    region_target=medians["region", "target"],
                    council_type=medians["council_type", "current"],
                    council_type_target=medians["council_type", "target"],
                    everyone=self.median(None, ALL_COUNCILS, info.id, "current"),
                    everyone_target=self.median(None, ALL_COUNCILS, info.id, "target"),
                )
            )
        return result

    def _moves(self, rows) -> list[CouncilMove]:
        if rows is None:
            return []
        by_id = {item.id: item for item in self.items}
        return [
            CouncilMove(
                by_id[row["item_id"]],
                _text(row["previous_level"]),
                _text(row["latest_level"]),
                _text(row["movement"]),
            )
            for row in rows.to_dict("records")
            if row["item_id"] in by_id
        ]


def _level(value) -> str | None:
    text = _text(value)
    return text or None


def _score(value) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def _group_label(rows, column: str, ret) -> str:
    """The council's region or type as the collation groups it ('Not given' when blank)."""
    value = ""
    if rows is not None and len(rows):
        value = _text(rows[column].iloc[0])
    elif ret.council is not None:
        value = getattr(ret.council, column)
    return value or NOT_GIVEN


def _older_items(ret, rows) -> list[OlderItem]:
    if rows is None:
        return []
    result = []
    for row in rows.to_dict("records"):
        answer = ret.answers.get(row["item_id"])
        result.append(
            OlderItem(
                item_id=row["item_id"],
                name=_text(row.get("item_name")) or row["item_id"],
                current=_level(row.get("current_level")),
                target=_level(row.get("target_level")),
                evidence=answer.evidence if answer else "",
                actions=answer.actions if answer else "",
            )
        )
    return result


def _file_stem(code: str, name: str, used: set[str]) -> str:
    """'<code>-<name>' as a safe file name, made unique among ``used``."""
    stem = "-".join(safe_filename(part) for part in (code, name) if part) or "council"
    unique, number = stem, 2
    while unique.casefold() in used:
        unique, number = f"{stem}-{number}", number + 1
    used.add(unique.casefold())
    return unique


def report_data(collation: Collation) -> ReportData:
    """Gather the figures of the briefing and of every council's report from a collation."""
    gather = _Gatherer(collation)
    model = collation.model
    groupings = tuple(
        Grouping(TITLES.get(by, by), by, tuple(gather.grouping(by)))
        for by in collation.groupings()
        if by is not None
    )
    answering, aiming = gather.ambition()
    movement, movement_councils = gather.movement()
    versions = tuple(
        (row["round"], row["model_version"], int(row["returns"]))
        for row in collation.versions_by_round().to_dict("records")
    )
    return ReportData(
        title=model.title,
        short_name=model.short_name,
        publisher=model.publisher,
        published=model.published,
        source_url=model.source_url,
        organisation=model.brand.organisation,
        font=model.brand.font,
        colours={role: (p.background, p.text) for role, p in model.brand.colours.items()},
        levels=gather.levels,
        benchmark=_benchmark(model),
        items=gather.items,
        collated_at=collation.collated_at,
        latest_round=collation.latest_round,
        previous_round=collation.previous_round,
        rounds=tuple(collation.rounds.items()),
        versions=versions,
        responses=gather.responses(),
        everyone=gather.grouping(None)[0],
        groupings=groupings,
        councils_answering=answering,
        councils_aiming_benchmark=aiming,
        movement=movement,
        movement_councils=movement_councils,
        councils=tuple(gather.councils()),
    )
