"""Loading a model: from a file or from text, to a checked :class:`~npsxl.model.model.Model`.

:func:`load_model` reports every problem in the file at once, each with its file, line and
path, and never returns a model that failed validation. Whatever is in the file, the only
exception it raises is :class:`~npsxl.core.errors.ModelError`.
"""

from __future__ import annotations

from pathlib import Path

from npsxl.core import catalogue as P
from npsxl.core.catalogue import ProblemType
from npsxl.core.errors import ModelError
from npsxl.core.problems import Location, Problem
from npsxl.model.checks import check_document
from npsxl.model.model import Model
from npsxl.model.yamlsource import parse_yaml

MAX_MODEL_BYTES = 2_000_000  # the shipped model is about 32 kB


def check_model_text(text: str, filename: str = "model.yaml") -> tuple[Model | None, list[Problem]]:
    """Validate model YAML text. Returns the model (or None) and every problem found.

    ``filename`` is used in problem locations and as the folder a logo path is relative to.
    """
    return check_document(parse_yaml(text, filename))


def model_from_text(text: str, filename: str = "model.yaml") -> Model:
    """Build a :class:`Model` from YAML text, raising :class:`ModelError` listing every problem."""
    model, problems = check_model_text(text, filename)
    if model is None:
        raise ModelError(f"{filename}: {len(problems)} problem(s) in the model", problems)
    return model


def _unreadable(path: Path, kind: ProblemType, line: int | None = None, **fields) -> ModelError:
    problem = kind(Location(str(path), line=line), **fields)
    return ModelError(f"{path}: {problem.message}", [problem])


def read_model_text(path: str | Path) -> str:
    """The text of a model file, or :class:`ModelError` with one located problem."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_MODEL_BYTES + 1)
    except FileNotFoundError:
        raise _unreadable(path, P.MODEL_NOT_FOUND) from None
    except IsADirectoryError:
        raise _unreadable(path, P.MODEL_IS_A_FOLDER) from None
    except OSError as exc:
        raise _unreadable(path, P.MODEL_UNREADABLE, reason=exc.strerror or exc) from None
    if len(data) > MAX_MODEL_BYTES:
        raise _unreadable(path, P.MODEL_TOO_LARGE, limit=MAX_MODEL_BYTES)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise _unreadable(path, P.MODEL_NOT_UTF8, line, byte=data[exc.start]) from None


def load_model(path: str | Path) -> Model:
    """Load and validate a model file. Raises :class:`ModelError` listing every problem."""
    return model_from_text(read_model_text(path), str(path))
