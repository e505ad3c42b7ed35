"""Headline findings in plain English, written from the figures of :mod:`report_data`.

:func:`headlines` gives the briefing's, :func:`council_points` a council's. Each sentence is
worked out from the figures each time, never typed in: where most councils stand, where the
gaps to their own targets are largest, how many aim for the middle level ('Mature') or above,
and the movement since the previous round. No sentence ranks councils.
"""

from __future__ import annotations

from npsxl.report.report_figures import CouncilReport, ItemFigures, ReportData

GAPS_NAMED = 3


def percent(value: float | None) -> str:
    """'34%': a share to the whole per cent ('<1%' for a small share that is not zero)."""
    if value is None:
        return "no returns"
    if 0 < value < 0.5:
        return "<1%"
    return f"{value:.0f}%"


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """'1 council', '2 councils'."""
    return f"{count} {noun if count == 1 else (nouns or noun + 's')}"


def level_label(score: float | None, levels: tuple[str, ...]) -> str:
    """A median score as a level name; half-way between two levels as 'Developing–Mature'."""
    if score is None:
        return "no answers"
    low = int(score)
    if score == low:
        return levels[low - 1]
    return f"{levels[low - 1]}–{levels[low]}"


def _names(names: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _round(data: ReportData) -> str:
    return f" for round {data.latest_round}" if data.latest_round else ""


def headlines(data: ReportData) -> list[str]:
    """The briefing's headline findings, each a sentence or two."""
    everyone = data.everyone
    if everyone.no_returns:
        return [f"No council's self-assessment was accepted{_round(data)}: there are no figures."]
    said = [_responses(data)]
    said.append(_where_most_stand(data))
    gaps = _largest_gaps(data)
    if gaps:
        said.append(gaps)
    said.append(_ambition(data))
    if data.movement:
        said.append(_movement(data))
    return said


def _responses(data: ReportData) -> str:
    """Councils counted, of the register's; and of the regions with returns, when some
    regions have none (a regional coordinator with the national register, or a region
    that sent nothing: both are said)."""
    responses = data.responses
    if not responses.expected:
        return (
            f"{plural(responses.councils, 'council')} sent an accepted self-assessment"
            f"{_round(data)}."
        )
    text = (
        f"{responses.councils} of the {plural(responses.expected, 'council')} in the register "
        f"({percent(responses.response_rate)}) sent an accepted self-assessment{_round(data)}."
    )
    regions = data.regions.groups
    covered = [g for g in regions if not g.no_returns and g.expected]
    silent = [g.name for g in regions if g.no_returns and g.expected]
    expected = sum(g.expected for g in covered if g.expected)
    if silent and expected:
        councils = sum(g.councils for g in covered)
        text += (
            f" In {_names([g.name for g in covered])}, the "
            f"{'region' if len(covered) == 1 else 'regions'} with returns, {councils} of "
            f"{expected} ({percent(100.0 * councils / expected)}); none from "
            f"{_names(silent) if len(silent) <= 3 else plural(len(silent), 'other region')}."
        )
    return text


def _where_most_stand(data: ReportData) -> str:
    """The fewest levels that together hold most of the current-level answers."""
    levels = data.levels
    totals = [sum(f.current[i] for f in data.everyone.items) for i in range(len(levels))]
    answers = sum(totals) or 1
    chosen, held = [], 0
    for index in sorted(range(len(levels)), key=lambda i: (-totals[i], i)):
        chosen.append(index)
        held += totals[index]
        if held * 2 > answers:
            break
    chosen.sort()
    names = " or ".join(levels[i] for i in chosen)
    share = percent(100.0 * held / answers)
    these = "this level" if len(chosen) == 1 else "one of these levels"
    medians: dict[str, int] = {}
    for figures in data.everyone.items:
        label = level_label(figures.median_current.score, levels)
        medians[label] = medians.get(label, 0) + 1
    parts = [
        f"{label} on {plural(count, 'item')}"
        for label, count in sorted(medians.items(), key=lambda kv: -kv[1])
    ]
    return (
        f"Most councils stand at {names}: {share} of their answers across the "
        f"{plural(len(data.items), 'item')} are at {these}. The median council stands at "
        f"{_names(parts)}."
    )


def _largest_gaps(data: ReportData) -> str:
    known = [f for f in data.everyone.items if f.mean_gap is not None]
    if not known:
        return ""
    ordered = sorted(known, key=_largest_gap_first)
    named = [f"{f.item.name} ({f.mean_gap:.1f})" for f in ordered[:GAPS_NAMED]]
    text = (
        "The gaps between where councils stand and the targets they set themselves are "
        f"largest for {_names(named)}, in levels on average"
    )
    if len(ordered) > GAPS_NAMED:
        last = ordered[-1]
        text += f"; smallest for {last.item.name} ({last.mean_gap:.1f})"
    aiming = sum(f.aiming_higher for f in known)
    pairs = sum(f.n_gap for f in known)
    return (
        text
        + f". Councils aim higher than they stand on {percent(100.0 * aiming / pairs)} "
        + ("of their answers.")
    )


def _largest_gap_first(figures: ItemFigures) -> float:
    """Sort key of :func:`_largest_gaps`, for an item's figures that have a mean gap."""
    if figures.mean_gap is None:
        raise ValueError(f"{figures.item.name}: no mean gap to order by")
    return -figures.mean_gap


def _ambition(data: ReportData) -> str:
    everyone, benchmark = data.everyone, data.benchmark
    text = (
        f"{percent(everyone.share_at_or_above('target'))} of the targets councils set are "
        f"{benchmark} or above, against {percent(everyone.share_at_or_above('current'))} of "
        "where they stand now"
    )
    if data.councils_answering:
        share = 100.0 * data.councils_aiming_benchmark / data.councils_answering
        text += (
            f"; {data.councils_aiming_benchmark} of {plural(data.councils_answering, 'council')} "
            f"({percent(share)}) aim for {benchmark} or above on every item"
        )
    return text + "."


def _movement(data: ReportData) -> str:
    overall = data.movement[-1]
    councils = plural(data.movement_councils, "council")
    if not overall.compared:
        return (
            f"{councils} answered both round {data.previous_round} and round "
            f"{data.latest_round}, but no item could be compared."
        )
    up = percent(100.0 * overall.up / overall.compared)
    down = percent(100.0 * overall.down / overall.compared)
    return (
        f"Since round {data.previous_round}, {councils} answered both rounds: their current "
        f"level went up on {up} of the items compared and down on {down}."
    )


def council_points(data: ReportData, council: CouncilReport) -> list[str]:
    """The opening points of a council's report: what it answered, its largest gaps, and
    where it stands beside the median of all councils."""
    items = council.items
    answered = [e for e in items if e.current_score is not None]
    said = [
        f"Your council gave its current level for {len(answered)} of "
        f"{plural(len(items), 'item')} and a target for "
        f"{sum(1 for e in items if e.target_score is not None)}."
    ]
    gaps = sorted(
        ((e.gap, e) for e in items if e.gap is not None and e.gap > 0), key=lambda pair: -pair[0]
    )
    if gaps:
        top = gaps[0][0]
        largest = [e.item.name for gap, e in gaps if gap == top]
        aims = f"You aim higher than you stand on {plural(len(gaps), 'item')}"
        if len(largest) == len(gaps) and len(gaps) > 1:
            said.append(f"{aims}, on each by {plural(top, 'level')}.")
        elif len(largest) > GAPS_NAMED:
            said.append(
                f"{aims}; the largest gap, {plural(top, 'level')}, is on {len(largest)} of them."
            )
        else:
            said.append(
                f"{aims}; the largest gap, {plural(top, 'level')}, is on {_names(largest)}."
            )
    else:
        said.append("Your targets are at the level where you stand now on every item.")
    lower = [e for e in items if e.gap is not None and e.gap < 0]
    if lower:
        said.append(
            f"Your target is below your current level on {_names([e.item.name for e in lower])}:"
            " check that this is what you meant."
        )
    compared = [
        (e.current_score, e.everyone.score)
        for e in items
        if e.current_score is not None and e.everyone.score is not None
    ]
    above = sum(1 for mine, median in compared if mine > median)
    below = sum(1 for mine, median in compared if mine < median)
    said.append(
        f"Beside the median of all {plural(data.everyone.councils, 'council')}, you stand above "
        f"it on {plural(above, 'item')}, below it on {below} and level with it on "
        f"{len(compared) - above - below}."
    )
    return said
