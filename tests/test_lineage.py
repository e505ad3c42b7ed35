"""Model lineage, the model archive and `npsxl model diff`."""

from __future__ import annotations

import re
import shutil

import pytest
from click.testing import CliRunner
from conftest import ROOT, without_lineage

from npsxl.cli import cli
from npsxl.core.errors import ModelError
from npsxl.model.archive import ModelArchive, check_models, load_archive
from npsxl.model.defaults import PACKAGED_ARCHIVE
from npsxl.model.lineage import check_lineage, word_diff
from npsxl.model.loading import load_model, model_from_text

EXAMPLE = ROOT / "samples" / "model-1.1-example.yaml"


@pytest.fixture(scope="module")
def first():
    return load_model(PACKAGED_ARCHIVE / "nps-2018-1.0.0.yaml")


@pytest.fixture(scope="module")
def old():
    """1.0.1, the version the fictional example replaces."""
    return load_model(PACKAGED_ARCHIVE / "nps-2018-1.0.1.yaml")


@pytest.fixture(scope="module")
def new():
    return load_model(EXAMPLE)


def example_text() -> str:
    return EXAMPLE.read_text(encoding="utf-8")


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def test_the_shipped_model_is_archived_unchanged(model):
    # Editing model.yaml without a new version would make earlier returns unreadable.
    archived = load_model(PACKAGED_ARCHIVE / f"{model.id}-{model.version}.yaml")
    assert model.fingerprint == archived.fingerprint


def test_1_0_1_replaces_1_0_0_with_every_item_unchanged(first, old):
    assert old.version == "1.0.1" and first.version == "1.0.0"
    assert (old.replaces.model_id, old.replaces.version) == ("nps-2018", "1.0.0")
    assert check_lineage(old.replaces, first, old) == []
    assert [(e.change, e.old, e.new) for e in old.replaces.entries] == [
        ("unchanged", (i,), (i,)) for i in [item.id for item in first.items]
    ]
    mapping = ModelArchive((first, old)).mapping(first, old)
    assert {m.change for m in mapping.values()} == {"unchanged"}
    assert all(m.comparable for m in mapping.values())
    # What changed is the purpose (the strategy's 'guidance only' sentence) and the marks
    # on reconstructed words; the words of every item are the same.
    assert "The toolkit is for guidance only" in old.purpose
    assert "guidance only" not in first.purpose
    assert old.item("L2").description != first.item("L2").description
    assert old.item("L2").description.replace("[", "").replace("]", "") == (
        first.item("L2").description
    )


def test_unchanged_is_refused_when_a_word_changes_beside_the_marks(first, old):
    text = (ROOT / "model.yaml").read_text(encoding="utf-8")
    edited = text.replace("[corporate management team]", "[corporate leadership team]", 1)
    assert edited != text
    problems = check_lineage(model_from_text(edited).replaces, first, model_from_text(edited))
    assert [(p.message, p.location.line) for p in problems] == [
        (
            "L2 is marked unchanged but its text changed",
            line_of(edited, "{change: unchanged, old: L2,"),
        )
    ]


def test_the_packaged_archive_chains_1_0_0_to_the_example(first, old, new):
    archive = load_archive(PACKAGED_ARCHIVE, extra=[new])
    assert archive.newest() == new
    mapping = archive.mapping(first, new)
    assert mapping["C2"].new_ids == ("C2A", "C2B") and mapping["C2"].comparable
    assert mapping["L2"].change == "unchanged" and mapping["L1"].change == "text_changed"


def test_example_lineage_accounts_for_every_item(old, new):
    assert new.replaces is not None
    assert (new.replaces.model_id, new.replaces.version) == (old.id, old.version)
    assert check_lineage(new.replaces, old, new) == []
    changes = {e.change for e in new.replaces.entries}
    assert {"split", "added", "text_changed", "unchanged"} <= changes


def test_archive_maps_old_items_onto_new_ones(old, new):
    archive = ModelArchive((old, new))
    mapping = archive.mapping(old, new)
    assert mapping["C2"].new_ids == ("C2A", "C2B")
    assert mapping["C2"].change == "split" and mapping["C2"].comparable
    assert mapping["L1"].change == "text_changed"
    assert mapping["E4"].new_ids == ("E4",)
    assert all(m.comparable for m in mapping.values())
    assert "E5" not in {i for m in mapping.values() for i in m.new_ids}
    assert archive.mapping(new, old) is None  # lineage only runs forwards


