"""Tests for the strategy model: the shipped model.yaml, the strict loader and the fingerprint."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import signal
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml

from npsxl.core.errors import ModelError
from npsxl.model.fingerprint import canonical_content
from npsxl.model.loading import MAX_MODEL_BYTES, check_model_text, load_model, model_from_text
from npsxl.model.model import (
    ENABLER,
    ENABLERS_GROUP_ID,
    KEY_AREA,
    Brand,
    ColourPair,
    Group,
    Item,
    Level,
    Model,
    contrast_ratio,
)

ROOT = Path(__file__).resolve().parents[1]
MODEL_PATH = ROOT / "model.yaml"
SOURCE_TEXT = ROOT / "sources" / "national-procurement-strategy-2018.txt"
SHIPPED = MODEL_PATH.read_text(encoding="utf-8")
LEVEL_NAMES = ("Minimum", "Developing", "Mature", "Leader", "Innovator")
KEY_AREA_IDS = ("L1", "L2", "L3", "L4", "C1", "C2", "C3", "B1", "B2", "B3")
ENABLER_IDS = ("E1", "E2", "E3", "E4")
# Items whose text was rebuilt from a damaged source; each says so in its text_note.
TEXT_NOTE_IDS = {"L2", "L3", "L4", "C1", "C3", "B1", "B2"}

# A small valid model. The line numbers in the tests below refer to this text: keep it stable.
MINIMAL = """\
id: mini
version: "1.0"
title: Mini strategy
short_name: Mini
publisher: Test publisher
published: "2018-06"
source_url: https://example.org/mini
purpose: A small model for tests.
brand:
  organisation: Test organisation
  strategy_short_name: Mini
  font: Arial
  logo: null
  colours:
    header: {background: "#1F3864", text: "#FFFFFF"}
    theme: {background: "#D9E2F3", text: "#1F3864"}
    input: {background: "#FFF2CC", text: "#000000"}
    chosen: {background: "#C6EFCE", text: "#00501E"}
    target: {background: "#BDD7EE", text: "#1F3864"}
    warning: {background: "#FFC7CE", text: "#8A0005"}
    muted: {background: "#FFFFFF", text: "#595959"}
levels:
  - {name: Low, score: 1}
  - {name: Middle, score: 2}
  - {name: High, score: 3}
themes:
  - id: LEAD
    name: Leading
    key_areas:
      - id: L1
        name: Engaging people
        description: Engaging people refers to engagement.
        what_it_is: People are engaged.
        why_it_is_important: Engagement matters.
        levels:
          Low: No engagement.
          Middle: Some engagement.
          High: Full engagement.
      - id: L2
        name: Working together
        description: >-
          Working together refers to
          joint working.
        what_it_is: Teams work together.
        why_it_is_important: Together is better.
        levels:
          Low: Alone.
          Middle: Sometimes together.
          High: Always together.
enablers_description: Things that help.
enablers:
  - id: E1
    name: Developing talent
    levels:
      Low: Recruits staff.
      Middle: Trains staff.
      High: Plans talent.
"""


def edit(text: str, old: str, new: str) -> str:
    """Replace ``old`` (which must occur exactly once) with ``new``."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def line_of(text: str, needle: str) -> int:
    """The 1-based line on which the unique ``needle`` starts."""
    assert text.count(needle) == 1, f"{needle!r} occurs {text.count(needle)} times"
    return text[: text.index(needle)].count("\n") + 1


def problems_of(text: str, filename: str = "model.yaml"):
    """The problems of a model text that must fail, checked to be raised as one ModelError."""
    model, problems = check_model_text(text, filename)
    assert model is None
    with pytest.raises(ModelError) as caught:
        model_from_text(text, filename)
    assert [str(p) for p in caught.value.problems] == [str(p) for p in problems]
    return problems


@contextmanager
def time_limit(seconds: float):
    """Fail (instead of hanging) if the block takes longer than ``seconds``."""

    def expire(signum, frame):
        raise TimeoutError(f"took longer than {seconds}s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture(scope="module")
def shipped() -> Model:
    return load_model(MODEL_PATH)


def all_texts(model: Model):
    """Every piece of text in a model, with a label saying where it is."""
    for key in ("title", "short_name", "publisher", "purpose"):
        yield key, getattr(model, key)
    yield "enablers_description", model.enablers.description
    for level in model.levels:
        yield f"level {level.score}", level.name
    for group in model.groups:
        yield f"{group.id} name", group.name
        for item in group.items:
            for key in ("name", "description", "what_it_is", "why_it_is_important", "text_note"):
                yield f"{item.id} {key}", getattr(item, key)
            for level, descriptor in zip(model.levels, item.descriptors, strict=True):
                yield f"{item.id} {level.name}", descriptor


def normalised_source() -> str:
    assert SOURCE_TEXT.is_file(), f"the strategy source text is missing: {SOURCE_TEXT}"
    text = SOURCE_TEXT.read_text(encoding="utf-8")
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text))


# --- the shipped model ---------------------------------------------------------------------------


