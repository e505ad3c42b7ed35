"""Reading many files in worker processes, where no single file can stop the batch.

A file that makes its worker die (a crash in a native parser, the process killed for its
memory) or keeps it busy for longer than the timeout is rejected with a problem that says
so, and every other file is still read: :func:`read_in_workers`.

Each worker notes in shared memory which file it is reading and since when. The parent
waits for results and, in between, kills a worker that has spent longer than the timeout
on one file. A dead worker breaks the whole pool (``concurrent.futures`` cannot replace
one worker), so the files that were being read at that moment are read again one by one,
each in a pool of its own, to find the one to blame; the files not yet read go to a new
pool. Crashes are rare, so that costs nothing in the usual case.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from npsxl.core import catalogue as P
from npsxl.core.catalogue import ProblemType
from npsxl.core.errors import NpsxlError, is_native_panic
from npsxl.core.problems import Location
from npsxl.reading.returns import Return

DEFAULT_TIMEOUT = 60.0  # seconds for one file; a normal return takes a few milliseconds
_POLL = 0.25  # seconds between looks at the workers while no result arrives
_IDLE = -1.0
_KILL = getattr(signal, "SIGKILL", signal.SIGTERM)  # Windows has no SIGKILL


def rejected(path: str, kind: ProblemType, **fields: object) -> Return:
    """A Return rejected with a problem of catalogued ``kind``: what a batch gives for a file
    it could not read."""
    return Return(path=path, problems=[kind(Location(file=path), **fields)])


def read_safely(reader: Callable[[str], Return], path: str) -> Return:
    """``reader(path)``; a reader that raises gives a rejected Return, so no file stops a batch."""
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
# task carries nothing but indexes and paths.
_reader: Callable[[str], Return] | None = None
_councils: tuple = ()
_council_index: dict[int, int] = {}
_slots = None  # shared: per worker, the index of the file being read, since when, its pid
_slot = 0


def _start_worker(reader, councils: tuple, slots, taken) -> None:
    global _reader, _councils, _council_index, _slots, _slot
    _reader, _councils, _slots = reader, councils, slots
    _council_index = {id(council): i for i, council in enumerate(councils)}
    with taken.get_lock():
        _slot, taken.value = taken.value, taken.value + 1
    slots[3 * _slot + 2] = os.getpid()


def _read_chunk(items: list[tuple[int, str]]) -> list[tuple[int, Return, int | None]]:
    """Read each (index, path); a return's council, when it is one of the register's, is
    sent back as its index in the register, and the parent puts back its own (equal)
    object, rather than unpickling a copy of it for every return."""
    assert _reader is not None and _slots is not None, "the worker was not started"
    done = []
    for index, path in items:
        _slots[3 * _slot + 1] = time.monotonic()
        _slots[3 * _slot] = index
        ret = read_safely(_reader, path)
        council = _council_index.get(id(ret.council)) if ret.council is not None else None
        if council is not None and _councils[council] is ret.council:
            ret.council = None
        done.append((index, ret, council))
    _slots[3 * _slot] = _IDLE
    return done


# --- in the parent --------------------------------------------------------------------------------
def chunk_size(files: int, workers: int) -> int:
    """Paths per task: enough to make a task's overhead negligible (a few milliseconds of
    reading each), few enough that the workers finish together."""
    return max(1, min(16, files // (workers * 8)))


class _Round:
    """One pool of workers reading some of the files until they are read, or the pool breaks."""

    def __init__(self, batch: _Batch, todo: list[int], workers: int):
        self.batch = batch
        self.todo = todo
        self.workers = workers
        context = multiprocessing.get_context()
        self.slots = context.Array("d", [_IDLE, 0.0, 0.0] * workers, lock=False)
        self.taken = context.Value("i", 0)
        self.pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=context,
            initializer=_start_worker,
            initargs=(batch.reader, batch.councils, self.slots, self.taken),
        )
        self.timed_out: set[int] = set()

    def in_flight(self) -> set[int]:
        return {int(self.slots[3 * s]) for s in range(self.workers) if self.slots[3 * s] >= 0}

    def run(self, meanwhile: Callable[[], object] | None) -> set[int]:
        """Read the files; returns those being read when a worker died (none if it did not)."""
        size = chunk_size(len(self.todo), self.workers)
        paths = self.batch.paths
        try:
            pending = {
                self.pool.submit(_read_chunk, [(i, paths[i]) for i in self.todo[k : k + size]])
                for k in range(0, len(self.todo), size)
            }
            if meanwhile is not None:
                meanwhile()
            while pending:
                done, pending = wait(pending, timeout=_POLL, return_when=FIRST_COMPLETED)
                if not self.collect(done):
                    self.collect(f for f in pending if f.done())  # read before the break
                    return self.in_flight() - self.timed_out
                self.watch()
            return set()
        finally:
            self.pool.shutdown(wait=True, cancel_futures=True)

    def collect(self, futures) -> bool:
        """Keep the results of finished tasks; False when the pool broke."""
        intact = True
        for future in futures:
            try:
                results = future.result()
            except BrokenProcessPool:
                intact = False
                continue
            for index, ret, council in results:
                self.batch.keep(index, ret, council)
        return intact

    def watch(self) -> None:
        """Stop any worker that has spent longer than the timeout on one file."""
        timeout = self.batch.timeout
        if timeout is None:
            return
        now = time.monotonic()
        for s in range(self.workers):
            index = int(self.slots[3 * s])
            if index >= 0 and index not in self.timed_out and now - self.slots[3 * s + 1] > timeout:
                self.timed_out.add(index)
                self.batch.keep(index, _timed_out(self.batch.paths[index], timeout), None)
                with contextlib.suppress(ProcessLookupError):  # it ended meanwhile
                    os.kill(int(self.slots[3 * s + 2]), _KILL)


class _Batch:
    """Every file's Return, by input index, as the rounds deliver them; progress is
    reported in input order, as far as the files are done."""

    def __init__(self, paths, reader, councils, progress, timeout):
        self.paths = paths
        self.reader = reader
        self.councils = councils
        self.progress = progress
        self.timeout = timeout
        self.results: list[Return | None] = [None] * len(paths)
        self.reported = 0

    def keep(self, index: int, ret: Return, council: int | None) -> None:
        if self.results[index] is not None:
            return  # already given up on (timed out): a late result does not replace that
        if council is not None:
            ret.council = self.councils[council]
        self.results[index] = ret
        while self.reported < len(self.results) and self.results[self.reported] is not None:
            if self.progress:
                self.progress(self.results[self.reported])
            self.reported += 1

    def unread(self) -> list[int]:
        return [i for i, ret in enumerate(self.results) if ret is None]


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
    Raises :class:`~npsxl.core.errors.NpsxlError` only when worker processes fail with no file
    being read (the machine, not the input, is at fault)."""
    batch = _Batch(list(paths), reader, councils, progress, timeout)
    todo = batch.unread()
    while todo:
        suspects = _Round(batch, todo, min(workers, len(todo))).run(meanwhile)
        meanwhile = None
        for index in sorted(suspects):  # alone, each in a pool of its own, to find the culprit
            if batch.results[index] is None and _Round(batch, [index], 1).run(None) == {index}:
                batch.keep(index, _crashed(batch.paths[index]), None)
        left = batch.unread()
        if left == todo:
            raise NpsxlError(
                "the worker processes reading the returns keep failing with no file to blame "
                "(is the machine out of memory?); try again, or with --jobs 1"
            )
        todo = left
    return [ret for ret in batch.results if ret is not None]
