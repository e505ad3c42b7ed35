"""The preflight's checks of a zip container (xlsx, xlsm, xlsb, ods): nothing in it may
unpack to more than it claims, or to more than any real workbook holds.

:func:`read_directory` refuses a central directory too big to hand to :mod:`zipfile`;
:func:`check_sizes` a directory that claims too many parts, too much data or a part too
highly compressed. :func:`inflate_parts` then inflates every part in bounded chunks to
prove the directory tells the truth (size and CRC-32), refuses XML that declares a DTD or
entities, and keeps the parts a caller asked for; :func:`inflation_bound` says when the
parts nobody reads need not be inflated at all. :func:`stored_zip` repacks the checked
parts, stored, for a parser to read. A check that fails raises :class:`ZipTrouble`.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Callable
from typing import TYPE_CHECKING

from npsxl.core import catalogue as P
from npsxl.core.catalogue import ProblemType

if TYPE_CHECKING:
    from npsxl.reading.preflight import Limits

# Deflate's best case: a 258-byte match in 2 bits, so no stream unpacks to more than 1032x
# its compressed size (zlib approaches 1028x on a run of zeros).
DEFLATE_MAX_RATIO = 1032
# What zipfile raises on a damaged directory.
DAMAGED_DIRECTORY = (zipfile.BadZipFile, OSError, EOFError, ValueError, struct.error)
_CHUNK = 1024 * 1024
_FEED = 64 * 1024
_XML_SUFFIXES = (".xml", ".rels", ".rdf", ".vml")
_HOSTILE_TEXT = ("<!DOCTYPE", "<!ENTITY")
_HOSTILE = tuple(
    token.encode(encoding)
    for token in _HOSTILE_TEXT
    for encoding in ("ascii", "utf-16-le", "utf-16-be")
)
_HOSTILE_ASCII = tuple(token.encode("ascii") for token in _HOSTILE_TEXT)
_LOCAL = struct.Struct("<4s5H3L2H")
_CENTRAL = struct.Struct("<4s6H3L5H2L")
_END = struct.Struct("<4s4H2LH")
PLAIN_ZIP_BYTES = 0xF000_0000  # room left under 4 GB for headers and names
_WRONG_SIZE = "size or checksum wrong"


class ZipTrouble(Exception):
    """A zip container that fails a check: the catalogued ``kind`` of problem to report and
    its ``fields``; ``container`` says what the container is, for the preflight's format
    detail."""

    def __init__(self, kind: ProblemType, container: str = "", **fields: object):
        super().__init__(kind.template.format(**fields))
        self.kind = kind
        self.fields = fields
        self.container = container


def _declares(xml: bytes) -> bool:
    """Whether ``xml`` holds a DTD or entity declaration, in UTF-8 or UTF-16. Only UTF-16
    has NUL bytes, so UTF-8 (every part a spreadsheet application writes) takes two scans."""
    tokens = _HOSTILE if b"\x00" in xml else _HOSTILE_ASCII
    return any(token in xml for token in tokens)


# --- the central directory ------------------------------------------------------------------------
def _directory_too_big(data: bytes, limits: Limits) -> tuple[int, int] | None:
    """The parts and bytes of a central directory too big to hand to zipfile (which builds
    an object per entry), from the end-of-directory record alone; None when it is fine."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if end < 0 or end + 22 > len(data):
        return None  # zipfile will say what is wrong
    entries, size = struct.unpack_from("<HI", data, end + 10)
    if entries == 0xFFFF or size == 0xFFFFFFFF:  # zip64: the counts are in another record
        locator = data.rfind(b"PK\x06\x07", max(0, end - 20), end)
        if locator >= 0:
            record = struct.unpack_from("<Q", data, locator + 8)[0]
            if data[record : record + 4] == b"PK\x06\x06" and record + 56 <= len(data):
                entries, size = struct.unpack_from("<QQ", data, record + 32)
    if entries > limits.max_zip_entries or size > limits.max_zip_entries * 1024:
        return entries, size
    return None


def read_directory(data: bytes, limits: Limits) -> list[zipfile.ZipInfo]:
    """The parts the central directory lists. Raises :class:`ZipTrouble` when the directory
    is too big to read, and one of :data:`DAMAGED_DIRECTORY` when it is damaged."""
    too_big = _directory_too_big(data, limits)
    if too_big is not None:
        entries, size = too_big
        raise ZipTrouble(
            P.ZIP_DIRECTORY_TOO_BIG,
            "a zip archive with too many parts",
            entries=entries,
            size=size,
            limit=limits.max_zip_entries,
        )
    return zipfile.ZipFile(io.BytesIO(data)).infolist()


