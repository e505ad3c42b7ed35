"""Look at a file before any spreadsheet parser does: its real format, its size, zip bombs.

:func:`inspect_file` reads the file once and tells its real format from the content, not
the extension. For zip-based formats (xlsx, xlsm, xlsb, ods) it checks the number of
parts, the total uncompressed size and compression ratios from the central directory,
then inflates every part in bounded chunks to prove the directory tells the truth (CRC
and size), and refuses XML that declares a DTD or entities (:mod:`npsxl.reading.zipcheck`).
Limits are far above what a real return reaches. Parsers then only ever see the bytes that
were checked.

With ``kept_only`` (the reader's way for xlsx and xlsm), the caller promises to hand
parsers only the parts it kept, repacked by :meth:`Inspection.stored_zip`: the parts
nobody reads (theme, charts, drawings...) are then not inflated at all when the deflate
bound (:func:`~npsxl.reading.zipcheck.inflation_bound`: no deflate stream unpacks to more
than 1032 times its size) shows the whole file cannot unpack beyond the size limit,
whatever its directory claims. Every part a parser reads is still inflated and checked, once.

:func:`preflight` is the short form: ``(format, problems)``. Every XML parse in npsxl
goes through :func:`parse_xml` or :func:`iterparse_xml` (defusedxml, no DTDs).
"""

from __future__ import annotations

import io
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field

import defusedxml
import defusedxml.ElementTree

from npsxl.core import catalogue as P
from npsxl.core.catalogue import ProblemType
from npsxl.core.problems import Location, Problem
from npsxl.reading import zipcheck
from npsxl.reading.zipcheck import ZipTrouble

_DTD_PROBE = b'<!DOCTYPE x [<!ENTITY e "expanded">]><x>&e;</x>'


def _require_defused() -> None:
    """defusedxml refuses DTDs, entity expansion and external references, and every XML
    parse here goes through it: refuse to load (so to read any file) when the defusedxml
    found does not refuse a DTD, e.g. a module of that name shadowing it."""
    try:
        defusedxml.ElementTree.fromstring(_DTD_PROBE, forbid_dtd=True)
        refused = False
    except Exception as exc:  # noqa: BLE001 - whatever it is, it must be the refusal
        refused = isinstance(exc, getattr(defusedxml, "DTDForbidden", ()))
    if not refused:
        raise ImportError(
            f"the defusedxml module found ({getattr(defusedxml, '__file__', '?')}) does not "
            "refuse XML with a DTD; npsxl reads no file without it (reinstall defusedxml)"
        )


_require_defused()

SPREADSHEET_FORMATS = ("xlsx", "xlsm", "xlsb", "ods", "xls")


@dataclass(frozen=True)
class Limits:
    """Limits far above any real return (a filled workbook is about 30-60 KB, its biggest
    sheet a few hundred cells)."""

    max_file_bytes: int = 20 * 1024 * 1024
    max_zip_entries: int = 2_000
    max_uncompressed_bytes: int = 200 * 1024 * 1024
    max_ratio: float = 200.0  # per part, for parts over ratio_floor_bytes uncompressed
    ratio_floor_bytes: int = 1024 * 1024
    # rows x columns of a sheet's used range, counted from A1 as the parser allocates it:
    # a stray value in XFD1048576 would otherwise make the parser ask for 17 billion cells.
    max_sheet_cells: int = 2_000_000
    # a part parsed into a tree (workbook.xml, relationships, properties): a real one is a few KB
    max_xml_part_bytes: int = 16 * 1024 * 1024


DEFAULT_LIMITS = Limits()
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"


