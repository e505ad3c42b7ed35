"""write_outputs: the summary workbook and the data files, written side by side with jobs > 1,
are the same files as written one after the other; an error in either is raised, never lost."""

from __future__ import annotations

import os
import pickle
import zipfile
from pathlib import Path

import pytest

from npsxl.collation.run import collate
from npsxl.core.errors import CouncilNotFound, ModelError, OutputError
from npsxl.core.problems import Location, Problem, Severity
from npsxl.report import outputs
from npsxl.report.outputs import write_outputs

COUNCILS = ["Leeds", "Bradford", "Kent", "Cornwall"]


@pytest.fixture
def collation(filled, model, register):
    paths = [filled(name) for name in COUNCILS]
    return collate(paths, register, model=model)


def parts(path: Path) -> dict[str, bytes]:
    """A workbook's parts but the one that holds the time it was made."""
    with zipfile.ZipFile(path) as archive:
        return {n: archive.read(n) for n in archive.namelist() if n != "docProps/core.xml"}


def contents(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.skipif(not outputs._can_fork(), reason="the side-by-side path needs fork")
def test_two_jobs_write_the_same_files_as_one(collation, tmp_path):
    one = write_outputs(collation, tmp_path / "1" / "summary.xlsx", tmp_path / "1" / "data")
    two = write_outputs(collation, tmp_path / "2" / "summary.xlsx", tmp_path / "2" / "data", jobs=2)
    assert [p.name for p in two[1]] == [p.name for p in one[1]]
    assert two[0] == tmp_path / "2" / "summary.xlsx"
    assert all(p.parent == tmp_path / "2" / "data" for p in two[1])
    assert contents(tmp_path / "2" / "data") == contents(tmp_path / "1" / "data")
    assert parts(two[0]) == parts(one[0])


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_data_folder_that_cannot_be_made_is_an_output_error(collation, tmp_path, jobs):
    blocker = tmp_path / "data"
    blocker.write_text("a file where the folder should be")
    with pytest.raises(OutputError, match="cannot write to"):
        write_outputs(collation, tmp_path / "summary.xlsx", blocker / "inner", jobs=jobs)
    assert blocker.read_text() == "a file where the folder should be"


@pytest.mark.skipif(not outputs._can_fork(), reason="the side-by-side path needs fork")
def test_a_crash_writing_the_data_files_is_an_output_error(collation, tmp_path, monkeypatch):
    monkeypatch.setattr(outputs, "write_data", lambda *args, **kwargs: os._exit(3))
    with pytest.raises(OutputError, match=r"data files in .*crashed.*--jobs 1"):
        write_outputs(collation, tmp_path / "summary.xlsx", tmp_path / "data", jobs=2)


def test_without_force_an_existing_output_stops_both_before_anything_is_written(
    collation, tmp_path
):
    workbook = tmp_path / "summary.xlsx"
    workbook.write_bytes(b"kept")
    with pytest.raises(OutputError, match="already exists"):
        write_outputs(collation, workbook, tmp_path / "data", force=False, jobs=2)
    assert workbook.read_bytes() == b"kept"
    assert not (tmp_path / "data").exists()


def test_errors_with_details_come_back_whole_from_a_worker_process():
    problem = Problem(
        "model-invalid", "bad level", Location(file="model.yaml", line=3), Severity.ERROR
    )
    error = pickle.loads(pickle.dumps(ModelError("model.yaml is invalid", [problem])))
    assert error.problems == [problem] and str(error).startswith("model.yaml is invalid")
    missing = pickle.loads(pickle.dumps(CouncilNotFound("Leedz", ["Leeds"])))
    assert (missing.query, missing.suggestions) == ("Leedz", ["Leeds"])
    assert str(missing) == str(CouncilNotFound("Leedz", ["Leeds"]))


def test_a_chase_list_with_nothing_to_chase_says_so(filled, model, register, tmp_path):
    import openpyxl

    from npsxl.model.register import Register

    two = Register(tuple(register.match(name) for name in ("Leeds", "Kent")), source="two.csv")
    collation = collate([filled("Leeds"), filled("Kent")], two, model=model)
    workbook, _ = write_outputs(collation, tmp_path / "summary.xlsx", tmp_path / "data")
    rows = openpyxl.load_workbook(workbook)["Not returned"].iter_rows(values_only=True)
    titles = [row[0] for row in rows if row[0] and str(row[0]).startswith(("Nothing", "Received"))]
    assert titles == [
        "Nothing received (0): every council of the register sent at least one file",
        "Received but rejected (0 files): no council's files were all rejected",
    ]
