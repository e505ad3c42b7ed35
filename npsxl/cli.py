"""The `npsxl` command line: parses options, shows progress, prints; the library does the work."""

from __future__ import annotations

import atexit
import functools
import gc
import sys
from pathlib import Path

import click

from npsxl import __version__
from npsxl.core.errors import NpsxlError, ProblemsError
from npsxl.core.signals import stop_cleanly_on_sigterm
from npsxl.model import defaults
from npsxl.model.loading import load_model
from npsxl.reading.returns import Status

DEFAULT_OUT = Path("output")


class UsageError(click.ClickException):
    """A library or configuration error: one line, exit code 2."""

    exit_code = 2


class _Progress:
    """A progress bar on stderr that appears with the first item done, so an error raised
    before any work starts is printed alone. Call it with each finished item."""

    def __init__(self, total: int, label: str, enabled: bool = True):
        self.total, self.label, self.enabled = total, label, enabled
        self.bar = None

    def __enter__(self):
        return self

    def __call__(self, _item=None):
        if not self.enabled:
            return
        if self.bar is None:
            self.bar = click.progressbar(
                length=self.total, label=self.label, file=sys.stderr, show_pos=True
            ).__enter__()
        self.bar.update(1)

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.__exit__(*exc)
        return False


def _tell(chosen: defaults.Chosen):
    """The chosen input's value; on stderr, which one it is when the user did not name it."""
    if not chosen.given:
        click.echo(str(chosen), err=True)
    return chosen.value


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


_MODEL_DEFAULT = "./model.yaml if there is one, else the packaged model"
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
        loaded = _tell(defaults.choose_model(path))
    except ModelError as exc:
        for problem in exc.problems:
            click.echo(str(problem))
        where = path if path is not None else exc.problems[0].location.file
        click.echo(f"{where}: {len(exc.problems)} problem(s); the model was not accepted", err=True)
        sys.exit(1)
    click.echo(f"{loaded.source}: ok: {loaded.summary()}")


@model.command("show")
@_model_argument
@_library_errors
def model_show(path):
    """Print the outline: themes, key areas and enablers with their ids, and the levels.

    PATH defaults to ./model.yaml if there is one, else the packaged model."""
    loaded = _tell(defaults.choose_model(path))
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
@_library_errors
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


# --- shared options -------------------------------------------------------------------------------
_archive_option = click.option(
    "--archive",
    "archive_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    show_default="./models/ if there is one, else the packaged archive",
    help="Folder of every published model version; returns from any of them are read.",
)


def _model_option(func):
    """``--model`` and ``--archive``: the current model and every published version."""
    return click.option(
        "--model",
        "model_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        show_default=_MODEL_DEFAULT,
        help="The current strategy model.",
    )(_archive_option(func))


def _load_models(model_path, archive_dir):
    """The current model and the archive of every known version (the current one included)."""
    current = _tell(defaults.choose_model(model_path))
    return current, _tell(defaults.choose_archive(archive_dir, extra=[current]))


_register_option = click.option(
    "--register",
    "register_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    show_default="./councils.csv if there is one, else the packaged register of 2018",
    help="Council register CSV.",
)
_require_complete_option = click.option(
    "--require-complete",
    is_flag=True,
    help="Reject a return with any item left without a current or target level (by default "
    "it is accepted with warnings and counts for the items it answers).",
)
_include_contacts_option = click.option(
    "--include-contacts",
    is_flag=True,
    help="Put respondents' names and emails into returns.csv and respondents.csv (by "
    "default they are left out; respondents are named by number and role).",
)
_jobs_option = click.option(
    "--jobs",
    type=click.IntRange(1, 64),
    default=2,
    show_default=True,
    help="Processes to read files with. With 2 or more, a file that crashes or hangs the "
    "reader is rejected instead of stopping the run.",
)


# --- generate -------------------------------------------------------------------------------------
@cli.command()
@_model_option
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_OUT,
    show_default=True,
    help="Folder for the workbooks.",
)
@_register_option
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
@click.option("--force", is_flag=True, help="Overwrite existing workbooks.")
@_library_errors
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
    force,
):
    """Generate self-assessment workbooks: one blank, or one per council."""
    from npsxl.model.rounds import assessment_round
    from npsxl.workbook.generation import generate as generate_workbooks

    if prefill_inputs:
        loaded, archive = _load_models(model_path, archive_dir)
    else:
        loaded = _tell(defaults.choose_model(model_path))
    register = _tell(defaults.choose_register(register_path))
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
    total = 1 if councils is None else len(councils)
    with _Progress(total, "Generating") as bar:
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


# --- validate -------------------------------------------------------------------------------------
def _styled_status(status: str) -> str:
    """A return's status for the terminal: green when accepted, red when rejected, else yellow."""
    colour = {Status.ACCEPTED: "green", Status.REJECTED: "red"}.get(status, "yellow")
    return click.style(status.upper(), fg=colour, bold=True)


