"""The merchant's edits to aspects, checked before they are stored so a bad one never reaches a run.

An edit names aspects by their stable ids, so it keeps working run after run: *rename* gives an
aspect the merchant's name, *merge* folds one aspect into another, *split* carves the clauses
closest to a few words or phrases out of one aspect into a new, named one, and *seed* makes a named
aspect from words or phrases (in any language) that takes the closest clauses from every aspect.
"""

from __future__ import annotations

from dataclasses import dataclass, field

EDIT_KINDS = ("rename", "merge", "split", "seed")
MAX_PHRASES = 50
MAX_LABEL = 80


@dataclass(frozen=True)
class AspectEdit:
    """One edit as the store keeps it."""

    kind: str
    category: str
    aspect_id: int | None = None
    into_id: int | None = None
    label: str | None = None
    phrases: list[str] = field(default_factory=list)


def check_edit(
    kind: str,
    category: str,
    *,
    aspect_id: int | None = None,
    into_id: int | None = None,
    label: str | None = None,
    phrases: list[str] | str | None = None,
) -> AspectEdit:
    """The edit cleaned up (names and phrases trimmed, phrases one per line), or ValueError saying what is wrong."""
    if kind not in EDIT_KINDS:
        raise ValueError(f"an edit is one of {', '.join(EDIT_KINDS)}, not {kind!r}")
    if not (category or "").strip():
        raise ValueError("an edit needs the category its aspects belong to")
    label = (label or "").strip() or None
    lines = phrases.splitlines() if isinstance(phrases, str) else list(phrases or [])
    lines = list(dict.fromkeys(p.strip() for p in lines if p and p.strip()))
    if kind in ("rename", "merge", "split") and aspect_id is None:
        raise ValueError(f"a {kind} needs the aspect it applies to")
    if kind == "merge" and (into_id is None or into_id == aspect_id):
        raise ValueError("a merge needs two different aspects: the one to fold and the one it joins")
    if kind in ("rename", "split", "seed") and not label:
        raise ValueError(f"a {kind} needs a name for the aspect")
    if label and len(label) > MAX_LABEL:
        raise ValueError(f"an aspect's name has at most {MAX_LABEL} characters, this one {len(label)}")
    if kind in ("split", "seed") and not lines:
        raise ValueError(f"a {kind} needs at least one word or example phrase")
    if len(lines) > MAX_PHRASES:
        raise ValueError(f"at most {MAX_PHRASES} words or phrases, not {len(lines)}")
    return AspectEdit(
        kind,
        category,
        None if aspect_id is None else int(aspect_id),
        None if into_id is None or kind != "merge" else int(into_id),
        label if kind != "merge" else None,
        lines if kind in ("split", "seed") else [],
    )
