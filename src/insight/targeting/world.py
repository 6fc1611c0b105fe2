"""The campaign simulator's world: who could be contacted in each month and segment, and who converted.

A segment is an *arm* of the simulation when a campaign could sensibly be aimed at it: it has
contacts in most months, and at least k distinct users (``INSIGHT_MIN_AUDIENCE``), because the
simulator shows each arm's true conversion rate and a rate of fewer people would describe them.
The world is built from the store's history by :func:`world_from_contacts`; the policies that
play in it are in :mod:`insight.targeting.simulate`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class CampaignWorld:
    """Who could be contacted in each (month, segment), and whether each of them converted.

    ``outcomes`` (N,) int8 holds every contact's conversion, grouped by month then arm; the pool of
    arm k in month t is ``outcomes[starts[t, k] : starts[t, k] + sizes[t, k]]``.
    """

    arms: np.ndarray  # (K,) int segment ids
    periods: np.ndarray  # (T,) the months
    outcomes: np.ndarray  # (N,) int8
    starts: np.ndarray  # (T, K) int
    sizes: np.ndarray  # (T, K) int, every pool non-empty
    dropped_arms: tuple[int, ...] = ()
    rates: np.ndarray = field(init=False)  # (T, K) float: each pool's conversion rate

    def __post_init__(self) -> None:
        cells = np.repeat(np.arange(self.sizes.size), self.sizes.ravel())
        sums = np.bincount(cells, weights=self.outcomes, minlength=self.sizes.size).reshape(self.sizes.shape)
        object.__setattr__(self, "rates", sums / self.sizes)

    @property
    def arm_rates(self) -> np.ndarray:
        """(K,) true conversion rate of always contacting each segment (months equally likely)."""
        return self.rates.mean(axis=0)

    @property
    def best_arm(self) -> int:
        """Index of the best fixed segment."""
        return int(np.argmax(self.arm_rates))

    def value(self, allocation: np.ndarray) -> float:
        """True conversions per contact of a policy choosing arms with probabilities ``allocation`` (K,)."""
        return float(np.asarray(allocation) @ self.arm_rates)

    def draw(self, arms: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """Contact a random member of each chosen arm in a random month: (month index (n,), reward (n,) int8)."""
        months = rng.integers(len(self.periods), size=len(arms))
        sizes = self.sizes[months, arms]
        picks = self.starts[months, arms] + (rng.random(len(arms)) * sizes).astype(int)
        return months, self.outcomes[picks]


def world_from_contacts(contacts: pd.DataFrame, *, min_coverage: float = 0.5, min_users: int = 1) -> CampaignWorld:
    """Build the world from contacts (user_id, period, segment_id, converted), one row per (user, month).

    A segment is an arm when it has contacts in at least ``min_coverage`` of the months (a campaign
    cannot be aimed at a segment that is mostly absent) and at least ``min_users`` distinct users (k:
    its conversion rate is shown, and a rate of fewer people would describe them); months are kept
    when every arm has contacts.
    """
    periods_all = np.sort(contacts["period"].unique())
    coverage = contacts.groupby("segment_id")["period"].nunique() / max(len(periods_all), 1)
    people = contacts.groupby("segment_id")["user_id"].nunique().reindex(coverage.index)
    arms = np.sort(coverage.index[(coverage >= min_coverage) & (people >= min_users)].to_numpy().astype(int))
    if len(arms) < 2:
        raise ValueError("a campaign needs at least two segments with contacts in most months: run Segments first")
    kept = contacts[contacts["segment_id"].isin(arms)]
    counts = kept.groupby(["period", "segment_id"]).size().unstack(fill_value=0).reindex(columns=arms, fill_value=0)
    months = counts.index[(counts > 0).all(axis=1)]
    if len(months) == 0:
        raise ValueError("no month has contacts in every segment")
    kept = kept[kept["period"].isin(months)].sort_values(["period", "segment_id"], kind="stable")
    sizes = counts.loc[months].to_numpy().astype(int)
    starts = np.concatenate([[0], np.cumsum(sizes.ravel())[:-1]]).reshape(sizes.shape)
    return CampaignWorld(
        arms=arms,
        periods=np.asarray(months),
        outcomes=kept["converted"].to_numpy().astype(np.int8),
        starts=starts,
        sizes=sizes,
        dropped_arms=tuple(sorted(set(coverage.index.astype(int)) - set(arms.tolist()))),
    )
