"""Truth bench, names: are segment and topic labels words a merchant understands, and distinct?

On the demo shop analysed with every default (``_truth_demo.demo_store``) and on 3,000 real reviews
of two shops the project has never seen (``online_shopping_10_cats`` in Chinese, women's clothing in
English, topics found as the topics job finds them), it counts, before (the labels the code of
commit da96db7 gave: the top three c-TF-IDF keywords, on the same segments and topics) and after
(the labels the jobs store now):

- labels given to two segments or topics (duplicates),
- labels made only of numbers, units or review boilerplate, and label words that are numbers/units,
- boilerplate among the top keywords "for all reviews" (the Keywords page's first view),

and lists the labels. Units and boilerplate are judged by this file's own lists (the issue's
examples and common units), not by the library's, so the library cannot grade its own work.

    python bench/truth.py --only truth_labels      # or: python bench/truth_labels.py
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _truth_demo import CACHE, demo_store  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
N_REVIEWS = 3_000
_NUMBER = re.compile(r"^[\d.,x×/\-–~]*\d")
UNITS = set(
    """cm mm m km in inch inches ft oz lb lbs kg g mg ml l litre liter gb tb mah w v hz pcs pc pack xs s xl xxl
       毫升 升 厘米 毫米 米 公斤 千克 克 斤 寸 英寸 码 个 件 双 只 瓶 盒 包 套 款""".split()
)
BOILERPLATE = set(
    """feels feel felt weeks week ago years year months month days day value use used using uses holding time times
       product item thing stuff overall honestly 感觉 觉得 时间 一段时间 东西 用 使用 商品 产品 宝贝 好评 差评
       推荐""".split()
)


def _row(set_: str, metric: str, value, target: str = "") -> dict:
    return {"set": set_, "metric": metric, "value": value, "target": target}


def _words(label: str) -> list[str]:
    return [w for part in re.split(r"[·,/]", label) for w in part.split() if w.strip()]


def _is_unit(word: str) -> bool:
    return bool(_NUMBER.match(word)) or word.lower() in UNITS


def label_rows(set_: str, kind: str, before: list[str], after: list[str]) -> list[dict]:
    """Duplicates, empty labels and unit words, before and after, and the labels themselves."""
    rows = []
    boilerplate = lambda labels: sum(w in BOILERPLATE for w in _flat(labels))  # noqa: E731
    for when, labels in (("before", before), ("after", after)):
        suffix = " (before)" if when == "before" else ""
        target = "" if when == "before" else "0"
        empty = sum(1 for lab in labels if _words(lab) and all(_is_unit(w) or w in BOILERPLATE for w in _words(lab)))
        rows += [
            _row(set_, f"{kind} labels duplicated{suffix}", len(labels) - len(set(labels)), target),
            _row(set_, f"{kind} labels of only numbers/units/boilerplate{suffix}", empty, target),
            _row(set_, f"{kind} label words that are numbers/units{suffix}", sum(map(_is_unit, _flat(labels))), target),
            _row(set_, f"{kind} label words that are boilerplate{suffix}", boilerplate(labels)),
        ]
    rows += [_row(set_, f"{kind} labels (before)", " | ".join(before)), _row(set_, f"{kind} labels", " | ".join(after))]
    return rows


def _flat(labels: list[str]) -> list[str]:
    return [w for label in labels for w in _words(label)]


def keyword_rows(set_: str, before: list[str], after: list[str]) -> list[dict]:
    """Boilerplate among the top 10 keywords of all reviews, before and after, and the keywords."""
    count = lambda words: sum(w in BOILERPLATE or _is_unit(w) for k in words[:10] for w in k.split())  # noqa: E731
    return [
        _row(set_, "all-review keywords that are boilerplate/units, top 10 (before)", count(before)),
        _row(set_, "all-review keywords that are boilerplate/units, top 10", count(after), "0"),
        _row(set_, "all-review keywords (before)", ", ".join(before[:10])),
        _row(set_, "all-review keywords", ", ".join(after[:10])),
    ]


# --- before: what commit da96db7 computed, on the same segments and topics ---


def old_text_labels(texts: list[str], topics: np.ndarray, languages: list[str]) -> dict[int, str]:
    """Topic -> its top three c-TF-IDF keywords, as the topics job named topics before."""
    from insight.keywords import extract_keywords

    groups = [int(t) if t >= 0 else None for t in topics]
    found = extract_keywords(texts, groups, languages=languages, top_n=3, drop_generic=True)
    return {int(g): " · ".join(part["keyword"]) for g, part in found.groupby("group", sort=True)}


def old_all_keywords(texts: list[str], languages: list[str]) -> list[str]:
    """The keywords job's "all reviews" keywords before: single-class c-TF-IDF, i.e. frequency."""
    from insight.keywords import extract_keywords, tokenize_many

    tokens = tokenize_many(texts, languages, drop_generic=True)
    return extract_keywords(texts, None, languages=languages, top_n=15, tokens=tokens)["keyword"].tolist()


