"""Look at a file before any spreadsheet parser does: its real format, its size, zip bombs.

:func:`sniff_format` tells the real format from the content, not the extension.
:func:`preflight` checks size and, for zip-based formats, the number of entries, the
total uncompressed size, compression ratios and XML entity declarations, with limits
that a real return never reaches.
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass

import defusedxml
import defusedxml.ElementTree

from .problems import Location, Problem

# defusedxml refuses DTDs, entity expansion and external references; every XML parse here
# goes through it. Importing it is part of the contract, so fail loudly if it is shadowed.
assert defusedxml.ElementTree.fromstring is not None
DEFUSED = True

SPREADSHEET_FORMATS = ("xlsx", "xlsm", "xlsb", "ods", "xls")


@dataclass(frozen=True)
class Limits:
    """Limits far above any real return (a filled workbook is about 60 KB)."""

    max_file_bytes: int = 20 * 1024 * 1024
    max_zip_entries: int = 2_000
    max_uncompressed_bytes: int = 200 * 1024 * 1024
    max_ratio: float = 200.0  # per entry, for entries over 1 MB uncompressed
    ratio_floor_bytes: int = 1024 * 1024


DEFAULT_LIMITS = Limits()
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"


def _problem(code, message, path, hint):
    return Problem(code, message, Location(file=str(path)), hint=hint)


def sniff_format(path, head: bytes | None = None) -> tuple[str, str]:
    """``(format, detail)``: format is one of SPREADSHEET_FORMATS, or 'encrypted', 'empty',
    'zip', 'ole', 'pdf', 'html', 'xml', 'text', 'binary'."""
    if head is None:
        with open(path, "rb") as handle:
            head = handle.read(4096)
    if not head:
        return "empty", "the file is empty"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _sniff_zip(path)
    if head.startswith(OLE_MAGIC):
        return _sniff_ole(path)
    if head.startswith(b"%PDF"):
        return "pdf", "a PDF document"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if stripped.startswith((b"<!doctype html", b"<html", b"<table", b"<meta")):
        return "html", "a web page (HTML)"
    if stripped.startswith(b"<?xml") or stripped.startswith(b"<"):
        return "xml", "an XML file" + (" (Excel 2003 XML)" if b"urn:schemas-microsoft-com:office:spreadsheet" in head else "")
    try:
        head.decode("utf-8")
        is_text = b"\x00" not in head
    except UnicodeDecodeError:
        is_text = b"\x00" not in head and all(b >= 9 for b in head[:512])
    if is_text:
        kind = "CSV text" if head.count(b",") + head.count(b";") + head.count(b"\t") > 2 else "text"
        return "text", kind
    return "binary", "an unknown binary file"


def _sniff_zip(path) -> tuple[str, str]:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                mime = archive.read("mimetype")[:100]
                if mime.startswith(ODS_MIME):
                    return "ods", "an OpenDocument spreadsheet"
                return "zip", f"an OpenDocument file of type {mime.decode('ascii', 'replace')}"
            if "xl/workbook.bin" in names:
                return "xlsb", "an Excel binary workbook"
            if "xl/workbook.xml" in names:
                macro = "xl/vbaProject.bin" in names
                types = archive.read("[Content_Types].xml")[:20000] if "[Content_Types].xml" in names else b""
                if macro or b"macroEnabled" in types:
                    return "xlsm", "an Excel macro-enabled workbook"
                return "xlsx", "an Excel workbook"
            if "word/document.xml" in names:
                return "zip", "a Word document"
            if "ppt/presentation.xml" in names:
                return "zip", "a PowerPoint presentation"
            return "zip", "a zip archive"
    except (zipfile.BadZipFile, OSError, EOFError, KeyError):
        return "corrupt", "a damaged or truncated zip container"


def _sniff_ole(path) -> tuple[str, str]:
    with open(path, "rb") as handle:
        data = handle.read(2 * 1024 * 1024)
    if "EncryptedPackage".encode("utf-16-le") in data:
        return "encrypted", "a password-protected (encrypted) workbook"
    if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
        return "xls", "an Excel 97-2003 workbook"
    if "WordDocument".encode("utf-16-le") in data:
        return "ole", "a Word 97-2003 document"
    return "ole", "an old Office document that is not a workbook"


def preflight(path, limits: Limits = DEFAULT_LIMITS) -> tuple[str, list[Problem]]:
    """Check a file before parsing. Returns its real format and any blocking problems."""
    try:
        size = os.path.getsize(path)
    except OSError as exc:
        return "", [_problem("unreadable", f"cannot read the file: {exc.strerror or exc}", path,
                             "check the file exists and can be read")]  # fmt: skip
    if size > limits.max_file_bytes:
        return "", [_problem("file-too-large",
                             f"the file is {size / 1048576:.1f} MB, over the "
                             f"{limits.max_file_bytes / 1048576:.0f} MB limit", path,
                             "send the self-assessment workbook itself; a return is under 1 MB")]  # fmt: skip
    try:
        fmt, detail = sniff_format(path)
    except OSError as exc:
        return "", [_problem("unreadable", f"cannot read the file: {exc.strerror or exc}", path,
                             "check the file can be read")]  # fmt: skip
    hint_resend = "send the self-assessment workbook (.xlsx) you were given, filled in"
    if fmt == "empty" or fmt in ("pdf", "html", "xml", "text", "binary"):
        return fmt, [_problem("not-a-spreadsheet", f"not a spreadsheet: {detail}", path,
                              hint_resend)]  # fmt: skip
    if fmt == "corrupt":
        return fmt, [_problem("corrupt-file", f"the file is damaged: {detail}", path,
                              "save the workbook again and resend it")]  # fmt: skip
    if fmt == "encrypted":
        return fmt, [_problem("encrypted", f"the file is {detail}", path,
                              "remove the password (File > Info > Protect Workbook) and resend")]  # fmt: skip
    if fmt in ("zip", "ole"):
        return fmt, [_problem("unsupported-format", f"unsupported format: {detail}", path,
                              hint_resend)]  # fmt: skip
    if fmt in ("xlsx", "xlsm", "xlsb", "ods"):
        return fmt, _check_zip(path, limits)
    return fmt, []


def _check_zip(path, limits: Limits) -> list[Problem]:
    hint = "this is not a normal workbook; send the original self-assessment file"
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            if len(infos) > limits.max_zip_entries:
                return [_problem("zip-bomb", f"the workbook holds {len(infos)} parts, over the "
                                 f"limit of {limits.max_zip_entries}", path, hint)]  # fmt: skip
            total = sum(info.file_size for info in infos)
            if total > limits.max_uncompressed_bytes:
                return [_problem("zip-bomb", f"the workbook unpacks to {total / 1048576:.0f} MB, "
                                 f"over the limit of {limits.max_uncompressed_bytes / 1048576:.0f}"
                                 " MB", path, hint)]  # fmt: skip
            for info in infos:
                if info.file_size >= limits.ratio_floor_bytes and (
                    info.file_size > limits.max_ratio * max(info.compress_size, 1)
                ):
                    ratio = info.file_size / max(info.compress_size, 1)
                    return [_problem("zip-bomb", f"part {info.filename} is compressed {ratio:.0f}"
                                     f":1, over the limit of {limits.max_ratio:.0f}:1", path,
                                     hint)]  # fmt: skip
            for info in infos:
                if info.filename.endswith((".xml", ".rels")) and info.file_size:
                    with archive.open(info) as part:
                        start = part.read(2048)
                    if b"<!DOCTYPE" in start or b"<!ENTITY" in start:
                        return [_problem("hostile-xml", f"part {info.filename} declares XML "
                                         "entities, which a spreadsheet never does", path, hint)]  # fmt: skip
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError) as exc:
        return [_problem("corrupt-file", f"the file is damaged: {exc}", path,
                         "save the workbook again and resend it")]  # fmt: skip
    return []


def parse_xml(data: bytes):
    """Parse XML with defusedxml: no DTDs, no entity expansion, no external references."""
    return defusedxml.ElementTree.fromstring(data, forbid_dtd=True)
