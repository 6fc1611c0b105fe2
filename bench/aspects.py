"""Review aspects against the truth: planted problems on the demo, real reviews in three languages, time at scale.

* **demo** (``--seeds``): the demo shop with every default, then encode, sentiment and aspects jobs as
  the Jobs page runs them. Reports, per seed, which planted problem products are alerted on their
  planted aspect (judged by what the product's complaining clauses on the alert's aspect were written
  about, from the demo's phrase book, ``_aspect_truth.py``), the grinder's onset against 2026-07-01,
  alerts on products where nothing was planted, alert precision and recall, and how pure the aspects
  are (purity, NMI).
* **real** (``--real N``): N reviews of each of Chinese online_shopping_10_cats, English women's
  clothing and Portuguese Olist, ingested as a shop (a product per clothing id and Olist product; a
  product per Chinese category), analysed the same way. Prints each category's aspects and, on reviews
  about one aspect, how well the clauses' sentiment and the whole review's agree with the stars
  (binary macro-F1, 3-star reviews left out; see :func:`real_scores`).
* **timing**: the aspects job's own seconds (clauses encoded on a store that had them not) and the
  machine's load, for each store.

    python bench/aspects.py [--seeds 0,1,2] [--real 3000] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from _aspect_truth import clause_truth  # noqa: E402

import insight  # noqa: E402
from insight.aspects.clauses import clause_table  # noqa: E402
from insight.jobs.runner import new_job, run_job  # noqa: E402
from insight.sentiment.evaluate import macro_f1  # noqa: E402
from insight.store import aspects as aspect_store  # noqa: E402

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
ONSET_DAYS = 45


def run_jobs(con, kinds=("encode", "sentiment", "aspects")) -> dict[str, float]:
    """Run each job with its defaults, as the Jobs page would; seconds per job."""
    seconds = {}
    for kind in kinds:
        started = time.perf_counter()
        job = new_job(con, kind, {})
        status = run_job(con, job, kind, {})
        if status != "done":
            raise SystemExit(
                f"{kind} job {status}: {con.execute('select error from jobs where job_id = ?', [job]).fetchone()}"
            )
        seconds[kind] = round(time.perf_counter() - started, 1)
    return seconds


def mentions_with_clauses(con) -> pd.DataFrame:
    """The current run's mentions with each clause's words and the review's product."""
    reviews = aspect_store.fetch_reviews(con)
    clauses = clause_table(reviews["review_id"], reviews["body"], reviews["title"])
    run = con.execute("select run_id from runs where kind = 'aspects' and is_current").fetchone()[0]
    mentions = con.execute(
        "select review_id, clause, aspect_id, label from aspect_mentions where run_id = ?", [run]
    ).df()
    return mentions.merge(clauses, on=["review_id", "clause"]).merge(
        reviews[["review_id", "item_id", "rating"]], on="review_id"
    )


def demo_check(seed: int) -> dict:
    """Alerts and aspects of the demo shop built with ``seed``, against its planted truth."""
    from insight.demo.build import build_demo_store

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "demo.duckdb"
        build_demo_store(path, seed=seed)
        con = insight.connect(path)
        seconds = run_jobs(con)
        scores = demo_scores(con, seed)
        con.close()
    return {**scores, "seconds": seconds, "load_after": round(os.getloadavg()[0], 2)}


