"""The reports' figures, findings and HTML (npsxl.report.report_data, findings, pages, reports).

Expected figures are worked out here by hand from the answers in ``reports_common`` (written
out there as scores), never from the code under test.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from conftest import ROOT
from reports_common import (
    ALPHA,
    BETA,
    DELTA,
    FORMULA,
    GAMMA,
    HOSTILE_NAME,
    MARKUP,
    MODEL,
    RESPONDENT,
    SCRIPT,
    ZETA,
    make_return,
    two_rounds,
)

from npsxl.collation.run import collate
from npsxl.model.defaults import packaged_archive, packaged_model
from npsxl.report.findings import council_points, headlines, level_label, percent
from npsxl.report.report_data import report_data
from npsxl.report.reports import COUNCILS_COLUMNS, write_reports


@pytest.fixture(scope="module")
def collation(tmp_path_factory):
    return two_rounds(tmp_path_factory.mktemp("register"))[0]


@pytest.fixture(scope="module")
def data(collation):
    return report_data(collation)


@pytest.fixture(scope="module")
def written(collation, tmp_path_factory):
    return write_reports(collation, tmp_path_factory.mktemp("report"), pdf=False)


CURRENT = f"{packaged_model().id} {packaged_model().version}"  # the version returns are made with


def council(data, code):
    return next(c for c in data.councils if c.code == code)


class Page(HTMLParser):
    """What a test needs of a page: tags, attributes, headings and the text."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.headings: list[tuple[int, str]] = []
        self.text: list[str] = []
        self._heading: list[str] | None = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if re.fullmatch(r"h[1-6]", tag):
            self._heading = [tag]

    def handle_endtag(self, tag):
        if self._heading and tag == self._heading[0]:
            self.headings.append((int(tag[1]), "".join(self._heading[1:]).strip()))
            self._heading = None

    def handle_data(self, data):
        self.text.append(data)
        if self._heading is not None:
            self._heading.append(data)

    def named(self, tag: str) -> list[dict]:
        return [attrs for name, attrs in self.tags if name == tag]

    @property
    def all_text(self) -> str:
        return "".join(self.text)


# --- figures ------------------------------------------------------------------------------------
def test_national_figures_count_the_councils_behind_each(data):
    everyone = data.everyone
    assert everyone.councils == 5 and everyone.expected == 6
    l1 = everyone.items[0]
    assert l1.item.id == "L1"
    # L1 current: Alpha 2, Beta 3, Gamma 1, Delta blank, Zeta 2
    assert l1.current == (1, 2, 1, 0, 0) and l1.n_current == 4
    assert (l1.median_current.score, l1.median_current.n) == (2.0, 4)
    # L1 target: 5, 4, 3, 5, 2
    assert l1.target == (0, 1, 1, 1, 2) and l1.median_target.score == 4.0
    # gaps where both given: 3, 1, 2, 0
    assert l1.n_gap == 4 and l1.mean_gap == pytest.approx(1.5) and l1.aiming_higher == 3


def test_groups_with_no_returns_are_marked_and_every_group_has_its_n(data):
    regions = {g.name: g for g in data.regions.groups}
    assert list(regions) == ["North East", "North West", "London"]
    assert regions["London"].no_returns and regions["London"].share_at_or_above("current") is None
    assert regions["London"].expected == 1 and regions["London"].response_rate == 0
    assert (regions["North East"].councils, regions["North West"].councils) == (3, 2)
    north_west_l1 = regions["North West"].items[0]  # Gamma 1, Delta blank
    assert north_west_l1.n_current == 1 and north_west_l1.median_current.n == 1
    types = {g.name: g for g in data.council_types.groups}
    assert (
        types["London borough"].no_returns and types["Unitary"].councils == 3
    )  # shown capitalised


def test_ambition_rounds_versions_and_responses(data):
    # lowest target: Alpha 4, Beta 3, Gamma 3, Delta 5, Zeta 2
    assert (data.councils_answering, data.councils_aiming_benchmark) == (5, 4)
    assert data.benchmark == "Mature" and data.benchmark_score == 3
    assert data.rounds == (("2025", 3), ("2026", 5))
    assert (data.latest_round, data.previous_round) == ("2026", "2025")
    assert data.versions == (("2025", CURRENT, 3), ("2026", CURRENT, 5))
    assert (data.responses.councils, data.responses.expected) == (5, 6)


