"""Write outputs to a temporary file beside the target, then rename: no half-written files.

The temporary file is created as :func:`open` creates a file, readable and writable by all
less the process's umask (and any default ACL of the folder), so that an output on a shared
drive can be opened by the colleagues the folder is shared with. (:func:`tempfile.mkstemp`
would make it readable by its owner alone.)
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from npsxl.core.errors import OutputError

_ATTEMPTS = 100  # random names tried before giving up (a clash is one in 2**32 per try)


def _create_beside(target: Path) -> Path:
    """A new empty file in ``target``'s folder, created with mode 0o666 less the umask."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(_ATTEMPTS):
        tmp = target.parent / f".{target.name}.{secrets.token_hex(4)}.tmp"
        try:
            os.close(os.open(tmp, flags, 0o666))
        except FileExistsError:
            continue
        return tmp
    raise FileExistsError(f"no free temporary name beside {target}")


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
        tmp = _create_beside(target)
    except OSError as exc:
        raise OutputError(f"cannot write to {target.parent}: {exc.strerror or exc}") from None
    try:
        yield tmp
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
