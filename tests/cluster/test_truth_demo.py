"""The demo shop with every default, against its answer key: interests and segments follow what users are into.

A 150-user demo is encoded and segmented as the Jobs page does with nothing changed (the real
multilingual model), and compared with each user's planted language and favourite category, so the
figures of the truth bench (bench/truth_interest.py, on 600 users) cannot slide back unnoticed.
"""

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import normalized_mutual_info_score as nmi

import insight
from insight.demo.generate import planted_truth, write_demo_files
from insight.ingestion.pseudonymise import pseudonym
from insight.jobs.runner import new_job, run_job
from insight.profiles.match import DEFAULT_STRENGTH
from insight.targeting import interest_matches, load_index

USERS = 150
RUNNING = ["Running & Fitness", "Outdoor & Camping"]


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    """The store, its interest index, each profiled user's answer key and segment."""
    folder = tmp_path_factory.mktemp("truth")
    write_demo_files(folder / "files", n_users=USERS)
    con = insight.connect(folder / "store.duckdb")
    insight.ingest(folder / "files", db=con)
    for kind in ("encode", "segments"):  # as the Jobs page starts them, every parameter left alone
        assert run_job(con, new_job(con, kind, {}), kind, {}) == "done"
    index = load_index(con)
    key = b"test-key"  # conftest sets INSIGHT_PSEUDONYM_KEY
    people = pd.DataFrame(
        [
            {
                "user_id": pseudonym(raw, key),
                "language": p["language"],
                "favourite": max(p["interests"], key=p["interests"].get),
            }
            for raw, p in planted_truth(n_users=USERS)["people"].items()
        ]
    ).set_index("user_id")
    members = con.execute("select user_id, segment_id from segment_members where run_id = $r", {"r": index.run_id}).df()
    people = people.reindex(index.users).assign(segment=members.set_index("user_id")["segment_id"].reindex(index.users))
    yield con, index, people
    con.close()


def test_every_text_lives_in_one_multilingual_space(shop):
    con, index, _ = shop
    assert dict(con.execute("select model, count(*) > 0 from embeddings group by model").fetchall()) == {
        "multilingual-e5-small": True
    }
    assert index.model == "multilingual-e5-small" and set(index.space.counts) >= {"en", "zh"}


def test_segments_follow_interests_not_the_language_users_write(shop):
    _, _, people = shop
    assert nmi(people["language"], people["segment"]) <= 0.15
    assert nmi(people["favourite"], people["segment"]) > 3 * nmi(people["language"], people["segment"])


def test_trail_running_shoes_reaches_the_runners_and_跑鞋_largely_the_same_people(shop):
    _, index, people = shop
    runners = people["favourite"].isin(RUNNING)
    english = interest_matches(index, "trail running shoes", DEFAULT_STRENGTH)["user_id"]
    chinese = interest_matches(index, "跑鞋", DEFAULT_STRENGTH)["user_id"]
    assert 0.05 < len(english) / USERS < 0.5 and 0.05 < len(chinese) / USERS < 0.5  # not everyone, not no one
    assert runners[english].mean() >= 0.8
    assert len(set(english) & set(chinese)) >= 0.6 * min(len(english), len(chinese))
    assert {"en", "zh"} <= set(people.loc[english, "language"])  # an English query finds Chinese runners too
    everyone = interest_matches(index, "trail running shoes")
    assert np.all(np.diff(everyone["strength"].to_numpy()) <= 0) and len(everyone) == USERS
