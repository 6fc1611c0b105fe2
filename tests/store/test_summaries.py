"""The summaries give pages the numbers the raw tables give, under every filter, as data arrives."""

from datetime import timedelta

import pandas as pd
import pytest

import insight
from insight.filters import Filters
from insight.store import connect, summaries
from insight.store.overview import fetch_event_activity, fetch_kpis, fetch_top_categories
from tests.conftest import store_at_version


def _raw_categories(con, filters: Filters) -> pd.DataFrame:
    """Events, purchases and revenue per category straight from the events (what the Overview read before)."""
    return con.execute(
        """select coalesce(i.category, '(none)') as category, count(*) as events,
                  count(*) filter (where e.event_type = 'purchase') as purchases,
                  round(sum(e.value) filter (where e.event_type = 'purchase'), 2) as revenue
             from events e left join items i using (item_id)
            where ($start is null or e.ts >= $start::date) and ($end is null or e.ts < $end::date + 1)
              and (len($categories::varchar[]) = 0 or list_contains($categories::varchar[], i.category))
              and (len($languages::varchar[]) = 0 or list_contains($languages::varchar[], i.language))
            group by all""",
        filters.params(),
    ).df()


def _filters(con) -> list[Filters]:
    category, language = con.execute(
        "select category, language from items where category is not null and language is not null limit 1"
    ).fetchall()[0]
    last = con.execute("select max(ts)::date from events").fetchall()[0][0]
    month = (last - timedelta(days=30), last)
    return [
        Filters(),
        Filters(categories=(category,)),
        Filters(languages=(language,)),
        Filters(start=month[0], end=month[1]),
        Filters(start=month[0], end=month[1], categories=(category,), languages=(language,)),
    ]


def test_overview_counts_from_the_summary_equal_counts_from_the_events(demo_db):
    con = insight.connect(demo_db)
    for filters in _filters(con):
        raw = _raw_categories(con, filters).set_index("category").sort_index()
        assert not raw.empty, filters
        kpis = fetch_kpis(con, filters)
        assert kpis["events"] == raw["events"].sum()
        assert kpis["purchases"] == raw["purchases"].sum()
        assert kpis["revenue"] == pytest.approx(raw["revenue"].sum(), abs=0.01 * len(raw))
        assert fetch_event_activity(con, filters, grain="week")["events"].sum() == raw["events"].sum()
        top = fetch_top_categories(con, filters, limit=10_000).set_index("category").sort_index()
        pd.testing.assert_frame_equal(top[["events", "purchases"]], raw[["events", "purchases"]], check_dtype=False)
        assert (top["users_about"] > 0).all()
    con.close()


def test_events_loaded_before_their_items_move_into_the_items_categories(tmp_path):
    events = tmp_path / "events.csv"
    events.write_text(
        "user_id,item_id,event_type,timestamp,value\n"
        "u1,kettle,purchase,2026-03-01 10:00,30\n"
        "u2,kettle,view,2026-03-02 11:00,\n"
        "u2,mug,purchase,2026-03-02 12:00,8\n"
    )
    items = tmp_path / "items.csv"
    items.write_text("item_id,title,category\nkettle,Steel kettle,Kitchen\nmug,Blue mug,Tableware\n")
    con = connect(tmp_path / "store.duckdb")
    insight.ingest(events, db=con)
    assert fetch_top_categories(con)["category"].tolist() == ["(none)"]
    insight.ingest(items, db=con)
    top = fetch_top_categories(con).set_index("category")
    assert top.loc["Kitchen", ["events", "purchases", "revenue"]].tolist() == [2, 1, 30.0]
    assert top.loc["Tableware", "users_about"] == 1 and "(none)" not in top.index
    assert fetch_kpis(con, Filters(categories=("Kitchen",)))["events"] == 2
    con.close()


def test_a_store_made_before_the_summary_gets_it_counted(tmp_path):
    path = tmp_path / "old.duckdb"
    old = store_at_version(path, 10)
    old.execute("insert into items (item_id, category, language, batch_id) values ('i1', 'Tea', 'en', 'b')")
    old.execute(
        """insert into events (event_id, user_id, item_id, event_type, ts, value, batch_id) values
           ('e1', 'u1', 'i1', 'purchase', '2026-01-05 09:00', 12.5, 'b'),
           ('e2', 'u1', 'i1', 'view', '2026-01-05 08:00', null, 'b'),
           ('e3', 'u2', 'gone', 'view', '2026-01-06 08:00', null, 'b')"""
    )
    old.close()
    con = connect(path)  # migrations 11 and 12 count what is stored
    kpis = fetch_kpis(con)
    assert (kpis["events"], kpis["purchases"], kpis["revenue"]) == (3, 1, 12.5)
    assert fetch_kpis(con, Filters(categories=("Tea",)))["events"] == 2
    assert con.execute("select user_id, orders, spend from user_facts order by 1").fetchall() == [
        ("u1", 1, 12.5),
        ("u2", 0, 0.0),
    ]
    before = [con.execute(f"select * from {t} order by all").fetchall() for t in ("event_days", "user_facts")]
    summaries.rebuild(con)
    assert [con.execute(f"select * from {t} order by all").fetchall() for t in ("event_days", "user_facts")] == before
    con.close()


def _raw_people(con) -> pd.DataFrame:
    """Everyone with their purchase and review counts, derived from the raw tables (what audiences read before)."""
    return con.execute(
        """with people as (select user_id from users union select user_id from events where user_id is not null
                           union select user_id from reviews where user_id is not null)
           select p.user_id,
                  (select count(*) from events e where e.user_id = p.user_id and e.event_type = 'purchase') as orders,
                  (select coalesce(sum(coalesce(value, 0)), 0) from events e
                    where e.user_id = p.user_id and e.event_type = 'purchase') as spend,
                  (select max(ts) from events e where e.user_id = p.user_id and e.event_type = 'purchase')
                    as last_purchase,
                  (select count(*) from reviews r where r.user_id = p.user_id) as reviews
             from people p order by p.user_id"""
    ).df()


def test_per_user_facts_match_the_raw_tables_batch_after_batch(tmp_path, corpus):
    con = connect(tmp_path / "store.duckdb")
    for name in ("users.csv", "events.csv", "reviews.csv", "items.csv"):
        insight.ingest(corpus / name, db=con)
        kept = con.execute(
            "select user_id, orders, spend, last_purchase, reviews from user_facts order by user_id"
        ).df()
        pd.testing.assert_frame_equal(kept, _raw_people(con), check_dtype=False)
    assert len(kept) > 0 and kept["orders"].sum() > 0 and kept["reviews"].sum() > 0
    active = con.execute(
        "select count(distinct user_id) from (select user_id from events union all select user_id from reviews)"
    ).fetchall()[0][0]
    assert fetch_kpis(con)["active_users"] == active
    con.close()
