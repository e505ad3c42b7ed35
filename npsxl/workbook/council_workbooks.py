"""Personalised self-assessment workbooks for many councils, fast: :class:`CouncilWorkbooks`."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from npsxl.core.atomic import atomic_path
from npsxl.model.model import Model
from npsxl.model.register import Council, council_type_label
from npsxl.model.round_settings import RoundSettings
from npsxl.model.rounds import assessment_round
from npsxl.workbook import layout as L
from npsxl.workbook.formats import looks_like_formula
from npsxl.workbook.plan import detail_height
from npsxl.workbook.writer import (
    BuiltWorkbook,
    build_workbook,
    excel_text,
    now_text,
)


class CouncilWorkbooks:
    """Personalised workbooks of one model for many councils, fast.

    Every council's workbook is the same but for the council's name, code, region and type.
    The first :meth:`build` writes a workbook for a stand-in council with placeholder details
    (with :func:`build_workbook`, so everything is made in one place) and keeps its parts;
    each workbook after that is those parts with the placeholders replaced, about ten times
    faster than building it again. A council whose details would change more than the text
    (an empty value, a name long enough to need a taller row, characters Excel escapes) is
    built with :func:`build_workbook` instead. The result is the same either way: the tests
    compare the two part by part.
    """

    _TOKENS = {
        "code": "NPSXLCOUNCILCODE",
        "name": "NPSXLCOUNCILNAME",
        "region": "NPSXLCOUNCILREGION",
        "council_type": "NPSXLCOUNCILTYPE",
    }
    _TEXT_PARTS = ("xl/sharedStrings.xml", "docProps/core.xml", "docProps/custom.xml")

    def __init__(
        self,
        model: Model,
        generated_at: str | None = None,
        round: str = "",
        settings: RoundSettings | None = None,
    ):
        self.model = model
        self.settings = settings
        self.generated_at = generated_at or now_text()
        self.round = assessment_round(round)
        self._parts: list[tuple[zipfile.ZipInfo, str | bytes, str]] | None = None
        self._heights: dict[str, float] = {}

    def _stand_in(self) -> Council:
        t = self._TOKENS
        return Council(t["code"], "", t["name"], t["name"], t["region"], t["council_type"])

    def _template(self) -> list[tuple[zipfile.ZipInfo, str | bytes, str]]:
        if self._parts is None:
            buffer = io.BytesIO()
            build_workbook(
                self.model,
                buffer,
                self._stand_in(),
                generated_at=self.generated_at,
                round=self.round,
                settings=self.settings,
            )
            parts = []
            with zipfile.ZipFile(buffer) as archive:
                for info in archive.infolist():
                    raw = archive.read(info)
                    data: str | bytes = raw
                    kind = "bytes"
                    if info.filename in self._TEXT_PARTS:
                        kind = "text"
                    elif info.filename.startswith("xl/worksheets/sheet"):
                        kind = "sheet"
                    if kind != "bytes":
                        text = raw.decode("utf-8")
                        if _TOKEN_PATTERN.search(text):
                            data = text
                        else:
                            kind = "bytes"
                    parts.append((info, data, kind))
            self._heights = self._detail_heights(self._stand_in())
            self._parts = parts
        return self._parts

    def _detail_heights(self, council: Council) -> dict[str, float]:
        values = {
            "council_name": council.name,
            "council_code": council.code,
            "region": council.region,
            "council_type": council_type_label(council.council_type),
        }
        font = self.model.brand.font
        return {f.key: detail_height(values[f.key], "", font) for f in L.COUNCIL_FIELDS}

    def _fits(self, council: Council) -> bool:
        """Whether the template with the council's details put in is exactly its workbook."""
        values = (council.code, council.name, council.region, council.council_type)
        for value in values:
            if not value or value != value.strip() or _NEEDS_ESCAPE.search(value):
                return False
            if looks_like_formula(value):  # its cell takes the quote prefix: another style
                return False
            if _TOKEN_PATTERN.search(value):
                return False
        if len(set(values)) != len(values) or len(council.name) > 60:
            return False
        return self._detail_heights(council) == self._heights

    def build(self, council: Council, path: str | Path, *, force: bool = True) -> BuiltWorkbook:
        """Write ``council``'s personalised workbook to ``path`` (atomically)."""
        parts = self._template()
        if not self._fits(council):
            return build_workbook(
                self.model,
                path,
                council,
                generated_at=self.generated_at,
                force=force,
                round=self.round,
                settings=self.settings,
            )
        t = self._TOKENS
        text = {
            t["code"]: _xml_text(council.code),
            t["name"]: _xml_text(council.name),
            t["region"]: _xml_text(council.region),
            t["council_type"]: _xml_text(council_type_label(council.council_type)),
        }
        # in the worksheets the name is only in the footers, where '&' is written '&&'
        sheet = {**text, t["name"]: _xml_text(excel_text(council.name))}
        with (
            atomic_path(path, force=force) as tmp,
            zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as archive,
        ):
            for info, data, kind in parts:
                if isinstance(data, str):  # a text part or a sheet, with placeholders in it
                    values = text if kind == "text" else sheet
                    data = _substitute(data, values).encode("utf-8")
                archive.writestr(info, data)
        m = self.model
        return BuiltWorkbook(
            Path(path), council, m.id, m.version, m.fingerprint, self.generated_at, self.round
        )


_TOKEN_PATTERN = re.compile("|".join(CouncilWorkbooks._TOKENS.values()))


def _substitute(data: str, values: dict[str, str]) -> str:
    """``data`` with each placeholder (:data:`_TOKEN_PATTERN`) replaced by its value."""
    return _TOKEN_PATTERN.sub(lambda m: values[m.group(0)], data)


_NEEDS_ESCAPE = re.compile("[\x00-\x1f\x7f\ufffe\uffff]|_x[0-9A-Fa-f]{4}_")


def _xml_text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
