"""What a government form carries, set for each round by whoever sends the workbooks:
:class:`RoundSettings` (the deadline, where to return the workbook, a help contact, the
privacy notice, and whether the form asks for overall comments and a sign-off), read from a
round settings file (YAML) by :func:`load_round_settings`.

A setting left unset shows as a marked placeholder in the workbooks ("[deadline to be set by
the sender]"); :meth:`RoundSettings.placeholders` lists them as warnings, so ``npsxl generate``
can say so. A file with problems raises :class:`~npsxl.core.errors.RoundSettingsError` listing
each one with its file and line.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from npsxl.core import catalogue as P
from npsxl.core.errors import RoundSettingsError
from npsxl.core.problems import Location, Problem
from npsxl.model.rounds import assessment_round
from npsxl.model.yamlsource import format_path, parse_yaml

MAX_SETTINGS_BYTES = 100_000
TEXT_LIMIT = 600  # characters in one setting: a privacy purpose is a sentence or two
_EMAIL = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[A-Za-z]{2,}$")
_UNUSABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ufffe\uffff]")

PLACEHOLDERS = {
    "deadline": "[deadline to be set by the sender]",
    "return_to": "[email address to be set by the sender]",
    "help_contact": "[help contact to be set by the sender]",
    "privacy.collected_by": "[organisation to be set by the sender]",
    "privacy.purpose": "[purpose to be set by the sender]",
    "privacy.kept_for": "[how long it is kept, to be set by the sender]",
    "privacy.contact": "[contact for data protection questions, to be set by the sender]",
}
# The command-line option that sets a key (the others are set in the file only).
OPTIONS = {"deadline": "deadline", "return_to": "return-to", "help_contact": "help-contact"}


@dataclass(frozen=True)
class Privacy:
    """The privacy notice (UK GDPR) for the respondent's and approver's names and emails:
    who collects them, why, how long they are kept, and whom to ask ('' when not set)."""

    collected_by: str = ""
    purpose: str = ""
    kept_for: str = ""
    contact: str = ""


@dataclass(frozen=True)
class RoundSettings:
    """A round's settings; '' (or None) where the sender has not set one."""

    round: str = ""
    deadline: dt.date | None = None
    return_to: str = ""  # the email address the workbook goes back to
    help_contact: str = ""
    privacy: Privacy = field(default_factory=Privacy)
    comments_box: bool = True  # whether Start here asks for overall comments
    sign_off: bool = True  # whether Start here asks who approved the return, and when
    source: str = ""  # the file they were read from

    def value(self, key: str) -> str:
        """A setting as the workbook shows it ('privacy.kept_for' for a privacy one): its
        text, the deadline as '31 March 2027', or its placeholder when not set."""
        if key == "deadline":
            return _long_date(self.deadline) if self.deadline else PLACEHOLDERS[key]
        holder = self.privacy if key.startswith("privacy.") else self
        text = getattr(holder, key.removeprefix("privacy."))
        return text or PLACEHOLDERS[key]

    def placeholders(self) -> list[Problem]:
        """A warning for each setting still shown as its placeholder."""
        where = Location(file=self.source)
        return [
            P.ROUND_SETTINGS_PLACEHOLDER(
                where,
                key=key,
                placeholder=text,
                option=OPTIONS.get(key, "round-settings"),
                hint=None if key in OPTIONS else f"set {key} in a round settings file",
            )
            for key, text in PLACEHOLDERS.items()
            if self.value(key) == text
        ]

    def with_options(self, **given: object) -> RoundSettings:
        """These settings with the command line's (``deadline``, ``return_to``,
        ``help_contact``; None or '' leaves one as it is). Raises RoundSettingsError for a
        value the setting does not take."""
        problems: list[Problem] = []
        changes = {}
        for key, value in given.items():
            if value is None or value == "":
                continue
            checked = _check(key, value, Location(path=f"--{OPTIONS[key]}"), problems)
            if checked is not None:
                changes[key] = checked
        if problems:
            raise RoundSettingsError("the round settings given are not usable", problems)
        return replace(self, **changes)