def demo_scores(con, seed: int) -> dict:
    """The current aspects run of a demo store built with ``seed`` against its planted truth."""
    from sklearn.metrics import normalized_mutual_info_score

    from insight.demo.generate import planted_truth

    mentions = mentions_with_clauses(con)
    alerts = insight.aspect_alerts(con)
    mentions["truth"] = clause_truth(mentions["core"])
    written = mentions[(mentions["aspect_id"] >= 0) & (mentions["truth"] != "")]
    about = written[~written["truth"].isin(["openings", "closings", "titles", "short"])]
    purity = written.groupby("aspect_id")["truth"].agg(lambda t: t.value_counts().iloc[0]).sum() / len(written)
    truth = planted_truth(seed=seed)
    planted = {p["item_id"]: p["aspect"] for p in truth["defective_products"]}
    spike = truth["grinder_batch_spike"]
    planted[spike["item_id"]] = spike["aspect"]
    # what an alert is about: what its product's complaining clauses on the aspect were written about
    complaints = mentions[(mentions["label"] == "negative") & (mentions["truth"] != "")]
    about_alert = complaints.groupby(["item_id", "aspect_id"])["truth"].agg(lambda t: t.value_counts().index[0])
    alerts["written_about"] = [about_alert.get((a.item_id, a.aspect_id), "") for a in alerts.itertuples()]
    found = {
        item: bool(((alerts["item_id"] == item) & (alerts["written_about"] == aspect)).any())
        for item, aspect in planted.items()
    }
    grinder = alerts[(alerts["item_id"] == spike["item_id"]) & (alerts["written_about"] == spike["aspect"])]
    onset_days = int(abs((grinder["start"].min() - pd.Timestamp(spike["start"])).days)) if len(grinder) else None
    unplanted = sorted(set(alerts["item_id"]) - set(planted))
    on_target = alerts.apply(lambda a: planted.get(a["item_id"]) == a["written_about"], axis=1)
    return {
        "seed": seed,
        "alerts": len(alerts),
        "planted_found": found,
        "recall": round(sum(found.values()) / len(found), 3),
        "precision_products": round(float(alerts["item_id"].isin(list(planted)).mean()), 3) if len(alerts) else None,
        "precision_on_planted_aspect": round(float(on_target.mean()), 3) if len(alerts) else None,
        "grinder_onset": None if grinder.empty else str(grinder["start"].min().date()),
        "grinder_onset_days_off": onset_days,
        "unplanted_products": unplanted,
        "aspects": int(mentions.loc[mentions["aspect_id"] >= 0, "aspect_id"].nunique()),
        "purity": round(float(purity), 3),
        "nmi_aspect_clauses": round(float(normalized_mutual_info_score(about["truth"], about["aspect_id"])), 3),
    }


def real_files(folder: Path, n: int, seed: int = 0) -> Path:
    """Canonical items and reviews files of ``n`` real reviews per language."""
    rng = np.random.default_rng(seed)
    zh = pd.read_csv(SHARED / "online_shopping_10_cats" / "online_shopping_10_cats.csv", encoding="utf-8-sig")
    zh = zh.dropna(subset=["review"]).drop_duplicates("review")
    zh = zh.iloc[rng.permutation(len(zh))[:n]]
    en = pd.read_csv(SHARED / "womens_clothing_reviews" / "womens_clothing_ecommerce_reviews.csv")
    en = en.dropna(subset=["Review Text", "Class Name"])
    en = en.iloc[rng.permutation(len(en))[:n]]
    pt = pd.read_csv(SHARED / "olist" / "olist_order_reviews_dataset.csv").dropna(subset=["review_comment_message"])
    items = pd.read_csv(SHARED / "olist" / "olist_order_items_dataset.csv").drop_duplicates("order_id")
    products = pd.read_csv(SHARED / "olist" / "olist_products_dataset.csv")
    names = pd.read_csv(SHARED / "olist" / "product_category_name_translation.csv")
    pt = pt.merge(items[["order_id", "product_id"]], on="order_id").merge(products, on="product_id")
    pt = pt.merge(names, on="product_category_name", how="left").dropna(subset=["product_category_name_english"])
    pt = pt.iloc[rng.permutation(len(pt))[:n]]
    start = pd.Timestamp("2025-01-01")
    days = lambda k: (start + pd.to_timedelta(rng.integers(0, 365, k), unit="D")).strftime("%Y-%m-%d")  # noqa: E731
    zh_reviews = pd.DataFrame(
        {"item_id": "zh-" + zh["cat"], "rating": np.where(zh["label"] == 1, 5, 1), "title": "",
         "text": zh["review"].str.replace("\ufeff", ""), "timestamp": days(len(zh)), "language": "zh"}
    )  # fmt: skip
    en_reviews = pd.DataFrame(
        {"item_id": "en-" + en["Clothing ID"].astype(str), "rating": en["Rating"], "title": en["Title"].fillna(""),
         "text": en["Review Text"], "timestamp": days(len(en)), "language": "en"}
    )  # fmt: skip
    pt_reviews = pd.DataFrame(
        {"item_id": "pt-" + pt["product_id"], "rating": pt["review_score"],
         "title": pt["review_comment_title"].fillna(""), "text": pt["review_comment_message"],
         "timestamp": pt["review_creation_date"].str[:10], "language": "pt"}
    )  # fmt: skip
    reviews = pd.concat([zh_reviews, en_reviews, pt_reviews], ignore_index=True)
    reviews.insert(0, "review_id", [f"rv{k}" for k in range(len(reviews))])
    reviews.insert(1, "user_id", [f"u{k}" for k in range(len(reviews))])
    en_items, pt_items = en.drop_duplicates("Clothing ID"), pt.drop_duplicates("product_id")
    zh_cats = zh["cat"].unique()
    catalogue = pd.concat(
        [
            pd.DataFrame({"item_id": "zh-" + zh_cats, "title": zh_cats, "category": zh_cats}),
            pd.DataFrame(
                {"item_id": "en-" + en_items["Clothing ID"].astype(str), "title": en_items["Class Name"],
                 "category": en_items["Class Name"]}
            ),
            pd.DataFrame(
                {"item_id": "pt-" + pt_items["product_id"], "title": pt_items["product_category_name_english"],
                 "category": pt_items["product_category_name_english"]}
            ),
        ],
        ignore_index=True,
    )  # fmt: skip
    folder.mkdir(parents=True, exist_ok=True)
    catalogue.to_csv(folder / "items.csv", index=False)
    reviews.to_csv(folder / "reviews.csv", index=False)
    return folder


