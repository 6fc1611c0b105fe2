"""The recommend_eval job: a recorded run with the documented table, clear refusals, and a readable trade-off."""

import shutil

import pandas as pd
import pytest

from insight.jobs.runner import new_job, run_job
from insight.recommendations.evaluate import RESULT_COLUMNS
from insight.recommendations.job import default_split_date, evaluate_store, store_model, tradeoff_sentence
from insight.store import connect
from insight.store.jobs import fetch_job
from insight.store.recommend import purchase_span
from insight.store.runs import current_run


@pytest.fixture
def con(segmented_db, tmp_path):
    """A private copy of the segmented demo shop (its items embedded under the segments run's model)."""
    path = tmp_path / "insight.duckdb"
    shutil.copy(segmented_db, path)
    connection = connect(path)
    yield connection
    connection.close()


def _run(con, params: dict) -> tuple[str, dict]:
    job_id = new_job(con, "recommend_eval", params)
    return run_job(con, job_id, "recommend_eval", params), fetch_job(con, job_id)


def test_the_job_records_a_run_with_the_documented_table(con):
    status, job = _run(con, {})
    assert status == "done", job["message"]
    run = current_run(con, "recommend_eval")
    assert run["job_id"] == job["job_id"] and run["run_id"] in str(job["provenance"])
    evaluation = run["params"]
    results = pd.DataFrame(evaluation["results"])
    assert list(results.columns) == RESULT_COLUMNS
    assert list(zip(results["policy"], results["exploration"], strict=True)) == [
        ("insight", 0.0),
        ("insight", 0.1),
        ("insight", 0.2),
        ("insight", 0.4),
        ("popularity", 0.0),
        ("als", 0.0),
    ]
    # the default split leaves the last three months of purchases for testing
    _, last = purchase_span(con)
    assert evaluation["split_date"] == str(default_split_date(con))
    assert 89 <= (pd.Timestamp(last) - pd.Timestamp(evaluation["split_date"])).days <= 93
    # the model is the segments run's: every item vector comes from one encoder
    assert evaluation["model"] == run["model"] == store_model(con) == current_run(con, "segments")["model"]
    assert evaluation["users"] >= 20 and evaluation["k"] == 10 and evaluation["catalogue"] > 150
    assert "precision@10" in job["message"] and f"{evaluation['users']:,} shoppers" in job["message"]
    assert results[["precision", "recall", "coverage"]].apply(lambda c: c.between(0, 1)).all().all()


@pytest.mark.parametrize(
    ("split_date", "reason"),
    [
        ("2031-01-01", "leaves nothing to test on: purchases run from"),
        ("2001-01-01", "leaves nothing to train on: purchases run from"),
    ],
)
def test_a_bad_split_date_fails_with_a_clear_message_and_keeps_the_previous_run(con, split_date, reason):
    evaluate_store(con, k=5, exploration_levels=(0.0, 0.2))
    before = current_run(con, "recommend_eval")["run_id"]
    status, job = _run(con, {"split_date": split_date})
    assert status == "failed"
    assert reason in job["message"] and "Traceback" not in job["message"]
    assert current_run(con, "recommend_eval")["run_id"] == before
    with pytest.raises(ValueError, match=reason):
        evaluate_store(con, split_date=split_date)


def test_a_split_date_that_is_no_date_is_refused_before_the_job_is_queued(con):
    from insight.jobs.runner import new_job
    from insight.jobs.tasks import JobError

    with pytest.raises(JobError, match=r"\[split_date\]: 'next tuesday' is not a date \(YYYY-MM-DD\)"):
        new_job(con, "recommend_eval", {"split_date": "next tuesday"})
    with pytest.raises(ValueError, match="is not a date: write it as YYYY-MM-DD"):  # the library says so too
        evaluate_store(con, split_date="next tuesday")


def test_an_explicit_split_date_and_k_are_recorded(con):
    first, last = purchase_span(con)
    split = (pd.Timestamp(first) + (pd.Timestamp(last) - pd.Timestamp(first)) / 2).date()
    result = evaluate_store(con, split_date=str(split), k=5, exploration_levels=(0.3, 0.0), policy="ucb")
    evaluation = current_run(con, "recommend_eval")["params"]
    assert result["run_id"] == current_run(con, "recommend_eval")["run_id"]
    assert evaluation["split_date"] == str(split) and evaluation["k"] == 5 and evaluation["policy"] == "ucb"
    assert [r["exploration"] for r in evaluation["results"][:2]] == [0.0, 0.3]


def test_the_trade_off_sentence_reads_the_numbers():
    results = pd.DataFrame(
        {
            "policy": ["insight", "insight", "popularity"],
            "exploration": [0.0, 0.4, 0.0],
            "precision": [0.10, 0.075, 0.02],
            "coverage": [0.30, 0.45, 0.01],
            "novelty": [4.0, 4.0, 2.0],
        }
    )
    assert tradeoff_sentence(results, k=10) == (
        "Moving exploration from 0 to 0.4 costs 25 % of precision@10 (0.100 → 0.075) "
        "and buys 50 % more coverage (0.300 → 0.450)."
    )
    assert "buys 0 % more novelty (4.00 → 4.00 bits)" in tradeoff_sentence(results, k=10, axis="novelty")
    assert "Only one exploration level" in tradeoff_sentence(results.iloc[[0, 2]], k=10)
