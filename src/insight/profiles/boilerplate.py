"""What reviews say about shopping itself, taken out of profiles before they are segmented.

Reviews of shampoo, books and dresses share a vocabulary that says nothing about what their writers
are into: delivery, packaging, price, genuineness, service, satisfaction. A reviewer's profile leans
along those directions as much as along their interests, so segments gathered "short satisfied
reviews of anything" and split each interest by how its reviews read. The directions are measured
on a bank of such sentences in each of the store's languages (encoded by the store's encoder and
centred like the store's texts) and removed from every profile before clustering; the profiles that
are stored and searched keep them.

Measured on the segments job's vectors (``bench/truth_mixed.py`` sets, HDBSCAN ``eom``, three seeds):
Chinese clothes/shampoo/books/tablets reviewers mixed with English clothing reviewers, NMI(segment,
interest) 0.50 → 0.59 with NMI(segment, language) among the clothing reviewers 0.10 → 0.10; the demo
shop 0.50 → 0.50 (its profiles are mostly products, not reviews); trousers against other clothes in
two languages, 0.07 (one seed collapsing to 3 segments) → 0.12.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

from insight.profiles.space import unit_rows

DIRECTIONS = 8  # directions removed: about half the sentences of a two-language bank

REVIEW_TALK: dict[str, tuple[str, ...]] = {
    "en": ("fast delivery", "good quality, will buy again", "terrible quality, do not buy", "great value for money",
           "the package arrived damaged", "customer service was helpful", "not worth the price",
           "works as described"),
    "zh": ("物流很快", "质量很好，还会再买", "质量太差，不要买", "性价比很高",
           "包装破损了", "客服态度很好", "不值这个价", "和描述的一样"),
    "pt": ("entrega rápida", "boa qualidade, vou comprar de novo", "qualidade péssima, não comprem",
           "ótimo custo-benefício", "a embalagem chegou danificada", "o atendimento foi atencioso",
           "não vale o preço", "conforme o anunciado"),
    "es": ("envío rápido", "buena calidad, volveré a comprar", "calidad pésima, no lo compren",
           "buena relación calidad-precio", "el paquete llegó dañado", "el servicio al cliente fue amable",
           "no vale lo que cuesta", "tal como se describe"),
    "fr": ("livraison rapide", "bonne qualité, je rachèterai", "qualité horrible, n'achetez pas",
           "excellent rapport qualité-prix", "le colis est arrivé abîmé", "le service client a été serviable",
           "ne vaut pas son prix", "conforme à la description"),
    "de": ("schnelle Lieferung", "gute Qualität, würde wieder kaufen", "miserable Qualität, nicht kaufen",
           "gutes Preis-Leistungs-Verhältnis", "das Paket kam beschädigt an", "der Kundenservice war hilfsbereit",
           "den Preis nicht wert", "wie beschrieben"),
    "ja": ("配送が早い", "品質が良く、また買います", "品質が最悪、買わないで", "コスパが良い",
           "箱が破損して届いた", "カスタマーサービスが親切だった", "値段に見合わない", "説明どおりでした"),
    "ko": ("배송이 빨라요", "품질이 좋아서 또 살게요", "품질이 최악이에요, 사지 마세요", "가성비가 좋아요",
           "포장이 파손되어 왔어요", "고객센터가 친절했어요", "가격만큼의 가치가 없어요", "설명대로예요"),
}  # fmt: skip


def review_talk(languages: Iterable[str | None]) -> list[tuple[str, str]]:
    """(sentence, language) of the bank for the store's ``languages`` (English's when none of them has one)."""
    present = [lang for lang in REVIEW_TALK if lang in set(languages)] or ["en"]
    return [(sentence, lang) for lang in present for sentence in REVIEW_TALK[lang]]


def talk_directions(
    languages: Iterable[str | None],
    encode: Callable[[list[str]], np.ndarray],
    place: Callable[[np.ndarray, list[str]], np.ndarray],
    k: int = DIRECTIONS,
) -> np.ndarray:
    """The ``k`` main directions in which the bank's sentences differ: float32 (k, dim), orthonormal rows.

    ``encode`` turns texts into vectors; ``place`` centres them like the store's texts of each language.
    """
    bank = review_talk(languages)
    vectors = place(encode([sentence for sentence, _ in bank]), [lang for _, lang in bank])
    centred = np.asarray(vectors, dtype=np.float64) - np.mean(vectors, axis=0)
    _, _, rows = np.linalg.svd(centred, full_matrices=False)
    return rows[: min(k, len(bank) - 1)].astype(np.float32)


def without_talk(vectors: np.ndarray, directions: np.ndarray) -> np.ndarray:
    """``vectors`` (n, dim) less their components along ``directions`` (k, dim), renormalised: float32."""
    vectors = np.asarray(vectors, dtype=np.float32)
    return unit_rows(vectors - (vectors @ directions.T) @ directions) if len(directions) else vectors


def _removed(shared: np.ndarray, talk: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The shared direction as a unit float64 vector, and the talk rows as a float64 (k, dim) matrix."""
    axis = np.asarray(shared, dtype=np.float64)
    axis = axis / max(float(np.linalg.norm(axis)), 1e-12)
    return axis, np.asarray(talk, dtype=np.float64).reshape(-1, len(axis))


