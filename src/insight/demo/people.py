"""Demo users and their interest personas.

Each user writes in one language (about 70% English, 30% Chinese) and lives somewhere that fits it,
has 1-3 favourite categories with Dirichlet weights plus a little interest in everything else, and is
active in a run of months with an individual session rate. Two planted groups (see
``PLANTED_SHIFTS``) get a forced main interest before their shift and enough active months on both
sides of it for the change to show. ``month_weights`` gives a user's interest mix in any month, which
is where the planted shifts and the coffee trend take effect.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from insight.demo.catalog import categories, category_index
from insight.demo.plan import Window, load_json, shift, start_month

ZH_SHARE = 0.30
GROUPS = ("", "new_parents", "trail_converts")  # persona group codes 0, 1, 2


@dataclass
class Personas:
    """Per-user simulation state, aligned with the rows of the users frame."""

    lang: np.ndarray  # "en" / "zh"
    base: np.ndarray  # (users, categories) interest weights, rows sum to 1
    group: np.ndarray  # index into GROUPS
    active: np.ndarray  # (users, months) bool: months with any activity
    rate: np.ndarray  # expected sessions per active month
    signup_ts: np.ndarray  # epoch seconds
    age: np.ndarray


def _active_months(rng: np.random.Generator, months: int, must: tuple[int, int] | None) -> np.ndarray:
    """Draw the months a user is active in.

    About half the users are there from the start, the rest sign up later; about 60% stay to the
    end, the rest churn; a few random months off in between. ``must`` = (latest first month,
    earliest last month) the run has to cover.
    """
    first = 0 if rng.random() < 0.55 else int(rng.integers(0, max(1, months - 2)))
    last = months - 1 if rng.random() < 0.6 else int(rng.integers(min(first + 2, months - 1), months))
    if must is not None:
        first, last = min(first, must[0]), max(last, must[1])
    row = np.zeros(months, dtype=bool)
    row[first : last + 1] = True
    gaps = rng.random(months) < 0.12
    gaps[[first, last]] = False
    return row & ~gaps


def build_users(rng: np.random.Generator, n_users: int, window: Window) -> tuple[pd.DataFrame, Personas]:
    """Build the users frame (canonical columns) and the matching personas."""
    cats = categories()
    ci = category_index()
    n_cat, months = len(cats), window.months
    prior = np.array([c["prior"] for c in cats])
    lang = np.where(rng.random(n_users) < ZH_SHARE, "zh", "en")

    order = rng.permutation(n_users)
    n_parents = round(shift("new_parents")["share_of_users"] * n_users)
    n_trail = round(shift("trail_converts")["share_of_users"] * n_users)
    group = np.zeros(n_users, dtype=int)
    group[order[:n_parents]] = 1
    group[order[n_parents : n_parents + n_trail]] = 2

    # planted groups: main interest forced to the shift's "from" category, none in its "to" category
    planted = {code: (ci[shift(g)["from_category"]], ci[shift(g)["to_category"]]) for code, g in enumerate(GROUPS) if g}
    base = np.zeros((n_users, n_cat))
    for u in range(n_users):
        k = int(rng.choice([1, 2, 3], p=[0.3, 0.45, 0.25]))
        p = prior.copy()
        forced, banned = planted.get(int(group[u]), (None, None))
        if forced is not None:
            p[[forced, banned]] = 0.0
        favs = list(rng.choice(n_cat, size=k, replace=False, p=p / p.sum()))
        w = np.sort(rng.dirichlet(np.full(k, 2.0)))[::-1]
        if forced is not None:
            favs = [forced, *favs[: k - 1]]
            rest = w[: k - 1] / max(w[: k - 1].sum(), 1e-9) * 0.4
            w = np.concatenate([[0.6], rest]) if k > 1 else np.ones(1)
        base[u, favs] = w * 0.85
        base[u] += 0.15 * prior / prior.sum()
        if forced is not None:
            base[u, banned] = 0.005
        base[u] /= base[u].sum()

    active = np.zeros((n_users, months), dtype=bool)
    spans = {code: start_month(g, months) for code, g in enumerate(GROUPS) if g}
    for u in range(n_users):
        s = spans.get(int(group[u]))
        must = (max(0, s - 3), min(months - 1, s + 2)) if s is not None else None
        active[u] = _active_months(rng, months, must)
    rate = rng.lognormal(np.log(3.2), 0.55, n_users)

    age = np.clip(np.round(rng.normal(38, 12, n_users)), 18, 70).astype(int)
    age[group == 1] = rng.integers(25, 41, int((group == 1).sum()))
    first_active = active.argmax(axis=1)
    first_ts = window.bounds[first_active]
    before = rng.integers(1, 900, n_users) * 86_400  # signed up 1 day to ~2.5 years before
    after = rng.integers(0, 5, n_users) * 86_400  # new customers: signed up in their first month
    signup_ts = np.where(first_active == 0, first_ts - before, first_ts + after)
    signup_ts = np.minimum(signup_ts, window.bounds[first_active + 1] - 4 * 3600)  # short last month

    places = load_json("people.json")["locations"]
    country, city = [], []
    for lg in lang:
        opts = places[str(lg)]
        w = np.array([o["weight"] for o in opts])
        place = opts[int(rng.choice(len(opts), p=w / w.sum()))]
        country.append(place["country"])
        city.append(place["cities"][int(rng.integers(len(place["cities"])))])

    users = pd.DataFrame(
        {
            "user_id": [f"u{i + 1:05d}" for i in range(n_users)],
            "country": country,
            "city": city,
            "age": age,
            "signup_date": pd.to_datetime(signup_ts, unit="s").strftime("%Y-%m-%d"),
        }
    )
    return users, Personas(lang, base, group, active, rate, signup_ts, age)


def month_weights(p: Personas, month: int, window: Window) -> np.ndarray:
    """Return every user's category interest mix in window month ``month`` (rows sum to 1).

    Applies, in order: the planted interest shifts, the gift-season boost (November and December
    favour giftable categories), and the coffee trend blended into everyone's mix.
    """
    ci = category_index()
    w = p.base.copy()
    for code, name in enumerate(GROUPS):
        if name and month >= start_month(name, window.months):
            s = shift(name)
            rows = p.group == code
            w[rows, ci[s["from_category"]]] *= 0.08
            w[rows, ci[s["to_category"]]] += 0.6
    if window.calendar_month[month] in (10, 11):
        w *= np.array([c["gift"] for c in categories()])
    w /= w.sum(axis=1, keepdims=True)
    trend = shift("coffee_trend")
    k = month - start_month("coffee_trend", window.months)
    if k >= 0:
        alpha = trend["ramp"][min(k, len(trend["ramp"]) - 1)]
        w *= 1 - alpha
        w[:, ci[trend["category"]]] += alpha
    return w
