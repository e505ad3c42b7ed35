"""How fast npsxl reads returns, against the bare parser and openpyxl; and its memory.

    python benchmarks/bench_read.py [--n 1000] [--openpyxl 100] [--jobs 2]

Generates N filled returns with the project's generator (varied councils, answers and
respondents; in worker processes, so this process's memory reflects reading only), then,
over the same files in the same run:

* npsxl: ``read_return(path, model, register)``: preflight, parse, find, validate;
* the floor: python-calamine opening the file and reading every cell of every sheet;
* openpyxl: ``load_workbook(path)`` with its defaults, what comparable tools use (on the
  first ``--openpyxl`` files only: it is slow).

A first pass reads every file with npsxl alone and records the process's peak RSS after
100, 500 and 1000 files (memory must stay flat in the number of files). A second pass
times the three readers file by file, interleaved, so a busy machine slows them alike.
Targets: npsxl at most 3x the floor, and at least 5x faster than openpyxl.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from npsxl.model.answers import Answer, Respondent  # noqa: E402
from npsxl.model.defaults import packaged_register  # noqa: E402
from npsxl.model.loading import load_model  # noqa: E402
from npsxl.reading.reader import read_return  # noqa: E402

CHECKPOINTS = (100, 500, 1000, 2000, 5000)


def varied_answers(model, rng: random.Random) -> dict[str, Answer]:
    answers = {}
    top = len(model.levels)
    for item in model.items:
        if rng.random() < 0.008:  # a few items left blank: about one return in ten
            continue
        current = rng.randint(1, top)
        target = min(top, current + rng.choice((0, 1, 1, 2)))
        answers[item.id] = Answer(
            item.id,
            model.levels[current - 1].name,
            model.levels[target - 1].name,
            rng.choice(
                (
                    "Strategy approved by cabinet.",
                    "Contract register published.",
                    "Social value policy adopted; " * rng.randint(1, 20),
                )
            ),
            rng.choice(("Extend to all directorates.", "Pilot with neighbours.", "")),
            dt.date(2027 + rng.randint(0, 2), rng.choice((3, 9)), 30),
        )
    return answers


_LOADED: dict[str, object] = {}


def _make(args) -> str:
    index, folder = args
    from npsxl.workbook.writer import build_workbook

    if not _LOADED:  # once per worker process
        _LOADED["model"] = load_model(ROOT / "model.yaml")
        _LOADED["councils"] = list(packaged_register("2018"))
    model, councils = _LOADED["model"], _LOADED["councils"]
    rng = random.Random(index)
    council = councils[index % len(councils)]
    respondent = Respondent(
        f"Officer {index}",
        "Head of Procurement",
        f"officer{index}@example.org",
        dt.date(2026, 11, 1 + index % 28),
    )
    path = Path(folder) / f"return-{index:05d}.xlsx"
    build_workbook(model, path, council, answers=varied_answers(model, rng), respondent=respondent)
    return str(path)


def generate(n: int, folder: Path, jobs: int) -> list[str]:
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(_make, [(i, str(folder)) for i in range(n)], chunksize=16))


def calamine_floor(path: str) -> int:
    import python_calamine

    workbook = python_calamine.CalamineWorkbook.from_path(path)
    cells = 0
    for name in workbook.sheet_names:
        rows = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
        cells += sum(len(row) for row in rows)
    workbook.close()
    return cells


def openpyxl_load(path: str) -> None:
    import openpyxl

    workbook = openpyxl.load_workbook(path)
    workbook.close()


def peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 if sys.platform != "darwin" else peak / 1048576


def current_rss_mb() -> float:
    try:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1048576
    except OSError:
        return float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="returns to generate and read")
    parser.add_argument("--openpyxl", type=int, default=100, help="files to load with openpyxl")
    parser.add_argument(
        "--jobs", type=int, default=os.cpu_count() or 1, help="processes for generating the returns"
    )
    parser.add_argument("--keep", type=Path, help="write the returns here and keep them")
    args = parser.parse_args()

    model = load_model(ROOT / "model.yaml")
    register = packaged_register("2018")
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        paths = generate(args.n, folder, args.jobs)
        size = sum(os.path.getsize(p) for p in paths) / len(paths) / 1024
        print(
            f"generated {len(paths)} returns ({size:.0f} KB each) in "
            f"{time.perf_counter() - started:.1f} s"
        )

        # pass 1: npsxl alone, memory at checkpoints
        print(
            f"\npass 1: npsxl alone; RSS before reading {current_rss_mb():.1f} MB, "
            f"peak {peak_rss_mb():.1f} MB"
        )
        statuses: dict[str, int] = {}
        started = time.perf_counter()
        for count, path in enumerate(paths, start=1):
            result = read_return(path, model, register)
            statuses[result.status.value] = statuses.get(result.status.value, 0) + 1
            if count in CHECKPOINTS or count == len(paths):
                print(
                    f"  after {count:>5} files: peak RSS {peak_rss_mb():6.1f} MB, "
                    f"current {current_rss_mb():6.1f} MB"
                )
        first_pass = (time.perf_counter() - started) / len(paths) * 1000
        print(f"  {first_pass:.2f} ms per return; statuses: {statuses}")

        # pass 2: interleaved timing, wall clock and this process's CPU time
        times: dict[str, list[float]] = {"npsxl": [], "calamine": [], "openpyxl": []}
        cpu: dict[str, list[float]] = {"npsxl": [], "calamine": [], "openpyxl": []}

        def timed(name, reader, path):
            begin, begin_cpu = time.perf_counter(), time.process_time()
            reader(path)
            times[name].append((time.perf_counter() - begin) * 1000)
            cpu[name].append((time.process_time() - begin_cpu) * 1000)

        for index, path in enumerate(paths):
            timed("calamine", calamine_floor, path)
            timed("npsxl", lambda p: read_return(p, model, register), path)
            if index < args.openpyxl:
                timed("openpyxl", openpyxl_load, path)

    print("\npass 2: ms per return, interleaved file by file (wall clock; CPU median)")
    print(f"  {'reader':<36} {'files':>5} {'mean':>7} {'median':>7} {'p95':>7} {'CPU':>7}")
    rows = (
        ("npsxl read_return (+ validation)", "npsxl"),
        ("python-calamine, all sheets (floor)", "calamine"),
        ("openpyxl load_workbook (default)", "openpyxl"),
    )
    for label, key in rows:
        values = sorted(times[key])
        if values:
            p95 = values[min(len(values) - 1, int(len(values) * 0.95))]
            print(
                f"  {label:<36} {len(values):>5} {statistics.mean(values):7.2f} "
                f"{statistics.median(values):7.2f} {p95:7.2f} {statistics.median(cpu[key]):7.2f}"
            )
    npsxl = statistics.median(times["npsxl"])
    floor = statistics.median(times["calamine"])
    ratio_cpu = statistics.median(cpu["npsxl"]) / statistics.median(cpu["calamine"])
    print(
        f"\n  npsxl / calamine floor: {npsxl / floor:.2f}x wall, {ratio_cpu:.2f}x CPU "
        "(target at most 3x)"
    )
    if times["openpyxl"]:
        count = len(times["openpyxl"])
        speedup = statistics.median(times["openpyxl"]) / statistics.median(times["npsxl"][:count])
        speedup_cpu = statistics.median(cpu["openpyxl"]) / statistics.median(cpu["npsxl"][:count])
        print(
            f"  openpyxl / npsxl (same {count} files): {speedup:.1f}x wall, {speedup_cpu:.1f}x "
            "CPU (target at least 5x)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
