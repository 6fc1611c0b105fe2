"""The Segments page under the minimum audience size: a lasso saves what the library allows; cards hide small groups.

AppTest cannot drag a lasso over a Plotly chart, so the map's selection event is handed to the page
the way Streamlit hands it over: as the return value of ``st.plotly_chart``, here replaced for the
map only. That also lets a test send what a hostile client could (ids that are on no map).
"""

import shutil
from pathlib import Path

import pytest
import streamlit
from streamlit.testing.v1 import AppTest

import insight
from insight.store import targeting as targeting_db

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGE = "pages/users/segments.py"


@pytest.fixture
def shop(segmented_db: Path, tmp_path: Path) -> Path:
    """This test's own copy of the segmented demo shop (the page writes saved audiences)."""
    path = tmp_path / "shop.duckdb"
    shutil.copy(segmented_db, path)
    return path


@pytest.fixture
def profiled(shop: Path) -> list[str]:
    """Every profiled user of the shop, as the map lists them."""
    con = insight.connect(shop)
    users = sorted(insight.user_profiles(con)["user_id"])
    con.close()
    return users


def _lasso(monkeypatch, shop: Path, chosen: list[str]) -> AppTest:
    """The Segments page with ``chosen`` selected on the map."""
    drawn = streamlit.plotly_chart

    def plotly_chart(figure, *args, **kwargs):
        if kwargs.get("key") == "segment_map":
            return {"selection": {"points": [{"customdata": [user]} for user in chosen]}}
        return drawn(figure, *args, **kwargs)

    monkeypatch.setattr(streamlit, "plotly_chart", plotly_chart)
    monkeypatch.setenv("INSIGHT_DB_PATH", str(shop))
    at = AppTest.from_file(APP, default_timeout=120).run()
    return at.switch_page(PAGE).run()


def _save(at: AppTest, name: str) -> AppTest:
    next(t for t in at.text_input if t.label == "Audience name").input(name)
    return next(b for b in at.button if b.label == "Save as audience").click().run()


def _saved(shop: Path) -> list[list[str]]:
    con = insight.connect(shop)
    saved = targeting_db.fetch_saved(con)
    members = [targeting_db.fetch_audience_users(con, [a]) for a in saved["audience_id"]]
    con.close()
    return members


def test_a_lasso_of_one_user_offers_no_save_and_says_why(monkeypatch, shop, profiled):
    at = _lasso(monkeypatch, shop, profiled[:1])
    assert not at.exception
    assert any("**1 users selected**" in m.value for m in at.markdown)
    assert any("needs at least 10 users" in c.value for c in at.caption)
    assert not [b for b in at.button if b.label == "Save as audience"] and _saved(shop) == []


def test_a_lasso_padded_with_made_up_ids_is_refused_with_how_many(monkeypatch, shop, profiled):
    at = _save(_lasso(monkeypatch, shop, [profiled[0], *[f"u_madeup{i}" for i in range(9)]]), "padded")
    assert not at.exception and not at.success
    assert any("9 of the 10 ids are not users of this store" in e.value for e in at.error)
    assert _saved(shop) == []


def test_a_second_lasso_one_user_off_the_first_is_refused(monkeypatch, shop, profiled):
    at = _save(_lasso(monkeypatch, shop, profiled[:11]), "eleven")
    assert not at.exception and any("Saved audience" in s.value for s in at.success)
    at = _save(_lasso(monkeypatch, shop, profiled[1:11]), "ten of them")
    assert not at.success and any("differ by fewer than 10 users" in e.value for e in at.error)
    assert _saved(shop) == [profiled[:11]]


def test_segment_cards_round_spend_and_hide_counts_of_fewer_than_k(monkeypatch, shop, profiled):
    at = _lasso(monkeypatch, shop, [])
    assert not at.exception
    figures = [c.value for c in at.caption if c.value.startswith("Spend ")]
    shown = [f for f in figures if not f.startswith("Spend hidden (fewer than 10)")]  # a segment under 10 users
    assert shown and all("about" in f and f.split("about ")[1].split(" ")[0].endswith(",000") for f in shown)
    con = insight.connect(shop)
    sizes = con.execute(
        """select m.segment_id, count(distinct m.user_id) as users, count(distinct e.user_id) as buyers
             from segment_members m left join events e on e.user_id = m.user_id and e.event_type = 'purchase'
            where m.segment_id >= 0 group by all"""
    ).df()
    con.close()
    few_left_out = sizes[(sizes["users"] - sizes["buyers"]).between(1, 9)]
    assert len(few_left_out) > 0  # segments where all but a handful bought: that handful is not counted
    assert sum("buyers hidden" in f for f in figures) == len(few_left_out)
