"""Tasks run in worker processes, where no task can stop the others: :func:`run_tasks`.

Tasks go in, and one result per task comes out, in input order. A task that makes its
worker die (a crash in native code, the process killed for its memory) or keeps it busy
for longer than the timeout gets a :class:`Failure` as its result, and every other task
still runs. An exception the task's function raises stops the run with that exception.

Each worker notes in shared memory which task it is running and since when. The parent
waits for results and, in between, kills a worker that has spent longer than the timeout
on one task. A dead worker breaks the whole pool (``concurrent.futures`` cannot replace
one worker), so the tasks that were running at that moment are run again one by one,
each in a pool of its own, to find the one to blame; the tasks not yet run go to a new
pool. Crashes are rare, so that costs nothing in the usual case. Tasks go to the workers
in chunks (:func:`chunk_size`), so a task's overhead is a fraction of a millisecond, yet
the shared notes still name the one task of a chunk that crashed or hung.
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
from dataclasses import dataclass
from typing import Any

from npsxl.core.errors import NpsxlError

CRASHED = "crashed"
TIMED_OUT = "timed out"
_POLL = 0.25  # seconds between looks at the workers while no result arrives
_IDLE = -1.0
_KILL = getattr(signal, "SIGKILL", signal.SIGTERM)  # Windows has no SIGKILL


@dataclass(frozen=True)
class Failure:
    """What a task gave instead of a result: it stopped its worker process (``CRASHED``),
    or outlasted the timeout and was stopped (``TIMED_OUT``)."""

    reason: str


class WorkersFailing(NpsxlError):
    """The worker processes keep dying with no task running: the machine is at fault."""


# --- in each worker -------------------------------------------------------------------------------
# Installed once when a worker starts (inherited with fork, pickled once with spawn), so a
# chunk carries nothing but indexes and tasks.
_function: Callable[[Any], Any] | None = None
_slots = None  # shared: per worker, the index of the task it runs, since when, its pid
_slot = 0


def _start_worker(function, slots, taken, initializer, initargs) -> None:
    global _function, _slots, _slot
    _function, _slots = function, slots
    with taken.get_lock():
        _slot, taken.value = taken.value, taken.value + 1
    slots[3 * _slot + 2] = os.getpid()
    if initializer is not None:
        initializer(*initargs)


def _run_chunk(items: list[tuple[int, Any]]) -> list[tuple[int, Any]]:
    """Run the worker's function on each (index, task), noting which one runs and since when."""
    if _function is None or _slots is None:
        raise RuntimeError("the worker process was not started by run_tasks")
    done = []
    for index, task in items:
        _slots[3 * _slot + 1] = time.monotonic()
        _slots[3 * _slot] = index
        done.append((index, _function(task)))
    _slots[3 * _slot] = _IDLE
    return done


