"""Ending the program cleanly when it is told to stop: :func:`stop_cleanly_on_sigterm`."""

from __future__ import annotations

import signal
import threading


def stop_cleanly_on_sigterm() -> None:
    """Make SIGTERM (``kill``, a service manager, a scheduler's time limit) end the program
    as Ctrl-C does, through every ``finally``: worker processes and the browsers printing
    PDFs are stopped and temporary files removed, instead of being left behind. The exit
    code is 143 (128 + SIGTERM), as a shell reports it; a second SIGTERM ends it at once.
    Only the main thread can set a signal handler: elsewhere this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        return

    def stop(signum, _frame):
        signal.signal(signum, signal.SIG_DFL)
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
