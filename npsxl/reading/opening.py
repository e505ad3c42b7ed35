"""Open a file the preflight passed, whatever its format: :func:`open_book`, and the parts
of it the reader keeps (:func:`keep_part`)."""

from __future__ import annotations

import python_calamine

from npsxl.reading.book import Book, Damaged, Refused
from npsxl.reading.formats.ods import read_ods
from npsxl.reading.formats.xls import read_xls
from npsxl.reading.formats.xlsb import read_xlsb
from npsxl.reading.formats.xlsx import merges_first, read_xlsx
from npsxl.reading.preflight import Inspection, Limits


def keep_part(name: str) -> bool:
    """The parts the reader or the parser may look at: every XML part but the theme,
    charts, drawings and descriptive document properties, and every part in a sheet
    folder whatever its name ends with (the parser finds parts by name in any case). An
    xlsx's parser reads only these, repacked (see ``kept_only`` in
    :func:`npsxl.reading.preflight.inspect_file`); a part it missed would make the file
    unreadable, never read unchecked."""
    if name.endswith(".bin"):  # xlsb
        return name == "xl/workbook.bin" or name.startswith("xl/worksheets/")
    low = name.lower()
    if low in _PARSED_PARTS or low.startswith(_SHEET_FOLDERS):
        return True
    return low.endswith((".xml", ".rels")) and not name.startswith(_SKIPPED_PARTS)


_PARSED_PARTS = frozenset(
    ("xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/sharedstrings.xml", "xl/styles.xml")
)
_SHEET_FOLDERS = ("xl/worksheets/", "xl/chartsheets/", "xl/dialogsheets/")
_SKIPPED_PARTS = (
    "xl/theme/",
    "xl/charts/",
    "xl/drawings/",
    "docProps/app.xml",
    "docProps/core.xml",
    "Object ",
    "Configurations2/",
    "Thumbnails/",
    "styles.xml",
    "settings.xml",
)


_READERS = {"xlsx": read_xlsx, "xlsm": read_xlsx, "ods": read_ods, "xlsb": read_xlsb}


def open_book(found: Inspection, limits: Limits) -> Book:
    """The book of a file the preflight passed (``found``, inspected with :func:`keep_part`),
    its format's structure read. Raises :class:`~npsxl.reading.book.Refused`,
    :class:`~npsxl.reading.book.Damaged` or :class:`python_calamine.PasswordError`."""
    if found.data is None:
        raise ValueError(f"{found.path}: not opened, the preflight did not read its bytes")
    data = found.data
    if found.format in ("xlsx", "xlsm"):
        # the parser reads the checked parts, stored: nothing unchecked, nothing to inflate twice
        data = found.stored_zip(merges_first) or data
    book = Book(found.path, found.format, data, limits)
    try:
        if found.format == "xls":
            read_xls(book, found.data)
        elif found.format in _READERS:
            _READERS[found.format](book, found.parts)
    except (Refused, Damaged, python_calamine.PasswordError):
        raise
    except Exception as exc:  # noqa: BLE001 - malformed XML or records: a damaged file
        raise Damaged(f"{type(exc).__name__}: {str(exc)[:200]}") from None
    for sheet in list(book.extents):  # formats parsed whole on opening: check every sheet now
        book.check_extent(sheet)
    book.open()
    return book