def test_movement_between_the_rounds(data):
    # Alpha 2 -> 3 on all but L1 (2 -> 2); Beta 3 -> 3 but C1 2 -> 3, E4 3 -> 4; Gamma 1 -> 1
    overall = data.movement[-1]
    assert overall.item is None and data.movement_councils == 3
    assert (overall.compared, overall.up, overall.same, overall.down) == (42, 15, 27, 0)
    alpha = council(data, ALPHA)
    moves = {m.item.id: m for m in alpha.movement}
    assert (moves["L1"].previous_level, moves["L1"].latest_level) == ("Developing", "Developing")
    assert moves["L1"].movement == "same" and moves["L2"].movement == "up"
    assert council(data, DELTA).movement == ()  # Delta has no 2025 return


def test_a_council_report_has_its_levels_medians_and_next_level(data):
    alpha = council(data, ALPHA)
    assert (alpha.name, alpha.region, alpha.council_type, alpha.round) == (
        "Alpha Council",
        "North East",
        "Unitary",
        "2026",
    )
    assert alpha.file_stem == "E06000001-Alpha-Council" and alpha.model_version == CURRENT
    l1 = alpha.items[0]
    assert (l1.current, l1.target, l1.gap) == ("Developing", "Innovator", 3)
    assert l1.next_level == "Mature" and l1.next_descriptor == MODEL.item("L1").descriptors[2]
    assert (l1.region.score, l1.region.n) == (2.0, 3)  # Alpha 2, Beta 3, Zeta 2
    assert (l1.council_type.score, l1.council_type.n) == (2.0, 2)  # Alpha 2, Zeta 2; Delta blank
    assert (l1.everyone.score, l1.everyone.n) == (2.0, 4)
    assert (alpha.region_councils, alpha.council_type_councils) == (3, 3)
    delta = council(data, DELTA)
    assert delta.items[0].current is None and delta.items[0].next_level is None
    assert delta.items[1].current == "Leader" and delta.items[1].next_level == "Innovator"


def test_the_figures_leave_out_the_respondents(data):
    assert RESPONDENT.name not in repr(data) and RESPONDENT.email not in repr(data)


# --- findings -----------------------------------------------------------------------------------
def test_headlines_are_worked_out_from_the_figures(data):
    said = headlines(data)
    assert said[0] == (
        "5 of the 6 councils in the register (83%) sent an accepted self-assessment for round "
        "2026. In North East and North West, the regions with returns, 5 of 5 (100%); none "
        "from London."
    )
    # current answers: 14 x 5 councils, less Delta's blank L1 = 69; Developing: Alpha 1,
    # Zeta 14; Mature: Alpha 13, Beta 13 (C1 too); Minimum: Gamma 14; Leader: Beta 1 (E4),
    # Delta 13. Mature and Developing hold 41 of 69.
    assert said[1].startswith("Most councils stand at Developing or Mature: 59% of their answers")
    assert said[1].endswith(
        "The median council stands at Mature on 13 items and Developing on 1 item."
    )
    # mean gaps: L1 1.5; the other items 1.0 but E4 0.6 (Beta aims 1 below)
    assert "largest for Engaging councillors (1.5), Engaging senior managers (1.0) and " in said[2]
    assert "smallest for Embedding change (0.6)" in said[2]
    assert "4 of 5 councils (80%) aim for Mature or above on every item" in said[3]
    assert said[4] == (
        "Since round 2025, 3 councils answered both rounds: their current level went up on "
        "36% of the items compared and down on 0%."
    )


def test_council_points_say_what_it_answered_and_where_it_stands(data):
    points = council_points(data, council(data, DELTA))
    assert (
        points[0] == "Your council gave its current level for 13 of 14 items and a target for 14."
    )
    assert points[1] == "You aim higher than you stand on 13 items, on each by 1 level."
    # Delta stands at Leader (4) on 13 items, above every national median
    assert points[-1] == (
        "Beside the median of all 5 councils, you stand above it on 13 items, below it on 0 "
        "and level with it on 0."
    )


def test_labels_of_levels_and_shares():
    levels = MODEL.level_names
    assert (
        level_label(2.0, levels) == "Developing" and level_label(2.5, levels) == "Developing–Mature"
    )
    assert level_label(None, levels) == "no answers"
    assert (percent(None), percent(0.2), percent(0), percent(66.6)) == (
        "no returns",
        "<1%",
        "0%",
        "67%",
    )


# --- the pages ----------------------------------------------------------------------------------
def pages_of(written):
    yield written.briefing_html
    for files in written.councils:
        yield files.html


