"""Build the branded self-assessment workbook for one council (or a blank one) from a model.

:func:`build_workbook` is the library entry point. All positions and names come from
:mod:`npsxl.workbook.layout`, which the reader shares.

Everything that is the same for every council (texts, row heights, formulas, formats) is
worked out once per model in :mod:`npsxl.workbook.plan`, so a batch of hundreds of
workbooks spends its time writing; :class:`npsxl.workbook.council_workbooks.CouncilWorkbooks` makes
such a batch faster still.

This module holds the entry point and the writer (its state, the hidden Lists and Metadata
sheets); each visible sheet has a module of its own: :mod:`npsxl.workbook.start_sheet`,
:mod:`npsxl.workbook.assessment_sheet` and :mod:`npsxl.workbook.guidance_summary_sheets`, on
the base in :mod:`npsxl.workbook.writer_base` (what the writer supplies every sheet, and the
helpers every sheet is written with).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

from xlsxwriter.utility import xl_range_abs

from npsxl import __version__
from npsxl.core.atomic import atomic_path
from npsxl.model.answers import Answer, Respondent, ReturnKind, SignOff
from npsxl.model.model import Model
from npsxl.model.register import Council, council_type_label
from npsxl.model.round_settings import RoundSettings
from npsxl.model.rounds import assessment_round
from npsxl.workbook import layout as L
from npsxl.workbook.assessment_sheet import AssessmentSheet
from npsxl.workbook.formats import Formats
from npsxl.workbook.guidance_summary_sheets import GuidanceSheet, SummarySheet
from npsxl.workbook.plan import (
    A4,
    MARGINS,
    MISSING_CELL,
    SUMMARY_COLUMNS,
    SUMMARY_HEADER_ROW,
    Plan,
    plan_for,
)
from npsxl.workbook.previous import Previous
from npsxl.workbook.start_sheet import StartSheet
from npsxl.workbook.writer_base import Score, excel_text
from npsxl.workbook.xlsx_parts import FittedSheet, FormulaSheet, LanguageWorkbook


# --- what the workbook is made of -----------------------------------------------------------------
@dataclass(frozen=True)
class BuiltWorkbook:
    """What :func:`build_workbook` wrote."""

    path: Path
    council: Council | None
    model_id: str
    model_version: str
    fingerprint: str
    generated_at: str
    round: str = ""
    prefilled_from: str = ""  # the previous return's file, when pre-filled


# --- building -------------------------------------------------------------------------------------
def build_workbook(
    model: Model,
    path: str | Path | io.BytesIO,
    council: Council | None = None,
    *,
    councils: list[Council] | tuple[Council, ...] = (),
    answers: dict[str, Answer] | None = None,
    respondent: Respondent | None = None,
    generated_at: str | None = None,
    force: bool = True,
    previous: Previous | None = None,
    round: str = "",  # the assessment round (the CLI's --round)
    settings: RoundSettings | None = None,
    kind: ReturnKind | None = None,
    comments: str = "",
    sign_off: SignOff | None = None,
) -> BuiltWorkbook:
    """Write a self-assessment workbook to ``path`` (atomically).

    ``council`` personalises it (details pre-filled and locked); without it the workbook is
    blank and the council picks its name from ``councils`` (a dropdown) or types it.
    ``answers``/``respondent`` pre-fill the inputs, as a council would (used for samples,
    demos and tests). ``previous`` (see :mod:`npsxl.collation.prefill`) pre-fills it from the
    council's last return: last round's levels shown beside the dropdowns (which stay
    empty), its evidence and actions copied into the inputs, and its notes listed on the
    Start here sheet. ``round`` is the assessment round (default: this year, see
    :func:`assessment_round`). ``settings`` are the round's (deadline, where to return it,
    help contact, privacy notice; placeholders where unset). ``kind``, ``comments`` and
    ``sign_off`` pre-fill the kind of return (None: "the council's agreed return", the
    default an officer changes when sending a view of their own), the comments box and the
    sign-off, as a council would. Raises :class:`npsxl.core.errors.OutputError` if the file cannot
    be written, :class:`npsxl.core.errors.NpsxlError` for an unusable ``round``.
    """
    round = assessment_round(round)
    inputs: dict[str, Answer] = {}
    if previous is not None:
        ids = {item.id for item in model.items}
        inputs = {
            item_id: Answer(item_id, evidence=a.evidence, actions=a.actions)
            for item_id, a in previous.answers.items()
            if item_id in ids and (a.evidence or a.actions)
        }
    inputs.update(answers or {})
    answers = inputs
    generated_at = generated_at or now_text()
    plan = plan_for(model, previous is not None)
    with (
        contextlib.nullcontext(path)
        if isinstance(path, io.BytesIO)
        else atomic_path(path, force=force) as tmp
    ):
        wb = LanguageWorkbook(
            tmp if isinstance(tmp, io.BytesIO) else str(tmp),
            {
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
                "in_memory": True,
                "default_format_properties": {"font_name": model.brand.font, "font_size": 10},
                "default_row_height": 17,
                "default_column_width": 64,
            },
        )
        writer = _WorkbookWriter(
            wb, plan, council, list(councils), answers, respondent, generated_at, round, previous
        )
        writer.form(settings, kind, comments, sign_off)
        writer.write()
        wb.close()
    where = Path() if isinstance(path, io.BytesIO) else Path(path)
    return BuiltWorkbook(
        where,
        council,
        model.id,
        model.version,
        model.fingerprint,
        generated_at,
        round,
        previous.source_file if previous else "",
    )


def now_text() -> str:
    """Now in UTC, to the second, as ISO 8601 text: a workbook's generated_at."""
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


