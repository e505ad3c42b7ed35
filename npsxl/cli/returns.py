"""`npsxl validate`, `npsxl collate` and `npsxl demo`: reading and collating returns."""

from __future__ import annotations

import gc
import sys
from pathlib import Path

import click

from npsxl.cli.common import (
    DEFAULT_OUT,
    Progress,
    cli,
    find_returns,
    group_by_option,
    include_contacts_option,
    jobs_option,
    library_errors,
    load_for_collating,
    load_models,
    model_option,
    register_option,
    require_complete_option,
    returns_inputs,
    tell,
)
from npsxl.model import defaults
from npsxl.reading.returns import Status


# --- validate -------------------------------------------------------------------------------------
def _styled_status(status: str) -> str:
    """A return's status for the terminal: green when accepted, red when rejected, else yellow."""
    colours: dict[str, str] = {Status.ACCEPTED: "green", Status.REJECTED: "red"}
    colour = colours.get(status, "yellow")
    return click.style(status.upper(), fg=colour, bold=True)


@cli.command()
@returns_inputs
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text for people, json for machines.",
)
@require_complete_option
@jobs_option
@library_errors
def validate(inputs, model_path, archive_dir, register_path, output_format, require_complete, jobs):
    """Check returned workbooks: accepted, accepted with warnings, or rejected, and why."""
    import json

    from npsxl.reading.batch import read_returns

    _current, archive = load_models(model_path, archive_dir)
    register = tell(defaults.choose_register(register_path))
    paths = find_returns(inputs)
    show = output_format == "text" and len(paths) > 1
    with Progress(len(paths), "Reading", enabled=show) as bar:
        returns = read_returns(
            paths,
            list(archive),
            register,
            jobs=jobs,
            progress=bar,
            require_complete=require_complete,
        )
    if output_format == "json":
        click.echo(json.dumps([r.to_dict() for r in returns], indent=2, ensure_ascii=False))
    else:
        from npsxl.report.text import counts_line, return_lines

        for ret in returns:
            for line in return_lines(ret, _styled_status):
                click.echo(line)
        click.echo(counts_line(returns))
    if any(not r.accepted for r in returns):
        sys.exit(1)


def load_writers() -> None:
    from npsxl.report import outputs  # noqa: F401


def read_and_collate(
    paths, register, model, archive, group_by, jobs, meanwhile, require_complete=False
):
    """Read and collate ``paths`` with a progress bar (collate, demo and report alike);
    ``meanwhile()`` loads what will use the collation while the files are read."""
    from npsxl.collation.run import collate as collate_returns

    with Progress(len(paths), "Reading") as bar:
        return collate_returns(
            paths,
            register,
            model=model,
            archive=archive,
            group_by=group_by,
            jobs=jobs,
            progress=bar,
            meanwhile=meanwhile,
            require_complete=require_complete,
        )


def collate_and_write(
    paths,
    register,
    model,
    archive,
    group_by,
    jobs,
    workbook_path,
    data_dir,
    *,
    require_complete=False,
    include_contacts=False,
):
    """Collate ``paths`` with a progress bar, then write the summary workbook and the CSVs:
    (collation, workbook path, CSV paths). What writes them loads while the files are read."""
    collation = read_and_collate(
        paths, register, model, archive, group_by, jobs, load_writers, require_complete
    )
    from npsxl.report.outputs import write_outputs

    # The returns, frames and modules loaded so far outlive the writing: frozen meanwhile, the
    # garbage collector does not walk them again and again while the outputs are made (~50 ms).
    gc.freeze()
    try:
        workbook, written = write_outputs(
            collation, workbook_path, data_dir, include_contacts=include_contacts, jobs=jobs
        )
        return collation, workbook, written
    finally:
        gc.unfreeze()


# --- collate --------------------------------------------------------------------------------------
@cli.command()
@returns_inputs
@click.option(
    "--out",
    "out_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_OUT / "nps-summary.xlsx",
    show_default=True,
    help="The summary workbook to write.",
)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_OUT / "data",
    show_default=True,
    help="Folder for the CSV files (returns, answers, summary, statistics, respondents...).",
)
@group_by_option
@require_complete_option
@include_contacts_option
@jobs_option
@library_errors
def collate(
    inputs,
    model_path,
    archive_dir,
    register_path,
    out_file,
    data_dir,
    group_by,
    require_complete,
    include_contacts,
    jobs,
):
    """Collate returned workbooks into a summary workbook with charts, and tidy CSV data."""
    loaded, archive, register = load_for_collating(model_path, archive_dir, register_path, group_by)
    collation, workbook, written = collate_and_write(
        find_returns(inputs),
        register,
        loaded,
        archive,
        group_by,
        jobs,
        out_file,
        data_dir,
        require_complete=require_complete,
        include_contacts=include_contacts,
    )
    click.echo(collation.summary_text())
    click.echo(f"Wrote {workbook} and {', '.join(str(p) for p in written)}")
    if any(not r.accepted for r in collation.returns):
        sys.exit(1)


# --- demo -----------------------------------------------------------------------------------------
@cli.command()
@model_option
@register_option
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_OUT / "demo",
    show_default=True,
    help="Folder for the demo.",
)
@click.option("--seed", type=int, default=2018, show_default=True, help="Random seed.")
@click.option(
    "--respondents",
    type=click.IntRange(1, 20),
    default=1,
    show_default=True,
    help="Respondents' views per council (above 1, half the councils also send an agreed return).",
)
@require_complete_option
@include_contacts_option
@jobs_option
@library_errors
def demo(
    model_path,
    archive_dir,
    register_path,
    out_dir,
    seed,
    respondents,
    require_complete,
    include_contacts,
    jobs,
):
    """Make synthetic returns for every council in the register and collate them."""
    from npsxl.workbook.demo import make_returns

    loaded, archive = load_models(model_path, archive_dir)
    register = tell(defaults.choose_register(register_path))
    click.echo(f"Writing synthetic returns for {len(register)} councils to {out_dir / 'returns'}")
    made = make_returns(loaded, register, out_dir / "returns", seed=seed, respondents=respondents)
    collation, workbook, written = collate_and_write(
        made.returns + made.faulty,
        register,
        loaded,
        archive,
        (),
        jobs,
        out_dir / "nps-summary.xlsx",
        out_dir / "data",
        require_complete=require_complete,
        include_contacts=include_contacts,
    )
    click.echo(collation.summary_text())
    click.echo(f"Open {workbook} to see the summary; the tidy data is in {written[0].parent}.")
