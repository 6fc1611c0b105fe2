"""The Campaign simulator page: empty states, a recorded simulation, and starting one as a job."""

import shutil
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGE = "pages/campaigns/simulator.py"


def _app(monkeypatch, db: Path) -> AppTest:
    monkeypatch.setenv("INSIGHT_DB_PATH", str(db))
    return AppTest.from_file(APP, default_timeout=90)


@pytest.fixture
def segmented_copy(segmented_db, tmp_path) -> Path:
    """A private copy of the segmented demo store, free to write to."""
    path = tmp_path / "insight.duckdb"
    shutil.copy(segmented_db, path)
    return path


def _texts(at: AppTest) -> str:
    return " ".join(e.value for e in [*at.info, *at.markdown, *at.caption])


def test_on_an_empty_store_the_page_says_to_run_segments_first(monkeypatch, tmp_path):
    at = _app(monkeypatch, tmp_path / "empty.duckdb").run()
    at.switch_page(PAGE).run()
    assert not at.exception
    assert "Campaign simulator" in [h.value for h in at.header]
    assert "Start **Segments** on the Jobs page" in _texts(at)
    assert not at.button  # nothing to simulate yet


def test_with_segments_but_no_simulation_the_page_offers_to_start_one(monkeypatch, segmented_copy):
    at = _app(monkeypatch, segmented_copy).run()
    at.switch_page(PAGE).run()
    assert not at.exception
    assert at.button(key="start_campaign_sim")
    assert "No simulation yet" in _texts(at)


def test_a_recorded_simulation_shows_truth_estimates_and_allocation(monkeypatch, segmented_copy):
    from insight.store import connect
    from insight.store.runs import current_run
    from insight.targeting.simulate import simulate_store

    con = connect(segmented_copy)
    simulate_store(con, budget=1000, repeats=4, seed=1)
    sim = current_run(con, "campaign_sim")
    con.close()
    at = _app(monkeypatch, segmented_copy).run()
    at.switch_page(PAGE).run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Best fixed segment"] == f"#{sim['params']['best_segment']}"
    assert metrics["Contacts per campaign"] == "1,000"
    assert any(f"Run `{sim['run_id']}`" in c.value for c in at.caption)
    assert len(at.get("plotly_chart")) == 2
    policies = at.dataframe[0].value
    assert list(policies["policy"])[-2:] == ["greedy", "uniform"]
    assert {"expected_per_1000", "ips_low", "snips", "dr_high", "regret_per_1000"} <= set(policies.columns)
    segments = at.dataframe[-1].value
    assert segments.iloc[0]["segment"].startswith(metrics["Best fixed segment"] + " ")  # best first


def test_the_start_button_runs_the_simulation_in_the_background(monkeypatch, segmented_copy):
    from insight.jobs.tasks import TASKS, Task
    from insight.targeting.simulate import simulate_store
    from insight.ui import resources

    if "campaign_sim" not in TASKS:  # until the job is registered, register it the way tasks.py would
        task = Task(
            run=lambda ctx: simulate_store(ctx.con, job_id=ctx.job_id, progress=ctx.progress, **ctx.params),
            device=lambda params: "cpu",
            help="simulate campaigns over segments",
        )
        monkeypatch.setitem(TASKS, "campaign_sim", task)
    at = _app(monkeypatch, segmented_copy).run()
    at.switch_page(PAGE).run()
    at.select_slider(key="sim_budget").set_value(1000)
    at.multiselect(key="sim_levels").set_value([0.0, 0.3])
    at.button(key="start_campaign_sim").click().run()
    try:
        resources.runner().wait()
        at.run()
        assert not at.exception
        policies = at.dataframe[0].value
        assert list(policies["policy"]) == ["thompson ε=0", "thompson ε=0.3", "greedy", "uniform"]
        assert {m.label: m.value for m in at.metric}["Contacts per campaign"] == "1,000"
        assert isinstance(policies, pd.DataFrame) and policies["expected_per_1000"].between(0, 1000).all()
    finally:
        resources.close_runner()
