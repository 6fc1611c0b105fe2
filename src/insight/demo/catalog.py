"""Build the demo product catalog from the templates in ``catalog.json``.

Titles are combinatorial (brand x attribute x product type x variant, per category and language) so
about 200 products read like a real shop while the JSON lists only a few dozen product types. About
30% of each category is written in Chinese. The hand-written ``planted_items`` (products with a known
quality problem) are placed first in their category, so their item ids do not depend on the seed.
Besides the canonical columns the frame carries simulation-only columns (popularity, quality,
aspects, role), which the generator drops before writing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from insight.demo.plan import load_json

ZH_SHARE = 0.30
CANONICAL = ("item_id", "title", "category", "description", "price", "language")


def categories() -> list[dict]:
    """Return the category templates, in catalog order."""
    return load_json("catalog.json")["categories"]


def category_index() -> dict[str, int]:
    """Map each category key (``gaming`` …) to its position in catalog order."""
    return {c["key"]: i for i, c in enumerate(categories())}


def _price(rng: np.random.Generator, lo: float, hi: float, lang: str) -> float:
    """Draw a shop-like price in ``[lo, hi]``: x.99 for English listings, x.90 for Chinese ones."""
    whole = int(rng.integers(int(lo), int(hi) + 1))
    return whole + (0.99 if lang == "en" else 0.9)


def _compose(rng: np.random.Generator, cat: dict, lang: str) -> tuple[str, str, float, list[str], str]:
    """Make one random product of ``cat`` in ``lang``: title, description, price, aspects, type."""
    t = cat["types"][lang][int(rng.integers(len(cat["types"][lang])))]
    brand = cat["brands"][lang][int(rng.integers(len(cat["brands"][lang])))]
    attr = t["attrs"][int(rng.integers(len(t["attrs"])))] if rng.random() < 0.8 else ""
    variant = t["variants"][int(rng.integers(len(t["variants"])))]
    feature = t["features"][int(rng.integers(len(t["features"])))]
    selling = cat["selling"][lang][int(rng.integers(len(cat["selling"][lang])))]
    if lang == "en":
        product = f"{attr} {t['name']}".strip()
        title = f"{brand} {product}, {variant}"
        description = f"{product[0].upper()}{product[1:]} ({variant}). {feature} {selling}"
    else:
        product = f"{attr}{t['name']}"
        title = f"{brand} {product} {variant}"
        description = f"{product}，{variant}。{feature}{selling}"
    price = _price(rng, *t["price"], lang)
    return title, description, price, list(t.get("aspects", cat["aspects"])), t["name"]


def build_items(rng: np.random.Generator) -> pd.DataFrame:
    """Build the catalog as a frame: canonical columns plus simulation columns.

    Simulation columns: ``cat`` (category position), ``popularity`` (relative view weight),
    ``quality`` (expected star rating before noise), ``aspects`` (what reviews talk about),
    ``role`` ("", "defect" or "spike") and ``defect`` (the aspect a planted problem hits).
    """
    data = load_json("catalog.json")
    rows: list[dict] = []
    for ci, cat in enumerate(data["categories"]):
        planted = [p for p in data["planted_items"] if p["category"] == cat["key"]]
        n_zh = round(cat["n_items"] * ZH_SHARE) - sum(p["language"] == "zh" for p in planted)
        n_en = cat["n_items"] - len(planted) - n_zh
        langs = ["en"] * n_en + ["zh"] * n_zh
        langs = [langs[i] for i in rng.permutation(len(langs))]
        seen = {p["title"] for p in planted}
        for p in planted:
            aspects = list(dict.fromkeys([p["aspect"], *cat["aspects"]]))
            rows.append(
                {
                    "title": p["title"],
                    "description": p["description"],
                    "price": p["price"],
                    "language": p["language"],
                    "cat": ci,
                    "aspects": aspects,
                    "role": p["role"],
                    "defect": p["aspect"],
                }
            )
        for lang in langs:
            for _ in range(50):  # redraw on a duplicate title
                title, desc, price, aspects, _type = _compose(rng, cat, lang)
                if title not in seen:
                    break
            seen.add(title)
            rows.append(
                {
                    "title": title,
                    "description": desc,
                    "price": price,
                    "language": lang,
                    "cat": ci,
                    "aspects": aspects,
                    "role": "",
                    "defect": "",
                }
            )
    items = pd.DataFrame(rows)
    items.insert(0, "item_id", [f"i{i + 1:04d}" for i in range(len(items))])
    items["category"] = [data["categories"][c]["name"] for c in items["cat"]]
    items["price"] = items["price"].round(2)
    popularity = rng.lognormal(0.0, 0.7, len(items))
    quality = rng.uniform(4.3, 5.2, len(items))
    popularity[items["role"].eq("defect").to_numpy()] = 1.8
    popularity[items["role"].eq("spike").to_numpy()] = 9.0  # a best-seller
    quality[items["role"].eq("defect").to_numpy()] = 1.6
    quality[items["role"].eq("spike").to_numpy()] = 4.5
    items["popularity"] = popularity
    items["quality"] = quality
    return items


def planted_items(items: pd.DataFrame) -> pd.DataFrame:
    """Return the planted problem products (role ``defect`` or ``spike``) with id, title and aspect."""
    cols = ["item_id", "title", "category", "language", "role", "defect"]
    return items.loc[items["role"].ne(""), cols].reset_index(drop=True)
