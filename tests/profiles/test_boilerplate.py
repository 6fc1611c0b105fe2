"""Review talk taken out of profiles: reviewers group by what they bought, not by how their reviews read."""

import numpy as np

from insight.encode import encode_texts
from insight.profiles.boilerplate import REVIEW_TALK, review_talk, talk_directions, without_talk

REVIEWS = {  # (product, tone) -> review: each product praised and damned in the same shopping words
    ("shampoo", "good"): "洗发水用了头发很顺，物流很快，还会再买",
    ("shampoo", "bad"): "洗发水包装破损了，客服不理人，差评",
    ("tablet", "good"): "平板电脑屏幕清晰，物流很快，还会再买",
    ("tablet", "bad"): "平板电脑包装破损了，客服不理人，差评",
    ("dress", "good"): "This dress fits perfectly, fast delivery, will buy again",
    ("dress", "bad"): "The dress arrived in a damaged package, customer service ignored me",
    ("shoes", "good"): "Running shoes are comfy, fast delivery, will buy again",
    ("shoes", "bad"): "The running shoes arrived in a damaged package, customer service ignored me",
}


def _encode(texts):
    return encode_texts(list(texts), model="multilingual-e5-small")


def _same_product_neighbours(vectors: np.ndarray) -> int:
    similarity = vectors @ vectors.T
    np.fill_diagonal(similarity, -np.inf)
    keys = list(REVIEWS)
    return sum(keys[j][0] == key[0] for key, j in zip(keys, similarity.argmax(axis=1), strict=True))


def test_without_review_talk_a_reviews_nearest_neighbour_is_about_the_same_product():
    vectors = _encode(REVIEWS.values())
    vectors = vectors - vectors.mean(axis=0)
    before = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    after = without_talk(vectors, talk_directions(["zh", "en"], _encode, lambda v, langs: v))
    assert _same_product_neighbours(before) <= 2  # the shopping words decide
    assert _same_product_neighbours(after) >= 6
    assert np.allclose(np.linalg.norm(after, axis=1), 1.0, atol=1e-5)


def test_the_bank_follows_the_stores_languages_and_falls_back_to_english():
    assert {lang for _, lang in review_talk(["pt", "xx", None])} == {"pt"}
    assert {lang for _, lang in review_talk(["vi"])} == {"en"}
    directions = talk_directions(["en"], _encode, lambda v, langs: v, k=50)
    assert directions.shape == (len(REVIEW_TALK["en"]) - 1, 384)  # no more directions than the bank has
    assert np.allclose(directions @ directions.T, np.eye(len(directions)), atol=1e-4)


def test_monthly_memberships_judge_each_month_as_the_segments_did():
    """The segments job matches millions of monthly profiles to segments without projecting each one:
    the shortcut gives the cosines of the projected, renormalised profiles, zero rows included."""
    from insight.profiles.boilerplate import cosine_from_products, cosine_without, removal_basis
    from insight.profiles.build import without_shared_direction

    rng = np.random.default_rng(3)
    months = rng.normal(size=(500, 384)).astype(np.float32)
    months /= np.linalg.norm(months, axis=1, keepdims=True)
    months[7] = 0.0  # a month whose texts have no vector
    shared, centroids = rng.normal(size=384), rng.normal(size=(6, 384)).astype(np.float32)
    talk = np.linalg.qr(rng.normal(size=(384, 8)))[0].T.astype(np.float32)
    for directions in (talk, talk[:0]):
        direct = without_talk(without_shared_direction(months, shared), directions) @ centroids.T
        shortcut = cosine_without(months, centroids, shared=shared, talk=directions)
        np.testing.assert_allclose(shortcut, direct, atol=1e-5)
        assert (direct.argmax(axis=1) == shortcut.argmax(axis=1)).all() and not shortcut[7].any()
        lengths = rng.uniform(0.5, 40.0, size=(len(months), 1)).astype(np.float32)  # weighted sums, not unit rows
        np.testing.assert_allclose(cosine_without(months * lengths, centroids, shared=shared, talk=directions),
                                   shortcut, atol=1e-5)  # fmt: skip
        basis = removal_basis(centroids, shared=shared, talk=directions)  # from products alone, as for sums
        products = (months * lengths).astype(np.float64) @ basis.T.astype(np.float64)
        from_products = cosine_from_products(products, np.linalg.norm(months * lengths, axis=1), centroids,
                                             shared=shared, talk=directions)  # fmt: skip
        np.testing.assert_allclose(from_products, shortcut, atol=1e-5)
