"""Reach previews, saved audiences and their refresh on new data."""

import pandas as pd
import pytest

import insight
from insight.targeting import (
    AudienceDefinition,
    AudienceTooSmall,
    PrivacyRules,
    evaluate,
    lookalikes,
    reach,
    refresh_audience,
    save_audience,
    saved_audiences,
)

RULES = PrivacyRules(k=10)


def test_reach_says_size_share_and_who_the_audience_is(shop, index, running_segment):
    seed = evaluate(shop, AudienceDefinition(segments=(running_segment,)), index=index)
    cut = lookalikes(index, seed).threshold_for(10)
    grown = AudienceDefinition(segments=(running_segment,), lookalike_strength=cut)
    users = evaluate(shop, grown, index=index, rules=RULES)
    # on this 150-user shop no interest keyword is shared by 10 of them, so the card is read at k = 5
    result = reach(shop, users, rules=PrivacyRules(k=5))
    assert result.size == len(users) and result.base == 150 and result.share == pytest.approx(len(users) / 150)
    card = result.card
    assert {"running", "running shoes"} & {word for word, _ in card.interests[:3]}
    assert card.categories.iloc[0]["category"] == "Running & Fitness"
    assert card.segments[0] == (running_segment, pytest.approx(round(len(seed) / len(users), 1)))
    assert 0 < card.buyer_share <= 1 and card.spend > 0 and -1 <= card.sentiment <= 1
    # figures are rounded as privacy.py says: money to the spend cap, shares to tenths at this size
    assert card.spend_cap == 2000 and card.spend % card.spend_cap == 0
    assert all(round(share * 10, 9).is_integer() for _, share in card.interests)


def test_a_card_hides_what_fewer_than_k_members_make_up(shop, index, running_segment):
    users = evaluate(shop, AudienceDefinition(segments=(running_segment,)), index=index)
    card = reach(shop, users, rules=RULES).card
    listed = shop.execute(
        "select keywords from user_profiles where list_contains($users::varchar[], user_id)", {"users": users}
    ).df()["keywords"]
    running = sum("running" in [w.strip() for w in text.split(",")[:5]] for text in listed)
    assert 0 < running < 10 and card.interests == []  # 7 of 16 runners list "running": too few to show
    assert reach(shop, users, rules=PrivacyRules(k=5)).card.interests[0][0] == "running"


def test_tiny_audiences_are_hidden_and_refused_with_the_reason(shop):
    users = evaluate(shop, AudienceDefinition(min_orders=30))
    assert 0 < len(users) < 10
    result = reach(shop, users, rules=RULES)
    assert result.suppressed and result.size is None and result.card is None
    assert "fewer than 10 users" in result.reason and "INSIGHT_MIN_AUDIENCE" in result.reason
    with pytest.raises(AudienceTooSmall, match="fewer than 10"):
        save_audience(shop, "big spenders", AudienceDefinition(min_orders=30), rules=RULES)
    assert "No user matches" in reach(shop, [], rules=RULES).reason


def test_overlap_with_saved_audiences_and_small_overlaps_hidden(own_shop, index, running_segment):
    con, _ = own_shop
    runners = AudienceDefinition(segments=(running_segment,))
    saved_id = save_audience(con, "runners", runners, rules=RULES, index=index)
    members = evaluate(con, runners, index=index)
    cut = lookalikes(index, members).threshold_for(10)
    users = evaluate(con, AudienceDefinition(segments=(running_segment,), lookalike_strength=cut), index=index)
    row = reach(con, users, rules=RULES).overlaps.set_index("audience_id").loc[saved_id]
    assert row["overlap"] == len(members) and row["share_of_this"] == pytest.approx(len(members) / len(users))
    assert not row["hidden"] and row["why"] is None and row["share_of_theirs"] == 1.0

    assert len(members) > 10
    picked = members[1:] + lookalikes(index, members).ranked["user_id"].head(10).tolist()  # all runners but one
    row = reach(con, picked, rules=RULES).overlaps.set_index("audience_id").loc[saved_id]
    assert row["hidden"] and pd.isna(row["overlap"]) and pd.isna(row["share_of_theirs"])
    assert "fewer than 10" in row["why"] and row["users"] == len(members)


