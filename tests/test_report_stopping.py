"""`npsxl report` stopped mid-run, by SIGTERM (a scheduler's time limit, `kill`) or by Ctrl-C
(SIGINT), leaves no browser behind: every Chromium process it started, and chromedriver, end
with it, and their temporary profiles are removed.

Each run is a real `python -m npsxl report` in a subprocess, stopped once it has printed its
first PDFs; the processes it started are read from /proc while it runs.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT

from npsxl.workbook.demo import make_returns

PROFILE = "npsxl-chromium-"


@pytest.fixture(scope="module")
def returns(tmp_path_factory, model, register):
    folder = tmp_path_factory.mktemp("stopping") / "returns"
    make_returns(model, register.in_region("London")[:24], folder, round="2026", faulty=0, seed=5)
    return folder


def descendants(root: int) -> dict[int, bytes]:
    """The processes below ``root`` now: pid -> command line."""
    parents, lines = {}, {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                lines[int(entry.name)] = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat[1])
    found, grown = {root}, True
    while grown:
        more = {pid for pid, parent in parents.items() if parent in found} - found
        found |= more
        grown = bool(more)
    return {pid: lines[pid] for pid in found - {root} if pid in lines}


def running(pid: int, cmdline: bytes) -> bool:
    """Whether ``pid`` still runs the same program (not a zombie, not a reused pid)."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes() == cmdline and cmdline != b""
    except OSError:
        return False


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_a_stopped_report_leaves_no_browser_behind(returns, tmp_path, stop):
    out = tmp_path / "report"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    args = [sys.executable, "-m", "npsxl", "report", str(returns), "--out", str(out)]
    pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE}
    proc = subprocess.Popen([*args, "--jobs", "2"], cwd=ROOT, env=env, **pipes)
    started, seen = time.monotonic(), {}
    try:
        while time.monotonic() - started < 180:
            seen.update(descendants(proc.pid))
            printed = list((out / "councils").glob("*.pdf")) if out.is_dir() else []
            if len(printed) >= 2 or proc.poll() is not None:
                break
            time.sleep(0.1)
        assert proc.poll() is None, "the report ended before it could be stopped"
        browsers = {pid: line for pid, line in seen.items() if PROFILE.encode() in line}
        assert len(browsers) >= 2, seen  # at least a browser and one of its helpers
        assert any(b"chromedriver" in line for line in seen.values()), seen
        proc.send_signal(stop)
        _stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == (128 + signal.SIGTERM if stop == signal.SIGTERM else 1), stderr
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(running(p, c) for p, c in seen.items()):
        time.sleep(0.1)
    left = {pid: line[:80] for pid, line in seen.items() if running(pid, line)}
    assert left == {}, left
    profiles = {
        part.split(b"=", 1)[1].decode()
        for line in browsers.values()
        for part in re.split(rb"[\0 ]", line)
        if part.startswith(b"--user-data-dir=")
    }
    assert profiles and not any(Path(p).exists() for p in profiles), profiles
    pdfs, pages = (len(list((out / "councils").glob(f"*.{s}"))) for s in ("pdf", "html"))
    assert pdfs < pages  # it was stopped mid-run
