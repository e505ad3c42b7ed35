"""A collation's two outputs for the coordinator, the summary workbook and the data files,
written side by side: :func:`write_outputs`."""

from __future__ import annotations

import functools
import multiprocessing
import os
import sys
from pathlib import Path

from npsxl.collation.collation import Collation
from npsxl.core.errors import OutputError
from npsxl.core.pool import Failure, run_tasks
from npsxl.report.csv_data import write_data
from npsxl.report.summary_workbook import write_summary_workbook


def _can_fork() -> bool:
    """Whether a worker can start as a copy of this process, the collation with it: the
    fork start method, which macOS has but does not make safe (its system libraries)."""
    return sys.platform != "darwin" and "fork" in multiprocessing.get_all_start_methods()


def write_outputs(
    collation: Collation,
    workbook_path: str | os.PathLike,
    data_dir: str | os.PathLike,
    *,
    force: bool = True,
    include_contacts: bool = False,
    jobs: int = 1,
) -> tuple[Path, list[Path]]:
    """Write the summary workbook (:func:`~npsxl.report.summary_workbook.write_summary_workbook`)
    and the data files (:func:`~npsxl.report.csv_data.write_data`) of ``collation``; returns
    (the workbook's path, the data files' paths).

    With ``jobs`` above 1, where a worker process can start as a copy of this one (Linux and
    other Unix systems but macOS), the data files are written in such a worker while this
    process writes the workbook: the same files, in about the time of the workbook alone.
    An error writing either raises here, as it does with one job. Without ``force``, an
    existing output raises :class:`~npsxl.core.errors.OutputError` before anything is
    written (so the two are written one after the other, the workbook first)."""
    if jobs <= 1 or not force or not _can_fork():
        workbook = write_summary_workbook(collation, workbook_path, force=force)
        return workbook, write_data(
            collation, data_dir, force=force, include_contacts=include_contacts
        )
    written: list[Path] = []

    def write_workbook() -> None:
        written.append(write_summary_workbook(collation, workbook_path, force=force))

    # The worker is a fork of this process: the collation is in it already, never pickled.
    task = functools.partial(_write_data, collation, data_dir, include_contacts)
    (data,) = run_tasks(
        task, [None], 1, meanwhile=write_workbook, context=multiprocessing.get_context("fork")
    )
    if isinstance(data, Failure):
        raise OutputError(
            f"the process writing the data files in {data_dir} {data.reason}; try again, "
            "or with --jobs 1"
        )
    return written[0], data


def _write_data(collation: Collation, data_dir, include_contacts: bool, _task: None) -> list[Path]:
    return write_data(collation, data_dir, include_contacts=include_contacts)
