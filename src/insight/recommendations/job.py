"""The ``recommend_eval`` job: the offline evaluation over the whole store, recorded as a run.

The evaluation (:func:`insight.recommendations.evaluate_recommendations`) takes a minute or two on a real
shop, so the app runs it in the background and the page reads the table back from the run's params
(there is no results table: one small table per run fits in the run row). The default time split
leaves the last :data:`TEST_MONTHS` months of purchases for testing: recent enough to resemble what
the shop sells now, long enough for most shoppers to come back.

Item vectors must all come from one encoder. The segments job encodes every text users touched under
its model, so the current segments run's model is the one to use (:func:`store_model`); without a
segments run, the model that embedded most items (see :func:`insight.recommendations.fit.resolve_model`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime

import duckdb
import pandas as pd

from insight.job_params import RecommendEvalParams
from insight.progress import ProgressFn, scale, silent
from insight.recommendations.evaluate import evaluate_recommendations
from insight.recommendations.select import POLICIES
from insight.store import recommend as store
from insight.store import runs
from insight.store.db import data_version

TEST_MONTHS = 3


def store_model(con: duckdb.DuckDBPyConnection) -> str | None:
    """The encoder recommendations use: the current segments run's, or None (the model with most item vectors)."""
    segments = runs.current_run(con, "segments")
    return segments["model"] if segments and segments.get("model") else None


def default_split_date(con: duckdb.DuckDBPyConnection) -> date:
    """A split leaving the last ``TEST_MONTHS`` months of purchases for testing (a short history: its last quarter)."""
    first, last = store.purchase_span(con)
    if first is None:
        raise ValueError("the store has no purchases to evaluate recommendations on: ingest purchase events first")
    first, last = pd.Timestamp(first), pd.Timestamp(last)
    split = last - pd.DateOffset(months=TEST_MONTHS)
    if split <= first + pd.DateOffset(months=TEST_MONTHS):
        split = first + (last - first) * 0.75
    return split.normalize().date()


def checked_split_date(con: duckdb.DuckDBPyConnection, split_date: date | datetime | str) -> date:
    """``split_date`` as a date, or ValueError saying why it cannot split the store's purchases."""
    try:
        split = pd.Timestamp(split_date)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"split date {split_date!r} is not a date: write it as YYYY-MM-DD") from exc
    if pd.isna(split):
        raise ValueError(f"split date {split_date!r} is not a date: write it as YYYY-MM-DD")
    first, last = store.purchase_span(con)
    if first is None:
        raise ValueError("the store has no purchases to evaluate recommendations on: ingest purchase events first")
    first, last = pd.Timestamp(first), pd.Timestamp(last)
    if not first < split <= last:
        side = "nothing to train on" if split <= first else "nothing to test on"
        raise ValueError(
            f"split date {split.date()} leaves {side}: purchases run from {first.date()} to {last.date()}; "
            f"pick a date between them (default {default_split_date(con)})"
        )
    return split.date()


def evaluate_store(
    con: duckdb.DuckDBPyConnection,
    *,
    split_date: date | datetime | str | None = None,
    k: int = RecommendEvalParams.k,
    exploration_levels: Sequence[float] = RecommendEvalParams.exploration_levels,
    policy: str = RecommendEvalParams.policy,
    seed: int = 0,
    job_id: str | None = None,
    progress: ProgressFn = silent,
) -> dict:
    """Evaluate recommendations on a time split and record a ``recommend_eval`` run.

    The run's params hold the results table as records (columns of
    :data:`insight.recommendations.evaluate.RESULT_COLUMNS`), the split date, users and items evaluated and
    the model. Bad parameters raise ValueError before anything is written, so the previous run stays current.
    """
    levels = sorted({float(level) for level in exploration_levels})
    if not levels or not all(0.0 <= level <= 1.0 for level in levels):
        raise ValueError(f"exploration levels must be between 0 and 1, got {list(exploration_levels)}")
    if not 1 <= int(k) <= 100:
        raise ValueError(f"k (items per list) must be 1–100, got {k}")
    if policy not in POLICIES:
        raise ValueError(f"unknown exploration policy '{policy}'; use one of {', '.join(POLICIES)}")
    split = default_split_date(con) if split_date is None else checked_split_date(con, split_date)
    progress(0.0, f"evaluating on purchases from {split}")
    results = evaluate_recommendations(
        con,
        split_date=split,
        k=int(k),
        exploration_levels=levels,
        model=store_model(con),
        policy=policy,
        seed=seed,
        progress=scale(progress, 0.0, 0.95),
    )
    info = results.attrs
    first, last = store.purchase_span(con)
    params = {
        "split_date": info["split_date"],
        "test_until": info["test_until"],
        "purchases": [str(pd.Timestamp(first).date()), str(pd.Timestamp(last).date())],
        "k": int(k),
        "exploration_levels": levels,
        "policy": policy,
        "users": info["users"],
        "catalogue": info["catalogue"],
        "model": info["model"],
        "results": json.loads(results.to_json(orient="records", double_precision=4)),
    }
    model = info["model"]
    with runs.new_run(con, kind="recommend_eval", job_id=job_id, model=model, params=params, seed=seed) as run_id:
        pass  # the run row is the result: the table is in its params
    progress(1.0, "done")
    by = results.drop_duplicates("policy").set_index("policy")["precision"]
    return {
        "message": f"{info['users']:,} shoppers, purchases from {info['split_date']}: precision@{k} "
        f"{by['insight']:.3f} (exploration {levels[0]:g}) vs popularity {by['popularity']:.3f} and ALS {by['als']:.3f}",
        "run_id": run_id,
        "model": info["model"],
        "params": {key: params[key] for key in ("split_date", "k", "exploration_levels", "policy")},
        "seed": seed,
        "data_version": data_version(con),
    }


def tradeoff_sentence(results: pd.DataFrame, *, k: int, axis: str = "coverage") -> str:
    """One sentence reading the table: what the lowest to the highest exploration level costs and buys."""
    ours = results[results["policy"] == "insight"].sort_values("exploration")
    if len(ours) < 2:
        return "Only one exploration level was evaluated: evaluate several to see the trade-off."
    low, high = ours.iloc[0], ours.iloc[-1]

    def change(column: str, name: str) -> str:
        a, b = float(low[column]), float(high[column])
        shown = f"{a:.2f} → {b:.2f} bits" if column == "novelty" else f"{a:.3f} → {b:.3f}"
        if a == 0:
            return f"takes {name} from {shown.replace(' → ', ' to ')}"
        share = f"{abs(b - a) / a:.0%}".replace("%", " %")
        if column == "precision":
            return f"costs {share} of {name} ({shown})" if b < a else f"adds {share} to {name} ({shown})"
        return f"buys {share} more {name} ({shown})" if b >= a else f"loses {share} of {name} ({shown})"

    return (
        f"Moving exploration from {low['exploration']:g} to {high['exploration']:g} "
        f"{change('precision', f'precision@{k}')} and {change(axis, axis)}."
    )
