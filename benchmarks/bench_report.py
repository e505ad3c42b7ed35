"""The full report for the demo's councils: `npsxl report` end to end, and the PDF engine's floor.

    python benchmarks/bench_report.py [--jobs 1 2] [--repeat N] [--work DIR] [--seed 2018]
                                      [--pdf-only] [--against CHECKOUT]

Makes the demo's synthetic returns (one per council of the packaged 2018 register but for a
tenth left out as not returned, and three faulty files: `npsxl demo`'s set), once, cached
in --work. Then, for each job count, runs `npsxl report` in a fresh process, with the PDFs
and with --no-pdf (the HTML alone), and reports the wall time, the CPU time of the run and
everything it started (browsers included: each process's own count when last seen, sampled
every half second), and two peaks of memory: the largest single process (max RSS) and the
whole process tree at its largest (its proportional set size, sampled likewise: Python, its
workers, chromedriver and Chromium's processes together, the memory they share counted
once). Target: the full report
under 60 s wall on 2 cores.

The floor, in the same run: headless Chromium printing a one-page document, (a) as the
reports do, one browser kept open (its start once, then each page), and (b) one browser
process per page (`chromium --print-to-pdf`).

With --against, each run is made twice in turn: by this checkout, then by the other one
(rows "this" and "other"), so that a shared host's changing load falls on both alike.

Before each run a fixed pure-Python loop is timed on both cores at once ("loop s"): the
shared host's speed at that moment, to read the run's time against (lower is faster).
"""

from __future__ import annotations

import argparse
import itertools
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LOOP_STEPS = 3_000_000
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
ONE_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>One page</title>
<style>@page { size: A4; margin: 15mm } body { font-family: Arial, sans-serif }</style>
</head><body><h1>One page</h1><p>A one-page document: the floor of the PDF engine.</p>
</body></html>"""


def _loop(_: object = None) -> float:
    started = time.perf_counter()
    total = 0
    for step in range(LOOP_STEPS):
        total += step
    return time.perf_counter() - started


def machine_speed(pool: ProcessPoolExecutor) -> float:
    """Seconds a fixed pure-Python loop takes, two copies at once: the host's speed now."""
    return statistics.mean(pool.map(_loop, range(2)))


def make_demo_returns(work: Path, seed: int) -> Path:
    """The demo's returns (as `npsxl demo` writes them), made once and kept in ``work``."""
    from npsxl.model.defaults import packaged_register
    from npsxl.model.loading import load_model
    from npsxl.workbook.demo import make_returns

    out = work / f"returns-{seed}"
    done = out / ".complete"
    if not done.exists():
        shutil.rmtree(out, ignore_errors=True)
        model = load_model(ROOT / "model.yaml")
        register = packaged_register("2018")
        made = make_returns(model, register, out, seed=seed)
        done.write_text(f"{len(made.returns)} returns, {len(made.faulty)} faulty\n")
    return out


# --- memory and CPU of a process tree ------------------------------------------------------
TICKS = os.sysconf("SC_CLK_TCK")