def test_shipped_model_has_the_strategy_structure(shipped):
    assert [theme.id for theme in shipped.themes] == ["LEADERSHIP", "COMMERCIAL", "BENEFITS"]
    assert [theme.name for theme in shipped.themes] == [
        "Showing leadership",
        "Behaving commercially",
        "Achieving community benefits",
    ]
    assert tuple(item.id for item in shipped.key_areas) == KEY_AREA_IDS
    assert tuple(item.id for item in shipped.enablers.items) == ENABLER_IDS
    assert len(shipped.items) == 14
    assert [len(theme.items) for theme in shipped.themes] == [4, 3, 3]
    assert shipped.levels == tuple(Level(name, i) for i, name in enumerate(LEVEL_NAMES, 1))
    assert shipped.level_names == LEVEL_NAMES
    assert (shipped.id, shipped.version, shipped.published) == ("nps-2018", "1.0.1", "2018-06")
    assert shipped.source == str(MODEL_PATH)


def test_shipped_model_is_typed(shipped):
    assert isinstance(shipped, Model)
    assert isinstance(shipped.brand, Brand)
    assert all(isinstance(g, Group) for g in shipped.groups)
    assert all(isinstance(i, Item) for i in shipped.items)
    assert {i.kind for i in shipped.key_areas} == {KEY_AREA}
    assert {i.kind for i in shipped.enablers.items} == {ENABLER}
    assert shipped.enablers.id == ENABLERS_GROUP_ID
    assert [i.group_id for i in shipped.themes[1].items] == ["COMMERCIAL"] * 3
    assert all(isinstance(p, ColourPair) for p in shipped.brand.colours.values())
    assert shipped.item("E4").name == "Embedding change"
    assert shipped.level("Mature").score == 3
    assert shipped.level(5).name == "Innovator"
    with pytest.raises(KeyError):
        shipped.item("Z9")
    with pytest.raises(KeyError):
        shipped.level(6)
    with pytest.raises(dataclasses.FrozenInstanceError):
        shipped.version = "2.0.0"


@pytest.mark.parametrize("item_id", KEY_AREA_IDS)
def test_every_key_area_has_its_guidance_and_five_descriptors(shipped, item_id):
    item = shipped.item(item_id)
    for key in ("name", "description", "what_it_is", "why_it_is_important"):
        assert getattr(item, key).strip(), f"{item_id} {key} is empty"
    assert len(item.descriptors) == 5
    assert all(descriptor.strip() for descriptor in item.descriptors)


@pytest.mark.parametrize("item_id", ENABLER_IDS)
def test_every_enabler_has_five_descriptors(shipped, item_id):
    item = shipped.item(item_id)
    assert item.name.strip()
    assert len(item.descriptors) == 5
    assert all(descriptor.strip() for descriptor in item.descriptors)


NOISE = {
    "markup": re.compile(r"</?[A-Za-z][^<>]*>"),
    "bullet": re.compile(r"[•·▪◦‣\uf0b7]|^\s*[-*]\s"),
    "tab": re.compile(r"\t"),
    "line break": re.compile(r"[\n\r]"),
    "double space": re.compile(r"  "),
    "edge whitespace": re.compile(r"^\s|\s$"),
    "hyphen then space": re.compile(r"[a-z]- [a-z]"),
    "doubled word": re.compile(r"\b(\w+)\s+\1\b", re.IGNORECASE),
    "broken hyphenation": re.compile(
        r"decisionmaking|welldeveloped|endtoend|twoway|inhouse|wholehearted|onesize", re.I
    ),
}


def test_shipped_text_has_no_extraction_noise(shipped):
    found = [
        f"{where}: {kind} {match.group(0)!r}"
        for where, text in all_texts(shipped)
        for kind, pattern in NOISE.items()
        if (match := pattern.search(text))
    ]
    assert found == []


def test_shipped_text_keeps_the_hyphens_of_hyphenated_words(shipped):
    texts = " ".join(text for _, text in all_texts(shipped))
    hyphenated = set(re.findall(r"\b([A-Za-z]+)-([A-Za-z]+)\b", texts))
    joined = [a + b for a, b in hyphenated if re.search(rf"\b{a}{b}\b", texts, re.I)]
    assert joined == []


def test_shipped_ids_are_valid_defined_name_parts_and_unique(shipped):
    ids = [theme.id for theme in shipped.themes] + [item.id for item in shipped.items]
    for item_id in ids:
        assert re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,30}", item_id), item_id
        # A whole defined name, e.g. NPS_L1_CURRENT, must not look like a cell reference.
        assert not re.fullmatch(r"[A-Za-z]{1,3}[0-9]+", f"NPS_{item_id}_X")
    assert len({item_id.upper() for item_id in ids}) == len(ids)
    assert ENABLERS_GROUP_ID not in {item_id.upper() for item_id in ids}


def test_text_notes_mark_every_rebuilt_item(shipped):
    noted = {item.id for item in shipped.items if item.text_note}
    assert noted == TEXT_NOTE_IDS
    garbled = {
        "Engaging senior managers": "description",
        "Working with partners": "description",
        "Managing strategic risk": "description",
        "Obtaining social value": "why it is important",
        "Engaging local SMEs and micro-businesses": "what it is",
    }
    by_name = {item.name: item for item in shipped.items}
    for name, field in garbled.items():
        assert field in by_name[name].text_note.lower(), name


# --- fidelity to the published strategy -------------------------------------------------------

VERBATIM_DESCRIPTORS = ("L1", "L3", "C3", "B1", "B3", "E3", "E4")
VERBATIM_GUIDANCE = ("L1", "C2", "B3")  # key areas whose source text is undamaged


def test_source_text_is_present():
    assert SOURCE_TEXT.is_file(), f"the strategy source text is missing: {SOURCE_TEXT}"


