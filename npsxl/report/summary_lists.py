"""The summary workbook's lists: every input file (Returns log), the councils to chase
(Not returned: nothing received, and received but rejected with the reason to forward) and
the tidy answers (Data). The Returns log and Data are for the screen and for filtering: their
print area is their title and a note, so printing the workbook does not print them; the
chase list prints in full, its header on every page."""

from __future__ import annotations

from npsxl.collation.columns import ANSWERS_COLUMNS, ANSWERS_CSV, RETURNS_CSV, SCORE_COLUMNS
from npsxl.model.register import council_type_label
from npsxl.report.sheet_rows import cell_text
from npsxl.report.summary_base import MAX_PROBLEMS_SHOWN, SummaryBase, capitalised

COUNTED_NOTE = (
    "Counted: 'yes' (the council's agreed return, its figure), 'derived' (a respondent's "
    "view; the council sent no agreed return, so its figure is the middle of its views), "
    "'view' (a respondent's view beside the agreed return: it shows the spread inside the "
    "council), 'superseded' (a newer return of the same council, or of the same respondent, "
    "counts instead) or 'rejected' (see the problems)."
)


class ListSheets(SummaryBase):
    """The Returns log, Not returned and Data sheets."""

    # -- returns log, not returned, data -------------------------------------------------------
    def returns_log(self) -> None:
        """Every input file once: path, status, council, model, completeness (and which
        items are missing), what it counted for, and every problem."""
        f = self.f
        widths: list[float] = [30, 13, 22, 11, 14, 12, 8, 14, 11, 44]
        ws = self.sheet(
            "Returns log",
            "Every file read, once: its status, council, model, completeness, whether it "
            "counted, and every problem found (for the screen: not printed)",
            widths,
        )
        self.screen_only(ws, "the list of every file read", RETURNS_CSV)
        ws.set_row(3, 30)
        ws.merge_range(3, 0, 3, len(widths) - 1, COUNTED_NOTE, f.text)
        header = 4
        self.header_row(
            ws,
            header,
            [
                "File",
                "Status",
                "Council",
                "Code",
                "Region",
                "Model",
                "Round",
                "Complete",
                "Counted",
                "Problems",
            ],
        )
        ws.repeat_rows(header)
        ws.freeze_panes(header + 1, 1)
        row = header
        log = self.c.log
        rows = self.log_rows
        rows.sheet_index, rows.first_row, rows.widths = ws.index, header + 1, widths
        # the formats' indexes, as xlsxwriter gives them to the formats of the cells it writes
        cell_style = f.cell._get_xf_index()
        styles = {text: fmt._get_xf_index() for text, fmt in f.status.items()}
        rows.bold_styles = {styles[text] for text, fmt in f.status.items() if fmt.bold}
        rows.quoted_styles = f.quoted_styles([f.cell, *f.status.values()])
        for index, (ret, record) in enumerate(
            zip(self.c.returns, log.itertuples(index=False), strict=True)
        ):
            row += 1
            model = f"{record.model_id} {record.model_version}".strip()
            complete = f"{record.complete} of {record.items}"
            if record.missing_items:
                complete += f" (missing: {record.missing_items})"
            counted = record.counted
            if record.respondent:
                counted += f"\n{record.respondent}"
            texts = [
                cell_text(record.source_file),
                record.status,
                cell_text(record.council_name),
                cell_text(record.council_code),
                cell_text(record.region),
                cell_text(model),
                cell_text(record.round),
                complete,
                cell_text(counted),
                self.problem_lines(ret, self.c.collation_problems[index]),
            ]
            status = styles.get(texts[1], cell_style)
            rows.records.append((texts, [cell_style, status] + [cell_style] * (len(texts) - 2)))
        ws.autofilter(header, 0, max(row, header), len(widths) - 1)

    def problem_lines(self, ret, more=()) -> str:
        """A return's problems (the reader's, then the collation's), one per line, without
        the repeated file name; at most a dozen."""
        prefix = f"{ret.path}: "
        lines = [str(p).removeprefix(prefix) for p in [*ret.problems, *more]]
        if len(lines) > MAX_PROBLEMS_SHOWN:
            extra = len(lines) - MAX_PROBLEMS_SHOWN
            lines = lines[:MAX_PROBLEMS_SHOWN] + [f"... and {extra} more (see returns.csv)"]
        return cell_text("\n".join(lines))

    def not_returned(self) -> None:
        """The chase list: councils of the register with nothing received, then those whose
        files were all rejected (each file, with what to forward to the council), then
        rejected files that name no council of the register."""
        f = self.f
        register = self.c.register
        extras = list(register.extra_columns) if register is not None else []
        widths = [11, 30, 16, 14] + [14] * len(extras) + [50]
        last = len(widths) - 1
        ws = self.sheet(
            "Not returned",
            "The councils to chase: nothing received, and received but rejected, with the "
            "reason to forward",
            widths,
        )
        round_text = f" in round {self.c.latest_round}" if self.c.latest_round else ""
        if register is None:
            ws.write_string(
                2,
                0,
                "No council register was given, so there is no list of expected councils.",
                f.line,
            )
        else:
            missing = self.c.not_returned()
            note = (
                f"{len(missing)} of {len(register)} councils in the register have no accepted "
                f"return{round_text}."
                if missing
                else f"Every council in the register has an accepted return{round_text}."
            )
            ws.write_string(2, 0, cell_text(note), f.line)
        header = 4
        shown = [capitalised(extra) for extra in extras]  # as By hub heads it
        headers = ["Code", "Council", "Region", "Council type", *shown, "What to forward"]
        self.header_row(ws, header, headers)
        ws.repeat_rows(header)
        ws.freeze_panes(header + 1, 0)
        nothing = self.c.nothing_received()
        rejected = self.c.rejected_only()
        row = header + 1
        title = f"Nothing received ({len(nothing)})"
        if not nothing:
            title += ": every council of the register sent at least one file"
        row = self.list_title(ws, row, title, last)
        for council in nothing:
            self.council_cells(ws, row, council, extras, widths, "")
            row += 1
        named = [(c, r) for c, r in rejected if c is not None]
        files = f"{len(named)} file{'s' if len(named) != 1 else ''}"
        title = f"Received but rejected ({files}): the reason to forward to the council"
        if not named:
            title = "Received but rejected (0 files): no council's files were all rejected"
        row = self.list_title(ws, row + 1, title, last)
        for council, ret in named:
            self.council_cells(ws, row, council, extras, widths, self.reason(ret))
            row += 1
        unnamed = [r for c, r in rejected if c is None]
        if unnamed:
            title = f"Rejected files that name no council of the register ({len(unnamed)})"
            row = self.list_title(ws, row + 1, title, last)
            for ret in unnamed:
                named_as = ret.council_name or ret.council_code or "no council named"
                texts = ["", cell_text(named_as), "", ""] + [""] * len(extras)
                self.council_row(ws, row, texts + [self.reason(ret)], widths)
                row += 1
        ws.print_area(0, 0, row, last)

    def list_title(self, ws, row: int, title: str, last: int) -> int:
        ws.merge_range(row, 0, row, last, title, self.f.subtitle)
        ws.set_row(row, 20)
        return row + 1

    def council_cells(self, ws, row, council, extras, widths, reason) -> None:
        texts = [
            council.code,
            council.name,
            council.region,
            council_type_label(council.council_type),
        ]
        texts += [council.extra.get(e, "") for e in extras]
        self.council_row(ws, row, [cell_text(t) for t in texts] + [reason], widths)

    def council_row(self, ws, row, texts, widths) -> None:
        for col, text in enumerate(texts):
            self.text(ws, row, col, text, self.f.cell)
        self.fit_rows(ws, row, zip(texts, widths, strict=True))

    @staticmethod
    def reason(ret) -> str:
        """What to forward to a council about a rejected file: its name, then each error
        with where it is in the file (sheet, cell, item) and what to do."""
        name = ret.path.replace("\\", "/").rsplit("/", 1)[-1]
        lines = [f"{name}:"]
        for problem in ret.errors[:MAX_PROBLEMS_SHOWN]:
            hint = f" What to do: {problem.hint}." if problem.hint else ""
            where = problem.location.in_file()
            where = f"{capitalised(where)}: " if where else ""
            lines.append(f"{where}{problem.message}.{hint}")
        return cell_text("\n".join(lines))

    def data_sheet(self) -> None:
        """The tidy answers table, one row per council per item, with an autofilter."""
        f = self.f
        widths = {
            "council_code": 11,
            "council_name": 20,
            "region": 13,
            "council_type": 12,
            "model_id": 9,
            "model_version": 12,
            "item_id": 6,
            "item_name": 20,
            "item_kind": 9,
            "theme": 14,
            "current_level": 10,
            "current_score": 7,
            "target_level": 10,
            "target_score": 7,
            "gap": 5,
            "evidence": 32,
            "actions": 32,
            "target_date": 11,
            "basis": 8,
            "views": 6,
            "source_file": 24,
        }
        columns = list(ANSWERS_COLUMNS)
        width_list: list[float] = [widths[c] for c in columns]
        ws = self.sheet(
            "Data",
            "The answers as a table: one row per council per key area or enabler, to filter, "
            "sort or pivot (the same as answers.csv; for the screen: not printed)",
            width_list,
        )
        self.screen_only(ws, "the answers as a table, to filter", ANSWERS_CSV)
        ws.write_string(
            3,
            0,
            "One row per council counted per key area or enabler; blank levels were not given. "
            "Basis: the council's agreed return, or its respondents' views. Use the filter "
            "buttons in the header row.",
            f.line,
        )
        header = 4
        titles = [(name.replace("_", " "), widths[name], True) for name in columns]
        ws.set_row(header, max(30, self.wrapped_height(titles)))  # room for the filter buttons
        for col, name in enumerate(columns):
            ws.write_string(header, col, name.replace("_", " "), f.data_header)
        ws.repeat_rows(header)
        ws.freeze_panes(header + 1, 0)
        rows = self.data_rows
        rows.sheet_index, rows.frame, rows.first_row = ws.index, self.c.answers[columns], header + 1
        rows.numeric = {i for i, c in enumerate(columns) if c in (*SCORE_COLUMNS, "views")}
        rows.widths = width_list
        rows.text_format, rows.number_format = f.data_text, f.data_integer
        rows.quoted_styles = f.quoted_styles([f.data_text])
        for col, width in enumerate(width_list):  # column formats give both formats an index
            ws.set_column(col, col, width, f.data_integer if col in rows.numeric else f.data_text)
        row = header + len(rows.frame)
        ws.autofilter(header, 0, max(row, header), len(columns) - 1)
