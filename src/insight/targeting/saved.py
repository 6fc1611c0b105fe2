"""Saved audiences: stored with their definition, and refreshed when the data under them changes.

A built audience remembers the data version and segments run it was evaluated on. It is *stale*
when new data has arrived since, or when its definition uses segments, an interest or lookalikes
and a newer segments run has replaced the one it used; refreshing re-evaluates the definition on
current data and replaces the members. A lasso selection saved from the Segments page is a fixed
list of users, never stale.

Every save and refresh passes :func:`~insight.targeting.guard.check_saveable`: at least k users of
this store, none or at least k of the store's users left out, and none or at least k users of
difference with every other saved audience, so no two saved audiences can be compared to single
people out. A refresh that would break a rule keeps the old members and says why.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import pandas as pd

from insight.store import privacy as privacy_store
from insight.store import runs
from insight.store import targeting as store
from insight.store.db import data_version
from insight.targeting.definition import AudienceDefinition
from insight.targeting.evaluate import evaluate
from insight.targeting.guard import check_saveable
from insight.targeting.privacy import AudienceRefused, PrivacyRules, privacy_rules, release_counts
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

    Raises ValueError without a name, and a :class:`~insight.targeting.privacy.AudienceRefused`
    with the reason when the privacy rules refuse it (under k users, or 1 to k − 1 users from a
    saved audience).
    """
    name = name.strip()
    if not name:
        raise ValueError("an audience needs a name")
    rules = rules or privacy_rules()
    users = check_saveable(con, evaluate(con, definition, index=index, rules=rules), rules)
    return store.insert_audience(
        con,
        name,
        users,
        {"kind": BUILDER, **definition.to_dict()},
        data_version=data_version(con),
        segments_run=_segments_run(con),
    )


def save_selection(
    con: duckdb.DuckDBPyConnection,
    name: str,
    user_ids: list[str],
    definition: dict,
    *,
    rules: PrivacyRules | None = None,
) -> str:
    """Store a fixed list of users (a lasso on the Segments page) as a named audience; return its id.

    The same rules as :func:`save_audience` apply, and ids that are not users of this store are
    refused (:class:`~insight.targeting.privacy.UnknownUsers`), never counted towards k.
    """
    name = name.strip()
    if not name:
        raise ValueError("an audience needs a name")
    users = check_saveable(con, user_ids, rules or privacy_rules())
    return store.insert_audience(con, name, users, definition, data_version=None, segments_run=None)


def saved_audiences(con: duckdb.DuckDBPyConnection, *, rules: PrivacyRules | None = None) -> pd.DataFrame:
    """Saved audiences, newest first.

    Columns: audience_id, name, kind (builder/selection), users (as it may be shown: NaN when it
    would not be shown as an audience, or when it is one of two saved audiences 1 to k − 1 users
    apart; noisy under ε), created_at, refreshed_at, data_version, stale, description.
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
    base = store.fetch_base_size(con)
    close = privacy_store.fetch_close_audiences(con, rules.k) if len(saved) > 1 else set()
    showable = [
        rules.audience_reason(int(n), base) is None and a not in close
        for a, n in zip(saved["audience_id"], saved["users"], strict=True)
    ]
    shown = pd.Series(release_counts(saved["users"].tolist(), rules), dtype="float64")
    saved = saved.assign(users=shown.where(pd.Series(showable, dtype=bool)), kind=kinds, stale=stale)
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
    con: duckdb.DuckDBPyConnection,
    audience_id: str,
    *,
    index: InterestIndex | None = None,
    rules: PrivacyRules | None = None,
) -> tuple[int, int]:
    """Re-evaluate a built audience on current data and store its new members: (users before, after).

    Raises ValueError for a fixed selection, which has no definition to re-evaluate, and a
    :class:`~insight.targeting.privacy.AudienceRefused` (members left as they were) when the new
    members would break the privacy rules.
    """
    definition = audience_definition(con, audience_id)
    if definition is None:
        raise ValueError(f"audience {audience_id} is a fixed selection of users: there is nothing to re-evaluate")
    rules = rules or privacy_rules()
    before = len(store.fetch_audience_users(con, [audience_id]))
    users = check_saveable(con, evaluate(con, definition, index=index, rules=rules), rules, replacing=audience_id)
    store.replace_members(con, audience_id, users, data_version=data_version(con), segments_run=_segments_run(con))
    return before, len(users)


@dataclass(frozen=True)
class Refreshed:
    """What :func:`refresh_stale` did: audience id -> (users before, after), and audience id -> why it was not."""

    changed: dict[str, tuple[int, int]] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)


def refresh_stale(
    con: duckdb.DuckDBPyConnection, *, index: InterestIndex | None = None, rules: PrivacyRules | None = None
) -> Refreshed:
    """Refresh every stale built audience; one the privacy rules refuse keeps its members and says why."""
    rules = rules or privacy_rules()
    saved = saved_audiences(con, rules=rules)
    done = Refreshed()
    for audience_id in saved.loc[saved["stale"], "audience_id"]:
        try:
            done.changed[audience_id] = refresh_audience(con, audience_id, index=index, rules=rules)
        except AudienceRefused as refusal:
            done.refused[audience_id] = str(refusal)
    return done


def _segments_run(con: duckdb.DuckDBPyConnection) -> str | None:
    run = runs.current_run(con, "segments")
    return run["run_id"] if run else None
