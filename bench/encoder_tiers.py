"""Encoder tiers against each other on real reviews: speed on 2 cores, and what each costs in quality.

For every tier of multilingual-e5-small (``--tiers``), on the same machine in one run:

* **speed** — distinct real reviews (Chinese online_shopping_10_cats, English women's clothing,
  Portuguese Olist; ``--n`` of each), encoded warm; texts/s and the hours 1,000,000 distinct reviews
  would take at that rate;
* **agreement** — cosine of each text's vector with the full model's (mean and 5th percentile);
* **sentiment** — binary macro-F1 of the shipped head on the tier's vectors (English clothing
  departments the head never trained on; Chinese test side);
* **interest** (unless ``--no-interest``) — the real-data rows of the truth bench (``truth_mixed.py``:
  segments' NMI with interest and language, precision and reach of free-text interests typed in either
  language), each tier analysed in a process of its own with ``INSIGHT_ENCODER`` set to it.

    python bench/encoder_tiers.py [--n 1000] [--tiers multilingual-e5-small,multilingual-e5-small-fast]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
import _data  # noqa: E402
from sentiment_eval import samples  # noqa: E402

from insight.encode import get_encoder  # noqa: E402
from insight.encode.models import E5, E5_FAST  # noqa: E402
from insight.sentiment.evaluate import macro_f1  # noqa: E402
from insight.sentiment.model import default_head, score_vectors  # noqa: E402

MILLION = 1_000_000
INTEREST_ROWS = ("NMI", "precision", "reach")


def speed_texts(n: int) -> list[str]:
    """``n`` distinct reviews of each language, shuffled together the same way every run."""
    chinese = _data.chinese()["text"].drop_duplicates().sample(n, random_state=7)
    english = _data.english()["text"].drop_duplicates().sample(n, random_state=7)
    portuguese = _data.portuguese()["text"].drop_duplicates()
    portuguese = portuguese.sample(min(n, len(portuguese)), random_state=7)
    return pd.concat([chinese, english, portuguese]).sample(frac=1.0, random_state=7).tolist()


def sentiment_sets() -> dict[str, pd.DataFrame]:
    """The truth bench's held-out sets for the shipped head (``truth_sentiment.py``)."""
    chinese, _ = samples(_data.chinese(), n_test=800, n_train=0, seed=0)
    return {"en out of domain": _data.english_pools()["out_of_domain"], "zh": chinese}


def sentiment_f1(tier: str, frame: pd.DataFrame) -> float:
    """Binary macro-F1 of the shipped head, with its lexicon vote, on the tier's vectors (neutral left out)."""
    keep = frame[frame["label"] != "neutral"]
    vectors = get_encoder(tier, "cpu").encode(keep["text"].tolist())
    scores = score_vectors(default_head(), vectors, texts=keep["text"].tolist(), languages=keep["language"].tolist())
    predicted = np.where(scores["score"].to_numpy() >= 0, "positive", "negative")
    return macro_f1(keep["label"].to_numpy(), predicted)


def interest_rows(tier: str) -> list[dict]:
    """truth_mixed's rows with ``tier`` as the default encoder, in a fresh process (one model per store)."""
    code = (
        "import sys, json; sys.path.insert(0, 'bench'); import truth_mixed; "
        "print('ROWS' + truth_mixed.measure().to_json(orient='records'))"
    )
    env = {**os.environ, "INSIGHT_ENCODER": tier}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    line = next(x for x in done.stdout.splitlines() if x.startswith("ROWS"))
    return [r for r in json.loads(line[4:]) if any(word in r["metric"] for word in INTEREST_ROWS)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1000, help="distinct reviews of each language for the speed test")
    parser.add_argument("--tiers", default=f"{E5},{E5_FAST}")
    parser.add_argument("--no-interest", action="store_true", help="skip the truth bench's real-data rows")
    args = parser.parse_args()
    tiers = args.tiers.split(",")
    texts = speed_texts(args.n)
    print(f"{len(texts):,} distinct reviews; load average before: {os.getloadavg()[0]:.2f}", flush=True)
    vectors, rows = {}, []
    for tier in tiers:
        encoder = get_encoder(tier, "cpu")
        encoder.encode(texts[:64])  # warm: kernels and shapes
        started = time.perf_counter()
        vectors[tier] = encoder.encode(texts)
        rate = len(texts) / (time.perf_counter() - started)
        row = {"tier": tier, "texts/s": round(rate, 1), "hours per 1 M": round(MILLION / rate / 3600, 2)}
        row["load"] = round(os.getloadavg()[0], 2)
        rows.append(row)
        print(row, flush=True)
    for row in rows:
        cosine = (vectors[row["tier"]] * vectors[tiers[0]]).sum(axis=1)
        row["cos mean"], row["cos p5"] = round(float(cosine.mean()), 4), round(float(np.percentile(cosine, 5)), 4)
        for name, frame in sentiment_sets().items():
            row[f"F1 {name}"] = round(sentiment_f1(row["tier"], frame), 3)
        print(row, flush=True)
    if not args.no_interest:
        for row in rows:
            for got in interest_rows(row["tier"]):
                value = got["value"]
                row[f"{got['set']}: {got['metric']}"] = round(value, 3) if isinstance(value, float) else value
            print(row, flush=True)
    table = pd.DataFrame(rows).set_index("tier").T
    print("\n| figure | " + " | ".join(table.columns) + " |\n|---|" + "--:|" * len(table.columns))
    for name, values in table.iterrows():
        print(f"| {name} | " + " | ".join(str(v) for v in values) + " |")


if __name__ == "__main__":
    main()
