"""Generate workbooks in batches: one per council, or one blank, plus a manifest CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .atomic import write_text_atomic
from .errors import OutputError
from .model import Model
from .register import Council, Register
from .workbook import BuiltWorkbook, build_workbook

MANIFEST_NAME = "manifest.csv"
MANIFEST_COLUMNS = ("file", "council_code", "council_name", "region", "model_id",
                    "model_version", "fingerprint", "generated_at")  # fmt: skip
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
             *(f"LPT{i}" for i in range(1, 10))}  # fmt: skip


def safe_filename(text: str, max_length: int = 80) -> str:
    """A file or folder name that is safe on Windows, macOS and Linux: ASCII, no reserved names."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    name = _UNSAFE.sub("-", ascii_text.replace("&", "and")).strip("-.")[:max_length].strip("-.")
    if not name or name.upper().split(".")[0] in _RESERVED:
        name = f"_{name}"
    return name


def workbook_path(out_dir: Path, model: Model, council: Council | None) -> Path:
    """Where a council's workbook goes: ``<out>/<region>/<code>-<council>.xlsx``."""
    if council is None:
        return out_dir / f"{safe_filename(model.id)}-blank.xlsx"
    region = safe_filename(council.region or "no-region")
    return out_dir / region / f"{safe_filename(council.code)}-{safe_filename(council.name)}.xlsx"


@dataclass
class GenerationResult:
    """What a batch wrote: one entry per workbook, and the manifest (if any)."""

    workbooks: list[BuiltWorkbook] = field(default_factory=list)
    manifest: Path | None = None


def _build_one(args) -> BuiltWorkbook:
    model, path, council, councils, generated_at, force = args
    return build_workbook(model, path, council, councils=councils, generated_at=generated_at,
                          force=force)  # fmt: skip


def generate(
    model: Model,
    out_dir: str | Path,
    councils: list[Council] | None = None,
    *,
    register: Register | None = None,
    jobs: int = 1,
    force: bool = False,
    progress=None,
) -> GenerationResult:
    """Write one workbook per council in ``councils`` (or one blank workbook when None).

    Refuses to overwrite existing files unless ``force``; checks every target before
    writing anything. A batch of councils also writes ``manifest.csv`` in ``out_dir``.
    ``progress`` is called with each :class:`BuiltWorkbook` as it is written.
    """
    out_dir = Path(out_dir)
    generated_at = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
    targets = [None] if councils is None else list(councils)
    dropdown = tuple(register) if (register is not None and councils is None) else ()
    paths = [workbook_path(out_dir, model, c) for c in targets]
    if not force:
        existing = [p for p in paths if p.exists()]
        if existing:
            more = f" and {len(existing) - 1} more" if len(existing) > 1 else ""
            raise OutputError(f"{existing[0]}{more} already exist(s); use --force to overwrite")
    tasks = [(model, p, c, dropdown, generated_at, True) for p, c in zip(paths, targets)]
    result = GenerationResult()
    if jobs > 1 and len(tasks) > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            chunk = max(1, len(tasks) // (jobs * 4))
            for built in pool.map(_build_one, tasks, chunksize=chunk):
                result.workbooks.append(built)
                if progress:
                    progress(built)
    else:
        for task in tasks:
            built = _build_one(task)
            result.workbooks.append(built)
            if progress:
                progress(built)
    if councils is not None:
        result.manifest = write_manifest(out_dir / MANIFEST_NAME, result.workbooks, out_dir)
    return result


def write_manifest(path: Path, workbooks: list[BuiltWorkbook], relative_to: Path) -> Path:
    """Write the manifest CSV: one row per workbook, paths relative to the output folder."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(MANIFEST_COLUMNS)
    for built in workbooks:
        c = built.council
        writer.writerow([
            built.path.relative_to(relative_to).as_posix(), c.code if c else "",
            c.name if c else "", c.region if c else "", built.model_id, built.model_version,
            built.fingerprint, built.generated_at,
        ])  # fmt: skip
    return write_text_atomic(path, buffer.getvalue())
