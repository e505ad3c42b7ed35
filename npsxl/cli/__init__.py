"""The `npsxl` command line: parses options, shows progress, prints; the library does the work.

One module per command (or family of commands), on :mod:`npsxl.cli.common` (the command
group, progress, error handling and the options several commands share)."""

from __future__ import annotations

import atexit
import gc

from npsxl.cli import generate, model_commands, report, returns  # noqa: F401  (the commands)
from npsxl.cli.common import cli
from npsxl.core.signals import stop_cleanly_on_sigterm

__all__ = ["cli", "main"]


def main(args=None, *, standalone_mode: bool = True):
    """The ``npsxl`` program: the console script and ``python -m npsxl``."""
    # At exit Python sweeps every object with one last garbage collection: 0.2 s once pandas
    # is loaded, for a process that is ending anyway. Freezing them skips it. Nothing is
    # lost: every output was renamed into place, and the standard streams are still flushed.
    atexit.register(gc.freeze)
    stop_cleanly_on_sigterm()
    return cli(args, prog_name="npsxl", standalone_mode=standalone_mode)
