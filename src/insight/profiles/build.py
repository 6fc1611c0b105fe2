"""User interest profiles from everything a user touched: item texts, their searches, their reviews.

A profile is the weighted mean of the embeddings of the texts a user touched, L2-normalised. Weights
say how much a touch reveals interest (a purchase more than a view) and decay with age (half-life
in days), so the profile leans to what the user is into *now*. Users with broad histories get up to
``max_interests`` interest centres (weighted k-means on their touches). A profile per month, without
decay, gives the interest-drift score: 1 − cosine between consecutive active months. Monthly
profiles are many (200,000 users active for a year make 2.4 million), so they are never all held at
once: :class:`MonthlyProfiles` computes them for a slice of users at a time, whenever asked.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from insight.profiles.interests import interest_centres
from insight.progress import ProgressFn, silent

EVENT_WEIGHTS = {"purchase": 5.0, "review": 4.0, "cart": 3.0, "fav": 2.0, "search": 1.5, "view": 1.0, "click": 1.0}
ITEM_KINDS = ("purchase", "cart", "fav", "view", "click")
COLD_START_ITEMS = 3  # fewer item touches than this: a cold-start profile, built from whatever text exists
MONTHS_PER_SLICE = 100_000  # monthly profiles computed at once (150 MB of 384-d float32)


@dataclass
class Profiles:
    """Profiles, interest centres and monthly profiles; each frame row matches its vector row."""

    users: pd.DataFrame  # user_id, touches, cold_start, drift
    vectors: np.ndarray  # (n_users, dim) float32, L2-normalised
    interests: pd.DataFrame  # user_id, interest, weight
    interest_vectors: np.ndarray  # (n_interests, dim) float32
    periods: pd.DataFrame  # user_id, period, touches, drift
    months: MonthlyProfiles  # the vectors of ``periods``' rows, a slice at a time


@dataclass
class MonthlyProfiles:
    """Each user's undecayed profile per active month, computed for a slice of months at a time.

    Rows are those of :attr:`Profiles.periods` (sorted by user, then month); a slice never splits a user.
    """

    period_of_touch: np.ndarray  # (n_touches,) row of periods each touch falls in
    text_index: np.ndarray  # (n_touches,) row of ``vectors`` each touch's text is
    weights: np.ndarray  # (n_touches,) undecayed weight of each touch
    vectors: np.ndarray  # (m, dim) the distinct texts' vectors
    user_starts: np.ndarray  # first period row of each user, and the number of periods last
    lengths: np.ndarray  # (rows,) length of each month's weighted sum (the profile before normalising)

    def slices(self, months: int = MONTHS_PER_SLICE, *, normalised: bool = True) -> Iterator[tuple[int, np.ndarray]]:
        """(first row, (rows, dim) float32 vectors) for consecutive slices of whole users.

        The vectors are L2-normalised, or with ``normalised=False`` the weighted sums themselves (the
        drift pass takes their lengths from them, see :attr:`lengths`).
        """
        order = np.argsort(self.period_of_touch, kind="stable")
        sorted_periods = self.period_of_touch[order]
        starts, start = self.user_starts, 0
        while start < starts[-1]:
            stop = int(starts[np.searchsorted(starts, start + months, side="right") - 1])
            if stop <= start:  # one user with more months than a slice: that user alone
                stop = int(starts[np.searchsorted(starts, start, side="right")])
            lo, hi = np.searchsorted(sorted_periods, [start, stop])
            picked = order[lo:hi]
            rows, texts = self.period_of_touch[picked] - start, self.text_index[picked]
            sums = _grouped_sum(rows, texts, self.weights[picked], self.vectors, stop - start, dtype=np.float32)
            yield start, _normalise(sums) if normalised else sums
            start = stop

    def products(self, directions: np.ndarray) -> np.ndarray:
        """Each month's weighted sum · each of ``directions`` (k, dim): float64 (rows, k).

        Sums of the texts' own products, so the months' vectors are never formed: with a few
        directions this is one sparse product over the touches instead of a pass of (rows, dim) slices.
        """
        dated = self.period_of_touch >= 0
        projected = np.asarray(self.vectors, dtype=np.float32) @ np.asarray(directions, dtype=np.float32).T
        rows = int(self.user_starts[-1])
        return _grouped_sum(self.period_of_touch[dated], self.text_index[dated], self.weights[dated], projected, rows)


def _normalise(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return (matrix / np.maximum(norms, 1e-12)).astype(np.float32)


def without_shared_direction(vectors: np.ndarray, shared: np.ndarray) -> np.ndarray:
    """Profiles minus their projection on the direction all of them share, L2-normalised (float32).

    In a shop where everyone buys from the same range (a giftware wholesaler), every profile is
    within a few degrees of the shop-wide mean (mean cosine 0.83 on online_retail); what sets users
    apart is what remains once that common direction is removed. Segments and lookalikes both
    compare profiles in this space.
    """
    axis = np.asarray(shared, dtype=np.float32)
    axis = axis / max(float(np.linalg.norm(axis)), 1e-12)
    return _normalise(vectors - np.outer(vectors @ axis, axis))


def _grouped_sum(
    codes: np.ndarray, texts: np.ndarray, weights: np.ndarray, vectors: np.ndarray, n: int, dtype=np.float64
) -> np.ndarray:
    """Weighted sum of text vectors per group code, (n, dim): one sparse (groups × texts) product."""
    from scipy.sparse import csr_matrix

    grouping = csr_matrix((weights.astype(dtype), (codes, texts)), shape=(n, len(vectors)))
    return np.asarray(grouping @ np.asarray(vectors, dtype=dtype))


def kind_weights(kinds: pd.Series, weights: dict[str, float] = EVENT_WEIGHTS) -> np.ndarray:
    """Each touch's weight for its kind, 0 for a kind without one: float64 (n,).

    Looked up once per distinct kind: a dictionary ``map`` over 10 M touches took 6 s (a one-off probe), and the
    segments job needs these weights four times.
    """
    codes, distinct = pd.factorize(kinds)
    table = np.array([float(weights.get(kind, 0.0)) for kind in distinct] + [0.0])  # code -1 (no kind): 0
    return table[codes]


def touch_weights(
    touches: pd.DataFrame, *, half_life_days: float, as_of: pd.Timestamp, weights: dict[str, float] = EVENT_WEIGHTS
) -> np.ndarray:
    """Weight of each touch: its kind's weight halved every ``half_life_days`` of age (float64, (n,))."""
    base = kind_weights(touches["kind"], weights)
    age = (as_of - pd.to_datetime(touches["ts"])).dt.total_seconds().fillna(0).to_numpy() / 86_400
    return base * np.power(0.5, np.clip(age, 0, None) / half_life_days)


