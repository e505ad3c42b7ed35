"""Generate workbooks in batches: one per council, or one blank, plus a manifest CSV."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from npsxl.core.atomic import write_text_atomic
from npsxl.core.errors import NpsxlError, OutputError
from npsxl.core.pool import Failure, run_tasks
from npsxl.model.model import Model
from npsxl.model.register import Council, Register
from npsxl.model.round_settings import RoundSettings
from npsxl.model.rounds import assessment_round
from npsxl.workbook.council_workbooks import CouncilWorkbooks
from npsxl.workbook.previous import Previous
from npsxl.workbook.writer import BuiltWorkbook, build_workbook

MANIFEST_NAME = "manifest.csv"
MANIFEST_COLUMNS = (
    "file",
    "council_code",
    "council_name",
    "region",
    "model_id",
    "model_version",
    "fingerprint",
    "generated_at",
    "round",
    "prefilled_from",
)
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_RESERVED = {
    "CON",
    "PRN",
    "AUX",
    "NUL",
    *(f"COM{i}" for i in range(10)),
    *(f"LPT{i}" for i in range(10)),
}


def safe_filename(text: str, max_length: int = 80) -> str:
    """A file or folder name that is safe on Windows, macOS and Linux: ASCII letters, digits,
    '-', '_' and '.', no reserved device name (CON, NUL, COM1...), no leading or trailing dot."""
    text = re.sub(r"['\u2019`]", "", text).replace("&", " and ")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    name = _UNSAFE.sub("-", ascii_text).strip("-.")[:max_length].strip("-.")
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


def generate(
    model: Model,
    out_dir: str | Path,
    councils: list[Council] | None = None,
    *,
    register: Register | None = None,
    jobs: int = 1,
    force: bool = False,
    progress=None,
    previous: dict[str, Previous] | None = None,
    round: str = "",  # the assessment round (the CLI's --round)
    settings: RoundSettings | None = None,
) -> GenerationResult:
    """Write one workbook per council in ``councils`` (or one blank workbook when None).

    The blank workbook offers the councils of ``register`` in a dropdown. Refuses to
    overwrite existing files unless ``force``, and checks every target (and that the folders
    can be written) before writing anything; problems raise :class:`OutputError`. A batch of
    councils also writes ``manifest.csv`` in ``out_dir``, keeping the rows of other workbooks
    already listed there. ``jobs`` > 1 builds in that many processes. ``progress`` is called
    with each :class:`BuiltWorkbook` as it is written.

    ``previous`` (council code -> :class:`~npsxl.workbook.previous.Previous`, e.g. from
    :func:`npsxl.collation.prefill.load_previous`) pre-fills those councils' workbooks from their
    last return; the others get the usual workbook. ``round`` is the assessment round written
    into every workbook (default: this year, or the round of ``settings``); ``settings``
    are the round's deadline, return address, help contact and privacy notice.
    """
    out_dir = Path(out_dir)
    if councils is not None and not councils:
        raise NpsxlError("no councils were selected, so there is nothing to generate")
    round = assessment_round(round or (settings.round if settings else ""))
    previous = previous or {}
    generated_at = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
    targets: list[Council | None] = [None] if councils is None else list(dict.fromkeys(councils))
    paths = [workbook_path(out_dir, model, c) for c in targets]
    clash = _first_duplicate(paths)
    if clash is not None:
        raise OutputError(f"two councils would be written to the same file {clash}")
    if not force:
        existing = [p for p in paths if p.exists()]
        if existing:
            more = f" (and {len(existing) - 1} more)" if len(existing) > 1 else ""
            raise OutputError(f"{existing[0]}{more} already exists; use --force to overwrite")
    for folder in dict.fromkeys(p.parent for p in paths):
        _check_writable(folder)

    result = GenerationResult()
    if councils is None:
        dropdown = tuple(register) if register is not None else ()
        built = build_workbook(
            model,
            paths[0],
            None,
            councils=dropdown,
            generated_at=generated_at,
            round=round,
            settings=settings,
        )
        result.workbooks.append(built)
        if progress:
            progress(built)
        return result

    chosen = [c for c in targets if c is not None]  # every target: councils were given
    earlier = [previous.get(c.code) for c in chosen]
    if jobs > 1 and len(chosen) > 1:
        result.workbooks = _build_parallel(
            model, chosen, paths, earlier, generated_at, round, jobs, progress, settings
        )
    else:
        factory = CouncilWorkbooks(model, generated_at, round, settings)
        for council, path, before in zip(chosen, paths, earlier, strict=True):
            built = _build_one(factory, council, path, before)
            result.workbooks.append(built)
            if progress:
                progress(built)
    result.manifest = write_manifest(out_dir / MANIFEST_NAME, result.workbooks, out_dir)
    return result


def _first_duplicate(paths: list[Path]) -> Path | None:
    seen: set[str] = set()
    for path in paths:
        key = str(path).casefold()  # Windows and macOS file names ignore case
        if key in seen:
            return path
        seen.add(key)
    return None


def _check_writable(folder: Path) -> None:
    """Create ``folder`` and check a file can be written in it, or raise OutputError."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, probe = tempfile.mkstemp(prefix=".npsxl-", suffix=".tmp", dir=folder)
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        raise OutputError(f"cannot write to the folder {folder}: {reason}") from None
    os.close(handle)
    with contextlib.suppress(OSError):
        os.unlink(probe)


