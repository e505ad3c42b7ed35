"""What every command shares: the command group, progress, errors and the shared options."""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import click

from npsxl import __version__
from npsxl.core.errors import NpsxlError, ProblemsError
from npsxl.model import defaults

DEFAULT_OUT = Path("output")
MODEL_DEFAULT = "./model.yaml if there is one, else the packaged model"


class UsageError(click.ClickException):
    """A library or configuration error: one line, exit code 2."""

    exit_code = 2


class Progress:
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


def tell(chosen: defaults.Chosen):
    """The chosen input's value; on stderr, which one it is when the user did not name it."""
    if not chosen.given:
        click.echo(str(chosen), err=True)
    return chosen.value


def library_errors(func):
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


# --- shared options -------------------------------------------------------------------------------
archive_option = click.option(
    "--archive",
    "archive_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    show_default="./models/ if there is one, else the packaged archive",
    help="Folder of every published model version; returns from any of them are read.",
)


def model_option(func):
    """``--model`` and ``--archive``: the current model and every published version."""
    return click.option(
        "--model",
        "model_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        show_default=MODEL_DEFAULT,
        help="The current strategy model.",
    )(archive_option(func))


def load_models(model_path, archive_dir):
    """The current model and the archive of every known version (the current one included)."""
    current = tell(defaults.choose_model(model_path))
    return current, tell(defaults.choose_archive(archive_dir, extra=[current]))


register_option = click.option(
    "--register",
    "register_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    show_default="./councils.csv if there is one, else the packaged register of 2018",
    help="Council register CSV.",
)
require_complete_option = click.option(
    "--require-complete",
    is_flag=True,
    help="Reject a return with any item left without a current or target level (by default "
    "it is accepted with warnings and counts for the items it answers).",
)
include_contacts_option = click.option(
    "--include-contacts",
    is_flag=True,
    help="Put respondents' names and emails into returns.csv and respondents.csv (by "
    "default they are left out; respondents are named by number and role).",
)
jobs_option = click.option(
    "--jobs",
    type=click.IntRange(1, 64),
    default=2,
    show_default=True,
    help="Processes to read files with. With 2 or more, a file that crashes or hangs the "
    "reader is rejected instead of stopping the run.",
)


def check_group_by(group_by, register, register_path) -> None:
    missing = [c for c in group_by if c not in register.extra_columns]
    if missing:
        raise UsageError(
            f"--group-by {missing[0]!r} is not a column of {register_path}; "
            f"extra columns there: {', '.join(register.extra_columns) or 'none'}"
        )


group_by_option = click.option(
    "--group-by",
    "group_by",
    multiple=True,
    metavar="COLUMN",
    help="An extra register column to summarise by (repeatable).",
)


def returns_inputs(func):
    """The INPUTS argument (returned files and folders), ``--model``, ``--archive`` and
    ``--register``: what validate, collate and report read."""
    func = register_option(func)
    func = model_option(func)
    return click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))(func)


def load_for_collating(model_path, archive_dir, register_path, group_by=()):
    """The current model, the archive and the register, with ``--group-by`` checked against
    the register: what collate and report start from."""
    loaded, archive = load_models(model_path, archive_dir)
    chosen_register = defaults.choose_register(register_path)
    register = tell(chosen_register)
    check_group_by(group_by, register, chosen_register.source)
    return loaded, archive, register


def find_returns(inputs) -> list[Path]:
    """The files to read in ``inputs`` (files, and folders searched recursively); a usage
    error when there are none, as a folder given by mistake would give an empty summary."""
    from npsxl.reading.batch import find_inputs

    paths = find_inputs(inputs)
    if not paths:
        raise UsageError(
            "no files found in " + ", ".join(map(str, inputs)) + " (check the path of the returns)"
        )
    return paths
