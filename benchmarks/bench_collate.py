"""Collate N returns end to end: read, validate, collate, write the workbook and the CSVs.

    python benchmarks/bench_collate.py [--sizes 1000 10000] [--jobs 1 2] [--work DIR]
                                       [--repeat N] [--phases] [--respondents R]

Makes a synthetic register of N councils and one filled return per council (with the
project's own generator, once, cached in --work; with --respondents R, R respondents' views
per council and, for half the councils, an agreed return too), then runs `npsxl collate` in a fresh
process for each size and job count (after one untimed import that leaves Python's
bytecode cache warm, as it is for an installed tool), reporting wall time and the peak
memory (max RSS) of that process and its workers. Targets: 1,000 returns in under 3 s
wall on 2 cores; peak memory under 300 MB at 10,000; time linear in the number of returns.

--repeat runs each configuration N times (the table shows each run; the machine is
shared, so single runs vary). Before each run a fixed pure-Python loop is timed on both
cores at once ("loop s"): the host's speed at that moment, to read the run's time against.
--phases also times the phases of each run, from inside the same `npsxl collate` process:
starting Python and importing the CLI, loading the models and the register, reading (with
pandas being imported alongside when there are workers), building the collation's frames,
writing the workbook and the CSVs, and leaving the interpreter.
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import statistics
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from npsxl.model.register import REGIONS  # noqa: E402

TYPES = ("district", "unitary", "county", "metropolitan district", "London borough")


def make_register(path: Path, n: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(
            ["code", "register_code", "name", "short_name", "region", "council_type", "hub"]
        )
        for i in range(n):
            writer.writerow(
                [
                    f"E99{i:06d}",
                    f"X{i:05d}",
                    f"Benchmark Council {i:05d}",
                    f"Benchmark {i:05d}",
                    REGIONS[i % 9],
                    TYPES[i % 5],
                    f"Hub {i % 12}",
                ]
            )


def _make_chunk(args):
    register_path, out_dir, start, stop, respondents = args
    from npsxl.model.loading import load_model
    from npsxl.model.register_csv import load_register
    from npsxl.workbook.demo import make_returns

    model = load_model(ROOT / "model.yaml")
    councils = list(load_register(register_path))[start:stop]
    made = make_returns(
        model, councils, out_dir, seed=start, missing_share=0.0, faulty=0, respondents=respondents
    )
    return len(made.returns)


def make_returns_cached(work: Path, n: int, respondents: int = 1) -> tuple[Path, Path]:
    """The register of ``n`` councils and the folder of their returns (made once)."""
    register = work / f"register-{n}.csv"
    out_dir = work / (f"returns-{n}" if respondents == 1 else f"returns-{n}-r{respondents}")
    make_register(register, n)
    done = out_dir.with_suffix(".done")  # beside the folder: collate reads every file in it
    if (respondents == 1 and out_dir.is_dir() and len(list(out_dir.iterdir())) == n) or (
        done.is_file()
    ):
        return register, out_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    step = 250
    chunks = [(register, out_dir, s, min(n, s + step), respondents) for s in range(0, n, step)]
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        files = sum(pool.map(_make_chunk, chunks))
    print(f"  made {files} returns in {time.perf_counter() - started:.1f} s", flush=True)
    if respondents != 1:
        done.write_text(f"{files}\n", encoding="utf-8")
    return register, out_dir


# Times the phases of a real `npsxl collate` run by wrapping the functions it calls.
_PHASES_CODE = """
import sys, time
start = time.perf_counter()
import npsxl.collation.run, npsxl.cli, npsxl.cli.common, npsxl.model.defaults
marks = [("import", time.perf_counter() - start)]
def timed(owner, name, label):
    inner = getattr(owner, name)
    def wrapper(*args, **kwargs):
        marks.append((label + "-start", time.perf_counter() - start))
        try:
            return inner(*args, **kwargs)
        finally:
            marks.append((label, time.perf_counter() - start))
    setattr(owner, name, wrapper)