def old_segment_labels(con) -> dict[int, str]:
    """Segment -> its top three touch-weighted c-TF-IDF keywords, as the segments job named segments before."""
    import scipy.sparse as sp

    from insight.keywords.ctfidf import c_tf_idf, document_term_matrix, top_terms
    from insight.keywords.tokenize import tokenize_many
    from insight.profiles.build import touch_weights
    from insight.store import profiles as profile_store
    from insight.store import runs
    from insight.store import segments as segment_store

    run = runs.current_run(con, "segments")
    touches, _ = profile_store.fetch_touches(con, run["model"])
    members = segment_store.fetch_members(con, run["run_id"])
    segment = touches["user_id"].map(dict(zip(members["user_id"], members["segment_id"], strict=True)))
    segment = segment.fillna(-1).astype(int).to_numpy()
    ids = sorted(int(s) for s in np.unique(segment[segment >= 0]))
    codes = np.array([ids.index(s) if s >= 0 else -1 for s in segment])
    half_life = float(run["params"].get("half_life_days", 90.0))
    weights = touch_weights(touches, half_life_days=half_life, as_of=pd.to_datetime(touches["ts"]).max())
    text_codes, distinct = pd.factorize(touches["text"].fillna(""))
    counts, vocabulary = document_term_matrix(tokenize_many(list(distinct), None, drop_generic=True), min_df=2)
    keep = codes >= 0
    mixing = sp.csr_matrix((weights[keep], (codes[keep], text_codes[keep])), shape=(len(ids), len(distinct)))
    tops = top_terms(c_tf_idf(mixing @ counts.astype(np.float64)), 3)
    return {s: " · ".join(vocabulary[cols]) for s, cols in zip(ids, tops, strict=True)}


# --- the sets ---


def demo_rows() -> list[dict]:
    """The demo shop with every default: segments, topics and all-review keywords, before and after."""
    import insight
    from insight.store import runs

    con = insight.connect(demo_store(), read_only=True)
    try:
        segments = con.execute(
            "select segment_id, label from segments where run_id = ? order by segment_id",
            [runs.current_run(con, "segments")["run_id"]],
        ).df()
        old_segments = old_segment_labels(con)
        topic_run = runs.current_run(con, "topics")["run_id"]
        topics = con.execute("select topic_id, label from topics where run_id = ? order by topic_id", [topic_run]).df()
        reviews = con.execute(
            """select trim(concat_ws(' ', r.title, r.text)) as text, r.language, m.topic_id
               from reviews r join topic_members m on m.review_id = r.review_id and m.run_id = ?
               order by r.review_id""",
            [topic_run],
        ).df()
        keywords = con.execute(
            """select keyword from keyword_scores where group_kind = 'all'
               and run_id = (select run_id from runs where kind = 'keywords' and is_current) order by weight desc"""
        ).df()["keyword"]
        texts = con.execute("select text, language from reviews where text is not null order by review_id").df()
    finally:
        con.close()
    old_topics = old_text_labels(reviews["text"].tolist(), reviews["topic_id"].to_numpy(), reviews["language"].tolist())
    before = [old_segments.get(s, "") for s in segments["segment_id"]]
    return [
        *label_rows("demo", "segment", before, list(segments["label"])),
        *label_rows("demo", "topic", [old_topics.get(t, "") for t in topics["topic_id"]], list(topics["label"])),
        *keyword_rows("demo", old_all_keywords(texts["text"].tolist(), texts["language"].tolist()), list(keywords)),
    ]


