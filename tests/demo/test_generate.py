"""The generated demo data: canonical files, deterministic, internally consistent, patterns visible."""

from __future__ import annotations

import json
import re
import time
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from insight.demo import PLANTED_SHIFTS, planted_truth, write_demo_files

EXPECTED_HEADERS = {
    "items": "item_id,title,category,description,price,language",
    "users": "user_id,country,city,age,signup_date",
    "events": "user_id,item_id,event_type,timestamp,quantity,value,query",
    "reviews": "review_id,user_id,item_id,rating,title,text,timestamp,language",
}
EVENT_TYPES = {"view", "search", "cart", "fav", "purchase", "refund"}
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
CJK = re.compile(r"[\u4e00-\u9fff]")
SMALL = {"n_users": 120, "months": 8, "end": date(2026, 6, 30)}


def read(paths: dict[str, Path]) -> dict[str, pd.DataFrame]:
    return {name: pd.read_csv(path, dtype=str, keep_default_na=False) for name, path in paths.items()}


@pytest.fixture(scope="module")
def default_run(tmp_path_factory) -> tuple[dict[str, Path], float]:
    out = tmp_path_factory.mktemp("demo_default")
    start = time.perf_counter()
    paths = write_demo_files(out)
    return paths, time.perf_counter() - start


@pytest.fixture(scope="module")
def t(default_run) -> dict[str, pd.DataFrame]:
    tables = read(default_run[0])
    events, items = tables["events"], tables["items"]
    events["category"] = events["item_id"].map(dict(zip(items["item_id"], items["category"], strict=True)))
    return tables


@pytest.fixture(scope="module")
def truth() -> dict:
    return planted_truth()


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> dict[str, pd.DataFrame]:
    return read(write_demo_files(tmp_path_factory.mktemp("demo_small"), seed=7, **SMALL))


# --- files and format -------------------------------------------------------------------------


def test_writes_the_four_files_with_exact_canonical_headers(default_run):
    paths, _ = default_run
    assert set(paths) == set(EXPECTED_HEADERS)
    for name, path in paths.items():
        assert path.name == f"{name}.csv" and path.is_file()
        assert path.read_text(encoding="utf-8").split("\n", 1)[0] == EXPECTED_HEADERS[name]


def test_default_size_counts_and_speed(default_run, t):
    _, seconds = default_run
    assert seconds < 10
    assert 150 <= len(t["items"]) <= 250
    assert t["items"]["category"].nunique() == 10
    assert len(t["users"]) == 600
    assert 50_000 <= len(t["events"]) <= 120_000
    assert 3_000 <= len(t["reviews"]) <= 6_000


def test_same_seed_gives_identical_bytes_and_another_seed_differs(tmp_path):
    a = write_demo_files(tmp_path / "a", seed=3, **SMALL)
    b = write_demo_files(tmp_path / "b", seed=3, **SMALL)
    c = write_demo_files(tmp_path / "c", seed=4, **SMALL)
    for name in EXPECTED_HEADERS:
        assert a[name].read_bytes() == b[name].read_bytes(), name
    assert any(a[name].read_bytes() != c[name].read_bytes() for name in ("users", "events", "reviews"))


def test_timestamps_are_iso_and_inside_the_window(t, small):
    for tables, first, last in (
        (t, "2025-11-01", "2026-10-31 23:59:59"),
        (small, "2025-11-01", "2026-06-30 23:59:59"),
    ):
        for name in ("events", "reviews"):
            ts = tables[name]["timestamp"]
            assert ts.str.match(TIMESTAMP).all()
            assert ts.min() >= first and ts.max() <= last


def test_users_are_plausible(t):
    users = t["users"]
    assert users["user_id"].str.match(r"^u\d{5}$").all() and users["user_id"].is_unique
    assert users["age"].astype(int).between(18, 70).all()
    assert users["signup_date"].str.match(r"^\d{4}-\d{2}-\d{2}$").all()
    first_event = t["events"].groupby("user_id")["timestamp"].min()
    signup = users.set_index("user_id")["signup_date"].reindex(first_event.index)
    assert (signup <= first_event.str[:10]).all()


def test_items_are_realistic_and_bilingual(t):
    items = t["items"]
    assert items["item_id"].is_unique and items["title"].is_unique
    assert set(items["language"]) == {"en", "zh"}
    assert 0.2 <= (items["language"] == "zh").mean() <= 0.4
    zh = items[items["language"] == "zh"]
    assert (
        zh["title"].str.contains(CJK).all()
        and not items.loc[items["language"] == "en", "title"].str.contains(CJK).any()
    )
    assert (items["price"].astype(float) > 0).all() and items["price"].str.match(r"^\d+\.\d{2}$").all()
    minimum = items["language"].map({"en": 60, "zh": 15})  # a sentence or two about the product
    assert (items["description"].str.len() > minimum).all()


