"""Collate files: read every return in worker processes and collate them, :func:`collate`.

pandas and the collation code load while the workers read (see ``meanwhile``), so this module
imports neither at start.
"""

from __future__ import annotations

import functools
import importlib
import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from npsxl.model.archive import ModelArchive
from npsxl.model.model import Model
from npsxl.model.register import Register, check_group_by
from npsxl.reading.batch import find_inputs, read_returns
from npsxl.reading.returns import Return
from npsxl.reading.workers import DEFAULT_TIMEOUT

if TYPE_CHECKING:
    from npsxl.collation.collation import Collation


def _load_collation(then: Callable[[], object] | None) -> None:
    importlib.import_module("npsxl.collation.collation")
    if then is not None:
        then()


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
    timeout: float | None = DEFAULT_TIMEOUT,
    meanwhile: Callable[[], object] | None = None,
    require_complete: bool = False,
) -> Collation:
    """Read every file in ``paths`` (folders are searched recursively) and collate the returns.

    ``model`` is the current model; ``archive`` holds the older versions (see
    :func:`collate_returns`). ``reader(path) -> Return`` defaults to
    :func:`npsxl.reading.reader.read_return` for ``model`` and every archived version, and
    ``register``; with ``jobs > 1`` files are read in that many worker processes, so the
    reader must be picklable (a module-level function, or a ``functools.partial`` of one).
    A reader that raises gives a rejected return; it never stops the batch, and with workers
    neither does a file that crashes the reader or outlasts ``timeout`` seconds (see
    :func:`read_returns`). ``progress`` is called with each Return. ``group_by`` names
    extra register columns to summarise by. ``meanwhile()`` is called once while the files
    are read, after the collation code has loaded (to load what will use the collation, for
    instance). ``require_complete`` rejects an incomplete return instead of counting it for
    the items it answers (see :func:`~npsxl.reading.reader.read_return`). Returns a
    :class:`~npsxl.collation.collation.Collation` (see
    :func:`~npsxl.collation.collation.collate_returns`).
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
        meanwhile=functools.partial(_load_collation, meanwhile),
        timeout=timeout,
        require_complete=require_complete,
    )
    from npsxl.collation.collation import collate_returns

    return collate_returns(returns, model, register, group_by, archive=archive)