def real_check(n: int, categories: int = 6, keep: Path | None = None) -> dict:
    """Aspects of real reviews: lists for the biggest categories, clause vs review sentiment against stars.

    ``keep``: build the store in this folder and leave it there (to look at it, or time a second run).
    """
    with tempfile.TemporaryDirectory() as scratch:
        folder = keep or Path(scratch)
        files = real_files(Path(folder) / "files", n)
        con = insight.connect(Path(folder) / "real.duckdb")
        insight.ingest(files, db=con)
        seconds = run_jobs(con)
        scores = real_scores(con, categories)
        con.close()
    return {**scores, "seconds": seconds, "load_after": round(os.getloadavg()[0], 2)}


def scale_files(folder: Path, n: int) -> Path:
    """Canonical files of ``n`` reviews: every real review of the three sets, topped up with the demo shop's.

    The real sets hold about 89,000 reviews with text; the rest come from the demo generator (its own
    products and categories, ids prefixed ``demo-``), whose phrase book repeats clauses, so the top-up
    costs less encoding than real text would.
    """
    from insight.demo.generate import write_demo_files

    real = real_files(folder / "real", 10**6)
    reviews = pd.read_csv(real / "reviews.csv", dtype=str)
    items = pd.read_csv(real / "items.csv", dtype=str)
    missing = n - len(reviews)
    if missing > 0:
        demo = write_demo_files(folder / "demo", n_users=int(missing / 5) + 200)
        extra = pd.read_csv(demo["reviews"], dtype=str).head(missing)
        for column in ("review_id", "user_id", "item_id"):
            extra[column] = "demo-" + extra[column]
        shop = pd.read_csv(demo["items"], dtype=str).assign(item_id=lambda f: "demo-" + f["item_id"])
        reviews = pd.concat([reviews, extra[reviews.columns]], ignore_index=True)
        items = pd.concat([items, shop[items.columns]], ignore_index=True)
    out = folder / "files"
    out.mkdir(parents=True, exist_ok=True)
    items.to_csv(out / "items.csv", index=False)
    reviews.head(n).to_csv(out / "reviews.csv", index=False)
    return out


def scale_check(n: int, keep: Path | None = None) -> dict:
    """Seconds of the encode, sentiment and aspects jobs on a shop of ``n`` reviews, with what the run did."""
    with tempfile.TemporaryDirectory() as scratch:
        folder = keep or Path(scratch)
        files = scale_files(folder, n)
        con = insight.connect(folder / "scale.duckdb")
        insight.ingest(files, db=con)
        load_before = round(os.getloadavg()[0], 2)
        seconds = run_jobs(con)
        params = con.execute("select params from runs where kind = 'aspects' and is_current").fetchone()[0]
        record = json.loads(params) if isinstance(params, str) else params
        alerts = len(insight.aspect_alerts(con))
        con.close()
    return {
        "reviews": record["reviews"],
        "clauses": record["clauses"],
        "distinct_clauses": record["distinct_clauses"],
        "aspects": sum(c.get("aspects", 0) for c in record["categories"].values()),
        "alerts": alerts,
        "seconds": seconds,
        "load_before": load_before,
        "load_after": round(os.getloadavg()[0], 2),
    }


