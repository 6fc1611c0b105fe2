"""What the API answers, apart from HTTP: a shopper's list (logged with propensities) and profile.

The fitted recommender is kept per data version and encoder, so a request costs a ranking, not a
refit; feedback is read per request, so a like or a dislike takes effect on the very next list, and
the outcomes of exploration slots move the exploration posteriors as they arrive.
"""

from __future__ import annotations

import re
import threading
import time
import uuid

import duckdb
import pandas as pd

from insight.recommendations import POLICIES, Recommender, evidence_with_outcomes, fit_recommender, recommend_user
from insight.store import api as store
from insight.store import runs, segments

OUTCOMES_TTL = 1.0  # seconds an exploration-outcome count is reused for; feedback recorded here renews it at once
_fitted: dict[tuple[str, int, str], Recommender] = {}
_outcomes: dict[tuple[str, int], tuple[float, pd.DataFrame]] = {}
_lock = threading.Lock()


def recommender(con: duckdb.DuckDBPyConnection, state: tuple | None = None) -> Recommender:
    """The store's recommender for its current data, fitted once per store file, data version and encoder."""
    from insight.encode.job import model_of_run

    path, version, used, _ = state or store.serving_state(con)
    key = (path or "", int(version), model_of_run(used))
    with _lock:
        if key not in _fitted:
            _fitted.clear()
            _fitted[key] = fit_recommender(con, model=key[2])
        return _fitted[key]


def outcomes(con: duckdb.DuckDBPyConnection, state: tuple) -> pd.DataFrame:
    """Explored items' shown and rewarded counts, re-read when feedback arrived or after :data:`OUTCOMES_TTL`."""
    key, now = (state[0] or "", int(state[3])), time.monotonic()
    with _lock:
        cached = _outcomes.get(key)
        if cached is not None and now - cached[0] < OUTCOMES_TTL:
            return cached[1]
    frame = store.explore_outcomes(con)
    with _lock:
        _outcomes.clear()
        _outcomes[key] = (now, frame)
    return frame


def recommendations(con: duckdb.DuckDBPyConnection, user_id: str, *, k: int, exploration: float, policy: str) -> dict:
    """A logged list for a (pseudonymised) user: request id, policy and items with reasons and propensities."""
    if not 1 <= k <= 100:
        raise ValueError("k must be between 1 and 100")
    if not 0.0 <= exploration <= 1.0:
        raise ValueError("exploration must be between 0 and 1")
    if policy not in POLICIES:
        raise ValueError(f"policy must be one of {', '.join(POLICIES)}")
    request_id = uuid.uuid4().hex
    state = store.serving_state(con)
    rec = recommender(con, state)
    liked, disliked = store.user_reactions(con, user_id)
    evidence = evidence_with_outcomes(rec, outcomes(con, state))
    seed = uuid.UUID(request_id).int % (2**31)  # each request its own draw, so exploration explores
    items = recommend_user(
        rec, user_id, k=k, exploration=exploration, policy=policy, seed=seed, disliked=disliked, liked=liked,
        evidence=evidence,
    )  # fmt: skip
    store.insert_served(
        con, request_id=request_id, user_id=user_id, policy=policy, exploration=exploration, items=items
    )
    return {
        "request_id": request_id,
        "user_id": user_id,
        "policy": f"{policy} (exploration {exploration:g})",
        "items": [
            {
                "item_id": row.item_id,
                "title": row.title,
                "score": round(float(row.score), 6),
                "kind": row.kind,
                "reason": row.reason,
                "propensity": round(float(row.propensity), 6),
            }
            for row in items.itertuples()
        ],
    }


def profile(con: duckdb.DuckDBPyConnection, user_id: str) -> dict | None:
    """A user's interests, segment, latest drift and cold-start flag in the current segments run (None: unknown)."""
    run = runs.current_run(con, "segments")
    if run is None:
        raise LookupError("no segments yet: run the segments job")
    found = segments.fetch_user_segment(con, run["run_id"], user_id)
    if found is None:
        return None
    segment, label, drift = int(found["segment_id"]), found.get("label"), found.get("drift")
    return {
        "user_id": user_id,
        "segment": {"id": segment, "name": label if isinstance(label, str) else "outside every segment"},
        "interests": [word.strip() for word in re.split(r"[·,]", str(found.get("keywords") or "")) if word.strip()],
        "touches": int(found.get("touches") or 0),
        "drift": None if drift is None or drift != drift else round(float(drift), 4),
        "cold_start": bool(found.get("cold_start")),
        "segments_run": run["run_id"],
    }
