"""The problem catalogue: every problem npsxl reports is built from it, every code is
documented in docs/problems.md, and the codes of earlier versions are kept (they are a public
contract: JSON output and returns.csv carry them)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from npsxl.core import catalogue, problem_types
from npsxl.core.problems import Location

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "npsxl"

# The codes npsxl 0.1 reported. A code is never renamed, reused or removed.
PUBLISHED_CODES = (
    "corrupt-file",
    "council-missing",
    "council-unknown",
    "duplicate-item",
    "encrypted",
    "file-too-large",
    "fingerprint-mismatch",
    "formula-in-input",
    "hostile-xml",
    "incomplete",
    "level-not-from-list",
    "lineage-invalid",
    "macros-present",
    "metadata-missing",
    "model-bad-colour",
    "model-bad-date",
    "model-bad-id",
    "model-bad-logo",
    "model-bad-url",
    "model-bad-value",
    "model-bad-version",
    "model-duplicate-id",
    "model-duplicate-key",
    "model-duplicate-level",
    "model-empty",
    "model-empty-list",
    "model-empty-text",
    "model-invalid",
    "model-level-count",
    "model-level-order",
    "model-lineage",
    "model-low-contrast",
    "model-missing-descriptor",
    "model-missing-key",
    "model-not-found",
    "model-not-utf8",
    "model-not-yaml",
    "model-reserved-id",
    "model-text-noise",
    "model-too-deep",
    "model-too-large",
    "model-unknown-key",
    "model-unknown-level",
    "model-unreadable",
    "model-version-reused",
    "model-wrong-type",
    "model-yaml-alias",
    "model-yaml-tag",
    "not-a-spreadsheet",
    "not-nps",
    "read-failed",
    "read-timeout",
    "reader-crashed",
    "reader-error",
    "register-duplicate-code",
    "register-duplicate-column",
    "register-empty",
    "register-extra-values",
    "register-missing-column",
    "register-missing-value",
    "register-unknown-region",
    "register-unknown-type",
    "register-unreadable",
    "sources-disagree",
    "target-below-current",
    "text-too-long",
    "unknown-level",
    "unknown-model",
    "unreadable",
    "unsupported-format",
    "zip-bomb",
)

# Modules that still build Problem objects by hand, while they move onto the catalogue.
NOT_YET_CATALOGUED: set[str] = set()


def test_the_documentation_is_generated_from_the_catalogue():
    doc = ROOT / "docs" / "problems.md"
    assert doc.read_text(encoding="utf-8") == catalogue.render_markdown(), (
        "docs/problems.md is stale: run python -m npsxl.core.catalogue > docs/problems.md"
    )


def test_problems_are_built_only_from_the_catalogue():
    hand_made = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel in ("npsxl/core/problem_types.py", "npsxl/core/problems.py"):
            continue
        if re.search(r"\bProblem\(", path.read_text(encoding="utf-8")):
            hand_made.append(rel)
    assert sorted(set(hand_made) - NOT_YET_CATALOGUED) == []
    assert sorted(NOT_YET_CATALOGUED - set(hand_made)) == [], (
        "catalogued now: drop it from the list"
    )


def test_every_published_code_is_still_catalogued():
    assert sorted(set(PUBLISHED_CODES) - set(catalogue.CATALOGUE)) == []


@pytest.mark.parametrize("kind", catalogue.every_type(), ids=lambda k: f"{k.code}: {k.template}")
def test_every_type_has_a_meaning_a_section_and_an_example(kind):
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", kind.code)
    assert kind.meaning and kind.section in catalogue.SECTIONS
    example = kind.example_problem()
    assert example.code == kind.code and example.message and "{" not in example.message
    assert "{" not in example.hint


def test_a_variant_is_another_message_of_a_catalogued_code_and_is_documented():
    for code, variants in catalogue.VARIANTS.items():
        kind = catalogue.lookup(code)
        for other in variants:
            assert (other.code, other.severity, other.section, other.meaning) == (
                kind.code,
                kind.severity,
                kind.section,
                kind.meaning,
            )
            assert other.template != kind.template
    doc = catalogue.render_markdown()
    folder = catalogue.MODEL_IS_A_FOLDER.example_problem()
    assert f"Or: {folder.message}" in doc and f"What to do: {folder.hint}" in doc


def test_a_type_builds_a_located_problem_with_its_hint_and_severity():
    kind = catalogue.ProblemType(
        "made-up",
        catalogue.WARNING,
        catalogue.READING,
        "m",
        "{item_id} is {value!r}",
        "fix {item_id}",
    )
    where = Location(file="a.xlsx", sheet="Self-assessment", cell="H5", item_id="L1")
    problem = kind(where, item_id="L1", value="x")
    assert (problem.code, problem.message, problem.hint) == ("made-up", "L1 is 'x'", "fix L1")
    assert problem.location == where and not problem.is_error
    assert kind(where, severity=catalogue.ERROR, hint="other", item_id="L1", value="x").is_error


def test_a_code_is_catalogued_once_and_every_placeholder_has_an_example(monkeypatch):
    monkeypatch.setattr(problem_types, "CATALOGUE", {})
    with pytest.raises(ValueError, match="catalogued twice"):
        catalogue.problem_type("x-twice", catalogue.ERROR, catalogue.READING, "m", "t")
        catalogue.problem_type("x-twice", catalogue.ERROR, catalogue.READING, "m", "t")
    with pytest.raises(ValueError, match="no value for name"):
        catalogue.problem_type("x-example", catalogue.ERROR, catalogue.READING, "m", "{name}")
    kind = catalogue.problem_type("x-other", catalogue.ERROR, catalogue.READING, "m", "t")
    with pytest.raises(ValueError, match="no value for item_id"):
        catalogue.variant(kind, "{item_id} is wrong")
