"""Many files at once: find the inputs, read each one (a bad file never stops the batch), and
collate them."""

from __future__ import annotations

import functools
import importlib
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from .archive import ModelArchive
from .errors import NpsxlError
from .model import Model
from .problems import Location, Problem
from .register import Register, check_group_by
from .returns import Return

if TYPE_CHECKING:
    from .collation import Collation


def _skipped(name: str) -> bool:
    return name.startswith((".", "~$"))


def find_inputs(inputs: Iterable[str | os.PathLike] | str | os.PathLike) -> list[Path]:
    """Every file named, and every file under each folder named (recursively), once, sorted.

    In folders, hidden files and folders (names starting with '.') and Office lock files
    ('~$...') are skipped; a file named explicitly is always included. Paths naming the
    same file are kept once. A missing input raises :class:`~npsxl.errors.NpsxlError`.
    """
    if isinstance(inputs, (str, os.PathLike)):
        inputs = [inputs]
    found: dict[str, Path] = {}
    for raw in inputs:
        path = Path(raw)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = [d for d in dirs if not _skipped(d)]
                real_root = os.path.realpath(root)  # once per folder, not once per file
                for name in sorted(files):  # of two names for one file, the first is kept
                    if not _skipped(name):
                        real = os.path.join(real_root, name)
                        if os.path.islink(real):
                            real = os.path.realpath(real)
                        found.setdefault(real, Path(root) / name)
        elif path.is_file():
            found.setdefault(os.path.realpath(path), path)
        else:
            raise NpsxlError(f"{path}: no such file or folder (check the path of the returns)")
    return sorted(found.values(), key=lambda p: str(p))


def _read_safely(reader: Callable[[str], Return], path: str) -> Return:
    """``reader(path)``; a reader that raises gives a rejected Return, so no file stops a batch."""
    try:
        return reader(path)
    except Exception as exc:  # noqa: BLE001 - one bad file must not stop a collation
        message = f"the file could not be read ({type(exc).__name__}: {str(exc)[:200]})"
        problem = Problem(
            "read-failed",
            message,
            Location(file=path),
            hint="open it, save it again as .xlsx and resend it",
        )
        return Return(path=path, problems=[problem])


# The reader of this worker process, installed once when the process starts (inherited
# with fork, pickled once per worker with spawn), so a task carries nothing but its paths.
_worker_reader: Callable[[str], Return] | None = None
_worker_councils: tuple = ()
_worker_council_index: dict[int, int] = {}


def _install_reader(reader: Callable[[str], Return], councils: tuple = ()) -> None:
    global _worker_reader, _worker_councils, _worker_council_index
    _worker_reader = reader
    _worker_councils = councils
    _worker_council_index = {id(council): i for i, council in enumerate(councils)}


def _read_in_worker(path: str) -> tuple[Return, int | None]:
    """The Return, and the index in the register of its council when it is the register's
    own: then the council is left out, and the parent puts back its own (equal) object,
    rather than unpickling a copy of it for every return."""
    assert _worker_reader is not None, "the worker's reader was not installed"
    ret = _read_safely(_worker_reader, path)
    index = _worker_council_index.get(id(ret.council)) if ret.council is not None else None
    if index is not None and _worker_councils[index] is ret.council:
        ret.council = None
        return ret, index
    return ret, None


def _chunk_size(files: int, workers: int) -> int:
    """Paths per task: enough to make a task's overhead negligible (a few milliseconds of
    reading each), few enough that the workers finish together."""
    return max(1, min(16, files // (workers * 8)))


def _read_all(
    paths: list[str], reader, jobs: int, progress, councils: tuple = (), meanwhile=None
) -> list[Return]:
    """Read every path, in input order; ``progress(ret)`` after each one. ``councils``: the
    register's, which the reader's councils are most likely to be. ``meanwhile()`` is called
    once, while the workers read (or first, without workers)."""
    results: list[Return] = []
    if jobs > 1 and len(paths) > 1:
        workers = min(jobs, len(paths))
        with ProcessPoolExecutor(
            max_workers=workers, initializer=_install_reader, initargs=(reader, councils)
        ) as pool:
            done = pool.map(_read_in_worker, paths, chunksize=_chunk_size(len(paths), workers))
            if meanwhile is not None:
                meanwhile()
            for result, index in done:
                if index is not None:
                    result.council = councils[index]
                results.append(result)
                if progress:
                    progress(result)
        return results
    if meanwhile is not None:
        meanwhile()
    for path in paths:
        result = _read_safely(reader, path)
        results.append(result)
        if progress:
            progress(result)
    return results


def read_returns(
    paths: Sequence[str | os.PathLike],
    models: Model | Sequence[Model],
    register: Register | None = None,
    *,
    jobs: int = 1,
    progress: Callable[[Return], None] | None = None,
    reader: Callable[[str], Return] | None = None,
    meanwhile: Callable[[], object] | None = None,
) -> list[Return]:
    """Read every file, in input order, with ``read_return`` (or ``reader``); with
    ``jobs > 1`` in that many worker processes, each given the reader once. A reader that
    raises gives a rejected Return, so no file stops the batch. ``meanwhile()`` is called
    once in this process while the workers read: work that does not depend on the returns
    (such as importing what will process them) then costs no extra time."""
    if reader is None:
        from .reader import read_return

        reader = functools.partial(read_return, models=models, register=register)
    councils = tuple(getattr(register, "councils", ())) if register is not None else ()
    return _read_all([str(p) for p in paths], reader, jobs, progress, councils, meanwhile)


def collate(
    paths: Iterable[str | os.PathLike],
    register: Register | None = None,
    *,
    model: Model,
    archive: ModelArchive | None = None,
    reader: Callable[[str], Return] | None = None,
    group_by: Sequence[str] = (),
    jobs: int = 1,
    progress: Callable[[Return], None] | None = None,
) -> Collation:
    """Read every file in ``paths`` (folders are searched recursively) and collate the returns.

    ``model`` is the current model; ``archive`` holds the older versions (see
    :func:`collate_returns`). ``reader(path) -> Return`` defaults to
    :func:`npsxl.reader.read_return` for ``model`` and every archived version, and
    ``register``; with ``jobs > 1`` files are read in that many worker processes, so the
    reader must be picklable (a module-level function, or a ``functools.partial`` of one).
    A reader that raises gives a rejected return; it never stops the batch. ``progress`` is
    called with each Return. ``group_by`` names extra register columns to summarise by.
    Returns a :class:`~npsxl.collation.Collation` (see
    :func:`~npsxl.collation.collate_returns`).
    """
    check_group_by(group_by, register)
    models: Model | list[Model] = model
    if archive is not None:
        others = [m for m in archive if (m.id, m.version) != (model.id, model.version)]
        models = [model, *others]
    files = [f for raw in paths for f in (find_inputs(raw) if Path(raw).is_dir() else [raw])]
    # pandas and the collation code load while the workers read
    returns = read_returns(
        files,
        models,
        register,
        jobs=jobs,
        progress=progress,
        reader=reader,
        meanwhile=functools.partial(importlib.import_module, "npsxl.collation"),
    )
    from .collation import collate_returns

    return collate_returns(returns, model, register, group_by, archive=archive)