@pytest.mark.parametrize("item_id", VERBATIM_DESCRIPTORS)
def test_level_descriptors_are_verbatim_from_the_source(shipped, item_id):
    source = normalised_source()
    item = shipped.item(item_id)
    missing = [
        level for level, d in zip(LEVEL_NAMES, item.descriptors, strict=True) if d not in source
    ]
    assert missing == []


@pytest.mark.parametrize("item_id", VERBATIM_GUIDANCE)
def test_key_area_guidance_is_verbatim_from_the_source(shipped, item_id):
    source = normalised_source()
    item = shipped.item(item_id)
    for key in ("description", "what_it_is", "why_it_is_important"):
        assert getattr(item, key) in source, f"{item_id} {key}"


def test_names_and_shared_text_are_in_the_source(shipped):
    source = normalised_source()
    for item in shipped.items:
        assert item.name in source, item.name
    for theme in shipped.themes:
        assert theme.name in source, theme.name
    assert shipped.title in source
    assert shipped.enablers.description in source
    for level in LEVEL_NAMES:
        assert level in source


def test_every_what_it_is_without_a_note_is_verbatim(shipped):
    source = normalised_source()
    for item in shipped.key_areas:
        if "what it is" not in item.text_note.lower():
            assert item.what_it_is in source, item.id


def test_the_purpose_says_the_toolkit_is_for_guidance_only(shipped):
    sentence = (
        "The toolkit is for guidance only as a 'one-size-fits-all' approach is not supported "
        "by the sector or advocated in this strategy."
    )
    assert sentence in normalised_source()
    assert sentence in shipped.purpose
    # the purpose is the strategy's paragraph, in its order
    assert shipped.purpose.index("assess their progress.") < shipped.purpose.index(sentence)
    assert shipped.purpose.index(sentence) < shipped.purpose.index("The idea is")


def marked_fields(model):
    """(item id, field) of every text with reconstructed words in [square brackets]."""
    for item in model.items:
        fields = {
            "description": item.description,
            "what_it_is": item.what_it_is,
            "why_it_is_important": item.why_it_is_important,
        }
        fields.update({f"level {n}": d for n, d in zip(LEVEL_NAMES, item.descriptors, strict=True)})
        for field, text in fields.items():
            if "[" in text or "]" in text:
                yield item.id, field, text


def test_reconstructed_words_are_marked_in_every_rebuilt_item_and_only_there(shipped):
    marked = list(marked_fields(shipped))
    assert {item_id for item_id, _, _ in marked} == TEXT_NOTE_IDS
    assert {(i, f) for i, f, _ in marked} == {
        ("L2", "description"),
        ("L3", "description"),
        ("L4", "level Leader"),
        ("C1", "description"),
        ("C3", "description"),
        ("C3", "why_it_is_important"),
        ("B1", "why_it_is_important"),
        ("B2", "why_it_is_important"),
    }
    for item_id, field, text in marked:
        assert re.fullmatch(r"[^\[\]]*(\[[^\[\]]+\][^\[\]]*)+", text), (item_id, field)


def test_words_outside_the_brackets_are_the_strategys(shipped):
    """Every run of words outside the brackets of a rebuilt text is in the source (where the
    source is whole enough to hold it: most rebuilt texts survive only as fragments)."""
    source = normalised_source()
    found = {}
    for item_id, field, text in marked_fields(shipped):
        runs = [run.strip(" .,") for run in re.split(r"\[[^\]]*\]", text)]
        found[item_id, field] = [run for run in runs if len(run) > 12 and run not in source]
    assert found[("L4", "level Leader")] == []
    assert found[("B1", "why_it_is_important")] == []


def test_a_changed_descriptor_is_not_found_in_the_source(shipped):
    """The fidelity check itself can fail."""
    source = normalised_source()
    assert shipped.item("L1").descriptors[0] in source
    assert shipped.item("L1").descriptors[0].replace("purely", "mostly") not in source


# --- the loader: good input -------------------------------------------------------------------


def test_minimal_model_loads_and_line_numbers_in_these_tests_hold():
    model = model_from_text(MINIMAL)
    assert [item.id for item in model.items] == ["L1", "L2", "E1"]
    assert model.item("L2").description == "Working together refers to joint working."
    assert model.item("E1").descriptors == ("Recruits staff.", "Trains staff.", "Plans talent.")
    lines = MINIMAL.splitlines()
    assert lines[13 - 1] == "  logo: null"
    assert lines[30 - 1] == "      - id: L1"
    assert lines[35 - 1] == "        levels:"
    assert lines[46 - 1] == "        levels:"
    assert lines[52 - 1] == "  - id: E1"


def test_crlf_line_endings_and_a_byte_order_mark_are_fine(tmp_path):
    path = tmp_path / "model.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + MINIMAL.replace("\n", "\r\n").encode())
    assert load_model(path).fingerprint == model_from_text(MINIMAL).fingerprint


