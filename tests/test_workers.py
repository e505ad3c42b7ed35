"""No single file stops a batch: a file that crashes the reader's process, hangs it, or makes
the native parser panic is rejected, and every other file is still read (npsxl.reading.workers)."""

from __future__ import annotations

import csv
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import time
import types
from pathlib import Path

import pytest
import python_calamine
from click.testing import CliRunner
from conftest import codes

import npsxl.reading.book
import npsxl.reading.reader
from npsxl.cli import cli
from npsxl.core.errors import is_native_panic
from npsxl.reading.batch import read_returns
from npsxl.reading.reader import read_return
from npsxl.reading.returns import Return, Status

ROOT = Path(__file__).resolve().parent.parent


class PanicException(BaseException):
    """What pyo3 raises for a panic in Rust code (a BaseException, not an Exception)."""


PanicException.__module__ = "pyo3_runtime"


def troublesome_reader(path: str) -> Return:
    """Reads a file by its name: 'crash' ends the process at once, as a crash in native code
    would (no exception, no clean-up); 'hang' never finishes; 'panic' panics."""
    name = os.path.basename(path)
    if "crash" in name:
        os._exit(3)
    if "hang" in name:
        time.sleep(60)  # long enough to fail the test when nothing stops it
    if "panic" in name:
        raise PanicException("index out of bounds: the len is 2 but the index is 4")
    return Return(path=path, council_name=name)


def names(count: int, trouble: dict[int, str]) -> list[str]:
    return [f"/returns/{i:03d}-{trouble.get(i, 'fine')}.xlsx" for i in range(count)]


def test_a_file_that_crashes_the_reader_is_rejected_and_the_rest_are_read():
    paths = names(40, {7: "crash", 31: "crash"})
    seen = []
    returns = read_returns(paths, [], reader=troublesome_reader, jobs=2, progress=seen.append)
    assert [r.path for r in returns] == paths  # every file once, in input order
    assert seen == returns
    for ret in returns:
        if "crash" in ret.path:
            assert ret.status == Status.REJECTED
            assert codes(ret) == ["reader-crashed"]
            assert "stopped the reader's process" in ret.problems[0].message
            assert ret.problems[0].location.file == ret.path
            assert ret.problems[0].hint
        else:
            assert ret.status == Status.ACCEPTED
            assert ret.council_name == os.path.basename(ret.path)


def test_a_file_that_hangs_the_reader_times_out_and_the_rest_are_read():
    paths = names(12, {4: "hang"})
    started = time.monotonic()
    returns = read_returns(paths, [], reader=troublesome_reader, jobs=2, timeout=1.0)
    assert time.monotonic() - started < 30
    assert [r.path for r in returns] == paths
    hung = returns[4]
    assert codes(hung) == ["read-timeout"]
    assert "longer than 1 seconds" in hung.problems[0].message
    assert all(r.status == Status.ACCEPTED for i, r in enumerate(returns) if i != 4)


def test_crashes_and_hangs_together():
    paths = names(30, {0: "crash", 10: "hang", 29: "crash"})
    returns = read_returns(paths, [], reader=troublesome_reader, jobs=3, timeout=1.0)
    assert [r.path for r in returns] == paths
    assert {i: codes(r) for i, r in enumerate(returns) if r.problems} == {
        0: ["reader-crashed"],
        10: ["read-timeout"],
        29: ["reader-crashed"],
    }


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_panic_in_native_code_rejects_the_file_only(jobs):
    paths = names(6, {2: "panic"})
    returns = read_returns(paths, [], reader=troublesome_reader, jobs=jobs)
    assert [r.path for r in returns] == paths
    assert codes(returns[2]) == ["read-failed"]
    assert "PanicException: index out of bounds" in returns[2].problems[0].message
    assert all(r.status == Status.ACCEPTED for i, r in enumerate(returns) if i != 2)


def interrupted_reader(path: str) -> Return:
    raise KeyboardInterrupt