def test_files_are_named_by_council_and_listed(written):
    names = sorted(f.html.name for f in written.councils)
    assert names[0] == "E06000001-Alpha-Council.html" and len(names) == 5
    assert names[-1].startswith("E07000003-Gamma-District-Council")
    rows = written.councils_csv.read_text(encoding="utf-8").splitlines()
    assert rows[0] == ",".join(COUNCILS_COLUMNS) and len(rows) == 6
    assert "councils/E06000001-Alpha-Council.html" in rows[1]
    assert rows[1].endswith(",,E06000001-2026.xlsx")  # no PDF (--no-pdf); the return's file


def test_councils_csv_names_who_to_send_each_report_to_only_when_asked(collation, tmp_path):
    import csv

    from npsxl.report.reports import write_reports

    written = write_reports(collation, tmp_path, pdf=False, include_contacts=True)
    with open(written.councils_csv, encoding="utf-8", newline="") as handle:
        rows = {row["council_code"]: row for row in csv.DictReader(handle)}
    assert set(rows) == {ALPHA, BETA, GAMMA, DELTA, ZETA}
    for code, row in rows.items():
        assert row["return_file"] == f"{code}-2026.xlsx"  # the latest round's, not 2025's
        assert (row["respondent_name"], row["respondent_email"]) == (
            RESPONDENT.name,
            RESPONDENT.email,
        )
    assert rows[ZETA]["council_name"] == HOSTILE_NAME  # starts with a letter: as it is


def test_councils_csv_text_is_never_a_formula(tmp_path):
    import csv

    from npsxl.collation.collation import collate_returns
    from npsxl.model.register_csv import load_register
    from npsxl.report.reports import write_reports

    path = tmp_path / "register.csv"
    path.write_text(
        f"code,name,region,council_type\n{ALPHA},{FORMULA} Council,North East,unitary\n",
        encoding="utf-8",
    )
    register = load_register(path)
    returns = [make_return(register, ALPHA, "2026", ((2, 3), {}))]
    written = write_reports(collate_returns(returns, MODEL, register), tmp_path / "out", pdf=False)
    with open(written.councils_csv, encoding="utf-8", newline="") as handle:
        (row,) = list(csv.DictReader(handle))
    assert row["council_name"] == "'" + register.by_code(ALPHA).name


def test_council_text_is_escaped_never_markup(written):
    zeta = next(f for f in written.councils if f.code == ZETA)
    text = zeta.html.read_text(encoding="utf-8")
    page = Page(text)
    assert not page.named("script") and not page.named("img") and not page.named("b")
    assert not page.named("i")
    shown = page.all_text
    for hostile in (SCRIPT, FORMULA, MARKUP, HOSTILE_NAME, "line one\nline two & <i>three</i>"):
        assert hostile in shown
    assert "&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt;" in text
    assert "&lt;img src=" in text
    # the hostile name is escaped in the briefing's tables too, and in the title
    briefing = Page(written.briefing_html.read_text(encoding="utf-8"))
    assert not briefing.named("script")
    assert Page(text).all_text.count(HOSTILE_NAME) >= 3  # title, heading, footer


@pytest.mark.parametrize("which", ["briefing", "council"])
def test_pages_have_a_language_a_title_and_headings_in_order(written, which):
    path = written.briefing_html if which == "briefing" else written.councils[0].html
    page = Page(path.read_text(encoding="utf-8"))
    assert page.named("html")[0]["lang"] == "en-GB"
    assert page.named("title") and page.named("main")
    levels = [level for level, _text in page.headings]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False)), page.headings


def test_every_chart_has_a_text_alternative_and_its_data_in_a_table(written):
    for path in pages_of(written):
        text = path.read_text(encoding="utf-8")
        page = Page(text)
        charts = [attrs for _tag, attrs in page.tags if attrs.get("role") == "img"]
        assert charts, path
        for chart in charts:
            assert len(chart["aria-label"]) > 40 and "table that follows" in chart["aria-label"]
        for svg in page.named("svg"):  # an image itself, or a layer of one, hidden
            assert svg.get("role") == "img" or svg.get("aria-hidden") == "true", svg
        captions = page.named("figcaption")
        assert len(captions) == len(charts) == len(page.named("figure"))
        followed = re.findall(r"</figure>\s*(?:</div>\s*)?<table", text)
        assert len(followed) == len(charts), path
        ids = [attrs["id"] for _tag, attrs in page.tags if "id" in attrs]
        assert len(ids) == len(set(ids)), f"duplicate ids in {path}"


def test_briefing_shows_no_returns_and_the_counts_behind_the_figures(written):
    page = Page(written.briefing_html.read_text(encoding="utf-8"))
    shown = " ".join(page.all_text.split())
    assert "London no returns no returns" in shown  # counted, response rate
    assert "No returns from: London." in shown
    assert "Movement since round 2025" in shown
    assert f"{CURRENT} (5 returns)" in shown


