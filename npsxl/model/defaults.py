"""What npsxl uses when it is not told which model, archive or register: the current folder's
own when it has one, else the one shipped in the package.

========  =====================  ===================================================
input     in the current folder  else, shipped in the package
========  =====================  ===================================================
model     ``model.yaml``         the newest version in the packaged archive
archive   ``models/``            ``npsxl/data/models/``: every published version
register  ``councils.csv``       ``npsxl/data/registers/councils-2018.csv``
========  =====================  ===================================================

So LGA staff editing ``model.yaml`` run npsxl in its folder, and a coordinator with a
register of their own keeps it as ``councils.csv`` in the folder they work in (or names it).
A file in the current folder is checked as strictly as one named explicitly: a broken
``model.yaml`` is an error, never a reason to use the packaged model instead. Each choice
comes back as a :class:`Chosen`, which says what was used and where it came from.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from npsxl.model.archive import ModelArchive, archive_of, load_archive, read_archive_files
from npsxl.model.loading import load_model
from npsxl.model.model import Model
from npsxl.model.register import Register
from npsxl.model.register_csv import load_register

# Installed packages are always unpacked on disk (pip never installs a wheel zipped).
PACKAGE_DATA = Path(__file__).resolve().parent.parent / "data"
PACKAGED_ARCHIVE = PACKAGE_DATA / "models"
"""The archive of every published model version: a new version is published by adding its
file here (see ``npsxl/data/README.md``)."""
PACKAGED_REGISTERS = {
    "2018": PACKAGE_DATA / "registers" / "councils-2018.csv",
    "2025": PACKAGE_DATA / "registers" / "councils-2025.csv",
}
"""The English councils that existed on 1 June 2018 (the strategy's publication) and on
1 July 2025, by edition."""
DEFAULT_REGISTER_EDITION = "2018"

LOCAL_MODEL = Path("model.yaml")
LOCAL_ARCHIVE = Path("models")
LOCAL_REGISTER = Path("councils.csv")

T = TypeVar("T")


@dataclass(frozen=True)
class Chosen(Generic[T]):
    """One input npsxl uses: the loaded ``value``, and where it came from."""

    what: str
    """``model``, ``archive`` or ``register``."""
    value: T
    source: str
    """The path given, ``./model.yaml`` (and so on), or ``the packaged model`` (and so on)."""
    detail: str
    """What it holds, e.g. ``nps-2018 1.0.0`` or ``353 councils``."""
    given: bool
    """Whether it was named (by the caller, or an option): if not, it is a default."""

    def __str__(self) -> str:
        """E.g. ``model: ./model.yaml (nps-2018 1.0.0)``."""
        return f"{self.what}: {self.source} ({self.detail})"


def packaged_archive(extra: Iterable[Model] = ()) -> ModelArchive:
    """Every published model version shipped in the package, plus ``extra`` models."""
    return load_archive(PACKAGED_ARCHIVE, extra=extra)


def packaged_model() -> Model:
    """The current strategy model shipped in the package: the newest version in its archive
    (the one no other version replaces)."""
    return packaged_archive().newest(PACKAGED_ARCHIVE)


def packaged_register(edition: str = DEFAULT_REGISTER_EDITION) -> Register:
    """A council register shipped in the package: ``"2018"`` or ``"2025"`` (see
    :data:`PACKAGED_REGISTERS`)."""
    if edition not in PACKAGED_REGISTERS:
        raise ValueError(f"no packaged register {edition!r}: {', '.join(PACKAGED_REGISTERS)}")
    return load_register(PACKAGED_REGISTERS[edition])


def choose_model(path: str | Path | None = None) -> Chosen[Model]:
    """The model at ``path``; with None, ``./model.yaml`` if there is one, else the packaged
    model. Raises :class:`~npsxl.core.errors.ModelError` listing every problem."""
    if path is not None:
        return _model(load_model(path), str(path), given=True)
    if LOCAL_MODEL.exists():
        return _model(load_model(LOCAL_MODEL), f"./{LOCAL_MODEL}", given=False)
    return _model(packaged_model(), "the packaged model", given=False)


def choose_archive(
    directory: str | Path | None = None, extra: Iterable[Model] = ()
) -> Chosen[ModelArchive]:
    """The archive in ``directory`` plus ``extra`` models (e.g. the current one); with None,
    ``./models/`` if there is one, else the packaged archive. Raises
    :class:`~npsxl.core.errors.ModelError` listing every problem."""
    if directory is not None:
        source, given = str(directory), True
    elif LOCAL_ARCHIVE.is_dir():
        directory, source, given = LOCAL_ARCHIVE, f"./{LOCAL_ARCHIVE}/", False
    else:
        directory, source, given = PACKAGED_ARCHIVE, "the packaged archive", False
    extra = list(extra)
    published = read_archive_files(directory)
    archive = archive_of([*published, *extra], directory)
    kept = {(m.id, m.version): m for m in published}
    versions = ", ".join(f"{i} {v}" for i, v in kept) or "no versions"
    added = [m for m in extra if (m.id, m.version) not in kept]
    if added:
        versions += ", and the current model " + ", ".join(f"{m.id} {m.version}" for m in added)
    return Chosen("archive", archive, source, versions, given)


def choose_register(path: str | Path | None = None) -> Chosen[Register]:
    """The register at ``path``; with None, ``./councils.csv`` if there is one, else the
    packaged register of 2018. Raises :class:`~npsxl.core.errors.RegisterError` listing
    every problem."""
    if path is not None:
        return _register(load_register(path), str(path), given=True)
    if LOCAL_REGISTER.exists():
        return _register(load_register(LOCAL_REGISTER), f"./{LOCAL_REGISTER}", given=False)
    packaged = f"the packaged register of {DEFAULT_REGISTER_EDITION}"
    return _register(packaged_register(), packaged, given=False)


def _model(model: Model, source: str, given: bool) -> Chosen[Model]:
    return Chosen("model", model, source, f"{model.id} {model.version}", given)


def _register(register: Register, source: str, given: bool) -> Chosen[Register]:
    councils = f"{len(register)} council{'' if len(register) == 1 else 's'}"
    return Chosen("register", register, source, councils, given)


def register_label(source: str) -> str:
    """How a register's source is shown to people: a packaged register by its edition
    ("the packaged register of 2018"), not by its path inside the installed package."""
    for edition, path in PACKAGED_REGISTERS.items():
        try:
            if Path(source).resolve() == path.resolve():
                return f"the packaged register of {edition}"
        except (OSError, ValueError):
            break
    return source