def _tree(root: int) -> dict[int, float]:
    """``root`` and all its descendants now: pid -> CPU seconds used so far (from /proc)."""
    parents: dict[int, int] = {}
    cpu: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            parents[int(entry)] = int(fields[1])
            cpu[int(entry)] = (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime
    tree, grown = {root}, True
    while grown:
        more = {pid for pid, parent in parents.items() if parent in tree} - tree
        grown = bool(more)
        tree |= more
    return {pid: cpu.get(pid, 0.0) for pid in tree}


def _memory(pids) -> int:
    """Bytes of memory of ``pids``: their proportional set size (PSS, from /proc), so that
    the pages the browser's processes share count once."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as handle:
                for line in handle:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1]) * 1024
                        break
        except OSError:
            continue
    return total


class TreeWatch:
    """Samples a process tree every half second, in a thread, while it runs: its memory
    (PSS) at the largest, and the CPU time each of its processes had used when last seen
    (so that processes never waited for, such as the browser's, count too)."""

    def __init__(self, pid: int):
        self.pid, self.peak, self.cpu = pid, 0, {}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True)
        self.thread.start()

    def _watch(self) -> None:
        while not self.stop.is_set():
            tree = _tree(self.pid)
            self.cpu.update(tree)
            self.peak = max(self.peak, _memory(tree))
            self.stop.wait(0.5)

    def done(self) -> tuple[float, float]:
        """(peak memory in MB, CPU seconds of every process seen)."""
        self.stop.set()
        self.thread.join()
        return self.peak / 2**20, sum(self.cpu.values())


# --- the runs ---------------------------------------------------------------------------------
def run_report(
    returns: Path, out: Path, jobs: int, pdf: bool, root: Path = ROOT
) -> dict[str, float]:
    """One `npsxl report` of the code in ``root`` (this checkout, or another version's)."""
    shutil.rmtree(out, ignore_errors=True)
    args = [sys.executable, "-m", "npsxl", "report", str(returns), "--out", str(out)]
    args += ["--jobs", str(jobs)] + ([] if pdf else ["--no-pdf"])
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    env = {**CHILD_ENV, "PYTHONPATH": str(root)}
    proc = subprocess.Popen(
        args, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    watch = TreeWatch(proc.pid)
    stdout, stderr = proc.communicate()
    wall = time.perf_counter() - started
    peak_tree, tree_cpu = watch.done()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"npsxl report failed ({proc.returncode}):\n{stderr[-2000:]}")
    councils = len(list((out / "councils").glob("*.html")))
    pdfs = len(list(out.rglob("*.pdf")))
    if pdf and pdfs != councils + 1:
        raise SystemExit(f"{pdfs} PDFs for {councils} councils:\n{stdout}\n{stderr[-2000:]}")
    waited = sum(getattr(after, f) - getattr(before, f) for f in ("ru_utime", "ru_stime"))
    return {
        "councils": councils,
        "wall": wall,
        "cpu": max(waited, tree_cpu),
        "peak": (after.ru_maxrss) / 1024,  # the largest single process waited for, so far
        "tree": peak_tree,
    }


def engine_floor(work: Path, pages: int = 10) -> dict[str, float]:
    """Seconds: one browser's start; one page printed in it (median of ``pages``); and one
    page by a browser process of its own (`chromium --print-to-pdf`), start included."""
    from npsxl.report.pdf import BROWSER_FLAGS, Printer, find_engine

    engine = find_engine()
    html = work / "one-page.html"
    html.write_text(ONE_PAGE, encoding="utf-8")
    started = time.perf_counter()
    printer = Printer(engine)
    start = time.perf_counter() - started
    times = []
    try:
        for _ in range(pages):
            began = time.perf_counter()
            printer.print(html, work / "one-page.pdf")
            times.append(time.perf_counter() - began)
    finally:
        printer.close()
    profile = tempfile.mkdtemp(prefix="bench-chromium-")
    flags = [*BROWSER_FLAGS, f"--user-data-dir={profile}", "--no-pdf-header-footer"]
    if os.geteuid() == 0:
        flags.append("--no-sandbox")
    began = time.perf_counter()
    subprocess.run(
        [engine.chromium, *flags, f"--print-to-pdf={work / 'one-page-cli.pdf'}", html.as_uri()],
        capture_output=True,
        check=True,
    )
    own_process = time.perf_counter() - began
    shutil.rmtree(profile, ignore_errors=True)
    return {"start": start, "page": statistics.median(times), "own process": own_process}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--seed", type=int, default=2018)
    parser.add_argument("--pdf-only", action="store_true", help="skip the --no-pdf runs")
    parser.add_argument(
        "--against",
        type=Path,
        help="a checkout of another version: each run of this version is followed by the "
        "same run of that one, so that both meet the same load",
    )
    parser.add_argument(
        "--work", type=Path, default=Path(tempfile.gettempdir()) / "npsxl-bench-report"
    )
    options = parser.parse_args()
    work = options.work
    work.mkdir(parents=True, exist_ok=True)
    returns = make_demo_returns(work, options.seed)
    files = len([p for p in returns.iterdir() if not p.name.startswith(".")])
    print(f"{files} files in {returns} (the demo's returns, seed {options.seed})")
    for root in [ROOT] + ([options.against.resolve()] if options.against else []):
        subprocess.run(
            [sys.executable, "-c", "import npsxl.cli, npsxl.report.reports"],
            cwd=root,
            env={**CHILD_ENV, "PYTHONPATH": str(root)},
            check=True,
        )  # the bytecode cache warm
    with ProcessPoolExecutor(max_workers=2) as pool:
        speed = machine_speed(pool)
        floor = engine_floor(work)
        print(
            f"\nPDF engine floor, one A4 page (loop s {speed:.2f}): browser start "
            f"{floor['start']:.2f} s, then {floor['page'] * 1000:.0f} ms a page; a browser "
            f"process per page {floor['own process']:.2f} s a page"
        )
        header = (
            f"\n{'configuration':32} {'councils':>8} {'wall s':>7} {'s/council':>9} "
            f"{'CPU s':>7} {'peak MB':>8} {'tree MB':>8} {'loop s':>7}"
        )
        print(header)
        for jobs in options.jobs:
            for pdf in (True,) if options.pdf_only else (True, False):
                roots = [("", ROOT)]
                if options.against:
                    roots = [("this ", ROOT), ("other ", options.against.resolve())]
                for _, (name, root) in itertools.product(range(options.repeat), roots):
                    speed = machine_speed(pool)
                    row = run_report(returns, work / f"report-{jobs}", jobs, pdf, root)
                    label = f"{name}report --jobs {jobs}" + ("" if pdf else " --no-pdf")
                    print(
                        f"{label:32} {row['councils']:>8} {row['wall']:>7.1f} "
                        f"{row['wall'] / row['councils']:>9.3f} {row['cpu']:>7.1f} "
                        f"{row['peak']:>8.0f} {row['tree']:>8.0f} {speed:>7.2f}",
                        flush=True,
                    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