def test_lineage_problems_are_located(old, new):
    text = example_text()
    # Account for C2 twice, and send C3 to an item that does not exist.
    text = text.replace(
        "  - change: unchanged\n    old: C3\n    new: C3\n",
        "  - change: unchanged\n    old: C2\n    new: C3\n",
    )
    assert "old: C2\n    new: C3" in text
    broken = model_from_text(text, "v2.yaml")
    problems = check_lineage(broken.replaces, old, broken)
    messages = [str(p) for p in problems]
    expected_line = line_of(text, "old: C2\n    new: C3") - 1  # the entry starts on '- change'
    twice = [p for p in problems if "accounted for twice" in p.message]
    assert twice and twice[0].location.line == expected_line
    assert twice[0].location.file == "v2.yaml"
    assert any("old item C3 is not accounted for" in m for m in messages)


def test_loader_rejects_a_malformed_lineage_with_lines():
    text = example_text().replace("change: split", "change: forked", 1)
    with pytest.raises(ModelError) as caught:
        model_from_text(text, "v2.yaml")
    (problem,) = [p for p in caught.value.problems if "forked" in p.message]
    assert problem.location.line == line_of(text, "change: forked")
    assert "split" in problem.hint


def test_loader_rejects_a_new_item_without_lineage():
    text = example_text().replace(
        "- change: added\n    new: E5\n", "- change: added\n    new: E9\n"
    )
    with pytest.raises(ModelError) as caught:
        model_from_text(text, "v2.yaml")
    messages = [p.message for p in caught.value.problems]
    assert "new item 'E9' is not in this model" in messages
    assert "item E5 of this model does not say where it comes from" in messages


def test_a_version_published_twice_with_other_content_is_an_error(first, tmp_path):
    edited = (
        (ROOT / "model.yaml")
        .read_text(encoding="utf-8")
        .replace("Councillors regard procurement", "Councillors see procurement")
    )
    (tmp_path / "a.yaml").write_text((ROOT / "model.yaml").read_text(encoding="utf-8"))
    (tmp_path / "b.yaml").write_text(edited)
    shutil.copy(PACKAGED_ARCHIVE / "nps-2018-1.0.0.yaml", tmp_path)  # the one they replace
    with pytest.raises(ModelError) as caught:
        load_archive(tmp_path)
    assert [p.code for p in caught.value.problems] == ["model-version-reused"]
    assert check_models([first]) == []


def test_an_archive_without_the_replaced_version_is_an_error(new, tmp_path):
    with pytest.raises(ModelError) as caught:
        load_archive(tmp_path / "empty", extra=[new])
    assert "not in the archive" in caught.value.problems[0].message


def test_word_diff_marks_removed_and_added_words():
    assert word_diff("results on some projects", "results on several projects") == (
        "results on [-some-] {+several+} projects"
    )


def test_model_diff_cli_describes_the_example():
    result = CliRunner().invoke(
        cli, ["model", "diff", str(PACKAGED_ARCHIVE / "nps-2018-1.0.1.yaml"), str(EXAMPLE)]
    )
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.splitlines()[0] == "nps-2018 1.0.1 -> nps-2018 1.1.0-example"
    assert re.search(r"unchanged \(12 items, comparable\): L2, L3, L4, C1, C3", out)
    assert "split: C2 Managing contracts and relationships -> C2A Managing contracts, " in out
    assert "added: E5 Adding value (not comparable)" in out
    assert "level Mature: Councillor engagement is delivering better results on [-some-]" in out


def test_model_diff_without_lineage_matches_by_id(tmp_path):
    changed = without_lineage((ROOT / "model.yaml").read_text(encoding="utf-8")).replace(
        'version: "1.0.1"', 'version: "1.0.2"'
    )
    changed = changed.replace("Councillors regard procurement", "Councillors see procurement")
    (tmp_path / "new.yaml").write_text(changed, encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["model", "diff", str(ROOT / "model.yaml"), str(tmp_path / "new.yaml")]
    )
    assert result.exit_code == 0, result.output
    assert "(no lineage declared: items matched by id for this comparison only" in result.output
    assert "text changed: L1 Engaging councillors -> L1 Engaging councillors" in result.output
    assert "level Minimum: Councillors [-regard-] {+see+} procurement" in result.output
