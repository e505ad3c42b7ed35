"""How fast `npsxl generate --all` is: every council of the packaged register of 2018.

    python benchmarks/bench_generate.py [--out DIR]

Each configuration runs in a fresh Python process, so its peak memory (ru_maxrss of the
process, and of its worker processes) is its own:

* generate, jobs=1      npsxl.workbook.generation.generate for all councils in one process
* generate, jobs=2      the same with two worker processes
* build_workbook each   build_workbook for every council, without the batch fast path
* bare xlsxwriter       the floor: a workbook with the same cells (the same strings, numbers
                        and formulas) but no formats, validation, conditional formats, names
                        or chart, written with xlsxwriter for every council
* CLI --all --jobs 2    `python -m npsxl generate --all --jobs 2`, start to finish

Workbooks go to DIR (default: a temporary folder, deleted afterwards).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "model.yaml"
REGISTER = ROOT / "npsxl" / "data" / "registers" / "councils-2018.csv"
CLI = "CLI --all --jobs 2"
CONFIGS = ("generate, jobs=1", "generate, jobs=2", "build_workbook each", "bare xlsxwriter", CLI)


def _peaks() -> tuple[float, float]:
    """Peak resident memory in MB of this process and of its (finished) children."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def _cells(path: Path) -> list[tuple[str, list[tuple[int, int, object]]]]:
    """The values of every cell of a workbook, sheet by sheet (formulas as text)."""
    import openpyxl

    wb = openpyxl.load_workbook(path)
    sheets = []
    for ws in wb.worksheets:
        cells = [
            (c.row - 1, c.column - 1, c.value)
            for row in ws.iter_rows()
            for c in row
            if c.value is not None
        ]
        sheets.append((ws.title, cells))
    return sheets


def _bare(path: Path, sheets) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"in_memory": True, "strings_to_formulas": False})
    for title, cells in sheets:
        ws = wb.add_worksheet(title)
        for row, col, value in cells:
            if isinstance(value, str) and value.startswith("="):
                ws.write_formula(row, col, value)
            elif isinstance(value, str):
                ws.write_string(row, col, value)
            elif isinstance(value, (int, float)):
                ws.write_number(row, col, value)
            else:
                ws.write_datetime(row, col, value)
    wb.close()


def child(config: str, out: Path) -> dict:
    """Run one configuration in this (fresh) process and return its figures."""
    if config == CLI:
        return run_cli(out)
    from npsxl.model.loading import load_model
    from npsxl.model.register_csv import load_register
    from npsxl.workbook.generation import generate
    from npsxl.workbook.writer import build_workbook

    model = load_model(MODEL)
    councils = list(load_register(REGISTER))
    out.mkdir(parents=True, exist_ok=True)
    if config == "bare xlsxwriter":
        sample = out / "sample.xlsx"
        build_workbook(model, sample, councils[0])
        sheets = _cells(sample)
        start = time.perf_counter()
        for i, _council in enumerate(councils):
            _bare(out / f"{i}.xlsx", sheets)
    elif config == "build_workbook each":
        start = time.perf_counter()
        for i, council in enumerate(councils):
            build_workbook(model, out / f"{i}.xlsx", council)
    else:
        jobs = int(config.rsplit("=", 1)[1])
        start = time.perf_counter()
        result = generate(model, out, councils, jobs=jobs, force=True)
        assert len(result.workbooks) == len(councils)
    elapsed = time.perf_counter() - start
    own, children = _peaks()
    return {
        "config": config,
        "n": len(councils),
        "seconds": elapsed,
        "rss": own,
        "rss_children": children,
    }


def run_cli(out: Path) -> dict:
    """The command line, start to finish, in a child process of this fresh process."""
    start = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "npsxl",
            "generate",
            "--model",
            str(MODEL),
            "--register",
            str(REGISTER),
            "--out",
            str(out),
            "--all",
            "--jobs",
            "2",
            "--force",
        ],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    elapsed = time.perf_counter() - start
    n = sum(1 for _ in out.rglob("*.xlsx"))
    _, children = _peaks()  # the largest of the CLI process and its workers
    return {"config": CLI, "n": n, "seconds": elapsed, "rss": children, "rss_children": children}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="folder for the workbooks (default: temporary)")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="runs of each configuration; the fastest is shown (default 1)",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.out)))
        return
    with tempfile.TemporaryDirectory() as temporary:
        base = args.out or Path(temporary)
        rows = []
        for config in CONFIGS:
            folder = base / config.replace(" ", "").replace(",", "-").replace("=", "")
            runs = []
            for _ in range(max(1, args.repeat)):
                done = subprocess.run(
                    [sys.executable, __file__, "--child", config, "--out", str(folder)],
                    check=True,
                    capture_output=True,
                    text=True,
                    cwd=ROOT,
                )
                runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
            rows.append(min(runs, key=lambda r: r["seconds"]))
    print(
        f"{'configuration':<22} {'workbooks':>9} {'wall s':>7} {'ms/workbook':>11} "
        f"{'peak MB':>8} {'workers MB':>10}"
    )
    for row in rows:
        workers = f"{row['rss_children']:.0f}" if "jobs=2" in row["config"] else "-"
        per = row["seconds"] / row["n"] * 1000
        print(
            f"{row['config']:<22} {row['n']:>9} {row['seconds']:>7.2f} {per:>11.1f} "
            f"{row['rss']:>8.0f} {workers:>10}"
        )
    print(
        "peak MB: ru_maxrss of the process (for the CLI: the largest of the CLI process and "
        "its workers); workers MB: the largest worker process"
    )


if __name__ == "__main__":
    main()
