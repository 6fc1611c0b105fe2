"""UCI Online Retail I and II: invoice lines of a UK gift wholesaler (English product descriptions).

Invoices starting with ``C`` are cancellations and become ``refund`` events; customer id 0 or
blank means an unknown customer, which validation quarantines (an event needs a user).
"""

from __future__ import annotations

import pandas as pd

from insight.ingestion.canonical import Canonical, reject, with_provenance
from insight.ingestion.readers import Source, SourceFile

NAME = "online_retail"
DESCRIPTION = "UCI Online Retail I/II invoice lines (Invoice, StockCode, Description, Quantity, …)"

# Both releases, with their own spellings: canonical name -> candidates.
COLUMNS = {
    "invoice": ("Invoice", "InvoiceNo"),
    "item_id": ("StockCode",),
    "title": ("Description",),
    "quantity": ("Quantity",),
    "timestamp": ("InvoiceDate",),
    "price": ("Price", "UnitPrice"),
    "user_id": ("Customer ID", "CustomerID"),
    "country": ("Country",),
}


def _mapping(file: SourceFile) -> dict[str, str] | None:
    cols = set(map(str, file.frame.columns))
    found = {}
    for canonical, candidates in COLUMNS.items():
        match = next((c for c in candidates if c in cols), None)
        if match is None:
            return None
        found[canonical] = match
    return found


def detect(source: Source) -> bool:
    """True when every file has the Online Retail columns."""
    return all(_mapping(f) for f in source.files)


def convert(source: Source) -> Canonical:
    """Invoice lines become purchase/refund events; stock codes become items; customers users."""
    users, items, events, rejected = [], [], [], []
    for file in source.files:
        raw = file.frame.rename(columns={v: k for k, v in _mapping(file).items()})
        raw = with_provenance(raw, file.name, file.first_row)
        customer = pd.to_numeric(raw["user_id"], errors="coerce")
        raw["user_id"] = customer.where(customer > 0).astype("Int64").astype("string")
        invoice = raw["invoice"].astype("string")
        quantity = pd.to_numeric(raw["quantity"], errors="coerce")
        price = pd.to_numeric(raw["price"], errors="coerce")
        cancelled = invoice.str.upper().str.startswith("C").fillna(False)
        # Stock adjustments ("damaged", "bad debt") are not customer behaviour.
        adjustment = ((quantity < 0) & ~cancelled) | (price < 0)
        rejected.append(
            reject(
                raw,
                adjustment & (quantity < 0),
                field="Quantity",
                reason="negative quantity on an invoice that is not a cancellation (stock adjustment)",
            )
        )
        rejected.append(reject(raw, adjustment & ~(quantity < 0), field="Price", reason="negative price"))
        keep = ~adjustment
        raw, quantity, price, cancelled = raw[keep], quantity[keep], price[keep], cancelled[keep]
        events.append(
            pd.DataFrame(
                {
                    "user_id": raw["user_id"],
                    "item_id": raw["item_id"].astype("string").str.strip(),
                    "event_type": cancelled.map({True: "refund", False: "purchase"}),
                    "timestamp": raw["timestamp"],
                    # A cancellation is recorded with negative quantity; a refund event counts it positive.
                    "quantity": quantity.where(~cancelled, quantity.abs()),
                    "value": (quantity.abs() * price).round(2),
                    "_file": raw["_file"],
                    "_row": raw["_row"],
                }
            )
        )
        users.append(raw[["user_id", "country", "_file", "_row"]].dropna(subset=["user_id"]))
        items.append(raw[["item_id", "title", "price", "_file", "_row"]].assign(price=price))
    all_users = pd.concat(users).drop_duplicates("user_id")
    all_items = pd.concat(items)
    all_items["item_id"] = all_items["item_id"].astype("string").str.strip()
    # Descriptions vary across lines of one stock code: keep the most frequent one, and the median price.
    titles = (
        all_items.dropna(subset=["title"])
        .groupby(["item_id", "title"])
        .size()
        .reset_index(name="n")
        .sort_values(["item_id", "n"], ascending=[True, False])
        .drop_duplicates("item_id")
    )
    first = all_items.drop_duplicates("item_id")[["item_id", "_file", "_row"]]
    prices = all_items[all_items["price"] > 0].groupby("item_id")["price"].median().rename("price")
    item_frame = first.merge(titles[["item_id", "title"]], on="item_id", how="left").merge(
        prices, on="item_id", how="left"
    )
    item_frame["title"] = item_frame["title"].str.strip()
    item_frame["language"] = "en"
    event_frame = pd.concat(events, ignore_index=True)
    event_frame.attrs["source_fields"] = {"user_id": "Customer ID", "item_id": "StockCode", "timestamp": "InvoiceDate"}
    return Canonical(users=all_users, items=item_frame, events=event_frame, rejected=pd.concat(rejected))