def real_reviews(name: str) -> tuple[pd.DataFrame, str]:
    """3,000 reviews of one real shop (text, language, category) and the model the jobs would choose."""
    if name == "online_shopping_10_cats":
        raw = pd.read_csv(SHARED / name / f"{name}.csv", encoding="utf-8-sig").dropna(subset=["review"])
        raw = raw.sample(N_REVIEWS, random_state=0)
        return pd.DataFrame({"text": raw["review"].str.strip(), "language": "zh", "category": raw["cat"]}), "e5"
    raw = pd.read_csv(SHARED / name / "womens_clothing_ecommerce_reviews.csv").dropna(subset=["Review Text"])
    raw = raw.sample(N_REVIEWS, random_state=0)
    text = (raw["Title"].fillna("") + " " + raw["Review Text"]).str.strip()
    return pd.DataFrame({"text": text, "language": "en", "category": raw["Class Name"]}), "minilm"


def real_rows(name: str, label: str) -> list[dict]:
    """Topics of 3,000 real reviews found as the topics job does, named before and after; all-review keywords."""
    from insight.cluster import segment_vectors
    from insight.cluster.labels import text_groups
    from insight.encode import encode_texts
    from insight.keywords.background import distinctive_keywords
    from insight.keywords.ctfidf import document_term_matrix
    from insight.keywords.names import name_groups
    from insight.keywords.tokenize import tokenize_many

    reviews, short = real_reviews(name)
    model = {"e5": "multilingual-e5-small", "minilm": "all-MiniLM-L6-v2"}[short]
    texts, languages = reviews["text"].tolist(), reviews["language"].tolist()
    cached = CACHE / f"labels-{name}-{short}-{N_REVIEWS}.npy"
    if cached.exists():
        vectors = np.load(cached)
    else:
        cached.parent.mkdir(parents=True, exist_ok=True)
        vectors = encode_texts(texts, model=model)
        np.save(cached, vectors)
    found = segment_vectors(vectors, seed=0, outlier_budget=0.05, n_resamples=0)
    topics = found.labels
    started = time.perf_counter()
    groups = text_groups(texts, topics, languages=languages)
    centres = np.stack([vectors[topics == t].mean(axis=0) for t in groups.ids])
    names = name_groups(groups, purpose="topic", centres=centres, embed=lambda terms: encode_texts(terms, model=model))
    seconds = time.perf_counter() - started
    old = old_text_labels(texts, topics, languages)
    tokens = tokenize_many(texts, languages, drop_generic=True)
    matrix, vocabulary = document_term_matrix(tokens, min_df=2)
    shop = distinctive_keywords(
        matrix,
        vocabulary,
        languages,
        {languages[0]: sum(map(len, tokens))},
        groups=reviews["category"].tolist(),
        texts=texts,
    )
    return [
        _row(label, "topics (topics job recipe, seed 0)", found.n_segments),
        *label_rows(label, "topic", [old.get(t, "") for t in groups.ids], [n.label or "" for n in names]),
        *keyword_rows(label, old_all_keywords(texts, languages), shop["keyword"].tolist()),
        _row(label, "naming seconds (candidate words encoded, model loaded)", round(seconds, 1)),
    ]


def measure() -> pd.DataFrame:
    """Every row of this bench: the demo, then each real shop when ../shared/data is there."""
    rows = demo_rows()
    if SHARED.is_dir():
        rows += real_rows("online_shopping_10_cats", f"online_shopping_10_cats ({N_REVIEWS:,} zh)")
        rows += real_rows("womens_clothing_reviews", f"womens_clothing_reviews ({N_REVIEWS:,} en)")
    return pd.DataFrame(rows, columns=["set", "metric", "value", "target"])


if __name__ == "__main__":
    with pd.option_context("display.max_rows", None, "display.max_colwidth", 400, "display.width", 250):
        print(measure().to_string(index=False))
