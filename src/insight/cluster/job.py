"""The segments job: interest profiles for every user, UMAP + HDBSCAN segments with stable ids, history.

Steps, all stored as one run (nothing is visible until the run is complete):

1. make sure every touched text has an embedding under the store's one encoder
   (:func:`insight.encode.job.store_model`; normally the encode job already made them all);
2. move each language's texts onto a common centre (:mod:`insight.profiles.space`), so the same
   interest in English or Chinese lands in the same place, and record the centres with the run;
3. build profiles (:func:`insight.profiles.build_profiles`) and each user's interest keywords; a
   user's language is the one most of their touches are in;
4. segment the profiles (:func:`insight.cluster.segment_vectors`) once the direction every profile
   shares is removed (:func:`insight.profiles.build.without_shared_direction`), and with it the
   directions of review talk about delivery, price and service (:mod:`insight.profiles.boilerplate`), with neighbours
   standardised per pair of languages (:mod:`insight.cluster.groups`) and HDBSCAN's ``eom``
   selection, whose groups persist across density levels; a group holding over half the users is
   split into its sub-clusters (:mod:`insight.cluster.selection`), so a shop of near-identical
   profiles still gets groups (23 segments for 5,881 online_retail customers). ``leaf`` took the
   finest groups, and split each interest by how its reviews read: NMI(segment, interest) 0.44
   against 0.59 on real two-language reviews (``bench/truth_mixed.py``). Segments then get
   the ids of the previous run's segments they match (:func:`insight.cluster.align_segments`) and
   name them (:func:`insight.profiles.keywords.name_segments`: c-TF-IDF candidates that can name an
   interest, re-ranked by closeness to the segment's centre, distinct across segments) and list
   their top categories;
5. place each user's monthly profile in the nearest segment, the history behind the Interest
   evolution page (who moved from which segment to which, month by month).
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from insight.cluster.grouping import cluster_and_carry, members, outcome
from insight.cluster.pipeline import MIN_POINTS
from insight.job_params import SegmentsParams
from insight.profiles.boilerplate import cosine_from_products, removal_basis, talk_directions, without_talk
from insight.profiles.build import Profiles, build_profiles, touch_weights, without_shared_direction
from insight.profiles.keywords import name_segments, top_categories, touch_terms, weighted_keywords
from insight.profiles.space import LanguageSpace, fill_languages, fit_space
from insight.progress import ProgressFn, scale, silent
from insight.store import profiles as profile_store
from insight.store import runs
from insight.store import segments as segments_db

HISTORY_MIN_SIMILARITY = 0.2  # a month's profile farther than this from every segment counts as no segment


def choose_model(con: duckdb.DuckDBPyConnection) -> str:
    """The encoder segments and topics use: the store's one encoder (see :func:`insight.encode.job.store_model`)."""
    from insight.encode.job import store_model

    return store_model(con)


def first_touch_of_each_text(touches: pd.DataFrame) -> np.ndarray:
    """Row of ``touches`` where each distinct text (``text_index`` 0..m-1) first appears: int (m,)."""
    return np.unique(touches["text_index"].to_numpy(), return_index=True)[1]


def neutral_touch_vectors(
    touches: pd.DataFrame, vectors: np.ndarray, first: np.ndarray
) -> tuple[np.ndarray, np.ndarray, dict]:
    """The touched texts' vectors centred per language, each distinct text's language, and the space's record.

    ``touches`` carries text, language and text_index (see :func:`insight.store.profiles.fetch_touches`),
    ``first`` the row where each text first appears (:func:`first_touch_of_each_text`); returns float32
    (m, dim) vectors, an (m,) object array of languages, and
    :meth:`~insight.profiles.space.LanguageSpace.to_record` for the run's parameters.
    """
    first = touches.iloc[first]
    languages = fill_languages(first["text"].tolist(), first["language"].tolist())
    space = fit_space(vectors, languages)
    return space.neutral(vectors, languages), languages, space.to_record()


