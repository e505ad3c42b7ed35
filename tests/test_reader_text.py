"""Text arrives as typed: levels with invisible characters around or inside them, text with
tabs, runs of spaces and line breaks in every format (ods through LibreOffice), and the
messages about files that cannot be read (an ods saved with a password)."""

from __future__ import annotations

import os
import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import LEVELS, codes, soffice_convert
from hypothesis import given, settings
from hypothesis import strategies as st
from test_reader import edit, only

from npsxl.reading.levels import parse_level
from npsxl.reading.reader import read_return
from npsxl.reading.returns import Status
from npsxl.workbook import layout as L

INVISIBLE = ["\u200b", "\ufeff", "\u00ad", "\u2060", "\u200c", "\u200d", "\u200e", "\u202a"]


@pytest.fixture
def leeds(filled):
    return filled("Leeds")


# --- levels with invisible characters ---------------------------------------------------------
@pytest.mark.parametrize(
    ("typed", "level", "issue"),
    [
        ("\u200bMature", "Mature", ""),
        ("Mature\ufeff", "Mature", ""),
        ("\ufeffMa\u00adture\u200b", "Mature", ""),
        ("\u2060Leader\u200d", "Leader", ""),
        ("\u00a0Mature", "Mature", "loose"),  # a space, if a no-break one: as "Mature " is
        ("\u00a0\u200bmature\u00a0", "Mature", "loose"),
        ("Level\u00a03\u200b - Mature", "Mature", "loose"),
        ("\u200b", None, ""),  # nothing visible: blank
        ("\u200bVery good", None, "bad"),
    ],
)
def test_invisible_characters_around_a_level_are_removed(typed, level, issue, model):
    assert parse_level(typed, model) == (level, issue)


@settings(max_examples=300, deadline=None)
@given(
    level=st.sampled_from(LEVELS),
    before=st.lists(st.sampled_from(INVISIBLE), max_size=3),
    after=st.lists(st.sampled_from(INVISIBLE), max_size=3),
    inside=st.lists(st.tuples(st.integers(0, 20), st.sampled_from(INVISIBLE)), max_size=3),
)
def test_a_level_with_invisible_characters_anywhere_is_the_level(
    model, level, before, after, inside
):
    word = list(level)
    for position, char in inside:
        word.insert(position % (len(word) + 1), char)
    typed = "".join(before) + "".join(word) + "".join(after)
    assert parse_level(typed, model) == (level, "")
    spaced = "\u00a0" + typed + " "
    assert parse_level(spaced, model) == (level, "loose")


def test_a_level_pasted_with_invisible_characters_counts_without_a_warning(leeds, model):
    def paste(wb):
        wb[L.ASSESSMENT]["I8"] = "\u200bMature\ufeff"  # L3's current level
        wb[L.ASSESSMENT]["J8"] = "Lea\u00adder"  # and its target

    result = read_return(edit(leeds, paste, "pasted.xlsx"), model)
    assert (result.answers["L3"].current, result.answers["L3"].target) == ("Mature", "Leader")
    assert "unknown-level" not in codes(result) and "level-not-from-list" not in codes(result)
    assert result.status == Status.ACCEPTED


def test_a_no_break_space_around_a_level_is_accepted_with_a_warning(leeds, model):
    def paste(wb):
        wb[L.ASSESSMENT]["I8"] = "Mature\u00a0"

    result = read_return(edit(leeds, paste, "nbsp.xlsx"), model)
    assert result.answers["L3"].current == "Mature"
    (problem,) = only(result, "level-not-from-list")
    assert (problem.location.cell, problem.location.item_id) == ("I8", "L3")
    assert "is 'Mature\\xa0', not the dropdown text" in problem.message  # the space shown


# --- files saved with a password ----------------------------------------------------------------
_SAVE_WITH_PASSWORD = """
import subprocess, sys, time, uno
from com.sun.star.beans import PropertyValue
src, dst, password, profile, port = sys.argv[1:6]
def prop(name, value):
    p = PropertyValue(); p.Name, p.Value = name, value; return p
office = subprocess.Popen(["soffice", "--headless", "--norestore",
                           "-env:UserInstallation=" + profile,
                           f"--accept=socket,host=127.0.0.1,port={port};urp;"],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
desktop = None
try:
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local)
    for _ in range(120):
        try:
            ctx = resolver.resolve(
                f"uno:socket,host=127.0.0.1,port={port};urp;StarOffice.ComponentContext")
            break
        except Exception:
            time.sleep(0.5)
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(src), "_blank", 0,
                                       (prop("Hidden", True),))
    doc.storeToURL(uno.systemPathToFileUrl(dst),
                   (prop("FilterName", "calc8"), prop("Password", password)))
    doc.close(True)
finally:
    try:
        desktop.terminate()  # the office itself, whichever process it runs in now
    except Exception:
        office.kill()
    office.wait(timeout=60)
"""


def save_ods_with_password(src: Path, dst: Path, password: str) -> Path:
    """``src`` saved by LibreOffice as an ods with a password to open it (through its Python
    bridge: the command line's --convert-to cannot set one)."""
    python = "/usr/bin/python3"
    found = subprocess.run([python, "-c", "import uno"], capture_output=True)
    if found.returncode:
        pytest.fail("LibreOffice's Python bridge (python3-uno) is not installed")
    profile = f"file://{dst.parent / '.lo-profile-uno'}"
    port = str(2300 + os.getpid() % 1000)
    subprocess.run(
        [python, "-c", _SAVE_WITH_PASSWORD, str(src), str(dst), password, profile, port],
        check=True,
        capture_output=True,
        timeout=240,
    )
    assert dst.stat().st_size > 1000, f"no {dst} from LibreOffice"
    return dst