# --- events -----------------------------------------------------------------------------------


def test_event_fields_follow_the_event_type(t):
    ev = t["events"]
    assert set(ev["event_type"]) == EVENT_TYPES
    search = ev["event_type"] == "search"
    assert (ev.loc[search, "item_id"] == "").all() and (ev.loc[search, "query"] != "").all()
    assert (ev.loc[~search, "item_id"] != "").all() and (ev.loc[~search, "query"] == "").all()
    money = ev["event_type"].isin(["purchase", "refund"])
    assert (ev.loc[~money, ["quantity", "value"]] == "").all().all()
    assert (ev.loc[money, "quantity"].astype(int) >= 1).all()


def test_purchase_value_is_quantity_times_price(t):
    ev = t["events"]
    price = t["items"].set_index("item_id")["price"].astype(float)
    money = ev[ev["event_type"].isin(["purchase", "refund"])]
    expected = (money["quantity"].astype(int) * money["item_id"].map(price)).round(2)
    assert money["value"].str.match(r"^\d+\.\d{2}$").all()
    assert ((money["value"].astype(float) - expected).abs() < 0.005).all()


def test_funnel_has_realistic_proportions(t):
    n = t["events"]["event_type"].value_counts()
    assert 14 <= n["view"] / n["purchase"] <= 26
    assert 2.5 <= n["cart"] / n["purchase"] <= 5
    assert 0.01 <= n["refund"] / n["purchase"] <= 0.06
    assert n["search"] > 1000 and n["fav"] > 1000


def test_refunds_follow_purchases(t):
    ev = t["events"]
    bought = ev[ev["event_type"] == "purchase"].groupby(["user_id", "item_id"])["timestamp"].min()
    refunds = ev[ev["event_type"] == "refund"]
    first = bought.reindex(pd.MultiIndex.from_frame(refunds[["user_id", "item_id"]]))
    assert first.notna().all() and (first.to_numpy() < refunds["timestamp"].to_numpy()).all()


def test_searches_are_in_the_users_language(t):
    users = t["users"].set_index("user_id")
    search = t["events"][t["events"]["event_type"] == "search"]
    zh_user = search["user_id"].map(users["country"]).eq("CN")
    has_cjk = search["query"].str.contains(CJK)
    assert (has_cjk == zh_user).all()


def test_christmas_is_busier_than_spring(t):
    per_month = t["events"]["timestamp"].str[:7].value_counts()
    assert per_month["2025-12"] > 1.3 * per_month["2026-03"]


# --- reviews ----------------------------------------------------------------------------------


def test_every_review_follows_a_purchase_by_its_author(t, small):
    for tables in (t, small):
        ev, rv = tables["events"], tables["reviews"]
        bought = ev[ev["event_type"] == "purchase"].groupby(["user_id", "item_id"])["timestamp"].min()
        first = bought.reindex(pd.MultiIndex.from_frame(rv[["user_id", "item_id"]]))
        assert first.notna().all()
        assert (first.to_numpy() < rv["timestamp"].to_numpy()).all()


def test_ratings_languages_and_shapes(t):
    rv, users = t["reviews"], t["users"].set_index("user_id")
    assert rv["review_id"].is_unique
    assert set(rv["rating"]) == {"1", "2", "3", "4", "5"}
    assert set(rv["language"]) == {"en", "zh"}
    is_cn = rv["user_id"].map(users["country"]).eq("CN")
    assert (rv["language"].eq("zh") == is_cn).all()
    assert rv.loc[rv["language"] == "zh", "text"].str.contains(CJK).all()
    assert not rv.loc[rv["language"] == "en", "text"].str.contains(CJK).any()
    assert 0.1 <= (rv["title"] == "").mean() <= 0.4
    assert 0.02 <= (rv["text"].str.len() <= 12).mean() <= 0.12  # "Great!", "很好"
    assert rv["text"].nunique() > 0.5 * len(rv)


def test_review_sentiment_matches_the_rating(t):
    phrases = json.loads((Path(__file__).parents[2] / "src/insight/demo/reviews.json").read_text("utf-8"))
    # English complaints after "However, " start in lower case, so compare case-insensitively
    complaints = {s.lower() for a in phrases["aspects"].values() for lang in a.values() for s in lang["neg"]}
    praise = {s.lower() for a in phrases["aspects"].values() for lang in a.values() for s in lang["pos"]}
    rv = t["reviews"].assign(text=t["reviews"]["text"].str.lower())
    top, low = rv.loc[rv["rating"] == "5", "text"], rv.loc[rv["rating"].isin(["1", "2"]), "text"]
    assert not any(c in text for text in top for c in complaints)
    assert not any(p in text for text in low for p in praise)
    mixed = rv.loc[rv["rating"] == "3", "text"]
    both = mixed.map(lambda text: any(p in text for p in praise) and any(c in text for c in complaints))
    assert both.mean() > 0.5


