"""The collation's tidy data as CSV files: :func:`write_data`.

Every file is UTF-8 with a byte order mark, so Excel on Windows opens it with "£" and "é"
intact; pandas (``read_csv``) and DuckDB (``read_csv``) skip the mark, so the columns load
unchanged.

Text from returned workbooks is untrusted, and a spreadsheet opening a CSV evaluates a
field that looks like a formula (``=HYPERLINK(...)``, ``=cmd|...``). Every field npsxl
writes to a CSV follows OWASP's CSV-injection rule (:func:`csv_text`): a text field that
starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading single
quote. Characters after separators count too: an application that splits on a semicolon
or a tab (the usual separators where the comma is the decimal mark) starts a new cell
there, whatever the quotes say, so a single quote goes after a semicolon or a tab that is
followed by one of those characters; and a field holding a separator (``,`` ``;`` a tab),
a quote or a line break is always quoted. Numbers are written as numbers. The exact text,
as typed, is in JSON Lines files beside the CSVs (:data:`EXACT_TEXT_FILES`), which no
spreadsheet evaluates.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd

from npsxl.collation.collation import Collation
from npsxl.collation.columns import (
    ANSWERS_CSV,
    APPROVER_COLUMN,
    CONTACT_COLUMNS,
    RESPONDENTS_CSV,
    RETURNS_CSV,
    STATISTICS_CSV,
    SUMMARY_CSV,
    TRENDS_CSV,
    WITHIN_CSV,
)
from npsxl.core.atomic import atomic_path
from npsxl.core.errors import OutputError
from npsxl.workbook.formats import looks_like_formula

# --- CSV ----------------------------------------------------------------------------------------
_CSV_SPECIAL = re.compile(r'[",;\t\r\n]')  # fields quoted: separators, quotes, line breaks
_AFTER_SEPARATOR = re.compile(r"(?<=[;\t])(?=[=+\-@\t\r])")  # where a split cell would start
CSV_ROWS_PER_CHUNK = 10_000
# The CSVs that hold text from the returns, and their twins with the text exactly as typed
EXACT_TEXT_FILES = {
    RETURNS_CSV: "returns.jsonl",
    ANSWERS_CSV: "answers.jsonl",
    RESPONDENTS_CSV: "respondents.jsonl",
}
_csv_of = {exact: csv_name for csv_name, exact in EXACT_TEXT_FILES.items()}
BOM = "\ufeff".encode()
ENCODING = "utf-8-sig"  # UTF-8 with the byte order mark


def csv_text(text: str) -> str:
    """``text`` as no spreadsheet evaluates it in a CSV field (OWASP's CSV-injection rule):
    a single quote before a leading ``= + - @``, tab or carriage return, and before one of
    those after a semicolon or a tab; otherwise as is."""
    if ";" in text or "\t" in text:
        text = _AFTER_SEPARATOR.sub("'", text)
    return "'" + text if looks_like_formula(text) else text


def _csv_field(text: str) -> bytes:
    """``text`` as a CSV field in UTF-8: as is, or quoted by the csv module (as pandas'
    ``to_csv`` quotes it) when it holds a quote, a separator (comma, semicolon, tab) or a
    line break. Text must already be made safe (:func:`csv_text`)."""
    if _CSV_SPECIAL.search(text):
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL).writerow([text])
        text = buffer.getvalue()[:-1]
    return text.encode()


class Factorized:
    """A frame's columns, each as the codes of its distinct values and those values
    (``pd.factorize``; a missing value has code -1), worked out once for the CSV and the
    JSON Lines file of the same frame: hashing thousands of texts is most of writing them."""

    def __init__(self, frame: pd.DataFrame):
        self.names = [str(name) for name in frame.columns]
        self.length = len(frame)
        self.columns = [pd.factorize(frame[name].to_numpy(dtype=object)) for name in frame]

    def encoded(self, encode, offset: int, end: int) -> list[np.ndarray]:
        """Rows ``offset`` to ``end`` of every column, each value as ``encode(value, column)``
        (bytes; each distinct value encoded once, a missing value as None)."""
        out = []
        for col, (codes, uniques) in enumerate(self.columns):
            fields = [*(encode(value, col) for value in uniques), encode(None, col)]
            out.append(np.array(fields, dtype=object)[codes[offset:end]])  # -1: the last
        return out


def _csv_value(value, _column: int = 0) -> bytes:
    """A value as a CSV field: text made safe (:func:`csv_text`), numbers as pandas writes
    them, None (missing) as an empty field."""
    if value is None:
        return b""
    return _csv_field(csv_text(value) if isinstance(value, str) else str(value))


def csv_row(values) -> str:
    """One CSV line (without its line end) of ``values``, each text made safe and quoted as
    :func:`write_csv` does; None gives an empty field."""
    fields = (b"" if v is None else _csv_field(csv_text(str(v))) for v in values)
    return b",".join(fields).decode()


def _json_value(value) -> bytes:
    if isinstance(value, np.generic):
        value = value.item()
    elif isinstance(value, (dt.date, dt.datetime)):
        value = value.isoformat()
    return json.dumps(value, ensure_ascii=False).encode()


def write_jsonl(frame: pd.DataFrame, path: Path, factorized: Factorized | None = None) -> None:
    """Write ``frame`` as JSON Lines (UTF-8, one object per row, keys in column order): the
    exact text of every field, for analysis in code; missing values are null. Each distinct
    value is encoded once, as for the CSVs (``factorized``: the frame's, when the CSV
    has worked it out already)."""
    columns = factorized or Factorized(frame)
    keys = [json.dumps(name, ensure_ascii=False).encode() + b":" for name in columns.names]
    keys[0] = b"{" + keys[0]  # the first field opens the object

    def encode(value, col: int) -> bytes:
        return keys[col] + _json_value(value)  # None (missing): null

    with open(path, "wb") as stream:
        for offset in range(0, columns.length, CSV_ROWS_PER_CHUNK):
            cells = columns.encoded(encode, offset, offset + CSV_ROWS_PER_CHUNK)
            stream.write(b"}\n".join(map(b",".join, zip(*cells, strict=True))) + b"}\n")


def write_csv(frame: pd.DataFrame, path: Path, factorized: Factorized | None = None) -> None:
    """Write ``frame`` as pandas' ``to_csv`` would (UTF-8 with a byte order mark, no index,
    Unix line ends, numbers as pandas formats them), but with every text field made safe
    by OWASP's rule (see the module's docstring) and quoted also for a semicolon or a tab.
    Each distinct value is formatted once: answers.csv repeats each council's and item's
    values over thousands of rows, and pandas formats every cell."""
    lone = len(frame.columns) == 1  # the csv module (and so pandas) quotes a lone empty field
    factorized = factorized or Factorized(frame)
    with open(path, "wb") as stream:
        stream.write(BOM + b",".join(_csv_field(csv_text(str(n))) for n in frame.columns) + b"\n")
        for offset in range(0, len(frame), CSV_ROWS_PER_CHUNK):
            end = offset + CSV_ROWS_PER_CHUNK
            columns = factorized.encoded(_csv_value, offset, end)
            if lone:
                columns = [np.where(columns[0] == b"", b'""', columns[0])]
            stream.write(b"\n".join(map(b",".join, zip(*columns, strict=True))) + b"\n")


def write_data(
    collation: Collation,
    data_dir: str | os.PathLike,
    *,
    force: bool = True,
    include_contacts: bool = False,
) -> list[Path]:
    """Write returns.csv, answers.csv, summary.csv, statistics.csv, respondents.csv and
    within_councils.csv to ``data_dir``, atomically, and trends.csv when the collation has
    trends; then returns.jsonl, answers.jsonl and respondents.jsonl (:data:`EXACT_TEXT_FILES`:
    the same rows as those CSVs, with the text exactly as typed in the returns); returns
    the paths written, in that order. Text in the CSVs is made safe to open in a
    spreadsheet (OWASP's rule, see the module's docstring); the JSON Lines files are not
    changed at all.

    * returns.csv: every input file once (:data:`RETURNS_COLUMNS`, with the overall
      comments and the sign-off's role and date); with ``include_contacts`` also each
      respondent's name and email (:data:`CONTACT_COLUMNS`, after ``respondent``) and the
      approver's name (:data:`APPROVER_COLUMN`, before ``approver_role``);
    * answers.csv: the latest round's counted answers, each item under the id of the model
      version it was answered with (:data:`ANSWERS_COLUMNS`);
    * summary.csv: :meth:`Collation.summaries` (:data:`SUMMARY_COLUMNS`), including the
      ``model_version`` rows of items only in older versions;
    * statistics.csv: :meth:`Collation.statistics` (:data:`STATISTICS_COLUMNS`);
    * respondents.csv: :meth:`Collation.respondents` (:data:`RESPONDENTS_COLUMNS`, and the
      contacts with ``include_contacts``);
    * within_councils.csv: :meth:`Collation.within_councils` (:data:`WITHIN_COLUMNS`);
    * trends.csv: :attr:`Collation.trends`, one row per council counted in both the previous
      and the latest round per current-model item, with the columns council_code,
      council_name, region, council_type, item_id, item_name (current model),
      previous_round, previous_model_version, previous_item_id (the item answered then, e.g.
      C2 for C2A), previous_level, previous_score, latest_round, latest_model_version,
      latest_level, latest_score (current levels) and movement ('up', 'same', 'down',
      'not comparable', or empty when a level was left blank).

    With ``force`` a trends.csv left by an earlier collation is removed when this one has
    no trends. Without ``force``, an existing file raises
    :class:`~npsxl.core.errors.OutputError` before anything is written.
    """
    data_dir = Path(data_dir)
    frames = [
        (RETURNS_CSV, returns_table(collation, include_contacts)),
        (ANSWERS_CSV, collation.answers),
        (SUMMARY_CSV, collation.summaries()),
        (STATISTICS_CSV, collation.statistics()),
        (RESPONDENTS_CSV, collation.respondents(include_contacts=include_contacts)),
        (WITHIN_CSV, collation.within_councils()),
    ]
    trends = collation.trends
    if not trends.empty:
        frames.append((TRENDS_CSV, trends))
    exact = [(EXACT_TEXT_FILES[name], frame) for name, frame in frames if name in EXACT_TEXT_FILES]
    names = [name for name, _ in frames + exact]
    existing = [data_dir / name for name in names if (data_dir / name).exists()]
    if existing and not force:
        raise OutputError(f"{existing[0]} already exists; use --force to overwrite it")
    written = []
    factorized = {name: Factorized(frame) for name, frame in frames if name in EXACT_TEXT_FILES}
    for name, frame in frames + exact:
        target = data_dir / name
        with atomic_path(target, force=force) as tmp:
            if name.endswith(".jsonl"):
                write_jsonl(frame, tmp, factorized.pop(_csv_of[name]))
            else:
                write_csv(frame, tmp, factorized.get(name))
        written.append(target)
    stale = data_dir / TRENDS_CSV
    if trends.empty and force and stale.is_file():
        stale.unlink()
    return written


def returns_table(collation: Collation, include_contacts: bool = False) -> pd.DataFrame:
    """returns.csv: the returns log, with the respondents' names and emails after
    ``respondent`` and the approvers' names before ``approver_role`` only when
    ``include_contacts`` (they are personal data)."""
    log = collation.log
    if not include_contacts:
        return log
    at = list(log.columns).index("respondent") + 1
    contacts = {
        "respondent_name": [r.respondent.name for r in collation.returns],
        "respondent_email": [r.respondent.email for r in collation.returns],
    }
    table = log.copy()
    for offset, name in enumerate(CONTACT_COLUMNS):
        table.insert(at + offset, name, pd.Series(contacts[name], dtype=object))
    approvers = [r.sign_off.name for r in collation.returns]
    at = list(table.columns).index("approver_role")
    table.insert(at, APPROVER_COLUMN, pd.Series(approvers, dtype=object))
    return table
