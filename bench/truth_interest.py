"""Truth bench, demo shop: do interest matches and segments follow what users are into, in either language?

The demo shop analysed with every default (``bench/_truth_demo.py``) is compared with its answer key:
each user's language and favourite category (the largest weight of their planted interest mix).

* interest matches at the default strength, as the Campaigns page gives them: reach, precision and
  recall against the users whose favourite fits the query ("trail running shoes" and "跑鞋": Running &
  Fitness or Outdoor & Camping), recall per language, and how much the English and the Chinese query
  reach the same users;
* lookalikes of the "trail running shoes" audience: precision of the first 2 × k and their languages;
* segments: NMI with the favourite category and with the language.

``measure()`` returns one row per figure: set, metric, value, target (">= 0.8", or empty for
context). Run ``python bench/truth_interest.py`` (builds the analysed demo once per code version).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import normalized_mutual_info_score

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _truth_demo import demo_people, demo_store, index_and_segments  # noqa: E402

RUNNING = {"Running & Fitness", "Outdoor & Camping"}
QUERIES = [  # query, language typed in, the favourite categories it means, whether a target applies
    ("trail running shoes", "en", RUNNING, True),
    ("跑鞋", "zh", RUNNING, True),
    ("dog beds", "en", {"Pet Supplies"}, False),
    ("vintage tea sets", "en", {"Coffee & Tea", "Kitchen"}, False),
]
SET = "demo"


def _row(metric: str, value: float, target: str = "") -> dict:
    return {"set": SET, "metric": metric, "value": float(value), "target": target}


def measure(db: str | Path | None = None) -> pd.DataFrame:
    """Every figure on the demo shop (``db``: an analysed demo store; default: built with every default)."""
    from insight.profiles.match import DEFAULT_STRENGTH
    from insight.targeting import interest_matches, lookalikes, privacy_rules

    index, segment = index_and_segments(db or demo_store())
    people = demo_people().set_index("user_id").reindex(index.users)
    rows = [_row("model", 0.0 if index.model != "multilingual-e5-small" else 1.0, "1 (multilingual-e5-small)")]
    reached = {}
    for query, typed, wanted, has_target in QUERIES:
        found = interest_matches(index, query, DEFAULT_STRENGTH)
        reached[query] = set(found["user_id"])
        fits = people["favourite"].isin(wanted)
        hit = fits.loc[found["user_id"]]
        tag = f'"{query}" ({typed})'
        rows += [
            _row(f"{tag} reach", len(found) / len(people), "0.05-0.70" if has_target else ""),
            _row(f"{tag} precision", hit.mean() if len(hit) else np.nan, ">= 0.8" if has_target else ""),
            _row(f"{tag} recall", hit.sum() / fits.sum()),
        ]
        for language in ("en", "zh"):
            among = fits & (people["language"] == language)
            rows.append(
                _row(
                    f"{tag} recall of {language} users",
                    hit[people.loc[hit.index, "language"] == language].sum() / among.sum(),
                )
            )
    english, chinese = reached["trail running shoes"], reached["跑鞋"]
    shared = len(english & chinese) / max(min(len(english), len(chinese)), 1)
    rows.append(_row('"跑鞋" and "trail running shoes": share of the smaller audience in both', shared, ">= 0.6"))
    k = privacy_rules().k
    grown = lookalikes(index, sorted(english)).ranked["user_id"].head(2 * k)
    rows.append(_row(f"lookalikes of the trail-running audience: precision of the first {2 * k}",
                     people.loc[grown, "favourite"].isin(RUNNING).mean(), ">= 0.6"))  # fmt: skip
    rows.append(
        _row(f"lookalikes: share of the first {2 * k} writing Chinese", (people.loc[grown, "language"] == "zh").mean())
    )
    segment = segment.astype(str)
    rows.append(_row("NMI(segment, favourite category)", normalized_mutual_info_score(people["favourite"], segment)))
    rows.append(_row("NMI(segment, language)", normalized_mutual_info_score(people["language"], segment), "<= 0.15"))
    rows.append(_row("segments", segment[segment != "-1"].nunique()))
    return pd.DataFrame(rows, columns=["set", "metric", "value", "target"])


if __name__ == "__main__":
    pd.set_option("display.width", 200)
    pd.set_option("display.max_colwidth", 100)
    print(measure(sys.argv[1] if len(sys.argv) > 1 else None).to_string(index=False, float_format=lambda v: f"{v:.3f}"))