# --- planted patterns -------------------------------------------------------------------------


def test_planted_shifts_are_documented(truth):
    names = {s["name"] for s in PLANTED_SHIFTS}
    assert {"new_parents", "trail_converts", "coffee_trend", "grinder_batch_spike"} <= names
    assert all(len(s["description"]) > 40 for s in PLANTED_SHIFTS)
    assert len(truth["new_parents"]["users"]) == 60 and len(truth["trail_converts"]["users"]) == 48
    assert truth["new_parents"]["start"] == "2026-05-01"
    assert truth["grinder_batch_spike"]["start"] == "2026-07-01"


def _share(events: pd.DataFrame, users: list[str], category: str, before: str) -> tuple[float, float]:
    """Share of ``category`` in the item events of ``users`` before and after ``before``."""
    ev = events[events["user_id"].isin(users) & (events["item_id"] != "")]
    early, late = ev[ev["timestamp"] < before], ev[ev["timestamp"] >= before]
    return (early["category"] == category).mean(), (late["category"] == category).mean()


@pytest.mark.parametrize("group", ["new_parents", "trail_converts"])
def test_planted_interest_shift_is_visible(t, truth, group):
    spec = truth[group]
    to_before, to_after = _share(t["events"], spec["users"], spec["to_category"], spec["start"])
    from_before, from_after = _share(t["events"], spec["users"], spec["from_category"], spec["start"])
    assert to_after > to_before + 0.3 and to_after > 5 * to_before
    assert from_before > from_after + 0.3
    purchases = t["events"][t["events"]["event_type"] == "purchase"]
    buy_before, buy_after = _share(purchases, spec["users"], spec["to_category"], spec["start"])
    assert buy_after > buy_before + 0.2


def test_gaming_to_baby_shift_survives_small_runs(tmp_path):
    tables = read(write_demo_files(tmp_path, seed=11, **SMALL))
    items = tables["items"]
    tables["events"]["category"] = tables["events"]["item_id"].map(
        dict(zip(items["item_id"], items["category"], strict=True))
    )
    spec = planted_truth(seed=11, **SMALL)["new_parents"]
    before, after = _share(tables["events"], spec["users"], spec["to_category"], spec["start"])
    assert after > before + 0.3


def test_coffee_trend_grows_in_the_last_three_months(t, truth):
    ev = t["events"][t["events"]["item_id"] != ""]
    late = ev["timestamp"] >= truth["coffee_trend"]["start"]
    coffee = ev["category"] == truth["coffee_trend"]["category"]
    assert coffee[late].mean() > 2.5 * coffee[~late].mean()
    queries = t["events"].loc[t["events"]["event_type"] == "search", ["timestamp", "query"]]
    trend = queries["query"].str.contains("cold brew|matcha|冷萃|抹茶")
    trend_late = queries["timestamp"] >= truth["coffee_trend"]["start"]
    assert trend[trend_late].mean() > 3 * trend[~trend_late].mean()


def test_defective_products_get_bad_reviews_about_one_aspect(t, truth):
    rv = t["reviews"]
    words = {"leaks": "leak|漏水|渗水", "size_fit": "size|small|tight|narrow|尺码|码", "smell": "smell|味"}
    for product in truth["defective_products"]:
        mine = rv[rv["item_id"] == product["item_id"]]
        assert len(mine) >= 10
        assert mine["rating"].astype(int).mean() < 2.6
        low = mine[mine["rating"].astype(int) <= 2]
        assert len(low) > 0.6 * len(mine)  # mostly 1-2 stars
        assert low["text"].str.contains(words[product["aspect"]]).mean() > 0.6, product


def test_quality_spike_lowers_ratings_after_its_start(t, truth):
    spike = truth["grinder_batch_spike"]
    mine = t["reviews"][t["reviews"]["item_id"] == spike["item_id"]]
    stars = mine["rating"].astype(int)
    before, after = stars[mine["timestamp"] < spike["start"]], stars[mine["timestamp"] >= spike["start"]]
    assert len(before) >= 10 and len(after) >= 10
    assert after.mean() < before.mean() - 1.0
    broken = mine["text"].str.contains("broke|stopped working|died|won't turn on|坏|烧")
    assert broken[mine["timestamp"] >= spike["start"]].mean() > 3 * max(
        broken[mine["timestamp"] < spike["start"]].mean(), 0.05
    )
    sales = t["events"][t["events"]["event_type"] == "purchase"]["item_id"].value_counts()
    assert spike["item_id"] in sales.index[:10]  # a best-seller


def test_no_duplicate_event_rows(t):
    assert not t["events"].drop(columns="category").duplicated().any()
