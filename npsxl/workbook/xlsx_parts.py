"""xlsxwriter, extended where it cannot write what the council's workbook needs: formulas
prepared once per process (:class:`FormulaSheet`), rows that the application fits to what is
typed (:class:`FittedSheet`), and the document's language (:class:`LanguageWorkbook`)."""

from __future__ import annotations

import xlsxwriter
from xlsxwriter.core import Core
from xlsxwriter.packager import Packager
from xlsxwriter.worksheet import Worksheet


class FormulaSheet(Worksheet):
    """A worksheet that prepares each distinct formula once per process, not once per cell.

    Every council's workbook has the same formulas; xlsxwriter would run ~30 regular
    expressions over each of them for every workbook. (``_prepare_formula`` is xlsxwriter's
    own step; should it change, this only stops saving time.)
    """

    def _prepare_formula(self, formula, *args, **kwargs):
        key = (formula, args, tuple(sorted(kwargs.items())), self.use_future_functions)
        prepared = _FORMULAS.get(key)
        if prepared is None:
            if len(_FORMULAS) > 20_000:
                _FORMULAS.clear()
            prepared = _FORMULAS[key] = super()._prepare_formula(formula, *args, **kwargs)
        return prepared


_FORMULAS: dict[tuple, str] = {}

LANGUAGE = "en-GB"  # the document's language, for screen readers and spelling


class _Core(Core):
    """docProps/core.xml with the document's language (dc:language), which xlsxwriter
    does not write; Excel and screen readers take the workbook's language from it."""

    def _write_cp_content_status(self) -> None:
        super()._write_cp_content_status()
        self._xml_data_element("dc:language", LANGUAGE)


class _Packager(Packager):
    def _write_core_file(self) -> None:
        core = _Core()
        core._set_properties(self.workbook.doc_properties)
        core._set_xml_writer(self._filename("docProps/core.xml"))
        core._assemble_xml_file()


class LanguageWorkbook(xlsxwriter.Workbook):
    """A workbook whose core properties carry its language (see :class:`_Core`)."""

    def _get_packager(self):
        return _Packager()


class FittedSheet(FormulaSheet):
    """A worksheet whose rows in :attr:`fitted_rows` carry their height without marking it
    custom: Excel opens them at that height and fits them again to wrapped text when a cell
    in them is edited, LibreOffice fits them when it opens the file. (xlsxwriter marks every
    height it writes as custom; ``_write_row`` is its own step, copied with that one change.)
    """

    fitted_rows: frozenset[int] = frozenset()

    def _write_row(self, row, spans, row_info=None, empty_row=False):
        if row not in self.fitted_rows or row_info is None or row_info.height is None:
            return super()._write_row(row, spans, row_info, empty_row)
        attributes = [("r", row + 1)]
        if spans:
            attributes.append(("spans", spans))
        if row_info.row_format:
            attributes += [("s", row_info.row_format._get_xf_index()), ("customFormat", 1)]
        attributes.append(("ht", f"{row_info.height * 0.75:.16g}"))
        if row_info.hidden:
            attributes.append(("hidden", 1))
        if self.excel_version == 2010:
            attributes.append(("x14ac:dyDescent", "0.25"))
        if empty_row:
            self._xml_empty_tag_unencoded("row", attributes)
        else:
            self._xml_start_tag_unencoded("row", attributes)