def test_logo_is_found_relative_to_the_model_file(tmp_path):
    (tmp_path / "art").mkdir()
    (tmp_path / "art" / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    path = tmp_path / "model.yaml"
    path.write_text(edit(MINIMAL, "logo: null", "logo: art/logo.png"), encoding="utf-8")
    assert load_model(path).brand.logo == tmp_path / "art" / "logo.png"


def test_logo_path_the_file_system_cannot_take_is_not_found():
    problems = problems_of(edit(MINIMAL, "logo: null", "logo: " + "x" * 5000 + ".png"))
    assert [(p.code, p.location.line) for p in problems] == [("model-bad-logo", 13)]


def test_published_may_be_a_quoted_full_date():
    model = model_from_text(edit(MINIMAL, 'published: "2018-06"', 'published: "2018-06-01"'))
    assert model.published == "2018-06-01"


# --- the loader: broken models -----------------------------------------------------------------

CASES = [
    # (case id, old text, new text, code, line, path, message)
    (
        "duplicate key",
        "        what_it_is: People are engaged.\n",
        "        what_it_is: People are engaged.\n        name: Engaging again\n",
        "model-duplicate-key",
        34,
        "themes[0].key_areas[0].name",
        "duplicate key 'name' (first at line 31)",
    ),
    (
        "duplicate top-level key",
        "\nshort_name: Mini\n",
        "\nshort_name: Mini\ntitle: Again\n",
        "model-duplicate-key",
        5,
        "title",
        "duplicate key 'title' (first at line 3)",
    ),
    (
        "duplicate descriptor",
        "          High: Full engagement.\n",
        "          High: Full engagement.\n          Middle: Again.\n",
        "model-duplicate-key",
        39,
        "themes[0].key_areas[0].levels.Middle",
        "duplicate key 'Middle' (first at line 37)",
    ),
    (
        "unknown key",
        "what_it_is: People",
        "what_is_it: People",
        "model-unknown-key",
        33,
        "themes[0].key_areas[0].what_is_it",
        "unknown key 'what_is_it'",
    ),
    (
        "unknown key at top",
        "purpose: A small",
        "porpose: A small",
        "model-unknown-key",
        8,
        "porpose",
        "unknown key 'porpose'",
    ),
    (
        "missing required key",
        "        why_it_is_important: Engagement matters.\n",
        "",
        "model-missing-key",
        30,
        "themes[0].key_areas[0]",
        "missing required key 'why_it_is_important'",
    ),
    (
        "missing descriptor",
        "          Middle: Sometimes together.\n",
        "",
        "model-missing-descriptor",
        46,
        "themes[0].key_areas[1].levels",
        "2 descriptors for 3 levels (missing: Middle)",
    ),
    (
        "missing enabler descriptor",
        "      High: Plans talent.\n",
        "",
        "model-missing-descriptor",
        54,
        "enablers[0].levels",
        "2 descriptors for 3 levels (missing: High)",
    ),
    (
        "misspelt level",
        "          High: Always",
        "          high: Always",
        "model-unknown-level",
        49,
        "themes[0].key_areas[1].levels.high",
        "unknown level 'high'",
    ),
    (
        "levels with nothing",
        "      Low: Recruits staff.\n      Middle: Trains staff.\n      High: Plans talent.\n",
        "",
        "model-wrong-type",
        54,
        "enablers[0].levels",
        "expected a mapping from level name to descriptor, found nothing",
    ),
    (
        "levels as a list",
        "          Low: No engagement.\n          Middle: Some engagement.\n"
        "          High: Full engagement.\n",
        "          - No engagement.\n          - Some engagement.\n          - Full engagement.\n",
        "model-wrong-type",
        35,
        "themes[0].key_areas[0].levels",
        "expected a mapping from level name to descriptor, found a list",
    ),
    (
        "duplicate id",
        "id: L2",
        "id: L1",
        "model-duplicate-id",
        39,
        "themes[0].key_areas[1].id",
        "id 'L1' is already used at themes[0].key_areas[0] (line 30)",
    ),
    (
        "duplicate id in another case",
        "id: E1",
        "id: lead",
        "model-duplicate-id",
        52,
        "enablers[0].id",
        "id 'lead' is already used as 'LEAD' (ids are compared ignoring case) at themes[0] "
        "(line 27)",
    ),
    (
        "reserved id",
        "id: E1",
        "id: Enablers",
        "model-reserved-id",
        52,
        "enablers[0].id",
        "id 'Enablers' is reserved for the enablers group",
    ),
    (
        "id starting with a digit",
        "id: L1",
        "id: 1A",
        "model-bad-id",
        30,
        "themes[0].key_areas[0].id",
        "id '1A' must start with a letter",
    ),
    (
        "id with a hyphen",
        "id: L1",
        "id: L-1",
        "model-bad-id",
        30,
        "themes[0].key_areas[0].id",
        "id 'L-1' contains '-': only letters, digits and underscores are allowed",
    ),
    (
        "id too long",
        "id: L1",
        "id: " + "L" * 32,
        "model-bad-id",
        30,
        "themes[0].key_areas[0].id",
        f"id '{'L' * 32}' is 32 characters long; at most 31",
    ),
    (
        "id as a number",
        "id: L1",
        "id: 11",
        "model-wrong-type",
        30,
        "themes[0].key_areas[0].id",
        "expected text, found the number 11",
    ),
    (
        "model id with a space",
        "id: mini",
        "id: mini model",
        "model-bad-id",
        1,
        "id",
        "model id 'mini model' is not valid",
    ),
    (
        "level out of order",
        "{name: Middle, score: 2}",
        "{name: Middle, score: 3}",
        "model-level-order",
        24,
        "levels[1].score",
        "score 3 out of order: level 2 must score 2",
    ),
    (
        "score as text",
        "{name: High, score: 3}",
        "{name: High, score: three}",
        "model-wrong-type",
        25,
        "levels[2].score",
        "score must be a whole number, found text",
    ),
    (
        "duplicate level name",
        "{name: High, score: 3}",
        "{name: low, score: 3}",
        "model-duplicate-level",
        25,
        "levels[2].name",
        "level name 'low' is used twice (first at levels[0])",
    ),
    (
        "version as a number",
        'version: "1.0"',
        "version: 1.0",
        "model-wrong-type",
        2,
        "version",
        "expected text, found the number 1.0",
    ),
    (
        "date-typed published",
        'published: "2018-06"',
        "published: 2018-06-01",
        "model-wrong-type",
        6,
        "published",
        "expected text, found the date 2018-06-01",
    ),
    (
        "impossible date",
        'published: "2018-06"',
        "published: 2018-02-30",
        "model-bad-value",
        6,
        "published",
        "cannot read the value '2018-02-30': day is out of range for month",
    ),
    (
        "published not a date",
        'published: "2018-06"',
        "published: June 2018",
        "model-bad-date",
        6,
        "published",
        "published 'June 2018' is not a date as YYYY-MM or YYYY-MM-DD",
    ),
    (
        "yes read as true",
        "font: Arial",
        "font: yes",
        "model-wrong-type",
        12,
        "brand.font",
        "expected text, found true/false",
    ),
    (
        "empty text",
        "what_it_is: People are engaged.",
        'what_it_is: ""',
        "model-empty-text",
        33,
        "themes[0].key_areas[0].what_it_is",
        "text is empty",
    ),
    (
        "empty list",
        "enablers:\n  - id: E1",
        "enablers: []\nold_enablers:\n  - id: E1",
        "model-empty-list",
        51,
        "enablers",
        "list is empty",
    ),
    (
        "theme as text",
        "  - id: LEAD\n    name: Leading\n",
        "  - LEAD\n  - id: LEAD\n    name: Leading\n",
        "model-wrong-type",
        27,
        "themes[0]",
        "expected a mapping, found text",
    ),
    (
        "tab in quoted text",
        "description: Engaging people refers to engagement.",
        'description: "Engaging\\tpeople refers to engagement."',
        "model-text-noise",
        32,
        "themes[0].key_areas[0].description",
        "text contains extraction noise '\\t'",
    ),
    (
        "markup in text",
        "description: Engaging people refers",
        "description: <b>Engaging people</b> refers",
        "model-text-noise",
        32,
        "themes[0].key_areas[0].description",
        "text contains extraction noise '<b>'",
    ),
    (
        "bullet in text",
        "Low: Recruits staff.",
        "Low: • Recruits staff.",
        "model-text-noise",
        55,
        "enablers[0].levels.Low",
        "text contains extraction noise '•'",
    ),
    (
        "double space in text",
        "Middle: Trains staff.",
        "Middle: Trains  staff.",
        "model-text-noise",
        56,
        "enablers[0].levels.Middle",
        "text contains extraction noise '  '",
    ),
    (
        "escaped control character",
        "font: Arial",
        'font: "Ar\\x07ial"',
        "model-text-noise",
        12,
        "brand.font",
        "text contains extraction noise '\\x07'",
    ),
    (
        "line break in a block",
        "          Working together refers to\n",
        "          Working together refers to\n\n",
        "model-text-noise",
        41,
        "themes[0].key_areas[1].description",
        "text contains extraction noise '\\n'",
    ),
    (
        "tab indentation",
        "    name: Developing talent\n",
        "\tname: Developing talent\n",
        "model-not-yaml",
        53,
        None,
        "not valid YAML: found character '\\t' that cannot start any token",
    ),
    (
        "not YAML",
        "what_it_is: People are engaged.",
        "what_it_is: People: are engaged.",
        "model-not-yaml",
        33,
        None,
        "not valid YAML: mapping values are not allowed here",
    ),
    (
        "unclosed bracket",
        "    name: Leading\n",
        "    name: [Leading\n",
        "model-not-yaml",
        29,
        None,
        "not valid YAML: expected ',' or ']', but got ':'",
    ),
    (
        "control character",
        "name: Leading",
        "name: Lead\x07ing",
        "model-not-yaml",
        28,
        None,
        "not valid YAML: character U+0007 is not allowed in YAML",
    ),
    (
        "alias",
        "          High: Always together.",
        "          High: *full",
        "model-yaml-alias",
        49,
        None,
        "YAML alias *full is not allowed",
    ),
    (
        "python tag",
        "font: Arial",
        "font: !!python/object/apply:os.system [echo]",
        "model-yaml-tag",
        12,
        "brand.font",
        "YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed",
    ),
    (
        "two documents",
        "enablers_description:",
        "---\nenablers_description:",
        "model-not-yaml",
        50,
        None,
        "not valid YAML: but found another document",
    ),
    (
        "low contrast",
        'muted: {background: "#FFFFFF", text: "#595959"}',
        'muted: {background: "#FFFFFF", text: "#AAAAAA"}',
        "model-low-contrast",
        21,
        "brand.colours.muted",
        "text #AAAAAA on #FFFFFF has contrast 2.32:1, below 4.5:1",
    ),
    (
        "short hex colour",
        'header: {background: "#1F3864", text: "#FFFFFF"}',
        'header: {background: "#1F3864", text: "#FFF"}',
        "model-bad-colour",
        15,
        "brand.colours.header.text",
        "colour '#FFF' is not #RRGGBB",
    ),
    (
        "colour name",
        'header: {background: "#1F3864"',
        "header: {background: navy",
        "model-bad-colour",
        15,
        "brand.colours.header.background",
        "colour 'navy' is not #RRGGBB",
    ),
    (
        "unquoted hex colour",
        '    input: {background: "#FFF2CC", text: "#000000"}\n',
        '    input:\n      background: "#FFF2CC"\n      text: #000000\n',
        "model-bad-colour",
        19,
        "brand.colours.input.text",
        "colour is empty",
    ),
    (
        "missing colour role",
        '    chosen: {background: "#C6EFCE", text: "#00501E"}\n',
        "",
        "model-missing-key",
        14,
        "brand.colours",
        "missing required key 'chosen'",
    ),
    (
        "logo missing",
        "logo: null",
        "logo: no-such-logo.png",
        "model-bad-logo",
        13,
        "brand.logo",
        "logo file 'no-such-logo.png' not found",
    ),
    (
        "bad source url",
        "source_url: https://example.org/mini",
        "source_url: example",
        "model-bad-url",
        7,
        "source_url",
        "source_url 'example' is not a web address",
    ),
    (
        "one level",
        "  - {name: Middle, score: 2}\n  - {name: High, score: 3}\n",
        "",
        "model-level-count",
        22,
        "levels",
        "1 levels: a model needs 2 to 9",
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "code", "line", "path", "message"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_broken_model_gives_a_located_problem(old, new, code, line, path, message):
    problems = problems_of(edit(MINIMAL, old, new))
    matching = [p for p in problems if p.code == code]
    assert len(matching) == 1, [str(p) for p in problems]
    problem = matching[0]
    assert problem.message == message
    assert problem.location.file == "model.yaml"
    assert problem.location.line == line
    assert problem.location.path == path
    assert problem.is_error
    assert str(problem).startswith(f"model.yaml:{line}: ")


def test_one_broken_value_gives_one_problem():
    """A value the YAML reader rejects is not reported again by the schema check."""
    problems = problems_of(edit(MINIMAL, 'published: "2018-06"', "published: 2018-02-30"))
    assert [p.code for p in problems] == ["model-bad-value"]
    problems = problems_of(edit(MINIMAL, "font: Arial", "font: !!python/name:os.system"))
    assert [(p.code, p.location.line) for p in problems] == [("model-bad-value", 12)]


def test_missing_descriptor_in_the_shipped_model_names_the_right_line():
    leader = "      Leader: >-\n        Senior leaders recognise the importance of procurement"
    text = edit(SHIPPED, leader, leader.replace("Leader:", "Leaderx:"))
    problems = problems_of(text)
    levels_line = line_of(text, "    levels:\n      Minimum: >-\n        Success depends")
    assert [str(p).split(" (")[0] for p in problems] == [
        f"model.yaml:{levels_line}: enablers[3].levels: 4 descriptors for 5 levels",
        f"model.yaml:{line_of(text, 'Leaderx:')}: enablers[3].levels.Leaderx: unknown level "
        "'Leaderx'",
    ]
    assert problems[0].message == "4 descriptors for 5 levels (missing: Leader)"


def test_every_problem_is_reported_at_once_in_line_order():
    text = MINIMAL
    text = edit(text, 'text: "#595959"', 'text: "#AAAAAA"')  # line 21
    text = edit(text, "what_it_is: People", "what_is_it: People")  # lines 30 and 33
    text = edit(text, "          Middle: Sometimes together.\n", "")  # line 46
    text = edit(text, "id: E1", "id: L2")  # line 51 (one line was removed above)
    with pytest.raises(ModelError) as caught:
        model_from_text(text, "strategy.yaml")
    problems = caught.value.problems
    assert [(p.code, p.location.line) for p in problems] == [
        ("model-low-contrast", 21),
        ("model-missing-key", 30),
        ("model-unknown-key", 33),
        ("model-missing-descriptor", 46),
        ("model-duplicate-id", 51),
    ]
    report = str(caught.value)
    assert report.splitlines()[0] == "strategy.yaml: 5 problem(s) in the model"
    for problem in problems:
        assert f"  {problem}" in report
        assert str(problem).startswith(f"strategy.yaml:{problem.location.line}: ")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the model file is empty"),
        ("# only a comment\n", "the model file is empty"),
        ("- id: mini\n", "expected a mapping, found a list"),
        ("just some words\n", "expected a mapping, found text"),
    ],
    ids=["empty", "comment only", "list", "text"],
)
def test_a_file_that_is_not_a_model_is_reported_on_line_one(text, message):
    problems = problems_of(text)
    assert [(p.location.line, p.message) for p in problems] == [(1, message)]
    assert problems[0].code in {"model-empty", "model-wrong-type"}


ALIAS_BOMB = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{b}: &{b} [{', '.join([f'*{a}'] * 9)}]\n" for a, b in zip("abcdefgh", "bcdefghi", strict=True)
)
HOSTILE = {
    "alias bomb": ALIAS_BOMB,
    "recursive alias": "a: &a [*a]\n",
    "merge key": "base: &base {id: x}\nmodel:\n  <<: *base\n",
    "merge without alias": "<<: {id: x}\n",
    "deep nesting": "a: " + "[" * 10_000 + "]" * 10_000 + "\n",
    "deep block nesting": "".join(" " * i + f"k{i}:\n" for i in range(200)),
    "huge integer": "id: " + "9" * 10_000 + "\n",
    "bad integer tag": "id: !!int twelve\n",
    "bad float tag": "id: !!float twelve\n",
    "bad binary": "id: !!binary '%%%'\n",
    "unknown tag": "id: !custom x\n",
    "python object": "id: !!python/object:os.system {}\n",
    "complex key": "? [a, b]\n: c\n",
    "null byte": "id: a\x00b\n",
    "set": "!!set {a, b}\n",
    "binary junk": bytes(range(256)).decode("latin-1"),
}


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_yaml_gives_located_problems_quickly(text):
    started = time.perf_counter()
    with time_limit(5):
        problems = problems_of(text)
    assert time.perf_counter() - started < 5
    assert problems
    assert all(p.location.file == "model.yaml" and p.location.line for p in problems), problems


