"""Every published model version, kept so that returns from any of them can be read and compared.

The archive is a folder of model files, one per published version: the package ships one
(``npsxl/data/models/``, see :mod:`npsxl.model.defaults`). Each version that
replaces another declares its lineage; :func:`load_archive` checks every lineage
against the version it replaces, and :meth:`ModelArchive.mapping` chains lineages so
that answers given against any archived version can be mapped onto any later one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from npsxl.core import catalogue as P
from npsxl.core.errors import ModelError
from npsxl.core.ordering import natural_key
from npsxl.core.problems import Location, Problem
from npsxl.model.fingerprint import where_they_differ
from npsxl.model.lineage import Mapping, check_lineage, compose, item_mapping
from npsxl.model.loading import load_model
from npsxl.model.model import Model


@dataclass(frozen=True)
class ModelArchive:
    """Known model versions, by id and version."""

    models: tuple[Model, ...]

    def __iter__(self):
        return iter(self.models)

    def __len__(self) -> int:
        return len(self.models)

    def newest(self, folder: str | Path = "") -> Model:
        """The version no other version in the archive replaces: the current one. Raises
        :class:`ModelError` unless there is exactly one (``folder`` locates the problem)."""
        replaced = {(m.replaces.model_id, m.replaces.version) for m in self.models if m.replaces}
        newest = [m for m in self.models if (m.id, m.version) not in replaced]
        if len(newest) == 1:
            return newest[0]
        where = Location(file=str(folder))
        if not self.models:
            problem = P.ARCHIVE_EMPTY(where)
        elif not newest:
            versions = ", ".join(f"{m.id} {m.version}" for m in self.models)
            problem = P.ARCHIVE_CIRCULAR(where, versions=versions)
        else:
            versions = ", ".join(f"{m.id} {m.version}" for m in newest)
            problem = P.ARCHIVE_NO_NEWEST(where, count=len(newest), versions=versions)
        raise ModelError(f"{folder}: {problem.message}", [problem])

    def find(self, model_id: str, version: str) -> Model | None:
        return next((m for m in self.models if (m.id, m.version) == (model_id, version)), None)

    def publication_notes(self, model: Model) -> list[str]:
        """What an LGA editor should know before sending workbooks made from ``model``: that
        it is not a published version of this archive (coordinators would reject its returns
        as an unknown model), that it differs from the published one of its version, or that
        it declares no lineage to the versions before it. Empty when all is well."""
        label = f"{model.id} {model.version}"
        published = self.find(model.id, model.version)
        notes = []
        if published is None:
            notes.append(
                f"{label} is not a published version (the archive has "
                f"{', '.join(f'{m.id} {m.version}' for m in self.models) or 'none'}): its "
                "returns will be rejected as from an unknown model wherever the archive does "
                "not have it. Publish it into the archive before sending the workbooks."
            )
        elif published.fingerprint != model.fingerprint:
            notes.append(
                f"{label} differs from the published {label} (another fingerprint): its "
                "returns will be rejected wherever the published one is used. Give it a new "
                "version and publish it."
            )
        earlier = [
            m
            for m in self.models
            if m.id == model.id and natural_key(m.version) < natural_key(model.version)
        ]
        if published is None and earlier and model.replaces is None:
            notes.append(
                f"{label} declares no `replaces:` lineage, so returns of "
                f"{', '.join(m.version for m in earlier)} will never be compared with its "
                "returns (no trends, no pooling). Add a `replaces:` block; "
                "samples/model-1.1-example.yaml shows one."
            )
        return notes

    def mapping(self, old: Model, new: Model) -> dict[str, Mapping] | None:
        """Old item id -> its place in ``new``, following ``replaces`` links back from ``new``.

        None when ``new`` does not descend from ``old`` in this archive.
        """
        if (old.id, old.version) == (new.id, new.version):
            return {i.id: Mapping(i.id, (i.id,), "unchanged", True) for i in old.items}
        chain = []
        current = new
        while current.replaces is not None:
            previous = self.find(current.replaces.model_id, current.replaces.version)
            if previous is None:
                return None
            chain.append(item_mapping(current.replaces))
            if (previous.id, previous.version) == (old.id, old.version):
                result = chain.pop()
                while chain:
                    result = compose(result, chain.pop())
                return result
            current = previous
        return None


def check_models(models: Iterable[Model]) -> list[Problem]:
    """Problems across models: one version with two contents, and every lineage's soundness."""
    models = list(models)
    problems = []
    by_key: dict[tuple[str, str], Model] = {}
    for model in models:
        key = (model.id, model.version)
        other = by_key.get(key)
        if other is not None and other.fingerprint != model.fingerprint:
            mine, theirs, position = where_they_differ(model.fingerprint, other.fingerprint)
            problems.append(
                P.MODEL_VERSION_REUSED(
                    Location(file=model.source),
                    model_id=model.id,
                    version=model.version,
                    other=other.source,
                    fingerprint=mine,
                    other_fingerprint=theirs,
                    position=position,
                )
            )
        by_key.setdefault(key, model)
    for model in by_key.values():
        if model.replaces is None:
            continue
        old = by_key.get((model.replaces.model_id, model.replaces.version))
        if old is None:
            problems.append(
                P.MODEL_LINEAGE(
                    Location(file=model.source, path="replaces"),
                    model_id=model.id,
                    version=model.version,
                    old_id=model.replaces.model_id,
                    old_version=model.replaces.version,
                )
            )
            continue
        problems.extend(check_lineage(model.replaces, old, model))
    return problems


def load_archive(directory: str | Path, extra: Iterable[Model] = ()) -> ModelArchive:
    """Load every ``*.yaml`` model in ``directory`` plus ``extra`` models (e.g. the current one).

    Raises :class:`ModelError` listing every problem: invalid files, a version published
    twice with different content, or a lineage that does not fit the version it replaces.
    A missing folder is an empty archive.
    """
    return archive_of([*read_archive_files(directory), *extra], directory)


def read_archive_files(directory: str | Path) -> list[Model]:
    """Every ``*.yaml`` model in ``directory``, loaded but not yet checked together (see
    :func:`archive_of`); raises :class:`ModelError` listing every invalid file."""
    models: list[Model] = []
    problems: list[Problem] = []
    directory = Path(directory)
    paths = sorted(directory.glob("*.yaml")) if directory.is_dir() else []
    for path in paths:
        try:
            models.append(load_model(path))
        except ModelError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ModelError(f"{directory}: {len(problems)} problem(s) in the model archive", problems)
    return models


def archive_of(models: Iterable[Model], where: str | Path = "the model archive") -> ModelArchive:
    """An archive of ``models`` already loaded (each version once), checked together as
    :func:`load_archive` checks them; raises :class:`ModelError` listing every problem."""
    models = list(models)
    problems = check_models(models)
    if problems:
        raise ModelError(f"{where}: {len(problems)} problem(s) in the model archive", problems)
    unique: dict[tuple[str, str], Model] = {}
    for model in models:
        unique.setdefault((model.id, model.version), model)
    return ModelArchive(tuple(unique.values()))
