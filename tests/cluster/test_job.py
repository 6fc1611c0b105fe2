"""The segments job profiles every user, names segments, keeps their ids across runs and never half-writes."""

import shutil

import numpy as np
import pandas as pd
import pytest

import insight
from insight.jobs.runner import new_job, run_job
from insight.store import runs
from insight.store import segments as segments_db
from insight.store import targeting as targeting_db
from insight.targeting import save_selection


@pytest.fixture
def store(segmented_db, tmp_path):
    """A private copy of the segmented shop, so a test may add runs."""
    path = tmp_path / "store.duckdb"
    shutil.copy(segmented_db, path)
    con = insight.connect(path)
    yield con
    con.close()


def test_every_user_with_behaviour_is_profiled_and_placed(store):
    run = runs.current_run(store, "segments")
    members = segments_db.fetch_members(store, run["run_id"])
    users_with_events = store.execute("select count(distinct user_id) from events").fetchall()[0][0]
    assert len(members) == users_with_events == run["params"]["users"]
    assert members["keywords"].str.len().gt(0).mean() > 0.95  # interest keywords for (almost) everyone
    assert (members["segment_id"] == -1).mean() <= run["params"]["outlier_budget"] + 1e-9
    assert members[["x", "y"]].notna().all().all()


def test_segments_are_named_by_what_their_members_touch(store):
    run = runs.current_run(store, "segments")
    cards = segments_db.fetch_segments(store, run["run_id"])
    assert len(cards) >= 3 and cards["size"].sum() > 0
    assert cards["label"].str.len().gt(0).all() and cards["keywords"].str.count(",").ge(3).all()
    members = segments_db.fetch_members(store, run["run_id"])
    # a segment's top category is one its members touch far more than the shop as a whole does
    lift = []
    for row in cards.itertuples():
        category = row.categories.split(", ")[0]
        users = members.loc[members["segment_id"] == row.segment_id, "user_id"].tolist()
        inside, overall = store.execute(
            """select avg((i.category = $cat)::int) filter (where e.user_id in (select unnest($users::varchar[]))),
                      avg((i.category = $cat)::int)
               from events e join items i using (item_id)""",
            {"cat": category, "users": users},
        ).fetchall()[0]
        lift.append(inside / overall)
    assert np.median(lift) > 2.5 and cards["categories"].str.split(", ").str[0].nunique() >= 4


def test_monthly_history_gives_shares_that_add_up(store):
    run_id = runs.current_run(store, "segments")["run_id"]
    shares = segments_db.fetch_segment_shares(store, run_id, grain="quarter")
    assert shares.groupby("period")["share"].sum().between(0.999, 1.001).all()
    periods = segments_db.fetch_periods(store, run_id, grain="quarter")
    flows = segments_db.fetch_transitions(store, run_id, grain="quarter", source=periods[0], target=periods[-1])
    assert flows["users"].sum() > 0 and (flows["source"] != flows["target"]).any()


def test_a_rerun_keeps_every_segment_id(store):
    first = runs.current_run(store, "segments")
    params = {"model": "all-MiniLM-L6-v2", "device": "cpu", "min_cluster_size": 8}
    assert run_job(store, new_job(store, "segments", params), "segments", params) == "done"
    second = runs.current_run(store, "segments")
    assert second["run_id"] != first["run_id"] and second["params"]["previous_run"] == first["run_id"]
    before = segments_db.fetch_members(store, first["run_id"]).set_index("user_id")["segment_id"]
    after = segments_db.fetch_members(store, second["run_id"]).set_index("user_id")["segment_id"]
    assert (before == after.loc[before.index]).all()
    events = segments_db.fetch_segment_events(store, second["run_id"])
    assert set(events["kind"]) == {"kept"} and len(events) == first["params"]["segments"]


def test_a_failed_run_leaves_the_previous_segments_current(store, monkeypatch):
    from insight.cluster import grouping
    from insight.jobs.tasks import JobError

    before = runs.current_run(store, "segments")["run_id"]
    with pytest.raises(JobError, match=r"\[half_life_days\]: -1 is below"):  # refused before it is queued
        new_job(store, "segments", {"half_life_days": -1})

    def clustering_breaks(*args, **kwargs):
        raise MemoryError("out of memory while clustering")

    monkeypatch.setattr(grouping, "segment_vectors", clustering_breaks)
    params = {"model": "all-MiniLM-L6-v2", "device": "cpu"}  # the store's vectors: it fails at clustering, not before
    job_id = new_job(store, "segments", params)
    assert run_job(store, job_id, "segments", params) == "failed"
    message = store.execute("select message from jobs where job_id = $j", {"j": job_id}).fetchall()[0][0]
    assert "out of memory while clustering" in message
    assert runs.current_run(store, "segments")["run_id"] == before


def test_a_saved_audience_lists_exactly_the_selected_users(store):
    run_id = runs.current_run(store, "segments")["run_id"]
    members = segments_db.fetch_members(store, run_id)
    chosen = members.sample(17, random_state=1)["user_id"].tolist()
    audience_id = save_selection(store, "picked", chosen, {"kind": "selection", "segments_run": run_id})
    assert targeting_db.fetch_audience_users(store, [audience_id]) == sorted(chosen)
    listed = targeting_db.fetch_saved(store)
    assert listed.loc[listed["audience_id"] == audience_id, "users"].item() == 17
    with pytest.raises(ValueError, match="name"):
        save_selection(store, "  ", chosen, {})


def test_user_profiles_api_gives_one_row_per_user(store):
    frame = insight.user_profiles(store)
    assert frame["user_id"].is_unique and len(frame) > 100
    assert {"user_id", "segment_id", "segment", "keywords", "drift", "cold_start"} <= set(frame.columns)
    assert pd.api.types.is_float_dtype(frame["drift"]) and np.isfinite(frame["drift"].dropna()).all()
