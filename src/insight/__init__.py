"""insight: an analytics workbench for e-commerce behaviour logs and reviews.

The public Python API for analysts in notebooks; the CLI and the app are thin layers over it.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pandas as pd

from insight.ingestion import IngestError, IngestReport
from insight.progress import ProgressFn

__version__ = "0.1.0"
__all__ = [
    "AudienceDefinition",
    "IngestError",
    "IngestReport",
    "aspect_alerts",
    "audience_reach",
    "build_audience",
    "connect",
    "encode_texts",
    "evaluate_recommendations",
    "export_audience",
    "extract_keywords",
    "ingest",
    "recommend",
    "score_sentiment",
    "segment_texts",
    "user_profiles",
]


def connect(path: str | Path | None = None, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the store (default: ``INSIGHT_DB_PATH``, else ``data/insight.duckdb``), creating and migrating it."""
    from insight.store import db

    return db.connect(path, read_only=read_only)


def aspect_alerts(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Open alerts of the current aspects run, most significant first.

    Products whose reviews complain about one aspect more than before (``kind`` spike, from ``start``)
    or than their peers (``kind`` level).

    Columns: item_id, title, category, aspect, aspect_id, kind, start (onset date), negative_share (share
    of the product's reviews from ``start`` with a negative clause on the aspect), baseline (that share
    before the onset, or the peers'), category_share, reviews, negatives, p_value (false-discovery
    adjusted) and segments (the segments most affected). Empty before the first aspects job.
    """
    from insight.store.aspects import fetch_alerts

    alerts = fetch_alerts(con)
    alerts["segments"] = [json.loads(s) if s else [] for s in alerts["segments"]]
    return alerts.drop(columns=["alert_id"])


def ingest(
    path: str | Path,
    format: str | None = None,
    db: str | Path | duckdb.DuckDBPyConnection | None = None,
    *,
    encoding: str = "utf-8",
    date_format: str | None = None,
    chunk_rows: int | None = None,
    progress: ProgressFn | None = None,
) -> IngestReport:
    """Load a file, archive or folder into the store and return its data-quality report.

    ``format`` names an adapter (see ``insight ingest --help``); ``None`` detects it. ``db`` is a path,
    an open connection, or ``None`` for the configured default. ``date_format`` (e.g. ``"%d/%m/%Y"``)
    says how to read numeric dates such as 03/04/2024, which are otherwise quarantined as ambiguous
    unless the file settles the order. Raises ``IngestError`` when nothing can be read or the
    pseudonym key is not the store's; rows that fail validation are quarantined, not raised. Large
    canonical inputs are read ``chunk_rows`` rows at a time (giving it streams any canonical input);
    ``progress(share, message)`` hears how far the batch got.
    """
    from insight import config
    from insight.ingestion.pipeline import ingest_path
    from insight.store.keys import PseudonymKeyError

    options = {"format": format, "encoding": encoding, "date_format": date_format, "chunk_rows": chunk_rows}
    if progress is not None:
        options["progress"] = progress
    if isinstance(db, duckdb.DuckDBPyConnection):
        from insight.store.db import database_path

        return ingest_path(db, path, db_path=database_path(db), **options)
    db_path = config.db_path() if db is None else Path(db)
    try:
        con = connect(db_path)
    except PseudonymKeyError as exc:  # the store was made with another key: refused before any write
        raise IngestError(str(exc)) from None
    try:
        return ingest_path(con, path, db_path=db_path, **options)
    finally:
        con.close()


def encode_texts(texts, *, model: str | None = None, device: str = "auto", batch_size: int | None = None):
    """Embed texts: float32 array (n, 384), L2-normalised.

    ``model``: ``"all-MiniLM-L6-v2"`` or ``"multilingual-e5-small"`` (None = ``INSIGHT_ENCODER``, else e5);
    ``device``: ``auto`` (CUDA with fp16 when present), ``cpu`` or ``cuda``.
    """
    from insight.encode import encode_texts as encode

    return encode(texts, model=model, device=device, batch_size=batch_size)


def score_sentiment(texts, *, language=None):
    """Sentiment per text: DataFrame with ``label`` (negative/neutral/positive) and ``score`` in [-1, 1]."""
    from insight.sentiment.model import score_sentiment as score

    return score(texts, language=language)


def extract_keywords(texts, groups=None, *, top_n: int = 10):
    """Most distinctive keywords per group by c-TF-IDF: DataFrame with ``group``, ``keyword``, ``weight``."""
    from insight.keywords import extract_keywords as extract

    return extract(texts, groups, top_n=top_n)


def segment_texts(texts, *, embeddings=None, seed: int = 0, **params):
    """Segment texts into topics (UMAP + HDBSCAN): a ``Segmentation`` with per-text ``labels``.

    ``labels`` is -1 only for texts that stay outliers after the outlier budget (``outlier_budget``,
    default 5 %); ``keywords`` holds each segment's c-TF-IDF keywords and ``stability`` the mean
    ARI between the fit and refits on random halves. Pass ``embeddings`` (n, d) to skip encoding; other
    keywords (``model``, ``min_cluster_size``, ``n_neighbors``...) tune the encoder and estimators.
    """
    from insight.cluster import segment_texts as segment

    return segment(texts, embeddings=embeddings, seed=seed, **params)


def user_profiles(con: duckdb.DuckDBPyConnection):
    """One row per profiled user from the current segments run.

    Columns: user_id, segment_id (-1: outlier), segment (its label), keywords (top interests),
    drift (1 - cosine between the last two active months), touches, cold_start, x, y.
    Raises ValueError when no segments job has run yet.
    """
    from insight.store import runs, segments

    run = runs.current_run(con, "segments")
    if run is None:
        raise ValueError("no profiles yet: run the segments job first (insight segments, or the Jobs page)")
    members = segments.fetch_members(con, run["run_id"])
    labels = segments.fetch_segments(con, run["run_id"]).set_index("segment_id")["label"]
    members.insert(2, "segment", members["segment_id"].map(labels).fillna("outliers"))
    return members.drop(columns=["probability"])


def recommend(con: duckdb.DuckDBPyConnection, user_id: str | None, *, k: int = 10, exploration: float = 0.2, **options):
    """Up to ``k`` items for a user, best first: ``item_id, title, score, kind, reason, propensity``.

    ``kind`` is ``exploit`` (the reason names the interest or co-purchase behind it), ``explore``
    (an exploration slot filled by Thompson sampling over interest areas the user has not shopped;
    the reason names the new area) or ``popular`` (unknown users). ``exploration`` in [0, 1] is the
    share of exploration slots and how much the rest favours variety; ``text=`` serves a new visitor
    from what they wrote. ``propensity`` is the chance this policy shows the item in this list (1 for
    slots no chance decides). Needs item embeddings (the encode or segments job).
    """
    from insight.recommendations import recommend as run

    return run(con, user_id, k=k, exploration=exploration, **options)


def evaluate_recommendations(
    con: duckdb.DuckDBPyConnection, *, split_date, k: int = 10, exploration_levels=(0, 0.1, 0.2, 0.4), **options
):
    """Offline evaluation of recommendations on a time split (train before ``split_date``).

    One row per policy (insight at each exploration level, popularity, ALS) with ``policy,
    exploration, precision, recall, ndcg, coverage, novelty, diversity`` at k.
    """
    from insight.recommendations import evaluate_recommendations as run

    return run(con, split_date=split_date, k=k, exploration_levels=exploration_levels, **options)


def __getattr__(name: str):
    """Targeting names, imported on first use: ``AudienceDefinition``."""
    if name == "AudienceDefinition":
        from insight.targeting import AudienceDefinition

        return AudienceDefinition
    raise AttributeError(f"module 'insight' has no attribute {name!r}")


def build_audience(con: duckdb.DuckDBPyConnection, definition) -> list[str]:
    """The user ids an ``AudienceDefinition`` selects on current data, sorted.

    A definition combines segments, saved audiences, behaviour filters, a free-text interest and lookalikes.
    """
    from insight.targeting import evaluate

    return evaluate(con, definition)


def audience_reach(con: duckdb.DuckDBPyConnection, users):
    """Reach preview of a set of users: size, share of the base, overlaps with saved audiences, profile card.

    The privacy rules apply: audiences under ``INSIGHT_MIN_AUDIENCE`` users are refused with a reason.
    """
    from insight.targeting import reach

    return reach(con, users)


def export_audience(con: duckdb.DuckDBPyConnection, users, *, fmt: str = "csv", holdout_share: float = 0.1, seed=0):
    """An audience as CSV or Parquet bytes with a random holdout group (``group``: target or holdout).

    CSV cells a spreadsheet would run as formulas are neutralised.
    """
    from insight.targeting import audience_file

    return audience_file(con, users, fmt=fmt, holdout_share=holdout_share, seed=seed)
