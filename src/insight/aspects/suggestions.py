"""What to fix first: a product's complaint aspects ranked for a product team, and where it trails its peers.

Each aspect a product's reviews complain about is a candidate. Its weight is the buyers it touches
(distinct reviewers with a negative clause on it) scaled by its trend (the share of recent reviews
complaining against the share before), so a growing problem outranks a fading one of the same size.
The rating gap is what the complaint costs the product's mean rating: the share of reviews that
complain times how much lower those reviews rate than the others (the mean rating is that mixture).
"""

from __future__ import annotations

import json

import duckdb
import numpy as np
import pandas as pd
from scipy import stats

from insight.store import aspect_views

TOP = 5  # aspects a product page lists
QUOTES = 3
MIN_PEER_MENTIONS = 5  # a product needs this many reviews on an aspect to be compared with its peers
PEER_GAP = 0.10  # and a negative share this much above theirs, significant at PEER_ALPHA
PEER_ALPHA = 0.05


def _trend(recent: float | None, earlier: float | None) -> float:
    """Relative change of the complaining share, clipped to [-0.5, 2] so one noisy quarter cannot dominate."""
    if recent is None or np.isnan(recent) or earlier is None or np.isnan(earlier):
        return 0.0
    return float(np.clip((recent - earlier) / max(earlier, 0.02), -0.5, 2.0))


def _worse_than_peers(row) -> tuple[bool, float]:
    """Whether the product's negative share on an aspect is clearly above its peers': (worse, p-value)."""
    if row.mentions < MIN_PEER_MENTIONS or pd.isna(row.peer_negative):
        return False, 1.0
    own = row.negatives / row.mentions
    p = stats.binomtest(int(row.negatives), int(row.mentions), float(row.peer_negative), alternative="greater").pvalue
    return bool(own - row.peer_negative >= PEER_GAP and p < PEER_ALPHA), float(p)


def _segments(frame: pd.DataFrame, aspect_id: int, limit: int = 3) -> list[dict]:
    """The segments with most complaining reviewers on an aspect, as alerts name them.

    ``lift`` is their complaining share over the product's: how over-represented they are.
    """
    own = frame[frame["aspect_id"] == aspect_id]
    overall = own["negatives"].sum() / max(own["reviews"].sum(), 1)
    own = own[own["negatives"] > 0]
    if own.empty or overall <= 0:
        return []
    own = own.assign(lift=own["negatives"] / own["reviews"] / overall).sort_values(
        ["negatives", "lift"], ascending=False
    )
    return [
        {"segment": str(s.segment), "reviews": int(s.negatives), "lift": round(float(s.lift), 2)}
        for s in own.head(limit).itertuples()
    ]


def product_suggestions(con: duckdb.DuckDBPyConnection, run_id: str, item_id: str, *, top: int = TOP) -> pd.DataFrame:
    """A product's complaint aspects, most pressing first, with what a product team needs to act on each.

    Columns: aspect_id, aspect, buyers, share (of the product's reviews complaining about it), recent,
    earlier (that share in its last 90 days of reviews and before), trend, rating_gap (stars it costs
    the mean rating), peer_negative, worse_than_peers, segments (JSON list of the most affected),
    quotes (list of up to three negative clauses with their review text and span), priority.
    """
    return _ranked(con, run_id, item_id, aspect_views.fetch_item_aspects(con, run_id, item_id), top)


def what_to_fix(
    con: duckdb.DuckDBPyConnection, run_id: str, item_id: str, *, top: int = TOP
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`product_suggestions` and :func:`peer_gaps` of one product, from one read of its aspects."""
    per_aspect = aspect_views.fetch_item_aspects(con, run_id, item_id)
    return _ranked(con, run_id, item_id, per_aspect, top), _behind(per_aspect)


def _ranked(con, run_id: str, item_id: str, per_aspect: pd.DataFrame, top: int) -> pd.DataFrame:
    per_aspect = per_aspect[per_aspect["negatives"] > 0].copy()
    if per_aspect.empty:
        return per_aspect.assign(share=[], trend=[], rating_gap=[], worse_than_peers=[], segments=[], quotes=[])
    per_aspect["share"] = per_aspect["negatives"] / per_aspect["reviews"]
    per_aspect["trend"] = [_trend(r, e) for r, e in zip(per_aspect["recent"], per_aspect["earlier"], strict=True)]
    per_aspect["rating_gap"] = per_aspect["share"] * (per_aspect["rating_without"] - per_aspect["rating_with"])
    per_aspect["worse_than_peers"] = [_worse_than_peers(r)[0] for r in per_aspect.itertuples()]
    per_aspect["priority"] = per_aspect["buyers"] * (1.0 + per_aspect["trend"])
    ranked = per_aspect.sort_values(["priority", "negatives"], ascending=False).head(top).reset_index(drop=True)
    segments = aspect_views.fetch_item_segments(con, run_id, item_id)
    ranked["segments"] = [json.dumps(_segments(segments, int(a)), ensure_ascii=False) for a in ranked["aspect_id"]]
    ranked["quotes"] = [
        aspect_views.fetch_quotes(con, run_id, int(a), item_id=item_id, feeling="negative", limit=QUOTES).to_dict(
            "records"
        )
        for a in ranked["aspect_id"]
    ]
    return ranked


def peer_gaps(con: duckdb.DuckDBPyConnection, run_id: str, item_id: str) -> pd.DataFrame:
    """Aspects where the product's reviews complain clearly more than its category's other products'.

    Columns: aspect_id, aspect, mentions, negative (the product's share of mentions that complain),
    peer_negative, peer_products, p_value; worst gap first.
    """
    return _behind(aspect_views.fetch_item_aspects(con, run_id, item_id))


def _behind(per_aspect: pd.DataFrame) -> pd.DataFrame:
    per_aspect = per_aspect.copy()
    tested = [_worse_than_peers(r) for r in per_aspect.itertuples()]
    per_aspect["worse"] = [t[0] for t in tested]
    per_aspect["p_value"] = [t[1] for t in tested]
    per_aspect["negative"] = per_aspect["negatives"] / per_aspect["mentions"]
    worse = per_aspect[per_aspect["worse"]].assign(gap=lambda f: f["negative"] - f["peer_negative"])
    columns = ["aspect_id", "aspect", "mentions", "negative", "peer_negative", "peer_products", "p_value"]
    return worse.sort_values("gap", ascending=False)[columns].reset_index(drop=True)
