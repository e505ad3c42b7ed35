"""`npsxl report`: the briefing and one report per council, in HTML and PDF."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from npsxl.cli.common import (
    DEFAULT_OUT,
    Progress,
    UsageError,
    cli,
    find_returns,
    group_by_option,
    jobs_option,
    library_errors,
    load_for_collating,
    require_complete_option,
    returns_inputs,
)
from npsxl.cli.returns import read_and_collate


# --- report ---------------------------------------------------------------------------------------
def _load_report_writers() -> None:
    from npsxl.report import charts, pages, reports  # noqa: F401


@cli.command()
@returns_inputs
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_OUT / "report",
    show_default=True,
    help="Folder for the briefing and the council reports.",
)
@group_by_option
@click.option(
    "--pdf/--no-pdf", default=True, show_default=True, help="Print each page to PDF as well."
)
@require_complete_option
@click.option(
    "--include-contacts",
    is_flag=True,
    help="Name in councils.csv who filled in each council's return, and their email, to send "
    "the report to (by default they are left out; no report ever shows them).",
)
@jobs_option
@library_errors
def report(
    inputs,
    model_path,
    archive_dir,
    register_path,
    out_dir,
    group_by,
    pdf,
    require_complete,
    include_contacts,
    jobs,
):
    """Write the briefing and one report per council, in HTML and PDF, from the returns."""
    from npsxl.report.reports import PdfNotWritten, check_report_extra, write_reports

    check_report_extra()
    loaded, archive, register = load_for_collating(model_path, archive_dir, register_path, group_by)
    paths = find_returns(inputs)
    collation = read_and_collate(
        paths, register, loaded, archive, group_by, jobs, _load_report_writers, require_complete
    )
    click.echo(collation.summary_text())
    pages = 1 + len(collation.latest)
    failure = None
    with Progress(pages * (2 if pdf else 1), "Writing reports") as bar:
        try:
            files = write_reports(
                collation,
                out_dir,
                jobs=jobs,
                pdf=pdf,
                include_contacts=include_contacts,
                progress=bar,
            )
        except PdfNotWritten as exc:
            files, failure = exc.files, exc
    click.echo(
        f"Wrote the briefing {files.briefing_html}, {len(files.councils)} council report(s) in "
        f"{files.briefing_html.parent / 'councils'} and the list {files.councils_csv}"
    )
    if files.briefing_pdf is not None:
        click.echo(f"and their PDFs: {files.briefing_pdf} and one beside each council's page")
    if files.removed:
        click.echo(f"Removed {len(files.removed)} report(s) of an earlier run that no longer apply")
    if failure is not None:
        raise UsageError(f"no PDFs: {failure}")
    if any(not r.accepted for r in collation.returns):
        sys.exit(1)
