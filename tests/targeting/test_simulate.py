"""The simulator: a world whose truth is the history, policies that log why they chose what they chose."""

import numpy as np
import pandas as pd
import pytest

from insight.targeting.simulate import Policy, run_campaign, simulate_policies, world_from_contacts

from .conftest import RATES, contacts_with_rates


def test_the_world_knows_every_segments_true_conversion_rate(world):
    assert np.allclose(world.rates, RATES)
    assert np.allclose(world.arm_rates, RATES.mean(axis=0))
    assert world.best_arm == 3
    assert world.value([0.5, 0, 0, 0.5]) == pytest.approx((RATES[:, 0].mean() + RATES[:, 3].mean()) / 2)


def test_contacts_replay_the_history(world):
    months, rewards = world.draw(np.full(40_000, 3), np.random.default_rng(0))
    assert set(months) == {0, 1, 2, 3}
    assert rewards.mean() == pytest.approx(RATES[:, 3].mean(), abs=0.01)


def test_a_segment_absent_most_months_is_not_an_arm():
    contacts = contacts_with_rates(RATES)
    rare = contacts[(contacts["segment_id"] != 2) | (contacts["period"] == contacts["period"].min())]
    world = world_from_contacts(rare)
    assert list(world.arms) == [0, 1, 3] and world.dropped_arms == (2,)
    with pytest.raises(ValueError, match="two segments"):
        world_from_contacts(contacts[contacts["segment_id"] == 0])


@pytest.mark.parametrize(
    "policy", [Policy("thompson", 0.0), Policy("thompson", 0.2), Policy("greedy"), Policy("uniform", 1.0)]
)
def test_every_decision_logs_a_distribution_that_sums_to_one_and_covers_its_action(world, policy):
    log = run_campaign(world, policy, 1000, np.random.default_rng(1))
    assert log.propensities.shape == (1000, 4)
    assert np.allclose(log.propensities.sum(axis=1), 1.0)
    assert (log.chosen_propensity > 0).all()
    assert (log.propensities >= policy.exploration / 4 - 1e-12).all()


def test_logged_propensities_are_the_rates_at_which_actions_were_taken(world):
    log = run_campaign(world, Policy("thompson", 0.1), 5000, np.random.default_rng(2))
    chosen = np.bincount(log.arms, minlength=4) / len(log.arms)
    assert np.allclose(chosen, log.propensities.mean(axis=0), atol=0.02)


def test_more_exploration_sends_more_contacts_to_weaker_segments(world):
    policies = [Policy("thompson", e) for e in (0.0, 0.1, 0.2, 0.4)] + [Policy("uniform", 1.0)]
    summary, allocation, contacts = simulate_policies(world, policies, budget=2000, repeats=8, seed=0)
    elsewhere = 1 - contacts[:, world.best_arm]
    assert np.all(np.diff(elsewhere) > 0), elsewhere
    assert elsewhere[-1] == pytest.approx(0.75, abs=0.02)
    # exploring costs conversions here (the arms are far apart): expected conversions fall with ε
    assert summary["expected_per_1000"].is_monotonic_decreasing
    assert (summary["regret_per_1000"] >= 0).all()


def test_thompson_learns_the_best_segment_and_greedy_can_get_stuck(world):
    summary, allocation, _ = simulate_policies(
        world, [Policy("thompson", 0.0), Policy("greedy"), Policy("uniform", 1.0)], budget=3000, repeats=10, seed=3
    )
    by = summary.set_index("policy")
    assert allocation[0].argmax() == world.best_arm and by.loc["thompson ε=0", "best_share"] > 0.6
    assert by.loc["thompson ε=0", "expected_per_1000"] > by.loc["uniform", "expected_per_1000"]
    assert by.loc["greedy", "expected_sd"] > by.loc["thompson ε=0", "expected_sd"]
    assert by.loc["uniform", "expected_per_1000"] == pytest.approx(1000 * RATES.mean())


def test_the_same_seed_gives_the_same_simulation(world):
    first = simulate_policies(world, [Policy("thompson", 0.1)], budget=500, repeats=2, seed=7)[0]
    again = simulate_policies(world, [Policy("thompson", 0.1)], budget=500, repeats=2, seed=7)[0]
    pd.testing.assert_frame_equal(first, again)


def test_unknown_policies_and_shares_are_refused():
    with pytest.raises(ValueError, match="unknown policy"):
        Policy("epsilon-first")
    with pytest.raises(ValueError, match="exploration"):
        Policy("thompson", 1.5)


def test_a_segment_of_fewer_than_k_users_is_not_an_arm():
    contacts = contacts_with_rates(RATES)
    # segment 2's contacts all come from five people: its conversion rate would describe them
    few = contacts["segment_id"] == 2
    contacts.loc[few, "user_id"] = [f"regular{i % 5}" for i in range(few.sum())]
    world = world_from_contacts(contacts, min_users=10)
    assert list(world.arms) == [0, 1, 3] and world.dropped_arms == (2,)
    assert list(world_from_contacts(contacts).arms) == [0, 1, 2, 3]  # without the rule it would be one
