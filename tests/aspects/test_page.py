"""The Aspects page: the alert inbox, a category's aspects with their reviews one click away, what to fix, edits."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

import insight
from insight.store import aspect_views, runs

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGE = "pages/explore/aspects.py"


def _page(monkeypatch, db) -> AppTest:
    monkeypatch.setenv("INSIGHT_DB_PATH", str(db))
    at = AppTest.from_file(APP, default_timeout=120).run()
    return at.switch_page(PAGE).run()


def test_an_empty_store_says_which_jobs_to_start(monkeypatch, tmp_path):
    at = _page(monkeypatch, tmp_path / "empty.duckdb")
    assert not at.exception
    assert "Aspects" in " ".join(i.value for i in at.info)


def test_the_page_shows_aspects_their_reviews_and_what_to_fix(monkeypatch, aspected_db):
    con = insight.connect(aspected_db)
    run = runs.current_run(con, "aspects")
    aspects = aspect_views.fetch_aspects(con, run["run_id"])
    con.close()
    at = _page(monkeypatch, aspected_db)
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert int(metrics["Aspects"]) == len(aspects)
    category = at.selectbox(key="aspect_category").value
    shown = at.dataframe[1 if len(insight.aspect_alerts(insight.connect(aspected_db))) else 0].value
    assert set(shown["label"]) == set(aspects.loc[aspects["category"] == category, "label"])
    # the reviews behind an aspect come with the clause in bold (local mode: the visitor is an admin)
    bolded = [m.value for m in at.markdown if "**" in m.value]
    assert bolded, "no quote with its clause highlighted"
    # what to fix: one expander per complaint aspect of the chosen product
    assert len(at.expander) >= 1


def test_a_rename_shows_at_once_and_is_kept_for_the_next_run(monkeypatch, aspected_db, tmp_path):
    import shutil

    db = tmp_path / "rename.duckdb"
    shutil.copy(aspected_db, db)
    at = _page(monkeypatch, db)
    at.text_input[-1].input("fit and sizing")
    at.button[-1].click().run()
    assert not at.exception
    con = insight.connect(db)
    run = runs.current_run(con, "aspects")
    labels = set(aspect_views.fetch_aspects(con, run["run_id"])["label"])
    edits = con.execute("select kind, label from aspect_edits").fetchall()
    con.close()
    assert "fit and sizing" in labels and edits == [("rename", "fit and sizing")]
