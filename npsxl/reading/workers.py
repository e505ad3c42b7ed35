"""Reading many files in worker processes, where no single file can stop the batch.

A file that makes its worker die (a crash in a native parser, the process killed for its
memory) or keeps it busy for longer than the timeout is rejected with a problem that says
so, and every other file is still read: :func:`read_in_workers`, on the process pool of
:mod:`npsxl.core.pool` (which says how a crash or a hang is pinned on one file).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from npsxl.core import catalogue as P
from npsxl.core.catalogue import ProblemType
from npsxl.core.errors import is_native_panic
from npsxl.core.pool import CRASHED, Failure, run_tasks
from npsxl.core.problems import Location
from npsxl.reading.returns import Return

DEFAULT_TIMEOUT = 60.0  # seconds for one file; a normal return takes a few milliseconds


def rejected(path: str, kind: ProblemType, **fields: Any) -> Return:
    """A Return rejected with a problem of catalogued ``kind``: what a batch gives for a file
    it could not read. ``fields`` fill the template (or set the problem's ``severity`` or
    ``hint``, as for any :class:`ProblemType`)."""
    return Return(path=path, problems=[kind(Location(file=path), **fields)])


def read_safely(reader: Callable[[str], Return], path: str) -> Return:
    """``reader(path)``; a reader that raises gives a rejected Return, so no file stops a batch."""
    error: BaseException
    try:
        return reader(path)
    except Exception as exc:  # noqa: BLE001 - one bad file must not stop a collation
        error = exc
    except BaseException as exc:
        if not is_native_panic(exc):
            raise
        error = exc
    return rejected(path, P.READ_FAILED, error=f"{type(error).__name__}: {str(error)[:200]}")


def _crashed(path: str) -> Return:
    return rejected(path, P.READER_CRASHED)


def _timed_out(path: str, timeout: float) -> Return:
    return rejected(path, P.READ_TIMEOUT, timeout=timeout)


# --- in each worker -------------------------------------------------------------------------------
# Installed once when a worker starts (inherited with fork, pickled once with spawn), so a
# task carries nothing but its path.
_reader: Callable[[str], Return] | None = None
_councils: tuple = ()
_council_index: dict[int, int] = {}


def _start_reader(reader, councils: tuple) -> None:
    global _reader, _councils, _council_index
    _reader, _councils = reader, councils
    _council_index = {id(council): i for i, council in enumerate(councils)}


def _read(path: str) -> tuple[Return, int | None]:
    """Read one file. A return's council, when it is one of the register's, is sent back as
    its index in the register, and the parent puts back its own (equal) object, rather than
    unpickling a copy of it for every return."""
    if _reader is None:
        raise RuntimeError("the worker process was not given a reader")
    ret = read_safely(_reader, path)
    council = _council_index.get(id(ret.council)) if ret.council is not None else None
    if council is not None and _councils[council] is ret.council:
        ret.council = None
    return ret, council


# --- in the parent --------------------------------------------------------------------------------
def read_in_workers(
    paths: Sequence[str],
    reader: Callable[[str], Return],
    workers: int,
    *,
    progress: Callable[[Return], None] | None = None,
    councils: tuple = (),
    meanwhile: Callable[[], object] | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
) -> list[Return]:
    """Every path read by ``reader`` in ``workers`` processes, in input order.

    A file whose reading outlasts ``timeout`` seconds (None: no limit), or stops its worker
    process, is rejected (``read-timeout``, ``reader-crashed``); the batch goes on.
    ``progress(ret)`` is called for each file in input order, as soon as it and every file
    before it are done; ``meanwhile()`` once while the first pool reads. ``councils``: the
    register's, which the returns' councils most likely are.
    Raises :class:`~npsxl.core.pool.WorkersFailing` (an
    :class:`~npsxl.core.errors.NpsxlError`) only when worker processes fail with no file
    being read (the machine, not the input, is at fault)."""
    paths = list(paths)
    returns: list[Return] = []

    def arrived(index: int, result: tuple[Return, int | None] | Failure) -> None:
        if isinstance(result, Failure):
            path = paths[index]
            if result.reason == CRASHED:
                ret = _crashed(path)
            elif timeout is not None:
                ret = _timed_out(path, timeout)
            else:  # the pool stops a task for its time only when it is given a timeout
                raise RuntimeError(f"{path}: stopped for its time, with no timeout set")
        else:
            ret, council = result
            if council is not None:
                ret.council = councils[council]
        returns.append(ret)  # in input order
        if progress:
            progress(ret)

    run_tasks(
        _read,
        paths,
        workers,
        initializer=_start_reader,
        initargs=(reader, councils),
        timeout=timeout,
        on_result=arrived,
        meanwhile=meanwhile,
    )
    return returns
