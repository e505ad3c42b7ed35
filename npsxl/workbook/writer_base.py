"""The base of the workbook writer (:mod:`npsxl.workbook.writer`): what one workbook is
written from and the helpers every sheet is written with (:class:`WriterBase`).

Each sheet's part (:class:`~npsxl.workbook.start_sheet.StartSheet`,
:class:`~npsxl.workbook.assessment_sheet.AssessmentSheet`,
:class:`~npsxl.workbook.guidance_summary_sheets.GuidanceSheet` and
:class:`~npsxl.workbook.guidance_summary_sheets.SummarySheet`) builds on this class, so that
what each part reads from the writer is stated once, here, and type-checked; the writer sets
it all when it starts.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from xlsxwriter.utility import xl_rowcol_to_cell

from npsxl.model.answers import Answer, Respondent, ReturnKind, SignOff
from npsxl.model.model import Model
from npsxl.model.register import Council
from npsxl.model.round_settings import RoundSettings
from npsxl.workbook import layout as L
from npsxl.workbook.formats import Formats, looks_like_formula
from npsxl.workbook.plan import Plan
from npsxl.workbook.previous import Previous
from npsxl.workbook.xlsx_parts import LanguageWorkbook

# An item's level as a score: its position among the model's levels (1 = the lowest), or ""
# when none (or an unknown level) was chosen.
Score = int | Literal[""]


def excel_text(text: str, limit: int = 100) -> str:
    """Text for a header/footer: '&' starts a code there, and Excel allows 255 characters."""
    text = " ".join(str(text).split())
    if len(text) > limit:
        text = text[: limit - 1] + "\u2026"
    return text.replace("&", "&&")


class WriterBase:
    """What the workbook writer writes one workbook from, and the helpers every sheet uses."""

    wb: LanguageWorkbook
    plan: Plan
    model: Model
    round: str
    generated_at: str
    footer: str  # every printed page's
    f: Formats
    col: dict[str, int]  # the Self-assessment sheet's column of each field (the plan's)
    # the council (None: a blank workbook) and, in a blank one, the councils to pick from
    council: Council | None
    councils: list[Council]
    # what the workbook is pre-filled with, as a council would have filled it in
    answers: dict[str, Answer]
    scores: dict[str, tuple[Score, Score]]  # item id -> (current, target)
    respondent: Respondent
    previous: Previous | None
    # the round's settings and the Start here inputs other than the details
    settings: RoundSettings
    kind: ReturnKind | None
    comments: str
    sign_off: SignOff

    excel_text = staticmethod(excel_text)

    def _text(self, ws, row: int, col: int, value, fmt) -> None:
        """A council's text, always as a string (never a formula or link), exactly as typed:
        text that starts like a formula (a previous round's evidence: ``=HYPERLINK(...)``)
        gets the cell style's quote prefix, so it stays text when the council edits the
        cell; nothing as a blank."""
        if value is None or value == "":
            ws.write_blank(row, col, None, fmt)
        else:
            text = str(value)
            ws.write_string(row, col, text, self.f.quoted(fmt) if looks_like_formula(text) else fmt)

    def _protect(self, ws):
        ws.protect(
            "",
            {
                "format_columns": True,
                "format_rows": True,
                "select_locked_cells": True,
                "select_unlocked_cells": True,
            },
        )

    def _name(self, name, sheet, row, col):
        self.wb.define_name(name, L.absolute(sheet, xl_rowcol_to_cell(row, col)))

    def _complete(self, item_id) -> bool:
        current, target = self.scores[item_id]
        return current != "" and target != ""

    def _date(self, ws, row, col, value, fmt):
        if isinstance(value, dt.datetime):
            ws.write_datetime(row, col, value, fmt)
        elif isinstance(value, dt.date):
            ws.write_datetime(row, col, dt.datetime.combine(value, dt.time()), fmt)
        else:
            self._text(ws, row, col, value, fmt)
