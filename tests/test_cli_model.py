"""Tests for `npsxl model check` and `npsxl model show`, and for the CLI's help and README."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from conftest import without_lineage

from npsxl.cli import cli
from npsxl.model.defaults import PACKAGED_REGISTERS
from npsxl.model.loading import check_model_text, load_model

ROOT = Path(__file__).resolve().parents[1]
MODEL_PATH = ROOT / "model.yaml"
SHIPPED = MODEL_PATH.read_text(encoding="utf-8")
README = ROOT / "README.md"


def run(*args: str):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def broken_model(tmp_path) -> tuple[Path, list[str]]:
    """The shipped model with four problems, and the located lines they must print as."""
    text = without_lineage(SHIPPED)
    for old, new in (
        (
            'muted: {background: "#FFFFFF", text: "#595959"}',
            'muted: {background: "#FFFFFF", text: "#BBBBBB"}',
        ),
        ("  - id: C2\n", "  - id: c1\n"),
        (
            "      Leader: >-\n        Senior leaders recognise",
            "      Leeder: >-\n        Senior leaders recognise",
        ),
    ):
        assert text.count(old) == 1
        text = text.replace(old, new)
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    _, problems = check_model_text(text, str(path))
    return path, [str(p) for p in problems]


def line_of(text: str, needle: str) -> int:
    assert text.count(needle) == 1
    return text[: text.index(needle)].count("\n") + 1


# --- model check ---------------------------------------------------------------------------------


def test_model_check_prints_one_summary_line():
    model = load_model(MODEL_PATH)
    result = run("model", "check", MODEL_PATH)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert len(lines) == 1, lines
    line = lines[0]
    assert line.startswith(f"{MODEL_PATH}: ok: ")
    for part in ("nps-2018", "1.0.1", "14 items", model.fingerprint):
        assert part in line


def test_model_check_defaults_to_model_yaml_in_the_current_folder(monkeypatch):
    monkeypatch.chdir(ROOT)
    result = run("model", "check")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("model.yaml: ok: nps-2018 1.0.1")


def test_model_check_prints_every_located_problem_and_exits_1(tmp_path):
    path, expected = broken_model(tmp_path)
    text = path.read_text(encoding="utf-8")
    result = run("model", "check", path)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == expected
    levels = line_of(text, "    levels:\n      Minimum: >-\n        Success depends")
    assert [line.split(" (")[0] for line in expected] == [
        f"{path}:{line_of(text, '    muted:')}: brand.colours.muted: text #BBBBBB on #FFFFFF "
        "has contrast 1.92:1, below 4.5:1",
        f"{path}:{line_of(text, '  - id: c1')}: themes[1].key_areas[1].id: id 'c1' is already "
        "used as 'C1'",
        f"{path}:{levels}: enablers[3].levels: 4 descriptors for 5 levels",
        f"{path}:{line_of(text, 'Leeder:')}: enablers[3].levels.Leeder: unknown level 'Leeder'",
    ]
    assert "4 problem(s)" in result.stderr


def test_model_check_of_a_missing_file_is_a_located_problem_with_exit_1(tmp_path):
    """Documented choice: a missing model file prints like any other problem and exits 1."""
    path = tmp_path / "no-such-model.yaml"
    result = run("model", "check", path)
    assert result.exit_code == 1
    [line] = result.stdout.splitlines()
    assert line.startswith(f"{path}: model file not found")
    assert "1 problem(s)" in result.stderr
    assert "Traceback" not in result.output


def test_model_check_of_a_file_that_is_not_utf8_names_the_line(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes(SHIPPED.replace("£50", "\x0050").encode().replace(b"\x0050", b"\xa350"))
    result = run("model", "check", path)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{path}:{line_of(SHIPPED, '£50')}: byte 0xA3 is not UTF-8 text (save the file as UTF-8)"
    ]


def test_model_check_of_an_alias_bomb_fails_quickly(tmp_path):
    path = tmp_path / "bomb.yaml"
    pairs = zip("abcdefgh", "bcdefghi", strict=True)
    lines = [f"{b}: &{b} [{', '.join([f'*{a}'] * 9)}]\n" for a, b in pairs]
    path.write_text("a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(lines))
    result = run("model", "check", path)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0].startswith(f"{path}:2: YAML alias *a is not allowed")


# --- model show ----------------------------------------------------------------------------------


def test_model_show_prints_the_outline():
    model = load_model(MODEL_PATH)
    result = run("model", "show", MODEL_PATH)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"{model.title} (nps-2018 1.0.1)"
    assert lines[1] == "Levels: 1 Minimum, 2 Developing, 3 Mature, 4 Leader, 5 Innovator"
    expected = []
    for group in model.groups:
        expected.append((group.id, group.name))
        expected += [(item.id, item.name) for item in group.items]
    outline = lines[2:]
    assert len(outline) == len(expected) == 3 + 10 + 1 + 4
    for line, (ident, name) in zip(outline, expected, strict=True):
        assert re.match(rf"^\s*{ident}\s+{re.escape(name)}\b", line), line
    group_ids = {group.id for group in model.groups}
    for line in outline:  # groups at the margin, their items indented under them
        assert line.startswith(" ") != (line.split()[0] in group_ids), line
    assert [line.split()[0] for line in outline if "reconstructed" in line] == [
        "L2",
        "L3",
        "L4",
        "C1",
        "C3",
        "B1",
        "B2",
    ]


def test_model_show_of_a_broken_model_prints_the_problems_and_exits_2(tmp_path):
    """Documented: show is not a checker; a broken model is a configuration error (exit 2)."""
    path, expected = broken_model(tmp_path)
    result = run("model", "show", path)
    assert result.exit_code == 2
    assert result.stdout == ""
    for line in expected:
        assert line in result.stderr.splitlines()


def test_model_show_of_a_missing_file_exits_2_with_the_located_problem(tmp_path):
    path = tmp_path / "absent.yaml"
    result = run("model", "show", path)
    assert result.exit_code == 2
    assert any(
        line.startswith(f"{path}: model file not found") for line in result.stderr.splitlines()
    )


def test_a_broken_model_never_reaches_the_generator(tmp_path):
    path, expected = broken_model(tmp_path)
    out = tmp_path / "out"
    result = run(
        "generate", "--model", path, "--out", out, "--register", PACKAGED_REGISTERS["2018"]
    )
    assert result.exit_code == 2
    for line in expected:
        assert line in result.stderr.splitlines()
    assert not out.exists() or list(out.iterdir()) == []


# --- help and README -----------------------------------------------------------------------------


def command_paths(group: click.Group = cli, prefix: tuple[str, ...] = ()):
    """Every command and subcommand, as paths like ("model", "check")."""
    for name, command in sorted(group.commands.items()):
        yield (*prefix, name), command
        if isinstance(command, click.Group):
            yield from command_paths(command, (*prefix, name))


COMMANDS = list(command_paths())


def test_the_cli_has_the_model_commands():
    names = {" ".join(path) for path, _ in COMMANDS}
    assert {"model", "model check", "model show", "generate"} <= names


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_every_command_has_a_help_line(path, command):
    assert (command.help or "").strip(), f"npsxl {' '.join(path)} has no help text"
    assert command.get_short_help_str().strip()
    result = run(*path, "--help")
    assert result.exit_code == 0
    first_line = command.help.strip().splitlines()[0].strip()
    assert first_line in " ".join(result.stdout.split())
    parent = run(*path[:-1], "--help")
    listing = {
        line.split()[0]: line
        for line in parent.stdout.splitlines()
        if line.startswith("  ") and line.split()
    }
    assert path[-1] in listing
    assert len(listing[path[-1]].split()) > 1, f"no help line for {path[-1]} in its parent's help"


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS], ids=[" ".join(p) for p, _ in COMMANDS])
def test_every_command_is_documented_in_the_readme(path):
    assert README.is_file(), "README.md is missing"
    text = README.read_text(encoding="utf-8")
    mention = rf"`npsxl {re.escape(' '.join(path))}(?=[`\s])"
    assert re.search(mention, text), f"README.md does not mention `npsxl {' '.join(path)}`"


def test_model_check_and_generate_warn_about_a_version_that_is_not_published(tmp_path, monkeypatch):
    """An editor who bumps the version but has not published it (or declared its lineage)
    hears so before sending workbooks whose returns coordinators would reject."""
    monkeypatch.chdir(tmp_path)
    edited = tmp_path / "model.yaml"
    text = without_lineage(SHIPPED).replace('version: "1.0.1"', 'version: "1.0.2"', 1)
    edited.write_text(text, encoding="utf-8")

    checked = run("model", "check", edited)
    assert checked.exit_code == 0
    assert "ok: nps-2018 1.0.2" in checked.output
    assert "note: nps-2018 1.0.2 is not a published version" in checked.output
    assert "declares no `replaces:` lineage, so returns of 1.0.0, 1.0.1" in checked.output

    generated = CliRunner().invoke(cli, ["generate", "--model", str(edited)])
    assert generated.exit_code == 0, generated.output
    assert "warning: nps-2018 1.0.2 is not a published version" in generated.stderr


def test_the_published_model_gets_no_publication_notes(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    checked = run("model", "check", MODEL_PATH)
    assert checked.exit_code == 0
    assert "note:" not in checked.output
