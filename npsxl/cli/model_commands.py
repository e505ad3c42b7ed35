"""`npsxl model check | show | diff`: for LGA staff editing the strategy model."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from npsxl.cli.common import cli, library_errors, tell
from npsxl.core.errors import ProblemsError
from npsxl.model import defaults
from npsxl.model.loading import load_model


# --- model ----------------------------------------------------------------------------------------
@cli.group()
def model():
    """Check or show the strategy model (model.yaml)."""


_model_argument = click.argument(
    "path", type=click.Path(dir_okay=False, path_type=Path), required=False
)


@model.command("check")
@_model_argument
def model_check(path):
    """Validate a model file: a one-line summary, or every located problem (exit 1).

    PATH defaults to ./model.yaml if there is one, else the packaged model."""
    from npsxl.core.errors import ModelError

    try:
        loaded = tell(defaults.choose_model(path))
    except ModelError as exc:
        for problem in exc.problems:
            click.echo(str(problem))
        where = path if path is not None else exc.problems[0].location.file
        click.echo(f"{where}: {len(exc.problems)} problem(s); the model was not accepted", err=True)
        sys.exit(1)
    click.echo(f"{loaded.source}: ok: {loaded.summary()}")
    try:
        archive = defaults.choose_archive().value
    except ModelError:
        return  # the archive's own problems are for the commands that read it
    for note in archive.publication_notes(loaded):
        click.echo(f"note: {note}")


@model.command("show")
@_model_argument
@library_errors
def model_show(path):
    """Print the outline: themes, key areas and enablers with their ids, and the levels.

    PATH defaults to ./model.yaml if there is one, else the packaged model."""
    loaded = tell(defaults.choose_model(path))
    click.echo(f"{loaded.title} ({loaded.id} {loaded.version})")
    click.echo("Levels: " + ", ".join(f"{lv.score} {lv.name}" for lv in loaded.levels))
    for group in loaded.groups:
        click.echo(f"{group.id}  {group.name}")
        for item in group.items:
            note = "  [text reconstructed]" if item.text_note else ""
            click.echo(f"  {item.id:<4} {item.name}{note}")


@model.command("diff")
@click.argument("old", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("new", type=click.Path(dir_okay=False, path_type=Path))
@library_errors
def model_diff(old, new):
    """Show what changed between two model versions, and what stays comparable."""
    from npsxl.model.lineage import check_lineage, diff_models

    old_model, new_model = load_model(old), load_model(new)
    lineage = new_model.replaces
    if lineage is not None and (lineage.model_id, lineage.version) != (
        old_model.id,
        old_model.version,
    ):
        click.echo(
            f"note: {new} replaces {lineage.model_id} {lineage.version}, not "
            f"{old_model.id} {old_model.version}; items are matched by id"
        )
        lineage = None
    if lineage is not None:
        problems = check_lineage(lineage, old_model, new_model)
        if problems:
            raise ProblemsError(f"{new}: the lineage does not fit {old}", problems)
    for line in diff_models(old_model, new_model, lineage):
        click.echo(line)
