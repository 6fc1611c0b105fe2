"""Olist (Brazil) marketplace export: a folder of ``olist_*_dataset.csv`` files.

Olist gives one ``customer_id`` per order; the person is ``customer_unique_id``, so that is the user.
Each order line becomes a purchase (or a ``cancel`` for cancelled/unavailable orders); a review is
about an order, so it is attached to the order's first item. Products have no titles, only a
Portuguese category, translated to English when the translation file is present.
"""

from __future__ import annotations

import pandas as pd

from insight.ingestion.canonical import Canonical, with_provenance
from insight.ingestion.errors import IngestError
from insight.ingestion.readers import Source, SourceFile

NAME = "olist"
DESCRIPTION = "Olist marketplace folder (orders, order_items, customers, products, order_reviews CSVs)"

NEEDED = ("olist_orders_dataset", "olist_order_items_dataset", "olist_customers_dataset")
OPTIONAL = ("olist_products_dataset", "olist_order_reviews_dataset", "product_category_name_translation")
CANCELLED = {"canceled", "unavailable"}


def _files(source: Source) -> dict[str, SourceFile]:
    return {f.stem: f for f in source.files}


def detect(source: Source) -> bool:
    """True when the orders, order items and customers files are all present."""
    return all(name in _files(source) for name in NEEDED)


def _frame(files: dict[str, SourceFile], name: str) -> pd.DataFrame:
    file = files[name]
    return with_provenance(file.frame, file.name, file.first_row)


def convert(source: Source) -> Canonical:
    """Join orders to customers and items into users, items, events and reviews."""
    files = _files(source)
    missing = [n for n in NEEDED if n not in files]
    if missing:
        raise IngestError("an Olist folder needs " + ", ".join(f"{n}.csv" for n in missing), file=source.path)
    customers = _frame(files, "olist_customers_dataset")
    orders = _frame(files, "olist_orders_dataset")
    lines = _frame(files, "olist_order_items_dataset")
    person = customers.set_index("customer_id")["customer_unique_id"]
    orders["user_id"] = orders["customer_id"].map(person)

    users = customers.drop_duplicates("customer_unique_id").rename(
        columns={"customer_unique_id": "user_id", "customer_city": "city"}
    )
    users = users.assign(country="BR", attributes=users["customer_state"].map(lambda s: f'{{"state": "{s}"}}'))

    # Several units of one product in an order are separate lines; they are one purchase of quantity n.
    lines["price"] = pd.to_numeric(lines["price"], errors="coerce")
    grouped = (
        lines.groupby(["order_id", "product_id"], sort=False)
        .agg(
            quantity=("order_item_id", "size"), value=("price", "sum"), _file=("_file", "first"), _row=("_row", "first")
        )
        .reset_index()
    )
    joined = grouped.merge(
        orders[["order_id", "user_id", "order_status", "order_purchase_timestamp"]], on="order_id", how="left"
    )
    events = pd.DataFrame(
        {
            "user_id": joined["user_id"],
            "item_id": joined["product_id"],
            "event_type": joined["order_status"].map(lambda s: "cancel" if s in CANCELLED else "purchase"),
            "timestamp": joined["order_purchase_timestamp"],
            "quantity": joined["quantity"],
            "value": joined["value"].round(2),
            "_file": joined["_file"],
            "_row": joined["_row"],
        }
    )
    events.attrs["source_fields"] = {"user_id": "customer_id (via orders)", "timestamp": "order_purchase_timestamp"}

    items = _items(files, lines)
    reviews = _reviews(files, orders, lines) if "olist_order_reviews_dataset" in files else pd.DataFrame()
    return Canonical(users=users, items=items, events=events, reviews=reviews)


def _items(files: dict[str, SourceFile], lines: pd.DataFrame) -> pd.DataFrame:
    prices = lines.groupby("product_id")["price"].median()
    if "olist_products_dataset" not in files:
        items = lines.drop_duplicates("product_id")[["product_id", "_file", "_row"]]
        items = items.assign(category=None)
    else:
        items = _frame(files, "olist_products_dataset").rename(columns={"product_category_name": "category"})
        items = items[["product_id", "category", "_file", "_row"]]
    if "product_category_name_translation" in files:
        table = files["product_category_name_translation"].frame
        english = dict(zip(table.iloc[:, 0].str.strip("\ufeff"), table.iloc[:, 1], strict=False))
        items["category"] = items["category"].map(lambda c: english.get(c, c))
    items = items.rename(columns={"product_id": "item_id"})
    return items.assign(price=items["item_id"].map(prices), language=None)


def _reviews(files: dict[str, SourceFile], orders: pd.DataFrame, lines: pd.DataFrame) -> pd.DataFrame:
    raw = _frame(files, "olist_order_reviews_dataset")
    first_item = lines.sort_values("order_item_id").drop_duplicates("order_id").set_index("order_id")["product_id"]
    owner = orders.set_index("order_id")["user_id"]
    reviews = pd.DataFrame(
        {
            # review_id repeats across orders in the export; the pair is unique.
            "review_id": raw["review_id"] + ":" + raw["order_id"],
            "user_id": raw["order_id"].map(owner),
            "item_id": raw["order_id"].map(first_item),
            "rating": raw["review_score"],
            "title": raw["review_comment_title"],
            "text": raw["review_comment_message"],
            "timestamp": raw["review_creation_date"],
            "_file": raw["_file"],
            "_row": raw["_row"],
        }
    )
    reviews.attrs["language_hint"] = "pt"  # short Brazilian reviews ("ótimo", "recomendo") fool detectors
    return reviews
