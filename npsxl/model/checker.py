"""Reading clean, typed values out of a parsed YAML document, with a located problem for each
value that is not what the schema wants: the primitives the model's checks are written with."""

from __future__ import annotations

import datetime as dt
import re

from npsxl.core import catalogue as P
from npsxl.core.catalogue import ProblemType
from npsxl.core.problems import Location, Problem
from npsxl.model.reconstructed import marks_balanced
from npsxl.model.yamlsource import YamlDocument, format_path

# Left behind by PDF extraction: markup, bullets, tabs, line breaks, invisible characters,
# and double spaces. Text is folded onto one line; blank lines in a >- block become "\n".
NOISE = re.compile(
    r"</?[A-Za-z][^<>]*>"  # markup such as <b>
    r"|[·•▪◦‣\uf0b7]"  # bullets
    r"|[\x00-\x1f\x7f-\x9f]"  # control characters: tabs, line breaks, ...
    r"|[\u00a0\u00ad\u200b\u2028\u2029\ufeff\ufffd]"  # invisible or replacement characters
    r"|  "  # double spaces
)


def kind_of(value) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, dt.date):
        return "a date"
    return {
        dict: "a mapping",
        list: "a list",
        str: "text",
        bool: "true/false",
        int: "a number",
        float: "a number",
    }.get(type(value), type(value).__name__)


class Checker:
    """Walks the parsed YAML, collecting located problems."""

    def __init__(self, doc: YamlDocument):
        self.doc = doc
        self.problems: list[Problem] = list(doc.problems)

    def problem(self, kind: ProblemType, path, /, *, hint: str | None = None, **fields) -> None:
        """Report a ``kind`` of problem at ``path``, located by file, line and path."""
        if tuple(path) in self.doc.invalid:
            return  # the YAML reader already reported this value
        location = Location(
            file=self.doc.filename, line=self.doc.line(path), path=format_path(path) or None
        )
        self.problems.append(kind(location, hint=hint, **fields))

    def mapping(self, value, path, keys: dict, hint="") -> dict | None:
        """``value`` if it is a mapping; unknown and missing keys are reported."""
        if not isinstance(value, dict):
            self.problem(
                P.MODEL_WRONG_TYPE, path, hint=hint, expected="a mapping", found=kind_of(value)
            )
            return None
        for key in value:
            if key not in keys:
                self.problem(P.MODEL_UNKNOWN_KEY, path + (key,), key=key, allowed=", ".join(keys))
        for key, required in keys.items():
            if required and key not in value:
                self.problem(P.MODEL_MISSING_KEY, path, key=key)
        return value

    def text(self, mapping, key, path, required=True) -> str:
        """The stripped text at ``mapping[key]``; "" (and a problem) if it is not clean text."""
        if mapping is None or key not in mapping:
            return ""
        value, where = mapping[key], path + (key,)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.problem(P.MODEL_EMPTY_TEXT, where)
            return ""
        if not isinstance(value, str):
            hint = "put it in quotes to make it text"
            if isinstance(value, dt.date):
                what = f"the date {value.isoformat()}"
                hint = f'YAML reads an unquoted date as a date: write "{value.isoformat()}"'
            elif isinstance(value, bool):
                what = "true/false"
                hint = "YAML reads unquoted yes/no/on/off/true/false as true/false: " + hint
            elif isinstance(value, (int, float)):
                what = f"the number {value!r}"
                hint = f'put it in quotes, e.g. "{value}"'
            else:
                what = kind_of(value)
                hint = ""
            self.problem(P.MODEL_WRONG_TYPE, where, hint=hint, expected="text", found=what)
            return ""
        text = value.strip()
        found = NOISE.search(text)
        if found:
            self.problem(P.MODEL_TEXT_NOISE, where, noise=found.group(0))
        if not marks_balanced(text):
            self.problem(P.MODEL_UNBALANCED_BRACKETS, where, text=_excerpt(text))
        return text

    def sequence(self, mapping, key, path) -> list:
        if mapping is None or key not in mapping:
            return []
        value = mapping[key]
        if not isinstance(value, list):
            self.problem(P.MODEL_WRONG_TYPE, path + (key,), expected="a list", found=kind_of(value))
            return []
        if not value:
            self.problem(P.MODEL_EMPTY_LIST, path + (key,))
        return value


def _excerpt(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"
