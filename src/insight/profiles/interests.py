"""Each user's interest centres: weighted spherical k-means over what they touched, many users at once.

A user with a broad history (at least 8 distinct texts) gets up to ``max_interests`` centres; a
centre must carry :data:`MIN_SHARE` of the user's weight to count, and the centres' weights are
their shares. Repeated touches of one text are one point carrying their summed weight (the k-means
objective is the same), and users are clustered in batches of similar history length, padded and
multiplied in torch: 200,000 users one at a time took minutes of Python overhead for a few
milliseconds of arithmetic each. Batches run in a few threads, each with its own seeded random
stream, because most of a batch's steps are numpy's single-core element-wise passes; a user whose
assignments stop changing leaves the iterations (its centres are final). On 200,000 users of 50
texts each (``bench/scale.py``'s shop) this took the step from 50 s to 28–35 s on 2 cores.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd

from insight.profiles.space import unit_rows

MIN_SHARE = 0.15  # an interest centre must carry this share of the user's weight to count
POINTS_PER_BATCH = 250_000  # padded (user, text) points clustered at once: 384 MB of 384-d float32
PAIRS_PER_BATCH = 25_000_000  # padded Gram entries at once: 200 MB of float64
USERS_PER_BATCH = 1_024
WORKERS = max(1, min(4, os.cpu_count() or 1))  # batches clustered at once


def interest_centres(
    codes: np.ndarray,
    n_users: int,
    weights: np.ndarray,
    vectors: np.ndarray,
    texts: np.ndarray,
    max_interests: int,
    seed: int,
    profiles: np.ndarray,
) -> tuple[pd.DataFrame, np.ndarray]:
    """Rows (user, interest, weight) in user order, interest 0 the strongest, and their L2-normalised centres.

    ``codes`` (user 0..n_users-1), ``texts`` (row of ``vectors``) and ``weights`` describe each touch.
    ``profiles`` (n_users, dim) are the users' weighted mean vectors: a narrow history's one centre.
    """
    n_texts = len(vectors)
    keys, inverse = np.unique(codes.astype(np.int64) * n_texts + texts, return_inverse=True)
    point_weight = np.bincount(inverse, weights=weights) + 1e-9 * np.bincount(inverse)
    point_user, point_text = keys // n_texts, keys % n_texts
    bounds = np.searchsorted(point_user, np.arange(n_users + 1))
    distinct = np.diff(bounds)
    k_of = np.minimum(max_interests, distinct // 4)
    narrow = np.flatnonzero(k_of < 2)
    parts = [(narrow, np.zeros(len(narrow), dtype=np.int64), np.ones(len(narrow)), unit_rows(profiles[narrow]))]
    padded = np.vstack([np.asarray(vectors, dtype=np.float32), np.zeros((1, vectors.shape[1]), dtype=np.float32)])
    batches = list(_batches(k_of, distinct, max_interests))

    def cluster(numbered: tuple[int, tuple[np.ndarray, int]]) -> tuple:
        number, (users, k) = numbered  # each batch its own random stream: the same result in any thread
        rng = np.random.default_rng([seed, number])
        return _cluster_batch(users, bounds, point_weight, point_text, padded, k, rng)

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:  # numpy's element-wise work holds one core per thread
        parts += list(pool.map(cluster, enumerate(batches)))
    user, rank, share, centres = (np.concatenate(column) for column in zip(*parts, strict=True))
    order = np.lexsort((rank, user))
    frame = pd.DataFrame({"user": user[order], "interest": rank[order], "weight": share[order]})
    return frame, centres[order].astype(np.float32, copy=False)


def _batches(k_of: np.ndarray, distinct: np.ndarray, max_interests: int) -> Iterator[tuple[np.ndarray, int]]:
    """(users, k) batches of users with k centres each and similar history lengths (so little padding)."""
    for k in range(2, max_interests + 1):
        users = np.flatnonzero(k_of == k)
        users = users[np.argsort(distinct[users], kind="stable")]
        start = 0
        while start < len(users):
            stop = min(start + USERS_PER_BATCH, len(users))
            while stop - start > 1 and _too_big(stop - start, distinct[users[stop - 1]]):
                stop = start + (stop - start) // 2
            yield users[start:stop], k
            start = stop


def _too_big(users: int, longest: int) -> bool:
    """Whether ``users`` histories padded to ``longest`` texts exceed a batch's points or Gram entries."""
    return users * longest > POINTS_PER_BATCH or users * longest * longest > PAIRS_PER_BATCH