@cli.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@_model_option
@_register_option
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text for people, json for machines.",
)
@_require_complete_option
@_jobs_option
@_library_errors
def validate(inputs, model_path, archive_dir, register_path, output_format, require_complete, jobs):
    """Check returned workbooks: accepted, accepted with warnings, or rejected, and why."""
    import json

    from npsxl.reading.batch import find_inputs, read_returns

    _current, archive = _load_models(model_path, archive_dir)
    register = _tell(defaults.choose_register(register_path))
    paths = find_inputs(inputs)
    if not paths:
        raise UsageError("no files found in " + ", ".join(map(str, inputs)))
    show = output_format == "text" and len(paths) > 1
    with _Progress(len(paths), "Reading", enabled=show) as bar:
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


def _load_writers() -> None:
    from npsxl.report import summary_workbook  # noqa: F401


def _read_and_collate(
    paths, register, model, archive, group_by, jobs, meanwhile, require_complete=False
):
    """Read and collate ``paths`` with a progress bar (collate, demo and report alike);
    ``meanwhile()`` loads what will use the collation while the files are read."""
    from npsxl.collation.run import collate as collate_returns

    with _Progress(len(paths), "Reading") as bar:
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


def _collate_and_write(
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
    collation = _read_and_collate(
        paths, register, model, archive, group_by, jobs, _load_writers, require_complete
    )
    from npsxl.report.csv_data import write_data
    from npsxl.report.summary_workbook import write_summary_workbook

    # The returns, frames and modules loaded so far outlive the writing: frozen meanwhile, the
    # garbage collector does not walk them again and again while the outputs are made (~50 ms).
    gc.freeze()
    try:
        return (
            collation,
            write_summary_workbook(collation, workbook_path),
            write_data(collation, data_dir, include_contacts=include_contacts),
        )
    finally:
        gc.unfreeze()


def _check_group_by(group_by, register, register_path) -> None:
    missing = [c for c in group_by if c not in register.extra_columns]
    if missing:
        raise UsageError(
            f"--group-by {missing[0]!r} is not a column of {register_path}; "
            f"extra columns there: {', '.join(register.extra_columns) or 'none'}"
        )


_group_by_option = click.option(
    "--group-by",
    "group_by",
    multiple=True,
    metavar="COLUMN",
    help="An extra register column to summarise by (repeatable).",
)


# --- collate --------------------------------------------------------------------------------------
@cli.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@_model_option
@_register_option
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
@_group_by_option
@_require_complete_option
@_include_contacts_option
@_jobs_option
@_library_errors
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
    from npsxl.reading.batch import find_inputs

    loaded, archive = _load_models(model_path, archive_dir)
    chosen_register = defaults.choose_register(register_path)
    register = _tell(chosen_register)
    _check_group_by(group_by, register, chosen_register.source)
    collation, workbook, written = _collate_and_write(
        find_inputs(inputs),
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


# --- report ---------------------------------------------------------------------------------------
def _load_report_writers() -> None:
    from npsxl.report import charts, pages, reports  # noqa: F401


@cli.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@_model_option
@_register_option
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_OUT / "report",
    show_default=True,
    help="Folder for the briefing and the council reports.",
)
@_group_by_option
@click.option(
    "--pdf/--no-pdf", default=True, show_default=True, help="Print each page to PDF as well."
)
@_require_complete_option
@click.option(
    "--include-contacts",
    is_flag=True,
    help="Name in councils.csv who filled in each council's return, and their email, to send "
    "the report to (by default they are left out; no report ever shows them).",
)
@_jobs_option
@_library_errors
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
    from npsxl.reading.batch import find_inputs
    from npsxl.report.reports import PdfNotWritten, check_report_extra, write_reports

    check_report_extra()
    loaded, archive = _load_models(model_path, archive_dir)
    chosen_register = defaults.choose_register(register_path)
    register = _tell(chosen_register)
    _check_group_by(group_by, register, chosen_register.source)
    paths = find_inputs(inputs)
    collation = _read_and_collate(
        paths, register, loaded, archive, group_by, jobs, _load_report_writers, require_complete
    )
    click.echo(collation.summary_text())
    pages = 1 + len(collation.latest)
    failure = None
    with _Progress(pages * (2 if pdf else 1), "Writing reports") as bar:
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


# --- demo -----------------------------------------------------------------------------------------
@cli.command()
@_model_option
@_register_option
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
@_require_complete_option
@_include_contacts_option
@_jobs_option
@_library_errors
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

    loaded, archive = _load_models(model_path, archive_dir)
    register = _tell(defaults.choose_register(register_path))
    click.echo(f"Writing synthetic returns for {len(register)} councils to {out_dir / 'returns'}")
    made = make_returns(loaded, register, out_dir / "returns", seed=seed, respondents=respondents)
    collation, workbook, written = _collate_and_write(
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


def main(args=None, *, standalone_mode: bool = True):
    """The ``npsxl`` program: the console script and ``python -m npsxl``."""
    # At exit Python sweeps every object with one last garbage collection: 0.2 s once pandas
    # is loaded, for a process that is ending anyway. Freezing them skips it. Nothing is
    # lost: every output was renamed into place, and the standard streams are still flushed.
    atexit.register(gc.freeze)
    stop_cleanly_on_sigterm()
    return cli(args, prog_name="npsxl", standalone_mode=standalone_mode)
