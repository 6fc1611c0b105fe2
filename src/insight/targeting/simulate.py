"""Campaign simulator: allocate contacts across segments with Thompson sampling, replayed on logged behaviour.

The world (:class:`~insight.targeting.world.CampaignWorld`) is the shop's own history. A round is
one contact: a month is drawn (every month equally likely), the policy picks a segment (an *arm*),
and a random user of that segment active that month is contacted; the reward is whether that user
bought in the next month. Because the history holds the outcome of every segment in every month,
the true conversion rate of any allocation is known exactly (``CampaignWorld.value``) — which is
what lets the off-policy estimates (:mod:`insight.targeting.offpolicy`) be checked against the
truth instead of just reported.

Policies (:class:`Policy`) allocate a budget of contacts in :data:`WAVES` equal waves, updating
Beta-Bernoulli posteriors per segment after each wave (a campaign tool syncs conversions in batches,
say daily, not per message; a fixed number of waves also keeps the cost independent of the budget).
Thompson sampling is mixed with uniform exploration at a share ε; greedy (highest posterior mean)
and uniform are the baselines. Every decision logs the policy's whole action distribution at that
moment — for Thompson the probability that each arm has the highest posterior draw, estimated from
:data:`DRAWS` Monte-Carlo draws, mixed with ε/K — and the action is sampled from exactly that
distribution, so the logged propensity is the true probability of the logged action. The job that
runs all this over the store and records the results is :func:`simulate_store`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from insight.job_params import CampaignSimParams
from insight.params import validate
from insight.progress import ProgressFn, scale, silent
from insight.targeting.offpolicy import CampaignLog, evaluate_policies
from insight.targeting.privacy import privacy_rules
from insight.targeting.world import CampaignWorld, world_from_contacts

WAVES = 50  # posterior updates per campaign
DRAWS = 500  # Monte-Carlo posterior draws per wave for Thompson propensities (the action is sampled from them)
KINDS = ("thompson", "greedy", "uniform")


@dataclass(frozen=True)
class Policy:
    """An allocation rule: ``kind`` (thompson, greedy or uniform) mixed with uniform exploration ``exploration``."""

    kind: str
    exploration: float = 0.0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown policy {self.kind!r}; known: {', '.join(KINDS)}")
        if not 0.0 <= self.exploration <= 1.0:
            raise ValueError(f"exploration share must be in [0, 1], got {self.exploration}")

    @property
    def name(self) -> str:
        """How the policy is written in tables: ``thompson ε=0.1``, ``greedy``, ``uniform``."""
        return f"thompson ε={self.exploration:g}" if self.kind == "thompson" else self.kind

    def distribution(self, successes: np.ndarray, failures: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """(K,) probability of choosing each arm given the Beta(1 + s, 1 + f) posteriors; sums to 1."""
        k = len(successes)
        if self.kind == "uniform":
            base = np.full(k, 1.0 / k)
        elif self.kind == "greedy":
            mean = (1.0 + successes) / (2.0 + successes + failures)
            base = (mean == mean.max()).astype(float)
            base /= base.sum()
        else:
            draws = rng.beta(1.0 + successes, 1.0 + failures, size=(DRAWS, k))
            base = np.bincount(draws.argmax(axis=1), minlength=k) / DRAWS
        return (1.0 - self.exploration) * base + self.exploration / k


def run_campaign(world: CampaignWorld, policy: Policy, budget: int, rng: np.random.Generator) -> CampaignLog:
    """Allocate ``budget`` contacts in waves, sampling each action from the logged distribution."""
    k = len(world.arms)
    successes, failures = np.zeros(k), np.zeros(k)
    arms, months, rewards, propensities = [], [], [], []
    wave = -(-budget // WAVES)
    for start in range(0, budget, wave):
        size = min(wave, budget - start)
        probs = policy.distribution(successes, failures, rng)
        chosen = rng.choice(k, size=size, p=probs)
        month, reward = world.draw(chosen, rng)
        successes += np.bincount(chosen, weights=reward, minlength=k)
        failures += np.bincount(chosen, weights=1 - reward, minlength=k)
        arms.append(chosen)
        months.append(month)
        rewards.append(reward)
        propensities.append(np.broadcast_to(probs, (size, k)))
    return CampaignLog(*(np.concatenate(parts) for parts in (arms, months, rewards, propensities)))


def policy_rng(seed: int, policy: Policy, repeat: int) -> np.random.Generator:
    """The random stream of one campaign: fixed by seed, policy and repeat, whatever else runs."""
    return np.random.default_rng([seed, KINDS.index(policy.kind), round(policy.exploration * 1000), repeat])


def simulate_policies(
    world: CampaignWorld,
    policies: list[Policy],
    *,
    budget: int,
    repeats: int = 20,
    seed: int = 0,
    progress: ProgressFn = silent,
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Run every policy ``repeats`` times and measure it against the truth.

    Returns (summary, allocation, contacts): summary has one row per policy with ``expected_per_1000``
    (true conversions per 1,000 contacts of its average allocation, by replay), ``expected_sd`` (its
    spread across repeats), ``observed_per_1000`` (conversions the simulated campaigns got), regret
    per 1,000 contacts against the best fixed segment, and ``best_share``; allocation (P, K) is each
    policy's average action distribution over all decisions and repeats; contacts (P, K) is the share
    of contacts each segment actually got.

    Months are drawn independently of a campaign's past, so the expected conversions of an adaptive
    campaign equal those of the fixed allocation it averaged to: that allocation is the policy the
    off-policy estimators are asked to value, with ``expected_per_1000`` as the exact truth.
    """
    best = world.arm_rates.max()
    rows, allocation, contacts = [], [], []
    for step, policy in enumerate(policies):
        progress(step / len(policies), f"simulating {policy.name}")
        runs = [run_campaign(world, policy, budget, policy_rng(seed, policy, r)) for r in range(repeats)]
        means = np.stack([log.propensities.mean(axis=0) for log in runs])
        values = np.array([world.value(m) for m in means])
        allocation.append(means.mean(axis=0))
        contacts.append(np.mean([np.bincount(log.arms, minlength=len(world.arms)) / budget for log in runs], axis=0))
        rows.append(
            {
                "policy": policy.name,
                "kind": policy.kind,
                "exploration": policy.exploration,
                "expected_per_1000": 1000 * values.mean(),
                "expected_sd": 1000 * values.std(),
                "observed_per_1000": 1000 * np.mean([log.rewards.mean() for log in runs]),
                "regret_per_1000": 1000 * (best - values.mean()),
                "best_share": float(allocation[-1][world.best_arm]),
            }
        )
    progress(1.0, "simulated")
    return pd.DataFrame(rows), np.stack(allocation), np.stack(contacts)


