"""The reports' HTML pages, from Jinja2 templates with autoescaping: :class:`Pages`.

Every value reaches the page through the templates in ``templates/``, autoescaped: a
council's evidence, actions and name are shown as the text they are, never as markup. The
charts are the only markup put in as it is (:class:`~npsxl.report.chart_svg.Chart`), and hold
no council-typed text. A page is one file: its CSS and SVG charts are inline, it loads
nothing and runs no script.
"""

from __future__ import annotations

import datetime as dt

import jinja2

from npsxl import __version__
from npsxl.report import findings
from npsxl.report.charts import Charts
from npsxl.report.report_figures import CouncilReport, ReportData


def _date(text: str) -> str:
    """'2026-12-02T06:09:22+00:00' -> '2 December 2026' (the text itself when not a date)."""
    try:
        day = dt.date.fromisoformat(str(text)[:10])
    except ValueError:
        return str(text)
    return f"{day.day} {day:%B %Y}"


def environment() -> jinja2.Environment:
    """The templates, autoescaped whatever their names, and strict about undefined names."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("npsxl.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(percent=findings.percent, plural=findings.plural, date=_date)
    return env


class Pages:
    """Renders the briefing and the council reports of one :class:`ReportData`."""

    def __init__(self, data: ReportData, charts: Charts):
        self.data = data
        self.charts = charts
        self.env = environment()
        self.env.filters["level"] = lambda score: findings.level_label(score, data.levels)
        self.env.globals.update(version=__version__, data=data)

    def briefing(self) -> str:
        """The briefing for councillors and coordinators (``index.html``)."""
        data, charts = self.data, self.charts
        sections = []
        for index, grouping in enumerate(data.groupings, start=2):
            answered = tuple(g for g in grouping.groups if not g.no_returns)
            chart = charts.groups(
                (data.everyone, *answered), data.benchmark, grouping.title, f"chart-{index}"
            )
            sections.append((grouping, chart))
        movement = None
        if data.movement:
            if data.previous_round is None:
                raise ValueError("movement figures need the previous round they are from")
            movement = charts.movement(data.movement, data.previous_round, "chart-movement")
        return self.env.get_template("briefing.html").render(
            headlines=findings.headlines(data),
            distribution=charts.distribution(data.everyone.items, "chart-1"),
            sections=sections,
            movement_chart=movement,
        )

    def council(self, council: CouncilReport) -> str:
        """One council's report (``councils/<code>-<name>.html``)."""
        return self.env.get_template("council.html").render(
            council=council,
            points=findings.council_points(self.data, council),
            chart=self.charts.council(council, "chart-council"),
            gaps=sorted(
                (e for e in council.items if e.gap is not None),
                key=lambda e: (-e.gap, council.items.index(e)),
            ),
        )
