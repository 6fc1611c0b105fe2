"""Stable segment ids across runs: match a new segmentation's centroids to the previous run's.

Each run of :func:`insight.cluster.segment_vectors` numbers its segments by size, so "segment 3"
means something different every week. :func:`align_segments` carries ids over: new segments are
matched one-to-one to previous ones by cosine similarity of their centroids (original space) with
the Hungarian algorithm, a match at or above ``threshold`` keeps the previous stable id, and the
changes are spelled out as events a user can read:

* ``kept``: a new segment carries a previous id;
* ``birth``: a new segment like no previous one, with a fresh id (``next_id`` upward);
* ``split``: a new segment whose best match is a previous segment that another new segment kept
  (it gets a fresh id, ``previous_ids`` names the segment it split from);
* ``merge``: two or more previous segments whose best match is the same new segment;
* ``death``: a previous segment matched by no new one (and not merged into one).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

EVENT_COLUMNS = ["kind", "stable_id", "previous_ids", "new_labels", "similarity"]


@dataclass
class Alignment:
    """New label -> stable id, the events explaining it, and the next id free for a later run."""

    ids: dict[int, int]  # new segment label -> stable id (kept from the previous run or newly issued)
    events: pd.DataFrame  # kind (kept|birth|death|split|merge), stable_id, previous_ids, new_labels, similarity
    next_id: int = 0  # first stable id not issued yet; pass it to the next alignment

    def relabel(self, labels: np.ndarray) -> np.ndarray:
        """(n,) int64 stable ids for (n,) int segment labels; -1 (outliers) stays -1."""
        labels = np.asarray(labels)
        out = np.full(len(labels), -1, dtype=np.int64)
        for label, stable in self.ids.items():
            out[labels == label] = stable
        return out


def _matrix(centroids: dict[int, np.ndarray], keys: list[int], dim: int) -> np.ndarray:
    """(len(keys), dim) float64 of L2-normalised centroids, in ``keys`` order."""
    if not keys:
        return np.zeros((0, dim))
    rows = np.stack([np.asarray(centroids[k], dtype=np.float64) for k in keys])
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return rows / np.where(norms > 0, norms, 1.0)


def _event(kind: str, stable_id: int, previous_ids: list[int], new_labels: list[int], similarity: float) -> dict:
    """One row of the events frame."""
    return {
        "kind": kind,
        "stable_id": int(stable_id),
        "previous_ids": [int(p) for p in previous_ids],
        "new_labels": [int(c) for c in new_labels],
        "similarity": float(similarity),
    }


def align_segments(
    previous: dict[int, np.ndarray],
    current: dict[int, np.ndarray],
    *,
    next_id: int,
    threshold: float = 0.85,
) -> Alignment:
    """Stable ids for the ``current`` segments, given the ``previous`` run's.

    ``previous`` maps stable id -> (d,) centroid and ``current`` maps new label -> (d,) centroid
    (both L2-normalised means in the original embedding space; they are normalised again here).
    ``next_id`` is the first id never issued (raised above the previous ids if needed); fresh ids
    go to births and splits in increasing new-label order. ``threshold`` is the cosine similarity
    a match needs to keep an id or to count as a split or merge.
    """
    from scipy.optimize import linear_sum_assignment

    prev_keys, cur_keys = sorted(previous), sorted(current)
    first = next(iter(current.values()), next(iter(previous.values()), np.zeros(1)))
    dim = len(np.asarray(first))
    sim = _matrix(previous, prev_keys, dim) @ _matrix(current, cur_keys, dim).T  # (n_prev, n_cur)
    fresh = max([int(next_id), *(int(p) + 1 for p in prev_keys)])

    kept: dict[int, int] = {}  # current column -> previous row
    if sim.size:
        rows, cols = linear_sum_assignment(sim, maximize=True)
        kept = {int(c): int(r) for r, c in zip(rows, cols, strict=True) if sim[r, c] >= threshold}
        # a pair the one-to-one optimum sacrificed can still carry an id when both sides are free
        for flat in np.argsort(-sim, axis=None, kind="stable"):
            r, c = divmod(int(flat), sim.shape[1])
            if sim[r, c] < threshold:
                break
            if c not in kept and r not in kept.values():
                kept[c] = r

    ids: dict[int, int] = {}
    events: list[dict] = []
    for c, label in enumerate(cur_keys):
        if c in kept:
            r = kept[c]
            ids[label] = prev_keys[r]
            events.append(_event("kept", prev_keys[r], [prev_keys[r]], [label], sim[r, c]))
            continue
        ids[label] = fresh
        best = int(sim[:, c].argmax()) if len(prev_keys) else -1
        if best >= 0 and sim[best, c] >= threshold:
            events.append(_event("split", fresh, [prev_keys[best]], [label], sim[best, c]))
        else:
            events.append(_event("birth", fresh, [], [label], sim[best, c] if best >= 0 else np.nan))
        fresh += 1

    merged: set[int] = set()
    if sim.size:
        best_cur = sim.argmax(axis=1)
        for c, label in enumerate(cur_keys):
            group = [r for r in range(len(prev_keys)) if best_cur[r] == c and sim[r, c] >= threshold]
            if len(group) >= 2:
                merged.update(group)
                similarity = min(sim[r, c] for r in group)
                events.append(_event("merge", ids[label], [prev_keys[r] for r in group], [label], similarity))
    carried = set(kept.values())
    for r, stable in enumerate(prev_keys):
        if r not in carried and r not in merged:
            similarity = sim[r].max() if len(cur_keys) else np.nan
            events.append(_event("death", stable, [stable], [], similarity))

    frame = pd.DataFrame(events, columns=EVENT_COLUMNS)
    frame["stable_id"] = frame["stable_id"].astype(np.int64)
    frame["similarity"] = frame["similarity"].astype(np.float64)
    return Alignment(ids=ids, events=frame, next_id=fresh)


@dataclass
class CarriedIds:
    """A segmentation renumbered with the previous run's ids, and what a run records about it."""

    alignment: Alignment
    labels: np.ndarray  # (n,) int64 stable ids per point (-1: outlier)
    centroids: dict[int, np.ndarray]  # stable id -> centroid
    record: dict  # stability, outlier shares, backend, next_id, previous_run, id events: for the run's params

    @property
    def kept(self) -> int:
        """How many segments kept an id from the previous run."""
        return int((self.alignment.events["kind"] == "kept").sum())


def carry_ids(segmentation, previous_run: dict | None, previous_centroids: dict[int, np.ndarray]) -> CarriedIds:
    """Give a :class:`insight.cluster.Segmentation` the ids of the previous run's segments it matches.

    ``previous_run`` is that run (its params hold ``next_id``) or None for a first run; the ``record``
    is what the segments and topics jobs both store in their run's params.
    """
    start = int(previous_run["params"].get("next_id", 0)) if previous_run else 0
    alignment = align_segments(previous_centroids, segmentation.centroids, next_id=start)
    return CarriedIds(
        alignment=alignment,
        labels=alignment.relabel(segmentation.labels),
        centroids={alignment.ids[label]: c for label, c in segmentation.centroids.items()},
        record={
            "stability": segmentation.stability,
            "outliers_before": segmentation.outliers_before,
            "outliers_after": segmentation.outliers_after,
            "backend": segmentation.backend,
            "next_id": alignment.next_id,
            "previous_run": previous_run["run_id"] if previous_run else None,
            "events": alignment.events["kind"].value_counts().to_dict(),
        },
    )
