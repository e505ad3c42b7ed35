"""npsxl's process pool against pebble's, for reading returns in worker processes.

    python benchmarks/bench_pool.py read --pool own|pebble [--n 1000] [--jobs 2]
    python benchmarks/bench_pool.py stress --pool own|pebble [--runs 10]

``read`` reads the N returns that ``bench_collate.py`` caches in output/bench-collate/
(made on first use) with ``read_in_workers``, on npsxl's pool (``own``) or on a variant
built on ``pebble.ProcessPool`` behind the same interface (``pebble``; ``pip install
pebble``): time the whole process from outside, e.g. with ``time``, alternating the two.

``stress`` reads 100 made-up files, one in five of which crashes its worker at once, while
the parent is busy for a second (as the CLI is, importing pandas while the workers read),
and counts the runs in which a file was given the wrong outcome or the batch stopped.
"""

from __future__ import annotations

import argparse
import functools
import multiprocessing
import os
import sys
import time
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from npsxl.reading import workers  # noqa: E402
from npsxl.reading.returns import Return  # noqa: E402


# --- the pebble variant of read_in_workers --------------------------------------------------------
def _start_pebble_worker(reader, councils) -> None:
    workers._start_reader(reader, councils)


def read_with_pebble(paths, reader, jobs, *, councils=(), meanwhile=None, timeout=60.0):
    """read_in_workers on pebble: one task per file (so a crash or a hang names its file)."""
    import pebble

    pool = pebble.ProcessPool(
        max_workers=jobs,
        initializer=_start_pebble_worker,
        initargs=(reader, councils),
        context=multiprocessing.get_context(),
    )
    returns = []
    try:
        futures = [pool.schedule(workers._read, args=(p,), timeout=timeout) for p in paths]
        if meanwhile is not None:
            meanwhile()
        for path, future in zip(paths, futures, strict=True):
            try:
                ret, council = future.result()
            except FutureTimeout:
                ret, council = workers._timed_out(path, timeout), None
            except pebble.ProcessExpired:
                ret, council = workers._crashed(path), None
            if council is not None:
                ret.council = councils[council]
            returns.append(ret)
    except BaseException:
        pool.stop()
        raise
    finally:
        pool.close()
        pool.join()
    return returns


def read(pool: str, paths, reader, jobs, **options):
    if pool == "pebble":
        return read_with_pebble(paths, reader, jobs, **options)
    return workers.read_in_workers(paths, reader, jobs, **options)


# --- read: the benchmark returns ------------------------------------------------------------------
def read_benchmark_returns(pool: str, n: int, jobs: int) -> None:
    from bench_collate import make_returns_cached

    from npsxl.model.model import load_model
    from npsxl.model.register import load_register
    from npsxl.reading.batch import find_inputs
    from npsxl.reading.reader import read_return

    work = ROOT / "output" / "bench-collate"
    work.mkdir(parents=True, exist_ok=True)
    register_path, folder = make_returns_cached(work, n)
    model = load_model(ROOT / "model.yaml")
    register = load_register(register_path)
    paths = [str(p) for p in find_inputs(folder)]
    reader = functools.partial(read_return, models=[model], register=register)
    returns = read(pool, paths, reader, jobs, councils=tuple(register.councils))
    if len(returns) != n or not all(r.accepted for r in returns):
        raise SystemExit("some returns were not read as accepted")


# --- stress: crashes while the parent is busy -----------------------------------------------------
def crashing_reader(path: str) -> Return:
    if "crash" in os.path.basename(path):
        os._exit(3)
    return Return(path=path)


def _busy() -> None:
    until = time.monotonic() + 1.0
    while time.monotonic() < until:
        sum(range(1000))


def stress(pool: str, runs: int) -> None:
    crashing = set(range(0, 100, 5)) | {99}
    paths = [f"/returns/{i:03d}-{'crash' if i in crashing else 'fine'}.xlsx" for i in range(100)]
    wrong = 0
    for run in range(runs):
        try:
            returns = read(pool, paths, crashing_reader, 2, meanwhile=_busy, timeout=5.0)
        except Exception as exc:  # noqa: BLE001 - the outcome to count
            print(f"run {run}: the batch stopped: {type(exc).__name__}: {exc}")
            wrong += 1
            continue
        codes = {i: [p.code for p in r.problems] for i, r in enumerate(returns) if r.problems}
        expected = {i: ["reader-crashed"] for i in crashing}
        if codes != expected:
            differ = {
                i: codes.get(i, [])
                for i in set(codes) | crashing
                if codes.get(i) != expected.get(i)
            }
            print(f"run {run}: wrong outcomes (file: problems): {differ}")
            wrong += 1
    print(f"{pool}: {wrong} of {runs} runs wrong")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=("read", "stress"))
    parser.add_argument("--pool", choices=("own", "pebble"), default="own")
    parser.add_argument("--n", type=int, default=1000, help="returns to read")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--runs", type=int, default=10, help="stress runs")
    args = parser.parse_args()
    if args.what == "read":
        read_benchmark_returns(args.pool, args.n, args.jobs)
    else:
        stress(args.pool, args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
