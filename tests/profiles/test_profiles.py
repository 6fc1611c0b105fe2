"""Interest profiles show what users are into now, where their interests moved, and who is cold."""

import numpy as np
import pandas as pd
import pytest

import insight
from insight.demo.generate import planted_truth, write_demo_files
from insight.ingestion.pseudonymise import pseudonymise
from insight.jobs.runner import new_job, run_job
from insight.profiles import build_profiles
from insight.store.profiles import fetch_touches

MODEL = "all-MiniLM-L6-v2"


@pytest.fixture(scope="module")
def small_shop(tmp_path_factory):
    """A 150-user demo shop, ingested and encoded, with its answer key."""
    folder = tmp_path_factory.mktemp("shop")
    write_demo_files(folder / "files", n_users=150)
    con = insight.connect(folder / "store.duckdb")
    insight.ingest(folder / "files", db=con)
    params = {"model": MODEL, "device": "cpu"}
    assert run_job(con, new_job(con, "encode", params), "encode", params) == "done"
    touches, vectors = fetch_touches(con, MODEL)
    truth = planted_truth(n_users=150)
    key = b"test-key"  # conftest sets INSIGHT_PSEUDONYM_KEY
    parents = set(pseudonymise(pd.Series(truth["new_parents"]["users"]), key))
    yield con, touches, vectors, parents
    con.close()


def _centroid(con, vectors_of, category):
    titles = [
        r[0]
        for r in con.execute(
            "select trim(concat_ws(' ', title, description)) from items where category = $c", {"c": category}
        ).fetchall()
    ]
    vector = insight.encode_texts(titles, model=MODEL).mean(axis=0)
    return vector / np.linalg.norm(vector)


def test_new_parents_profiles_lean_to_baby_products_now(small_shop):
    con, touches, vectors, parents = small_shop
    profiles = build_profiles(touches, vectors, text_index=touches["text_index"], half_life_days=60)
    assert profiles.vectors.shape == (len(profiles.users), 384)
    assert np.allclose(np.linalg.norm(profiles.vectors, axis=1), 1, atol=1e-4)
    baby, gaming = _centroid(con, vectors, "Baby & Kids"), _centroid(con, vectors, "Gaming")
    is_parent = profiles.users["user_id"].isin(parents).to_numpy()
    lean = profiles.vectors @ baby - profiles.vectors @ gaming
    assert is_parent.sum() >= 10 and lean[is_parent].mean() > 0 > lean[~is_parent].mean() - 0.2
    assert (lean[is_parent] > 0).mean() > 0.8


def test_interest_drift_is_highest_when_the_interest_shift_happens(small_shop):
    _, touches, vectors, parents = small_shop
    periods = build_profiles(touches, vectors, text_index=touches["text_index"]).periods
    parent_rows = periods[periods["user_id"].isin(parents)]
    around_shift = parent_rows[parent_rows["period"].between("2026-05-01", "2026-06-01")]["drift"].mean()
    elsewhere = periods[~periods["user_id"].isin(parents)]["drift"].mean()
    assert around_shift > elsewhere + 0.1


def test_broad_users_get_several_interest_centres_and_weights_sum_to_one(small_shop):
    _, touches, vectors, _ = small_shop
    profiles = build_profiles(touches, vectors, text_index=touches["text_index"], max_interests=3)
    counts = profiles.interests.groupby("user_id").size()
    assert counts.max() <= 3 and (counts >= 2).mean() > 0.5
    assert np.allclose(profiles.interests.groupby("user_id")["weight"].sum(), 1)
    assert len(profiles.interest_vectors) == len(profiles.interests)


def test_users_with_little_behaviour_are_marked_cold_start():
    touches = pd.DataFrame(
        {
            "user_id": ["a"] * 5 + ["b", "b"],
            "ts": pd.to_datetime(["2026-01-01"] * 7),
            "kind": ["view", "view", "cart", "purchase", "view", "search", "review"],
            "text": list("pqrstuv"),
        }
    )
    vectors = np.eye(7, 384, dtype=np.float32)
    users = build_profiles(touches, vectors).users.set_index("user_id")
    assert not users.loc["a", "cold_start"] and users.loc["b", "cold_start"]
    assert users.loc["b", "touches"] == 2  # profile from the search and the review alone


def test_a_review_tells_what_was_bought_when_no_purchase_was_logged(tmp_path):
    """A shop that sends reviews without purchase events: the reviewed item still shapes the profile, once."""
    files = tmp_path / "files"
    files.mkdir()
    pd.DataFrame(
        {
            "item_id": ["s1", "b1"],
            "title": ["Anti-dandruff shampoo", "Children's picture book"],
            "category": ["Hair", "Books"],
        }
    ).to_csv(files / "items.csv", index=False)
    pd.DataFrame(
        {
            "review_id": ["r1", "r2"],
            "user_id": ["ann", "bob"],
            "item_id": ["s1", "b1"],
            "text": ["Fast delivery, well packed.", "Fast delivery, well packed!"],
            "timestamp": ["2026-05-01", "2026-05-02"],
        }
    ).to_csv(files / "reviews.csv", index=False)
    pd.DataFrame(
        {"user_id": ["bob"], "item_id": ["b1"], "event_type": ["purchase"], "timestamp": ["2026-04-28"]}
    ).to_csv(files / "events.csv", index=False)
    con = insight.connect(tmp_path / "store.duckdb")
    insight.ingest(files, db=con)
    params = {"model": MODEL, "device": "cpu"}
    assert run_job(con, new_job(con, "encode", params), "encode", params) == "done"
    touches, _ = fetch_touches(con, MODEL)
    touched = sorted(tuple(sorted(texts)) for texts in touches.groupby("user_id")["text"].apply(list))
    assert touched == [
        ("Anti-dandruff shampoo", "Fast delivery, well packed."),  # no purchase logged: the review brings the item
        ("Children's picture book", "Fast delivery, well packed!"),  # the logged purchase, not counted twice
    ]
    con.close()


def test_monthly_profiles_are_the_same_whatever_slice_they_are_computed_in(small_shop):
    # A big shop's monthly profiles are computed a slice of users at a time; a slice never splits a user,
    # so each month's profile, and the drift between a user's months, do not depend on the slice size.
    _, touches, vectors, _ = small_shop
    profiles = build_profiles(touches, vectors, text_index=touches["text_index"])
    whole = np.vstack([matrix for _, matrix in profiles.months.slices()])
    pieces = list(profiles.months.slices(months=5))
    assert len(pieces) > 10 and np.allclose(np.vstack([m for _, m in pieces]), whole, atol=1e-6)
    assert len(whole) == len(profiles.periods)
    users = profiles.periods["user_id"].to_numpy()
    for start, _ in pieces:
        assert start == 0 or users[start] != users[start - 1]  # each slice starts with a new user
    same = np.r_[False, users[1:] == users[:-1]]
    expected = np.where(same, np.r_[np.nan, 1 - (whole[1:] * whole[:-1]).sum(axis=1)], np.nan)
    assert np.allclose(profiles.periods["drift"].to_numpy(), expected, equal_nan=True, atol=1e-6)
    # the segments job reads each month through its length and its products with a few directions
    sums = np.vstack([m for _, m in profiles.months.slices(months=5, normalised=False)])
    directions = np.random.default_rng(0).normal(size=(4, vectors.shape[1]))
    assert np.allclose(profiles.months.lengths, np.linalg.norm(sums, axis=1), rtol=1e-5)
    assert np.allclose(profiles.months.products(directions), sums @ directions.T, rtol=1e-4, atol=1e-4)