def _agreement(per: pd.DataFrame) -> dict:
    """Macro-F1 with the stars (1-2 negative, 4-5 positive) of the clauses' and the whole review's feeling."""
    stars = np.where(per["rating"] >= 4, "positive", "negative")
    out = {}
    for lang in ["all", "zh", "en", "pt"]:
        rows = np.ones(len(per), bool) if lang == "all" else (per["language"] == lang).to_numpy()
        if rows.sum() < 20:
            continue
        out[lang] = {
            "reviews": int(rows.sum()),
            "clause_f1": round(macro_f1(stars[rows], per["clauses"].to_numpy()[rows], ["negative", "positive"]), 3),
            "review_f1": round(macro_f1(stars[rows], per["whole"].to_numpy()[rows], ["negative", "positive"]), 3),
        }
    return out


def real_scores(con, categories: int = 6) -> dict:
    """The current aspects run of a real store: aspect lists, and clause vs review sentiment against the stars.

    Two readings of "a review with one aspect": *strict*, every clause of the review is on the same
    aspect (no verdict, nothing unplaced); *loose*, exactly one clause is on an aspect, whatever the
    others say. A review's feeling on its aspect is negative when any clause on it is, as on the page.
    """
    mentions = mentions_with_clauses(con)
    aspects = con.execute(
        "select category, label, mentions from aspects where run_id = "
        "(select run_id from runs where kind = 'aspects' and is_current) order by category, mentions desc"
    ).df()
    whole = con.execute(
        "select review_id, label as whole from sentiment_scores where run_id = "
        "(select run_id from runs where kind = 'sentiment' and is_current)"
    ).df()
    language = con.execute("select review_id, language from reviews").df()
    mentions = mentions.merge(whole, on="review_id").merge(language, on="review_id")
    mentions = mentions[mentions["rating"] != 3]
    one_aspect = mentions.groupby("review_id")["aspect_id"].agg(lambda a: a.nunique() == 1 and (a >= 0).all())
    placed = mentions[mentions["aspect_id"] >= 0]
    one_clause = placed.groupby("review_id").size() == 1
    readings = {}
    for name, keep in (("strict", one_aspect[one_aspect].index), ("loose", one_clause[one_clause].index)):
        rows = placed[placed["review_id"].isin(keep)]
        per = rows.groupby("review_id").agg(
            rating=("rating", "first"),
            language=("language", "first"),
            whole=("whole", "first"),
            negative=("label", lambda s: (s == "negative").any()),
            positive=("label", lambda s: (s == "positive").any()),
        )
        per["clauses"] = np.where(per["negative"], "negative", np.where(per["positive"], "positive", "neutral"))
        readings[name] = _agreement(per)
    # the biggest categories of each language in turn, so every language's aspects are shown
    written_in = con.execute(
        "select coalesce(i.category, '(no category)') as category, mode(r.language) as language "
        "from reviews r left join items i using (item_id) group by 1"
    ).df()
    sizes = aspects.groupby("category")["mentions"].sum().rename("size").reset_index().merge(written_in, on="category")
    sizes["rank"] = sizes.groupby("language")["size"].rank(ascending=False, method="first")
    biggest = sizes.sort_values(["rank", "size"], ascending=[True, False])["category"].head(categories)
    lists = {c: aspects[aspects["category"] == c].head(12)[["label", "mentions"]].values.tolist() for c in biggest}
    return {
        "reviews": int(len(mentions["review_id"].unique())),
        "placed": round(float((mentions["aspect_id"] >= 0).mean()), 3),
        "overall": round(float((mentions["aspect_id"] == -2).mean()), 3),
        "agreement_one_aspect": readings,
        "aspects": lists,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", default="0", help="demo seeds, comma-separated ('' skips the demo)")
    parser.add_argument("--real", type=int, default=0, help="real reviews per language (0 skips)")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    parser.add_argument("--keep", type=Path, help="build the real store in this folder and keep it")
    parser.add_argument("--scale", type=int, default=0, help="time the jobs on a shop of this many reviews (0 skips)")
    args = parser.parse_args()
    out = {"load_before": round(os.getloadavg()[0], 2), "demo": [], "real": None}
    for seed in [int(s) for s in args.seeds.split(",") if s.strip()]:
        result = demo_check(seed)
        out["demo"].append(result)
        print(json.dumps(result, ensure_ascii=False), flush=True)
    if args.real:
        out["real"] = real_check(args.real, keep=args.keep)
        print(json.dumps(out["real"], ensure_ascii=False, indent=1), flush=True)
    if args.scale:
        out["scale"] = scale_check(args.scale, keep=args.keep)
        print(json.dumps(out["scale"], ensure_ascii=False, indent=1), flush=True)
    if args.json:
        args.json.write_text(json.dumps(out, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