def main_languages(
    user_code: np.ndarray, text_index: np.ndarray, text_languages: np.ndarray, weights: np.ndarray, n_users: int
) -> list:
    """Each user's language: the one carrying most of the weight of their touches (the first by name on a tie).

    ``user_code`` (-1: a touch of no profiled user) and ``text_index`` say whose touch each is and of which text.
    """
    names, language_of_text = np.unique(text_languages.astype(str), return_inverse=True)
    mine = user_code >= 0
    totals = np.bincount(
        user_code[mine] * len(names) + language_of_text[text_index[mine]],
        weights=weights[mine],
        minlength=n_users * len(names),
    ).reshape(n_users, len(names))
    return names[totals.argmax(axis=1)].tolist()


def default_min_cluster_size(n_users: int) -> int:
    """About 1 % of the users, at least 10: segments big enough to target, few enough to read."""
    return max(10, n_users // 100)


def segment_store(
    con: duckdb.DuckDBPyConnection,
    *,
    model: str | None = None,
    half_life_days: float = SegmentsParams.half_life_days,
    min_cluster_size: int | None = None,
    outlier_budget: float = SegmentsParams.outlier_budget,
    n_resamples: int = SegmentsParams.n_resamples,
    selection: str = SegmentsParams.selection,
    seed: int = 0,
    device: str = "auto",
    backend: str = "auto",
    job_id: str | None = None,
    progress: ProgressFn = silent,
) -> dict:
    """Profile and segment every user with history; store it all as the current segments run."""
    from insight.encode import warm_encoder
    from insight.encode.job import encode_store

    if half_life_days <= 0:
        raise ValueError(f"half_life_days must be positive, got {half_life_days}")
    model = model or choose_model(con)
    warm_encoder(model, device)  # review talk and segment names need it; it loads while the touches are read
    progress(0.0, f"embedding touched texts with {model}")
    encode_store(con, model=model, device=device, record_run=False, progress=scale(progress, 0.0, 0.15))
    touches, vectors = profile_store.fetch_touches(con, model)
    n_users = touches["user_id"].nunique()
    if n_users < MIN_POINTS:
        raise ValueError(f"segments need at least {MIN_POINTS} users with history, found {n_users}: ingest more data")
    first = first_touch_of_each_text(touches)
    neutral, text_languages, space = neutral_touch_vectors(touches, vectors, first)
    profiles = build_profiles(
        touches,
        neutral,
        text_index=touches["text_index"].to_numpy(),
        half_life_days=half_life_days,
        seed=seed,
        progress=scale(progress, 0.15, 0.35),
    )
    users = profiles.users
    user_code = pd.Index(users["user_id"]).get_indexer(touches["user_id"])
    as_of = pd.to_datetime(touches["ts"]).max()
    weights = touch_weights(touches, half_life_days=half_life_days, as_of=as_of)
    text_index = touches["text_index"].to_numpy()
    terms = touch_terms(touches["text"], text_index=text_index, first=first)
    users["keywords"] = [", ".join(k) for k in weighted_keywords(terms, user_code, weights, len(users))]
    users["language"] = main_languages(user_code, text_index, text_languages, weights, len(users))

    min_cluster_size = int(min_cluster_size or default_min_cluster_size(len(users)))
    shop_wide = profiles.vectors.mean(axis=0)
    shop_wide /= max(float(np.linalg.norm(shop_wide)), 1e-12)
    talk = review_talk_directions(users["language"], model, device, LanguageSpace.from_record(space))
    segmentation, carried = cluster_and_carry(
        con,
        "segments",
        without_talk(without_shared_direction(profiles.vectors, shop_wide), talk),
        segments_db.fetch_centroids,
        groups=users["language"].tolist(),
        seed=seed,
        outlier_budget=outlier_budget,
        n_resamples=n_resamples,
        backend=backend,
        min_cluster_size=min_cluster_size,
        cluster_selection_method=selection,
        progress=scale(progress, 0.35, 0.85),
    )
    stable, centroids, alignment = carried.labels, carried.centroids, carried.alignment

    progress(0.88, "naming segments and tracing monthly membership")
    segment_of_touch = np.where(user_code >= 0, stable[user_code], -1)
    ids = sorted(centroids)
    code_of = {s: i for i, s in enumerate(ids)}
    codes = np.array([code_of.get(s, -1) for s in segment_of_touch])
    sizes = [int((stable == s).sum()) for s in ids]
    names = name_segments(con, model, terms, touches, vectors, codes, weights, sizes, device=device)
    categories = top_categories(touches["category"], codes, weights)
    frames = {
        "segments": pd.DataFrame(
            {
                "segment_id": ids,
                "size": [int((stable == s).sum()) for s in ids],
                "label": [names[i].label or f"segment {s}" for i, s in enumerate(ids)],
                "keywords": [", ".join(names[i].keywords) for i in range(len(ids))],
                "categories": [", ".join(categories.get(i, [])) or None for i in range(len(ids))],
                "centroid": [centroids[s].astype(np.float32) for s in ids],
            }
        ),
        "segment_members": members(segmentation, stable, "user_id", users["user_id"], "segment_id"),
        "segment_history": _history(profiles, shop_wide, talk, centroids),
        "segment_events": alignment.events.assign(
            segment_id=alignment.events["stable_id"],
            previous_ids=alignment.events["previous_ids"].map(lambda ids_: ", ".join(map(str, ids_))),
        )[["kind", "segment_id", "previous_ids", "similarity"]],
    }
    params = {
        "model": model,
        "half_life_days": half_life_days,
        "min_cluster_size": min_cluster_size,
        "cluster_selection_method": selection,
        "outlier_budget": outlier_budget,
        "n_resamples": n_resamples,
        "shop_wide_profile": [round(float(v), 6) for v in shop_wide],
        "language_space": space,
        "review_talk_directions": len(talk),
        "user_languages": users["language"].value_counts().to_dict(),
        "segments": segmentation.n_segments,
        "users": len(users),
        "cold_start": int(users["cold_start"].sum()),
        **carried.record,
        "pipeline": {k: segmentation.params[k] for k in ("reducer", "clusterer", "map", "timings")},
    }
    with runs.new_run(con, kind="segments", job_id=job_id, model=model, params=params, seed=seed) as run_id:
        profile_store.insert_profiles(
            con,
            run_id,
            users,
            profiles.vectors,
            profiles.interests,
            profiles.interest_vectors,
            profiles.periods,
        )
        segments_db.insert_segmentation(con, run_id, frames)
    progress(1.0, "done")
    return outcome(
        con,
        what=f"{len(users):,} users in {segmentation.n_segments} segments",
        found=segmentation,
        carried=carried,
        run_id=run_id,
        model=model,
        params={k: params[k] for k in ("half_life_days", "min_cluster_size", "outlier_budget", "n_resamples")},
        seed=seed,
    )


def review_talk_directions(languages: pd.Series, model: str, device: str, space: LanguageSpace) -> np.ndarray:
    """The directions of review talk (delivery, price, service …) in the store's languages: (k, dim) float32.

    See :mod:`insight.profiles.boilerplate`; the bank is encoded by the store's model and centred like its texts.
    """
    from insight.encode import encode_texts

    return talk_directions(
        set(languages.dropna()), lambda texts: encode_texts(texts, model=model, device=device), space.neutral
    )


def _history(
    profiles: Profiles, shop_wide: np.ndarray, talk: np.ndarray, centroids: dict[int, np.ndarray]
) -> pd.DataFrame:
    """Each user-month's nearest segment by cosine (-1 when none is within reach), in the segments' space."""
    ids = np.array(sorted(centroids))
    periods = profiles.periods
    if periods.empty or not len(ids):
        return pd.DataFrame(columns=["user_id", "period", "segment_id"])
    matrix = np.stack([centroids[s] for s in ids]).astype(np.float32)
    products = profiles.months.products(removal_basis(matrix, shared=shop_wide, talk=talk))
    similarity = cosine_from_products(products, profiles.months.lengths, matrix, shared=shop_wide, talk=talk)
    best = similarity.argmax(axis=1)
    reach = similarity[np.arange(len(best)), best] >= HISTORY_MIN_SIMILARITY
    nearest = np.where(reach, ids[best], -1)
    return pd.DataFrame({"user_id": periods["user_id"].astype(str), "period": periods["period"], "segment_id": nearest})
