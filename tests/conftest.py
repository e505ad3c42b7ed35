"""Shared fixtures: the shipped model and register, filled workbooks, and LibreOffice."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from npsxl.model.answers import Answer, Respondent
from npsxl.model.defaults import packaged_register
from npsxl.model.loading import load_model
from npsxl.workbook.writer import build_workbook

ROOT = Path(__file__).resolve().parent.parent
LEVELS = ("Minimum", "Developing", "Mature", "Leader", "Innovator")


@pytest.fixture(scope="session")
def model():
    return load_model(ROOT / "model.yaml")


@pytest.fixture(scope="session")
def register():
    return packaged_register("2018")


def without_lineage(model_text: str) -> str:
    """A model file's text without its ``replaces:`` block (the lineage, at the end): for
    tests that edit the shipped model into something that is not its next version."""
    return model_text[: model_text.index("\nreplaces:")] + "\n"


def codes(result) -> list[str]:
    """The problem codes of a Return (or anything with ``problems``), in order."""
    return [p.code for p in result.problems]


def flip_a_byte(src: Path, dst: Path, part: str) -> Path:
    """A copy of the zip ``src`` with one byte flipped halfway into ``part``'s compressed data."""
    data = bytearray(src.read_bytes())
    with zipfile.ZipFile(src) as archive:
        info = archive.getinfo(part)
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    data[start + info.compress_size // 2] ^= 0xFF
    dst.write_bytes(bytes(data))
    return dst


def column_pixels_of(ws, first_col: int, last_col: int) -> float:
    """The width in pixels of an openpyxl sheet's columns ``first_col``..``last_col`` (1-based),
    from the widths stored (Excel's, with its 5 pixels of padding; ranges are grouped)."""

    def width(col: int) -> float:
        for dim in ws.column_dimensions.values():
            if dim.min is not None and dim.min <= col <= dim.max and dim.width:
                return dim.width
        raise AssertionError(f"{ws.title} column {col} has no width set")

    return sum(round(width(col) * 7) for col in range(first_col, last_col + 1))


def sample_answers(model, seed: int = 0) -> dict[str, Answer]:
    """Deterministic, complete answers: current cycles through the levels, target one above."""
    answers = {}
    for i, item in enumerate(model.items):
        current = 1 + (i + seed) % 4
        answers[item.id] = Answer(
            item.id,
            LEVELS[current - 1],
            LEVELS[current],
            f"Evidence for {item.id}",
            f"Actions for {item.id}",
            dt.date(2028, 3, 31),
        )
    return answers


@pytest.fixture
def filled(model, register, tmp_path):
    """A factory: ``filled(council="Leeds", answers=None)`` -> the path of a filled return."""

    def make(council="Leeds", answers=None, filename=None, personalised=True, **kwargs):
        chosen = register.match(council) if council else None
        path = tmp_path / (filename or f"{(chosen.code if chosen else 'blank')}.xlsx")
        build_workbook(
            model,
            path,
            chosen if personalised else None,
            councils=() if personalised else list(register),
            answers=sample_answers(model) if answers is None else answers,
            respondent=kwargs.pop(
                "respondent",
                Respondent(
                    "A. Officer",
                    "Head of Procurement",
                    "a.officer@example.org",
                    dt.date(2026, 11, 2),
                ),
            ),
            **kwargs,
        )
        return path

    return make


def soffice_convert(paths: list[Path], target: str, out_dir: Path) -> dict[str, Path]:
    """Convert several files in one headless LibreOffice run; ``target`` is e.g. 'ods',
    'xls', 'pdf' or 'xlsx:Calc MS Excel 2007 XML'. Returns {source stem: converted path}."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.fail(
            "LibreOffice (soffice) is not installed; .ci/run installs libreoffice-calc-nogui"
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    profile = out_dir.parent / ".lo-profile"
    subprocess.run(
        [
            soffice,
            "--headless",
            "--norestore",
            f"-env:UserInstallation=file://{profile}",
            "--convert-to",
            target,
            "--outdir",
            str(out_dir),
            *map(str, paths),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    extension = target.split(":")[0]
    results = {}
    for path in paths:
        result = out_dir / f"{path.stem}.{extension}"
        assert result.exists() and result.stat().st_size > 1000, f"no {result} from LibreOffice"
        results[path.stem] = result
    return results