timed(npsxl.cli.common, "load_models", "models")
timed(npsxl.model.defaults, "choose_register", "register")
timed(npsxl.collation.run, "read_returns", "read")
timed(npsxl.collation.run, "collate", "collate")
"""
PHASES = (
    ("import", "import npsxl.cli"),
    ("models", "load the models"),
    ("register", "load the register"),
    ("read", "read and validate (pandas imported alongside)"),
    ("collate", "build the collation's frames"),
    ("outputs", "write the workbook and the CSVs, print the summary"),
    ("interpreter", "start and leave the interpreter"),
)


# An installed tool has its modules' bytecode cached (pip compiles it, or the first run
# writes it); a shell with PYTHONDONTWRITEBYTECODE=1 would make every run compile every
# module of npsxl from source again, which no user sees.
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
LOOP_STEPS = 3_000_000


def _loop(_: object = None) -> float:
    started = time.perf_counter()
    total = 0
    for step in range(LOOP_STEPS):
        total += step
    return time.perf_counter() - started


def machine_speed(pool: ProcessPoolExecutor) -> float:
    """Seconds a fixed pure-Python loop takes, the mean of two copies run at once on a
    2-core machine: how fast the (shared) host is just before a run. Lower is faster."""
    return statistics.mean(pool.map(_loop, range(2)))


WARM_UP = (
    "import npsxl.cli, npsxl.collation.run, npsxl.reading.reader, npsxl.collation.collation, "
    "npsxl.report.summary_workbook"
)


def run_collate(
    register: Path, returns: Path, work: Path, jobs: int, phases: bool = False
) -> tuple[float, float, float, dict[str, float]]:
    """Wall seconds, peak RSS (MB, the largest single process), CPU seconds (user and
    system, of the run and its workers) and, with ``phases``, the seconds of each of
    :data:`PHASES` of one `npsxl collate`."""
    code = (
        (_PHASES_CODE if phases else "import sys, time\nstart = time.perf_counter()\nmarks = []\n")
        + "import resource\n"
        "from npsxl.cli import main\n"
        "try:\n"
        "    main(sys.argv[1:], standalone_mode=False)\n"
        "finally:\n"
        "    marks.append(('done', time.perf_counter() - start))\n"
        "    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        "    print(f'BENCH {max(own, kids) / 1024} ' + ' '.join(f'{k}={v}' for k, v in marks),\n"
        "          file=sys.stderr, flush=True)\n"
    )
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            code,
            "collate",
            str(returns),
            "--register",
            str(register),
            "--out",
            str(work / "summary.xlsx"),
            "--data-dir",
            str(work / "data"),
            "--jobs",
            str(jobs),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=CHILD_ENV,
    )
    outer = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the run and its workers, waited for
    cpu = sum(getattr(after, f) - getattr(before, f) for f in ("ru_utime", "ru_stime"))
    line = [x for x in proc.stderr.splitlines() if x.startswith("BENCH ")]
    if proc.returncode not in (0, 1) or not line:
        raise SystemExit(f"collate failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    _, peak, *marks = line[-1].split()
    at = {k: float(v) for k, v in (m.split("=") for m in marks)}
    durations = {}
    if phases:
        durations = {
            "import": at["import"],
            "models": at["models"] - at["models-start"],
            "register": at["register"] - at["register-start"],
            "read": at["read"] - at["register"],  # finding the files, the pool, reading
            "collate": at["collate"] - at["read"],
            "outputs": at["done"] - at["collate"],
            "interpreter": outer - at["done"],
        }
        durations["import"] += at["models-start"] - at["import"]  # parsing the options
    return outer, float(peak), cpu, durations


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--work", type=Path, default=ROOT / "output" / "bench-collate")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each configuration")
    parser.add_argument("--phases", action="store_true", help="also time each phase")
    parser.add_argument(
        "--respondents", type=int, default=1, help="respondents' views per council (default 1)"
    )
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    print(f"cores: {os.cpu_count()}, python {sys.version.split()[0]}")
    subprocess.run([sys.executable, "-c", WARM_UP], check=True, cwd=ROOT, env=CHILD_ENV)
    rows = []
    with ProcessPoolExecutor(2) as loops:
        for n in args.sizes:
            register, returns = make_returns_cached(args.work, n, args.respondents)
            files = sum(1 for _ in returns.iterdir())
            if args.respondents != 1:
                print(f"  {n} councils, {args.respondents} respondents each: {files} files")
            for jobs in args.jobs:
                for _ in range(args.repeat):
                    loop = machine_speed(loops)
                    wall, peak, cpu, phases = run_collate(
                        register, returns, args.work, jobs, args.phases
                    )
                    rows.append((n, jobs, wall, peak, cpu, phases, loop, files))
                    print(
                        f"  {n:>6} councils, {files} files, jobs {jobs}: {wall:6.2f} s wall, "
                        f"{wall / files * 1000:5.2f} ms/file, {cpu:6.2f} s CPU, "
                        f"peak {peak:6.0f} MB, loop {loop:.3f} s",
                        flush=True,
                    )
    print("\n| councils | files | jobs | wall (s) | ms/file | CPU (s) | peak RSS (MB) | loop (s) |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for n, jobs, wall, peak, cpu, _, loop, files in rows:
        print(
            f"| {n} | {files} | {jobs} | {wall:.2f} | {wall / files * 1000:.2f} | {cpu:.2f} "
            f"| {peak:.0f} | {loop:.3f} |"
        )
    if args.repeat > 1:
        print("\nMedian wall time (s) per configuration:")
        for n in args.sizes:
            for jobs in args.jobs:
                walls = [w for size, j, w, *_ in rows if (size, j) == (n, jobs)]
                print(f"  {n} councils, jobs {jobs}: {statistics.median(walls):.2f}")
    if args.phases:
        print("\nPhases (s), as timed inside each run:\n")
        print("| phase | " + " | ".join(f"{n} / jobs {j}" for n, j, *_ in rows) + " |")
        print("| --- |" + " ---: |" * len(rows))
        for key, label in PHASES:
            values = " | ".join(f"{row[5][key]:.2f}" for row in rows)
            print(f"| {label} | {values} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
