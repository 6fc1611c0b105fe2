"""Who a group of users is, in figures that may be shown: the audience profile card and the segment cards.

Every figure follows the rounding rule of :mod:`insight.targeting.privacy`: it is shown only when at
least k members contribute to it, each member's spend and orders count up to the shop-wide cap, and
the figure is rounded to a step at least as large as one member's possible contribution (a share
of n members to k / n, at most 10 %). So the card of two
previews that differ by one member (a whale included) cannot say what that member spent.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
import pandas as pd

from insight.store import privacy as privacy_store
from insight.store import runs
from insight.store import targeting as store
from insight.targeting.guard import known_members
from insight.targeting.privacy import (
    AudienceTooSmall,
    PrivacyRules,
    nice_step,
    privacy_rules,
    rounded,
    share_step,
    spend_cap,
)


@dataclass(frozen=True)
class ProfileCard:
    """What the audience's members are into, buy, spend and say, as it may be shown.

    ``interests``: [(keyword, share of members whose profile lists it)], top first; ``categories``:
    category, buyer_share, spend; ``segments``: [(segment id, share of members)]. Figures are rounded
    and each is None (or left out of its list) when too few members contribute to it. ``spend_cap``
    is how much of one member's spend (``orders_cap``: orders) the figures count.
    """

    interests: list[tuple[str, float]]
    categories: pd.DataFrame
    spend: float | None  # total purchase value, each member counted up to spend_cap
    spend_per_user: float | None
    buyer_share: float | None  # members with at least one purchase
    orders_per_buyer: float | None
    sentiment: float | None  # mean review sentiment of members who reviewed, in [-1, 1]
    reviewer_share: float | None
    segments: list[tuple[int, float]]
    spend_cap: float | None
    orders_cap: float | None


def profile_card(
    con: duckdb.DuckDBPyConnection, users: Sequence[str], *, rules: PrivacyRules | None = None, top: int = 8
) -> ProfileCard:
    """The profile card of a set of users (their interests come from the current segments run).

    Raises :class:`~insight.targeting.privacy.UnknownUsers` for ids the store does not know and
    :class:`~insight.targeting.privacy.AudienceTooSmall` under k users.
    """
    rules = rules or privacy_rules()
    users = known_members(con, users)
    reason = rules.audience_reason(len(users), store.fetch_base_size(con))
    if reason is not None:
        raise AudienceTooSmall(reason)
    return member_card(con, users, rules, top=top)


def member_card(con: duckdb.DuckDBPyConnection, users: list[str], rules: PrivacyRules, *, top: int = 8) -> ProfileCard:
    """:func:`profile_card` for users already checked (known, at least k)."""
    run = runs.current_run(con, "segments")
    facts = store.fetch_member_facts(con, users, run["run_id"] if run else None)
    n = len(facts)
    spend_most, orders_most = (spend_cap(v) for v in privacy_store.fetch_kth_largest(con, rules.k))

    def share(count: int) -> float | None:
        return rounded(count / n, share_step(n, rules.k)) if rules.allows(count) else None

    def listed(counts: Counter) -> list:
        kept = [(key, share(c)) for key, c in counts.items() if c >= rules.k]
        return sorted(kept, key=lambda pair: (-pair[1], str(pair[0])))[:top]

    words = Counter(word.strip() for text in facts["keywords"].dropna() for word in text.split(",")[:5] if word.strip())
    buyers = facts[facts["orders"] > 0]
    reviewed = facts[(facts["reviews"] > 0) & facts["sentiment"].notna()]
    spend = spend_per_user = orders = sentiment = None
    if len(buyers) >= rules.k and spend_most is not None:
        clipped = float(facts["spend"].clip(0, spend_most).sum())
        spend, spend_per_user = rounded(clipped, spend_most), rounded(clipped / n, nice_step(spend_most / n))
    if len(buyers) >= rules.k and orders_most is not None:
        orders = rounded(float(buyers["orders"].clip(0, orders_most).mean()), nice_step(orders_most / len(buyers)))
    if len(reviewed) >= rules.k:
        sentiment = rounded(float(reviewed["sentiment"].mean()), nice_step(2 / len(reviewed)))
    return ProfileCard(
        interests=listed(words),
        categories=_categories(store.fetch_member_categories(con, users, spend_most), n, rules, spend_most, top),
        spend=spend,
        spend_per_user=spend_per_user,
        buyer_share=share(len(buyers)),
        orders_per_buyer=orders,
        sentiment=sentiment,
        reviewer_share=share(len(reviewed)),
        segments=listed(Counter(facts["segment_id"].dropna().astype(int)))[:3],
        spend_cap=spend_most,
        orders_cap=orders_most,
    )


def _categories(bought: pd.DataFrame, n: int, rules: PrivacyRules, cap: float | None, top: int) -> pd.DataFrame:
    """Categories bought by at least k members: category, buyer_share, spend (rounded to the cap)."""
    kept = bought[bought["buyers"] >= rules.k]
    frame = pd.DataFrame(
        {
            "category": kept["category"].astype(str),
            "buyer_share": [rounded(b / n, share_step(n, rules.k)) for b in kept["buyers"]],
            "spend": [rounded(float(s), cap) if cap else None for s in kept["spend"]],
        }
    )
    return (
        frame.sort_values(["spend", "buyer_share", "category"], ascending=[False, False, True])
        .head(top)
        .reset_index(drop=True)
    )


def segment_figures(con: duckdb.DuckDBPyConnection, run_id: str, *, rules: PrivacyRules | None = None) -> pd.DataFrame:
    """The figures of each segment's card as they may be shown, by segment id.

    Columns: users, buyers, spend, reviews, sentiment (floats; NaN where hidden) and ``spend_cap``.
    A segment of fewer than k users (or leaving out fewer than k) shows none; its buyers are shown
    when they and the non-buyers are each none or at least k, its spend (rounded, each member counted
    up to the cap) with at least k buyers, its reviews and sentiment with at least k reviewers.
    """
    rules = rules or privacy_rules()
    base = store.fetch_base_size(con)
    cap = spend_cap(privacy_store.fetch_kth_largest(con, rules.k)[0])
    facts = privacy_store.fetch_segment_facts(con, run_id, cap)
    rows = []
    for row in facts.itertuples():
        users, buyers, reviewers = int(row.users), int(row.buyers), int(row.reviewers)
        shown = rules.audience_reason(users, base) is None
        spent = shown and buyers >= rules.k and cap is not None
        felt = shown and reviewers >= rules.k
        rows.append(
            {
                "segment_id": int(row.segment_id),
                "users": users if shown else None,
                "buyers": buyers if shown and rules.shows_split(buyers, users) else None,
                "spend": rounded(float(row.spend), cap) if spent else None,
                "reviews": int(row.reviews) if felt else None,
                "sentiment": rounded(float(row.sentiment), nice_step(2 / reviewers)) if felt else None,
            }
        )
    columns = ["segment_id", "users", "buyers", "spend", "reviews", "sentiment"]
    return pd.DataFrame(rows, columns=columns).astype({c: "float64" for c in columns[1:]}).assign(spend_cap=cap)
