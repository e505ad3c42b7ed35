"""Text arrives as typed: levels with invisible characters around or inside them, text with
tabs, runs of spaces and line breaks in every format (ods through LibreOffice), and the
messages about files that cannot be read (an ods saved with a password)."""

from __future__ import annotations

import pytest
from conftest import LEVELS, codes
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
