"""The canonical tables every adapter produces, and the fields each one carries.

Every canonical frame also carries ``_file`` and ``_row`` (the source file and its 1-based line or
record number) so that validation can say exactly where a bad value came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

FIELDS: dict[str, tuple[str, ...]] = {
    "users": ("user_id", "first_seen", "country", "city", "attributes"),
    "items": ("item_id", "title", "category", "description", "price", "language"),
    "events": ("user_id", "item_id", "event_type", "timestamp", "quantity", "value", "query"),
    "reviews": ("review_id", "user_id", "item_id", "rating", "title", "text", "timestamp", "language", "label"),
}

REQUIRED: dict[str, tuple[str, ...]] = {
    "users": ("user_id",),
    "items": ("item_id",),
    "events": ("user_id", "event_type", "timestamp"),
    "reviews": (),  # text or rating, checked in validation
}

EVENT_TYPES = ("view", "search", "click", "cart", "fav", "purchase", "refund", "cancel")

EVENT_ALIASES = {
    "pv": "view",
    "page_view": "view",
    "pageview": "view",
    "browse": "view",
    "impression": "view",
    "add_to_cart": "cart",
    "addtocart": "cart",
    "add-to-cart": "cart",
    "favorite": "fav",
    "favourite": "fav",
    "wishlist": "fav",
    "like": "fav",
    "buy": "purchase",
    "order": "purchase",
    "transaction": "purchase",
    "return": "refund",
    "cancellation": "cancel",
}

LABELS = ("negative", "neutral", "positive")

PROVENANCE = ("_file", "_row")


@dataclass
class Canonical:
    """Frames in canonical form, one per table; absent tables are empty frames."""

    users: pd.DataFrame = field(default_factory=pd.DataFrame)
    items: pd.DataFrame = field(default_factory=pd.DataFrame)
    events: pd.DataFrame = field(default_factory=pd.DataFrame)
    reviews: pd.DataFrame = field(default_factory=pd.DataFrame)
    rejected: pd.DataFrame = field(default_factory=pd.DataFrame)  # rows the adapter itself refused
    extra_rows: int = 0  # source rows the CSV reader took for a header (headerless files)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Each table's frame, with every canonical column present (missing ones filled with nulls)."""
        out = {}
        for name, cols in FIELDS.items():
            frame = getattr(self, name)
            for col in (*cols, *PROVENANCE):
                if col not in frame.columns:
                    frame[col] = None
            out[name] = frame
        return out

    @property
    def rows(self) -> int:
        """Total rows across tables."""
        return sum(len(getattr(self, name)) for name in FIELDS)


def with_provenance(frame: pd.DataFrame, file: str, first_row: int = 2) -> pd.DataFrame:
    """Tag each row of ``frame`` with its file and line number (header on line 1 by default)."""
    frame = frame.copy()
    frame["_file"] = file
    frame["_row"] = range(first_row, first_row + len(frame))
    return frame


def reject(frame: pd.DataFrame, mask: pd.Series, *, field: str, reason: str) -> pd.DataFrame:
    """Rows of ``frame`` selected by ``mask`` as quarantine entries (``_file``, ``_row``, field, reason, record)."""
    bad = frame[mask]
    records = bad.drop(columns=list(PROVENANCE)).astype("string").to_dict("records")
    return pd.DataFrame(
        {"_file": bad["_file"], "_row": bad["_row"], "field": field, "reason": reason, "record": records}
    )
