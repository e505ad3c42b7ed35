"""The summary workbook's long lists: every input file (Returns log), the councils with no
return (Not returned) and the tidy answers (Data)."""

from __future__ import annotations

from npsxl.collation.columns import ANSWERS_COLUMNS, SCORE_COLUMNS
from npsxl.report.sheet_rows import safe_text
from npsxl.report.summary_base import MAX_PROBLEMS_SHOWN, SummaryBase


class ListSheets(SummaryBase):
    """The Returns log, Not returned and Data sheets."""

    # -- returns log, not returned, data -------------------------------------------------------
    def returns_log(self) -> None:
        """Every input file once: path, status, council, model, completeness, problems."""
        f = self.f
        widths = [30, 13, 22, 11, 14, 12, 8, 9, 11, 44]
        ws = self.sheet(
            "Returns log",
            "Every file read, once: its status, council, model, completeness, whether it "
            "counted, and every problem found",
            widths,
        )
        ws.write_string(
            2,
            0,
            "Counted: 'yes', 'superseded' (a newer return from the same "
            "council in the same round counts instead) or 'rejected' (see the problems).",
            f.line,
        )
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
        for ret, record in zip(self.c.returns, log.itertuples(index=False), strict=True):
            row += 1
            model = f"{record.model_id} {record.model_version}".strip()
            problems = self.problem_lines(ret)
            texts = [
                safe_text(record.source_file),
                record.status,
                safe_text(record.council_name),
                safe_text(record.council_code),
                safe_text(record.region),
                safe_text(model),
                safe_text(record.round),
                f"{record.complete} of {record.items}",
                record.counted,
                problems,
            ]
            status = styles.get(texts[1], cell_style)
            rows.records.append((texts, [cell_style, status] + [cell_style] * (len(texts) - 2)))
        ws.autofilter(header, 0, max(row, header), len(widths) - 1)
        ws.print_area(0, 0, row, len(widths) - 1)

    def problem_lines(self, ret) -> str:
        """A return's problems, one per line, without the repeated file name; at most a dozen."""
        prefix = f"{ret.path}: "
        lines = [str(p).removeprefix(prefix) for p in ret.problems]
        if len(lines) > MAX_PROBLEMS_SHOWN:
            more = len(lines) - MAX_PROBLEMS_SHOWN
            lines = lines[:MAX_PROBLEMS_SHOWN] + [f"... and {more} more (see returns.csv)"]
        return safe_text("\n".join(lines))

    def not_returned(self) -> None:
        """Register councils with no accepted return."""
        f = self.f
        register = self.c.register
        extras = list(register.extra_columns) if register is not None else []
        widths = [12, 36, 24, 20] + [16] * len(extras)
        ws = self.sheet("Not returned", "Councils in the register with no accepted return", widths)
        missing = self.c.not_returned()
        if register is None:
            note = "No council register was given, so there is no list of expected councils."
        elif not missing:
            note = "Every council in the register has an accepted return."
        else:
            note = (
                f"{len(missing)} of {len(register)} councils in the register have no "
                "accepted return (a rejected return does not count)."
            )
        if register is not None and self.c.latest_round:
            note = note[:-1] + f" in round {self.c.latest_round}."
        note = safe_text(note)
        ws.write_string(2, 0, note, f.line)
        header = 4
        self.header_row(ws, header, ["Code", "Council", "Region", "Council type", *extras])
        ws.repeat_rows(header)
        ws.freeze_panes(header + 1, 0)
        row = header
        for council in missing:
            row += 1
            texts = [council.code, council.name, council.region, council.council_type]
            texts = [safe_text(t) for t in texts + [council.extra.get(e, "") for e in extras]]
            for col, text in enumerate(texts):
                self.text(ws, row, col, text, f.cell)
            self.fit_rows(ws, row, zip(texts, widths, strict=True))
        ws.print_area(0, 0, max(row, header), len(widths) - 1)

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
            "source_file": 24,
        }
        columns = list(ANSWERS_COLUMNS)
        width_list = [widths[c] for c in columns]
        ws = self.sheet(
            "Data",
            "The answers as a table: one row per council per key area or enabler, to filter, "
            "sort or pivot (the same as answers.csv)",
            width_list,
        )
        ws.write_string(
            2,
            0,
            "One row per council counted per key area or enabler; blank levels were not given. "
            "The columns are those of answers.csv. Use the filter buttons in the header row.",
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
        rows.numeric = {i for i, c in enumerate(columns) if c in SCORE_COLUMNS}
        rows.widths = width_list
        rows.text_format, rows.number_format = f.data_text, f.data_integer
        for col, width in enumerate(width_list):  # column formats give both formats an index
            ws.set_column(col, col, width, f.data_integer if col in rows.numeric else f.data_text)
        row = header + len(rows.frame)
        ws.autofilter(header, 0, max(row, header), len(columns) - 1)
        ws.print_area(0, 0, max(row, header), len(columns) - 1)
