"""Start a council's new self-assessment from its previous return: :class:`Previous`.

A council assesses itself in rounds, years apart. Its new workbook shows last round's
current and target levels beside the new dropdowns (for reference: the council chooses
its levels again) and carries its evidence and actions over as editable text. The
previous answers are mapped onto the new model version through the archive's lineage;
whatever cannot be mapped, or has changed, is explained in :attr:`Previous.notes`, one
plain sentence each, which the workbook lists on its Start here sheet.

:func:`previous_from_return` maps one return; :func:`latest_by_council` picks each
council's latest accepted return; :func:`load_previous` does both for files and folders.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from npsxl.core.errors import NpsxlError
from npsxl.model.answers import Answer
from npsxl.model.archive import ModelArchive
from npsxl.model.lineage import Mapping
from npsxl.model.model import Item, Model
from npsxl.model.reconstructed import unmarked
from npsxl.model.register import Register
from npsxl.model.rounds import round_key
from npsxl.reading.returns import Return
from npsxl.workbook.previous import Previous


# --- one return -----------------------------------------------------------------------------------
def previous_from_return(
    ret: Return, model: Model, archive: ModelArchive | None = None
) -> Previous:
    """The answers of ``ret`` mapped onto ``model`` through ``archive``'s lineage.

    ``ret`` must be accepted and made with ``model`` or with a version it descends from
    (``archive`` holds the versions; without one only ``model`` itself is known). Raises
    :class:`~npsxl.core.errors.NpsxlError` otherwise, saying why.
    """
    source = ret.path or "the return"
    if not ret.accepted:
        first = ret.errors[0].message if ret.errors else "it has errors"
        raise NpsxlError(
            f"{source}: the return was rejected ({first}), so its answers cannot be carried over"
        )
    if not ret.model_id or not ret.model_version:
        raise NpsxlError(f"{source}: the return does not say which model version it was made with")
    archive = archive if archive is not None else ModelArchive((model,))
    made_with = f"{ret.model_id} {ret.model_version}"
    if ret.model_id != model.id:
        raise NpsxlError(
            f"{source} was made with model {made_with}, not {model.id}: its answers cannot be "
            f"carried over to {model.id} {model.version}"
        )
    old = (
        model
        if ret.model_version == model.version
        else archive.find(ret.model_id, ret.model_version)
    )
    if old is None:
        raise NpsxlError(
            f"{source} was made with {made_with}, which is not in the model archive: add "
            "that version to the archive folder so its answers can be mapped"
        )
    mapping = archive.mapping(old, model)
    if mapping is None:
        raise NpsxlError(
            f"{source} was made with {made_with}, and {model.id} {model.version} does not "
            f"replace it (directly or through earlier versions), so its answers cannot be "
            f"mapped: generate with {made_with} or a later version"
        )
    answers, notes = _map_answers(ret.answers, old, model, mapping)
    return Previous(
        round=return_round(ret),
        model_id=old.id,
        model_version=old.version,
        source_file=ret.path,
        answers=answers,
        notes=tuple(notes),
    )


def return_round(ret: Return) -> str:
    """The round of a return: as the workbook says, else the year it was completed, else ''."""
    if ret.round:
        return str(ret.round).strip()
    completed = ret.respondent.date_completed
    if isinstance(completed, dt.date):
        return str(completed.year)
    return ""


def _map_answers(
    given: dict[str, Answer], old: Model, new: Model, mapping: dict[str, Mapping]
) -> tuple[dict[str, Answer], list[str]]:
    old_items = {i.id: i for i in old.items}
    new_items = {i.id: i for i in new.items}
    version = f"version {old.version}"
    answers: dict[str, Answer] = {}
    sources: dict[str, list[Mapping]] = {}  # new item id -> the mappings that reach it
    for m in mapping.values():
        for new_id in m.new_ids:
            if new_id in new_items:
                sources.setdefault(new_id, []).append(m)
    notes: list[str] = []
    noted: set[str] = set()  # old ids already explained

    def named(item: Item) -> str:
        return f"{item.id} {item.name}"

    def not_carried(m: Mapping, what: str) -> None:
        answer = given.get(m.old_id)
        previous = f"your previous answer ({_levels(answer)})" if answer else "it"
        notes.append(
            f"{named(old_items[m.old_id])} ({version}) {what}: {previous} is not carried over."
        )
        noted.add(m.old_id)

    for item in new.items:
        reaching = sources.get(item.id, [])
        if not reaching:
            notes.append(f"{named(item)} is new in this version: there is no previous answer.")
            continue
        if len(reaching) > 1 or not reaching[0].comparable:
            for m in reaching:
                if m.old_id not in noted:
                    into = _join([named(new_items[i]) for i in m.new_ids if i in new_items])
                    if m.change == "merged":
                        not_carried(m, f"was merged into {into}")
                    else:
                        not_carried(m, f"became {into}, which cannot be compared with it")
            continue
        m = reaching[0]
        answer = given.get(m.old_id)
        before = old_items.get(m.old_id)
        if answer is None or before is None:
            if m.old_id not in noted:
                notes.append(f"{named(item)}: your previous return has no answer for it.")
                noted.add(m.old_id)
            continue
        answers[item.id] = Answer(
            item.id, answer.current, answer.target, answer.evidence or "", answer.actions or ""
        )
        if m.old_id in noted:
            continue
        noted.add(m.old_id)
        parts = [new_items[i] for i in m.new_ids if i in new_items]
        if len(parts) > 1:
            notes.append(
                f"Your previous answer for {named(before)} ({version}) is shown against "
                f"{'both' if len(parts) == 2 else 'each of'} {_join([named(p) for p in parts])}"
                ": check it fits each of them."
            )
            continue
        notes.extend(_changes(before, item, version))
    for m in mapping.values():
        if (
            m.old_id not in noted
            and m.old_id in old_items
            and not any(i in new_items for i in m.new_ids)
        ):
            not_carried(m, "was removed")
    return answers, notes


def _changes(before: Item, after: Item, version: str) -> list[str]:
    """Sentences about an item that kept its answers but changed."""
    said = []
    if before.id != after.id or before.name != after.name:
        said.append(f"was {before.id} {before.name} in {version}")
    # words marked as reconstructed (in brackets) in one version only are the same words
    levels_changed = [unmarked(d) for d in before.descriptors] != [
        unmarked(d) for d in after.descriptors
    ]
    if levels_changed:
        said.append("the level descriptions changed")
    elif [
        unmarked(t) for t in (before.description, before.what_it_is, before.why_it_is_important)
    ] != [unmarked(t) for t in (after.description, after.what_it_is, after.why_it_is_important)]:
        said.append("its description changed")
    if not said:
        return []
    check = "check your levels" if levels_changed else "check your answer"
    since = "" if said[0].startswith("was ") else f" since {version}"
    return [f"{after.id} {after.name}: {'; '.join(said)}{since}; {check}."]


def _levels(answer: Answer | None) -> str:
    if answer is None or (not answer.current and not answer.target):
        return "no levels given"
    return f"{answer.current or 'no current level'}, target {answer.target or 'not given'}"


def _join(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


# --- many returns ---------------------------------------------------------------------------------
def latest_by_council(returns: Iterable[Return]) -> dict[str, Return]:
    """Each council's latest accepted return, keyed by council code.

    Only accepted returns whose council was found in the register count. The latest is
    the one with the latest round (in the order of :func:`npsxl.model.rounds.round_key`), then
    the latest date completed, then the newest file.
    """
    latest: dict[str, tuple[tuple, Return]] = {}
    for ret in returns:
        if not ret.accepted or ret.council is None or not ret.council.code:
            continue
        key = _recency(ret)
        code = ret.council.code
        if code not in latest or key > latest[code][0]:
            latest[code] = (key, ret)
    return {code: ret for code, (_key, ret) in latest.items()}


def _recency(ret: Return) -> tuple:
    completed = ret.respondent.date_completed
    if isinstance(completed, dt.datetime):
        completed = completed.date()
    day = completed.toordinal() if isinstance(completed, dt.date) else 0
    try:
        mtime = os.stat(ret.path).st_mtime if ret.path else 0.0
    except OSError:
        mtime = 0.0
    return (round_key(return_round(ret)), day, mtime)


@dataclass
class PrefillSources:
    """What :func:`load_previous` found: a :class:`Previous` per council code, and the files
    it did not use, one line each saying why."""

    previous: dict[str, Previous] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    read: int = 0


def load_previous(
    inputs: str | os.PathLike | Sequence[str | os.PathLike],
    model: Model,
    archive: ModelArchive | None = None,
    register: Register | None = None,
    *,
    jobs: int = 1,
    progress: Callable[[Return], None] | None = None,
) -> PrefillSources:
    """Read the returns in ``inputs`` (files and folders) and map each council's latest one.

    Files that are rejected, whose council is not in ``register``, that an even later
    return of the same council supersedes, or whose model version cannot be mapped onto
    ``model`` are listed in :attr:`PrefillSources.skipped`; none stops the others. Raises
    :class:`~npsxl.core.errors.NpsxlError` for a missing input.
    """
    from npsxl.reading.batch import find_inputs, read_returns

    archive = archive if archive is not None else ModelArchive((model,))
    models = list(archive)
    if all((m.id, m.version) != (model.id, model.version) for m in models):
        models.append(model)
    paths = find_inputs(inputs)
    returns = read_returns(paths, models, register, jobs=jobs, progress=progress)
    found = PrefillSources(read=len(returns))
    for ret in returns:
        if not ret.accepted:
            found.skipped.append(f"{ret.path}: rejected ({ret.errors[0].message})")
        elif ret.council is None or not ret.council.code:
            who = ret.council_name or ret.council_code or "no council"
            found.skipped.append(f"{ret.path}: its council ({who}) is not in the register")
    latest = latest_by_council(returns)
    chosen = {id(r) for r in latest.values()}
    for ret in returns:
        if ret.accepted and ret.council is not None and id(ret) not in chosen:
            newer = latest.get(ret.council.code)
            if newer is not None:
                found.skipped.append(
                    f"{ret.path}: {ret.council.name} has a later return ({Path(newer.path).name})"
                )
    for code, ret in latest.items():
        try:
            found.previous[code] = previous_from_return(ret, model, archive)
        except NpsxlError as exc:
            found.skipped.append(str(exc))
    return found
