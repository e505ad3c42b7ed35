"""Exceptions raised by the npsxl library. The CLI turns each into one line and an exit code."""

from __future__ import annotations


def is_native_panic(exc: BaseException) -> bool:
    """Whether ``exc`` is a panic in a native (Rust) extension such as the spreadsheet
    parser. pyo3 raises these as ``pyo3_runtime.PanicException``, which derives from
    BaseException so that ``except Exception`` misses it; for npsxl it means only that one
    input broke the parser."""
    kind = type(exc)
    return kind.__name__ == "PanicException" and kind.__module__ == "pyo3_runtime"


class NpsxlError(Exception):
    """Base class for every error npsxl raises on purpose."""

    exit_code = 2


class ProblemsError(NpsxlError):
    """An input failed validation; ``problems`` lists every located problem."""

    def __init__(self, summary: str, problems):
        self.problems = list(problems)
        super().__init__(summary)

    def __str__(self) -> str:
        lines = [self.args[0]] + [f"  {p}" for p in self.problems]
        return "\n".join(lines)

    def __reduce__(self):  # whole from a worker process: the problems too
        return type(self), (self.args[0], self.problems)


class ModelError(ProblemsError):
    """model.yaml (or another model file) is missing or invalid."""


class RegisterError(ProblemsError):
    """A council register CSV is missing or invalid."""


class CouncilNotFound(NpsxlError):
    """A council name or code matched nothing in the register."""

    def __init__(self, query: str, suggestions):
        self.query = query
        self.suggestions = list(suggestions)
        hint = f" Did you mean: {', '.join(self.suggestions)}?" if self.suggestions else ""
        super().__init__(f"No council matches {query!r} in the register.{hint}")

    def __reduce__(self):
        return type(self), (self.query, self.suggestions)


class OutputError(NpsxlError):
    """An output file could not be written (exists without --force, or unwritable)."""


class RoundSettingsError(ProblemsError):
    """A round settings file is missing or invalid."""