@dataclass
class Inspection:
    """What :func:`inspect_file` found: the real format, blocking problems, and the bytes.

    ``data`` is the whole file (None when it was not read); ``parts`` holds the inflated
    zip parts that the caller asked to keep, already checked, in the directory's order,
    and ``crcs`` their checked CRC-32s. ``unchecked`` names the parts left uninflated
    under ``kept_only`` (see :func:`inspect_file`)."""

    path: str
    format: str = ""
    detail: str = ""
    problems: list[Problem] = field(default_factory=list)
    data: bytes | None = None
    parts: dict[str, bytes] = field(default_factory=dict)
    part_names: tuple[str, ...] = ()
    crcs: dict[str, int] = field(default_factory=dict)
    unchecked: tuple[str, ...] = ()

    def stored_zip(
        self, rewrite: Callable[[str, bytes], bytes | None] | None = None
    ) -> bytes | None:
        """The kept parts as a new zip of stored (uncompressed) entries, in their order:
        what a parser should read instead of ``data``, since every byte in it was checked
        and it has nothing left to inflate. ``rewrite(name, content)`` may give a part's
        content rearranged for the parser (None: as it is). None only when they do not fit
        a plain (not zip64) zip, which cannot happen when parts were left unchecked
        (``kept_only`` skips only within those bounds): then every part was checked, and
        ``data`` may be parsed instead."""
        return zipcheck.stored_zip(self.parts, self.crcs, rewrite)

    def refuse(self, kind: ProblemType, **fields) -> None:
        """Note a blocking problem of the file, of catalogued ``kind``."""
        self.problems.append(kind(Location(file=self.path), **fields))


def preflight(path, limits: Limits = DEFAULT_LIMITS) -> tuple[str, list[Problem]]:
    """Check a file before parsing. Returns its real format and any blocking problems."""
    found = inspect_file(path, limits)
    return found.format, found.problems


def sniff_format(path, head: bytes | None = None) -> tuple[str, str]:
    """``(format, detail)`` of a file from its content: format is one of
    SPREADSHEET_FORMATS, or 'encrypted', 'empty', 'zip', 'ole', 'pdf', 'html', 'xml',
    'spreadsheetml', 'text', 'binary' or 'corrupt'. ``head`` is ignored (kept for callers
    of the first version); the file is read whole, up to the default size limit."""
    found = inspect_file(path, DEFAULT_LIMITS, verify=False)
    return found.format, found.detail


def inspect_file(
    path,
    limits: Limits = DEFAULT_LIMITS,
    keep: Callable[[str], bool] | None = None,
    *,
    verify: bool = True,
    kept_only: bool = False,
) -> Inspection:
    """Read ``path`` once and check it. ``keep(name)`` says which zip parts to return
    inflated in :attr:`Inspection.parts`. Never raises for a bad file.

    ``kept_only``: for an xlsx or xlsm file, the caller parses only the kept parts (through
    :meth:`Inspection.stored_zip`), never ``data``; the other parts are then inflated and
    checked only when :func:`~npsxl.reading.zipcheck.inflation_bound` cannot show that the
    whole file unpacks to less than ``limits.max_uncompressed_bytes`` (their names are in
    ``unchecked``)."""
    found = Inspection(str(path))
    try:
        # O_NONBLOCK: a named pipe must not hang the run waiting for a writer
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):
                found.refuse(P.NOT_A_REGULAR_FILE)
                return found
            if info.st_size > limits.max_file_bytes:
                found.refuse(
                    P.FILE_TOO_LARGE,
                    size_mb=info.st_size / 1048576,
                    limit_mb=limits.max_file_bytes / 1048576,
                )
                return found
            # what fstat says, not the limit: reading into a buffer of the limit's size is
            # a big allocation per file; a file that grew meanwhile is read on to the limit
            data = handle.read(info.st_size + 1)
            if len(data) > info.st_size:
                data += handle.read(limits.max_file_bytes + 1 - len(data))
    except IsADirectoryError:
        found.refuse(P.A_FOLDER)
        return found
    except OSError as exc:
        found.refuse(P.UNREADABLE, reason=exc.strerror or exc)
        return found
    if len(data) > limits.max_file_bytes:  # grew while being read
        found.refuse(P.FILE_GREW_TOO_LARGE, limit_mb=limits.max_file_bytes / 1048576)
        return found
    found.data = data
    try:
        _sniff(found, data, limits, keep, verify, kept_only)
    except Exception as exc:  # noqa: BLE001 - a container so damaged it breaks the checks
        found.format, found.detail = "corrupt", f"{type(exc).__name__}: {str(exc)[:200]}"
        found.refuse(P.CORRUPT_FILE, detail=found.detail)
    return found


