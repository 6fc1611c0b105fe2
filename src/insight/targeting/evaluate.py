"""Who is in an audience today: a definition evaluated against the store's current data.

Conditions of different kinds combine with AND, starting from every user in the store; then
lookalikes of that result (the seed) are added. Evaluation reads the current segments run, so a
saved audience re-evaluated after new data or a new segments run picks up both.
"""

from __future__ import annotations

import duckdb

from insight.store import runs
from insight.store import targeting as store
from insight.targeting.definition import AudienceDefinition
from insight.targeting.privacy import PrivacyRules, privacy_rules
from insight.targeting.similar import InterestIndex, Lookalikes, interest_matches, load_index, lookalikes


class NeedsSegments(ValueError):
    """The definition uses segments, an interest or lookalikes, and no segments run exists yet."""

    def __init__(self) -> None:
        super().__init__(
            "segments, interests and lookalikes need interest profiles: start Segments on the Jobs page first"
        )


def evaluate(
    con: duckdb.DuckDBPyConnection,
    definition: AudienceDefinition,
    *,
    index: InterestIndex | None = None,
    rules: PrivacyRules | None = None,
) -> list[str]:
    """The users the definition selects on current data, sorted.

    ``index`` is the current segments run's :class:`InterestIndex` when the caller keeps one (a page
    does); otherwise it is loaded when the definition needs profiles. Lookalikes are added in whole
    steps of k users (``rules``, default: the settings), so no two lookalike cuts give audiences
    1 to k − 1 users apart. Raises :class:`NeedsSegments` when profiles are needed and there is no
    segments run.
    """
    if definition.needs_profiles and index is None:
        index = load_index(con)
        if index is None:
            raise NeedsSegments()
    core = core_users(con, definition, index=index)
    if not definition.grows or not core:
        return core
    step = (rules or privacy_rules()).k
    found = lookalikes(index, core)
    if definition.lookalike_strength is not None:
        grown = found.added(definition.lookalike_strength, step=step)
    else:  # an audience saved by an earlier version: its cut is a cosine
        grown = found.added(definition.lookalike_similarity, step=step, on="similarity")
    return sorted(set(core) | set(grown))


def core_users(
    con: duckdb.DuckDBPyConnection, definition: AudienceDefinition, *, index: InterestIndex | None = None
) -> list[str]:
    """The users meeting every condition, before lookalikes: the seed lookalikes grow from."""
    chosen = set(
        store.fetch_behaviour_matches(
            con,
            recency_days=definition.recency_days,
            min_orders=definition.min_orders or None,
            min_spend=definition.min_spend or None,
            categories=definition.categories,
            sentiment_min=definition.sentiment[0] if definition.sentiment else None,
            sentiment_max=definition.sentiment[1] if definition.sentiment else None,
        )
    )
    if definition.segments:
        run_id = index.run_id if index is not None else _segments_run_id(con)
        chosen &= set(store.fetch_segment_users(con, run_id, definition.segments))
    if definition.audiences:
        chosen &= set(store.fetch_audience_users(con, definition.audiences))
    if definition.interest:
        if index is None:
            raise NeedsSegments()
        matches = interest_matches(index, definition.interest, definition.interest_strength)
        chosen &= set(matches["user_id"])
    return sorted(chosen)


def _segments_run_id(con: duckdb.DuckDBPyConnection) -> str:
    run = runs.current_run(con, "segments")
    if run is None:
        raise NeedsSegments()
    return run["run_id"]


def conditions(
    con: duckdb.DuckDBPyConnection,
    definition: AudienceDefinition,
    *,
    index: InterestIndex | None = None,
    segment_names: dict[int, str] | None = None,
    audience_names: dict[str, str] | None = None,
) -> list[tuple[str, int]]:
    """Each condition on its own and how many users it matches: [(plain words, users)], in order.

    Tells a marketer which condition makes an audience small (callers apply k before showing them).
    """
    single = {
        "segments": AudienceDefinition(segments=definition.segments),
        "audiences": AudienceDefinition(audiences=definition.audiences),
        "recency_days": AudienceDefinition(recency_days=definition.recency_days),
        "min_orders": AudienceDefinition(min_orders=definition.min_orders),
        "min_spend": AudienceDefinition(min_spend=definition.min_spend),
        "categories": AudienceDefinition(categories=definition.categories),
        "sentiment": AudienceDefinition(sentiment=definition.sentiment),
        "interest": AudienceDefinition(
            interest=definition.interest,
            interest_strength=definition.interest_strength,
            interest_threshold=definition.interest_threshold,
        ),
    }
    out = []
    for part in single.values():
        if part.is_everyone:
            continue
        out.append((part.describe(segment_names, audience_names), len(core_users(con, part, index=index))))
    return out


def find_lookalikes(con: duckdb.DuckDBPyConnection, seed_users: list[str]) -> Lookalikes:
    """Lookalikes of a seed audience in the current segments run (see :func:`~insight.targeting.lookalikes`).

    Raises :class:`NeedsSegments` when there is no segments run yet.
    """
    index = load_index(con)
    if index is None:
        raise NeedsSegments()
    return lookalikes(index, seed_users)
