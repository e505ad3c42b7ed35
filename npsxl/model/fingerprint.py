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