def check_sizes(infos: list[zipfile.ZipInfo], limits: Limits) -> None:
    """Refuse (:class:`ZipTrouble`) a directory that claims too many parts, too much data
    in all, or a large part compressed beyond ``limits.max_ratio``."""
    if len(infos) > limits.max_zip_entries:
        raise ZipTrouble(
            P.ZIP_TOO_MANY_PARTS,
            "a zip archive with too many parts",
            count=len(infos),
            limit=limits.max_zip_entries,
        )
    total = sum(info.file_size for info in infos)
    if total > limits.max_uncompressed_bytes:
        raise ZipTrouble(
            P.ZIP_BOMB,
            "a zip bomb",
            size_mb=total / 1048576,
            limit_mb=limits.max_uncompressed_bytes / 1048576,
        )
    for info in infos:
        if info.file_size >= limits.ratio_floor_bytes and (
            info.file_size > limits.max_ratio * max(info.compress_size, 1)
        ):
            raise ZipTrouble(
                P.PART_TOO_COMPRESSED,
                "a zip bomb",
                part=info.filename,
                ratio=info.file_size / max(info.compress_size, 1),
                limit=limits.max_ratio,
            )


def inflation_bound(infos: list[zipfile.ZipInfo]) -> int | None:
    """The most the parts of a zip can unpack to, whatever sizes its directory claims: a
    stored part is its data, a deflated one at most :data:`DEFLATE_MAX_RATIO` times its
    compressed data (plus one byte's worth). Readers (zipfile, the parsers, ours) take a
    part's compressed data from the directory's ``compress_size``, so the bound holds for
    parts that share data too. None when a part uses another method (no bound known)."""
    total = 0
    for info in infos:
        if info.compress_type == zipfile.ZIP_STORED:
            total += info.compress_size
        elif info.compress_type == zipfile.ZIP_DEFLATED:
            total += (info.compress_size + 1) * DEFLATE_MAX_RATIO
        else:
            return None
    return total


# --- inflating the parts --------------------------------------------------------------------------
def inflate_parts(
    data: bytes,
    infos: list[zipfile.ZipInfo],
    limits: Limits,
    keep: Callable[[str], bool] | None,
    inflated: dict[str, bytes],
    *,
    skip_unkept: bool = False,
) -> tuple[dict[str, bytes], dict[str, int], tuple[str, ...]]:
    """Inflate and check every part; returns the kept parts (``keep(name)``) in the
    directory's order, their CRC-32s, and the parts left uninflated (``skip_unkept``: the
    caller showed they are bounded and no parser reads them). ``inflated`` holds parts
    already inflated and checked."""
    parts: dict[str, bytes] = {}
    crcs: dict[str, int] = {}
    unchecked = []
    for info in infos:
        if info.is_dir():
            continue
        wanted = keep is not None and keep(info.filename)
        content = inflated.get(info.filename)
        if content is None:
            if skip_unkept and not wanted:
                unchecked.append(info.filename)  # never read by anyone, and bounded
                continue
            content = inflate(data, info, limits, keep=wanted)
        if wanted:
            parts[info.filename] = content
            crcs[info.filename] = info.CRC
    return parts, crcs, tuple(unchecked)


def inflate(data: bytes, info: zipfile.ZipInfo, limits: Limits, keep: bool = True) -> bytes:
    """One part, inflated in bounded chunks: its size and CRC must match the directory and
    an XML part must not declare a DTD. Returns the content (b"" unless ``keep``)."""
    name = info.filename
    offset = info.header_offset
    if offset < 0 or offset + _LOCAL.size > len(data):
        raise ZipTrouble(P.PART_MISSING, part=name)
    signature, _, flags, method, _, _, _, _, _, name_size, extra_size = _LOCAL.unpack_from(
        data, offset
    )
    if signature != b"PK\x03\x04":
        raise ZipTrouble(P.PART_MISSING, part=name)
    start = offset + _LOCAL.size + name_size + extra_size
    raw_name = data[offset + _LOCAL.size : offset + _LOCAL.size + name_size]
    encoding = "ascii" if raw_name.isascii() else "utf-8" if flags & 0x800 else "cp437"
    if raw_name.decode(encoding, "replace") != name:
        raise ZipTrouble(P.PART_DAMAGED, part=name, detail="its headers disagree")
    if (flags | info.flag_bits) & 0x1:
        raise ZipTrouble(P.PART_ENCRYPTED, part=name)
    if start + info.compress_size > len(data):
        raise ZipTrouble(P.PART_CUT_SHORT, part=name)
    if method not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise ZipTrouble(P.PART_COMPRESSION_UNKNOWN, part=name, method=method)
    view = memoryview(data)[start : start + info.compress_size]
    xml = name.lower().endswith(_XML_SUFFIXES)
    try:
        if method == zipfile.ZIP_DEFLATED and info.file_size < _CHUNK:  # the usual case
            inflater = zlib.decompressobj(-15)
            content = inflater.decompress(view, info.file_size + 1)  # one byte more: a liar
        else:
            return _inflate_chunked(view, info, method, xml, keep)
    except zlib.error as exc:
        raise ZipTrouble(P.PART_DAMAGED, part=name, detail=exc) from None
    if len(content) > info.file_size:
        raise ZipTrouble(P.PART_UNPACKS_TO_MORE, part=name, size=info.file_size)
    if len(content) != info.file_size or zlib.crc32(content) != info.CRC:
        raise ZipTrouble(P.PART_DAMAGED, part=name, detail=_WRONG_SIZE)
    if xml and b"!" in content and _declares(content):
        raise _hostile(name)
    return content if keep else b""


