"""The text npsxl prints about returns, as plain lines: what became of each file and where its
problems are (:func:`return_lines`), and how many files were accepted or rejected
(:func:`counts_line`). The command line only echoes them."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from npsxl.reading.returns import Return, Status


def return_lines(ret: Return, show_status: Callable[[str], str] = str.upper) -> list[str]:
    """One line for ``ret`` (its file, status, council, model and how complete it is), then
    one per problem: its severity, code, where it is and what to do.

    ``show_status`` turns the status into the text shown (upper case by default; the
    command line colours it too).
    """
    council = (
        ret.council.name
        if ret.council
        else (ret.council_name or ret.council_code or "council unknown")
    )
    model = f"{ret.model_id} {ret.model_version}".strip() or "model unknown"
    done = f"{ret.complete_count} of {ret.item_count} items complete" if ret.item_count else ""
    facts = ", ".join(x for x in (council, model, done) if x)
    lines = [f"{ret.path}: {show_status(ret.status)}: {facts}"]
    for problem in ret.problems:
        where = problem.location
        place = ", ".join(
            x
            for x in (
                f"sheet '{where.sheet}'" if where.sheet else "",
                f"cell {where.cell}" if where.cell else "",
                f"item {where.item_id}" if where.item_id else "",
            )
            if x
        )
        hint = f" What to do: {problem.hint}." if problem.hint else ""
        place = f" ({place})" if place else ""
        lines.append(f"  {problem.severity}: [{problem.code}]{place} {problem.message}.{hint}")
    return lines


def counts_line(returns: Sequence[Return]) -> str:
    """'N file(s): a accepted, b accepted with warnings, c rejected'."""
    counts = {status: sum(r.status == status for r in returns) for status in Status}
    return f"{len(returns)} file(s): " + ", ".join(f"{n} {s}" for s, n in counts.items())
