"""The minimum-audience rules that need the store: unknown ids, near-duplicate saves, overlap cells.

:mod:`insight.targeting.privacy` says what the rules are; this module applies the ones that must
look at the data: an audience is made only of this store's users (:func:`known_members`); it may be
saved only when it has at least k users, leaves out none or at least k of the store's users, and
differs from every saved audience by none or at least k users (:func:`check_saveable`); and an
overlap with a saved audience is shown only when no cell of the two-by-two split is under k
(:func:`overlap_cells`). Saving from the builder, a lasso on the Segments page, a refresh, the Python
API and the page all come through here, so they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import numpy as np
import pandas as pd

from insight.store import privacy as privacy_store
from insight.store import targeting as store
from insight.targeting.privacy import AudienceTooSmall, PrivacyRules, TooCloseToSaved, UnknownUsers


def known_members(con: duckdb.DuckDBPyConnection, user_ids: Sequence[str]) -> list[str]:
    """The distinct ids, sorted; :class:`UnknownUsers` (saying how many) when any is not a user of this store."""
    given = sorted(set(map(str, user_ids)))
    known = privacy_store.fetch_known_users(con, given)
    if len(known) < len(given):
        raise UnknownUsers(len(given) - len(known), len(given))
    return known


def check_saveable(
    con: duckdb.DuckDBPyConnection, user_ids: Sequence[str], rules: PrivacyRules, *, replacing: str | None = None
) -> list[str]:
    """The members to store, or the reason they may not be.

    Raises :class:`UnknownUsers`, :class:`AudienceTooSmall` (under k, or leaving out 1 to k − 1
    users), or :class:`TooCloseToSaved` when the symmetric difference with a saved audience (other
    than ``replacing``, the one being refreshed) is 1 to k − 1 users. An identical audience passes:
    two equal lists tell nothing one of them does not.
    """
    users = known_members(con, user_ids)
    reason = rules.audience_reason(len(users), store.fetch_base_size(con))
    if reason is not None:
        raise AudienceTooSmall(reason)
    saved = store.fetch_overlaps(con, users)
    saved = saved[saved["audience_id"] != replacing]
    differ = len(users) + saved["users"].to_numpy() - 2 * saved["overlap"].to_numpy()
    close = saved["audience_id"][(differ > 0) & (differ < rules.k)].tolist()
    if close:
        raise TooCloseToSaved(
            f"Refused: this audience and the saved audience `{close[0]}` differ by fewer than {rules.k} users. "
            "With both saved, comparing the two would single those people out (INSIGHT_MIN_AUDIENCE). Change it "
            f"by at least {rules.k} users, or use the saved audience."
        )
    return users


def overlap_cells(
    con: duckdb.DuckDBPyConnection, users: Sequence[str], rules: PrivacyRules, *, base: int
) -> pd.DataFrame:
    """Each saved audience against ``users`` (a shown audience), with what of it may be shown.

    Columns: audience_id, name, users (their size), overlap (true counts), their_shown (their size
    may be shown), shown (the overlap cell may be shown) and why (None when shown, else the reason).
    Their size is shown when it would be as an audience of its own, and the audience is not one of
    a pair saved 1 to k − 1 users apart; the cell needs, besides, the overlap and both complements
    (this minus theirs, theirs minus this) each to be 0 or at least k.
    """
    frame = store.fetch_overlaps(con, users)
    close = privacy_store.fetch_close_audiences(con, rules.k) if len(frame) > 1 else set()
    their_shown, shown, why = [], [], []
    for audience_id, theirs, shared in zip(frame["audience_id"], frame["users"], frame["overlap"], strict=True):
        theirs_ok = rules.audience_reason(int(theirs), base) is None and audience_id not in close
        cell_ok = rules.shows_split(int(shared), len(users)) and rules.shows_split(int(shared), int(theirs))
        their_shown.append(theirs_ok)
        shown.append(theirs_ok and cell_ok)
        if not theirs_ok:
            why.append(f"Hidden: that saved audience's size is not shown ({_their(audience_id, close)}).")
        else:
            why.append(None if cell_ok else rules.split_reason())
    return frame.assign(
        their_shown=np.array(their_shown, dtype=bool),
        shown=np.array(shown, dtype=bool),
        why=pd.Series(why, dtype=object),
    )


def _their(audience_id: str, close: set[str]) -> str:
    if audience_id in close:
        return "it differs from another saved audience by too few users"
    return "too few users, or too few left out"
