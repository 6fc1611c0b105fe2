"""Each real dataset in ../shared/data loads with the expected counts and quarantine reasons, once."""

import pytest

import insight
from tests.conftest import count

# dataset -> (format, rows loaded per table, quarantined rows per reason)
EXPECTED = {
    "taobao_user_behavior": (
        "taobao",
        {"users": 815, "events": 84_440},
        {"timestamp outside the dataset's stated period 2017-11-25 … 2017-12-03": 35},
    ),
    "womens_clothing_reviews": ("womens_clothing", {"items": 1_206, "reviews": 23_486}, {}),
    "online_shopping_10_cats": (
        "online_shopping_10_cats",
        {"items": 10, "reviews": 62_772},
        {"review has neither text nor rating": 1},
    ),
    "olist": ("olist", {"users": 8_016, "items": 5_460, "events": 7_604, "reviews": 8_225}, {}),
}


@pytest.mark.shared
@pytest.mark.parametrize("name", list(EXPECTED))
def test_dataset_loads_with_expected_counts_and_is_idempotent(name, shared_data, con):
    fmt, loaded, quarantined = EXPECTED[name]
    report = insight.ingest(shared_data / name, db=con)
    assert report.format == fmt and report.status == "loaded"
    assert {t: n for t, n in report.loaded.items() if t in loaded} == loaded
    assert report.quarantined == quarantined
    assert report.to_text().count("\n") >= 3  # a real report, not a one-liner
    before = {t: count(con, t) for t in ("users", "items", "events", "reviews")}
    assert insight.ingest(shared_data / name, db=con).status == "already_loaded"
    assert {t: count(con, t) for t in before} == before


@pytest.mark.shared
def test_online_retail_both_years(shared_data, con):
    report = insight.ingest(shared_data / "online_retail", db=con)
    assert report.format == "online_retail"
    # II leaves unknown customers blank, I writes 0: both are events without a user
    assert report.quarantined["event user id is missing"] > 200_000
    assert "negative quantity on an invoice that is not a cancellation (stock adjustment)" in report.quarantined
    users, first, last = con.execute("select count(distinct user_id), min(ts), max(ts) from events").fetchall()[0]
    assert users > 5_000 and first.year == 2009 and last.year == 2011
    # December 2010 is in both releases: its invoice lines are stored once
    assert report.duplicates["in file"] > 10_000
    refunds = con.execute("select count(*), min(quantity) from events where event_type = 'refund'").fetchall()[0]
    assert refunds[0] > 5_000 and refunds[1] > 0


@pytest.mark.shared
def test_olist_users_are_people_not_orders(shared_data, con):
    insight.ingest(shared_data / "olist", db=con)
    repeat = con.execute(
        "select count(*) from (select user_id from events group by user_id having count(distinct ts) > 1)"
    ).fetchall()[0][0]
    assert repeat == 53  # customer_unique_id joins a person's orders; customer_id (one per order) gives 0
    assert con.execute("select count(*) from reviews where language = 'pt'").fetchall()[0][0] > 3_500
