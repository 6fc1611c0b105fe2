"""The aspects job on a small demo shop, as the Jobs page runs it: clauses, aspects, alerts, edits and ids."""

import shutil

import pytest

import insight
from insight.aspects import product_suggestions
from insight.jobs.runner import new_job, run_job
from insight.store import aspect_views, runs
from insight.store import aspects as aspect_store


def _run(con, **params) -> dict:
    assert run_job(con, new_job(con, "aspects", params), "aspects", params) == "done"
    return runs.current_run(con, "aspects")


@pytest.fixture
def aspected(aspected_db):
    con = insight.connect(aspected_db)
    yield con, runs.current_run(con, "aspects")
    con.close()


def test_every_clause_points_at_its_words_and_a_review_can_praise_one_aspect_and_damn_another(aspected):
    con, run = aspected
    mentions = con.execute(
        """select m.review_id, m.start_char, m.end_char, m.aspect_id, m.label,
                  trim(coalesce(trim(r.title) || ' ', '') || trim(r.text)) as text
             from aspect_mentions m join reviews r using (review_id) where m.run_id = ?""",
        [run["run_id"]],
    ).df()
    assert len(mentions) > run["params"]["reviews"]  # more clauses than reviews
    spans = zip(mentions["start_char"], mentions["end_char"], mentions["text"], strict=True)
    assert all(0 <= s < e <= len(t) for s, e, t in spans)
    placed = mentions[mentions["aspect_id"] >= 0]
    # a clause is on an aspect, or an overall verdict ("Five stars", "推荐购买"); few are left unplaced
    assert len(placed) / len(mentions) > 0.3 and (mentions["aspect_id"] == -1).mean() < 0.15
    feelings = placed.groupby("review_id")["label"].agg(set)
    assert (feelings.map(lambda f: {"positive", "negative"} <= f)).sum() >= 3


def test_aspects_are_named_per_category_and_alerts_come_with_what_a_merchant_needs(aspected):
    con, run = aspected
    aspects = aspect_views.fetch_aspects(con, run["run_id"])
    assert aspects["category"].nunique() >= 3
    assert aspects["label"].str.len().gt(0).all()
    assert not aspects.duplicated(["category", "label"]).any()
    alerts = insight.aspect_alerts(con)
    assert {"item_id", "aspect", "start", "negative_share", "baseline", "reviews"} <= set(alerts.columns)
    assert (alerts["negative_share"] > alerts["baseline"]).all()


def test_suggestions_rank_a_products_complaints_with_quotes_on_the_aspect(aspected):
    con, run = aspected
    worst = aspect_views.fetch_products(con, run["run_id"]).iloc[0]
    ranked = product_suggestions(con, run["run_id"], worst["item_id"])
    assert not ranked.empty
    assert list(ranked["priority"]) == sorted(ranked["priority"], reverse=True)
    for quotes in ranked["quotes"]:
        assert 1 <= len(quotes) <= 3 and all(q["feeling"] == "negative" for q in quotes)
        assert all(q["item_id"] == worst["item_id"] for q in quotes)


def _clauses_of(con, run_id: str, aspect_id: int) -> set[str]:
    rows = con.execute(
        """select distinct substr(trim(coalesce(trim(r.title) || ' ', '') || trim(r.text)), m.start_char + 1,
                                  m.end_char - m.start_char)
             from aspect_mentions m join reviews r using (review_id) where m.run_id = ? and m.aspect_id = ?""",
        [run_id, aspect_id],
    ).fetchall()
    return {r[0] for r in rows}


def test_a_second_run_keeps_ids_and_the_merchants_renames_merges_splits_and_seeds(aspected_db, tmp_path):
    shutil.copy(aspected_db, tmp_path / "edited.duckdb")
    con = insight.connect(tmp_path / "edited.duckdb")
    run = runs.current_run(con, "aspects")
    before = aspect_views.fetch_aspects(con, run["run_id"])
    category = before.groupby("category").size().idxmax()  # the category with most aspects
    own = before[before["category"] == category].sort_values("reviews", ascending=False)
    renamed, merged, into, parent = (int(a) for a in own["aspect_id"].iloc[:4])
    parent_clauses = sorted(_clauses_of(con, run["run_id"], parent))
    aspect_store.insert_edit(con, kind="rename", category=category, aspect_id=renamed, label="what we call it")
    aspect_store.insert_edit(
        con, kind="split", category=category, aspect_id=parent, label="carved out", phrases=parent_clauses[:2]
    )
    aspect_store.insert_edit(con, kind="merge", category=category, aspect_id=merged, into_id=into)
    aspect_store.insert_edit(
        con, kind="seed", category=category, label="delivery", phrases=["delivery", "shipping", "物流", "entrega"]
    )
    again = _run(con)
    after = aspect_views.fetch_aspects(con, again["run_id"])
    ours = after[after["category"] == category].set_index("aspect_id")
    assert ours.loc[renamed, "label"] == "what we call it"
    assert merged not in ours.index and into in ours.index
    seeded = ours[ours["seeded"]]
    assert sorted(seeded["label"]) == ["carved out", "delivery"]
    # a split takes its clauses from the aspect it was made on, and only from there
    carved = int(seeded.index[seeded["label"] == "carved out"][0])
    taken = _clauses_of(con, again["run_id"], carved)
    assert set(parent_clauses[:2]) & taken and taken <= set(parent_clauses)
    # the untouched aspects of the other categories keep their ids and names
    others = before[before["category"] != category].set_index("aspect_id")["label"]
    kept = after[after["category"] != category].set_index("aspect_id")["label"]
    assert len(set(others.index) & set(kept.index)) >= 0.8 * len(others)
    # a third run keeps the seeded aspect's id
    third = aspect_views.fetch_aspects(con, _run(con)["run_id"])
    assert set(third.loc[third["seeded"], "aspect_id"]) == set(seeded.index)
    con.close()


def test_the_cli_runs_the_job_and_a_shop_with_too_few_reviews_gets_one_clear_line(
    aspected_db, tmp_path, corpus, capsys
):
    from insight.cli import main

    db = tmp_path / "cli.duckdb"
    shutil.copy(aspected_db, db)
    assert main(["aspects", "--min-change", "0.2", "--db", str(db)]) == 0
    assert "clauses of" in capsys.readouterr().out
    con = insight.connect(db)
    assert runs.current_run(con, "aspects")["params"]["min_change"] == 0.2
    con.close()
    small = tmp_path / "small.duckdb"
    assert main(["ingest", str(corpus), "--db", str(small)]) == 0
    capsys.readouterr()
    assert main(["aspects", "--db", str(small)]) == 1
    assert "at least 20 reviews" in capsys.readouterr().out
