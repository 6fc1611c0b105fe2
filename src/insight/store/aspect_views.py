"""The aggregates behind the Aspects page, and the quotes behind any of them.

Aspect sentiment by product, category, segment and period, and a product's complaints against its peers.

A review counts once per aspect: it is *negative* on an aspect when any of its clauses on that aspect
reads negative. Every function takes the aspects run id; the grain of a period is one of a fixed set.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from insight.store.fragments import current_run, review_text

_SEGMENTS = current_run("segments")
GRAINS = ("week", "month", "quarter")
# One row per review and aspect of the run: whether any clause of it on the aspect was negative / positive.
_PER_REVIEW = """
    select m.review_id, m.aspect_id,
           bool_or(m.label = 'negative') as negative, bool_or(m.label = 'positive') as positive
      from aspect_mentions m where m.run_id = $run and m.aspect_id >= 0 group by m.review_id, m.aspect_id
"""


def _grain(grain: str) -> str:
    if grain not in GRAINS:
        raise ValueError(f"grain must be one of {', '.join(GRAINS)}, not {grain!r}")
    return grain


def fetch_aspects(con: duckdb.DuckDBPyConnection, run_id: str, category: str | None = None) -> pd.DataFrame:
    """Aspects of a run (one category, or all), biggest first.

    Columns: aspect_id, category, label, keywords, words, seeded, reviews (mentioning it), negative
    (share of those reading negative), positive, products.
    """
    return con.execute(
        f"""with per as ({_PER_REVIEW})
            select a.aspect_id, a.category, a.label, a.keywords, a.words, a.seeded,
                   count(p.review_id) as reviews, avg(p.negative::int) as negative, avg(p.positive::int) as positive,
                   count(distinct r.item_id) as products
              from aspects a
              left join per p on p.aspect_id = a.aspect_id
              left join reviews r on r.review_id = p.review_id
             where a.run_id = $run and ($category is null or a.category = $category)
             group by all order by a.category, reviews desc, a.aspect_id""",
        {"run": run_id, "category": category},
    ).df()


def fetch_periods(con: duckdb.DuckDBPyConnection, run_id: str, category: str, grain: str = "month") -> pd.DataFrame:
    """Per aspect of a category and period: reviews mentioning it, negative ones and their share."""
    return con.execute(
        f"""with per as ({_PER_REVIEW})
            select p.aspect_id, date_trunc('{_grain(grain)}', r.ts)::date as period,
                   count(*) as reviews, sum(p.negative::int) as negatives, avg(p.negative::int) as negative
              from per p join reviews r using (review_id)
              join aspects a on a.run_id = $run and a.aspect_id = p.aspect_id
             where a.category = $category and r.ts is not null
             group by all order by period, p.aspect_id""",
        {"run": run_id, "category": category},
    ).df()


def fetch_segments(con: duckdb.DuckDBPyConnection, run_id: str, category: str) -> pd.DataFrame:
    """Per aspect of a category and user segment (current segments run): reviews, negatives, negative share."""
    return con.execute(
        f"""with per as ({_PER_REVIEW})
            select p.aspect_id, s.segment_id, s.label as segment,
                   count(*) as reviews, sum(p.negative::int) as negatives, avg(p.negative::int) as negative
              from per p join reviews r using (review_id)
              join aspects a on a.run_id = $run and a.aspect_id = p.aspect_id
              join segment_members sm on sm.run_id = {_SEGMENTS} and sm.user_id = r.user_id
              join segments s on s.run_id = sm.run_id and s.segment_id = sm.segment_id
             where a.category = $category
             group by all order by p.aspect_id, reviews desc""",
        {"run": run_id, "category": category},
    ).df()


def fetch_series(
    con: duckdb.DuckDBPyConnection, run_id: str, item_id: str, aspect_id: int, grain: str = "week"
) -> pd.DataFrame:
    """One product's reviews per period and how many were negative on one aspect (for an alert's chart)."""
    return con.execute(
        f"""with per as ({_PER_REVIEW})
            select date_trunc('{_grain(grain)}', r.ts)::date as period, count(*) as reviews,
                   coalesce(sum((p.negative and p.aspect_id = $aspect)::int), 0) as negatives
              from reviews r left join per p on p.review_id = r.review_id and p.aspect_id = $aspect
             where r.item_id = $item and r.ts is not null and r.text is not null
             group by all order by period""",
        {"run": run_id, "item": item_id, "aspect": aspect_id},
    ).df()


def fetch_products(con: duckdb.DuckDBPyConnection, run_id: str) -> pd.DataFrame:
    """Products whose reviews have aspect clauses: item_id, title, category, reviews, complaining reviews."""
    return con.execute(
        f"""with per as ({_PER_REVIEW})
            select r.item_id, any_value(i.title) as title, any_value(i.category) as category,
                   count(distinct r.review_id) as reviews,
                   count(distinct case when p.negative then r.review_id end) as complaining
              from per p join reviews r using (review_id) left join items i using (item_id)
             group by r.item_id order by complaining desc, reviews desc, r.item_id""",
        {"run": run_id},
    ).df()


def fetch_item_aspects(con: duckdb.DuckDBPyConnection, run_id: str, item_id: str) -> pd.DataFrame:
    """Each aspect a product's reviews mention, with what a product team weighs.

    Mentions, negatives, buyers who complained, the share of its reviews complaining
    recently and earlier (last 90 days of its reviews against before), mean stars with and without the complaint,
    and the negative share of the category's other products that are reviewed on the aspect.
    """
    return con.execute(
        f"""with per as ({_PER_REVIEW}),
            own as (select r.review_id, r.user_id, r.rating, r.ts from reviews r where r.item_id = $item
                    and r.text is not null),
            last as (select max(ts) as last_ts from own),
            split as (select count(*) filter (where o.ts >= last.last_ts - interval 90 day) as recent_reviews,
                             count(*) filter (where o.ts < last.last_ts - interval 90 day) as earlier_reviews
                        from own o, last),
            mine as (
                select p.aspect_id, count(*) as mentions, sum(p.negative::int) as negatives,
                       count(distinct case when p.negative then o.user_id end) as buyers,
                       sum(case when p.negative and o.ts >= last.last_ts - interval 90 day then 1 else 0 end)
                           / nullif(any_value(split.recent_reviews), 0) as recent,
                       sum(case when p.negative and o.ts < last.last_ts - interval 90 day then 1 else 0 end)
                           / nullif(any_value(split.earlier_reviews), 0) as earlier,
                       avg(case when p.negative then o.rating end) as rating_with
                  from per p join own o using (review_id), last, split group by p.aspect_id),
            peers as (
                select p.aspect_id, avg(p.negative::int) as peer_negative, count(distinct r.item_id) as peer_products
                  from per p join reviews r using (review_id) where r.item_id <> $item group by p.aspect_id)
            select a.aspect_id, a.label as aspect, mine.mentions, mine.negatives, mine.buyers,
                   (select count(*) from own) as reviews, mine.recent, mine.earlier, mine.rating_with,
                   (select avg(o.rating) from own o where o.review_id not in
                        (select review_id from per where aspect_id = a.aspect_id and negative)) as rating_without,
                   peers.peer_negative, peers.peer_products
              from mine join aspects a on a.run_id = $run and a.aspect_id = mine.aspect_id
              left join peers on peers.aspect_id = mine.aspect_id
             order by mine.negatives desc, a.aspect_id""",
        {"run": run_id, "item": item_id},
    ).df()


def fetch_item_segments(con: duckdb.DuckDBPyConnection, run_id: str, item_id: str) -> pd.DataFrame:
    """Per aspect of a product and user segment (current segments run): its reviews, and how many complain."""
    return con.execute(
        f"""with per as ({_PER_REVIEW})
            select a.aspect_id, s.label as segment, count(distinct r.review_id) as reviews,
                   count(distinct case when p.negative then r.review_id end) as negatives
              from reviews r
              join segment_members sm on sm.run_id = {_SEGMENTS} and sm.user_id = r.user_id
              join segments s on s.run_id = sm.run_id and s.segment_id = sm.segment_id
              join items i on i.item_id = r.item_id
              join aspects a on a.run_id = $run and a.category = coalesce(i.category, '(no category)')
              left join per p on p.review_id = r.review_id and p.aspect_id = a.aspect_id
             where r.item_id = $item and r.text is not null
             group by all order by a.aspect_id, reviews desc""",
        {"run": run_id, "item": item_id},
    ).df()


def fetch_quotes(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    aspect_id: int,
    *,
    item_id: str | None = None,
    feeling: str | None = None,
    since: str | None = None,
    period: str | None = None,
    grain: str = "month",
    segment_id: int | None = None,
    limit: int = 20,
) -> pd.DataFrame:
    """Reviews behind a cell, each with the clause on the aspect to highlight.

    Columns: review_id, text (the review as shown), start_char, end_char (the clause in it), feeling
    (the clause's), score, rating, ts, item_id, title. Most negative clauses first when ``feeling`` is
    negative, else newest first; ``since`` (a date) and ``period`` (a period start of ``grain``) narrow it.
    """
    return con.execute(
        f"""select m.review_id, {review_text("r")} as text, m.start_char, m.end_char, m.label as feeling, m.score,
                   r.rating, r.ts, r.item_id, i.title
              from aspect_mentions m join reviews r using (review_id) left join items i using (item_id)
             where m.run_id = $run and m.aspect_id = $aspect
               and ($item is null or r.item_id = $item)
               and ($feeling is null or m.label = $feeling)
               and ($since is null or r.ts >= $since::date)
               and ($period is null or date_trunc('{_grain(grain)}', r.ts)::date = $period::date)
               and ($segment is null or r.user_id in (select user_id from segment_members
                                                      where run_id = {_SEGMENTS} and segment_id = $segment))
             qualify row_number() over (partition by m.review_id order by m.score) = 1
             order by case when $feeling = 'negative' then m.score end, r.ts desc nulls last, m.review_id
             limit $limit""",
        {
            "run": run_id,
            "aspect": aspect_id,
            "item": item_id,
            "feeling": feeling,
            "since": since,
            "period": period,
            "segment": segment_id,
            "limit": int(limit),
        },
    ).df()
