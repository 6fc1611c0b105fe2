"""SQL payloads through every filter and search box: no error, no change to the store, literal results.

The shared sidebar filters are driven the way a shared link drives them (query parameters); the
search and lookup boxes are typed into. A payload must never widen a result (``' or 1=1 --``), drop
anything (``'); drop table users; --``) or act as a wildcard (``%``, ``_``, ``\\``): a filter value the
store does not hold is ignored, one it holds (the hostile shop has categories that carry these
payloads) selects exactly its rows, and a search finds exactly the reviews that contain the text.
"""

import pandas as pd
import pytest

from insight.store import connect
from tests.security.hostile import SQL

TABLES = ("users", "items", "events", "reviews", "ingest_batches", "quarantine", "runs")


def _read(db, sql: str) -> pd.DataFrame:
    con = connect(db)  # the same process's store instance as the app's, so it sees what the app wrote
    try:
        return con.execute(sql).df()
    finally:
        con.close()


def _counts(db) -> dict[str, int]:
    return {t: int(_read(db, f"select count(*) as n from {t}")["n"][0]) for t in TABLES}


def _metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


@pytest.fixture
def unchanged(hostile_db):
    """Fails the test if the store's row counts changed during it."""
    before = _counts(hostile_db)
    yield
    assert _counts(hostile_db) == before


def _containing(db, text: str) -> set[str]:
    reviews = _read(db, "select review_id, title, text from reviews")
    haystack = (reviews["title"].fillna("") + " " + reviews["text"].fillna("")).str.lower()
    return set(reviews.loc[haystack.map(lambda h: text.lower() in h), "review_id"])


@pytest.mark.parametrize("page", ["pages/explore/overview.py", "pages/explore/sentiment.py"])
def test_filter_values_the_store_does_not_hold_are_ignored(page, app, unchanged):
    baseline = app().run()
    baseline.switch_page(page).run()
    for payload in SQL:
        at = app(category=payload, lang=payload, start=payload, end=payload).run()
        at.switch_page(page).run()
        assert not at.exception, payload
        assert _metrics(at) == _metrics(baseline), payload


def test_a_category_named_with_a_payload_selects_exactly_its_rows(app, hostile_db, unchanged):
    events = _read(hostile_db, "select e.event_id, i.category from events e left join items i using (item_id)")
    reviews = _read(hostile_db, "select r.review_id, i.category from reviews r left join items i using (item_id)")
    named = sorted(c for c in events["category"].dropna().unique() if any(p in c for p in SQL[:2]))
    assert named  # the hostile shop has them
    for category in named:
        at = app(category=category).run()
        assert not at.exception
        assert at.sidebar.multiselect(key="filter_categories").value == [category]
        shown = _metrics(at)
        assert int(shown["Events"].replace(",", "")) == (events["category"] == category).sum()
        assert int(shown["Reviews"].replace(",", "")) == (reviews["category"] == category).sum()


def test_review_searches_find_the_text_itself(app, hostile_db, unchanged):
    at = app().run()
    for payload in SQL:
        expected = _containing(hostile_db, payload)
        assert len(expected) < 200  # every match is listed, so the lists can be compared
        at.switch_page("pages/explore/sentiment.py").run()
        at.text_input(key="sentiment_keyword").input(payload).run()
        assert not at.exception, payload
        assert set(at.dataframe[-1].value["review_id"]) == expected, payload
        at.switch_page("pages/explore/keywords.py").run()
        at.text_input(key="kw_search").input(payload).run()
        assert not at.exception, payload
        assert set(at.dataframe[-1].value["review_id"]) == expected, payload
    assert 0 < len(_containing(hostile_db, "%")) < len(_containing(hostile_db, ""))  # "%" is no wildcard


def test_user_lookups_and_interest_searches(app, unchanged):
    for payload in SQL:
        at = app(user=payload).run()
        at.switch_page("pages/users/profile.py").run()
        assert not at.exception and any("No profile for user" in w.value for w in at.warning), payload
        at.text_input(key="profile_interest").input(payload).run()
        assert not at.exception, payload
        at.switch_page("pages/campaigns/recommendations.py").run()
        assert not at.exception and any("No shopper" in w.value for w in at.warning), payload
        at.text_input(key="rec_text").input(payload).run()
        assert not at.exception, payload


def test_campaign_interest_and_audience_names(app, hostile_db, unchanged):
    for payload in SQL:
        at = app().run()
        at.switch_page("pages/campaigns/campaigns.py").run()
        at.text_input(key="aud_interest").input(payload).run()
        assert not at.exception, payload
        at.text_input(key="aud_interest").input("").run()
        at.text_input(key="aud_name").input(payload).run()
        at.button(key="aud_save").click().run()
        assert not at.exception and at.success, payload
    names = set(_read(hostile_db, "select name from audiences")["name"])
    assert {p.strip() for p in SQL} <= names  # stored as typed
