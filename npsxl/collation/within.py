"""Several respondents per council: the tidy table of respondents' answers
(:meth:`~CollationRespondents.respondents`) and the spread of their views inside each
council (:meth:`~CollationRespondents.within_councils`).

:class:`CollationRespondents` is a part of :class:`npsxl.collation.collation.Collation`: it
uses the collation's returns and what each counts for (:mod:`npsxl.collation.counting`).
Both tables are for the latest round.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from npsxl.collation.base import CollationBase
from npsxl.collation.columns import IN_FIGURES, VIEW, WIDE_SPREAD, WITHIN_COLUMNS
from npsxl.collation.counting import BASIS_AGREED, attributes_of, code_of, name_of, round_of
from npsxl.collation.frames import respondents_frame
from npsxl.collation.respondents import LEVEL_FIELDS

COUNTED_STATES = (*IN_FIGURES, VIEW)  # a file that counts: for the figure or the spread


class CollationRespondents(CollationBase):
    """The respondents of a :class:`~npsxl.collation.collation.Collation` (a part of it)."""

    def respondents(self, include_contacts: bool = False) -> pd.DataFrame:
        """respondents.csv: every counted return of the latest round, agreed returns and
        respondents' views alike, one row per item of its model
        (:data:`~npsxl.collation.columns.RESPONDENTS_COLUMNS`), in input order. Respondents
        are named by number and role ('Respondent 2 (Head of Procurement)'); their names and
        emails are added (``respondent_name``, ``respondent_email``) only with
        ``include_contacts``."""
        key = ("respondents", include_contacts)
        if key not in self._cache:
            latest = self.latest_round
            indices = [
                i
                for i, (ret, state) in enumerate(
                    zip(self.returns, self.counting.states, strict=True)
                )
                if state in COUNTED_STATES and round_of(ret) == latest
            ]
            self._cache[key] = respondents_frame(
                self._versions, self.returns, self.counting, indices, include_contacts
            )
        return self._cache[key]

    def within_councils(self) -> pd.DataFrame:
        """The spread of opinion inside each council with two or more respondents' views in
        the latest round (:data:`~npsxl.collation.columns.WITHIN_COLUMNS`): per council and
        item of its figure's model, the counted views (``views``), and per measure how many
        gave a level, the lowest and highest (scores) and the spread between them; the
        council's figure (its agreed return's levels, or those derived from the views, see
        ``basis``); ``flagged`` when a spread is :data:`WIDE_SPREAD` levels or more;
        ``outside_current``/``outside_target`` when the figure is an agreed return's level
        that lies outside the views' (below the lowest or above the highest)."""
        if "within" not in self._cache:
            self._cache["within"] = self._make_within()
        return self._cache["within"]

    def _make_within(self) -> pd.DataFrame:
        counting, versions, latest = self.counting, self._versions, self.latest_round
        rows = []
        for figure, basis, views in zip(
            counting.figures, counting.bases, counting.views, strict=True
        ):
            if len(views) < 2 or round_of(figure) != latest:
                continue
            region, council_type = attributes_of(figure)
            plan = versions.plan(figure)
            figure_scores = versions.scores(figure)
            rets = [self.returns[i] for i in views]
            for item_id, item_name in zip(plan.ids, plan.names, strict=True):
                row = {
                    "council_code": code_of(figure),
                    "council_name": name_of(figure),
                    "region": region,
                    "council_type": council_type,
                    "item_id": item_id,
                    "item_name": item_name,
                    "views": len(views),
                    "basis": basis,
                }
                answer = figure.answers.get(item_id)
                wide = False
                for field in LEVEL_FIELDS:
                    given = [
                        versions.scores(r)[level]
                        for r in rets
                        if item_id in r.answers
                        and (level := getattr(r.answers[item_id], field)) in versions.scores(r)
                    ]
                    low = min(given) if given else None
                    high = max(given) if given else None
                    spread = high - low if high is not None and low is not None else None
                    wide = wide or (spread is not None and spread >= WIDE_SPREAD)
                    level = getattr(answer, field) if answer is not None else None
                    score = figure_scores.get(level) if level is not None else None
                    row |= {
                        f"n_{field}": len(given),
                        f"lowest_{field}": low,
                        f"highest_{field}": high,
                        f"spread_{field}": spread,
                        f"figure_{field}": score,
                        # an agreed level outside every view's: worth a question
                        f"outside_{field}": basis == BASIS_AGREED
                        and score is not None
                        and low is not None
                        and high is not None
                        and not low <= score <= high,
                    }
                row["flagged"] = wide
                rows.append(row)
        frame = pd.DataFrame.from_records(rows, columns=list(WITHIN_COLUMNS))
        for column in WITHIN_COLUMNS:
            if column.startswith(("lowest_", "highest_", "spread_", "figure_")):
                frame[column] = pd.array(frame[column].tolist(), dtype="Int64")
            elif column.startswith(("n_", "views")):
                frame[column] = np.asarray(frame[column].tolist(), dtype="int64")
        for column in ("flagged", "outside_current", "outside_target"):
            frame[column] = frame[column].astype(bool)
        return frame
