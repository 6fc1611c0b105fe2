"""The campaign simulation job over a real (demo) store after segmentation."""

import shutil

import pandas as pd
import pytest

from insight.store import connect
from insight.store.runs import current_run
from insight.targeting.simulate import simulate_store


@pytest.fixture(scope="module")
def simulated(segmented_db, tmp_path_factory):
    """A copy of the segmented demo store after one campaign simulation: (path, job result, run)."""
    path = tmp_path_factory.mktemp("campaigns") / "insight.duckdb"
    shutil.copy(segmented_db, path)
    con = connect(path)
    steps = []
    result = simulate_store(con, budget=2000, repeats=8, seed=0, progress=lambda f, m: steps.append(f))
    run = current_run(con, "campaign_sim")
    truth = _true_rates(con, run["params"]["segments_run"])
    con.close()
    assert steps[0] == 0.0 and steps[-1] == 1.0 and steps == sorted(steps)
    return result, run, truth


def _true_rates(con, segments_run: str) -> pd.Series:
    """Each segment's conversion rate, computed here from the raw tables: share of its active users who
    buy in the next month, averaged over the months that have a next month."""
    frame = con.execute(
        """select h.segment_id, date_trunc('month', h.period) as month,
                  avg(case when exists (select 1 from events e where e.user_id = h.user_id
                         and e.event_type = 'purchase'
                         and date_trunc('month', e.ts) = date_trunc('month', h.period) + interval 1 month)
                      then 1.0 else 0.0 end) as rate
             from segment_history h
            where h.run_id = $run and h.segment_id >= 0
              and date_trunc('month', h.period) < (select date_trunc('month', max(ts)) from events)
            group by all""",
        {"run": segments_run},
    ).df()
    return frame.groupby("segment_id")["rate"].mean()


def test_the_simulation_is_recorded_as_a_run_with_its_results(simulated):
    result, run, _ = simulated
    assert run["run_id"] == result["run_id"] and run["seed"] == 0
    assert {"message", "run_id", "params", "seed", "data_version"} <= set(result)
    results = pd.DataFrame(run["params"]["results"])
    assert list(results["policy"]) == [
        "thompson ε=0",
        "thompson ε=0.1",
        "thompson ε=0.2",
        "thompson ε=0.4",
        "greedy",
        "uniform",
    ]
    assert results[["ips", "snips", "dr", "ips_low", "dr_high", "ess"]].notna().all().all()
    assert (results["regret_per_1000"] >= 0).all()
    allocation = pd.DataFrame(run["params"]["allocation"]).groupby("policy")["share"].sum()
    assert (allocation - 1).abs().max() < 1e-3


def test_the_best_segment_is_the_one_that_truly_converts_most(simulated):
    result, run, truth = simulated
    params = run["params"]
    assert params["dropped_segments"] == []
    assert params["best_segment"] == truth.idxmax()
    reported = pd.DataFrame(params["segments"]).set_index("segment_id")["true_per_1000"]
    assert (reported - 1000 * truth).abs().max() < 0.01
    assert f"#{truth.idxmax()}" in result["message"]


def test_thompson_sampling_spends_more_on_the_best_segment_than_an_even_split(simulated):
    # The demo's two best segments can be nearly tied (514 and 526 per 1,000 in one segmentation), which
    # 2,000 contacts cannot tell apart; what must hold is that spend moves to the better half.
    _, run, truth = simulated
    results = pd.DataFrame(run["params"]["results"]).set_index("policy")
    segments = len(truth)
    allocation = pd.DataFrame(run["params"]["allocation"])
    spend = allocation[allocation["policy"] == "thompson ε=0"].groupby("segment_id")["share"].sum()
    better_half = truth.index[truth > truth.median()]
    assert spend.reindex(better_half, fill_value=0).sum() > 1.4 * len(better_half) / segments
    assert results.loc["thompson ε=0", "best_share"] > 1 / segments
    assert results.loc["uniform", "best_share"] == pytest.approx(1 / segments, abs=1e-4)  # stored to 4 decimals
    assert results.loc["thompson ε=0", "expected_per_1000"] > results.loc["uniform", "expected_per_1000"]


def test_estimates_land_near_the_truth_on_the_store(simulated):
    _, run, _ = simulated
    results = pd.DataFrame(run["params"]["results"])
    for name in ("ips", "snips", "dr"):
        inside = (results[f"{name}_low"] <= results["expected_per_1000"]) & (
            results["expected_per_1000"] <= results[f"{name}_high"]
        )
        assert inside.mean() >= 0.5, name
    assert (results["dr"] - results["expected_per_1000"]).abs().max() < 60


def test_the_job_refuses_without_segments_or_with_bad_parameters(con):
    with pytest.raises(ValueError, match="Segments"):
        simulate_store(con)
    with pytest.raises(ValueError, match="budget"):
        simulate_store(con, budget=10)
    with pytest.raises(ValueError, match="exploration"):
        simulate_store(con, logging_exploration=0.0)
