"""A returned workbook opened for reading, whatever its format: :class:`Book` and its cells.

:class:`Book` gives cell values per sheet (parsed by python-calamine on first use), the
workbook's ``NPS_*`` defined names, its custom document properties, and which cells hold
formulas. What calamine does not tell is read from the raw parts by one module per format
(:mod:`npsxl.reading.formats`); :func:`npsxl.reading.opening.open_book` picks it. Before a
sheet reaches the parser its used range (:class:`Extent`) is measured from the raw file, so
a stray value in XFD1048576 cannot make the parser allocate billions of cells.
:mod:`npsxl.reading.reader` turns a book into answers.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Set
from dataclasses import dataclass

import python_calamine

from npsxl.core import catalogue as P
from npsxl.core.problems import Location, Problem
from npsxl.reading.preflight import Limits
from npsxl.workbook import layout as L


class Refused(Exception):
    """A blocking problem found while opening or reading the file."""

    def __init__(self, problem: Problem):
        super().__init__(problem.message)
        self.problem = problem


class Damaged(Exception):
    """A parser failed on the file's content."""


@dataclass(slots=True)
class Cell:
    sheet: str
    row: int
    col: int
    value: object

    @property
    def ref(self) -> str:
        return L.a1(self.row, self.col)


def place_of(cell: Cell | None) -> dict:
    """The sheet and cell of ``cell``, for a problem's location ({} for no cell)."""
    return {"sheet": cell.sheet, "cell": cell.ref} if cell is not None else {}


def col_index(letters: str | bytes) -> int:
    if isinstance(letters, bytes):
        letters = letters.decode("ascii")
    index = 0
    for ch in letters:
        index = index * 26 + ord(ch) - 64
    return index - 1


@dataclass
class Extent:
    rows: int = 0
    cols: int = 0
    far: str = ""  # the cell that makes the range largest

    def add(self, row: int, col: int) -> None:
        if row + 1 > self.rows or col + 1 > self.cols:
            self.rows, self.cols = max(self.rows, row + 1), max(self.cols, col + 1)
            self.far = L.a1(self.rows - 1, self.cols - 1)

    @property
    def cells(self) -> int:
        return self.rows * self.cols


# --- the parsed workbook --------------------------------------------------------------------------
class Book:
    """Cell values per sheet (parsed on first use), defined names, document properties and
    which cells hold formulas: what the reader knows about one file, whatever its format."""

    def __init__(self, path: str, fmt: str, data: bytes, limits: Limits):
        self.path = path
        self.format = fmt
        self.limits = limits
        self.sheet_names: list[str] = []
        self.names: dict[str, tuple[str, int, int]] = {}  # NPS_* (upper) -> (sheet, row, col)
        self.properties: dict[str, str] = {}
        self.formulas: dict[str, Set[tuple[int, int]]] = {}
        self.formula_blocks: dict[str, list[tuple[int, int, int, int]]] = {}  # rows, cols
        self.extents: dict[str, Extent] = {}
        # sheets measured on first use (xlsx): sheet -> (used range, formula cells)
        self.measure_later: dict[str, Callable[[], tuple[Extent, Set[tuple[int, int]]]]] = {}
        # text the parser would not give as typed (ods tabs, line breaks): sheet -> cell -> text
        self.exact_text: dict[str, dict[tuple[int, int], str]] = {}
        self._rows: dict[str, list[list]] = {}
        self._data = data
        self._workbook: python_calamine.CalamineWorkbook | None = None

    # parsing ---------------------------------------------------------------------------------
    def open(self) -> None:
        try:
            self._workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(self._data))
            names = list(self._workbook.sheet_names)
        except python_calamine.PasswordError:
            raise
        except Exception as exc:  # noqa: BLE001 - any parser failure means a damaged file
            raise Damaged(f"{type(exc).__name__}: {str(exc)[:200]}") from None
        self._data = b""  # the parser holds its own copy
        if not self.sheet_names:
            self.sheet_names = names
        else:  # keep the workbook's order, but only sheets the parser can give
            self.sheet_names = [n for n in self.sheet_names if n in names] + [
                n for n in names if n not in self.sheet_names
            ]

    def close(self) -> None:
        if self._workbook is not None:
            self._workbook.close()
            self._workbook = None

    def rows(self, sheet: str) -> list[list]:
        """The sheet's values as rows from A1 ([] if there is no such sheet)."""
        cached = self._rows.get(sheet)
        if cached is not None:
            return cached
        if sheet not in self.sheet_names or self._workbook is None:
            return []
        measure = self.measure_later.pop(sheet, None)
        if measure is not None:
            self.extents[sheet], self.formulas[sheet] = measure()
        self.check_extent(sheet)
        try:
            rows = self._workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        except python_calamine.PasswordError:
            raise
        except Exception as exc:  # noqa: BLE001
            if "chart" in str(exc).lower() or isinstance(exc, python_calamine.WorksheetNotFound):
                rows = []  # a chart sheet or a dialog sheet: no cells
            else:
                raise Damaged(f"sheet {sheet!r}: {type(exc).__name__}: {str(exc)[:200]}") from None
        for (row, col), text in self.exact_text.get(sheet, {}).items():
            if row < len(rows) and col < len(rows[row]):
                rows[row][col] = text
        self._rows[sheet] = rows
        return rows

    def check_extent(self, sheet: str) -> None:
        extent = self.extents.get(sheet)
        if extent is not None and extent.cells > self.limits.max_sheet_cells:
            where = Location(file=self.path, sheet=sheet, cell=extent.far)
            raise Refused(
                P.SHEET_TOO_LARGE(
                    where,
                    sheet=sheet,
                    cell=extent.far,
                    cells=extent.cells,
                    limit=self.limits.max_sheet_cells,
                )
            )

    def value(self, sheet: str, row: int, col: int):
        rows = self.rows(sheet)
        if row < 0 or row >= len(rows) or col < 0 or col >= len(rows[row]):
            return None
        return rows[row][col]

    def named(self, name: str) -> Cell | None:
        target = self.names.get(name.upper())
        if target is None or target[0] not in self.sheet_names:
            return None
        sheet, row, col = target
        return Cell(sheet, row, col, self.value(sheet, row, col))

    def is_formula(self, cell: Cell) -> bool:
        if (cell.row, cell.col) in self.formulas.get(cell.sheet, ()):
            return True
        blocks = self.formula_blocks.get(cell.sheet)
        if not blocks:
            return False
        return any(r0 <= cell.row <= r1 and c0 <= cell.col <= c1 for r0, r1, c0, c1 in blocks)


def sized_part(book: Book, parts: dict[str, bytes], name: str) -> bytes | None:
    """A kept part, refusing one far bigger than any real workbook's (it would be parsed
    into a tree in memory)."""
    data = parts.get(name)
    if data is not None and len(data) > book.limits.max_xml_part_bytes:
        raise Refused(
            P.PART_TOO_LARGE(
                Location(file=book.path),
                part=name,
                size_mb=len(data) / 1048576,
                limit_mb=book.limits.max_xml_part_bytes / 1048576,
            )
        )
    return data