def _hostile(name: str) -> ZipTrouble:
    return ZipTrouble(P.HOSTILE_XML, part=name)


def _inflate_chunked(view, info: zipfile.ZipInfo, method: int, xml: bool, keep: bool) -> bytes:
    """A large or stored part, in chunks, never holding more than the directory says."""
    check = _Checked(info.filename, info.file_size, xml, keep)
    if method == zipfile.ZIP_STORED:
        for pos in range(0, len(view), _CHUNK):
            check.take(bytes(view[pos : pos + _CHUNK]))
    else:
        inflater = zlib.decompressobj(-15)
        for pos in range(0, len(view), _FEED):
            pending = view[pos : pos + _FEED]
            while pending and not inflater.eof:
                check.take(inflater.decompress(pending, _CHUNK))
                pending = inflater.unconsumed_tail
            if inflater.eof:
                break
        check.take(inflater.flush())
    if check.size != info.file_size or check.crc != info.CRC:
        raise ZipTrouble(P.PART_DAMAGED, part=info.filename, detail=_WRONG_SIZE)
    return check.content()


class _Checked:
    """Inflated output of one part as it arrives: size, CRC, DTD check, kept content."""

    __slots__ = ("name", "limit", "xml", "keep", "size", "crc", "tail", "chunks")

    def __init__(self, name: str, limit: int, xml: bool, keep: bool):
        self.name, self.limit, self.xml, self.keep = name, limit, xml, keep
        self.size = self.crc = 0
        self.tail = b""
        self.chunks: list[bytes] = []

    def take(self, out: bytes) -> None:
        if not out:
            return
        self.size += len(out)
        if self.size > self.limit:
            raise ZipTrouble(P.PART_UNPACKS_TO_MORE, part=self.name, size=self.limit)
        self.crc = zlib.crc32(out, self.crc)
        if self.xml:
            edge = self.tail + out[:16]
            # '!' is rare in spreadsheet XML and every token holds it (in UTF-8 and UTF-16)
            if (b"!" in out or b"!" in edge) and any(
                token in out or token in edge for token in _HOSTILE
            ):
                raise _hostile(self.name)
            self.tail = out[-16:]
        if self.keep:
            self.chunks.append(out)

    def content(self) -> bytes:
        return self.chunks[0] if len(self.chunks) == 1 else b"".join(self.chunks)


# --- repacking ------------------------------------------------------------------------------------
def stored_zip(
    parts: dict[str, bytes],
    crcs: dict[str, int],
    rewrite: Callable[[str, bytes], bytes | None] | None = None,
) -> bytes | None:
    """``parts`` (checked, with their checked CRC-32s) as a new zip of stored entries, in
    their order; ``rewrite(name, content)`` may give a part's content rearranged for the
    parser (None: as it is). None when they do not fit a plain (not zip64) zip."""
    if len(parts) >= 0xFFFF:
        return None
    pieces: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    for name, content in parts.items():
        crc = crcs[name]
        if rewrite is not None:
            changed = rewrite(name, content)
            if changed is not None:
                content, crc = changed, zlib.crc32(changed)
        raw = name.encode("utf-8")
        flags = 0 if raw.isascii() else 0x800  # UTF-8 names
        size = len(content)
        # version 2.0, flags, stored, 1980-01-01 00:00, CRC, sizes, name length
        fields = (20, flags, 0, 0, 0x21, crc, size, size, len(raw))
        header = _LOCAL.pack(b"PK\x03\x04", *fields, 0)
        central.append(_CENTRAL.pack(b"PK\x01\x02", 20, *fields, 0, 0, 0, 0, 0, offset))
        central.append(raw)
        pieces += (header, raw, content)
        offset += len(header) + len(raw) + size
    directory = b"".join(central)
    if offset + len(directory) > 0xFFFFFFFF:
        return None
    count = len(parts)
    pieces.append(directory)
    pieces.append(_END.pack(b"PK\x05\x06", 0, 0, count, count, len(directory), offset, 0))
    return b"".join(pieces)
