"""Simulate shopping sessions: searches, views, favourites, carts, purchases and refunds.

A user's active months each get a Poisson number of sessions (scaled by seasonality: Black Friday and
Christmas are busiest). A session is about one category drawn from the user's interest mix for that
month (``people.month_weights``, where the planted shifts live); it may open with a search phrased
in the user's language, then views a few products of that category (mostly in the user's language,
weighted by popularity). Each view may lead to a favourite or a cart, and a cart to a purchase at
checkout, giving roughly view:cart:purchase = 20:4:1. Purchases of planted defective units are
flagged and refunded more often. Everything is vectorised over sessions, so the defaults take well
under a second.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from insight.demo.catalog import categories
from insight.demo.people import Personas, month_weights
from insight.demo.plan import Window, load_json, shift, start_month

P_SEARCH, P_FAV, P_CART, P_BUY_GIVEN_CART = 0.35, 0.07, 0.21, 0.32
P_REFUND, P_REFUND_DEFECTIVE = 0.025, 0.2
OTHER_LANGUAGE_WEIGHT = 0.12  # how often users look at listings not in their language


def _session_starts(rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Draw session start times in ``[lo, hi)``, with a realistic hour-of-day profile."""
    hours = np.array(load_json("people.json")["hour_activity"]["weights"])
    day = rng.integers(lo // 86_400, (hi - 1) // 86_400 + 1)
    hour = rng.choice(24, size=len(lo), p=hours / hours.sum())
    ts = day * 86_400 + hour * 3600 + rng.integers(0, 3600, len(lo))
    late = lo + rng.integers(0, 3600, len(lo))
    return np.clip(np.where(ts < lo, late, ts), lo, hi - 7200)


def _pick_items(rng: np.random.Generator, items: pd.DataFrame, cat: np.ndarray, lang: np.ndarray):
    """Draw one item row per (category, user language) pair, by popularity and language preference."""
    out = np.empty(len(cat), dtype=np.int64)
    r = rng.random(len(cat))
    item_cat = items["cat"].to_numpy()
    item_lang = items["language"].to_numpy()
    for c in np.unique(cat):
        rows = np.flatnonzero(item_cat == c)
        for lg in ("en", "zh"):
            sel = np.flatnonzero((cat == c) & (lang == lg))
            if len(sel) == 0:
                continue
            same = np.where(item_lang[rows] == lg, 1.0, OTHER_LANGUAGE_WEIGHT)
            w = items["popularity"].to_numpy()[rows] * same
            cum = np.cumsum(w) / w.sum()
            out[sel] = rows[np.minimum(np.searchsorted(cum, r[sel]), len(rows) - 1)]
    return out


def _query(rng: np.random.Generator, cat: dict, lang: str, trending: bool) -> str:
    """Phrase a search about ``cat`` in ``lang``; mostly trend terms for the trend category when trending."""
    if trending and "trend_queries" in cat and rng.random() < 0.6:
        terms = cat["trend_queries"][lang]
        return terms[int(rng.integers(len(terms)))]
    t = cat["types"][lang][int(rng.integers(len(cat["types"][lang])))]
    templates = load_json("catalog.json")["query_templates"][lang]
    q = templates[int(rng.integers(len(templates)))]
    attr = t["attrs"][int(rng.integers(len(t["attrs"])))]
    variant = t["variants"][int(rng.integers(len(t["variants"])))]
    text = q.format(type=t["name"], attr=attr, variant=variant)
    return text.lower().replace(",", "") if lang == "en" else text


def simulate(rng: np.random.Generator, p: Personas, items: pd.DataFrame, window: Window):
    """Simulate all events (one frame, sorted by time) and the purchases behind them.

    Returns ``(events, purchases)``. ``events`` has ``ts`` (epoch seconds), ``user`` and ``item`` (row
    positions, item -1 for searches), ``event_type``, ``quantity`` (0 when unset), ``value`` (NaN when
    unset) and ``query``. ``purchases`` has ``user``, ``item``, ``ts``, ``quantity`` and ``defective``.
    """
    cats = categories()
    months = window.months
    season = np.array(load_json("people.json")["month_activity"]["weights"])[window.calendar_month]
    counts = rng.poisson(p.rate[:, None] * season[None, :]) * p.active
    s_user, s_month = np.nonzero(counts)
    reps = counts[s_user, s_month]
    s_user, s_month = np.repeat(s_user, reps), np.repeat(s_month, reps)

    cum = np.cumsum(np.stack([month_weights(p, m, window) for m in range(months)]), axis=2)
    s_cat = (cum[s_month, s_user] < rng.random(len(s_user))[:, None]).sum(axis=1)
    s_cat = np.minimum(s_cat, len(cats) - 1)
    lo = np.maximum(window.bounds[s_month], p.signup_ts[s_user] + 3600)
    s_start = _session_starts(rng, lo, window.bounds[s_month + 1])
    s_lang = p.lang[s_user]

    # views: a geometric number per session, spaced 20 s - 4 min apart
    n_views = rng.geometric(0.27, len(s_user))
    v_sess = np.repeat(np.arange(len(s_user)), n_views)
    gaps = rng.integers(20, 240, len(v_sess))
    first = np.r_[0, np.cumsum(n_views)[:-1]]
    offsets = np.cumsum(gaps) - np.repeat(np.cumsum(gaps)[first] - gaps[first], n_views)
    v_ts = s_start[v_sess] + offsets
    v_item = _pick_items(rng, items, s_cat[v_sess], s_lang[v_sess])
    v_user = s_user[v_sess]
    s_end = np.zeros(len(s_user), dtype=np.int64)
    np.maximum.at(s_end, v_sess, v_ts)

    is_fav = rng.random(len(v_sess)) < P_FAV
    is_cart = rng.random(len(v_sess)) < P_CART
    is_buy = is_cart & (rng.random(len(v_sess)) < P_BUY_GIVEN_CART)
    price = items["price"].to_numpy()
    consumable = np.array([c["consumable"] for c in cats])[items["cat"].to_numpy()]
    b_item = v_item[is_buy]
    extra = np.where(
        consumable[b_item],
        np.minimum(rng.geometric(0.6, len(b_item)) - 1, 3),
        (rng.random(len(b_item)) < 0.06).astype(int),
    )
    b_qty = 1 + extra
    b_ts = s_end[v_sess[is_buy]] + rng.integers(60, 600, len(b_item))
    b_user = v_user[is_buy]

    role = items["role"].to_numpy()[b_item]
    spike_from = window.bounds[start_month("grinder_batch_spike", months)]
    faulty = rng.random(len(b_item))
    defective = ((role == "defect") & (faulty < shift("defective_products")["defective_share"])) | (
        (role == "spike") & (b_ts >= spike_from) & (faulty < shift("grinder_batch_spike")["defective_share"])
    )
    refund = rng.random(len(b_item)) < np.where(defective, P_REFUND_DEFECTIVE, P_REFUND)
    r_ts = b_ts + rng.integers(2, 21, len(b_item)) * 86_400 + rng.integers(0, 86_400, len(b_item))
    refund &= r_ts < window.end_ts

    has_search = rng.random(len(s_user)) < P_SEARCH
    trend_from = start_month("coffee_trend", months)
    queries = [
        _query(rng, cats[c], str(lg), m >= trend_from)
        for c, lg, m in zip(s_cat[has_search], s_lang[has_search], s_month[has_search], strict=True)
    ]

    def frame(ts, user, item, etype, qty=None, value=None, query=None) -> pd.DataFrame:
        n = len(ts)
        return pd.DataFrame(
            {
                "ts": np.asarray(ts, dtype=np.int64),
                "user": user,
                "item": item,
                "event_type": etype,
                "quantity": np.zeros(n, dtype=int) if qty is None else qty,
                "value": np.full(n, np.nan) if value is None else value,
                "query": [""] * n if query is None else query,
            }
        )

    events = pd.concat(
        [
            frame(
                s_start[has_search] - rng.integers(5, 40, int(has_search.sum())),
                s_user[has_search],
                -1,
                "search",
                query=queries,
            ),
            frame(v_ts, v_user, v_item, "view"),
            frame(v_ts[is_fav] + rng.integers(3, 30, int(is_fav.sum())), v_user[is_fav], v_item[is_fav], "fav"),
            frame(
                v_ts[is_cart] + rng.integers(5, 45, int(is_cart.sum())),
                v_user[is_cart],
                v_item[is_cart],
                "cart",
            ),
            frame(b_ts, b_user, b_item, "purchase", b_qty, np.round(b_qty * price[b_item], 2)),
            frame(
                r_ts[refund],
                b_user[refund],
                b_item[refund],
                "refund",
                b_qty[refund],
                np.round(b_qty[refund] * price[b_item[refund]], 2),
            ),
        ],
        ignore_index=True,
    )
    events = events[(events["ts"] >= window.start_ts) & (events["ts"] < window.end_ts)]
    # the same product viewed twice in a session can yield two identical rows: keep one
    events = events.drop_duplicates(["ts", "user", "item", "event_type"])
    events = events.sort_values(["ts", "user"], kind="stable").reset_index(drop=True)
    keep = b_ts < window.end_ts
    purchases = pd.DataFrame({"user": b_user, "item": b_item, "ts": b_ts, "quantity": b_qty, "defective": defective})[
        keep
    ].reset_index(drop=True)
    return events, purchases
