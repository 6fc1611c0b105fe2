"""Off-policy estimates land on the truth the simulator knows, within their intervals."""

import numpy as np
import pytest

from insight.targeting.offpolicy import evaluate_policies, reward_model
from insight.targeting.simulate import Policy, run_campaign

from .conftest import RATES

TARGETS = np.array(
    [
        [0.0, 0.0, 0.0, 1.0],  # always the best segment
        [0.25, 0.25, 0.25, 0.25],  # uniform
        [0.6, 0.3, 0.1, 0.0],  # mostly the worst segments: what the logger rarely does
    ]
)


def _truth(world) -> np.ndarray:
    return np.array([world.value(t) for t in TARGETS])


@pytest.mark.parametrize("logger", [Policy("thompson", 0.2), Policy("uniform", 1.0)])
def test_ips_snips_and_dr_intervals_hold_the_true_value(world, logger):
    log = run_campaign(world, logger, 4000, np.random.default_rng(11))
    estimates = evaluate_policies(log, TARGETS, len(world.periods), n_boot=300, level=0.99, seed=0)
    truth = _truth(world)
    for name in ("ips", "snips", "dr"):
        assert (estimates[f"{name}_low"] <= truth).all() and (truth <= estimates[f"{name}_high"]).all(), name
        assert (estimates[f"{name}_low"] < estimates[name]).all() and (
            estimates[name] < estimates[f"{name}_high"]
        ).all()
    assert np.abs(estimates["dr"] - truth).max() < 0.04


def test_ips_and_dr_are_unbiased_and_their_intervals_cover_the_truth(world):
    truth = _truth(world)
    found, covered = [], []
    for seed in range(40):
        log = run_campaign(world, Policy("thompson", 0.2), 2000, np.random.default_rng(100 + seed))
        estimates = evaluate_policies(log, TARGETS, len(world.periods), n_boot=100, seed=seed)
        found.append(estimates[["ips", "dr"]].to_numpy())
        covered.append(
            [((estimates[f"{e}_low"] <= truth) & (truth <= estimates[f"{e}_high"])).to_numpy() for e in ("ips", "dr")]
        )
    found = np.stack(found)  # (logs, targets, estimators)
    error = found.mean(axis=0) - truth[:, None]
    standard_error = found.std(axis=0) / np.sqrt(len(found))
    assert (np.abs(error) < 3 * standard_error + 1e-3).all(), (error, standard_error)
    # nominal 95 %; resampling an adaptive log as if independent loses a little (about 0.92 over 150 logs)
    coverage = np.mean(covered, axis=(0, 2))  # per estimator, over logs and targets
    assert (coverage >= 0.85).all(), coverage


def test_estimates_of_a_policy_the_log_rarely_follows_are_worth_fewer_contacts(world):
    log = run_campaign(world, Policy("thompson", 0.1), 4000, np.random.default_rng(5))
    estimates = evaluate_policies(log, TARGETS, len(world.periods), n_boot=200)
    assert estimates["ess"].iloc[0] > estimates["ess"].iloc[2]
    width = estimates["ips_high"] - estimates["ips_low"]
    assert width.iloc[2] > width.iloc[0]
    # the reward model carries what the weights cannot: DR is tighter than IPS where the log is thin
    assert (estimates["dr_high"] - estimates["dr_low"]).iloc[2] < width.iloc[2]


def test_more_exploration_in_the_log_narrows_the_interval_for_other_policies(world):
    widths = []
    for share in (0.05, 0.4):
        log = run_campaign(world, Policy("thompson", share), 4000, np.random.default_rng(9))
        estimates = evaluate_policies(log, TARGETS[2:], len(world.periods), n_boot=200)
        widths.append(float(estimates["ips_high"].iloc[0] - estimates["ips_low"].iloc[0]))
    assert widths[1] < widths[0]


def test_the_reward_model_shrinks_thin_cells_toward_their_segment():
    arms = np.array([0] * 50 + [1])
    months = np.array([0] * 25 + [1] * 25 + [1])
    rewards = np.array([1] * 10 + [0] * 15 + [1] * 10 + [0] * 15 + [1])
    model = reward_model(arms, months, rewards, n_arms=2, n_months=2)
    assert model[0, 0] == pytest.approx(0.4, abs=0.005)  # plenty of data: its own rate
    assert 0.4 < model[1, 1] < 1.0  # one converting contact: pulled toward the log's rate, not read as 100 %
    assert model[0, 1] < model[1, 1]  # a cell never tried borrows from its segment


def test_the_synthetic_truth_is_what_the_tests_assume(world):
    assert np.allclose(world.arm_rates, RATES.mean(axis=0))
