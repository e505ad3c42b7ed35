"""What the values of a returned workbook's cells mean to the reader: text (:func:`text`,
:func:`norm`) and dates (:func:`to_date`), whatever the spreadsheet application made of
them. Levels: :func:`npsxl.reading.levels.parse_level`."""

from __future__ import annotations

import datetime as dt


def norm(value) -> str:
    """A header or label as compared: words single-spaced, lower case."""
    return " ".join(str(value).split()).lower() if value is not None else ""


def as_text(value) -> str:
    """A cell's value as text: whole numbers without ".0", dates in ISO form, trimmed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def as_typed(value) -> str:
    """A council's free text (evidence, actions) exactly as typed, spaces, tabs and line
    breaks at its ends included; a cell of nothing but white space is empty. Other values
    as :func:`as_text` gives them."""
    if isinstance(value, str):
        return value if value.strip() else ""
    return as_text(value)


_SHARED_DATES: dict[dt.date, dt.date] = {}


def shared_date(value):
    """``value``, or an equal date already made: thousands of answers share a few target
    dates, and one object each adds up over a collation."""
    if value.__class__ is not dt.date:
        return value
    if len(_SHARED_DATES) >= 4096:
        _SHARED_DATES.clear()
    return _SHARED_DATES.setdefault(value, value)


def to_date(value):
    """A date from a date cell, an Excel serial number or text; other text is kept as is."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 36526 <= value < 73051:
        return dt.date(1899, 12, 30) + dt.timedelta(days=int(value))  # 2000-01-01..2099
    text = as_text(value)
    for pattern in (
        "%d/%m/%Y",
        "%Y-%m-%d",
        "%d-%m-%Y",
        "%d.%m.%Y",
        "%d %B %Y",
        "%d %b %Y",
        "%d/%m/%y",
        "%Y-%m-%dT%H:%M:%S",
    ):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            pass
    return text
