"""Sentiment scores per run, and the versioned heads they were computed with."""

from __future__ import annotations

import json

import duckdb
import pandas as pd

from insight.filters import Filters
from insight.store.fragments import REVIEWS, review_text


def insert_scores(con: duckdb.DuckDBPyConnection, run_id: str, scores: pd.DataFrame) -> int:
    """Store one row per review for a run."""
    frame = scores[["review_id", "label", "score", "p_negative", "p_neutral", "p_positive", "method"]].assign(
        run_id=run_id
    )
    con.register("incoming_scores", frame)
    try:
        return con.execute(
            """insert into sentiment_scores (run_id, review_id, label, score, p_negative, p_neutral, p_positive, method)
               select run_id, review_id, label, score, p_negative, p_neutral, p_positive, method
               from incoming_scores"""
        ).fetchall()[0][0]
    finally:
        con.unregister("incoming_scores")


def insert_model(
    con: duckdb.DuckDBPyConnection, *, version: str, encoder: str, head: bytes, trained_on: dict, metrics: dict
) -> None:
    """Store a fitted head under its version."""
    con.execute(
        "insert into sentiment_models values ($version, $encoder, now(), $trained, $metrics, $head)",
        {
            "version": version,
            "encoder": encoder,
            "trained": json.dumps(trained_on),
            "metrics": json.dumps(metrics),
            "head": head,
        },
    ).fetchall()


SCORED = f"""select r.*, s.label as sentiment, s.score, s.method, i.title as item_title, i.category
             from ({REVIEWS}) r
             join sentiment_scores s on s.review_id = r.review_id and s.run_id = $run
             left join items i using (item_id)"""


def fetch_scored_reviews(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    filters: Filters = Filters(),
    *,
    sentiment: str | None = None,
    item_id: str | None = None,
    category: str | None = None,
    keyword: str | None = None,
    limit: int = 200,
) -> pd.DataFrame:
    """Reviews with their sentiment, most negative first, narrowed by the drill-down choices."""
    return con.execute(
        f"""select review_id, ts, language, rating, sentiment, round(score, 3) as score, item_title, category,
                   title, text
            from ({SCORED})
            where ($sentiment is null or sentiment = $sentiment) and ($item is null or item_id = $item)
              and ($category is null or category = $category)
              and ($keyword is null or contains(lower(coalesce(title, '') || ' ' || text), lower($keyword)))
            order by score, ts desc limit $limit""",
        {
            **filters.params(),
            "run": run_id,
            "sentiment": sentiment,
            "item": item_id,
            "category": category,
            "keyword": keyword,
            "limit": limit,
        },
    ).df()


def fetch_sentiment_summary(
    con: duckdb.DuckDBPyConnection, run_id: str, filters: Filters = Filters(), *, by: str, top: int | None = None
) -> pd.DataFrame:
    """Review counts per sentiment label by a dimension: period (month), category, language, rating or item.

    With ``top``, only the ``top`` values with the most reviews keep their own rows; the others are summed
    into one "other N categories" value (``is_other`` true), so a shop with 2,500 categories gets a chart
    that can be read and counts that still add up to every review. A single value past ``top`` keeps its
    own row ("other 1 categories" would name one category less clearly than its name).
    """
    dimension = {
        "month": "date_trunc('month', ts)",
        "category": "coalesce(category, '(none)')",
        "language": "coalesce(language, 'unknown')",
        "rating": "coalesce(cast(rating as varchar), 'none')",
        "item": "coalesce(item_title, item_id)",
    }[by]  # allow-list: the dimension is never user text
    params = {**filters.params(), "run": run_id, "by": by}
    if top is None:
        return con.execute(
            f"""select {dimension} as {by}, sentiment, count(*) as reviews, round(avg(score), 3) as mean_score,
                       false as is_other
                from ({SCORED}) where ($by != 'month' or ts is not null)
                group by all order by 1""",
            params,
        ).df()
    plural = {"category": "categories", "item": "items"}.get(by, f"{by}s")
    return con.execute(
        f"""with counted as (select {dimension}::varchar as value, sentiment, count(*) as n, sum(score) as score_sum
                               from ({SCORED}) where ($by != 'month' or ts is not null) group by all),
                 ranked as (select value, row_number() over (order by sum(n) desc, value) as place,
                                   count(*) over () as values
                              from counted group by value),
                 labelled as (select c.*, r.place > $top and r.values > $top + 1 as is_other, r.values from counted c
                              join ranked r on r.value is not distinct from c.value)
            select case when is_other then 'other ' || format('{{:,}}', values - $top) || ' ' || $plural
                        else value end as {by},
                   sentiment, sum(n)::bigint as reviews, round(sum(score_sum) / sum(n), 3) as mean_score, is_other
              from labelled group by all order by is_other, 1""",
        {**params, "top": int(top), "plural": plural},
    ).df()


def fetch_most_negative_items(
    con: duckdb.DuckDBPyConnection, run_id: str, filters: Filters = Filters(), *, min_reviews: int = 5, limit: int = 15
) -> pd.DataFrame:
    """Items with the largest share of negative reviews (among items with enough reviews)."""
    return con.execute(
        f"""select item_id, any_value(coalesce(item_title, item_id)) as item, any_value(category) as category,
                   count(*) as reviews, round(avg((sentiment = 'negative')::int), 3) as negative_share,
                   round(avg(score), 3) as mean_score, round(avg(rating), 2) as mean_rating
            from ({SCORED}) where item_id is not null
            group by item_id having count(*) >= $min
            order by negative_share desc, mean_score limit $limit""",
        {**filters.params(), "run": run_id, "min": min_reviews, "limit": limit},
    ).df()


def fetch_review_texts(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every review with text: review_id and the text as encoded (title and body)."""
    return con.execute(f"select review_id, {review_text()} as text from reviews where text is not null").df()


def count_review_texts(con: duckdb.DuckDBPyConnection) -> dict:
    """Reviews with text, and how many of them carry a rating or a shipped label (the fine-tuning data)."""
    total, rated = con.execute(
        """select count(*), count(*) filter (where rating is not null or label is not null)
           from reviews where text is not null"""
    ).fetchall()[0]
    return {"with_text": int(total), "rated": int(rated)}
