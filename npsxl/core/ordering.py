"""Natural order for short labels (assessment rounds, model versions): :func:`natural_key`."""

from __future__ import annotations

import re

_PARTS = re.compile(r"[0-9]+|[^0-9]+")


def natural_key(label: str) -> tuple:
    """The sort key of a label in natural order.

    Runs of the digits 0-9 compare as numbers and the text between them case-blind, a number
    before text: "2024" < "2026" < "2026-2" < "2026-10" < "2027", and "1.9" < "1.10". ``""``
    comes first. Labels that differ only in case or leading zeros are ordered by their text,
    so the order is total.
    """
    parts = []
    for part in _PARTS.findall(label):
        if "0" <= part[0] <= "9":
            # a number as (digits, digits): no int(), which a hostile label of thousands of
            # digits would make fail, yet the same order
            number = part.lstrip("0") or "0"
            parts.append((0, len(number), number))
        else:
            parts.append((1, 0, part.casefold()))
    return tuple(parts), label
