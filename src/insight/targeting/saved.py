"""Saved audiences: stored with their definition, and refreshed when the data under them changes.

A built audience remembers the data version and segments run it was evaluated on. It is *stale*
when new data has arrived since, or when its definition uses segments, an interest or lookalikes
and a newer segments run has replaced the one it used; refreshing re-evaluates the definition on
current data and replaces the members. A lasso selection saved from the Segments page is a fixed
list of users, never stale.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from insight.store import runs
from insight.store import targeting as store
from insight.store.db import data_version
from insight.targeting.definition import AudienceDefinition
from insight.targeting.evaluate import evaluate
from insight.targeting.privacy import PrivacyRules, privacy_rules, release_counts
from insight.targeting.similar import InterestIndex

BUILDER = "builder"  # audiences.definition["kind"] of an audience made by the builder


def save_audience(
    con: duckdb.DuckDBPyConnection,
    name: str,
    definition: AudienceDefinition,
    *,
    rules: PrivacyRules | None = None,
    index: InterestIndex | None = None,
) -> str:
    """Evaluate and store an audience; return its id.

    Raises ValueError without a name, :class:`~insight.targeting.privacy.AudienceTooSmall` under k users.
    """
    name = name.strip()
    if not name:
        raise ValueError("an audience needs a name")
    users = evaluate(con, definition, index=index)
    (rules or privacy_rules()).check(len(users))
    return store.insert_audience(
        con,
        name,
        users,
        {"kind": BUILDER, **definition.to_dict()},
        data_version=data_version(con),
        segments_run=_segments_run(con),
    )


def save_selection(con: duckdb.DuckDBPyConnection, name: str, user_ids: list[str], definition: dict) -> str:
    """Store a fixed list of users (a lasso on the Segments page) as a named audience; return its id."""
    name = name.strip()
    if not name:
        raise ValueError("an audience needs a name")
    if not user_ids:
        raise ValueError("an audience needs at least one user")
    return store.insert_audience(con, name, user_ids, definition, data_version=None, segments_run=None)


def saved_audiences(con: duckdb.DuckDBPyConnection, *, rules: PrivacyRules | None = None) -> pd.DataFrame:
    """Saved audiences, newest first.

    Columns: audience_id, name, kind (builder/selection), users (as it may be shown: NaN under k,
    noisy under ε), created_at, refreshed_at, data_version, stale, description.
    """
    rules = rules or privacy_rules()
    saved = store.fetch_saved(con)
    current_version, current_run = data_version(con), _segments_run(con)
    segment_names = store.fetch_segment_names(con, current_run) if current_run else {}
    audience_names = dict(zip(saved["audience_id"], saved["name"], strict=True))
    kinds, stale, described = [], [], []
    for row in saved.itertuples():
        built = row.definition.get("kind") == BUILDER
        kinds.append(BUILDER if built else row.definition.get("kind", "selection"))
        if not built:
            stale.append(False)
            described.append("a fixed list of users (a selection)")
            continue
        definition = AudienceDefinition.from_dict(row.definition)
        stale.append(
            bool(
                pd.isna(row.data_version)
                or row.data_version < current_version
                or (definition.needs_profiles and row.segments_run != current_run)
            )
        )
        described.append(definition.describe(segment_names, audience_names))
    shown = pd.Series(release_counts(saved["users"].tolist(), rules), dtype="float64")
    saved = saved.assign(users=shown.where(saved["users"].to_numpy() >= rules.k), kind=kinds, stale=stale)
    return saved.assign(description=described)[
        ["audience_id", "name", "kind", "users", "created_at", "refreshed_at", "data_version", "stale", "description"]
    ]


def audience_definition(con: duckdb.DuckDBPyConnection, audience_id: str) -> AudienceDefinition | None:
    """The definition of a built audience (None for a fixed selection); KeyError for an unknown id."""
    saved = store.fetch_saved(con)
    rows = saved[saved["audience_id"] == audience_id]
    if rows.empty:
        raise KeyError(f"no saved audience {audience_id!r}")
    stored = rows.iloc[0]["definition"]
    return AudienceDefinition.from_dict(stored) if stored.get("kind") == BUILDER else None


def refresh_audience(
    con: duckdb.DuckDBPyConnection, audience_id: str, *, index: InterestIndex | None = None
) -> tuple[int, int]:
    """Re-evaluate a built audience on current data and store its new members: (users before, after).

    A refresh that leaves fewer than k users still stores them (previews and exports then hide it).
    Raises ValueError for a fixed selection, which has no definition to re-evaluate.
    """
    definition = audience_definition(con, audience_id)
    if definition is None:
        raise ValueError(f"audience {audience_id} is a fixed selection of users: there is nothing to re-evaluate")
    before = len(store.fetch_audience_users(con, [audience_id]))
    users = evaluate(con, definition, index=index)
    store.replace_members(con, audience_id, users, data_version=data_version(con), segments_run=_segments_run(con))
    return before, len(users)


def refresh_stale(con: duckdb.DuckDBPyConnection, *, index: InterestIndex | None = None) -> dict[str, tuple[int, int]]:
    """Refresh every stale built audience: audience id -> (users before, after)."""
    saved = saved_audiences(con)
    return {a: refresh_audience(con, a, index=index) for a in saved.loc[saved["stale"], "audience_id"]}


def _segments_run(con: duckdb.DuckDBPyConnection) -> str | None:
    run = runs.current_run(con, "segments")
    return run["run_id"] if run else None