def build_profiles(
    touches: pd.DataFrame,
    vectors: np.ndarray,
    *,
    half_life_days: float = 90.0,
    max_interests: int = 3,
    as_of: pd.Timestamp | None = None,
    seed: int = 0,
    weights: dict[str, float] = EVENT_WEIGHTS,
    text_index: np.ndarray | None = None,
    progress: ProgressFn = silent,
) -> Profiles:
    """Profiles from touches (user_id, ts, kind) and the vectors of their texts (float32, (m, dim)).

    Without ``text_index`` row i of ``vectors`` is touch i's text; with it, touch i's text is row
    ``text_index[i]``, so 800k touches of 5k distinct items need only the 5k vectors in memory.
    """
    text_index = np.arange(len(touches)) if text_index is None else np.asarray(text_index)
    keep = kind_weights(touches["kind"], weights) > 0  # refunds and cancels say nothing of interest
    touches, text_index = touches[keep].reset_index(drop=True), text_index[keep]
    as_of = as_of or pd.to_datetime(touches["ts"]).max()
    w = touch_weights(touches, half_life_days=half_life_days, as_of=as_of, weights=weights)
    codes, users = pd.factorize(touches["user_id"], sort=True)
    profile = _normalise(_grouped_sum(codes, text_index, w, vectors, len(users), dtype=np.float32))
    item_touches = np.bincount(codes, weights=touches["kind"].isin(ITEM_KINDS).to_numpy(), minlength=len(users))
    progress(0.3, f"{len(users):,} profiles; monthly profiles and drift")
    periods, months = _monthly(touches, codes, users, text_index, vectors, weights)
    last_drift = periods.groupby("user_id")["drift"].last()
    frame = pd.DataFrame(
        {
            "user_id": users,
            "touches": np.bincount(codes, minlength=len(users)),
            "cold_start": item_touches < COLD_START_ITEMS,
            "drift": pd.Series(users).map(last_drift).to_numpy(dtype=np.float64),
        }
    )
    progress(0.5, "interest centres")
    interests, interest_vectors = interest_centres(
        codes, len(users), w, vectors, text_index, max_interests, seed, profiles=profile
    )
    interests.insert(0, "user_id", users[interests.pop("user").to_numpy()])
    return Profiles(frame, profile, interests, interest_vectors, periods, months)


def _monthly(
    touches: pd.DataFrame,
    codes: np.ndarray,
    users: pd.Index,
    text_index: np.ndarray,
    vectors: np.ndarray,
    weights: dict[str, float],
) -> tuple[pd.DataFrame, MonthlyProfiles]:
    """Each user's active months, with drift from the previous active month, and their profiles on demand.

    ``codes`` is each touch's row in ``users``; a touch without a time (a review may have none) has no month.
    """
    month = pd.to_datetime(touches["ts"]).to_numpy().astype("datetime64[M]")
    dated = ~np.isnat(month)
    first = month[dated].min() if dated.any() else np.datetime64("1970-01", "M")
    offset = np.where(dated, (month - first).astype(np.int64), 0)
    span = int(offset.max()) + 1 if len(offset) else 1
    keys, inverse = np.unique(codes[dated].astype(np.int64) * span + offset[dated], return_inverse=True)
    period_of_touch = np.full(len(touches), -1, dtype=np.int64)
    period_of_touch[dated] = inverse
    frame = pd.DataFrame(
        {
            "user_id": np.asarray(users)[keys // span],
            "period": (first + (keys % span).astype("timedelta64[M]")).astype("datetime64[ns]"),
            "touches": np.bincount(inverse, minlength=len(keys)),
        }
    )
    same_user = np.r_[False, keys[1:] // span == keys[:-1] // span][: len(frame)]
    months = MonthlyProfiles(
        period_of_touch=period_of_touch,
        text_index=np.asarray(text_index),
        weights=kind_weights(touches["kind"], weights),
        vectors=vectors,
        user_starts=np.r_[np.flatnonzero(~same_user), len(frame)],
        lengths=np.zeros(len(frame)),
    )
    drift = np.full(len(frame), np.nan)
    for start, sums in months.slices(normalised=False):
        lengths = np.linalg.norm(sums, axis=1)
        months.lengths[start : start + len(sums)] = lengths
        matrix = sums / np.maximum(lengths, 1e-12)[:, None]
        rows = np.arange(start + 1, start + len(matrix))
        drift[rows] = np.where(same_user[rows], 1.0 - (matrix[1:] * matrix[:-1]).sum(axis=1), np.nan)
    frame["drift"] = drift
    return frame, months
