"""Taobao UserBehavior: headerless ``user_id,item_id,category_id,behavior_type,timestamp`` rows.

The release states its period as 2017-11-25 … 2017-12-03 (China time); events stamped outside it are
quarantined as clock errors rather than silently kept.
"""

from __future__ import annotations

import pandas as pd

from insight.ingestion.canonical import Canonical, reject, with_provenance
from insight.ingestion.readers import Source, SourceFile

NAME = "taobao"
DESCRIPTION = "Taobao UserBehavior.csv (no header: user, item, category, behaviour pv/cart/fav/buy, unix time)"

BEHAVIOURS = {"pv": "view", "cart": "cart", "fav": "fav", "buy": "purchase"}
PERIOD = (pd.Timestamp("2017-11-25"), pd.Timestamp("2017-12-04"))  # end exclusive, China time


def _is_taobao(file: SourceFile) -> bool:
    cols = [str(c) for c in file.frame.columns]
    return len(cols) == 5 and cols[3] in BEHAVIOURS and all(c.split(".")[0].isdigit() for c in cols[:3] + cols[4:])


def detect(source: Source) -> bool:
    """True when every file looks like headerless UserBehavior rows."""
    return all(_is_taobao(f) for f in source.files)


def convert(source: Source) -> Canonical:
    """Rows become events; the header line read by the CSV reader is the first data row."""
    frames = []
    for file in source.files:
        header = [str(c).split(".")[0] if i != 3 else str(c) for i, c in enumerate(file.frame.columns)]
        body = pd.concat([pd.DataFrame([header], columns=file.frame.columns), file.frame], ignore_index=True)
        body.columns = ["user_id", "item_id", "category_id", "behavior", "unix"]
        frames.append(with_provenance(body, file.name, first_row=1))
    raw = pd.concat(frames, ignore_index=True)
    unix = pd.to_numeric(raw["unix"], errors="coerce")
    # Stored as China local time, the timezone the period is stated in.
    when = pd.to_datetime(unix, unit="s", utc=True).dt.tz_convert("Asia/Shanghai").dt.tz_localize(None)
    outside = when.notna() & ((when < PERIOD[0]) | (when >= PERIOD[1]))
    events = pd.DataFrame(
        {
            "user_id": raw["user_id"],
            "item_id": raw["item_id"],
            "event_type": raw["behavior"].map(BEHAVIOURS).fillna(raw["behavior"]),
            "timestamp": when,
            "_file": raw["_file"],
            "_row": raw["_row"],
        }
    )
    events.attrs["source_fields"] = {"timestamp": "timestamp (column 5)", "event_type": "behavior_type (column 4)"}
    rejected = reject(
        raw,
        outside,
        field="timestamp (column 5)",
        reason="timestamp outside the dataset's stated period 2017-11-25 … 2017-12-03",
    )
    events = events[~outside]
    items = raw.drop_duplicates("item_id")[["item_id", "category_id", "_file", "_row"]]
    items = items.assign(category="taobao category " + items["category_id"]).drop(columns="category_id")
    users = raw.drop_duplicates("user_id")[["user_id", "_file", "_row"]]
    return Canonical(users=users, items=items, events=events, rejected=rejected, extra_rows=len(source.files))