def test_an_ods_saved_with_a_password_is_encrypted_not_corrupt(leeds, model, tmp_path):
    locked = save_ods_with_password(leeds, tmp_path / "locked.ods", "secret")
    with zipfile.ZipFile(locked) as archive:
        assert b"encryption-data" in archive.read("META-INF/manifest.xml")
    result = read_return(locked, model)
    assert codes(result) == ["encrypted"] and result.status == Status.REJECTED
    (problem,) = result.problems
    assert "saved with a password" in problem.message and "corrupt" not in problem.message
    assert "without a password" in problem.hint
    assert problem.location.file == str(locked)
    open_copy = soffice_convert([leeds], "ods", tmp_path / "open")[leeds.stem]
    assert read_return(open_copy, model).status == Status.ACCEPTED  # the same, no password


# --- a fingerprint that differs ---------------------------------------------------------------
def test_a_fingerprint_mismatch_shows_where_the_fingerprints_differ(leeds, model):
    """Two fingerprints that share their first dozen characters: the message shows the
    first character that differs, in brackets, with its neighbours and its position."""
    edited = model.fingerprint[:40] + ("0" if model.fingerprint[40] != "0" else "1")
    edited += model.fingerprint[41:]

    def change(wb):
        wb[L.METADATA]["B4"] = edited

    result = read_return(edit(leeds, change, "fingerprint.xlsx"), model)
    (problem,) = only(result, "fingerprint-mismatch")
    assert (problem.location.sheet, problem.location.cell) == (L.METADATA, "B4")
    assert "at character 41" in problem.message
    assert f"...{edited[32:40]}[{edited[40]}]{edited[41:49]}..." in problem.message
    expected = model.fingerprint
    assert f"...{expected[32:40]}[{expected[40]}]{expected[41:49]}..." in problem.message
    assert result.status == Status.REJECTED


# --- text exactly as typed, in every format ---------------------------------------------------
TYPED_TEXT = {
    "L1": ("Step one:\tcontracts register\tchecked", "Two  spaces,   three,    four"),
    # (LibreOffice itself drops a tab from a cell of several lines when it opens an xlsx)
    "L2": ("Line one\nLine two\n\nLine four", "Two  spaces\nand   three"),
    "L3": ("a\t\tb", "x \t y"),
    # white space at the ends is part of what was typed too
    "L4": ("  indented evidence", "actions, then two spaces  "),
}


@pytest.fixture(scope="module")
def typed_text(model, register, tmp_path_factory):
    """A generated return with tabs, runs of spaces and line breaks typed in evidence and
    actions, as xlsx (openpyxl) and as LibreOffice saves it in ods and xls; and an xlsb."""
    from conftest import sample_answers
    from test_reader import cell_of, xlsb_copy

    from npsxl.workbook.writer import build_workbook

    folder = tmp_path_factory.mktemp("typed-text")
    generated = folder / "generated.xlsx"
    build_workbook(model, generated, register.match("Leeds"), answers=sample_answers(model))

    def type_text(wb):
        ws = wb[L.ASSESSMENT]
        for item_id, (evidence, actions) in TYPED_TEXT.items():
            ws[cell_of(ws, item_id, "evidence")] = evidence
            ws[cell_of(ws, item_id, "actions")] = actions

    xlsx = edit(generated, type_text, "typed.xlsx")
    files = {"xlsx": xlsx}
    for fmt in ("ods", "xls"):
        files[fmt] = soffice_convert([xlsx], fmt, folder / fmt)["typed"]
    files["xlsb"] = xlsb_copy(xlsx, folder / "typed.xlsb")
    return files


@pytest.mark.parametrize("fmt", ["xlsx", "ods", "xls", "xlsb"])
def test_tabs_spaces_and_line_breaks_arrive_exactly_as_typed(fmt, typed_text, model):
    path = typed_text[fmt]
    if fmt == "ods":
        with zipfile.ZipFile(path) as archive:
            content = archive.read("content.xml")
        assert b"<text:tab/>" in content and b"<text:s" in content  # what the parser loses
    result = read_return(path, model)
    assert result.format == fmt and result.status == Status.ACCEPTED, codes(result)
    for item_id, (evidence, actions) in TYPED_TEXT.items():
        answer = result.answers[item_id]
        assert (answer.evidence, answer.actions) == (evidence, actions), (fmt, item_id)


def test_an_ods_line_break_and_a_tab_in_one_paragraph_arrive_as_typed(typed_text, model, tmp_path):
    """Other applications write a line break inside a paragraph (<text:line-break/>), which
    the parser drops as it drops tabs; a comment on the cell is not its text."""
    from test_safety import rezip

    with zipfile.ZipFile(typed_text["ods"]) as archive:
        content = archive.read("content.xml")
    lines = b"<text:p>Line one</text:p><text:p>Line two</text:p>"
    assert content.count(lines) == 1
    content = content.replace(
        lines,
        b"<office:annotation><text:p>a comment</text:p></office:annotation>"
        b"<text:p>Line one<text:line-break/>Line<text:tab/><text:span>two</text:span></text:p>",
    )
    path = rezip(typed_text["ods"], tmp_path / "line-break.ods", {"content.xml": content})
    result = read_return(path, model)
    assert result.answers["L2"].evidence == "Line one\nLine\ttwo\n\nLine four"
    assert result.answers["L1"].evidence == TYPED_TEXT["L1"][0]