def _sniff(
    found: Inspection, data: bytes, limits: Limits, keep, verify: bool, kept_only: bool = False
) -> None:
    fmt, detail = _sniff_bytes(data)
    if fmt == "zip-container":
        fmt, detail = _inspect_zip(found, data, limits, keep, verify, kept_only)
    elif fmt == "ole":
        fmt, detail = _sniff_ole(data)
    found.format, found.detail = fmt, detail
    if found.problems:
        return
    if fmt in ("empty", "pdf", "html", "xml", "text", "binary"):
        found.refuse(P.NOT_A_SPREADSHEET, detail=detail)
    elif fmt == "corrupt":
        found.refuse(P.CORRUPT_FILE, detail=detail)
    elif fmt == "encrypted":
        found.refuse(P.ENCRYPTED, detail=detail)
    elif fmt in ("zip", "ole", "spreadsheetml"):
        found.refuse(P.UNSUPPORTED_FORMAT, detail=detail)


def _sniff_bytes(data: bytes) -> tuple[str, str]:
    head = data[:4096]
    if not data:
        return "empty", "the file is empty"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip-container", ""
    if head.startswith(OLE_MAGIC):
        return "ole", ""
    if head.startswith(b"%PDF"):
        return "pdf", "a PDF document"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if stripped.startswith((b"<!doctype html", b"<html", b"<table", b"<meta", b"<head", b"<body")):
        return "html", "a web page (HTML)"
    if stripped.startswith(b"<"):
        if b"urn:schemas-microsoft-com:office:spreadsheet" in head:
            return "spreadsheetml", "an Excel 2003 XML spreadsheet"
        if ODS_MIME in head:
            return "spreadsheetml", "a flat OpenDocument spreadsheet (.fods)"
        if b"<html" in stripped:
            return "html", "a web page (HTML)"
        return "xml", "an XML file"
    if b"\x00" not in head:
        try:
            head.decode("utf-8")
            is_text = True
        except UnicodeDecodeError as exc:
            is_text = exc.start >= len(head) - 4 or all(b >= 9 for b in head[:512])
        if is_text:
            separators = head.count(b",") + head.count(b";") + head.count(b"\t")
            return "text", "CSV text" if separators > 2 else "text"
    return "binary", "an unknown binary file"


def _sniff_ole(data: bytes) -> tuple[str, str]:
    """What an OLE compound file (the container of .xls and of encrypted .xlsx) holds."""
    import olefile

    try:
        with olefile.OleFileIO(data) as ole:
            streams = {"/".join(entry).lower() for entry in ole.listdir(streams=True)}
    except Exception as exc:  # noqa: BLE001 - olefile raises many kinds on damaged files
        return "corrupt", f"a damaged or truncated old Office file ({str(exc)[:120]})"
    if "encryptedpackage" in streams:
        return "encrypted", "a password-protected (encrypted) workbook"
    if "workbook" in streams or "book" in streams:
        return "xls", "an Excel 97-2003 workbook"
    if "worddocument" in streams:
        return "ole", "a Word 97-2003 document"
    if "powerpoint document" in streams:
        return "ole", "a PowerPoint 97-2003 presentation"
    return "ole", "an old Office document that is not a workbook"


# --- zip containers -------------------------------------------------------------------------------
def _zip_kind(names: set[str], read) -> tuple[str, str]:
    if "mimetype" in names:
        mime = read("mimetype")[:100].strip()
        if mime.startswith(ODS_MIME) and not mime[len(ODS_MIME) :].startswith(b"-template"):
            return "ods", "an OpenDocument spreadsheet"
        kind = mime.decode("ascii", "replace")
        return "zip", f"an OpenDocument file of type {kind!r}, not a spreadsheet"
    if "xl/workbook.bin" in names:
        return "xlsb", "an Excel binary workbook"
    if "xl/workbook.xml" in names:
        if "xl/vbaProject.bin" in names or b"macroEnabled" in read("[Content_Types].xml"):
            return "xlsm", "an Excel macro-enabled workbook"
        return "xlsx", "an Excel workbook"
    if "word/document.xml" in names:
        return "zip", "a Word document"
    if "ppt/presentation.xml" in names:
        return "zip", "a PowerPoint presentation"
    inside = sorted(n for n in names if n.lower().endswith((".xlsx", ".xlsm", ".xls", ".ods")))
    if inside:
        return "zip", f"a zip archive holding {inside[0]!r}; send that spreadsheet itself"
    return "zip", "a zip archive"


