"""`insight recommend` and `insight evaluate-recs`: lists with reasons, the results table, one-line errors."""

import re
import shutil

import pytest

from insight.cli import main


@pytest.fixture
def db(segmented_db, tmp_path) -> str:
    """A private copy of the segmented demo shop."""
    path = tmp_path / "insight.duckdb"
    shutil.copy(segmented_db, path)
    return str(path)


@pytest.fixture(scope="module")
def shopper(segmented_db) -> str:
    """The shopper with the most touches."""
    import insight

    con = insight.connect(segmented_db)
    profiles = insight.user_profiles(con)
    con.close()
    return profiles.sort_values("touches").iloc[-1]["user_id"]


def _picks(out: str) -> list[tuple[str, str, str]]:
    """(kind, title, reason) of each printed item."""
    return re.findall(r"^\s+\d+\. \[(\w+)\] (.+)\n\s+why: (.+)$", out, re.M)


def test_recommend_prints_the_list_with_reasons_and_explores_on_request(db, shopper, capsys):
    assert main(["recommend", shopper, "--k", "6", "--exploration", "0", "--db", db]) == 0
    picks = _picks(capsys.readouterr().out)
    assert len(picks) == 6 and {kind for kind, _, _ in picks} == {"exploit"}
    assert all(reason for _, _, reason in picks)
    assert main(["recommend", shopper, "--k", "6", "--exploration", "0.5", "--db", db]) == 0
    explored = [reason for kind, _, reason in _picks(capsys.readouterr().out) if kind == "explore"]
    assert explored and all(reason.startswith("exploring") for reason in explored)


def test_recommend_serves_a_new_visitor_from_text_or_best_sellers(db, capsys):
    assert main(["recommend", "u_newcomer", "--k", "4", "--text", "espresso coffee", "--db", db]) == 0
    picks = _picks(capsys.readouterr().out)
    assert any(reason.startswith("matches “espresso coffee” (similarity") for _, _, reason in picks)
    assert main(["recommend", "u_newcomer", "--k", "4", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "no history to learn from" in out and {kind for kind, _, _ in _picks(out)} == {"popular"}


def test_recommend_on_an_unencoded_store_says_what_to_run(tmp_path, corpus, capsys):
    import insight

    db = tmp_path / "store.duckdb"
    insight.ingest(corpus, db=db)
    assert main(["recommend", "anyone", "--db", str(db)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error:") and "run the encode job first" in err and len(err.splitlines()) == 1


def test_evaluate_recs_prints_the_results_table(db, capsys):
    assert main(["evaluate-recs", "--k", "5", "--db", db]) == 0
    out = capsys.readouterr().out
    assert ": done — " in out
    columns = ["policy", "exploration", "precision", "recall", "ndcg", "coverage", "novelty", "diversity"]
    assert any(line.split() == columns for line in out.splitlines())
    rows = [line.split()[0] for line in out.splitlines() if re.match(r"\s*(insight|popularity|als)\s+\d", line)]
    assert rows == ["insight"] * 4 + ["popularity", "als"]
    assert "Moving exploration from 0 to 0.4" in out and "precision@5" in out


def test_evaluate_recs_with_a_split_date_outside_the_data_fails(db, capsys):
    assert main(["evaluate-recs", "--split-date", "2031-01-01", "--db", db]) == 1
    out = capsys.readouterr().out
    assert "failed" in out and "leaves nothing to test on" in out
