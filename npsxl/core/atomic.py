"""Write outputs to a temporary file beside the target, then rename: no half-written files."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from npsxl.core.errors import OutputError


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike, *, force: bool = True):
    """Yield a temporary path in the target's folder; on success rename it over ``target``.

    With ``force=False`` an existing target raises :class:`OutputError` before any work.
    """
    target = Path(target)
    if not force and target.exists():
        raise OutputError(f"{target} already exists; use --force to overwrite it")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise OutputError(f"cannot write to {target.parent}: {exc.strerror or exc}") from None
    os.close(handle)
    try:
        yield Path(tmp)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_text_atomic(target: str | os.PathLike, text: str, *, force: bool = True) -> Path:
    """Write UTF-8 text atomically."""
    with atomic_path(target, force=force) as tmp:
        tmp.write_text(text, encoding="utf-8", newline="")
    return Path(target)
