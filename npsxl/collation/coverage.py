"""Who is covered: the response per region, the councils to chase, agreed returns that
disagree, and the one-paragraph account of a collation (:class:`CollationCoverage`, a part
of :class:`npsxl.collation.collation.Collation`)."""

from __future__ import annotations

import math
from collections import Counter

import pandas as pd

from npsxl.collation.base import CollationBase, display_order
from npsxl.collation.columns import (
    ALL_REGIONS,
    DERIVED,
    NO_COUNCIL,
    RESPONSE_COLUMNS,
    SUPERSEDED,
    VIEW,
)
from npsxl.collation.counting import BASIS_VIEWS, code_of, round_of
from npsxl.model.register import REGIONS, Council
from npsxl.model.rounds import round_key
from npsxl.reading.returns import Return


class CollationCoverage(CollationBase):
    """Coverage of a :class:`~npsxl.collation.collation.Collation` (a part of it)."""

    def in_latest_round(self, ret: Return) -> bool:
        """Whether a file belongs to the latest round's figures: an accepted return of that
        round, or a rejected file of that round, a later one or no known round."""
        latest = self.latest_round
        if ret.accepted:
            return round_of(ret) == latest
        return not round_of(ret) or round_key(round_of(ret)) >= round_key(latest)

    def _covered(self) -> set[str]:
        """Codes (case-folded) of the councils with a figure in the latest round."""
        latest = self.latest_round
        return {code_of(r).casefold() for r in self.counted if round_of(r) == latest}

    def not_returned(self) -> list[Council]:
        """Councils in the register with no figure in the latest round (nothing received, or
        nothing accepted), in register order."""
        if self.register is None:
            return []
        covered = self._covered()
        return [c for c in self.register if c.code.casefold() not in covered]

    def rejected_only(self) -> list[tuple[Council | None, Return]]:
        """The chase list's second part: every rejected file of the latest round (see
        :meth:`in_latest_round`) from a council with no figure in it, as (the register's
        council, or None when the file names none of them; the file), in register order,
        then the files naming no council, in input order."""
        covered = self._covered()
        rank = {c.code: i for i, c in enumerate(self.register or ())}
        found = []
        for index, ret in enumerate(self.returns):
            if ret.accepted or not self.in_latest_round(ret):
                continue
            council = ret.council if ret.council is not None and ret.council.code in rank else None
            if council is not None and council.code.casefold() in covered:
                continue
            found.append((rank[council.code] if council else len(rank), index, council, ret))
        return [(council, ret) for *_, council, ret in sorted(found, key=lambda f: f[:2])]

    def nothing_received(self) -> list[Council]:
        """The chase list's first part: councils in the register with no file at all in the
        latest round (accepted or rejected), in register order."""
        rejected = {c.code for c, _ in self.rejected_only() if c is not None}
        return [c for c in self.not_returned() if c.code not in rejected]

    def response(self) -> pd.DataFrame:
        """Per region, for the latest round: councils expected (register), files received
        naming a council in the region, accepted, rejected and superseded files, files
        counted as respondents' views, councils counted (each once, with its agreed return
        or the figure derived from its views), and the response rate (% of expected
        councils counted). Files naming no register council form a row of their own; the
        last row is the total."""
        expected = Counter(c.region for c in self.register) if self.register is not None else {}
        tallies: dict[str, Counter] = {}
        for ret, state in zip(self.returns, self.log["counted"], strict=True):
            if not self.in_latest_round(ret):
                continue
            region = ret.council.region if ret.council is not None else NO_COUNCIL
            tally = tallies.setdefault(region, Counter())
            tally["received"] += 1
            tally["accepted" if ret.accepted else "rejected"] += 1
            tally["superseded"] += state == SUPERSEDED
            tally["views"] += state in (VIEW, DERIVED)
        latest = self.latest_round
        for ret in self.counted:
            if round_of(ret) == latest:
                region = ret.council.region if ret.council is not None else NO_COUNCIL
                tallies.setdefault(region, Counter())["councils"] += 1
        regions = display_order(set(expected) | (set(tallies) - {NO_COUNCIL}), REGIONS)
        regions += [NO_COUNCIL] if NO_COUNCIL in tallies else []
        rows = []
        for region in regions:
            tally = tallies.get(region, Counter())
            rows.append(_response_row(region, expected.get(region, 0), tally))
        total = sum(tallies.values(), Counter())
        rows.append(_response_row(ALL_REGIONS, sum(expected.values()), total))
        return pd.DataFrame.from_records(rows, columns=list(RESPONSE_COLUMNS))

    def disagreements(self) -> list[tuple[Return, Return]]:
        """Pairs of agreed returns of one council and round whose levels differ (from
        different respondents): (the one counted, the other), in input order."""
        pairs = []
        states = self.log["counted"].tolist()
        by_path = {r.path: r for r in self.returns}
        for ret, state, others in zip(
            self.returns, states, self.counting.disagrees_with, strict=True
        ):
            if others and state != SUPERSEDED:
                pairs += [(ret, by_path[path]) for path in others.split("; ")]
        return pairs

    def summary_text(self) -> str:
        """One paragraph: files read, accepted, rejected, superseded, views, councils
        covered/missing (in the latest round, named when known), and the earlier rounds."""
        states = Counter(self.log["counted"])
        statuses = Counter(self.log["status"])
        accepted = files = len(self.returns)
        accepted -= statuses["rejected"]
        rounds = self.rounds
        several = len(rounds) > 1
        text = (
            f"Read {files} file{'s' if files != 1 else ''}: {accepted} accepted"
            f" ({statuses['accepted with warnings']} with warnings), {files - accepted} rejected"
        )
        if states[SUPERSEDED]:
            text += (
                f", {states[SUPERSEDED]} superseded by a more recent return from the same council"
            )
            text += " in the same round" if several else ""
        if states[VIEW] + states[DERIVED]:
            views = states[VIEW] + states[DERIVED]
            text += (
                f", {views} respondent's view" if views == 1 else f", {views} respondents' views"
            )
        latest = self.latest_round
        councils = rounds.get(latest, 0)
        text += f". Round {latest}: " if latest else ". "
        text += f"{councils} council{'s' if councils != 1 else ''} covered"
        if self.register is not None:
            missing = len(self.not_returned())
            text += (
                f" of {len(self.register)} in the register; {missing} "
                f"council{'s' if missing != 1 else ''} with no accepted return"
                f"{' in that round' if several else ''}."
            )
        else:
            text += " (no register given)."
        derived = sum(
            1
            for ret, basis in zip(self.counted, self.counting.bases, strict=True)
            if basis == BASIS_VIEWS and round_of(ret) == latest
        )
        if derived:
            text += f" {_count(derived, 'council')} counted from respondents' views only."
        disagreeing = len(self.disagreements())
        if disagreeing:
            text += (
                f" {_count(disagreeing, 'pair')} of agreed returns from the same council"
                " disagree (see the Returns log)."
            )
        if several:
            earlier = [
                f"{r or 'round not known'} ({n} council{'s' if n != 1 else ''})"
                for r, n in rounds.items()
                if r != latest
            ]
            text += f" Earlier rounds: {', '.join(earlier)}."
        return text


def _count(n: int, noun: str) -> str:
    """'1 council', '2 councils'."""
    return f"{n} {noun}{'s' if n != 1 else ''}"


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
        tally["views"],
        councils,
        rate,
    )
