"""Reconstructed words: words the text extraction of the published strategy lost, which the
model supplies. They are written in [square brackets] in the model's texts, so that the
workbook shows councils which words are the strategy's and which were filled in."""

from __future__ import annotations

OPEN, CLOSE = "[", "]"

EXPLANATION = (
    "Words in [square brackets] could not be read in the published strategy and were filled in."
)
"""The plain-English line that says what the brackets mean, wherever they are shown."""


def unmarked(text: str) -> str:
    """``text`` without the brackets that mark reconstructed words: the words alone.

    Marking words as reconstructed does not change them: lineage compares unmarked text.
    """
    return text.replace(OPEN, "").replace(CLOSE, "")


def is_marked(text: str) -> bool:
    """Whether ``text`` has reconstructed words in it."""
    return OPEN in text


def marks_balanced(text: str) -> bool:
    """Whether every ``[`` is closed by a ``]`` before the next ``[`` (no nesting)."""
    depth = 0
    for char in text:
        if char == OPEN:
            depth += 1
        elif char == CLOSE:
            depth -= 1
        if depth not in (0, 1):
            return False
    return depth == 0
