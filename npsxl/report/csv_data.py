"""The collation's tidy data as CSV files: :func:`write_data`.

Every file is UTF-8 with a byte order mark, so Excel on Windows opens it with "£" and "é"
intact; pandas (``read_csv``) and DuckDB (``read_csv``) skip the mark, so the columns load
unchanged."""

from __future__ import annotations

import csv
import io
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

# --- CSV ----------------------------------------------------------------------------------------
_CSV_SPECIAL = re.compile(r'[",\r\n]')
CSV_ROWS_PER_CHUNK = 10_000
BOM = "\ufeff".encode()
ENCODING = "utf-8-sig"  # UTF-8 with the byte order mark


def _csv_field(text: str) -> bytes:
    """``text`` as a CSV field in UTF-8: as is, or quoted by the csv module (as pandas'
    ``to_csv`` quotes it) when it holds a quote, a comma or a line break."""
    if _CSV_SPECIAL.search(text):
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerow([text])
        text = buffer.getvalue()[:-1]
    return text.encode()


def _csv_column(values: pd.Series) -> np.ndarray:
    """Each value as a CSV field (b'' when missing); each distinct value is formatted once."""
    codes, uniques = pd.factorize(values.to_numpy(dtype=object))  # missing (NaN, NA): -1
    fields = [_csv_field(str(value)) for value in uniques]
    return np.array([*fields, b""], dtype=object)[codes]  # code -1 (missing) picks the b''


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` byte for byte as pandas' ``to_csv`` writes it (UTF-8 with a byte
    order mark, no index, Unix line ends), in less than half the time for text and integer
    columns: answers.csv repeats each council's and item's values over thousands of rows,
    and pandas formats every cell. Other frames (floats, objects, a single column) go to
    pandas."""
    simple = all(
        isinstance(dtype, pd.StringDtype) or pd.api.types.is_integer_dtype(dtype)
        for dtype in frame.dtypes
    )
    if not simple or len(frame.columns) < 2:  # the csv module quotes a lone empty field
        frame.to_csv(path, index=False, encoding=ENCODING, lineterminator="\n")
        return
    with open(path, "wb") as stream:
        stream.write(BOM + b",".join(_csv_field(str(name)) for name in frame.columns) + b"\n")
        for offset in range(0, len(frame), CSV_ROWS_PER_CHUNK):
            chunk = frame.iloc[offset : offset + CSV_ROWS_PER_CHUNK]
            columns = [_csv_column(chunk[name]) for name in chunk.columns]
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
    trends; returns the paths written, in that order.

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
    existing = [data_dir / name for name, _ in frames if (data_dir / name).exists()]
    if existing and not force:
        raise OutputError(f"{existing[0]} already exists; use --force to overwrite it")
    written = []
    for name, frame in frames:
        target = data_dir / name
        with atomic_path(target, force=force) as tmp:
            write_csv(frame, tmp)
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