def _long_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _describe(value: object) -> str:
    if isinstance(value, dict):
        return "a list of settings"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "empty"
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _check(key: str, value: object, where: Location, problems: list[Problem]):
    """``value`` as setting ``key`` takes it, or None (with a problem) when it does not."""

    def bad(expected: str, fix: str) -> None:
        problems.append(
            P.ROUND_SETTINGS_BAD_VALUE(
                where, key=key, found=_describe(value), expected=expected, fix=fix
            )
        )

    if key == "deadline":
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        return bad("a date", "write the date as year-month-day, e.g. 2027-03-31")
    if key in ("comments_box", "sign_off"):
        if isinstance(value, bool):
            return value
        return bad("yes or no", f"write {key}: yes (the workbooks ask for it) or {key}: no")
    if key == "round":
        if isinstance(value, int | str) and not isinstance(value, bool):
            try:
                return assessment_round(value)
            except Exception:  # noqa: BLE001 - NpsxlError: its message says why
                pass
        return bad("a round", "give a short label such as 2026 or 2026-27")
    if not isinstance(value, str) or not value.strip():
        return bad("a text", "write the text after the colon, in quotes if it holds ': '")
    text = " ".join(value.split())
    if _UNUSABLE.search(value) or len(text) > TEXT_LIMIT:
        return bad(f"a text of up to {TEXT_LIMIT} characters", "shorten it to a sentence or two")
    if key == "return_to" and not _EMAIL.match(text):
        return bad("an email address", "give the address only, e.g. nps-returns@example.gov.uk")
    return text


_TOP_KEYS = (
    "round",
    "deadline",
    "return_to",
    "help_contact",
    "privacy",
    "comments_box",
    "sign_off",
)
_PRIVACY_KEYS = tuple(f.name for f in fields(Privacy))


def check_round_settings_text(text: str, filename: str) -> tuple[RoundSettings, list[Problem]]:
    """Round settings from YAML text, and every problem found (settings with a problem are
    left unset)."""
    doc = parse_yaml(text, filename)
    problems = [P.ROUND_SETTINGS_NOT_YAML(p.location, reason=p.message) for p in doc.problems]
    settings = RoundSettings(source=filename)
    if problems:
        return settings, problems
    data = doc.data
    if data is None:
        return settings, problems  # an empty file: every setting left to its placeholder
    if not isinstance(data, dict):
        where = Location(file=filename, line=doc.line(()))
        found = f"{_describe(data)} where 'key: value' lines were expected"
        return settings, [P.ROUND_SETTINGS_NOT_YAML(where, reason=found)]
    values: dict[str, Any] = {}  # checked against each field's type by _check
    privacy: dict[str, str] = {}
    for key, value in data.items():
        where = Location(file=filename, line=doc.line((key,)), path=str(key))
        if key not in _TOP_KEYS:
            allowed = ", ".join(_TOP_KEYS)
            problems.append(P.ROUND_SETTINGS_UNKNOWN_KEY(where, key=key, allowed=allowed))
        elif key == "privacy":
            if not isinstance(value, dict):
                fix = "indent collected_by, purpose, kept_for and contact under it"
                found = _describe(value)
                problems.append(
                    P.ROUND_SETTINGS_BAD_VALUE(
                        where, key=key, found=found, expected="a list of settings", fix=fix
                    )
                )
                continue
            for sub, text_value in value.items():
                path = ("privacy", sub)
                place = Location(file=filename, line=doc.line(path), path=format_path(path))
                if sub not in _PRIVACY_KEYS:
                    allowed = ", ".join(_PRIVACY_KEYS)
                    problems.append(P.ROUND_SETTINGS_UNKNOWN_KEY(place, key=sub, allowed=allowed))
                    continue
                checked = _check(f"privacy.{sub}", text_value, place, problems)
                if checked is not None:
                    privacy[sub] = checked
        else:
            checked = _check(key, value, where, problems)
            if checked is not None:
                values[key] = checked
    return replace(settings, privacy=Privacy(**privacy), **values), problems


def load_round_settings(path: str | Path) -> RoundSettings:
    """The round settings in a YAML file; raises RoundSettingsError listing every problem
    (file, line, what was found and what to do)."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_SETTINGS_BYTES + 1)
        if len(data) > MAX_SETTINGS_BYTES:
            raise ValueError(f"it is larger than {MAX_SETTINGS_BYTES:,} bytes")
        text = data.decode("utf-8-sig")
    except (OSError, ValueError) as exc:
        reason = "file not found" if isinstance(exc, FileNotFoundError) else exc
        if isinstance(exc, UnicodeDecodeError):
            reason = "it is not UTF-8 text (save it as UTF-8)"
        elif isinstance(exc, OSError) and not isinstance(exc, FileNotFoundError):
            reason = exc.strerror or exc
        problem = P.ROUND_SETTINGS_UNREADABLE(Location(file=str(path)), reason=reason)
        raise RoundSettingsError(f"{path}: {problem.message}", [problem]) from None
    settings, problems = check_round_settings_text(text, str(path))
    if problems:
        summary = f"{path}: {len(problems)} problem(s) in the round settings"
        raise RoundSettingsError(summary, problems)
    return settings
