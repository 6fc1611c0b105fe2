"""The attacks that undid the minimum audience size (issue 10), re-tried through the library: none reveals anything now.

Each test first shows what the attack would have read (the numbers are there in the store), then
that the library refuses it or shows nothing that gives it away.
"""

import io
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

import insight
from insight.store import targeting as store
from insight.targeting import (
    AudienceDefinition,
    AudienceTooSmall,
    PrivacyRules,
    TooCloseToSaved,
    UnknownUsers,
    core_users,
    evaluate,
    lookalikes,
    reach,
    refresh_stale,
    save_audience,
    save_selection,
    saved_audiences,
)

RULES = PrivacyRules(k=10)
FAKE = [f"u_madeup{i:02d}" for i in range(9)]
SELECTION = {"kind": "selection"}


def _spend(con, users) -> pd.Series:
    """What each user spent, straight from the events (what an attacker would like to read)."""
    facts = store.fetch_member_facts(con, users, None)
    return facts.set_index("user_id")["spend"]


def test_a_lasso_of_one_user_is_not_saved(own_shop):
    con, _ = own_shop
    someone = evaluate(con, AudienceDefinition(min_orders=2))[0]
    with pytest.raises(AudienceTooSmall, match="fewer than 10 users"):
        save_selection(con, "just one", [someone], SELECTION, rules=RULES)
    with pytest.raises(UnknownUsers, match="9 of the 10 ids are not users of this store"):
        save_selection(con, "padded", [someone, *FAKE], SELECTION, rules=RULES)
    assert saved_audiences(con, rules=RULES).empty


def test_an_export_padded_with_made_up_ids_is_refused_with_how_many(shop):
    real = evaluate(shop, AudienceDefinition(min_orders=2))
    with pytest.raises(UnknownUsers, match="9 of the 10 ids are not users of this store") as refused:
        insight.export_audience(shop, [real[0], *FAKE])
    assert refused.value.unknown == 9
    with pytest.raises(UnknownUsers, match="1 of the 21 ids"):  # never silently dropped either
        insight.export_audience(shop, [*real[:20], "u_madeup"])
    with pytest.raises(UnknownUsers):
        insight.audience_reach(shop, [real[0], *FAKE])  # nor previewed
    assert len(pd.read_csv(io.BytesIO(insight.export_audience(shop, real[:20])))) == 20


def test_two_saved_audiences_one_user_apart_cannot_both_exist(own_shop):
    con, _ = own_shop
    eleven = evaluate(con, AudienceDefinition(min_orders=5))[:11]
    save_selection(con, "eleven", eleven, SELECTION, rules=RULES)
    with pytest.raises(TooCloseToSaved, match="differ by fewer than 10 users"):
        save_selection(con, "ten of them", eleven[1:], SELECTION, rules=RULES)
    with pytest.raises(TooCloseToSaved):
        save_selection(
            con, "twelve", [*eleven, evaluate(con, AudienceDefinition(min_orders=2))[-1]], SELECTION, rules=RULES
        )
    save_selection(con, "the same eleven", eleven, SELECTION, rules=RULES)  # identical lists tell nothing new

    # the builder too: "5 orders" saved, then "5 orders and a spend that leaves out the smallest spender"
    loyal = AudienceDefinition(min_orders=5)
    save_audience(con, "loyal", loyal, rules=RULES)
    spend = _spend(con, evaluate(con, loyal)).sort_values()
    assert spend.iloc[0] < spend.iloc[1]
    with pytest.raises(TooCloseToSaved):
        save_audience(con, "loyal but one", replace(loyal, min_spend=float(spend.iloc[0]) + 0.01), rules=RULES)
    assert len(saved_audiences(con, rules=RULES)) == 3


def test_overlaps_with_two_audiences_one_user_apart_reveal_nothing(own_shop):
    # saving such a pair is refused (above); a store saved before the rule may still hold one, and the
    # overlap table and the saved list must not let the two be compared
    con, _ = own_shop
    coffee = evaluate(con, AudienceDefinition(categories=("Coffee & Tea",)))
    victim, others = coffee[0], coffee[1:11]
    eleven = store.insert_audience(con, "eleven", [victim, *others], SELECTION, data_version=None, segments_run=None)
    ten = store.insert_audience(con, "ten", others, SELECTION, data_version=None, segments_run=None)
    cells = store.fetch_overlaps(con, coffee).set_index("audience_id")["overlap"]
    assert (cells[eleven], cells[ten]) == (11, 10)  # the old page showed both: the victim bought coffee

    shown = reach(con, coffee, rules=RULES).overlaps.set_index("audience_id")
    assert (
        shown.loc[[eleven, ten], "hidden"].all() and shown.loc[[eleven, ten], ["users", "overlap"]].isna().all().all()
    )
    assert "differs from another saved audience" in shown.loc[eleven, "why"]
    listed = saved_audiences(con, rules=RULES).set_index("audience_id")
    assert listed.loc[[eleven, ten], "users"].isna().all()


