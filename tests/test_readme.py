"""The README's library example runs as written, and makes what its comments say."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def library_example() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## The library\n", 1)[1]
    found = re.search(r"```python\n(.*?)```", section, re.S)
    assert found, "the README's 'The library' section has no Python example"
    return found.group(1)


def test_the_readme_s_library_example_runs(filled, tmp_path, monkeypatch):
    work = tmp_path / "work"
    (work / "returns").mkdir(parents=True)
    shutil.copy(filled("Leeds"), work / "returns" / "leeds-return.xlsx")
    monkeypatch.chdir(work)
    namespace: dict = {}
    exec(compile(library_example(), "README.md (The library)", "exec"), namespace)
    blank = namespace["ret"]  # the example reads the blank workbook it made: no levels at all
    assert not blank.accepted and blank.problems
    result = namespace["result"]
    assert [r.accepted for r in result.returns] == [True]
    assert (work / "leeds.xlsx").is_file()
    assert (work / "output" / "nps-summary.xlsx").is_file()
    for name in ("returns.csv", "answers.csv", "summary.csv", "answers.jsonl"):
        assert (work / "output" / "data" / name).is_file(), name
    assert list((work / "output" / "report").glob("*.pdf")), "no PDF report"