def test_saved_audience_goes_stale_on_new_data_and_refreshes(own_shop, tmp_path):
    con, _ = own_shop
    definition = AudienceDefinition(min_orders=15)
    audience_id = save_audience(con, "loyal", definition, rules=RULES)
    before = evaluate(con, definition)
    assert not saved_audiences(con, rules=RULES).set_index("audience_id").loc[audience_id, "stale"]

    rows = ["user_id,item_id,event_type,timestamp,quantity,value,query"]
    rows += [f"newcomer,i0001,purchase,2026-10-{1 + i:02d} 10:00:00,1,10.0," for i in range(20)]
    (tmp_path / "events.csv").write_text("\n".join(rows) + "\n")
    insight.ingest(tmp_path / "events.csv", db=con)
    saved = saved_audiences(con, rules=RULES).set_index("audience_id")
    assert saved.loc[audience_id, "stale"] and saved.loc[audience_id, "description"] == "at least 15 orders"

    assert refresh_audience(con, audience_id) == (len(before), len(before) + 1)
    saved = saved_audiences(con, rules=RULES).set_index("audience_id")
    assert not saved.loc[audience_id, "stale"] and saved.loc[audience_id, "users"] == len(before) + 1


def test_an_audience_leaving_out_fewer_than_k_users_is_hidden_too(own_shop):
    con, _ = own_shop
    nearly_everyone = AudienceDefinition(min_orders=1)
    users = evaluate(con, nearly_everyone)
    assert 0 < 150 - len(users) < 10  # the few who never bought could be counted as 150 minus the size
    result = reach(con, users, rules=RULES)
    assert result.suppressed and "all but fewer than 10" in result.reason
    with pytest.raises(AudienceTooSmall, match="all but fewer than 10"):
        save_audience(con, "buyers", nearly_everyone, rules=RULES)
    assert not reach(con, evaluate(con, AudienceDefinition()), rules=RULES).suppressed  # everyone leaves out none


def test_each_condition_is_counted_under_the_same_rules(shop):
    from insight.targeting import condition_reach

    definition = AudienceDefinition(min_orders=30, recency_days=365, categories=("Coffee & Tea",))
    shown = condition_reach(shop, definition, rules=RULES).set_index("condition")
    assert shown.loc["at least 30 orders", "hidden"] == "fewer than 10"  # a handful of heavy buyers
    assert shown.loc["bought within 365 days", "hidden"] == "all but fewer than 10"  # all but a handful
    coffee = shown.loc["bought Coffee & Tea"]
    assert coffee["hidden"] is None and coffee["users"] == len(
        evaluate(shop, AudienceDefinition(categories=("Coffee & Tea",)))
    )
    assert shown["users"].isna().sum() == 2


def test_an_interests_reach_curve_counts_only_what_an_audience_could_show(shop, index):
    from insight.targeting import interest_matches
    from insight.targeting.reach import interest_reach

    curve = interest_reach(shop, index, "trail running shoes", rules=RULES)
    strength = interest_matches(index, "trail running shoes")["strength"].to_numpy()
    base = len(index.users)  # every user of this shop has a profile
    assert curve["strength"].iloc[0] == 0 and curve["strength"].iloc[-1] == 5 and len(curve) == 21
    for row in curve.itertuples():
        true = int((strength >= row.strength).sum())
        if row.hidden:  # under k, or all but fewer than k: no count at all
            assert pd.isna(row.users) and (true // 10 * 10 < 10 or base - true // 10 * 10 < 10)
        else:
            assert row.users == true // 10 * 10  # whole steps of k, like the lookalike curve
    shown = curve["users"].dropna()
    assert len(shown) >= 3 and shown.is_monotonic_decreasing
