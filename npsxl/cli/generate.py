"""`npsxl generate`: the workbooks, blank or one per council."""

from __future__ import annotations

from pathlib import Path

import click

from npsxl.cli.common import (
    DEFAULT_OUT,
    Progress,
    UsageError,
    cli,
    library_errors,
    load_models,
    model_option,
    register_option,
    tell,
)
from npsxl.model import defaults


# --- generate -------------------------------------------------------------------------------------
@cli.command()
@model_option
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_OUT,
    show_default=True,
    help="Folder for the workbooks.",
)
@register_option
@click.option(
    "--council",
    "council_queries",
    multiple=True,
    metavar="CODE_OR_NAME",
    help="A council to personalise a workbook for (repeatable).",
)
@click.option("--region", "regions", multiple=True, help="Every council in this region.")
@click.option("--all", "all_councils", is_flag=True, help="Every council in the register.")
@click.option(
    "--round",
    "round_",
    default="",
    metavar="ROUND",
    help="The assessment round written into the workbooks (default: this year).",
)
@click.option(
    "--prefill",
    "prefill_inputs",
    multiple=True,
    type=click.Path(path_type=Path),
    metavar="FILE_OR_DIR",
    help="Previous returns to start each council's workbook from (repeatable).",
)
@click.option(
    "--jobs",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Processes to use for a batch.",
)
@click.option(
    "--round-settings",
    "settings_path",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="The round's deadline, return address, help contact and privacy notice (YAML, "
    "see samples/round-settings-example.yaml).",
)
@click.option("--deadline", metavar="YYYY-MM-DD", help="The deadline (overrides the file's).")
@click.option("--return-to", metavar="EMAIL", help="Where to return the workbook (an email).")
@click.option("--help-contact", metavar="TEXT", help="Whom to ask for help.")
@click.option("--force", is_flag=True, help="Overwrite existing workbooks.")
@library_errors
def generate(
    model_path,
    archive_dir,
    out_dir,
    register_path,
    council_queries,
    regions,
    all_councils,
    round_,
    prefill_inputs,
    jobs,
    settings_path,
    deadline,
    return_to,
    help_contact,
    force,
):
    """Generate self-assessment workbooks: one blank, or one per council."""
    from npsxl.model.round_settings import RoundSettings, load_round_settings
    from npsxl.model.rounds import assessment_round
    from npsxl.workbook.generation import generate as generate_workbooks

    settings = load_round_settings(settings_path) if settings_path else RoundSettings()
    settings = settings.with_options(
        deadline=deadline, return_to=return_to, help_contact=help_contact
    )
    round_ = round_ or settings.round

    if prefill_inputs:
        loaded, archive = load_models(model_path, archive_dir)
    else:
        loaded = tell(defaults.choose_model(model_path))
    for note in defaults.choose_archive(archive_dir).value.publication_notes(loaded):
        click.echo(f"warning: {note}", err=True)
    register = tell(defaults.choose_register(register_path))
    round_ = assessment_round(round_)
    for warning in register.warnings:
        click.echo(f"warning: {warning}", err=True)
    previous = None
    if prefill_inputs:
        from npsxl.collation.prefill import load_previous

        found = load_previous(prefill_inputs, loaded, archive, register, jobs=jobs)
        for line in found.skipped:
            click.echo(f"warning: not used for pre-fill: {line}", err=True)
        previous = found.previous
    councils = None
    if council_queries or regions or all_councils:
        chosen = list(register) if all_councils else []
        for region in regions:
            chosen += register.in_region(region)
        chosen += [register.match(q) for q in council_queries]
        councils = list(dict.fromkeys(chosen))
    elif previous is not None:
        councils = [c for c in register if c.code in previous]
        if not councils:
            raise UsageError("--prefill found no accepted previous return of a council")
    for warning in settings.placeholders():
        click.echo(f"warning: {warning}", err=True)
    total = 1 if councils is None else len(councils)
    with Progress(total, "Generating") as bar:
        result = generate_workbooks(
            loaded,
            out_dir,
            councils,
            register=register,
            jobs=jobs,
            force=force,
            progress=bar,
            previous=previous,
            round=round_,
            settings=settings,
        )
    version = f"{loaded.id} {loaded.version}, round {round_}"
    if councils is None:
        click.echo(f"Wrote blank workbook {result.workbooks[0].path} ({version})")
    else:
        prefilled = sum(1 for built in result.workbooks if built.prefilled_from)
        also = f", {prefilled} pre-filled from the previous round" if previous is not None else ""
        click.echo(
            f"Wrote {len(result.workbooks)} workbook(s) in {out_dir}{also}, and the manifest "
            f"{result.manifest} ({version})"
        )
