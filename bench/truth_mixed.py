"""Truth bench, real data in two languages: do segments and interest matches follow interests, not language?

Each reviewer of ``online_shopping_10_cats`` (Chinese) and ``womens_clothing_reviews`` (English) in
``../shared/data`` becomes a user with one review; the sets are written as canonical files, ingested
into a temporary store and analysed the way a user would (the encode and segments jobs with their
defaults), and what the store says is compared with what the data says each reviewer wrote about:

* ``shopping`` — Chinese reviews of clothes (衣服), shampoo (洗发水), books (书籍) and tablets (平板),
  and English clothing reviews, 300 each: "dresses and clothes" should reach the clothing reviewers of
  *both* languages, "shampoo and hair care" the shampoo ones, whichever language the query is typed in.
  Only clothing exists in both languages, so language and interest are tied here: NMI(segment,
  language) is measured among the clothing reviewers (where a segment split by language shows).
* ``clothing`` — trousers against other clothes, in both languages (Chinese 衣服 reviews that mention
  裤 against those that do not; English Pants/Jeans/Shorts/Legwear against the rest), 300 each: interest
  and language are independent by design, so NMI(segment, language) should be near 0.

``measure()`` returns one row per figure: set, metric, value, target (a string such as ">= 0.8", or
empty when the figure is context). Stores are cached under ``bench/.cache/truth/`` by the code
fingerprint; text vectors are cached by content across code versions (``vectors-*.parquet``), since
the encoder's output does not change with the code that reads it. Run ``python bench/truth_mixed.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import normalized_mutual_info_score

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _truth_demo import CACHE, KEY, ROOT, cache_slot, index_and_segments  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
PER_CELL = 300
QUERIES = {  # set -> (query, language typed in, the interest it means)
    "shopping": [
        ("dresses and clothes", "en", "clothing"),
        ("衣服和裙子", "zh", "clothing"),
        ("shampoo and hair care", "en", "shampoo"),
        ("洗发水和护发", "zh", "shampoo"),
    ],
    "clothing": [
        ("trousers and jeans", "en", "trousers"),
        ("裤子和牛仔裤", "zh", "trousers"),
    ],
}
JOBS = ("encode", "segments")


def _chinese() -> pd.DataFrame:
    frame = pd.read_csv(DATA / "online_shopping_10_cats" / "online_shopping_10_cats.csv", dtype=str)
    frame["text"] = frame["review"].fillna("").str.replace("\ufeff", "", regex=False).str.strip()
    return frame[frame["text"].str.len() > 0].drop_duplicates("text")


def _english() -> pd.DataFrame:
    frame = pd.read_csv(DATA / "womens_clothing_reviews" / "womens_clothing_ecommerce_reviews.csv", dtype=str)
    frame["text"] = (frame["Title"].fillna("") + ". " + frame["Review Text"].fillna("")).str.strip(" .")
    return frame[frame["Review Text"].notna()].drop_duplicates("text")


def _cell(frame: pd.DataFrame, interest: str, language: str, seed: int) -> pd.DataFrame:
    picked = frame.sample(PER_CELL, random_state=seed)
    return pd.DataFrame({"text": picked["text"].to_numpy(), "interest": interest, "language": language})


def build_sets() -> dict[str, pd.DataFrame]:
    """Each set as one row per reviewer: text, interest, language (what the data says)."""
    zh, en = _chinese(), _english()
    trousers_en = en["Class Name"].isin(["Pants", "Jeans", "Shorts", "Legwear", "Casual bottoms"])
    clothes_zh = zh[zh["cat"] == "衣服"]
    trousers_zh = clothes_zh["text"].str.contains("裤")
    shopping = [_cell(zh[zh["cat"] == cat], name, "zh", i) for i, (cat, name) in enumerate(
        [("衣服", "clothing"), ("洗发水", "shampoo"), ("书籍", "books"), ("平板", "tablets")]
    )]  # fmt: skip
    clothing = [
        _cell(clothes_zh[trousers_zh], "trousers", "zh", 10),
        _cell(clothes_zh[~trousers_zh], "other clothes", "zh", 11),
        _cell(en[trousers_en], "trousers", "en", 12),
        _cell(en[~trousers_en], "other clothes", "en", 13),
    ]
    sets = {"shopping": pd.concat([*shopping, _cell(en, "clothing", "en", 4)]), "clothing": pd.concat(clothing)}
    return {name: _with_ids(frame, name) for name, frame in sets.items()}


def _with_ids(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    frame = frame.reset_index(drop=True)
    frame["raw_id"] = [f"{name}-{i}" for i in range(len(frame))]
    start = pd.Timestamp("2025-01-01")
    hours = np.random.default_rng(0).integers(0, 8_760, len(frame))  # a year of review dates (the data has none)
    frame["timestamp"] = [start + pd.Timedelta(hours=int(h)) for h in hours]
    return frame


def analysed_store(name: str, frame: pd.DataFrame, *, fresh: bool = False) -> Path:
    """The set ingested as canonical reviews and analysed by :data:`JOBS` with defaults; cached per code version."""
    db, ready = cache_slot(f"mixed-{name}", fresh=fresh)
    if ready:
        return db
    folder = db.parent
    (folder / "files").mkdir()
    reviews = frame.assign(review_id=frame["raw_id"], user_id=frame["raw_id"])
    reviews[["review_id", "user_id", "text", "timestamp"]].to_csv(folder / "files" / "reviews.csv", index=False)
    import insight
    from insight.jobs.runner import new_job, run_job
    from insight.store import connect

    con = connect(db)
    try:
        insight.ingest(folder / "files", db=con)
        _load_vectors(con)
        for kind in JOBS:
            if run_job(con, new_job(con, kind, {}), kind, {}) != "done":
                raise RuntimeError(f"the {kind} job failed on the {name} set")
        _save_vectors(con)
    finally:
        con.close()
    return db


def _vector_file(model: str) -> Path:
    return CACHE / f"vectors-{model}.parquet"


def _load_vectors(con) -> None:
    """Put cached vectors of these texts into the store, so the encode job only encodes new ones."""
    from insight.encode.job import store_model
    from insight.store.embeddings import insert_embeddings

    model = store_model(con)
    if _vector_file(model).exists():
        cached = pd.read_parquet(_vector_file(model))
        insert_embeddings(con, model, cached["text_hash"].tolist(), np.stack(cached["vector"].to_numpy()))


def _save_vectors(con) -> None:
    from insight.encode.job import store_model

    model = store_model(con)
    frame = con.execute("select text_hash, vector from embeddings where model = $m", {"m": model}).df()
    if _vector_file(model).exists():
        frame = pd.concat([pd.read_parquet(_vector_file(model)), frame]).drop_duplicates("text_hash")
    frame.to_parquet(_vector_file(model))


def _nmi(a, b) -> float:
    return float(normalized_mutual_info_score(np.asarray(a).astype(str), np.asarray(b).astype(str)))


def measure_set(name: str, frame: pd.DataFrame) -> list[dict]:
    """The figures of one set (see the module's docstring)."""
    from insight.ingestion.pseudonymise import pseudonym
    from insight.profiles.match import DEFAULT_STRENGTH
    from insight.targeting import interest_matches

    index, segment = index_and_segments(analysed_store(name, frame))
    truth = frame.assign(user_id=[pseudonym(r, KEY.encode()) for r in frame["raw_id"]]).set_index("user_id")
    people = truth.reindex(index.users)
    seg = segment.to_numpy()
    rows = [dict(set=name, metric="users", value=len(index.users), target="")]
    rows.append(dict(set=name, metric="segments", value=int(len(set(seg) - {-1})), target=""))
    rows.append(dict(set=name, metric="NMI(segment, interest)", value=_nmi(seg, people["interest"]), target=">= 0.5"))
    shared = people["interest"].isin(["clothing"]).to_numpy() if name == "shopping" else np.ones(len(seg), bool)
    label = "NMI(segment, language)" + (" among clothing reviewers" if name == "shopping" else "")
    rows.append(dict(set=name, metric=label, value=_nmi(seg[shared], people["language"][shared]), target="<= 0.15"))
    if name == "shopping":
        rows.append(dict(set=name, metric="NMI(segment, language)", value=_nmi(seg, people["language"]), target=""))
        floor = _nmi(people["interest"], people["language"])
        metric = "NMI(interest, language): segments by interest alone"
        rows.append(dict(set=name, metric=metric, value=floor, target=""))
    for query, typed, interest in QUERIES[name]:
        found = interest_matches(index, query, DEFAULT_STRENGTH)
        reached = people.loc[found["user_id"]]
        wanted = people["interest"] == interest
        hit = reached["interest"] == interest
        tag = f'"{query}" ({typed})'
        rows += [
            dict(set=name, metric=f"{tag} reach", value=len(found) / len(people), target="0.10-0.70"),
            dict(set=name, metric=f"{tag} precision", value=float(hit.mean()) if len(hit) else np.nan, target=">= 0.8"),
            dict(set=name, metric=f"{tag} recall", value=float(hit.sum() / wanted.sum()), target=""),
        ]
        for language in sorted(people.loc[wanted, "language"].unique()):
            among = wanted & (people["language"] == language)
            got = float((reached["interest"].eq(interest) & reached["language"].eq(language)).sum() / among.sum())
            rows.append(dict(set=name, metric=f"{tag} recall of {language} reviewers", value=got, target=""))
    return rows


def measure() -> pd.DataFrame:
    """Every figure of every set: set, metric, value, target."""
    if not DATA.is_dir():
        raise FileNotFoundError(f"the shared datasets are not at {DATA}")
    rows = []
    for name, frame in build_sets().items():
        rows += measure_set(name, frame)
    return pd.DataFrame(rows, columns=["set", "metric", "value", "target"])


if __name__ == "__main__":
    pd.set_option("display.width", 200)
    pd.set_option("display.max_colwidth", 90)
    print(measure().to_string(index=False, float_format=lambda v: f"{v:.3f}"))
