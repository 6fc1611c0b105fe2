"""The keywords job: distinctive keywords per group, keyword trends per period and bursts, stored as a run.

Texts are tokenised once and the tokens shared by every grouping and by the trends. Groups: all
reviews, each category, each language, each sentiment label (from the current sentiment run, when
there is one) and each item with enough reviews to say something. Each group's keywords are the
c-TF-IDF keywords that set it apart from the other groups of its grouping, less numbers, units and
review boilerplate; all reviews, having no other group, are weighed against everyday language
instead (:func:`insight.keywords.background.distinctive_keywords`), so they show what sets this
shop's reviews apart, not the language's most frequent words.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from insight.job_params import KeywordsParams
from insight.keywords.background import distinctive_keywords
from insight.keywords.ctfidf import document_term_matrix, extract_keywords
from insight.keywords.terms import phrase_checker
from insight.keywords.tokenize import tokenize_many
from insight.keywords.trends import detect_bursts, keyword_trends
from insight.progress import ProgressFn, silent
from insight.store import keywords as keyword_store
from insight.store import runs
from insight.store.db import data_version

MIN_ITEM_REVIEWS = 10
MODEL = "c-TF-IDF; all reviews against wordfreq"
COMPLAINTS = 12  # complaint keywords kept per item
TRACKED = 300  # keywords followed over time: enough that a new complaint is among them before it is big


def extract_store(
    con: duckdb.DuckDBPyConnection,
    *,
    freq: str = KeywordsParams.freq,
    top_n: int = KeywordsParams.top_n,
    min_df: int = KeywordsParams.min_df,
    job_id: str | None = None,
    progress: ProgressFn = silent,
) -> dict:
    """Compute and store keywords, trends and bursts for every review with text."""
    if freq not in ("W", "M"):
        raise ValueError("freq must be W (week) or M (month)")
    sentiment_run = runs.current_run(con, "sentiment")
    reviews = keyword_store.fetch_review_texts(con, sentiment_run["run_id"] if sentiment_run else None)
    if reviews.empty:
        raise ValueError("no review text to analyse: ingest reviews first")
    progress(0.05, f"tokenising {len(reviews):,} reviews")
    tokens = tokenize_many(reviews["text"].tolist(), reviews["language"].tolist(), drop_generic=True)
    texts, languages = reviews["text"].tolist(), reviews["language"].tolist()
    terms = document_term_matrix(tokens, min_df=min_df)  # independent of grouping: counted once
    attested = phrase_checker(texts, *terms)  # so is whether a phrase was written as such
    frames = []
    item_counts = reviews["item_id"].value_counts()
    groupings = {
        "all": None,
        "category": reviews["category"],
        "language": reviews["language"],
        "sentiment": reviews["sentiment"] if reviews["sentiment"].notna().any() else None,
        "item": reviews["item_id"].where(reviews["item_id"].map(item_counts).fillna(0) >= MIN_ITEM_REVIEWS),
    }
    for step, (kind, groups) in enumerate(groupings.items()):
        progress(0.3 + 0.4 * step / len(groupings), f"keywords per {kind}")
        if kind != "all" and (groups is None or groups.isna().all()):
            continue
        if kind == "all":
            frames.append(_shop_keywords(reviews, tokens, terms, top_n, attested))
            continue
        found = extract_keywords(
            texts,
            None if groups is None else groups.tolist(),
            languages=languages,
            top_n=top_n,
            min_df=min_df,
            tokens=tokens,
            terms=terms,
            purpose="keyword",
            attested=attested,
        )
        frames.append(found.assign(group_kind=kind))
    frames.append(_complaint_keywords(reviews, texts, languages, tokens, terms))
    scores = pd.concat(frames, ignore_index=True)
    progress(0.75, "keyword trends")
    dated = reviews["ts"].notna().to_numpy()
    trends = (
        keyword_trends(
            [t for t, d in zip(texts, dated, strict=True) if d],
            reviews.loc[dated, "ts"],  # as datetimes: a million Timestamp objects took 7 s
            freq=freq,
            tokens=[t for t, d in zip(tokens, dated, strict=True) if d],
            terms=(terms[0][np.flatnonzero(dated)], terms[1]),
            min_df=min_df,
            top_n=TRACKED,
            per_period=10,
        )
        if dated.any()
        else pd.DataFrame()
    )
    bursts = detect_bursts(trends) if len(trends) else pd.DataFrame()
    params = {
        "freq": freq,
        "top_n": top_n,
        "min_df": min_df,
        "sentiment_run": sentiment_run["run_id"] if sentiment_run else None,
    }
    with runs.new_run(con, kind="keywords", job_id=job_id, model=MODEL, params=params) as run_id:
        keyword_store.insert_results(con, run_id, scores, trends, bursts)
    progress(1.0, "done")
    rising = bursts[bursts["direction"] == "rising"]["keyword"].head(5).tolist() if len(bursts) else []
    return {
        "message": f"keywords for {len(reviews):,} reviews in {scores['group_kind'].nunique()} groupings; "
        f"{len(bursts)} bursts" + (f" (rising: {', '.join(rising)})" if rising else ""),
        "run_id": run_id,
        "model": MODEL,
        "params": {"freq": freq, "top_n": top_n, "min_df": min_df},
        "data_version": data_version(con),
    }


def _complaint_keywords(reviews: pd.DataFrame, texts, languages, tokens, terms) -> pd.DataFrame:
    """What each item's negative reviews say that other items' negative reviews do not (group kind ``complaint``).

    Precomputed here so the Sentiment page reads an item's complaints instead of running c-TF-IDF
    while it draws. Items with fewer than two negative reviews have no complaint keywords.
    """
    negative = np.flatnonzero((reviews["sentiment"] == "negative").to_numpy())
    items = reviews["item_id"].iloc[negative]
    counts = items.value_counts()
    negative = negative[items.map(counts).to_numpy() >= 2]
    if len(negative) == 0 or reviews["item_id"].iloc[negative].nunique() < 2:
        return pd.DataFrame(columns=["group", "keyword", "weight", "count", "group_kind"])
    matrix, vocabulary = terms
    found = extract_keywords(
        [texts[i] for i in negative],
        reviews["item_id"].iloc[negative].tolist(),
        languages=[languages[i] for i in negative],
        top_n=COMPLAINTS,
        tokens=[tokens[i] for i in negative],
        terms=(matrix[negative], vocabulary),
        purpose="keyword",
    )
    return found.assign(group_kind="complaint")


def _shop_keywords(reviews: pd.DataFrame, tokens: list[list[str]], terms, top_n: int, attested) -> pd.DataFrame:
    """Keywords of all reviews against everyday language, favouring those focused on some categories."""
    matrix, vocabulary = terms
    languages = reviews["language"].tolist()
    per_language = pd.Series([len(t) for t in tokens]).groupby(reviews["language"].fillna("?").to_numpy()).sum()
    categories = reviews["category"] if reviews["category"].nunique() > 1 else None
    found = distinctive_keywords(
        matrix,
        vocabulary,
        languages,
        {None if k == "?" else k: int(v) for k, v in per_language.items()},
        top_n=top_n,
        groups=None if categories is None else categories.tolist(),
        texts=reviews["text"].tolist(),
        attested=attested,
    )
    return found.drop(columns="language").assign(group="all", group_kind="all")
