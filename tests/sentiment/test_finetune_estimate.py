"""The Jobs page says how long fine-tuning will take before it starts, measured on this machine."""

import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import insight
from insight.jobs.runner import new_job
from insight.sentiment.finetune import FAST
from insight.sentiment.finetune_estimate import OVERHEAD_S, estimate_finetune, units
from insight.store import jobs as job_store

APP = str(Path(__file__).resolve().parents[2] / "app.py")
pytestmark = pytest.mark.shared


@pytest.fixture
def rated_store(tmp_path, shared_data) -> Path:
    """A store of 250 labelled Chinese reviews (200 train after the 20 % held out)."""
    raw = pd.read_csv(shared_data / "online_shopping_10_cats" / "online_shopping_10_cats.csv")
    raw.dropna(subset=["review"]).sample(250, random_state=3).to_csv(tmp_path / "reviews.csv", index=False)
    db = tmp_path / "store.duckdb"
    insight.ingest(tmp_path / "reviews.csv", db=db)
    return db


def test_jobs_page_shows_the_expected_duration_next_to_the_button(monkeypatch, rated_store):
    import streamlit as st

    st.cache_data.clear()
    monkeypatch.setenv("INSIGHT_DB_PATH", str(rated_store))
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page("pages/data/jobs.py").run()
    assert not at.exception
    captions = [c.value for c in at.caption]
    note = next(c for c in captions if c.startswith("Expected to take"))
    assert re.search(r"about \d+ (seconds|minutes) for 200 rated reviews \(encoder timed on cpu just now\)", note)
    seconds = int(re.search(r"about (\d+)", note).group(1)) * (60 if "minutes" in note else 1)
    assert OVERHEAD_S < seconds < 3600  # 200 short reviews: well under an hour even on a busy machine


def test_estimate_uses_the_cost_the_last_fine_tuning_measured(rated_store):
    con = insight.connect(rated_store)
    job = new_job(con, "sentiment_finetune", {})
    cost = {"device": "cpu", "units": 1000.0, "unit_seconds": 0.2}
    job_store.finish_job(con, job, status="done", message="done", provenance={"cost": cost})
    estimate = estimate_finetune(con, device="cpu", probe=False)
    work = units(200, 250, freeze_layers=FAST["freeze_layers"], epochs=FAST["epochs"])
    assert estimate.seconds == pytest.approx(OVERHEAD_S + work * 0.2)
    assert "measured by the last fine-tuning here on cpu" in estimate.describe()
    # training every layer costs more than the default (the top two layers over two epochs)
    assert units(200, 250, freeze_layers=0, epochs=1.0) > 1.5 * work
    con.close()
