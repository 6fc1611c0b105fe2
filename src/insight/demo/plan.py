"""The demo data's calendar and the patterns deliberately planted in it.

Every number that makes a planted pattern happen lives in ``PLANTED_SHIFTS`` and is read from there
by the simulation, so the description a reader sees and the behaviour of the generator cannot drift
apart. ``Window`` turns ``months`` and ``end`` into month boundaries in epoch seconds, which keeps
the per-event work in integer arithmetic (fast, and exactly reproducible).
"""

from __future__ import annotations

import calendar
import json
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent

PLANTED_SHIFTS: tuple[dict[str, Any], ...] = (
    {
        "name": "new_parents",
        "kind": "interest_shift",
        "share_of_users": 0.10,
        "from_category": "gaming",
        "to_category": "baby_kids",
        "start": "half",
        "description": "About 10% of users are gamers (gaming is their main interest) who become parents: "
        "from the middle month of the window on, gaming nearly disappears from what they view and buy "
        "and Baby & Kids becomes their main interest.",
    },
    {
        "name": "trail_converts",
        "kind": "interest_shift",
        "share_of_users": 0.08,
        "from_category": "running_fitness",
        "to_category": "outdoor_camping",
        "start": -4,
        "description": "About 8% of users are runners (Running & Fitness is their main interest) who move to "
        "hiking and camping in the last 4 months: Outdoor & Camping becomes their main interest.",
    },
    {
        "name": "coffee_trend",
        "kind": "category_trend",
        "category": "coffee_tea",
        "start": -3,
        "ramp": (0.10, 0.18, 0.26),
        "description": "Coffee & Tea is a small category until the last 3 months, when every user's interest "
        "mix is blended with it (10%, 18%, then 26% of sessions) and its searches switch towards trend "
        "terms such as 'cold brew coffee maker', 'matcha whisk set', '冷萃咖啡' and '抹茶粉'.",
    },
    {
        "name": "defective_products",
        "kind": "quality_problem",
        "role": "defect",
        "defective_share": 0.9,
        "description": "Four products are bad all year (90% of units sold are faulty): their reviews are "
        "mostly 1-2 stars complaining about one aspect - a glass kettle that leaks, running shoes that "
        "run a size small, a children's vacuum cup that leaks, a rose face cream with a harsh smell - "
        "and they are refunded more often.",
    },
    {
        "name": "grinder_batch_spike",
        "kind": "quality_spike",
        "role": "spike",
        "start": -4,
        "defective_share": 0.7,
        "description": "A best-selling burr coffee grinder is fine until 4 months before the end "
        "(2026-07 for the defaults); from then on 70% of units sold come from a bad batch, are "
        "reviewed 1-2 stars as broken (motor dies, stops working) and are refunded more often.",
    },
)


def shift(name: str) -> dict[str, Any]:
    """Return the planted pattern called ``name``."""
    for s in PLANTED_SHIFTS:
        if s["name"] == name:
            return s
    raise KeyError(name)


def start_month(name: str, months: int) -> int:
    """Return the window month (0-based) in which the planted pattern ``name`` starts."""
    start = shift(name)["start"]
    if start == "half":
        return months // 2
    return max(1, months + int(start))


@cache
def load_json(name: str) -> dict[str, Any]:
    """Parse one of the JSON data files shipped next to this module (once, then cached)."""
    return json.loads((HERE / name).read_text(encoding="utf-8"))


def _epoch(d: date) -> int:
    """Return seconds since 1970-01-01 for midnight at the start of ``d`` (naive, no time zone)."""
    return calendar.timegm((d.year, d.month, d.day, 0, 0, 0))


@dataclass(frozen=True)
class Window:
    """The calendar months the demo covers: ``months`` months ending with the month of ``end``."""

    months: int
    end: date
    bounds: np.ndarray  # epoch seconds: start of each month, then the second after ``end``
    calendar_month: np.ndarray  # 0-based calendar month (0 = January) of each window month
    labels: tuple[str, ...]  # "YYYY-MM" of each window month

    @classmethod
    def of(cls, months: int, end: date) -> Window:
        """Make the window of ``months`` months whose last month contains ``end`` (cut at ``end``)."""
        if months < 2:
            raise ValueError("months must be at least 2")
        starts = []
        year, month = end.year, end.month
        for _ in range(months):
            starts.append(date(year, month, 1))
            year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        starts.reverse()
        bounds = np.array([_epoch(d) for d in starts] + [_epoch(end) + 86_400], dtype=np.int64)
        return cls(
            months=months,
            end=end,
            bounds=bounds,
            calendar_month=np.array([d.month - 1 for d in starts]),
            labels=tuple(f"{d.year:04d}-{d.month:02d}" for d in starts),
        )

    @property
    def start_ts(self) -> int:
        """Epoch seconds of the window's first instant."""
        return int(self.bounds[0])

    @property
    def end_ts(self) -> int:
        """Epoch seconds one second past the window's last instant."""
        return int(self.bounds[-1])

    def month_of(self, ts: np.ndarray) -> np.ndarray:
        """Return the window month index (0-based) of each epoch-second timestamp."""
        return np.searchsorted(self.bounds, ts, side="right") - 1
