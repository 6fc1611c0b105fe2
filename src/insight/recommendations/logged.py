"""Other exploration policies judged on the real log of served lists (off-policy evaluation).

Every exploration slot the API served was logged with the chance the deployed policy (Thompson
sampling over the areas a shopper has not shopped) had of exploring its area, and the areas it could
have chosen. Uniform exploration over those same areas would have explored this one with chance
``n_explore / len(candidates)``, and drawn the same item within it with the same chance; so each
logged slot gets the importance weight ``w = (n_explore / m) / area_chance`` and three estimates of
uniform exploration's reward rate follow (as in :mod:`insight.targeting.offpolicy`):

- **IPS** ``mean(w r)``; **SNIPS** ``sum(w r) / sum(w)``;
- **doubly robust** ``mean(sum_a u(a) q(a) + w (r − q(a_i)))`` with ``q`` each area's reward rate in
  the log, shrunk toward the overall rate by :data:`PRIOR` pseudo-slots, and ``u`` uniform over the slot's
  candidates.

The deployed policy's own rate is the plain mean of its slots. A reward is a click, like, cart or
purchase of the item in that list.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

PRIOR = 5.0


def exploration_estimates(log: pd.DataFrame) -> pd.DataFrame:
    """Rows: policy, estimator, reward rate, slots. ``log``: area, area_chance, candidates, n_explore, rewarded."""
    columns = ["policy", "estimator", "reward_rate", "slots"]
    log = log.dropna(subset=["area_chance"])
    log = log[log["candidates"].map(len) > 0]
    if log.empty:
        return pd.DataFrame(columns=columns)
    r = log["rewarded"].to_numpy(dtype=np.float64)
    m = log["candidates"].map(len).to_numpy(dtype=np.float64)
    w = (log["n_explore"].to_numpy(dtype=np.float64) / m).clip(max=1.0) / log["area_chance"].to_numpy(dtype=np.float64)
    overall = r.mean()
    by_area = pd.DataFrame({"area": log["area"].to_numpy(), "r": r}).groupby("area")["r"].agg(["sum", "count"])
    q = ((by_area["sum"] + PRIOR * overall) / (by_area["count"] + PRIOR)).to_dict()
    baseline = np.array([np.mean([q.get(a, overall) for a in areas]) for areas in log["candidates"]])
    q_logged = np.array([q.get(a, overall) for a in log["area"]])
    n = len(log)
    rows = [
        ("deployed (Thompson)", "observed", float(r.mean())),
        ("uniform exploration", "IPS", float((w * r).mean())),
        ("uniform exploration", "SNIPS", float((w * r).sum() / w.sum())),
        ("uniform exploration", "doubly robust", float((baseline + w * (r - q_logged)).mean())),
    ]
    return pd.DataFrame([(p, e, v, n) for p, e, v in rows], columns=columns)
