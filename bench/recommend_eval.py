"""Offline evaluation of insight's recommender on UCI Online Retail, against popularity and ALS.

Time split: train on every event before --split-date, test on the purchases from then to --test-until
(default: the end of the data, 2011-12-09) by shoppers who also bought before it. Items a shopper had
bought before the split are neither recommended nor counted as hits, for every policy (see
insight.recommendations.evaluate). insight runs at each exploration level (Thompson sampling over interest
areas, seed fixed); popularity and ALS (the `implicit` package) once.

The store is built once, by the ordinary paths (ingest, then the encode job on item texts only), at
--db (default bench/.cache/online_retail.duckdb); pass an existing store with encoded items to skip that.

    python bench/recommend_eval.py [--split-date 2011-09-01] [--test-until DATE] [--k 10]
                                   [--levels 0 0.1 0.2 0.4] [--policy thompson] [--db PATH]

The defaults of the ranker and of ALS were chosen on a validation split that ends where this test
begins: --split-date 2011-06-01 --test-until 2011-09-01.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
import _data  # noqa: E402

import insight  # noqa: E402
from insight.encode.job import encode_store  # noqa: E402
from insight.recommendations import evaluate_recommendations  # noqa: E402

CACHE = Path(__file__).parent / ".cache"
MODEL = "all-MiniLM-L6-v2"  # Online Retail's titles are English


def open_store(path: Path):
    """The Online Retail store at ``path``, ingested and item-encoded on first use."""
    fresh = not path.exists()
    con = insight.connect(path)
    if fresh:
        print(f"building {path}: ingest (about 30 s), then encode item titles", file=sys.stderr)
        print(insight.ingest(_data.SHARED / "online_retail", db=con).to_text(), file=sys.stderr)
    encode_store(con, model=MODEL, sources=("item",), record_run=False)  # a no-op when all are encoded
    return con


def markdown(frame: pd.DataFrame) -> str:
    """A GitHub markdown table: text left-aligned, numbers right-aligned (metrics to 4 places)."""
    numeric = [pd.api.types.is_numeric_dtype(frame[c]) for c in frame.columns]
    header = "| " + " | ".join(frame.columns) + " |"
    rule = "|" + "|".join("--:" if n else ":--" for n in numeric) + "|"
    cells = [
        [
            f"{v:g}" if c == "exploration" else f"{v:.4f}" if isinstance(v, float) else str(v)
            for c, v in zip(frame.columns, row, strict=True)
        ]
        for row in frame.itertuples(index=False)
    ]
    return "\n".join([header, rule, *("| " + " | ".join(r) + " |" for r in cells)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split-date", default="2011-09-01")
    parser.add_argument("--test-until", default=None)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--levels", type=float, nargs="+", default=[0.0, 0.1, 0.2, 0.4])
    parser.add_argument("--policy", default="thompson", choices=["thompson", "ucb"])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--db", type=Path, default=CACHE / "online_retail.duckdb")
    args = parser.parse_args()

    args.db.parent.mkdir(parents=True, exist_ok=True)
    con = open_store(args.db)
    start = time.perf_counter()
    result = evaluate_recommendations(
        con,
        split_date=args.split_date,
        test_until=args.test_until,
        k=args.k,
        exploration_levels=tuple(args.levels),
        model=MODEL,
        policy=args.policy,
        seed=args.seed,
    )
    seconds = time.perf_counter() - start
    a = result.attrs
    print(
        f"Online Retail, train before {a['split_date']}, test to {a['test_until'] or 'the end'}: "
        f"{a['users']:,} shoppers, {a['catalogue']:,} items, k={a['k']}, policy {a['policy']}, "
        f"{seconds:.0f} s for the whole evaluation\n"
    )
    print(markdown(result))


if __name__ == "__main__":
    main()
