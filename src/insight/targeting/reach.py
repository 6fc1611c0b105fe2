"""Reach of an audience: its size and share of the user base, overlap with saved audiences, a profile card.

This is what a marketer watches while building an audience, so it applies the privacy rules itself
(:mod:`insight.targeting.privacy`): an audience under k users, or one leaving out fewer than k of
the store's users, shows no numbers, only why; an overlap cell is shown only when the overlap and
both of its complements are each 0 or at least k, so no hidden count can be recovered from the
sizes shown beside it; with ε configured, the counts shown are one noisy release. The profile card
(:mod:`insight.targeting.card`) is shown only with the audience, its figures rounded; each
condition's own reach (:func:`condition_reach`) and an interest's reach at every match strength
(:func:`interest_reach`) are counted under the same rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
import pandas as pd

from insight.store import targeting as store
from insight.targeting.card import ProfileCard, member_card
from insight.targeting.definition import AudienceDefinition
from insight.targeting.evaluate import conditions
from insight.targeting.guard import known_members, overlap_cells
from insight.targeting.privacy import PrivacyRules, privacy_rules, release_counts
from insight.targeting.similar import InterestIndex, reach_curve

OVERLAP_COLUMNS = ["audience_id", "name", "users", "overlap", "hidden", "why", "share_of_this", "share_of_theirs"]


@dataclass(frozen=True)
class Reach:
    """An audience's reach as it may be shown.

    ``size`` and ``share`` are None when the audience may not be shown (``reason`` says why).
    ``overlaps`` has one row per saved audience: audience_id, name, users (their size; NaN when
    not shown), overlap (shared users), hidden (True when the cell is not shown), why (the reason,
    or None), share_of_this (overlap / size) and share_of_theirs (overlap / their size); a hidden
    cell's overlap and shares are NaN. ``noisy`` tells that counts carry differential-privacy noise.
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
    """Size, share of the user base, overlap with each saved audience and a profile card.

    Raises :class:`~insight.targeting.privacy.UnknownUsers` when some ids are not users of this store.
    """
    rules = rules or privacy_rules()
    users = known_members(con, users)
    base = store.fetch_base_size(con)
    noisy = rules.epsilon is not None
    reason = (
        rules.audience_reason(len(users), base) if users else "No user matches every condition. Loosen one of them."
    )
    if reason is not None:
        return Reach(None, None, base, rules.k, reason, pd.DataFrame({c: [] for c in OVERLAP_COLUMNS}), None, noisy)
    cells = overlap_cells(con, users, rules, base=base)
    shown = release_counts([len(users), *cells["users"], *cells["overlap"]], rules)
    size, theirs, shared = shown[0], shown[1 : 1 + len(cells)], shown[1 + len(cells) :]
    overlaps = cells.assign(
        users=pd.Series(theirs, dtype="float64").where(cells["their_shown"].to_numpy()),
        overlap=pd.Series(shared, dtype="float64").where(cells["shown"].to_numpy()),
        hidden=~cells["shown"],
    )
    overlaps["share_of_this"] = overlaps["overlap"] / max(size, 1)
    overlaps["share_of_theirs"] = overlaps["overlap"] / overlaps["users"].where(overlaps["users"] > 0)
    card = member_card(con, users, rules)
    return Reach(size, size / base if base else None, base, rules.k, None, overlaps[OVERLAP_COLUMNS], card, noisy)


def condition_reach(
    con: duckdb.DuckDBPyConnection,
    definition: AudienceDefinition,
    *,
    index: InterestIndex | None = None,
    rules: PrivacyRules | None = None,
) -> pd.DataFrame:
    """Each condition of ``definition`` alone and its users as they may be shown: condition, users, hidden.

    ``users`` is NaN where the count may not be shown as an audience's size would not be (under k,
    or leaving out 1 to k − 1 of the store's users; ``hidden`` says which, in words), noisy under ε.
    It tells a marketer which condition makes an audience small without counting anyone.
    """
    rules = rules or privacy_rules()
    found = conditions(con, definition, index=index)
    base = store.fetch_base_size(con)
    shown = release_counts([n for _, n in found], rules)
    hidden = [None if rules.audience_reason(n, base) is None else _few(n, rules.k) for _, n in found]
    return pd.DataFrame(
        {
            "condition": [text for text, _ in found],
            "users": pd.Series(shown, dtype="float64").where(pd.Series([h is None for h in hidden], dtype=bool)),
            "hidden": pd.Series(hidden, dtype=object),
        }
    )


def _few(n: int, k: int) -> str:
    return f"fewer than {k}" if n < k else f"all but fewer than {k}"


def interest_reach(
    con: duckdb.DuckDBPyConnection, index: InterestIndex, text: str, *, rules: PrivacyRules | None = None
) -> pd.DataFrame:
    """Users a free-text interest reaches at each match strength: strength, users (NaN where hidden), hidden.

    The curve beside the strength slider: a count is drawn only where an audience of that size
    could be shown (see :func:`~insight.targeting.similar.reach_curve`).
    """
    return reach_curve(index, text, rules or privacy_rules(), base=store.fetch_base_size(con))