def removal_basis(others: np.ndarray, *, shared: np.ndarray, talk: np.ndarray) -> np.ndarray:
    """``others`` (m, dim), the unit ``shared`` direction and the ``talk`` rows stacked: float32 (m + 1 + k, dim).

    What :func:`cosine_from_products` needs each vector's products with; see :func:`cosine_without`.
    """
    axis, talk = _removed(shared, talk)
    return np.vstack([np.asarray(others, dtype=np.float64), axis, talk]).astype(np.float32)


def cosine_without(vectors: np.ndarray, others: np.ndarray, *, shared: np.ndarray, talk: np.ndarray) -> np.ndarray:
    """Cosine of ``vectors`` (n, dim) to ``others`` (m, dim) with the shared direction and review talk out.

    ``shared`` (dim,) is one direction and ``talk`` (k, dim) orthonormal rows; both leave ``vectors``
    only. The same as ``without_talk(without_shared_direction(vectors, shared), talk) @ others.T`` (zero rows
    give 0), without forming the projected rows: one product with ``others`` and the k + 1 directions,
    which the segments job needs for the millions of monthly profiles of a large shop. float32 (n, m).
    """
    vectors = np.asarray(vectors, dtype=np.float32)
    products = (vectors @ removal_basis(others, shared=shared, talk=talk).T).astype(np.float64)
    length = np.sqrt(np.einsum("ij,ij->i", vectors, vectors, dtype=np.float64))
    return cosine_from_products(products, length, others, shared=shared, talk=talk)


def cosine_from_products(
    products: np.ndarray, length: np.ndarray, others: np.ndarray, *, shared: np.ndarray, talk: np.ndarray
) -> np.ndarray:
    """:func:`cosine_without` from each vector's ``products`` with :func:`removal_basis` and its ``length``.

    A caller holding sums of vectors (a month's profile is a weighted sum of its texts) gets both
    without forming the sums: the products are sums of the texts' products, and only the length needs
    the vectors themselves. float32 (n, m).
    """
    others = np.asarray(others, dtype=np.float64)
    axis, talk = _removed(shared, talk)
    m = len(others)
    along = products[:, m]
    rest = np.sqrt(np.clip(length**2 - along**2, 0, None))  # |v - (v·a)a|; any length of v gives the same cosines
    scale = 1.0 / np.maximum(rest, 1e-12)
    to_others = (products[:, :m] - np.outer(along, others @ axis)) * scale[:, None]  # y · c, y the unit remainder
    to_talk = (products[:, m + 1 :] - np.outer(along, talk @ axis)) * scale[:, None]  # T y
    left = np.sqrt(np.clip(1.0 - (to_talk**2).sum(axis=1), 0, None))  # |y - TᵀTy|
    cosine = (to_others - to_talk @ (talk @ others.T)) / np.maximum(left, 1e-12)[:, None]
    cosine[(rest <= 1e-6 * length) | (left <= 1e-6)] = 0.0
    return cosine.astype(np.float32)
