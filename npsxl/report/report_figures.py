"""The plain data the briefing and the council reports show: frozen dataclasses, filled by
:func:`npsxl.report.report_data.report_data` from a collation and read by the templates, the
charts and the headline findings, which never see the collation itself.

Every figure carries the councils behind it: ``n`` for a median, the councils that answered
each measure of an item, the councils counted in a group. A group with no counted council is
:attr:`GroupFigures.no_returns`, shown as "no returns" and never as 0 %.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ItemInfo:
    """An item of the current model, as the reports name it."""

    id: str
    name: str
    theme: str  # the theme's name, or 'Enablers'


@dataclass(frozen=True)
class Median:
    """A median level score (may be half-way between two levels) and the councils behind it."""

    score: float | None  # None when no council gave the level
    n: int


@dataclass(frozen=True)
class ItemFigures:
    """One item in one group: councils at each level, now and as target, and the gap."""

    item: ItemInfo
    current: tuple[int, ...]  # councils at each level (level order) now
    target: tuple[int, ...]  # councils aiming for each level
    median_current: Median
    median_target: Median
    mean_gap: float | None  # target minus current, over the councils that gave both
    n_gap: int  # councils that gave both levels
    aiming_higher: int  # councils whose target is above their current level

    @property
    def n_current(self) -> int:
        return sum(self.current)

    @property
    def n_target(self) -> int:
        return sum(self.target)


@dataclass(frozen=True)
class GroupFigures:
    """A group of councils (all councils, a region, a council type...) and its figures.

    ``at_or_above`` and ``answers`` count item answers (a council once per item) at the
    benchmark level or above, and all answers, for 'current' and 'target'."""

    name: str
    councils: int  # councils counted in the latest round
    expected: int | None  # councils in the register; None without a register
    items: tuple[ItemFigures, ...]
    answers: dict[str, int]
    at_or_above: dict[str, int]
    mean_gap: float | None

    @property
    def no_returns(self) -> bool:
        return self.councils == 0

    @property
    def response_rate(self) -> float | None:
        """% of the expected councils counted; None without a register or none expected."""
        if not self.expected:
            return None
        return 100.0 * self.councils / self.expected

    def share_at_or_above(self, measure: str) -> float | None:
        """% of item answers at the benchmark level or above; None when there are none."""
        answers = self.answers[measure]
        return 100.0 * self.at_or_above[measure] / answers if answers else None


@dataclass(frozen=True)
class Grouping:
    """The groups of one register column, with a title for the reports."""

    title: str  # 'Region', 'Council type', or the column's name
    column: str
    groups: tuple[GroupFigures, ...]


@dataclass(frozen=True)
class ItemMovement:
    """How councils moved on one item between the previous and the latest round."""

    item: ItemInfo | None  # None: all items together
    compared: int  # comparisons made (councils, or council-and-item pairs for all items)
    up: int
    same: int
    down: int
    not_comparable: int


@dataclass(frozen=True)
class Responses:
    """Files and councils of the latest round, over every region."""

    expected: int | None
    received: int
    accepted: int
    rejected: int
    superseded: int
    councils: int

    @property
    def response_rate(self) -> float | None:
        return 100.0 * self.councils / self.expected if self.expected else None


@dataclass(frozen=True)
class CouncilItem:
    """One item of a council's report: its answers, the next level, and other councils."""

    item: ItemInfo
    current: str | None
    target: str | None
    current_score: int | None
    target_score: int | None
    evidence: str
    actions: str
    target_date: str
    next_level: str | None  # the level above the current one; None at the top or unanswered
    next_descriptor: str  # the strategy's description of that level
    answered_as: str  # the item id answered, when the council used an older model version
    region: Median  # the region's median current and target, and the same for type and all
    region_target: Median
    council_type: Median
    council_type_target: Median
    everyone: Median
    everyone_target: Median

    @property
    def gap(self) -> int | None:
        if self.current_score is None or self.target_score is None:
            return None
        return self.target_score - self.current_score


@dataclass(frozen=True)
class OlderItem:
    """An item answered in an older model version that maps onto no current item."""

    item_id: str
    name: str
    current: str | None
    target: str | None
    evidence: str
    actions: str


@dataclass(frozen=True)
class CouncilMove:
    item: ItemInfo
    previous_level: str
    latest_level: str
    movement: str  # 'up', 'same', 'down', 'not comparable', or '' (a level left blank)


@dataclass(frozen=True)
class CouncilReport:
    """What one council's report shows: its latest counted return beside other councils."""

    code: str
    name: str
    region: str
    council_type: str
    round: str
    model_version: str  # 'nps-2018 1.0.0'
    file_stem: str  # '<code>-<name>', safe as a file name
    items: tuple[CouncilItem, ...]
    older_items: tuple[OlderItem, ...]
    region_councils: int
    council_type_councils: int
    previous_round: str | None
    movement: tuple[CouncilMove, ...]


@dataclass(frozen=True)
class ReportData:
    """Everything the briefing and the council reports show, gathered from one collation."""

    title: str
    short_name: str
    publisher: str
    published: str
    source_url: str
    organisation: str
    font: str
    colours: dict[str, tuple[str, str]]  # brand role -> (background, text)
    levels: tuple[str, ...]
    benchmark: str  # the middle level: 'Mature' in NPS 2018
    items: tuple[ItemInfo, ...]
    collated_at: str
    latest_round: str
    previous_round: str | None
    rounds: tuple[tuple[str, int], ...]  # (round, councils counted), in round order
    versions: tuple[tuple[str, str, int], ...]  # (round, model version, returns)
    responses: Responses
    everyone: GroupFigures
    groupings: tuple[Grouping, ...]
    councils_answering: int  # councils that gave at least one target
    councils_aiming_benchmark: int  # of those, how many aim at the benchmark or above on all
    movement: tuple[ItemMovement, ...]  # per item then all items; empty with one round
    movement_councils: int
    councils: tuple[CouncilReport, ...]

    @property
    def benchmark_score(self) -> int:
        return self.levels.index(self.benchmark) + 1

    @property
    def regions(self) -> Grouping:
        return self.groupings[0]

    @property
    def council_types(self) -> Grouping:
        return self.groupings[1]
