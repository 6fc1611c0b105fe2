"""Keyword results per run: c-TF-IDF keywords per group, trends per period and bursts."""

from __future__ import annotations

import duckdb
import pandas as pd

from insight.filters import Filters
from insight.store.db import insert_run_rows
from insight.store.fragments import REVIEWS, review_text


def fetch_review_texts(con: duckdb.DuckDBPyConnection, sentiment_run: str | None) -> pd.DataFrame:
    """Every review with text: id, text, language, ts, item, category and its sentiment (if scored)."""
    return con.execute(
        f"""select r.review_id, {review_text("r")} as text, r.language, r.ts, r.item_id,
                  i.category, s.label as sentiment
           from reviews r left join items i using (item_id)
           left join sentiment_scores s on s.review_id = r.review_id and s.run_id = $run
           where r.text is not null""",
        {"run": sentiment_run},
    ).df()


def insert_results(
    con: duckdb.DuckDBPyConnection, run_id: str, scores: pd.DataFrame, trends: pd.DataFrame, bursts: pd.DataFrame
) -> None:
    """Store one run's keywords, trends and bursts (call inside the run's transaction)."""
    tables = {
        "keyword_scores": (scores, 'group_kind, cast("group" as varchar), keyword, weight, count'),
        "keyword_trends": (trends, "cast(period as date), keyword, count, share"),
        "keyword_bursts": (bursts, "keyword, cast(period as date), count, baseline, score, direction"),
    }
    insert_run_rows(con, run_id, tables)


def fetch_keywords(
    con: duckdb.DuckDBPyConnection, run_id: str, group_kind: str, group_value: str | None = None, *, limit: int = 30
) -> pd.DataFrame:
    """Keywords of one grouping (and one group of it), best first."""
    return con.execute(
        """select group_value, keyword, round(weight, 4) as weight, count from keyword_scores
           where run_id = $run and group_kind = $kind and ($value is null or group_value = $value)
           order by group_value, weight desc limit $limit""",
        {"run": run_id, "kind": group_kind, "value": group_value, "limit": limit},
    ).df()


def fetch_groups(
    con: duckdb.DuckDBPyConnection, run_id: str, group_kind: str, *, search: str | None = None, limit: int = 200
) -> tuple[pd.DataFrame, int]:
    """The groups of a grouping that have keywords, busiest first, and how many match ``search`` in all.

    Columns value and label (an item's title; the value itself for other groupings). ``search`` matches
    either, ignoring case; at most ``limit`` rows come back, so a shop with 13,700 items never sends
    them all to a picker.
    """
    matches = """select k.group_value as value, coalesce(i.title, k.group_value) as label, sum(k.count) as mentions
                 from keyword_scores k
                 left join items i on $kind = 'item' and i.item_id = k.group_value
                 where k.run_id = $run and k.group_kind = $kind
                 group by all
                 having $search is null or label ilike '%' || $search || '%' or value ilike '%' || $search || '%'"""
    bound = {"run": run_id, "kind": group_kind, "search": search or None}
    total = con.execute(f"select count(*) from ({matches})", bound).fetchall()[0][0]
    frame = con.execute(
        f"select value, label from ({matches}) order by mentions desc, label limit $limit", {**bound, "limit": limit}
    ).df()
    return frame, int(total)


def fetch_trends(
    con: duckdb.DuckDBPyConnection, run_id: str, filters: Filters = Filters(), keywords: list[str] | None = None
) -> pd.DataFrame:
    """Keyword counts and shares per period (within the date filter), optionally for chosen keywords."""
    return con.execute(
        """select period, keyword, count, share from keyword_trends
           where run_id = $run and ($start is null or period >= date_trunc('month', $start::date))
             and ($end is null or period <= $end::date)
             and ($keywords is null or list_contains($keywords::varchar[], keyword))
           order by period, keyword""",
        {"start": filters.start, "end": filters.end, "run": run_id, "keywords": keywords},
    ).df()


def fetch_bursts(con: duckdb.DuckDBPyConnection, run_id: str) -> pd.DataFrame:
    """Rising and fading keywords, strongest first."""
    return con.execute(
        """select keyword, direction, period, count, round(baseline, 1) as expected, round(score, 2) as score
           from keyword_bursts where run_id = $run order by abs(score) desc""",
        {"run": run_id},
    ).df()


def fetch_reviews_with_keyword(
    con: duckdb.DuckDBPyConnection,
    keyword: str,
    filters: Filters = Filters(),
    *,
    since=None,
    until=None,
    limit: int = 200,
) -> tuple[pd.DataFrame, int]:
    """The newest ``limit`` reviews whose text contains a keyword (case-insensitive), within [since, until).

    Returns (reviews, how many reviews contain it in all): text first, then title, rating, date,
    language and id. The total is counted before the limit, so a page can say "226,000 reviews, the
    200 newest shown" rather than "200 reviews".
    """
    frame = con.execute(
        f"""select r.text, r.title, r.rating, r.ts, r.language, r.review_id, count(*) over () as matching
            from ({REVIEWS}) r
            where contains(lower(coalesce(r.title, '') || ' ' || coalesce(r.text, '')), lower($keyword))
              and ($since is null or r.ts >= $since::timestamp) and ($until is null or r.ts < $until::timestamp)
            order by r.ts desc nulls last limit $limit""",
        {**filters.params(), "keyword": keyword, "since": since, "until": until, "limit": limit},
    ).df()
    total = int(frame["matching"].iloc[0]) if len(frame) else 0
    return frame.drop(columns="matching"), total
