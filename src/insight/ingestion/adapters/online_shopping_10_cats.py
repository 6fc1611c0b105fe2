"""online_shopping_10_cats: Chinese shopping reviews labelled positive (1) or negative (0) in 10 categories.

The data names categories, not products, so each category becomes one category-level item; the
binary label is kept as the review's ``label`` (there is no star rating).
"""

from __future__ import annotations

import pandas as pd

from insight.ingestion.canonical import Canonical, with_provenance
from insight.ingestion.readers import Source

NAME = "online_shopping_10_cats"
DESCRIPTION = "online_shopping_10_cats (cat, label 0/1, review) Chinese reviews"

LABELS = {"1": "positive", "0": "negative"}


def detect(source: Source) -> bool:
    """True when every file has exactly the cat, label and review columns."""
    return all({"cat", "label", "review"} <= set(map(str, f.frame.columns)) for f in source.files)


def convert(source: Source) -> Canonical:
    """Rows become labelled reviews of category-level items."""
    raw = pd.concat([with_provenance(f.frame, f.name, f.first_row) for f in source.files], ignore_index=True)
    text = raw["review"].astype("string").str.replace("\ufeff", "", regex=False).str.strip()
    item_id = "category:" + raw["cat"].astype("string")
    label = raw["label"].astype("string").str.strip()
    reviews = pd.DataFrame(
        {
            "item_id": item_id,
            "text": text.where(text != "", None),
            "label": label.map(LABELS).fillna(label),
            "language": "zh",
            "_file": raw["_file"],
            "_row": raw["_row"],
        }
    )
    reviews.attrs["source_fields"] = {"text": "review", "label": "label"}
    items = raw.assign(item_id=item_id).drop_duplicates("item_id")
    items = pd.DataFrame(
        {
            "item_id": items["item_id"],
            "title": items["cat"],
            "category": items["cat"],
            "description": "category-level item: the dataset names categories, not products",
            "language": "zh",
            "_file": items["_file"],
            "_row": items["_row"],
        }
    )
    return Canonical(items=items, reviews=reviews)
