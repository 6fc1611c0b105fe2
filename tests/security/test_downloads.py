"""Every CSV a page offers for download opens in a spreadsheet without running a formula.

The pages run on the hostile shop, whose categories, review titles and quarantined file name hold
formula payloads (ingestion trims the leading blanks, so the CR and tab ones reach the store as plain
``=1+1``; tests/security/test_formulas.py covers them). Each download button's bytes are taken as
the browser would get them and read as a spreadsheet reads CSV: no cell may start a formula, and the
payloads must be there (behind an apostrophe).
"""

import csv
import io

import pytest
import streamlit

from tests.security.hostile import FORMULAS, QUARANTINED_FILE
from tests.security.test_formulas import _would_run


@pytest.fixture
def downloads(monkeypatch) -> dict[str, bytes]:
    """The bytes of every download button drawn, by file name."""
    offered: dict[str, bytes] = {}
    original = streamlit.download_button

    def record(label, data, file_name=None, *args, **kwargs):
        offered[file_name] = data
        return original(label, data, file_name, *args, **kwargs)

    monkeypatch.setattr(streamlit, "download_button", record)
    return offered


def _cells(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def _check(offered: dict[str, bytes]) -> set[str]:
    """Assert no CSV offered runs a formula; the cells of all of them."""
    cells = set()
    for name, data in offered.items():
        if name.endswith(".csv"):
            rows = _cells(data)
            assert len({len(r) for r in rows}) == 1, name  # no cell spilled into a row of its own
            assert [c for r in rows for c in r if _would_run(c)] == [], name
            cells |= {c for r in rows for c in r}
    return cells


def test_overview_tables(app, downloads):
    at = app().run()
    assert not at.exception
    assert {"events_over_time.csv", "reviews_over_time.csv", "top_categories.csv"} <= set(downloads)
    cells = _check(downloads)
    assert all(any(c.startswith("'" + f) for c in cells) for f in FORMULAS[:4])  # the categories, guarded


def test_sentiment_reviews_and_keyword_reviews(app, downloads):
    at = app().run()
    at.switch_page("pages/explore/sentiment.py").run()
    assert "reviews.csv" in downloads
    at.switch_page("pages/explore/keywords.py").run()
    at.text_input(key="kw_search").input("1").run()  # "=1+1", "+1+1" … are review titles
    assert not at.exception and "keyword_reviews.csv" in downloads
    assert {"'" + f for f in FORMULAS[:4]} <= _check(downloads)  # review titles, guarded


def test_a_lasso_selection_on_the_segment_map(app, downloads, hostile_db):
    from insight.store import connect

    con = connect(hostile_db)
    users = con.execute("select user_id from users order by user_id limit 30").df()["user_id"].tolist()
    con.close()
    at = app().run()
    at.switch_page("pages/users/segments.py")
    # what the map hands back after a lasso (the browser test draws a real one)
    at.session_state["segment_map"] = {"selection": {"points": [{"customdata": [u]} for u in users]}}
    at.run()
    assert not at.exception and "selected_users.csv" in downloads
    rows = _cells(downloads["selected_users.csv"])
    assert len(rows) == len(users) + 1
    _check(downloads)


def test_quarantined_rows_of_a_batch(app, downloads):
    at = app().run()
    at.switch_page("pages/data/ingest.py").run()
    assert not at.exception
    name = next(n for n in downloads if n.startswith("quarantine_"))
    cells = _check(downloads)
    assert "'" + QUARANTINED_FILE in cells
    assert len(_cells(downloads[name])) == 1 + len(FORMULAS)


def test_the_audience_export(app, downloads):
    at = app().run()
    at.switch_page("pages/campaigns/campaigns.py").run()
    assert not at.exception and {"audience.csv", "audience.parquet"} <= set(downloads)
    _check(downloads)
