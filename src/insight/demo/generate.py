"""Deterministic demo data in insight's canonical CSV format, so every page has something true to show.

``write_demo_files`` writes ``items.csv``, ``users.csv``, ``events.csv`` and ``reviews.csv`` for a
fictional shop: about 200 products in 10 categories (70% English, 30% Chinese listings), ``n_users``
shoppers with 1-3 favourite categories each, a year of funnel behaviour (views, searches, favourites,
carts, purchases, refunds) with a Black Friday/Christmas peak, and reviews whose text matches their
star rating and the reviewer's language. The same seed always gives byte-identical files: each part
draws from its own child of ``numpy.random.default_rng(seed)``.

Planted patterns (``PLANTED_SHIFTS`` holds the exact numbers; ``planted_truth`` names the users,
items and dates for a given seed):

* new parents - ~10% of users have Gaming as main interest, then from the middle month of the window
  (2026-05 for the defaults) they mostly view and buy Baby & Kids instead;
* trail converts - ~8% of users move from Running & Fitness to Outdoor & Camping in the last 4 months;
* coffee trend - Coffee & Tea grows from a small category to a large one in the last 3 months, with
  trend searches ("cold brew coffee maker", "抹茶粉" …);
* defective products - a leaking glass kettle, running shoes that run small, a leaking children's
  vacuum cup and a harsh-smelling face cream get mostly 1-2 star reviews about that one aspect;
* quality spike - a best-selling burr grinder breaks for 70% of buyers from 4 months before the end
  (2026-07 for the defaults): its ratings drop and its reviews start saying it broke.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from insight.demo.activity import simulate
from insight.demo.catalog import CANONICAL, build_items, categories, planted_items
from insight.demo.people import GROUPS, build_users
from insight.demo.plan import PLANTED_SHIFTS, Window, start_month
from insight.demo.reviews import build_reviews

__all__ = ["PLANTED_SHIFTS", "HEADERS", "planted_truth", "write_demo_files"]

HEADERS: dict[str, tuple[str, ...]] = {
    "items": CANONICAL,
    "users": ("user_id", "country", "city", "age", "signup_date"),
    "events": ("user_id", "item_id", "event_type", "timestamp", "quantity", "value", "query"),
    "reviews": ("review_id", "user_id", "item_id", "rating", "title", "text", "timestamp", "language"),
}


def _streams(seed: int) -> dict[str, np.random.Generator]:
    """Split the seed into one random stream per part, so e.g. users do not depend on event counts."""
    parts = ("items", "users", "events", "reviews")
    return dict(zip(parts, np.random.default_rng(seed).spawn(len(parts)), strict=True))


def _timestamps(ts: np.ndarray) -> np.ndarray:
    """Format epoch seconds as ``YYYY-MM-DD HH:MM:SS`` strings."""
    return pd.to_datetime(ts, unit="s").strftime("%Y-%m-%d %H:%M:%S").to_numpy()


def _events_table(events: pd.DataFrame, users: pd.DataFrame, items: pd.DataFrame) -> pd.DataFrame:
    """Lay simulated events out in canonical columns; unset fields are empty strings."""
    item_ids = np.append(items["item_id"].to_numpy(), "")  # position -1 (searches) -> ""
    money = events["quantity"].to_numpy() > 0
    return pd.DataFrame(
        {
            "user_id": users["user_id"].to_numpy()[events["user"].to_numpy()],
            "item_id": item_ids[events["item"].to_numpy()],
            "event_type": events["event_type"].to_numpy(),
            "timestamp": _timestamps(events["ts"].to_numpy()),
            "quantity": np.where(money, events["quantity"].astype(str).to_numpy(), ""),
            "value": np.where(money, [f"{v:.2f}" for v in events["value"].fillna(0.0)], ""),
            "query": events["query"].to_numpy(),
        }
    )


def write_demo_files(
    out_dir: Path, *, seed: int = 0, n_users: int = 600, months: int = 12, end: date = date(2026, 10, 31)
) -> dict[str, Path]:
    """Write items.csv, users.csv, events.csv, reviews.csv (canonical format) into out_dir.

    Returns ``{table: path}``.

    The window covers ``months`` calendar months ending with the month of ``end``. Output depends
    only on the arguments: the same arguments give byte-identical files.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    window = Window.of(months, end)
    rng = _streams(seed)
    items = build_items(rng["items"])
    users, personas = build_users(rng["users"], n_users, window)
    events, purchases = simulate(rng["events"], personas, items, window)
    reviews = build_reviews(rng["reviews"], purchases, users, items, personas.lang, window)

    item_table = items[list(CANONICAL)].assign(price=[f"{p:.2f}" for p in items["price"]])
    tables = {
        "items": item_table,
        "users": users,
        "events": _events_table(events, users, items),
        "reviews": reviews,
    }
    paths = {}
    for name, frame in tables.items():
        path = out_dir / f"{name}.csv"
        frame[list(HEADERS[name])].to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
        paths[name] = path
    return paths


def planted_truth(
    *, seed: int = 0, n_users: int = 600, months: int = 12, end: date = date(2026, 10, 31)
) -> dict[str, Any]:
    """Name the users, items and dates the planted patterns hit for these arguments (the answer key).

    Cheap: rebuilds only the catalog and the users, which come from their own random streams.
    """
    window = Window.of(months, end)
    rng = _streams(seed)
    items = build_items(rng["items"])
    users, personas = build_users(rng["users"], n_users, window)
    names = {c["key"]: c["name"] for c in categories()}

    def month_start(name: str) -> str:
        return window.labels[start_month(name, months)] + "-01"

    truth: dict[str, Any] = {"window": {"first_month": window.labels[0], "last_day": end.isoformat()}}
    for code, name in enumerate(GROUPS):
        if not name:
            continue
        spec = next(s for s in PLANTED_SHIFTS if s["name"] == name)
        truth[name] = {
            "users": users["user_id"][personas.group == code].tolist(),
            "from_category": names[spec["from_category"]],
            "to_category": names[spec["to_category"]],
            "start": month_start(name),
        }
    cat_names = [c["name"] for c in categories()]
    truth["people"] = {  # each user's language and base interest mix (categories weighing at least 5 %)
        uid: {
            "language": str(lang),
            "interests": {cat_names[j]: round(float(w), 3) for j, w in enumerate(row) if w >= 0.05},
        }
        for uid, lang, row in zip(users["user_id"], personas.lang, personas.base, strict=True)
    }
    truth["coffee_trend"] = {"category": names["coffee_tea"], "start": month_start("coffee_trend")}
    planted = planted_items(items)
    truth["defective_products"] = [
        {"item_id": r.item_id, "title": r.title, "aspect": r.defect} for r in planted.itertuples() if r.role == "defect"
    ]
    spike = planted[planted["role"] == "spike"].iloc[0]
    truth["grinder_batch_spike"] = {
        "item_id": spike["item_id"],
        "title": spike["title"],
        "aspect": spike["defect"],
        "start": month_start("grinder_batch_spike"),
    }
    return truth
