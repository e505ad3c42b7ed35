"""Many files at once: find the inputs, read each one, never let a bad file stop the batch."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from .errors import NpsxlError
from .model import Model
from .register import Register
from .returns import Return

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xlsb", ".xls", ".ods", ".csv", ".htm", ".html"}


def find_inputs(inputs: Iterable[str | os.PathLike]) -> list[Path]:
    """Every file named, and every file under each folder named (recursively), once, sorted.

    Hidden files and folders and Office lock files (``~$...``) are skipped in folders;
    a file named explicitly is always included. A missing input raises :class:`NpsxlError`.
    """
    found: dict[Path, None] = {}
    for raw in inputs:
        path = Path(raw)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if not name.startswith((".", "~$")):
                        found.setdefault(Path(root) / name, None)
        elif path.is_file():
            found.setdefault(path, None)
        else:
            raise NpsxlError(f"{path}: no such file or folder")
    return sorted(found)


def read_returns(
    paths: Sequence[str | os.PathLike],
    models: Model | Sequence[Model],
    register: Register | None = None,
    *,
    jobs: int = 1,
    progress: Callable[[Return], None] | None = None,
    reader: Callable[[str], Return] | None = None,
) -> list[Return]:
    """Read every file, in order. With ``jobs > 1`` files are read in worker processes."""
    if reader is None:
        from .reader import read_return

        reader = functools.partial(read_return, models=models, register=register)
    paths = [str(p) for p in paths]
    results: list[Return] = []
    if jobs > 1 and len(paths) > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            chunk = max(1, min(64, len(paths) // (jobs * 4)))
            for result in pool.map(reader, paths, chunksize=chunk):
                results.append(result)
                if progress:
                    progress(result)
    else:
        for path in paths:
            result = reader(path)
            results.append(result)
            if progress:
                progress(result)
    return results