def _cluster_batch(batch, bounds, point_weight, point_text, padded, k, rng) -> tuple:
    """k-means on each user of ``batch``: (user, rank, share, centre) arrays of the centres kept, strongest first.

    ``padded`` is the texts' vectors with a zero row last, which fills the slots of shorter histories.
    """
    lengths = bounds[batch + 1] - bounds[batch]
    slot = np.arange(lengths.max())
    real = slot[None, :] < lengths[:, None]
    at = np.where(real, bounds[batch][:, None] + slot[None, :], 0)
    points = padded[np.where(real, point_text[at], len(padded) - 1)]
    weight = np.where(real, point_weight[at], 0.0).astype(np.float32)
    labels, centres = spherical_kmeans_batch(points, weight, k, rng)
    shares = (np.eye(k)[labels] * weight[:, :, None]).sum(axis=1) / weight.sum(axis=1)[:, None]
    ranked = np.argsort(-shares, axis=1, kind="stable")
    ordered = np.take_along_axis(shares, ranked, axis=1)
    kept = ordered >= MIN_SHARE
    ordered = np.where(kept, ordered, 0.0) / np.where(kept, ordered, 0.0).sum(axis=1, keepdims=True)
    rows, ranks = np.nonzero(kept)  # kept centres come first in each row, so ranks are 0, 1, ...
    chosen = centres[rows, ranked[rows, ranks]]
    return batch[rows], ranks.astype(np.int64), ordered[rows, ranks], chosen


def spherical_kmeans_batch(
    points: np.ndarray, weight: np.ndarray, k: int, rng: np.random.Generator, iterations: int = 8
) -> tuple[np.ndarray, np.ndarray]:
    """Weighted k-means on the unit sphere (cosine) of each of B padded point sets, k-means++ start.

    ``points`` (B, L, d) and ``weight`` (B, L), padding weighing 0; returns labels (B, L) and centres (B, k, d).
    A centre is a weighted sum of its points, so every cosine the iterations need comes from the
    points' (L, L) Gram matrix: the d-dimensional points are read twice, not twice per iteration.
    """
    import torch  # numpy's stacked matmul does not reach BLAS; torch's bmm does

    table = torch.from_numpy(np.ascontiguousarray(points, dtype=np.float32))
    with torch.inference_mode():
        gram = torch.bmm(table, table.transpose(1, 2)).double().numpy()  # (B, L, L)
    batch = np.arange(len(points))
    chosen = [_draw(weight, rng)]
    for _ in range(1, k):
        closest = np.max(np.stack([gram[batch, :, c] for c in chosen], axis=2), axis=2)
        chosen.append(_draw(np.clip(1.0 - closest, 0.0, None) * weight, rng))
    mix = np.zeros((*weight.shape, k), dtype=np.float64)  # centre c = normalised sum over points of mix[:, :, c]
    for c, picked in enumerate(chosen):
        mix[batch, picked, c] = 1.0
    labels = _nearest(gram, mix)
    active = batch  # users whose centres may still move: a user whose labels held still is settled for good
    for _ in range(iterations):
        new = np.eye(k)[labels[active]] * weight[active][:, :, None]
        empty = new.sum(axis=1) == 0  # (B, k): such a centre stays where it was
        mix[active] = np.where(empty[:, None, :], mix[active], new)
        fresh = _nearest(gram[active], mix[active])
        moved = (fresh != labels[active]).any(axis=1)
        labels[active] = fresh
        active = active[moved]
        if not len(active):
            break
    with torch.inference_mode():
        centres = torch.bmm(torch.from_numpy(mix.transpose(0, 2, 1).astype(np.float32)), table).numpy()
    return labels, centres / np.maximum(np.linalg.norm(centres, axis=2, keepdims=True), 1e-12)


def _nearest(gram: np.ndarray, mix: np.ndarray) -> np.ndarray:
    """Each point's most similar centre by cosine, (B, L), centres given as sums of points (``mix``, (B, L, k))."""
    import torch

    dots = torch.bmm(torch.from_numpy(gram), torch.from_numpy(mix)).numpy()  # (B, L, k): point · unnormalised centre
    norms = np.sqrt(np.clip(np.einsum("blk,blk->bk", mix, dots), 1e-24, None))
    return (dots / norms[:, None, :]).argmax(axis=2)


def spherical_kmeans(
    points: np.ndarray, weight: np.ndarray, k: int, rng: np.random.Generator, iterations: int = 8
) -> tuple[np.ndarray, np.ndarray]:
    """Weighted k-means on the unit sphere (cosine) of one point set, k-means++ start; labels (m,) and centres (k, dim).

    For callers that need one user's result not to depend on who else is clustered (a user's own random stream).
    """
    centres = [points[rng.choice(len(points), p=weight / weight.sum())]]
    for _ in range(1, k):
        distance = np.clip(1 - (points @ np.array(centres).T).max(axis=1), 0, None) * weight
        total = distance.sum()
        centres.append(points[rng.choice(len(points), p=distance / total)] if total > 0 else points[0])
    centres = np.array(centres)
    for _ in range(iterations):
        labels = (points @ centres.T).argmax(axis=1)
        membership = np.zeros((k, len(points)), dtype=np.float32)
        membership[labels, np.arange(len(points))] = weight
        sums = membership @ points  # np.add.at is ~100x slower here
        empty = ~sums.any(axis=1)
        sums[empty] = centres[empty]
        centres = sums / np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-12)
    return (points @ centres.T).argmax(axis=1), centres


def _draw(probability: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One index per row, with chance proportional to the row's values (0 where a row is all zero)."""
    cumulative = np.cumsum(probability, axis=1, dtype=np.float64)
    target = rng.random(len(cumulative)) * cumulative[:, -1]
    return (cumulative > target[:, None]).argmax(axis=1)
