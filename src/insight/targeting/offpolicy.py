"""Off-policy evaluation: what a campaign policy would have converted, estimated from another policy's log.

Every logged decision i carries the logging policy's whole action distribution ``p_i`` (K,), so a
target policy π (K,) — a fixed allocation over segments — gets the importance weight
``w_i = π(a_i) / p_i(a_i)`` on each logged contact. Three estimators of its conversion rate:

- **IPS** ``mean(w_i r_i)``: unbiased whenever ``p_i`` is the true probability of the logged action
  given everything before it and is positive wherever π puts mass — true of an adaptive logger like
  Thompson sampling too (each term is unbiased conditionally on the history), and guaranteed by a
  share of uniform exploration. Its variance grows with the weights: the price of little exploration.
- **SNIPS** ``sum(w_i r_i) / sum(w_i)``: normalises by the realised weight mass; slightly biased,
  usually far less variable.
- **Doubly robust** ``mean(sum_a π(a) q(a, t_i) + w_i (r_i - q(a_i, t_i)))`` with a reward model q
  per segment × month: the model carries the estimate, the weighted residual corrects its bias, so it
  is unbiased if either the propensities or the model are right, and tighter than IPS when q is good.

The reward model is each segment-month's conversion rate in the log, shrunk toward the segment's rate
(which is itself shrunk toward the log's overall rate) with :data:`PRIOR` pseudo-contacts, so thin
cells borrow strength instead of reading 0 or 1. Confidence intervals are percentile bootstraps over
logged contacts, refitting the reward model in each replicate so its uncertainty is in the interval;
resampling contacts as if independent ignores the logger's adaptivity, an approximation that the
simulator's truth lets us check (``bench/campaign_sim.py`` reports the coverage).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

PRIOR = 5.0  # pseudo-contacts pulling a thin cell toward its segment's rate
ESTIMATORS = ("ips", "snips", "dr")
_CELLS_PER_CHUNK = 2_000_000  # bootstrap replicates × contacts × targets held in memory at once


@dataclass(frozen=True)
class CampaignLog:
    """One campaign as it was logged: for each contact i, what was chosen, when, what happened and why."""

    arms: np.ndarray  # (n,) int arm index chosen
    months: np.ndarray  # (n,) int month index of the contact
    rewards: np.ndarray  # (n,) int8 converted
    propensities: np.ndarray  # (n, K) float the policy's action distribution at decision i; rows sum to 1

    @property
    def chosen_propensity(self) -> np.ndarray:
        """(n,) probability with which each logged action was chosen."""
        return self.propensities[np.arange(len(self.arms)), self.arms]


def reward_model(
    arms: np.ndarray, months: np.ndarray, rewards: np.ndarray, n_arms: int, n_months: int, *, prior: float = PRIOR
) -> np.ndarray:
    """(T, K) estimated conversion rate per month and segment from logged contacts (see module doc)."""
    return _reward_models(arms[None], months[None], rewards[None].astype(float), n_arms, n_months, prior)[0]


def evaluate_policies(
    log: CampaignLog,
    targets: np.ndarray,
    n_months: int,
    *,
    n_boot: int = 500,
    level: float = 0.95,
    seed: int = 0,
) -> pd.DataFrame:
    """IPS, SNIPS and DR estimates of each target's conversion rate, with bootstrap intervals.

    ``targets`` (P, K): each row a fixed allocation over the log's K arms (sums to 1). Returns one
    row per target: ips, ips_low, ips_high, snips, snips_low, snips_high, dr, dr_low, dr_high
    (conversions per contact) and ess, the effective sample size ``(sum w)^2 / sum w^2`` — how many
    of the log's contacts the estimate is effectively worth for that target.
    """
    targets = np.atleast_2d(np.asarray(targets, dtype=float))
    n = len(log.arms)
    point = _estimates(log, targets, n_months, np.arange(n)[None])[:, 0]  # (3, P)
    rng = np.random.default_rng(seed)
    chunk = max(1, _CELLS_PER_CHUNK // (n * len(targets)))
    replicates = np.concatenate(
        [
            _estimates(log, targets, n_months, rng.integers(n, size=(min(chunk, n_boot - start), n)))
            for start in range(0, n_boot, chunk)
        ],
        axis=1,
    )  # (3, n_boot, P)
    tail = 100 * (1 - level) / 2
    low, high = np.nanpercentile(replicates, [tail, 100 - tail], axis=1)
    frame = pd.DataFrame(index=range(len(targets)))
    for e, name in enumerate(ESTIMATORS):
        frame[name], frame[f"{name}_low"], frame[f"{name}_high"] = point[e], low[e], high[e]
    weights = targets[:, log.arms] / log.chosen_propensity  # (P, n)
    frame["ess"] = weights.sum(axis=1) ** 2 / np.maximum((weights**2).sum(axis=1), 1e-12)
    return frame


def _estimates(log: CampaignLog, targets: np.ndarray, n_months: int, idx: np.ndarray) -> np.ndarray:
    """(3, B, P) IPS, SNIPS and DR of each target on each resample ``idx`` (B, n) of the log."""
    n_arms = targets.shape[1]
    arms, months = log.arms[idx], log.months[idx]
    rewards = log.rewards[idx].astype(float)
    weights = targets.T[arms] / log.chosen_propensity[idx][..., None]  # (B, n, P)
    gain = weights * rewards[..., None]
    ips = gain.mean(axis=1)
    mass = weights.sum(axis=1)
    snips = np.divide(gain.sum(axis=1), mass, out=np.full_like(mass, np.nan), where=mass > 0)
    q = _reward_models(arms, months, rewards, n_arms, n_months, PRIOR)  # (B, T, K)
    rows = np.arange(len(idx))[:, None]
    q_logged = q[rows, months, arms]  # (B, n)
    q_target = np.take_along_axis(q @ targets.T, months[..., None], axis=1)  # (B, n, P)
    dr = (q_target + weights * (rewards - q_logged)[..., None]).mean(axis=1)
    return np.stack([ips, snips, dr])


def _reward_models(
    arms: np.ndarray, months: np.ndarray, rewards: np.ndarray, n_arms: int, n_months: int, prior: float
) -> np.ndarray:
    """(B, T, K) shrunk segment × month rates, one model per row of the (B, n) inputs."""
    b = len(arms)
    cells = b * n_months * n_arms
    cell = ((np.arange(b)[:, None] * n_months + months) * n_arms + arms).ravel()
    shape = (b, n_months, n_arms)
    sums = np.bincount(cell, weights=rewards.ravel(), minlength=cells).reshape(shape)
    counts = np.bincount(cell, minlength=cells).reshape(shape)
    overall = rewards.mean(axis=1)[:, None]  # (B, 1)
    arm_rate = (sums.sum(axis=1) + prior * overall) / (counts.sum(axis=1) + prior)  # (B, K)
    return (sums + prior * arm_rate[:, None, :]) / (counts + prior)
