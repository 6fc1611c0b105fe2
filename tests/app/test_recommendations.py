"""The Recommendations page: empty states, a shopper's list with reasons, the exploration knob, the evaluation."""

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGE = "pages/campaigns/recommendations.py"


def _app(monkeypatch, db: Path) -> AppTest:
    monkeypatch.setenv("INSIGHT_DB_PATH", str(db))
    return AppTest.from_file(APP, default_timeout=90)


def _texts(at: AppTest) -> str:
    return " ".join(e.value for e in [*at.info, *at.warning, *at.markdown, *at.caption])


@pytest.fixture
def segmented_copy(segmented_db, tmp_path) -> Path:
    """A private copy of the segmented demo store, free to write to."""
    path = tmp_path / "insight.duckdb"
    shutil.copy(segmented_db, path)
    return path


@pytest.fixture(scope="module")
def heavy_shopper(segmented_db) -> str:
    """The shopper with the most touches (plenty of history to explain picks from)."""
    import insight

    con = insight.connect(segmented_db)
    profiles = insight.user_profiles(con)
    con.close()
    return profiles.sort_values("touches").iloc[-1]["user_id"]


def _open(monkeypatch, db: Path, user: str | None = None) -> AppTest:
    at = _app(monkeypatch, db)
    if user:
        at.query_params["user"] = user
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception
    return at


def _lists(at: AppTest) -> list:
    """The recommendation tables on the page (they have a reason column): the shopper's, then the visitor's."""
    return [d.value for d in at.dataframe if "reason" in d.value.columns]


def _explore_rows(at: AppTest) -> int:
    return int(_lists(at)[0]["kind"].str.contains("explore").sum())


def test_an_empty_store_says_what_to_do(monkeypatch, tmp_path):
    at = _open(monkeypatch, tmp_path / "empty.duckdb")
    assert "Recommendations" in [h.value for h in at.header]
    assert "Ingest" in _texts(at)
    assert not at.text_input and not at.dataframe


def test_items_without_embeddings_say_which_job_to_run(monkeypatch, tmp_path, corpus):
    import insight

    db = tmp_path / "store.duckdb"
    insight.ingest(corpus, db=db)
    at = _open(monkeypatch, db)
    message = " ".join(i.value for i in at.info)
    assert "have no embedding under" in message and "run the encode job first" in message
    assert not at.dataframe


def test_a_shoppers_list_explains_every_pick_and_the_exploration_knob_adds_explore_rows(
    monkeypatch, segmented_copy, heavy_shopper
):
    at = _open(monkeypatch, segmented_copy, user=heavy_shopper)
    assert at.text_input(key="rec_user").value == heavy_shopper  # prefilled from the shared link
    picks = _lists(at)[0]
    assert len(picks) == 10 and picks["reason"].str.len().gt(0).all()
    assert picks["reason"].str.contains("you bought it|you viewed it|you put it in your basket|you saved it").any()
    at.slider(key="rec_exploration").set_value(0.0).run()
    assert _explore_rows(at) == 0
    assert "10 from the shopper's interests" in _texts(at)
    at.slider(key="rec_exploration").set_value(0.4).run()
    explore = _lists(at)[0]
    explored = explore[explore["kind"].str.contains("explore")]
    assert len(explored) > 0 and explored["reason"].str.startswith("exploring").all()
    assert "exploring areas they have not shopped" in _texts(at)


def test_random_user_and_a_new_visitors_text(monkeypatch, segmented_copy):
    at = _open(monkeypatch, segmented_copy)
    assert "Random active user" in _texts(at)  # the empty-box hint names the button
    at.button(key="rec_random").click().run()
    assert at.text_input(key="rec_user").value.startswith("u_")
    assert len(_lists(at)[0]) == 10
    at.text_input(key="rec_user").set_value("u_nobody").run()
    assert "No shopper `u_nobody` in the store: showing best-sellers" in _texts(at)
    at.text_input(key="rec_text").input("a light tent for summer hikes").run()
    served = _lists(at)[1]
    exploit = served[served["kind"].str.contains("exploit")]
    assert len(exploit) and exploit["reason"].iloc[0].startswith("matches “a light tent for summer hikes”")
    assert exploit["reason"].str.contains("“a light tent for summer hikes” \\(similarity", regex=True).all()
    assert exploit["title"].str.contains("tent", case=False).iloc[0]


def test_a_shopper_is_found_by_the_shops_own_customer_id(monkeypatch, segmented_db, segmented_copy):
    import pandas as pd

    from insight.ingestion.pseudonymise import pseudonym

    raw = str(pd.read_csv(segmented_db.parent / "files" / "events.csv", dtype=str)["user_id"].iloc[0])
    at = _open(monkeypatch, segmented_copy)
    at.text_input(key="rec_user").set_value(raw).run()
    assert not at.exception and "No shopper" not in _texts(at)
    assert f"items for `{pseudonym(raw, b'test-key')}`" in _texts(at)  # shown (and logged) by its pseudonym


def test_the_evaluation_section_shows_a_finished_run(monkeypatch, segmented_copy):
    from insight.recommendations.job import evaluate_store
    from insight.store import connect
    from insight.store.runs import current_run

    con = connect(segmented_copy)
    evaluate_store(con, k=10)
    run = current_run(con, "recommend_eval")
    con.close()
    at = _open(monkeypatch, segmented_copy)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Shoppers evaluated"] == f"{run['params']['users']:,}"
    assert metrics["Test purchases from"] == run["params"]["split_date"]
    assert any(f"Run `{run['run_id']}`" in c.value for c in at.caption)
    assert len(at.get("plotly_chart")) == 1
    table = at.dataframe[-1].value
    assert list(table["policy"]) == ["insight"] * 4 + ["popularity", "als"]
    sentence = next(m.value for m in at.markdown if m.value.startswith("Moving exploration from 0 to 0.4"))
    assert "of precision@10" in sentence and "coverage" in sentence
    at.radio(key="rec_axis").set_value("novelty").run()
    assert any(m.value.startswith("Moving exploration") and "novelty" in m.value for m in at.markdown)


def test_the_evaluate_button_runs_the_job_in_the_background(monkeypatch, segmented_copy):
    from insight.ui import resources

    at = _open(monkeypatch, segmented_copy)
    assert "No evaluation yet" in _texts(at)
    at.select_slider(key="rec_eval_k").set_value(5)
    at.button(key="start_recommend_eval").click().run()
    try:
        resources.runner().wait()
        at.run()
        assert not at.exception
        assert {m.label for m in at.metric} >= {"precision@5: insight", "precision@5: popularity", "precision@5: ALS"}
    finally:
        resources.close_runner()