def test_ctrl_c_still_stops_the_batch():
    with pytest.raises(KeyboardInterrupt):
        read_returns(names(3, {}), [], reader=interrupted_reader, jobs=1)


def test_what_counts_as_a_native_panic():
    assert is_native_panic(PanicException("boom"))
    assert not is_native_panic(KeyboardInterrupt())
    assert not is_native_panic(ValueError("boom"))

    class Other(BaseException):
        pass

    Other.__name__ = "PanicException"  # the name alone is not enough
    assert not is_native_panic(Other())


def test_read_return_turns_a_parser_panic_into_a_damaged_file(monkeypatch, workbook_path):
    class PanickyWorkbook:
        @staticmethod
        def from_filelike(_):
            raise PanicException("called `Option::unwrap()` on a `None` value")

    fake = types.SimpleNamespace(**vars(python_calamine))
    fake.CalamineWorkbook = PanickyWorkbook
    monkeypatch.setattr(npsxl.reading.book, "python_calamine", fake)
    ret = read_return(workbook_path, [])
    assert ret.status == Status.REJECTED
    assert codes(ret) == ["corrupt-file"]
    assert "the spreadsheet parser failed on it" in ret.problems[0].message
    assert "Option::unwrap()" in ret.problems[0].message


@pytest.fixture
def workbook_path(tmp_path):
    source = ROOT / "samples" / "returns" / "E06000001-Hartlepool-Borough-Council.xlsx"
    target = tmp_path / source.name
    shutil.copy(source, target)
    return str(target)


@pytest.mark.skipif(
    multiprocessing.get_start_method() != "fork",
    reason="the workers must inherit the patched reader, which only fork does",
)
def test_collate_cli_accounts_for_a_crashing_file(monkeypatch, tmp_path):
    real = npsxl.reading.reader.read_return

    def crashing_read_return(path, models, register=None, **kwargs):
        if "crash" in os.path.basename(path):
            os._exit(9)
        return real(path, models, register, **kwargs)

    monkeypatch.setattr(npsxl.reading.reader, "read_return", crashing_read_return)
    returns = tmp_path / "returns"
    shutil.copytree(ROOT / "samples" / "returns", returns)
    shutil.copy(returns / "E06000001-Hartlepool-Borough-Council.xlsx", returns / "crash.xlsx")
    data = tmp_path / "data"
    result = CliRunner().invoke(
        cli,
        ["collate", str(returns), "--jobs", "2", "--out", str(tmp_path / "s.xlsx")]
        + ["--data-dir", str(data)],
    )
    assert result.exit_code == 1, result.output
    with open(data / "returns.csv", encoding="utf-8-sig") as handle:
        log = {Path(row["source_file"]).name: row for row in csv.DictReader(handle)}
    assert len(log) == len(list(returns.iterdir()))
    assert log["crash.xlsx"]["status"] == Status.REJECTED
    assert "stopped the reader's process" in log["crash.xlsx"]["problems"]
    assert log["E06000001-Hartlepool-Borough-Council.xlsx"]["status"] == Status.ACCEPTED


@pytest.mark.parametrize("method", ["spawn", "forkserver"])
def test_validate_in_workers_under_each_start_method(method):
    """fork is the default here; macOS and Windows start workers by spawn."""
    if method not in multiprocessing.get_all_start_methods():
        pytest.skip(f"{method} is not available on this platform")
    returns = str(ROOT / "samples" / "returns")
    alone = CliRunner().invoke(cli, ["validate", returns, "--format", "json"])
    script = (
        "import multiprocessing, sys\n"
        "multiprocessing.set_start_method(sys.argv[1])\n"
        "from npsxl.cli import main\n"
        "main(sys.argv[2:])\n"
    )
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    workers = subprocess.run(
        [sys.executable, "-c", script, method, "validate", returns, "--format", "json"]
        + ["--jobs", "2"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    assert (workers.returncode, alone.exit_code) == (1, 1), workers.stderr
    assert json.loads(workers.stdout) == json.loads(alone.stdout)