def test_alias_bomb_is_rejected_as_aliases():
    problems = problems_of(ALIAS_BOMB)
    assert {p.code for p in problems} == {"model-yaml-alias"}
    assert [p.location.line for p in problems] == list(range(2, 10))


@pytest.mark.parametrize("cut", ["line", "character"])
def test_any_truncated_or_shortened_model_fails_cleanly(cut):
    """Deleting any line or cutting the file anywhere gives a model or located problems."""
    lines = MINIMAL.splitlines(keepends=True)
    if cut == "line":
        variants = ["".join(lines[:i] + lines[i + 1 :]) for i in range(len(lines))]
    else:
        variants = [MINIMAL[:i] for i in range(0, len(MINIMAL), 7)]
    failed = 0
    for text in variants:
        model, problems = check_model_text(text)
        if model is None:
            failed += 1
            assert problems
            assert all(p.location.line for p in problems), [str(p) for p in problems]
        else:
            assert problems == []
    assert failed >= len(variants) - 3  # only the optional logo line may go unnoticed


# --- reading files -------------------------------------------------------------------------------


def test_missing_file_is_a_located_model_error(tmp_path):
    path = tmp_path / "nope.yaml"
    with pytest.raises(ModelError) as caught:
        load_model(path)
    [problem] = caught.value.problems
    assert (problem.code, problem.location.file, problem.message) == (
        "model-not-found",
        str(path),
        "model file not found",
    )
    assert str(caught.value).startswith(f"{path}: model file not found")