def _build_one(factory: CouncilWorkbooks, council: Council, path, before) -> BuiltWorkbook:
    """A council's workbook: pre-filled from ``before`` (built in full), else from the factory."""
    if before is None:
        return factory.build(council, path)
    return build_workbook(
        factory.model,
        path,
        council,
        generated_at=factory.generated_at,
        previous=before,
        round=factory.round,
        settings=factory.settings,
    )


# --- building in several processes ----------------------------------------------------------------
_WORKER: dict[str, CouncilWorkbooks] = {}


def _start_worker(model: Model, generated_at: str, round_: str, settings) -> None:
    _WORKER["factory"] = CouncilWorkbooks(model, generated_at, round_, settings)


def _build_task(task: tuple[Council, str, Previous | None]) -> None:
    council, path, before = task
    _build_one(_WORKER["factory"], council, path, before)


def _build_parallel(
    model, targets, paths, earlier, generated_at, round_, jobs, progress, settings=None
) -> list[BuiltWorkbook]:
    """Build in ``jobs`` processes; an error in a worker stops the batch with that error."""
    built: list[BuiltWorkbook] = []

    def arrived(index: int, result: None | Failure) -> None:
        if isinstance(result, Failure):
            raise NpsxlError(
                f"building {paths[index]} stopped the worker process ({result.reason}); "
                "try again, or with --jobs 1"
            )
        before = earlier[index]
        one = BuiltWorkbook(
            paths[index],
            targets[index],
            model.id,
            model.version,
            model.fingerprint,
            generated_at,
            round_,
            before.source_file if before else "",
        )
        built.append(one)
        if progress:
            progress(one)

    tasks = [(c, str(p), b) for c, p, b in zip(targets, paths, earlier, strict=True)]
    run_tasks(
        _build_task,
        tasks,
        min(jobs, len(tasks)),
        initializer=_start_worker,
        initargs=(model, generated_at, round_, settings),
        on_result=arrived,
    )
    return built


# --- the manifest -------------------------------------------------------------------------------
def write_manifest(path: Path, workbooks: list[BuiltWorkbook], relative_to: Path) -> Path:
    """Write the manifest CSV: one row per workbook, paths relative to the output folder.

    Rows of an existing manifest are kept for workbooks that still exist and were not
    written this time, so the manifest lists every workbook in the folder.
    """
    rows = []
    for built in workbooks:
        c = built.council
        rows.append(
            [
                built.path.relative_to(relative_to).as_posix(),
                c.code if c else "",
                c.name if c else "",
                c.region if c else "",
                built.model_id,
                built.model_version,
                built.fingerprint,
                built.generated_at,
                built.round,
                built.prefilled_from,
            ]
        )
    written = {row[0] for row in rows}
    kept = [
        row
        for row in read_manifest(path)
        if row["file"] not in written and (relative_to / row["file"]).is_file()
    ]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(MANIFEST_COLUMNS)
    writer.writerows([row.get(column, "") for column in MANIFEST_COLUMNS] for row in kept)
    writer.writerows(rows)
    return write_text_atomic(path, buffer.getvalue())


def read_manifest(path: str | Path) -> list[dict[str, str]]:
    """The rows of a manifest CSV as dicts (empty if there is none or it is unreadable)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "file" not in reader.fieldnames:
        return []
    return [row for row in reader if row.get("file")]
