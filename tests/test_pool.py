"""The one process pool (npsxl.core.pool.run_tasks): one result per task in input order, a
Failure for a task that crashes or hangs its worker, an exception that stops the run, under
every start method. Reading many files (test_workers.py) and generating workbooks
(test_generate.py) are built on it."""

from __future__ import annotations

import multiprocessing
import os
import time

import pytest

import npsxl.core.pool
from npsxl.core.pool import CRASHED, TIMED_OUT, Failure, WorkersFailing, run_tasks

START_METHODS = [
    m for m in ("fork", "spawn", "forkserver") if m in multiprocessing.get_all_start_methods()
]


def troublesome(task: str) -> str:
    """'crash' ends the worker at once (as a crash in native code would), 'hang' never
    finishes, 'fail' raises; anything else is done at once."""
    if task == "crash":
        os._exit(3)
    if task == "hang":
        time.sleep(60)  # long enough to fail the test when nothing stops it
    if task == "fail":
        raise ValueError("the task went wrong")
    return task.upper()


_prefix = ""


def _set_prefix(prefix: str) -> None:
    global _prefix
    _prefix = prefix


def prefixed(task: str) -> str:
    return _prefix + task


def _exit_at_once() -> None:
    os._exit(5)


@pytest.mark.parametrize("method", START_METHODS)
def test_a_crash_and_a_hang_fail_their_tasks_only_in_input_order(method):
    tasks = ["a", "crash", "b", "c", "hang", "d", "e", "crash", "f"]
    seen = []
    started = time.monotonic()
    results = run_tasks(
        troublesome,
        tasks,
        2,
        timeout=2.0,
        on_result=lambda i, r: seen.append((i, r)),
        context=multiprocessing.get_context(method),
    )
    assert time.monotonic() - started < 40
    assert results == [
        "A",
        Failure(CRASHED),
        "B",
        "C",
        Failure(TIMED_OUT),
        "D",
        "E",
        Failure(CRASHED),
        "F",
    ]
    assert seen == list(enumerate(results))


@pytest.mark.parametrize("method", START_METHODS)
def test_the_initializer_runs_in_every_worker(method):
    context = multiprocessing.get_context(method)
    results = run_tasks(
        prefixed, list("abcdef"), 2, initializer=_set_prefix, initargs=("x-",), context=context
    )
    assert results == [f"x-{t}" for t in "abcdef"]


def test_an_exception_in_a_task_stops_the_run_with_that_exception():
    seen = []
    started = time.monotonic()
    with pytest.raises(ValueError, match="the task went wrong"):
        run_tasks(troublesome, ["a", "b", "fail", "c"], 2, on_result=lambda i, r: seen.append(i))
    assert time.monotonic() - started < 30
    assert 2 not in seen


def test_a_crash_while_the_tasks_are_still_being_sent_fails_that_task_only(monkeypatch):
    pools = []

    class SlowToSend(npsxl.core.pool.ProcessPoolExecutor):
        """The first pool sends its first chunk, then waits for its worker to die."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            pools.append(self)
            self.sent = 0

        def submit(self, fn, /, *args, **kwargs):
            if self is pools[0] and self.sent == 1:
                deadline = time.monotonic() + 20
                while not self._broken and time.monotonic() < deadline:
                    time.sleep(0.01)
            self.sent += 1
            return super().submit(fn, *args, **kwargs)

    monkeypatch.setattr(npsxl.core.pool, "ProcessPoolExecutor", SlowToSend)
    tasks = ["crash"] + [f"t{i}" for i in range(63)]  # chunks of 4: sixteen to send
    seen = []
    results = run_tasks(troublesome, tasks, 2, meanwhile=lambda: seen.append("meanwhile"))
    assert results == [Failure(CRASHED)] + [f"T{i}" for i in range(63)]
    assert seen == ["meanwhile"]


def test_workers_that_die_with_no_task_running_are_an_error():
    with pytest.raises(WorkersFailing, match="no task running"):
        run_tasks(troublesome, ["a", "b", "c"], 2, initializer=_exit_at_once)