def test_council_page_shows_the_partial_answers_and_the_next_level(written):
    delta = next(f for f in written.councils if f.code == DELTA)
    shown = " ".join(Page(delta.html.read_text(encoding="utf-8")).all_text.split())
    assert "Current level: not given · Target: Innovator" in shown
    # North West: Gamma answered L1, Delta did not
    assert "Developing (1 of 2 answered)" not in shown and "Minimum (1 of 2 answered)" in shown
    alpha = next(f for f in written.councils if f.code == ALPHA)
    shown = " ".join(Page(alpha.html.read_text(encoding="utf-8")).all_text.split())
    descriptor = " ".join(MODEL.item("L1").descriptors[2].split())
    assert f"To reach Mature, the strategy describes: {descriptor}" in shown
    assert "Since round 2025" in shown


def test_pages_fetch_nothing_and_run_no_script(written):
    for path in pages_of(written):
        text = path.read_text(encoding="utf-8")
        page = Page(text)
        assert not page.named("script") and not page.named("link") and not page.named("img")
        assert not page.named("iframe") and not page.named("object")
        for _tag, attrs in page.tags:
            assert "src" not in attrs
            href = attrs.get("href") or attrs.get("xlink:href") or ""
            if _tag != "a":
                assert not href or href.startswith("#"), (path, _tag, href)
            assert not any(name.startswith("on") for name in attrs), (path, _tag)
        assert "@import" not in text and "url(http" not in text


def test_no_personal_data_in_any_report(written):
    for path in [*pages_of(written), written.councils_csv]:
        text = path.read_text(encoding="utf-8")
        assert RESPONDENT.name not in text and RESPONDENT.email not in text, path


def test_the_briefing_names_no_council_and_has_no_gaps_of_councils(written, collation):
    """No league table: the briefing shows groups, never a council beside its figures (the
    council-by-council gaps are the coordinator's, in the summary workbook)."""
    text = written.briefing_html.read_text(encoding="utf-8")
    shown = Page(text).all_text
    for council in written.councils:
        assert council.name not in shown and council.code not in text, council.name
    assert not collation.support_gaps().empty  # there were council gaps to leave out
    assert "Support planning" not in text


def test_stale_reports_of_an_earlier_run_are_removed(collation, tmp_path):
    old = tmp_path / "councils" / "E09999999-Gone-Council.html"
    old.parent.mkdir(parents=True)
    old.write_text("old", encoding="utf-8")
    (tmp_path / "briefing.pdf").write_bytes(b"%PDF old")
    files = write_reports(collation, tmp_path, pdf=False)
    assert not old.exists() and not (tmp_path / "briefing.pdf").exists()
    assert sorted(p.name for p in files.removed) == ["E09999999-Gone-Council.html", "briefing.pdf"]


def test_several_jobs_write_the_same_pages(register, tmp_path):
    archive = packaged_archive()  # the samples are of an earlier published version
    collation = collate([ROOT / "samples" / "returns"], register, model=MODEL, archive=archive)
    assert len(collation.latest) >= 8  # enough for the pages to be written in processes
    one = write_reports(collation, tmp_path / "one", pdf=False, jobs=1)
    two = write_reports(collation, tmp_path / "two", pdf=False, jobs=2)
    assert len(one.councils) == len(collation.latest)
    for a, b in zip(one.councils, two.councils, strict=True):
        assert a.html.read_text(encoding="utf-8") == b.html.read_text(encoding="utf-8")


def test_chart_text_is_dark_enough_on_the_charts_white(written):
    from npsxl.model.model import contrast_ratio

    for path in pages_of(written):
        fills = set(re.findall(r"<text [^>]*fill: (#[0-9a-fA-F]{6})", path.read_text("utf-8")))
        assert fills, path
        assert all(contrast_ratio(fill, "#FFFFFF") >= 4.5 for fill in fills), fills


def test_no_accepted_return_gives_a_briefing_that_says_so(register, tmp_path):
    junk = tmp_path / "returns" / "notes.xlsx"
    junk.parent.mkdir()
    junk.write_text("council,level\nLeeds,Mature\n", encoding="utf-8")
    collation = collate([junk], register, model=MODEL)
    files = write_reports(collation, tmp_path / "report", pdf=False)
    assert files.councils == []
    shown = " ".join(Page(files.briefing_html.read_text(encoding="utf-8")).all_text.split())
    assert "No council's self-assessment was accepted: there are no figures." in shown
    assert "Councils counted0 of 353 (0%)" in shown  # (no space between a dt and its dd)
    assert "North East12no returnsno returns" in shown  # in the register, counted, rate
