"""What a council typed for a level, as one of the model's levels: :func:`parse_level`.

Invisible characters (Unicode's format characters: zero-width space, zero-width joiners, word
joiner, byte order mark, soft hyphen, direction marks) are removed first, silently: they
come with text pasted from web pages, e-mails and documents, a spreadsheet shows nothing of
them, so the council sees, and chose, the word that is left. A warning would quote a value
that looks exactly like the allowed one and ask for a change nobody can see. Everything
else is judged as before: the dropdown's text is accepted as it is; a variant (case, spaces,
a no-break space among them, a score) is accepted with a warning; anything else is refused.
"""

from __future__ import annotations

import re
import unicodedata

from npsxl.model.model import Model
from npsxl.reading.facts import facts_of

_LEVEL_TOKENS = re.compile(r"[^\W\d_]+|\d+(?:\.0+)?")
_LEVEL_PUNCTUATION = re.compile(r"[\s\-.:()\[\]–—/=,]+")


def without_invisible(text: str) -> str:
    """``text`` without the format characters a spreadsheet shows as nothing (zero-width
    space, zero-width (non-)joiner, word joiner, byte order mark, soft hyphen, direction
    marks...)."""
    if text.isascii():
        return text
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


def parse_level(value, model: Model) -> tuple[str | None, str]:
    """Turn what a council typed into a level name. Returns ``(level, issue)``:
    issue is '' for the dropdown text, 'loose' for an accepted variant ("mature",
    "3", 3.0, "Level 3 - Mature", "Mature (3)"), 'bad' otherwise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, ""
    if isinstance(value, bool):
        return None, "bad"
    facts = facts_of(model)
    level_names, names = facts.level_names, facts.folded
    count = len(level_names)
    if isinstance(value, (int, float)):
        if float(value).is_integer() and 1 <= int(value) <= count:
            return level_names[int(value) - 1], "loose"
        return None, "bad"
    if not isinstance(value, str):
        return None, "bad"
    exact = facts.exact.get(value)
    if exact is None and not value.isascii():
        value = without_invisible(value)
        if not value.strip():
            return None, ""  # nothing visible: a blank cell to the council
        exact = facts.exact.get(value)
    if exact is not None:
        return exact, ""  # the model's own string: one object for every answer, not one each
    folded = " ".join(value.split()).casefold()
    if folded in names:
        return names[folded], "loose"
    tokens = _LEVEL_TOKENS.findall(folded)
    if _LEVEL_PUNCTUATION.sub("", _LEVEL_TOKENS.sub("", folded)):
        return None, "bad"  # characters other than words, digits and separators
    words = [t for t in tokens if not t[0].isdigit() and t != "level"]
    digits = [t for t in tokens if t[0].isdigit()]
    if len(digits) > 1 or (not words and not digits):
        return None, "bad"
    by_score = None
    if digits:
        score = int(float(digits[0]))
        if not 1 <= score <= count:
            return None, "bad"
        by_score = level_names[score - 1]
    by_name = names.get(" ".join(words)) if words else None
    if words and by_name is None:
        return None, "bad"
    if by_score and by_name and by_score != by_name:
        return None, "bad"
    return by_name or by_score, "loose"
