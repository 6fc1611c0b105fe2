"""The truth bench: does insight understand what users are into, in every language, as a merchant sees it?

On the demo shop analysed with every default (``bench/_truth_demo.py``) it measures, against the
planted answer key:

- free-text interest matches in English and Chinese: reach, precision and recall against the users
  whose favourite category the query is about (``insight.build_audience`` with the default strength);
- segments: NMI against each user's favourite category and against the language they write in;
- names: duplicate segment/topic labels and labels made only of numbers, units or review boilerplate;
- topic stability, and review sentiment macro-F1 per language (binary: ratings 1–2 vs 4–5).

Then it adds the rows of the other truth modules present (``truth_interest``, ``truth_mixed``,
``truth_labels``, ``truth_sentiment``: real data mixed across languages, sentiment across shops), and
prints one table with each figure's target. ``--markdown`` prints it as a BENCHMARKS.md table.

    python bench/truth.py [--fresh] [--markdown] [--only demo]
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys
import time
from pathlib import Path

import pandas as pd
from sklearn.metrics import f1_score, normalized_mutual_info_score

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _truth_demo import demo_people, demo_store  # noqa: E402

RUNNING = ("Running & Fitness", "Outdoor & Camping")
# Query -> the favourite categories of the users it is about (the demo's answer key).
QUERIES = {
    "trail running shoes": RUNNING,
    "跑鞋": RUNNING,
    "dog beds": ("Pet Supplies",),
    "狗窝": ("Pet Supplies",),
    "baby stroller": ("Baby & Kids",),
    "咖啡豆": ("Coffee & Tea",),
}
UNITS = {"ml", "l", "cm", "mm", "m", "kg", "g", "oz", "lb", "inch", "inches", "pcs"}
UNITS |= {"寸", "毫升", "厘米", "公斤", "克", "升"}
UNIT = re.compile(r"\d|^(" + "|".join(sorted(UNITS, key=len, reverse=True)) + r")$", re.I)  # a digit, or a unit
BOILERPLATE = {"feels", "feel", "weeks", "weeks ago", "ago", "years", "value", "use", "used", "using", "holding"}
MODULES = ("truth_interest", "truth_mixed", "truth_labels", "truth_sentiment")


def _row(set_: str, metric: str, value, target: str = "") -> dict:
    return {"set": set_, "metric": metric, "value": value, "target": target}


def interest_rows(con, people: pd.DataFrame) -> list[dict]:
    """Reach, precision and recall of each free-text interest, with every default."""
    import insight
    from insight.targeting import AudienceDefinition

    profiled = set(insight.user_profiles(con)["user_id"])
    people = people[people["user_id"].isin(profiled)]
    rows = []
    for query, categories in QUERIES.items():
        truth = set(people.loc[people["favourite"].isin(categories), "user_id"])
        try:
            reached = set(insight.build_audience(con, AudienceDefinition(interest=query)))
        except ValueError as exc:  # e.g. refused under the minimum audience size
            rows.append(_row("demo", f'"{query}" reach', f"refused: {exc}"[:60]))
            continue
        hit = len(reached & truth)
        precision = hit / len(reached) if reached else float("nan")
        rows += [
            _row("demo", f'"{query}" reach', f"{len(reached)} of {len(profiled)} ({len(reached) / len(profiled):.0%})"),
            _row(
                "demo",
                f'"{query}" precision',
                round(precision, 3),
                "≥ 0.8" if "running" in query or "跑" in query else "",
            ),
            _row("demo", f'"{query}" recall', round(hit / len(truth), 3) if truth else float("nan")),
        ]
    en = set(insight.build_audience(con, AudienceDefinition(interest="trail running shoes")))
    zh = set(insight.build_audience(con, AudienceDefinition(interest="跑鞋")))
    overlap = len(en & zh) / len(en | zh) if en | zh else float("nan")
    rows.append(_row("demo", '"trail running shoes" vs "跑鞋" (Jaccard)', round(overlap, 3), "largely the same"))
    return rows


def segment_rows(con, people: pd.DataFrame) -> list[dict]:
    """How segments relate to interests and to language."""
    import insight

    profiles = insight.user_profiles(con)
    members = profiles[["user_id", "segment_id", "segment"]].merge(people, on="user_id")
    kept = members[members["segment_id"] >= 0]
    named = profiles[profiles["segment_id"] >= 0].drop_duplicates("segment_id")
    by_interest = normalized_mutual_info_score(kept["favourite"], kept["segment_id"])
    by_language = normalized_mutual_info_score(kept["language"], kept["segment_id"])
    return [
        _row("demo", "segments", int(kept["segment_id"].nunique())),
        _row("demo", "outliers", f"{(members['segment_id'] < 0).mean():.0%}"),
        _row("demo", "NMI(segment, favourite category)", round(by_interest, 3), "higher"),
        _row("demo", "NMI(segment, language)", round(by_language, 3), "≤ 0.15"),
        *label_rows("segment", named["segment"].tolist()),
    ]


def label_rows(kind: str, labels: list[str]) -> list[dict]:
    """Duplicates and labels made only of numbers, units or boilerplate."""

    def empty_words(label: str) -> bool:
        words = [w.strip() for w in re.split(r"[·,/]", label) if w.strip()]
        return bool(words) and all(UNIT.search(w) or w.lower() in BOILERPLATE for w in words)

    duplicates = len(labels) - len(set(labels))
    unit_words = [w.strip() for label in labels for w in re.split(r"[·,/]", label) if UNIT.search(w.strip() or "x")]
    return [
        _row("demo", f"{kind} labels duplicated", duplicates, "0"),
        _row("demo", f"{kind} labels of only numbers/units/boilerplate", sum(map(empty_words, labels)), "0"),
        _row("demo", f"{kind} label words that are numbers/units", len(unit_words), "0"),
        _row("demo", f"{kind} labels (first 8)", " ; ".join(labels[:8])),
    ]


def topic_rows(con) -> list[dict]:
    """Topic labels and stability."""
    from insight.store import runs, topics

    run = runs.current_run(con, "topics")
    if run is None:
        return [_row("demo", "topics", "no topics run")]
    frame = topics.fetch_topics(con, run["run_id"])
    labels = frame.loc[frame["topic_id"] >= 0, "label"].tolist()
    return [
        _row("demo", "topics", len(labels)),
        _row("demo", "topic stability (ARI)", round(float(run["params"].get("stability", float("nan"))), 3)),
        *label_rows("topic", labels),
    ]


def sentiment_rows(con) -> list[dict]:
    """Binary macro-F1 of the sentiment job per language (ratings 1–2 negative, 4–5 positive)."""
    scored = con.execute(
        """select r.language, r.rating, s.score from reviews r
           join sentiment_scores s on s.review_id = r.review_id
           join runs u on u.run_id = s.run_id and u.is_current
           where r.rating is not null and r.rating <> 3"""
    ).df()
    rows = []
    for language, part in scored.groupby("language"):
        truth = part["rating"].map(lambda r: "negative" if r <= 2 else "positive")
        guess = part["score"].map(lambda v: "positive" if v >= 0 else "negative")
        f1 = f1_score(truth, guess, average="macro")
        rows.append(_row("demo", f"sentiment macro-F1 ({language}, n={len(part)})", round(f1, 3)))
    return rows


def demo_rows(*, fresh: bool) -> list[dict]:
    """Every demo figure, building (or reusing) the analysed demo store."""
    import insight

    started = time.time()
    db = demo_store(fresh=fresh)
    con = insight.connect(db, read_only=True)
    people = demo_people()
    try:
        rows = [
            _row("demo", "store built and analysed in", f"{time.time() - started:.0f} s (cached when ~0)"),
            *interest_rows(con, people),
            *segment_rows(con, people),
            *topic_rows(con),
            *sentiment_rows(con),
        ]
    finally:
        con.close()
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fresh", action="store_true", help="rebuild the analysed demo store")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table for BENCHMARKS.md")
    parser.add_argument("--only", choices=["demo", *MODULES], help="one part only")
    args = parser.parse_args(argv)
    rows: list[dict] = []
    if args.only in (None, "demo"):
        rows += demo_rows(fresh=args.fresh)
    for name in MODULES:
        if args.only not in (None, name):
            continue
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError:
            continue
        rows += module.measure().to_dict("records")
    table = pd.DataFrame(rows, columns=["set", "metric", "value", "target"])
    if args.markdown:
        print(table.to_markdown(index=False))
    else:
        with pd.option_context("display.max_rows", None, "display.max_colwidth", 90, "display.width", 200):
            print(table.to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
