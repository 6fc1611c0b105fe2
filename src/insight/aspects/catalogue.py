"""Every category's aspects for one run, discovered and then shaped by the merchant's edits.

Discovered, seeded by the merchant, matched to the last run's ids, merged and renamed as the
merchant asked, and named in the languages of their clauses.

A merchant's edit names aspects by their stable id, so it keeps working run after run: a rename
sticks to the aspect it was made on, a merge folds one aspect into another each time both appear,
a seed (a name and a few words or example phrases, in any language) becomes an aspect that takes
the clauses closer to its words than to their own aspect, and a split does that within one aspect.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from insight.aspects.discover import about_vectors, discover_aspects, seed_members
from insight.aspects.overall import OVERALL_ID, VERDICT_ASPECT, VERDICT_CLAUSE
from insight.cluster import align_segments
from insight.profiles.space import LanguageSpace, language_of

ALIGN_THRESHOLD = 0.8  # cosine between centroids for an aspect to keep its id from the last run


@dataclass
class Catalogue:
    """The run's aspects: one row per aspect, and each distinct (category, clause) pair's aspect."""

    aspects: pd.DataFrame  # aspect_id, category, label (may be ""), seeded, centroid
    assigned: pd.DataFrame  # category, core, aspect_id (-1: none)
    record: dict = field(default_factory=dict)
    next_id: int = 0


def _carve(
    about: np.ndarray,
    stable: np.ndarray,
    centres: dict[int, np.ndarray],
    *,
    category_edits: pd.DataFrame,
    before: pd.DataFrame,
    next_id: int,
    context: dict,
) -> tuple[np.ndarray, dict[int, np.ndarray], dict[int, str], int]:
    """Apply the merchant's seeds and splits, oldest first: (ids per clause, centres, seeded id -> name, next id).

    A seed takes, from every aspect, the clauses closer to its words than to their own aspect; a split
    does the same within the one aspect it was made on (and does nothing once that aspect is gone).
    The aspect an edit makes keeps its id from run to run: the previous run's seeded aspect of that name.
    """
    space, basis, embed = context["space"], context["basis"], context["embed"]
    stable, centres, seeded = stable.copy(), dict(centres), {}
    made = before[before["seeded"].astype(bool)]
    earlier = dict(zip(made["label"], made["aspect_id"], strict=True))
    for edit in category_edits.itertuples():
        if edit.kind not in ("seed", "split") or not edit.phrases or not edit.label:
            continue
        if edit.kind == "split" and edit.aspect_id not in centres:
            continue
        phrases = list(edit.phrases)
        centre = about_vectors(embed(phrases), [language_of(p) for p in phrases], space, basis).mean(axis=0)
        scope = (stable != OVERALL_ID) if edit.kind == "seed" else (stable == edit.aspect_id)
        taken = seed_members(about, np.where(stable == OVERALL_ID, -1, stable), centres, centre) & scope
        if not taken.any():
            continue
        new = int(earlier.get(edit.label, -1))
        if new < 0 or new in centres:
            new, next_id = next_id, next_id + 1
        stable[taken] = new
        centres[new] = _mean(about, taken, centre)
        seeded[new] = edit.label
    centres = {a: _mean(about, stable == a, c) for a, c in centres.items() if (stable == a).any()}
    return stable, centres, {a: n for a, n in seeded.items() if a in centres}, next_id


def category_aspects(
    category: str,
    vectors: np.ndarray,
    languages: list[str],
    verdict: np.ndarray,
    *,
    context: dict,
    previous: pd.DataFrame,
    next_id: int,
) -> tuple[pd.DataFrame, np.ndarray, int, dict] | None:
    """One category: (aspects frame, stable aspect id per core, next free id, what was done) or None.

    ``verdict`` (n,) is each clause's closeness to an overall verdict (:mod:`.overall`); verdicts are left
    out of the clustering and get :data:`OVERALL_ID`, as does an aspect made mostly of near-verdicts.
    """
    space, basis, edits = context["space"], context["basis"], context["edits"]
    about = about_vectors(vectors, languages, space, basis)
    specific = np.flatnonzero(verdict < VERDICT_CLAUSE)
    found = discover_aspects(about[specific], **context["options"])
    if found is None:
        return None
    labels = np.full(len(about), OVERALL_ID, dtype=np.int64)
    labels[specific] = found.labels
    centroids = dict(found.centroids)
    for k in list(centroids):
        if np.median(verdict[labels == k]) >= VERDICT_ASPECT:
            labels[labels == k] = OVERALL_ID
            del centroids[k]
    centroids = {k: _mean(about, labels == k, c) for k, c in centroids.items() if (labels == k).any()}
    before = previous[previous["category"] == category]
    found_before = before[~before["seeded"].astype(bool)]
    alignment = align_segments(
        dict(zip(found_before["aspect_id"], found_before["centroid"], strict=True)),
        centroids,
        next_id=max([next_id, *(int(a) + 1 for a in before["aspect_id"])]),
        threshold=ALIGN_THRESHOLD,
    )
    stable = np.where(labels == OVERALL_ID, OVERALL_ID, alignment.relabel(labels))
    centres = {alignment.ids[k]: c for k, c in centroids.items()}
    stable, centres, seeded, next_id = _carve(
        about,
        stable,
        centres,
        category_edits=edits[edits["category"] == category],
        before=before,
        next_id=alignment.next_id,
        context=context,
    )
    frame = pd.DataFrame(
        {
            "aspect_id": list(centres),
            "category": category,
            "label": [seeded.get(a, "") for a in centres],
            "seeded": [a in seeded for a in centres],
            "centroid": [c.astype(np.float32) for c in centres.values()],
        }
    )
    stable, frame = apply_edits(stable, frame, edits[edits["category"] == category])
    return frame, stable, next_id, {**found.params, "seeds": len(seeded), "aspects": len(frame)}


def _mean(about: np.ndarray, rows: np.ndarray, fallback: np.ndarray) -> np.ndarray:
    centre = about[rows].mean(axis=0) if rows.any() else fallback
    return centre / max(float(np.linalg.norm(centre)), 1e-12)


def apply_edits(stable: np.ndarray, aspects: pd.DataFrame, edits: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame]:
    """Merges and renames, oldest first, on stable ids: (ids per clause, aspects frame) after them."""
    stable, aspects = stable.copy(), aspects.copy()
    for edit in edits.itertuples():
        present = set(aspects["aspect_id"])
        if edit.kind == "merge" and edit.aspect_id in present and edit.into_id in present:
            stable[stable == edit.aspect_id] = edit.into_id
            aspects = aspects[aspects["aspect_id"] != edit.aspect_id]
        elif edit.kind == "rename" and edit.aspect_id in present and edit.label:
            aspects.loc[aspects["aspect_id"] == edit.aspect_id, "label"] = edit.label
    return stable, aspects.reset_index(drop=True)


def build_catalogue(
    clauses: pd.DataFrame,
    vectors: np.ndarray,
    *,
    space: LanguageSpace,
    basis: np.ndarray,
    embed: Callable[[list[str]], np.ndarray],
    edits: pd.DataFrame,
    previous: pd.DataFrame,
    next_id: int,
    options: dict,
    progress: Callable[[float, str], None],
) -> Catalogue:
    """Aspects of every category from ``clauses``.

    ``clauses`` holds category, core, language, verdict and row (the core's row in ``vectors``).
    """
    pairs = clauses.drop_duplicates(["category", "core"])
    context = {"space": space, "basis": basis, "embed": embed, "edits": edits, "options": options}
    frames, assigned, record = [], [], {}
    categories = sorted(pairs["category"].unique())
    for i, category in enumerate(categories):
        progress(i / max(len(categories), 1), f"finding the aspects of {category}")
        own = pairs[pairs["category"] == category]
        done = category_aspects(
            category,
            vectors[own["row"].to_numpy()],
            own["language"].tolist(),
            own["verdict"].to_numpy(),
            context=context,
            previous=previous,
            next_id=next_id,
        )
        if done is None:
            record[category] = {"clauses": len(own), "aspects": 0, "note": "too few distinct clauses"}
            continue
        frame, stable, next_id, record[category] = done
        frames.append(frame)
        assigned.append(pd.DataFrame({"category": category, "core": own["core"].to_numpy(), "aspect_id": stable}))
    columns = ["aspect_id", "category", "label", "seeded", "centroid"]
    return Catalogue(
        aspects=pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns),
        assigned=pd.concat(assigned, ignore_index=True)
        if assigned
        else pd.DataFrame(columns=["category", "core", "aspect_id"]),
        record=record,
        next_id=next_id,
    )


def merge_same_names(aspects: pd.DataFrame, assigned: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fold aspects of a category that ended up with the same name into the oldest of them.

    Two groups a merchant cannot tell apart by name are one aspect to them (clustering splits a common
    phrasing into several small groups, "exactly what I needed" and "just what we needed").
    """
    aspects, assigned = aspects.copy(), assigned.copy()
    sizes = assigned.groupby("aspect_id").size()
    keep = []
    for _, group in aspects.groupby(["category", "label"], sort=False):
        first = int(group["aspect_id"].min())
        others = [int(a) for a in group["aspect_id"] if a != first]
        if others:
            weights = np.array([sizes.get(a, 0) for a in group["aspect_id"]], dtype=np.float64)[:, None]
            centre = (np.stack(group["centroid"].to_list()) * np.maximum(weights, 1)).sum(axis=0)
            aspects.loc[aspects["aspect_id"] == first, "centroid"] = pd.Series(
                [(centre / max(float(np.linalg.norm(centre)), 1e-12)).astype(np.float32)],
                index=aspects.index[aspects["aspect_id"] == first],
            )
            assigned.loc[assigned["aspect_id"].isin(others), "aspect_id"] = first
        keep.append(first)
    return aspects[aspects["aspect_id"].isin(keep)].reset_index(drop=True), assigned
