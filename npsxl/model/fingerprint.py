"""The model's fingerprint: a sha256 of its strategy content, written into every workbook so that
the reader rejects a return made from any other content."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace

from npsxl.model.lineage import Lineage
from npsxl.model.model import Item, Model


def canonical_content(model: Model) -> dict:
    """The strategy content that the fingerprint covers: everything but branding and file paths.

    Branding is presentation; changing a colour, the font or the logo must not make earlier
    returns look like they came from a different strategy. Text is compared after YAML has
    parsed it (and leading and trailing whitespace is stripped), so reformatting the file,
    reordering keys, requoting or editing comments leaves the fingerprint unchanged, while
    any change to the words, ids, order of items or levels changes it.
    """

    def item(i: Item) -> dict:
        return {
            "id": i.id,
            "name": i.name,
            "kind": i.kind,
            "group": i.group_id,
            "description": i.description,
            "what_it_is": i.what_it_is,
            "why_it_is_important": i.why_it_is_important,
            "descriptors": list(i.descriptors),
            "text_note": i.text_note,
        }

    return {
        "id": model.id,
        "version": model.version,
        "title": model.title,
        "short_name": model.short_name,
        "publisher": model.publisher,
        "published": model.published,
        "source_url": model.source_url,
        "purpose": model.purpose,
        "levels": [[level.name, level.score] for level in model.levels],
        "groups": [
            {
                "id": g.id,
                "name": g.name,
                "description": g.description,
                "items": [item(i) for i in g.items],
            }
            for g in model.groups
        ],
        **({"replaces": _lineage_content(model.replaces)} if model.replaces else {}),
    }


def _lineage_content(lineage: Lineage) -> dict:
    entries = [[e.change, list(e.old), list(e.new), e.note] for e in lineage.entries]
    return {"id": lineage.model_id, "version": lineage.version, "lineage": entries}


def with_fingerprint(model: Model) -> Model:
    """``model`` with its fingerprint: the sha256 of :func:`canonical_content` as JSON."""
    canonical = json.dumps(
        canonical_content(model), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return replace(model, fingerprint=hashlib.sha256(canonical.encode("utf-8")).hexdigest())


def where_they_differ(found: str, expected: str, context: int = 8) -> tuple[str, str, int]:
    """Two fingerprints shown where they differ: ``(found, expected, position)``, each as
    the characters around the first difference with that character in brackets
    ('...9a0c1b2d[4]e8f01a7...'), and the position (from 1) of that character. Their first
    dozen characters may well be the same; a fingerprint cut short shows '[-]' where it
    ends."""
    position = next(
        (i for i, (a, b) in enumerate(zip(found, expected, strict=False)) if a != b),
        min(len(found), len(expected)),
    )

    def shown(text: str) -> str:
        start = max(0, position - context)
        end = position + 1 + context
        here = text[position] if position < len(text) else "-"
        head = ("..." if start else "") + text[start:position]
        return f"{head}[{here}]{text[position + 1 : end]}" + ("..." if end < len(text) else "")

    return shown(found), shown(expected), position + 1
