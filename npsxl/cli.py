"""The ``npsxl`` command line: parses options, shows progress, prints. The work is in the library."""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import click

from . import __version__
from .errors import NpsxlError, ProblemsError
from .model import DEFAULT_MODEL_PATH, load_model

DEFAULT_REGISTER = Path("samples/councils.csv")
DEFAULT_OUT = Path("output")


class UsageError(click.ClickException):
    """A library or configuration error: one line, exit code 2."""

    exit_code = 2


def _library_errors(func):
    """Turn library exceptions into one clear message and exit code 2."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except ProblemsError as exc:
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            raise UsageError(exc.args[0]) from None
        except NpsxlError as exc:
            raise UsageError(str(exc)) from None

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="npsxl")
def cli():
    """NPS 2018 self-assessment workbooks: generate them, validate and collate the returns."""


# --- model ----------------------------------------------------------------------------------------
@cli.group()
def model():
    """Check or show the strategy model (model.yaml)."""


@model.command("check")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_MODEL_PATH)
def model_check(path):
    """Validate a model file: a one-line summary, or every located problem (exit 1)."""
    from .errors import ModelError

    try:
        loaded = load_model(path)
    except ModelError as exc:
        for problem in exc.problems:
            click.echo(str(problem))
        click.echo(f"{path}: {len(exc.problems)} problem(s); the model was not accepted", err=True)
        sys.exit(1)
    click.echo(f"{path}: ok: {loaded.summary()}")
    click.echo(f"fingerprint {loaded.fingerprint}")


@model.command("show")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_MODEL_PATH)
@_library_errors
def model_show(path):
    """Print the outline: themes, key areas and enablers with their ids, and the levels."""
    loaded = load_model(path)
    click.echo(f"{loaded.title} ({loaded.id} {loaded.version})")
    click.echo("Levels: " + ", ".join(f"{lv.score} {lv.name}" for lv in loaded.levels))
    for group in loaded.groups:
        click.echo(f"{group.id}  {group.name}")
        for item in group.items:
            note = "  [text reconstructed]" if item.text_note else ""
            click.echo(f"  {item.id:<4} {item.name}{note}")


# --- generate -------------------------------------------------------------------------------------
@cli.command()
@click.option("--model", "model_path", type=click.Path(dir_okay=False, path_type=Path),
              default=DEFAULT_MODEL_PATH, show_default=True, help="The strategy model.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=DEFAULT_OUT, show_default=True, help="Folder for the workbooks.")
@click.option("--register", "register_path", type=click.Path(dir_okay=False, path_type=Path),
              default=DEFAULT_REGISTER, show_default=True, help="Council register CSV.")
@click.option("--council", "council_queries", multiple=True, metavar="CODE_OR_NAME",
              help="A council to personalise a workbook for (repeatable).")
@click.option("--region", "regions", multiple=True, help="Every council in this region.")
@click.option("--all", "all_councils", is_flag=True, help="Every council in the register.")
@click.option("--jobs", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Processes to use for a batch.")
@click.option("--force", is_flag=True, help="Overwrite existing workbooks.")
@_library_errors
def generate(model_path, out_dir, register_path, council_queries, regions, all_councils, jobs,
             force):  # fmt: skip
    """Generate self-assessment workbooks: one blank, or one per council."""
    from .generate import generate as generate_workbooks
    from .register import load_register

    loaded = load_model(model_path)
    register = load_register(register_path)
    for warning in register.warnings:
        click.echo(f"warning: {warning}", err=True)
    councils = None
    if council_queries or regions or all_councils:
        chosen = list(register) if all_councils else []
        for region in regions:
            chosen += register.in_region(region)
        chosen += [register.match(q) for q in council_queries]
        councils = list(dict.fromkeys(chosen))
    total = 1 if councils is None else len(councils)
    with click.progressbar(length=total, label="Generating", file=sys.stderr,
                           show_pos=True) as bar:  # fmt: skip
        result = generate_workbooks(loaded, out_dir, councils, register=register, jobs=jobs,
                                    force=force, progress=lambda _built: bar.update(1))  # fmt: skip
    if councils is None:
        click.echo(f"Wrote blank workbook {result.workbooks[0].path} ({loaded.id} {loaded.version})")
    else:
        click.echo(f"Wrote {len(result.workbooks)} workbook(s) in {out_dir} and the manifest "
                   f"{result.manifest} ({loaded.id} {loaded.version})")  # fmt: skip