def _ods_encrypted(read) -> bool:
    """Whether an ods file's manifest says its parts are encrypted (saved with a password to
    open it): its parts then look like damaged XML to any parser."""
    manifest = read("META-INF/manifest.xml")
    if b"encryption-data" not in manifest:
        return False
    try:
        root = parse_xml(manifest)
    except Exception:  # noqa: BLE001 - a damaged manifest: the parts will tell
        return False
    return any(element.tag == _ODS_ENCRYPTION for element in root.iter())


_ODS_ENCRYPTION = "{urn:oasis:names:tc:opendocument:xmlns:manifest:1.0}encryption-data"


def _inspect_zip(
    found: Inspection, data: bytes, limits: Limits, keep, verify, kept_only: bool = False
) -> tuple[str, str]:
    try:
        infos = zipcheck.read_directory(data, limits)
    except ZipTrouble as trouble:
        found.refuse(trouble.kind, **trouble.fields)
        return "zip", trouble.container
    except zipcheck.DAMAGED_DIRECTORY as exc:
        return "corrupt", f"a damaged or truncated zip container ({exc})"
    names = [info.filename for info in infos]
    found.part_names = tuple(names)
    unique = set(names)
    try:
        zipcheck.check_sizes(infos, limits)
    except ZipTrouble as trouble:
        found.refuse(trouble.kind, **trouble.fields)
        return "zip", trouble.container
    by_name = {info.filename: info for info in infos}
    small: dict[str, bytes] = {}

    def read(name: str) -> bytes:
        if name not in by_name:
            return b""
        if name not in small:
            small[name] = zipcheck.inflate(data, by_name[name], limits)
        return small[name][:65536]

    try:
        if len(unique) != len(names):
            twice = sorted({n for n in names if names.count(n) > 1})
            raise ZipTrouble(P.PART_NAMED_TWICE, part=twice[0])
        fmt, detail = _zip_kind(unique, read)
        if fmt == "ods" and _ods_encrypted(read):
            found.refuse(P.ODS_ENCRYPTED)
            return "encrypted", "an OpenDocument spreadsheet saved with a password"
        if fmt not in SPREADSHEET_FORMATS or not verify:
            return fmt, detail
        skip_unkept = False
        if kept_only and keep is not None and fmt in ("xlsx", "xlsm") and len(infos) < 0xFFFF:
            bound = zipcheck.inflation_bound(infos)  # also keeps the repack within a plain zip
            skip_unkept = bound is not None and bound <= min(
                limits.max_uncompressed_bytes, zipcheck.PLAIN_ZIP_BYTES
            )
        found.parts, found.crcs, found.unchecked = zipcheck.inflate_parts(
            data, infos, limits, keep, small, skip_unkept=skip_unkept
        )
    except ZipTrouble as trouble:
        found.refuse(trouble.kind, **trouble.fields)
        return (
            ("corrupt", str(trouble)) if trouble.kind.code == P.CORRUPT_FILE.code else ("zip", "")
        )
    return fmt, detail


# --- XML ------------------------------------------------------------------------------------------
def parse_xml(data: bytes):
    """Parse XML with defusedxml: no DTDs, no entity expansion, no external references."""
    return defusedxml.ElementTree.fromstring(data, forbid_dtd=True)


def iterparse_xml(data: bytes, events=("start", "end")):
    """Iterate over XML with defusedxml (no DTDs, no entities): ``(event, element)``."""
    return defusedxml.ElementTree.iterparse(io.BytesIO(data), events, forbid_dtd=True)