def test_folder_is_a_model_error(tmp_path):
    with pytest.raises(ModelError) as caught:
        load_model(tmp_path)
    assert [p.code for p in caught.value.problems] == ["model-unreadable"]


def test_file_that_is_not_utf8_names_the_line(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes(edit(MINIMAL, "Trains staff.", "Trains staff for £5.").encode("latin-1"))
    with pytest.raises(ModelError) as caught:
        load_model(path)
    [problem] = caught.value.problems
    assert problem.code == "model-not-utf8"
    assert problem.location.line == 56
    assert problem.message == "byte 0xA3 is not UTF-8 text"


def test_oversized_file_is_refused(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_text(MINIMAL + "#" * (MAX_MODEL_BYTES + 1), encoding="utf-8")
    with pytest.raises(ModelError) as caught:
        load_model(path)
    assert [p.code for p in caught.value.problems] == ["model-too-large"]


def test_problems_name_the_file_as_given(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text(edit(MINIMAL, "id: L2", "id: L1"), encoding="utf-8")
    with pytest.raises(ModelError) as caught:
        load_model(path)
    assert str(caught.value.problems[0]).startswith(f"{path}:39: themes[0].key_areas[1].id: ")


# --- fingerprint ---------------------------------------------------------------------------------


FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
FAST_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def shipped_data() -> dict:
    return yaml.load(SHIPPED, Loader=FAST_LOADER)


def fingerprint_of(data: dict) -> str:
    return model_from_text(yaml.dump(data, Dumper=FAST_DUMPER, allow_unicode=True)).fingerprint


def test_fingerprint_is_sha256_of_the_canonical_content(shipped):
    canonical = json.dumps(
        canonical_content(shipped), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    assert shipped.fingerprint == hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    assert re.fullmatch(r"[0-9a-f]{64}", shipped.fingerprint)


@pytest.mark.parametrize(
    "reformat",
    [
        lambda: yaml.safe_dump(shipped_data(), sort_keys=True, width=40, allow_unicode=True),
        lambda: yaml.safe_dump(shipped_data(), sort_keys=False, width=1000, allow_unicode=True),
        lambda: yaml.safe_dump(shipped_data(), default_flow_style=True, allow_unicode=True),
        lambda: yaml.safe_dump(shipped_data(), default_style='"', allow_unicode=True),
        lambda: yaml.safe_dump(shipped_data(), default_style="'", indent=4),
        lambda: json.dumps(shipped_data(), indent=1),  # JSON is YAML too
        lambda: "\n".join(line for line in SHIPPED.splitlines() if not line.startswith("#")),
        lambda: SHIPPED.replace("\n  - id:", "\n# an item\n  - id:").replace(
            "id: nps-2018\n", "id: nps-2018  # the model\n  # more\n"
        ),
        lambda: SHIPPED.replace('version: "1.0.1"', "version: '1.0.1'"),
    ],
    ids=[
        "sorted narrow",
        "wide",
        "flow",
        "double quoted",
        "single quoted",
        "json",
        "no comments",
        "more comments",
        "requoted",
    ],
)
def test_fingerprint_ignores_formatting_order_quoting_and_comments(shipped, reformat):
    text = reformat()
    assert text != SHIPPED
    assert model_from_text(text).fingerprint == shipped.fingerprint


def set_descriptor(data, item_index, level, change):
    items = [area for theme in data["themes"] for area in theme["key_areas"]] + data["enablers"]
    items[item_index]["levels"][level] = change(items[item_index]["levels"][level])


def one_character(text: str) -> str:
    """``text`` with its first letter's case flipped: a change of exactly one character."""
    i = next(i for i, ch in enumerate(text) if ch.isalpha())
    return text[:i] + text[i].swapcase() + text[i + 1 :]


CONTENT_CHANGES = {
    "title": lambda d: d.update(title=one_character(d["title"])),
    "purpose": lambda d: d.update(purpose=d["purpose"][:-1] + "!"),
    "version": lambda d: d.update(version="1.0.2"),
    "published": lambda d: d.update(published="2018-07"),
    "source_url": lambda d: d.update(source_url=d["source_url"] + "/"),
    "enablers description": lambda d: d.update(
        enablers_description=one_character(d["enablers_description"])
    ),
    "theme name": lambda d: d["themes"][0].update(name="Showing Leadership"),
    "theme id": lambda d: d["themes"][2].update(id="BENEFIT"),
    "key area name": lambda d: d["themes"][1]["key_areas"][2].update(name="Managing risks"),
    "key area id": lambda d: (
        d["themes"][1]["key_areas"][0].update(id="C9"),
        d["replaces"]["lineage"][4].update(new="C9"),
    ),
    "description": lambda d: d["themes"][2]["key_areas"][2].update(
        description=d["themes"][2]["key_areas"][2]["description"].replace(
            "co-operatives", "cooperatives"
        )
    ),
    "what it is": lambda d: d["themes"][0]["key_areas"][3].update(
        what_it_is=one_character(d["themes"][0]["key_areas"][3]["what_it_is"])
    ),
    "why it is important": lambda d: d["themes"][1]["key_areas"][1].update(
        why_it_is_important=d["themes"][1]["key_areas"][1]["why_it_is_important"] + " More."
    ),
    "text note": lambda d: d["themes"][0]["key_areas"][1].update(
        text_note=d["themes"][0]["key_areas"][1]["text_note"].replace("lost.", "lost!")
    ),
    "enabler name": lambda d: d["enablers"][3].update(name="Embedding Change"),
    "item order": lambda d: d["enablers"].reverse(),
    "key area moved": lambda d: d["themes"][0]["key_areas"].append(
        d["themes"][1]["key_areas"].pop()
    ),
    "level renamed": lambda d: rename_level(d, "Leader", "Leading"),
}


def rename_level(data, old, new):
    for level in data["levels"]:
        if level["name"] == old:
            level["name"] = new
    for item in [a for t in data["themes"] for a in t["key_areas"]] + data["enablers"]:
        item["levels"][new] = item["levels"].pop(old)


@pytest.mark.parametrize("change", CONTENT_CHANGES.values(), ids=CONTENT_CHANGES.keys())
def test_fingerprint_changes_when_content_changes(shipped, change):
    data = shipped_data()
    change(data)
    assert fingerprint_of(data) != shipped.fingerprint


def test_fingerprint_changes_on_one_character_in_any_descriptor(shipped):
    """One changed character in one descriptor of each item, each level in turn."""
    seen = {shipped.fingerprint}
    for index in range(len(shipped.items)):
        data = shipped_data()
        set_descriptor(data, index, LEVEL_NAMES[index % 5], one_character)
        seen.add(fingerprint_of(data))
    assert len(seen) == len(shipped.items) + 1


def test_fingerprint_changes_in_the_text_itself(shipped):
    """Editing model.yaml as a user would: one letter in the E4 Mature descriptor."""
    text = edit(SHIPPED, "Procurement change comprehensively", "Procurement change comprehensivly")
    assert model_from_text(text).fingerprint != shipped.fingerprint


def test_fingerprint_ignores_branding(shipped, tmp_path):
    """Branding is excluded on purpose (see canonical_content): returns stay comparable."""
    data = shipped_data()
    brand = data["brand"]
    brand["organisation"] = "Another Association"
    brand["strategy_short_name"] = "Another"
    brand["font"] = "Calibri"
    brand["colours"]["header"] = {"background": "#000000", "text": "#FFFF00"}
    brand["colours"]["muted"]["text"] = "#333333"
    (tmp_path / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    brand["logo"] = "logo.png"
    path = tmp_path / "model.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    rebranded = load_model(path)
    assert rebranded.brand.colours["header"] == ColourPair("#000000", "#FFFF00")
    assert rebranded.brand.logo == tmp_path / "logo.png"
    assert rebranded.fingerprint == shipped.fingerprint
    canonical = json.dumps(canonical_content(shipped))
    assert "brand" not in canonical_content(shipped)
    assert "#1F3864" not in canonical and "Arial" not in canonical


def test_canonical_content_docstring_explains_the_branding_exclusion():
    doc = canonical_content.__doc__ or ""
    assert "brand" in doc.lower() and "colour" in doc.lower()


# --- colours -------------------------------------------------------------------------------------


def test_contrast_ratio_matches_wcag():
    assert contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast_ratio("#FFFFFF", "#FFFFFF") == pytest.approx(1.0)
    assert contrast_ratio("#595959", "#FFFFFF") == pytest.approx(7.0, abs=0.01)


def test_shipped_colours_all_reach_the_minimum_contrast(shipped):
    assert set(shipped.brand.colours) == {
        "header",
        "theme",
        "input",
        "chosen",
        "target",
        "warning",
        "muted",
    }
    for role, pair in shipped.brand.colours.items():
        assert pair.contrast >= 4.5, role
        assert re.fullmatch(r"#[0-9A-F]{6}", pair.background)
        assert re.fullmatch(r"#[0-9A-F]{6}", pair.text)