class _WorkbookWriter(StartSheet, AssessmentSheet, GuidanceSheet, SummarySheet):
    """Writes one workbook: sets what every sheet is written from (declared in
    :class:`~npsxl.workbook.writer_base.WriterBase`, with the helpers every sheet uses) and
    writes the hidden Lists and Metadata sheets; each visible sheet is written by its own part
    (:class:`StartSheet`, :class:`AssessmentSheet`, :class:`GuidanceSheet`,
    :class:`SummarySheet`)."""

    def __init__(
        self,
        wb: LanguageWorkbook,
        plan: Plan,
        council: Council | None,
        councils: list[Council],
        answers: dict[str, Answer],
        respondent: Respondent | None,
        generated_at: str,
        round_: str,
        previous: Previous | None,
    ) -> None:
        self.wb = wb
        self.round = round_
        self.previous = previous
        self.plan = plan
        self.model = plan.model
        self.council = council
        # the picker lists the councils A to Z, whatever order the register has
        self.councils = sorted(councils, key=lambda c: c.name.casefold()) if council is None else []
        self.form()
        self.answers = answers
        self.respondent = respondent or Respondent()
        self.generated_at = generated_at
        self.f = Formats(wb, self.model)
        self.col = plan.col
        self.scores = self._level_scores()
        who = council.name if council else "Blank workbook"  # on every printed page
        # no font-size codes: "&8" before a name starting with a digit would read as "&83"
        self.footer = f"&L{excel_text(who)}&CPage &P of &N&R{excel_text(self.model.short_name)}: &A"

    def form(
        self,
        settings: RoundSettings | None = None,
        kind: ReturnKind | None = None,
        comments: str = "",
        sign_off: SignOff | None = None,
    ) -> None:
        """The round's settings and the Start here inputs other than the details."""
        self.settings = settings or RoundSettings()
        self.kind = ReturnKind(kind) if kind is not None else None
        self.comments = comments
        self.sign_off = sign_off or SignOff()

    def _level_scores(self) -> dict[str, tuple[Score, Score]]:
        scores: dict[str, tuple[Score, Score]] = {}
        for item in self.model.items:
            answer = self.answers.get(item.id)
            current = self._score(answer.current) if answer else ""
            target = self._score(answer.target) if answer else ""
            scores[item.id] = (current, target)
        return scores

    def _score(self, level) -> Score:
        if not level:
            return ""
        for position, name in enumerate(self.model.level_names, start=1):
            if str(level).casefold() == name.casefold():  # as MATCH compares
                return position
        return ""

    # -- helpers ---------------------------------------------------------------------------
    def _sheet(self, name):
        kind = FittedSheet if name == L.ASSESSMENT else FormulaSheet
        ws = self.wb.add_worksheet(name, worksheet_class=kind)
        ws.hide_gridlines(2)
        ws.set_landscape()
        ws.set_paper(A4)
        ws.fit_to_pages(1, 0)
        ws.set_margins(**MARGINS)
        ws.set_footer(self.footer, {"margin": 0.25})
        return ws

    # -- sheets ------------------------------------------------------------------------------
    def write(self):
        start = self._sheet(L.START)
        assessment = self._sheet(L.ASSESSMENT)
        guidance = self._sheet(L.GUIDANCE)
        summary = self._sheet(L.SUMMARY)
        lists = self.wb.add_worksheet(L.LISTS, worksheet_class=FormulaSheet)
        meta = self.wb.add_worksheet(L.METADATA, worksheet_class=FormulaSheet)
        self._write_lists(lists)
        self._write_guidance(guidance)
        self._write_assessment(assessment)
        self._write_summary(summary)
        self._write_start(start)
        self._write_metadata(meta)
        for ws in (lists, meta):
            ws.hide()
            self._protect(ws)
        start.activate()
        self._column_titles()
        model = self.model
        self.wb.set_properties(
            {
                "title": f"{model.title}: self-assessment",
                "subject": self.council.name if self.council else "Blank self-assessment",
                "author": model.brand.organisation,
                "company": model.brand.organisation,
                "keywords": f"{model.short_name}, self-assessment, procurement",
                "comments": f"Generated by npsxl {__version__} from {model.id} {model.version}",
            }
        )
        for key, value in self._metadata().items():
            self.wb.set_custom_property(L.meta_property_name(key), value or "-")

    def _column_titles(self) -> None:
        """Name each table's header and rows 'ColumnTitle' on its sheet, as screen readers
        (JAWS, NVDA) take it, so they announce a cell's column header with the cell."""
        plan = self.plan
        tables = (
            (L.ASSESSMENT, L.ASSESSMENT_HEADER_ROW, plan.assessment_last_row, len(plan.columns)),
            (L.SUMMARY, SUMMARY_HEADER_ROW, max(plan.summary_rows.values()), len(SUMMARY_COLUMNS)),
        )
        for sheet, header, last, width in tables:
            area = xl_range_abs(header, 0, last, width - 1)
            self.wb.define_name(f"'{sheet}'!ColumnTitle", f"='{sheet}'!{area}")

    def _metadata(self) -> dict[str, str]:
        return {
            "model_id": self.model.id,
            "model_version": self.model.version,
            "model_fingerprint": self.model.fingerprint,
            "layout_version": L.LAYOUT_VERSION,
            "council_code": self.council.code if self.council else "",
            "council_name": self.council.name if self.council else "",
            "generated_at": self.generated_at,
            "generator": f"npsxl {__version__}",
            "round": self.round,
        }

    def _write_lists(self, ws):
        ws.write_string(0, 0, "Levels")
        ws.write_string(0, 1, "Score")
        for i, level in enumerate(self.model.levels, start=1):
            ws.write_string(i, 0, level.name)
            ws.write_number(i, 1, level.score)
        self.wb.define_name(L.LEVELS_NAME, f"='{L.LISTS}'!$A$2:$A${len(self.model.levels) + 1}")
        if self.councils:
            for col, header in enumerate(("Council", "Code", "Region", "Type"), start=2):
                ws.write_string(0, col, header)
            for row, c in enumerate(self.councils, start=1):
                ws.write_string(row, 2, c.name)
                ws.write_string(row, 3, c.code)
                ws.write_string(row, 4, c.region)
                ws.write_string(row, 5, council_type_label(c.council_type))
            last = len(self.councils) + 1
            self.wb.define_name(L.COUNCILS_NAME, f"='{L.LISTS}'!$C$2:$C${last}")
        row, col = MISSING_CELL
        ws.write_string(row - 1, col, "Still to complete")
        missing = " ".join(i.id for i in self.model.items if not self._complete(i.id))
        ws.write_formula(row, col, self.plan.missing_formula, None, missing)
        ws.set_column(0, 7, 24)

    def _write_metadata(self, ws):
        ws.write_string(0, 0, "Key")
        ws.write_string(0, 1, "Value")
        for key, value in self._metadata().items():
            row = L.META_FIRST_ROW + L.META_KEYS.index(key)
            ws.write_string(row, 0, key)
            ws.write_string(row, 1, value)
            self._name(L.meta_defined_name(key), L.METADATA, row, 1)
        ws.set_column(0, 0, 22)
        ws.set_column(1, 1, 70)
