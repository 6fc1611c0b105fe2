"""The Segments map carries ids and interests per user only to those who may see individuals."""

import json
import shutil
from pathlib import Path

import pytest
import streamlit
from streamlit.testing.v1 import AppTest

import insight
from insight.store import targeting as targeting_db
from tests.app.test_roles import AUTH

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGE = "pages/users/segments.py"
PEOPLE = {"viewer": "vi@shop.example", "marketer": "ma@shop.example", "analyst": "an@shop.example"}


@pytest.fixture
def shop(segmented_db: Path, tmp_path: Path, monkeypatch) -> Path:
    path = tmp_path / "shop.duckdb"
    shutil.copy(segmented_db, path)
    settings = tmp_path / "insight.toml"
    settings.write_text("[roles]\n" + "".join(f'{r} = ["{e}"]\n' for r, e in PEOPLE.items()))
    monkeypatch.setenv("INSIGHT_SETTINGS_FILE", str(settings))
    monkeypatch.setenv("INSIGHT_DB_PATH", str(path))
    return path


def _page(monkeypatch, role: str, picked: list[str] | None = None) -> tuple[AppTest, list]:
    """The Segments page signed in as ``role``; ``picked`` (point keys) is what the lasso returns."""
    drawn, figures = streamlit.plotly_chart, []

    def plotly_chart(figure, *args, **kwargs):
        if kwargs.get("key") == "segment_map":
            figures.append(figure)
            if picked is not None:
                return {"selection": {"points": [{"customdata": [key]} for key in picked]}}
        return drawn(figure, *args, **kwargs)

    monkeypatch.setattr(streamlit, "plotly_chart", plotly_chart)
    at = AppTest.from_file(APP, default_timeout=120)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, "email": PEOPLE[role]}
    at.run()
    return at.switch_page(PAGE).run(), figures


def _carried(figure) -> str:
    return json.dumps([[str(v) for v in trace.customdata.ravel()] + list(trace.text) for trace in figure.data])


def test_a_viewer_map_holds_no_ids_or_interests_and_a_lasso_lists_nobody(monkeypatch, shop):
    at, figures = _page(monkeypatch, "viewer", picked=[f"user {i}" for i in range(12)])
    assert not at.exception
    carried = _carried(figures[-1])
    assert "u_" not in carried and "user 0" in carried
    assert any(m.value == "**12 users selected**" for m in at.markdown)
    assert not any("user_id" in d.value.columns for d in at.dataframe)
    shown = " ".join(c.value for c in at.caption)
    assert "Listing them needs the **analyst** role" in shown
    assert "Saving a selection as an audience needs the **marketer** role" in shown
    assert not any(b.label == "Save as audience" for b in at.button)


def test_a_marketer_saves_the_lassoed_users_without_seeing_who_they_are(monkeypatch, shop):
    con = insight.connect(shop)
    everyone = insight.user_profiles(con)["user_id"].tolist()  # the map's order
    con.close()
    at, _ = _page(monkeypatch, "marketer", picked=[f"user {i}" for i in range(3, 15)])
    assert not any("user_id" in d.value.columns for d in at.dataframe)
    next(t for t in at.text_input if t.label == "Audience name").input("lassoed by a marketer")
    next(b for b in at.button if b.label == "Save as audience").click().run()
    assert not at.exception
    from insight.ui import resources

    resources.stop()
    con = insight.connect(shop)
    saved = targeting_db.fetch_saved(con)
    members = targeting_db.fetch_audience_users(con, [saved.iloc[0]["audience_id"]])
    con.close()
    assert members == sorted(everyone[3:15])


def test_an_analyst_map_carries_ids_and_the_list_is_logged(monkeypatch, shop):
    from insight.ui import resources

    at, figures = _page(monkeypatch, "analyst")
    assert "u_" in _carried(figures[-1])
    con_users = sorted({str(v) for t in figures[-1].data for v in t.customdata.ravel()})[:11]
    at, _ = _page(monkeypatch, "analyst", picked=con_users)
    assert any(set(d.value["user_id"]) == set(con_users) for d in at.dataframe if "user_id" in d.value.columns)
    resources.stop()
    con = insight.connect(shop)
    looks = con.execute(  # the shared shop may carry earlier tests' looks (as 'local')
        "select actor, action, subject from access_log where actor = ?", [PEOPLE["analyst"]]
    ).fetchall()
    con.close()
    assert looks and looks[0][:2] == (PEOPLE["analyst"], "user list") and "11 users lassoed" in looks[0][2]
