"""Reach of an audience: its size and share of the user base, overlap with saved audiences, a profile card.

This is what a marketer watches while building an audience, so it applies the privacy rules itself:
an audience under k users shows no numbers, only why (:class:`~insight.targeting.privacy.PrivacyRules`);
overlaps under k are hidden the same way; with ε configured, the counts shown are one noisy release.
The profile card speaks in shares and means of the audience, not in head counts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from insight.store import runs
from insight.store import targeting as store
from insight.targeting.privacy import PrivacyRules, privacy_rules, release_counts


@dataclass(frozen=True)
class ProfileCard:
    """Who the audience is: what its members are into, buy, spend and say.

    ``interests``: [(keyword, share of members whose profile lists it)], top first; ``categories``:
    category, buyer_share, spend; ``segments``: [(segment id, share of members)].
    """

    interests: list[tuple[str, float]]
    categories: pd.DataFrame
    spend: float  # total purchase value
    spend_per_user: float
    buyer_share: float  # members with at least one purchase
    orders_per_buyer: float
    sentiment: float | None  # mean review sentiment of members who reviewed, in [-1, 1]
    reviewer_share: float
    segments: list[tuple[int, float]]


@dataclass(frozen=True)
class Reach:
    """An audience's reach as it may be shown.

    ``size`` and ``share`` are None when the audience is under k (``reason`` says why). ``overlaps``
    has one row per saved audience: audience_id, name, users, overlap, share_of_this (overlap / size),
    share_of_theirs (overlap / their size); a count under k (but above 0) is NaN with ``hidden`` True.
    ``noisy`` tells that counts carry differential-privacy noise.
    """

    size: int | None
    share: float | None
    base: int
    k: int
    reason: str | None
    overlaps: pd.DataFrame
    card: ProfileCard | None
    noisy: bool

    @property
    def suppressed(self) -> bool:
        """True when the audience is too small to show."""
        return self.size is None


def reach(
    con: duckdb.DuckDBPyConnection,
    users: Sequence[str],
    *,
    rules: PrivacyRules | None = None,
) -> Reach:
    """Size, share of the user base, overlap with each saved audience and a profile card."""
    rules = rules or privacy_rules()
    users = sorted(set(map(str, users)))
    base = store.fetch_base_size(con)
    noisy = rules.epsilon is not None
    if len(users) < rules.k:
        reason = rules.too_small_reason() if users else "No user matches every condition. Loosen one of them."
        return Reach(None, None, base, rules.k, reason, _empty_overlaps(), None, noisy)
    overlaps = store.fetch_overlaps(con, users)
    shown = release_counts([len(users), *overlaps["users"], *overlaps["overlap"]], rules)
    size, theirs, shared = shown[0], shown[1 : 1 + len(overlaps)], shown[1 + len(overlaps) :]
    overlaps = overlaps.assign(
        users=pd.Series(theirs, dtype="float64").where(overlaps["users"].to_numpy() >= rules.k),
        overlap=pd.Series(shared, dtype="float64").where(
            (overlaps["overlap"].to_numpy() == 0) | (overlaps["overlap"].to_numpy() >= rules.k), np.nan
        ),
        hidden=(overlaps["overlap"] > 0) & (overlaps["overlap"] < rules.k),
    )
    overlaps["share_of_this"] = overlaps["overlap"] / max(size, 1)
    overlaps["share_of_theirs"] = overlaps["overlap"] / overlaps["users"].where(overlaps["users"] > 0)
    return Reach(size, size / base if base else None, base, rules.k, None, overlaps, profile_card(con, users), noisy)


def _empty_overlaps() -> pd.DataFrame:
    columns = ["audience_id", "name", "users", "overlap", "hidden", "share_of_this", "share_of_theirs"]
    return pd.DataFrame({c: [] for c in columns})


def profile_card(con: duckdb.DuckDBPyConnection, users: Sequence[str], *, top: int = 8) -> ProfileCard:
    """The profile card of a set of users (their interests come from the current segments run)."""
    run = runs.current_run(con, "segments")
    facts = store.fetch_member_facts(con, users, run["run_id"] if run else None)
    n = max(len(facts), 1)
    words = Counter(
        word.strip() for listed in facts["keywords"].dropna() for word in listed.split(",")[:5] if word.strip()
    )
    categories = store.fetch_member_categories(con, users).head(top)
    categories = categories.assign(buyer_share=categories["buyers"] / n)[["category", "buyer_share", "spend"]]
    buyers = facts[facts["orders"] > 0]
    reviewed = facts[facts["reviews"] > 0]
    segments = facts["segment_id"].dropna().astype(int).value_counts().head(3)
    return ProfileCard(
        interests=[(word, count / n) for word, count in words.most_common(top)],
        categories=categories.reset_index(drop=True),
        spend=float(facts["spend"].sum()),
        spend_per_user=float(facts["spend"].sum() / n),
        buyer_share=len(buyers) / n,
        orders_per_buyer=float(buyers["orders"].mean()) if len(buyers) else 0.0,
        sentiment=float(reviewed["sentiment"].mean()) if reviewed["sentiment"].notna().any() else None,
        reviewer_share=len(reviewed) / n,
        segments=[(int(s), c / n) for s, c in segments.items()],
    )