def simulate_store(
    con: duckdb.DuckDBPyConnection,
    *,
    budget: int = CampaignSimParams.budget,
    exploration_levels: tuple[float, ...] | list[float] = CampaignSimParams.exploration_levels,
    logging_exploration: float = CampaignSimParams.logging_exploration,
    repeats: int = CampaignSimParams.repeats,
    seed: int = 0,
    job_id: str | None = None,
    progress: ProgressFn = silent,
) -> dict:
    """Simulate campaigns over the current segments and record the results as a ``campaign_sim`` run.

    Off-policy check: one more campaign, Thompson sampling with ``logging_exploration``, is the log;
    each policy's average allocation is estimated from it with IPS, SNIPS and doubly robust
    (:func:`insight.targeting.offpolicy.evaluate_policies`) next to its true value. The results table,
    allocations and segment rates go into the run's params (there is no table for them).
    """
    from insight.store import campaigns, runs
    from insight.store.db import data_version

    # the ranges are the job's declared ones (a ParamError is a ValueError naming the field)
    validate(
        CampaignSimParams,
        {
            "budget": budget,
            "exploration_levels": list(exploration_levels),
            "logging_exploration": logging_exploration,
            "repeats": repeats,
            "seed": seed,
        },
    )
    levels = sorted({float(e) for e in exploration_levels})
    segments = runs.current_run(con, "segments")
    if segments is None:
        raise ValueError("no segments yet: run the Segments job first")
    progress(0.0, "reading contacts and next-month purchases")
    min_users = privacy_rules().k  # a segment of fewer users is no arm: its conversion rate would describe them
    world = world_from_contacts(campaigns.fetch_campaign_contacts(con, segments["run_id"]), min_users=min_users)
    labels = campaigns.fetch_segment_labels(con, segments["run_id"]).set_index("segment_id")["label"]
    policies = [Policy("thompson", e) for e in levels] + [Policy("greedy"), Policy("uniform", 1.0)]
    summary, allocation, contacts = simulate_policies(
        world, policies, budget=int(budget), repeats=int(repeats), seed=seed, progress=scale(progress, 0.05, 0.8)
    )
    progress(0.8, "off-policy estimates from a logged campaign")
    logger = Policy("thompson", float(logging_exploration))
    log = run_campaign(world, logger, int(budget), policy_rng(seed, logger, repeats))
    estimates = evaluate_policies(log, allocation, len(world.periods), seed=seed)
    results = pd.concat([summary, estimates.mul(1000).assign(ess=estimates["ess"])], axis=1)
    best = int(world.arms[world.best_arm])
    params = {
        "budget": int(budget),
        "exploration_levels": levels,
        "logging_exploration": float(logging_exploration),
        "repeats": int(repeats),
        "waves": WAVES,
        "segments_run": segments["run_id"],
        "periods": [str(p)[:10] for p in world.periods],
        "dropped_segments": list(world.dropped_arms),
        "min_users": min_users,
        "best_segment": best,
        "logged_per_1000": round(1000 * float(log.rewards.mean()), 3),
        "results": _records(results),
        "segments": _records(
            pd.DataFrame({"segment_id": world.arms, "contacts": world.sizes.sum(axis=0)}).assign(
                label=labels.reindex(world.arms).fillna("").to_numpy(), true_per_1000=1000 * world.arm_rates
            )
        ),
        "allocation": _records(
            pd.DataFrame({"segment_id": np.tile(world.arms, len(policies)), "share": contacts.ravel()}).assign(
                policy=np.repeat([p.name for p in policies], len(world.arms))
            )
        ),
    }
    model = "Beta-Bernoulli Thompson sampling"
    with runs.new_run(con, kind="campaign_sim", job_id=job_id, model=model, params=params, seed=seed) as run_id:
        pass  # the run row is the result: everything is in its params
    progress(1.0, "done")
    top = summary.loc[summary["expected_per_1000"].idxmax()]
    return {
        "message": f"{len(policies)} policies × {repeats} campaigns of {budget:,} contacts over {len(world.arms)} "
        f"segments; best fixed segment #{best} ({1000 * world.arm_rates.max():.0f} per 1,000); "
        f"best policy {top['policy']} ({top['expected_per_1000']:.0f} per 1,000)",
        "run_id": run_id,
        "params": {k: params[k] for k in ("budget", "exploration_levels", "logging_exploration", "repeats")},
        "seed": seed,
        "data_version": data_version(con),
    }


def _records(frame: pd.DataFrame) -> list[dict]:
    """JSON-ready rows, floats to 4 decimals to keep the run row small."""
    return json.loads(frame.to_json(orient="records", double_precision=4))


__all__ = ["CampaignWorld", "Policy", "run_campaign", "simulate_policies", "simulate_store", "world_from_contacts"]