# --- in the parent --------------------------------------------------------------------------------
def chunk_size(tasks: int, workers: int) -> int:
    """Tasks per chunk sent to a worker: enough to make a chunk's overhead negligible (a
    task takes a few milliseconds), few enough that the workers finish together."""
    return max(1, min(16, tasks // (workers * 8)))


class _Run:
    """Every task's result, by input index, as the rounds deliver them; ``on_result`` is
    called in input order, as far as the tasks are done."""

    def __init__(self, function, tasks, initializer, initargs, timeout, on_result):
        self.function = function
        self.tasks = tasks
        self.initializer = initializer
        self.initargs = initargs
        self.timeout = timeout
        self.on_result = on_result
        self.results: list[Any] = [None] * len(tasks)
        self.done = [False] * len(tasks)
        self.reported = 0

    def keep(self, index: int, result: Any) -> None:
        if self.done[index]:
            return  # already given up on (timed out): a late result does not replace that
        self.results[index], self.done[index] = result, True
        while self.reported < len(self.done) and self.done[self.reported]:
            if self.on_result is not None:
                self.on_result(self.reported, self.results[self.reported])
            self.reported += 1

    def undone(self) -> list[int]:
        return [i for i, done in enumerate(self.done) if not done]


class _Round:
    """One pool of workers running some of the tasks until they are done, or it breaks."""

    def __init__(self, run: _Run, todo: list[int], workers: int, context):
        self.run = run
        self.todo = todo
        self.workers = workers
        self.slots = context.Array("d", [_IDLE, 0.0, 0.0] * workers, lock=False)
        taken = context.Value("i", 0)
        self.pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=context,
            initializer=_start_worker,
            initargs=(run.function, self.slots, taken, run.initializer, run.initargs),
        )
        self.timed_out: set[int] = set()

    def running(self) -> set[int]:
        return {int(self.slots[3 * s]) for s in range(self.workers) if self.slots[3 * s] >= 0}

    def go(self, meanwhile: Callable[[], object] | None) -> set[int]:
        """Run the tasks; returns those running when a worker died (none if none did)."""
        size = chunk_size(len(self.todo), self.workers)
        tasks = self.run.tasks
        pending = set()
        try:
            intact = True
            try:
                for k in range(0, len(self.todo), size):
                    chunk = [(i, tasks[i]) for i in self.todo[k : k + size]]
                    pending.add(self.pool.submit(_run_chunk, chunk))
            except BrokenProcessPool:  # a worker died already: the rest wait for a new pool
                intact = False
            if meanwhile is not None:
                meanwhile()
            while pending and intact:
                done, pending = wait(pending, timeout=_POLL, return_when=FIRST_COMPLETED)
                intact = self.collect(done)
                if intact:
                    self.watch()
            if intact:
                return set()
            self.collect(f for f in pending if f.done())  # done before the break
            return self.running() - self.timed_out
        finally:
            self.pool.shutdown(wait=True, cancel_futures=True)

    def collect(self, futures) -> bool:
        """Keep the results of finished chunks; False when the pool broke. A task's own
        exception is raised."""
        intact = True
        for future in futures:
            try:
                results = future.result()
            except BrokenProcessPool:
                intact = False
                continue
            for index, result in results:
                self.run.keep(index, result)
        return intact

    def watch(self) -> None:
        """Stop any worker that has spent longer than the timeout on one task."""
        timeout = self.run.timeout
        if timeout is None:
            return
        now = time.monotonic()
        for s in range(self.workers):
            index = int(self.slots[3 * s])
            if index >= 0 and index not in self.timed_out and now - self.slots[3 * s + 1] > timeout:
                self.timed_out.add(index)
                self.run.keep(index, Failure(TIMED_OUT))
                with contextlib.suppress(ProcessLookupError):  # it ended meanwhile
                    os.kill(int(self.slots[3 * s + 2]), _KILL)


def run_tasks(
    function: Callable[[Any], Any],
    tasks: Sequence[Any],
    workers: int,
    *,
    initializer: Callable[..., object] | None = None,
    initargs: tuple = (),
    timeout: float | None = None,
    on_result: Callable[[int, Any], None] | None = None,
    meanwhile: Callable[[], object] | None = None,
    context=None,
) -> list[Any]:
    """``function(task)`` for every task, in ``workers`` processes: the results in input
    order, a :class:`Failure` for a task that stopped its worker or outlasted ``timeout``
    seconds (None: no limit).

    ``function``, ``initializer`` and the tasks must pickle (module-level functions) for
    the spawn and forkserver start methods; ``initializer(*initargs)`` runs once in each
    worker. ``on_result(index, result)`` is called in input order, as soon as a task and
    every task before it are done; ``meanwhile()`` once, in this process, while the first
    pool runs. An exception raised by ``function`` stops the run and is raised here.
    ``context``: a multiprocessing context (default: the default start method's).
    Raises :class:`WorkersFailing` when the workers die with no task running."""
    context = context or multiprocessing.get_context()
    run = _Run(function, list(tasks), initializer, initargs, timeout, on_result)
    todo = run.undone()
    while todo:
        suspects = _Round(run, todo, min(workers, len(todo)), context).go(meanwhile)
        meanwhile = None
        for index in sorted(suspects):  # alone, each in a pool of its own, to find the culprit
            if not run.done[index] and _Round(run, [index], 1, context).go(None) == {index}:
                run.keep(index, Failure(CRASHED))
        left = run.undone()
        if left == todo:
            raise WorkersFailing(
                "the worker processes keep failing with no task running to blame (is the "
                "machine out of memory?); try again, or with --jobs 1"
            )
        todo = left
    return run.results
