"""Many files at once: find the inputs, read each one, never let a bad file stop the batch."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from .errors import NpsxlError
from .model import Model
from .problems import Location, Problem
from .register import Register
from .returns import Return


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
    found: dict[Path, Path] = {}
    for raw in inputs:
        path = Path(raw)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = [d for d in dirs if not _skipped(d)]
                for name in files:
                    if not _skipped(name):
                        file = Path(root) / name
                        found.setdefault(file.resolve(), file)
        elif path.is_file():
            found.setdefault(path.resolve(), path)
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


def _read_all(paths: list[str], reader, jobs: int, progress) -> list[Return]:
    """Read every path, in input order; ``progress(ret)`` after each one."""
    read_one = functools.partial(_read_safely, reader)
    results: list[Return] = []
    if jobs > 1 and len(paths) > 1:
        workers = min(jobs, len(paths))
        chunk = max(1, min(64, len(paths) // (workers * 4)))
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for result in pool.map(read_one, paths, chunksize=chunk):
                results.append(result)
                if progress:
                    progress(result)
        return results
    for path in paths:
        result = read_one(path)
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
) -> list[Return]:
    """Read every file, in input order, with ``read_return`` (or ``reader``); with
    ``jobs > 1`` in that many worker processes. A reader that raises gives a rejected
    Return, so no file stops the batch."""
    if reader is None:
        from .reader import read_return

        reader = functools.partial(read_return, models=models, register=register)
    return _read_all([str(p) for p in paths], reader, jobs, progress)