def test_the_complement_of_an_overlap_cell_is_hidden_too(own_shop):
    con, _ = own_shop
    coffee = evaluate(con, AudienceDefinition(categories=("Coffee & Tea",)))
    victim = sorted(set(evaluate(con, AudienceDefinition(min_orders=2))) - set(coffee))[0]
    # theirs minus this is one user: 10 coffee buyers and the victim, who did not buy coffee
    theirs = save_selection(con, "ten and one", [*coffee[:10], victim], SELECTION, rules=RULES)
    # this minus theirs is one user: every coffee buyer but the first
    nearly = save_selection(con, "all but one", coffee[1:], SELECTION, rules=RULES)
    result = reach(con, coffee, rules=RULES)
    shown = result.overlaps.set_index("audience_id")
    for audience_id in (theirs, nearly):
        row = shown.loc[audience_id]
        assert row["hidden"] and "fewer than 10" in row["why"]
        assert np.isnan([row["overlap"], row["share_of_this"], row["share_of_theirs"]]).all()
    # nothing shown lets the hidden cell be worked out: only the two sizes are left
    assert shown.loc[theirs, "users"] == 11 and result.size == len(coffee)


def test_lookalikes_grow_in_steps_of_k_whatever_cut_is_asked(shop, index, running_segment):
    definition = AudienceDefinition(segments=(running_segment,))
    seed = core_users(shop, definition, index=index)
    found = lookalikes(index, seed)
    spend = _spend(shop, found.ranked["user_id"].tolist())
    audiences = {}
    for n in range(1, 31):  # every position of the old one-user slider, as any crafted request could send
        grown = evaluate(shop, replace(definition, lookalike_strength=found.threshold_for(n)), index=index, rules=RULES)
        assert (len(grown) - len(seed)) % 10 == 0
        audiences[n] = set(grown)
    for n in range(1, 30):
        assert len(audiences[n + 1] ^ audiences[n]) in (0, 10)
    # one old slider step (n → n + 1 lookalikes) moved the card's spend by exactly the next lookalike's spend;
    # now both positions give the same audience, and the slider's own steps (10 → 20) move by ten people
    n = next(n for n in range(11, 20) if spend[found.ranked["user_id"].iloc[n]] > 0)
    assert audiences[n] == audiences[n + 1]
    ten, twenty = (reach(shop, sorted(audiences[n]), rules=RULES).card for n in (10, 20))
    assert len(audiences[20] - audiences[10]) == 10 and (twenty.spend - ten.spend) % ten.spend_cap == 0
    curve = found.curve(points=21, rules=RULES)
    assert (curve["added"] % 10 == 0).all() and curve["audience_size"].iloc[-1] == len(seed) + found.addable(10)


def test_a_whale_cannot_be_read_off_the_difference_of_two_cards(own_shop, tmp_path):
    con, _ = own_shop
    rows = [
        "user_id,item_id,event_type,timestamp,quantity,value,query",
        "whale,i0001,purchase,2026-10-20 10:00:00,1,1000000,",
    ]
    (tmp_path / "events.csv").write_text("\n".join(rows) + "\n")
    insight.ingest(tmp_path / "events.csv", db=con)
    whale = con.execute("select user_id from events where value = 1000000").fetchall()[0][0]
    loyal = evaluate(con, AudienceDefinition(min_orders=5))
    exact = _spend(con, [*loyal, whale])
    assert exact.sum() - exact.drop(whale).sum() == pytest.approx(1_000_000)  # what an exact card would show

    without, with_whale = (reach(con, users, rules=RULES).card for users in (loyal, [*loyal, whale]))
    assert with_whale.spend_cap == without.spend_cap == 2000  # the shop's 10th biggest spender, rounded down
    assert abs(with_whale.spend - without.spend) <= with_whale.spend_cap
    assert abs(with_whale.spend_per_user - without.spend_per_user) <= 20  # the step at ~100 members
    assert with_whale.spend < 1_000_000 / 2
    assert abs(with_whale.orders_per_buyer - without.orders_per_buyer) <= 0.1 + 1e-9
    # an ordinary member leaves no more of a trace than the whale
    ordinary = loyal[len(loyal) // 2]
    others = reach(con, [u for u in loyal if u != ordinary], rules=RULES).card
    assert abs(others.spend - without.spend) <= without.spend_cap


def test_a_refresh_that_would_break_a_rule_keeps_the_members_and_says_why(own_shop, tmp_path):
    con, _ = own_shop
    recent = AudienceDefinition(recency_days=20)
    audience_id = save_audience(con, "recent buyers", recent, rules=RULES)
    members = store.fetch_audience_users(con, [audience_id])
    rows = ["user_id,item_id,event_type,timestamp,quantity,value,query"]
    rows += [f"newcomer,i0001,purchase,2026-11-{10 + i:02d} 10:00:00,1,10.0," for i in range(20)]
    (tmp_path / "events.csv").write_text("\n".join(rows) + "\n")
    insight.ingest(tmp_path / "events.csv", db=con)
    assert len(evaluate(con, recent)) == 1  # on the new data only the newcomer bought in the last 20 days

    done = refresh_stale(con, rules=RULES)
    assert done.changed == {} and "fewer than 10 users" in done.refused[audience_id]
    assert store.fetch_audience_users(con, [audience_id]) == members
