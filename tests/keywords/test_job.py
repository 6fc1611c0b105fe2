"""The keywords job stores keywords per group, trends and bursts as the current run."""

import insight
from insight.jobs.runner import new_job, run_job
from insight.store.keywords import fetch_groups, fetch_keywords
from insight.store.runs import current_run


def test_keywords_job_stores_groups_and_says_what_it_did(analysed_db):
    con = insight.connect(analysed_db)
    run = current_run(con, "keywords")
    assert run["params"]["sentiment_run"] == current_run(con, "sentiment")["run_id"]
    assert set(fetch_groups(con, run["run_id"], "sentiment")[0]["value"]) >= {"negative", "positive"}
    kettle = fetch_keywords(con, run["run_id"], "category", "kitchen")
    assert {"leaking", "kettle"} & set(kettle["keyword"])
    con.close()


def test_item_groups_are_named_by_title_busiest_first_and_found_by_search(con, corpus):
    insight.ingest(corpus, db=con)
    items = con.execute("select item_id, title from items order by item_id").fetchall()
    for mentions, (item_id, _) in enumerate(items, start=1):  # the last item is mentioned most
        con.execute(
            "insert into keyword_scores values ('kw-run', 'item', $item, 'word', 1.0, $n)",
            {"item": item_id, "n": mentions},
        )
    every, total = fetch_groups(con, "kw-run", "item")
    assert total == len(items) and list(every["value"]) == [item for item, _ in reversed(items)]
    assert list(every["label"]) == [title or item for item, title in reversed(items)]
    first, total_again = fetch_groups(con, "kw-run", "item", limit=1)
    assert total_again == total and list(first["value"]) == [items[-1][0]]  # one page, not everything
    item, title = items[0]
    found, matching = fetch_groups(con, "kw-run", "item", search=title.split()[0].upper())  # by title, any case
    assert item in set(found["value"]) and matching == len(found) <= total
    assert fetch_groups(con, "kw-run", "item", search="no such product at all")[1] == 0


def test_keywords_job_without_reviews_fails_with_a_reason(con):
    job = new_job(con, "keywords", {})
    assert run_job(con, job, "keywords", {}) == "failed"
    assert "no review text" in con.execute("select message from jobs").fetchall()[0][0]


def test_keywords_of_all_reviews_are_what_sets_the_shop_apart(analysed_db):
    """Against everyday language, not by frequency: product words lead, stock words and unwritten phrases stay out."""
    con = insight.connect(analysed_db)
    words = fetch_keywords(con, current_run(con, "keywords")["run_id"], "all")["keyword"].tolist()
    con.close()
    assert {"grip", "kettle"} <= set(words) and {"漏水", "杯子漏水"} & set(words), words
    assert not {"week", "disappointed", "love"} & set(words), words
    assert "grip muddy" not in words and "leaks kettle" not in words  # no one wrote these ("grip on muddy")


def test_each_items_complaints_are_precomputed_against_other_items_complaints():
    import pandas as pd

    from insight.keywords.ctfidf import document_term_matrix
    from insight.keywords.job import _complaint_keywords
    from insight.keywords.tokenize import tokenize_many

    rows = [
        ("kettle", "negative", "The lid leaks and the kettle broke, refund please"),
        ("kettle", "negative", "Lid leaks boiling water everywhere, broke in a week"),
        ("kettle", "positive", "Boils fast, lovely kettle"),
        ("shoes", "negative", "Sole came off and they broke, refund please"),
        ("shoes", "negative", "The sole split after a run, broke fast"),
        ("mug", "negative", "Broke once, refund"),  # one complaint only: no complaint keywords for it
    ]
    reviews = pd.DataFrame(rows, columns=["item_id", "sentiment", "text"]).assign(language="en")
    texts, languages = reviews["text"].tolist(), reviews["language"].tolist()
    tokens = tokenize_many(texts, languages, drop_generic=True)
    found = _complaint_keywords(reviews, texts, languages, tokens, document_term_matrix(tokens, min_df=1))
    kettle = found.loc[found["group"] == "kettle", "keyword"].tolist()
    shoes = found.loc[found["group"] == "shoes", "keyword"].tolist()
    assert {"lid", "leaks"} & set(kettle[:3]) and "sole" in shoes[:3]
    assert "boils" not in kettle and set(found["group"]) == {"kettle", "shoes"}
    assert (found["group_kind"] == "complaint").all()
