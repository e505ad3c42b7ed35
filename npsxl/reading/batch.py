"""Many files at once: find the inputs and read each one; a bad file never stops the batch."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from npsxl.core.errors import NpsxlError
from npsxl.model.model import Model
from npsxl.model.register import Register
from npsxl.reading.returns import Return
from npsxl.reading.workers import DEFAULT_TIMEOUT, read_in_workers, read_safely


def _skipped(name: str) -> bool:
    return name.startswith((".", "~$"))


def find_inputs(inputs: Iterable[str | os.PathLike] | str | os.PathLike) -> list[Path]:
    """Every file named, and every file under each folder named (recursively), once, sorted.

    In folders, hidden files and folders (names starting with '.') and Office lock files
    ('~$...') are skipped; a file named explicitly is always included. Paths naming the
    same file are kept once. A missing input raises :class:`~npsxl.core.errors.NpsxlError`.
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


def _read_here(paths: list[str], reader, progress, meanwhile) -> list[Return]:
    """Read every path in this process, in input order."""
    if meanwhile is not None:
        meanwhile()
    results = []
    for path in paths:
        result = read_safely(reader, path)
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
    timeout: float | None = DEFAULT_TIMEOUT,
    require_complete: bool = False,
) -> list[Return]:
    """Read every file, in input order, with ``read_return`` (or ``reader``). A reader that
    raises gives a rejected Return, so no file stops the batch. ``require_complete`` is
    passed to ``read_return`` (an incomplete return rejected rather than accepted with
    warnings); a ``reader`` given decides that for itself.

    With ``jobs > 1`` files are read in that many worker processes, each given the reader
    once, and a file that stops its worker (a crash) or keeps it longer than ``timeout``
    seconds is rejected too (see :func:`npsxl.reading.workers.read_in_workers`); in this process
    (``jobs=1``) there is no timeout. ``meanwhile()`` is called once in this process while
    the workers read: work that does not depend on the returns (such as importing what will
    process them) then costs no extra time."""
    if reader is None:
        from npsxl.reading.reader import read_return

        reader = functools.partial(
            read_return, models=models, register=register, require_complete=require_complete
        )
    councils = tuple(getattr(register, "councils", ())) if register is not None else ()
    names = [str(p) for p in paths]
    if jobs > 1 and len(names) > 1:
        return read_in_workers(
            names,
            reader,
            jobs,
            progress=progress,
            councils=councils,
            meanwhile=meanwhile,
            timeout=timeout,
        )
    return _read_here(names, reader, progress, meanwhile)
