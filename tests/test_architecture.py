"""The architecture in the tree: each layer is a subpackage, imports only run downwards, and
modules stay small enough to read."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "npsxl"

# Lowest first: a module may import its own layer and the layers before it.
LAYERS = ("core", "model", "workbook", "reading", "collation", "report")
TOP = ("npsxl.cli", "npsxl.__main__")  # and the modules of npsxl.cli
# What the reading layer may take from the workbook layer: the contract, never the writer.
READER_MAY_USE = ("npsxl.workbook.layout",)
SOFT_LIMIT, HARD_LIMIT = 400, 650
# Modules being split into smaller ones as the layers settle; each leaves this set when split.
AWAITING_SPLIT: set[str] = set()


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every npsxl module ``path`` imports, at any depth of the file."""
    found = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = (
        module_name(path) if path.name == "__init__.py" else module_name(path).rsplit(".", 1)[0]
    )
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:  # from a package import a module: that module
                full = f"{base}.{alias.name}"
                as_path = ROOT.joinpath(*full.split("."))
                is_module = as_path.with_suffix(".py").is_file() or as_path.is_dir()
                found.append((node.lineno, full if is_module else base))
    return [(line, name) for line, name in found if name == "npsxl" or name.startswith("npsxl.")]


def layer_of(name: str) -> str | None:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else None


@pytest.mark.parametrize("path", modules(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_imports_only_run_downwards(path):
    own = module_name(path)
    layer = layer_of(own)
    if own in TOP or own.startswith("npsxl.cli."):
        return  # the command line is the top: it may import anything
    wrong = []
    for line, name in imported(path):
        if name in ("npsxl", "npsxl.__version__"):
            continue  # the root package: the version, and the lazy public API for the top
        if name in TOP or name.startswith("npsxl.cli."):
            wrong.append(f"line {line}: {name} (nothing imports the command line)")
            continue
        target = layer_of(name)
        if layer is None or target is None:
            continue  # the top (cli, __init__) may import any layer
        if LAYERS.index(target) > LAYERS.index(layer):
            wrong.append(f"line {line}: {name} (layer {target} is above {layer})")
        if layer == "reading" and target == "workbook" and name not in READER_MAY_USE:
            wrong.append(f"line {line}: {name} (the reader uses only the layout contract)")
    assert wrong == [], f"{own} imports upwards"


def test_the_model_imports_no_other_layer_than_core():
    for path in (PACKAGE / "model").rglob("*.py"):
        for line, name in imported(path):
            assert layer_of(name) in (None, "core", "model"), f"{path.name}:{line} imports {name}"


def test_every_layer_is_a_subpackage_that_says_what_it_owns_and_may_import():
    for layer in LAYERS:
        init = PACKAGE / layer / "__init__.py"
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc and "May import" in doc, f"npsxl/{layer}/__init__.py"
    loose = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert loose == ["__init__.py", "__main__.py"], "modules belong in a layer or the cli"


@pytest.mark.parametrize("path", modules(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_modules_stay_small_or_say_why(path):
    if path.relative_to(ROOT).as_posix() in AWAITING_SPLIT:
        return
    text = path.read_text(encoding="utf-8")
    lines = text.count("\n")
    assert lines <= HARD_LIMIT, f"{lines} lines: split it"
    if lines > SOFT_LIMIT:
        doc = ast.get_docstring(ast.parse(text)) or ""
        assert re.search(r"\b(over|more than) 400 lines\b", doc), (
            f"{lines} lines: split it, or say at its top why it is one module "
            "('... over 400 lines because ...')"
        )


def test_modules_awaiting_a_split_still_need_one():
    small = [name for name in AWAITING_SPLIT if (ROOT / name).read_text().count("\n") <= SOFT_LIMIT]
    assert small == [], "split now: drop it from AWAITING_SPLIT"
