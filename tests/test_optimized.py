"""Checks that guard behaviour hold under ``python -O``, which strips every ``assert``: the
package has no asserts, and its guards raise real exceptions in an optimised interpreter."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_optimized(code: str, *, path: list[Path] = ()) -> subprocess.CompletedProcess:
    """``code`` in a fresh ``python -O``, with ``path`` ahead of the project on sys.path."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([*map(str, path), str(ROOT)])}
    return subprocess.run(
        [sys.executable, "-O", "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )


def test_the_package_guards_nothing_with_assert():
    found = []
    for path in sorted((ROOT / "npsxl").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found += [
            f"{path.relative_to(ROOT)}:{n.lineno}"
            for n in ast.walk(tree)
            if isinstance(n, ast.Assert)
        ]
    assert found == [], "python -O drops asserts: raise a real exception instead"


def test_the_interpreter_strips_asserts_in_these_runs():
    result = run_optimized("assert False, 'not stripped'\nprint('stripped')")
    assert result.stdout.strip() == "stripped", result.stderr


def test_a_defusedxml_that_does_not_refuse_a_dtd_stops_the_reader(tmp_path):
    fake = tmp_path / "defusedxml"
    fake.mkdir()
    (fake / "__init__.py").write_text("class DTDForbidden(ValueError):\n    pass\n")
    (fake / "ElementTree.py").write_text(
        "from xml.etree.ElementTree import fromstring as _parse, iterparse\n"
        "def fromstring(data, forbid_dtd=False):\n"
        "    return _parse(data)\n"
    )
    shadowed = run_optimized(
        """
        try:
            import npsxl.reading.reader
        except ImportError as exc:
            print("refused:", exc)
        """,
        path=[tmp_path],
    )
    assert "refused: the defusedxml module found" in shadowed.stdout, shadowed.stderr
    assert str(fake) in shadowed.stdout
    real = run_optimized("import npsxl.reading.reader; print('loaded')")
    assert real.stdout.strip() == "loaded", real.stderr


def test_a_worker_function_run_outside_its_pool_raises():
    result = run_optimized(
        """
        from npsxl.core.pool import _run_chunk
        from npsxl.reading.workers import _read
        for call in (lambda: _run_chunk([(0, "task")]), lambda: _read("return.xlsx")):
            try:
                call()
            except RuntimeError as exc:
                print("refused:", exc)
        """
    )
    assert result.stdout.splitlines() == [
        "refused: the worker process was not started by run_tasks",
        "refused: the worker process was not given a reader",
    ], result.stderr


def test_data_rows_refuse_formats_that_were_not_indexed():
    result = run_optimized(
        """
        import io
        import pandas as pd
        import xlsxwriter
        from npsxl.report.sheet_rows import DataRows

        workbook = xlsxwriter.Workbook(io.BytesIO())
        rows = DataRows()
        rows.text_format, rows.number_format = workbook.add_format(), workbook.add_format()
        rows.widths = [10.0]
        try:
            rows.rows_xml(pd.DataFrame({"a": ["x"]}), 2)
        except RuntimeError as exc:
            print("refused:", exc)
        """
    )
    assert result.stdout.strip() == (
        "refused: the Data sheet's formats must be indexed before its rows"
    ), result.stderr
