"""Campaign simulator on a segmented store: policies against the truth, and how good the estimators are.

By default builds (once, cached in bench/.cache/) the demo shop with ``--users`` users and runs the
segments job on it (all-MiniLM-L6-v2, CPU), as the app would; ``--db`` points at any other segmented
store instead. Then:

1. the campaign_sim job itself (:func:`insight.targeting.simulate.simulate_store`), timed, whose
   results table is printed: per policy the true conversions per 1,000 contacts (replay), regret
   against the best fixed segment, and the IPS / SNIPS / DR estimates from one logged campaign;
2. a check of the estimators against the truth over ``--logs`` independent logged campaigns per
   logging exploration share: mean absolute error (per 1,000 contacts) and how often the 95 %
   bootstrap interval holds the true value, pooled over the policies.

    python bench/campaign_sim.py [--users 600] [--db PATH] [--budget 5000] [--repeats 20] [--logs 20]
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd

os.environ.setdefault("INSIGHT_PSEUDONYM_KEY", "bench")

CACHE = Path(__file__).parent / ".cache"


def segmented_demo(users: int) -> Path:
    """The demo shop with ``users`` users after a segments job (built once)."""
    import insight
    from insight.demo.generate import write_demo_files
    from insight.jobs.runner import new_job, run_job
    from insight.store import connect

    folder = CACHE / f"campaign-demo-{users}"
    path = folder / "insight.duckdb"
    if path.exists():
        return path
    write_demo_files(folder / "files", n_users=users)
    con = connect(path)
    insight.ingest(folder / "files", db=con)
    params = {"model": "all-MiniLM-L6-v2", "device": "cpu"}
    assert run_job(con, new_job(con, "segments", params), "segments", params) == "done"
    con.close()
    return path


def estimator_check(con, budget: int, repeats: int, logs: int, shares: list[float], seed: int) -> pd.DataFrame:
    """Error and interval coverage of IPS, SNIPS and DR over many logged campaigns per logging share."""
    from insight.store import campaigns, runs
    from insight.targeting.offpolicy import ESTIMATORS, evaluate_policies
    from insight.targeting.simulate import Policy, run_campaign, simulate_policies, world_from_contacts

    world = world_from_contacts(campaigns.fetch_campaign_contacts(con, runs.current_run(con, "segments")["run_id"]))
    policies = [Policy("thompson", e) for e in (0.0, 0.1, 0.2, 0.4)] + [Policy("greedy"), Policy("uniform", 1.0)]
    _, targets, _ = simulate_policies(world, policies, budget=budget, repeats=repeats, seed=seed)
    truth = targets @ world.arm_rates
    rows = []
    for share in shares:
        errors, covered, logged = {e: [] for e in ESTIMATORS}, {e: [] for e in ESTIMATORS}, []
        for i in range(logs):
            log = run_campaign(world, Policy("thompson", share), budget, np.random.default_rng([seed, 7, i]))
            found = evaluate_policies(log, targets, len(world.periods), n_boot=200, seed=i)
            logged.append(log.rewards.mean())
            for e in ESTIMATORS:
                errors[e].append(np.abs(found[e] - truth))
                covered[e].append((found[f"{e}_low"] <= truth) & (truth <= found[f"{e}_high"]))
        row = {"logging exploration": share, "logged conversions /1000": 1000 * np.mean(logged)}
        for e in ESTIMATORS:
            row[f"{e} MAE /1000"] = 1000 * np.mean(errors[e])
            row[f"{e} coverage"] = np.mean(covered[e])
        rows.append(row)
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=600)
    parser.add_argument("--db", type=Path, help="a segmented store to use instead of the demo shop")
    parser.add_argument("--budget", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--logs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    from insight.store import connect
    from insight.store.runs import current_run
    from insight.targeting.simulate import simulate_store

    started = time.perf_counter()
    path = args.db or segmented_demo(args.users)
    print(f"store {path} ready in {time.perf_counter() - started:.0f} s")
    con = connect(path)
    started = time.perf_counter()
    result = simulate_store(con, budget=args.budget, repeats=args.repeats, seed=args.seed)
    print(f"campaign_sim job: {time.perf_counter() - started:.1f} s — {result['message']}\n")
    sim = current_run(con, "campaign_sim")["params"]
    segments = pd.DataFrame(sim["segments"]).sort_values("true_per_1000", ascending=False)
    print(segments.to_markdown(index=False, floatfmt=".1f"), "\n")
    table = pd.DataFrame(sim["results"])
    for e in ("ips", "snips", "dr"):
        table[e] = [f"{v:.0f} [{lo:.0f}, {hi:.0f}]" for v, lo, hi in table[[e, f"{e}_low", f"{e}_high"]].to_numpy()]
    columns = [
        "policy",
        "expected_per_1000",
        "expected_sd",
        "regret_per_1000",
        "best_share",
        "ips",
        "snips",
        "dr",
        "ess",
    ]
    print(table[columns].to_markdown(index=False, floatfmt=".2f"), "\n")
    started = time.perf_counter()
    check = estimator_check(con, args.budget, args.repeats, args.logs, [0.05, 0.2, 0.4], args.seed)
    con.close()
    print(f"estimators over {args.logs} logged campaigns per share ({time.perf_counter() - started:.0f} s):")
    print(check.to_markdown(index=False, floatfmt=".3f"))


if __name__ == "__main__":
    main()
