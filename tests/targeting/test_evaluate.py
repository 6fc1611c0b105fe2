"""Audiences evaluated on the segmented demo shop, checked against the raw data."""

import numpy as np
import pandas as pd

from insight.store import runs
from insight.targeting import (
    AudienceDefinition,
    conditions,
    core_users,
    evaluate,
    find_lookalikes,
    interest_matches,
    lookalikes,
)


def _purchases(con) -> pd.DataFrame:
    return con.execute(
        "select e.user_id, e.ts, e.value, i.category from events e join items i using (item_id) "
        "where e.event_type = 'purchase'"
    ).df()


def _keywords(con) -> pd.Series:
    return con.execute("select user_id, keywords from user_profiles").df().set_index("user_id")["keywords"]


def test_behaviour_filters_match_what_the_events_say(shop):
    bought = _purchases(shop)
    as_of = shop.execute("select max(ts) from events").fetchall()[0][0]
    per_user = bought.groupby("user_id").agg(orders=("ts", "size"), spend=("value", "sum"), last=("ts", "max"))
    expected = per_user[(per_user["orders"] >= 5) & (per_user["spend"] >= 500)]
    expected = expected[expected["last"] >= as_of - pd.Timedelta(days=60)]
    expected = set(expected.index) & set(bought.loc[bought["category"] == "Coffee & Tea", "user_id"])
    definition = AudienceDefinition(recency_days=60, min_orders=5, min_spend=500, categories=("Coffee & Tea",))
    found = evaluate(shop, definition)
    assert found == sorted(expected) and 0 < len(found) < 150


def test_sentiment_range_keeps_reviewers_whose_mean_rating_fits(shop):
    reviews = shop.execute("select user_id, avg((rating - 3) / 2.0) as s from reviews group by user_id").df()
    found = evaluate(shop, AudienceDefinition(sentiment=(-1.0, 0.0)))
    assert found == sorted(reviews.loc[reviews["s"] <= 0.0, "user_id"]) and found


def test_kinds_of_conditions_combine_with_and(shop, index, running_segment):
    definition = AudienceDefinition(segments=(running_segment,), min_orders=2, interest="trail running shoes")
    found = set(evaluate(shop, definition, index=index))
    run_id = runs.current_run(shop, "segments")["run_id"]
    members = shop.execute(
        "select user_id from segment_members where run_id = $run and segment_id = $s",
        {"run": run_id, "s": running_segment},
    ).df()["user_id"]
    orders = _purchases(shop)["user_id"].value_counts()
    interested = interest_matches(index, "trail running shoes", definition.interest_strength)["user_id"]
    assert found == set(members) & set(orders[orders >= 2].index) & set(interested)
    assert len(found) >= 10
    each = dict(conditions(shop, definition, index=index))
    assert all(n >= len(found) for n in each.values()) and len(each) == 3


def test_an_interest_finds_the_users_into_it(shop, index):
    matches = interest_matches(index, "trail running shoes", 1.5)
    assert matches["strength"].is_monotonic_decreasing and (matches["strength"] >= 1.5).all()
    assert 0.03 < len(matches) / len(index.users) < 0.4  # not everyone, not no one
    outdoor = _keywords(shop).str.contains("running|trail|hiking|camping")
    assert outdoor[matches["user_id"].head(5)].sum() >= 4
    assert outdoor[matches["user_id"]].mean() > 2 * outdoor.mean()  # far more runners than in the shop at large


def test_lookalikes_of_runners_are_outdoor_people_and_grow_the_audience(shop, index, running_segment):
    seed = core_users(shop, AudienceDefinition(segments=(running_segment,)), index=index)
    found = lookalikes(index, seed)
    assert not set(found.ranked["user_id"]) & set(seed)
    assert find_lookalikes(shop, seed).ranked.equals(found.ranked)
    assert found.ranked["strength"].is_monotonic_decreasing and found.seed_size == len(seed)
    outdoor = _keywords(shop).str.contains("running|trail|hiking|camping")
    nearest, farthest = found.ranked["user_id"].head(15), found.ranked["user_id"].tail(15)
    assert outdoor[nearest].mean() > 2 * outdoor[farthest].mean()  # the demo plants runners who take up hiking

    curve = found.curve(points=11)
    assert np.all(np.diff(curve["audience_size"]) >= 0) and np.all(np.diff(curve["min_strength"]) < 0)
    assert curve["audience_size"].iloc[-1] == len(seed) + len(found.ranked)

    cut = found.threshold_for(20)
    grown = evaluate(shop, AudienceDefinition(segments=(running_segment,), lookalike_strength=cut), index=index)
    assert set(grown) == set(seed) | set(found.ranked["user_id"].head(20)) and len(grown) == len(seed) + 20
