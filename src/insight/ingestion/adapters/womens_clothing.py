"""Women's E-Commerce Clothing Reviews: English reviews with a 1–5 rating, no reviewer ids or dates.

Each ``Clothing ID`` becomes an item in its department/class; reviewer age and the
"recommended" flag are kept nowhere (no user to attach them to), which the README states.
"""

from __future__ import annotations

import pandas as pd

from insight.ingestion.canonical import Canonical, with_provenance
from insight.ingestion.readers import Source

NAME = "womens_clothing"
DESCRIPTION = "Women's E-Commerce Clothing Reviews (Clothing ID, Review Text, Rating, Class Name …)"

COLUMNS = {"Clothing ID", "Review Text", "Rating", "Class Name", "Department Name"}


def detect(source: Source) -> bool:
    """True when every file has the clothing-review columns."""
    return all(COLUMNS <= set(map(str, f.frame.columns)) for f in source.files)


def convert(source: Source) -> Canonical:
    """Rows become reviews of per-garment items."""
    raw = pd.concat([with_provenance(f.frame, f.name, f.first_row) for f in source.files], ignore_index=True)
    item_id = "clothing-" + raw["Clothing ID"].astype("string")
    row_id = raw[raw.columns[0]] if str(raw.columns[0]).startswith("Unnamed") else raw["_row"]
    reviews = pd.DataFrame(
        {
            "review_id": "wcr-" + row_id.astype("string"),
            "item_id": item_id,
            "rating": raw["Rating"],
            "title": raw["Title"] if "Title" in raw else None,
            "text": raw["Review Text"],
            "language": "en",
            "_file": raw["_file"],
            "_row": raw["_row"],
        }
    )
    items = raw.assign(item_id=item_id).drop_duplicates("item_id")
    items = pd.DataFrame(
        {
            "item_id": items["item_id"],
            "title": items["Department Name"].fillna("Clothing")
            + " · "
            + items["Class Name"].fillna("item")
            + " #"
            + items["Clothing ID"].astype("string"),
            "category": items["Class Name"],
            "language": "en",
            "_file": items["_file"],
            "_row": items["_row"],
        }
    )
    reviews.attrs["source_fields"] = {"rating": "Rating", "text": "Review Text"}
    return Canonical(items=items, reviews=reviews)
