"""Users' interest centres for ranking: the method of ``insight.profiles``, seeded per user.

The centres are what :func:`insight.profiles.build_profiles` computes — event-weighted,
recency-decayed touches (``touch_weights``), up to three weighted spherical k-means centres for broad
histories, centres under ``MIN_SHARE`` of the user's weight dropped — with two differences that
ranking needs. Each user's k-means starts from a random stream of their own (seed and user id), so a
user's interests, and so their list, do not depend on which other users are ranked in the same
batch; ``build_profiles`` draws every user from one stream. And repeated touches of one text are
summed into one weighted point first (the k-means objective is the same), which also skips the
monthly profiles ranking does not use: 2,000 Online Retail users take a second, not a minute.
"""

from __future__ import annotations

import zlib

import numpy as np
import pandas as pd

from insight.profiles import MIN_SHARE, spherical_kmeans

MAX_INTERESTS = 3


def interest_centres(
    user_ids: list[str], codes: np.ndarray, rows: np.ndarray, weights: np.ndarray, texts: np.ndarray, *, seed: int
) -> tuple[pd.DataFrame, np.ndarray]:
    """Centres of each user: rows (pos, interest, weight) and L2-normalised float32 (n, dim) vectors.

    ``codes`` (position in ``user_ids``), ``rows`` (text row) and ``weights`` describe each touch
    (parallel (t,) arrays); ``texts`` (n_texts, dim) holds the vectors. ``interest`` 0 is the
    strongest; ``weight`` is its share of the user's weight. Users without weight get no rows.
    """
    positive = weights > 0
    n_texts = len(texts)
    keys, inverse = np.unique(codes[positive].astype(np.int64) * n_texts + rows[positive], return_inverse=True)
    summed = np.bincount(inverse, weights=weights[positive])
    users, texts_of = keys // n_texts, keys % n_texts
    bounds = np.searchsorted(users, np.arange(len(user_ids) + 1))
    out, centres = [], []
    for pos in range(len(user_ids)):
        mine = slice(bounds[pos], bounds[pos + 1])
        points, weight = texts[texts_of[mine]], (summed[mine] + 1e-9).astype(np.float32)
        if not len(points):
            continue
        k = min(MAX_INTERESTS, len(points) // 4)
        if k < 2:
            out.append((pos, 0, 1.0))
            centres.append(points.T @ weight)
            continue
        rng = np.random.default_rng([seed, zlib.crc32(str(user_ids[pos]).encode())])
        labels, found = spherical_kmeans(points, weight, k, rng)
        shares = np.bincount(labels, weights=weight, minlength=k) / weight.sum()
        kept = [c for c in np.argsort(-shares) if shares[c] >= MIN_SHARE]
        for rank, c in enumerate(kept):
            out.append((pos, rank, float(shares[c] / shares[kept].sum())))
            centres.append(found[c])
    frame = pd.DataFrame(out, columns=["pos", "interest", "weight"])
    if not centres:
        return frame, np.zeros((0, texts.shape[1]), dtype=np.float32)
    matrix = np.vstack(centres)
    return frame, (matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)).astype(np.float32)
