"""The quality report of a batch, added up slice by slice as the batch is read.

A batch read whole is one slice; a large one read in slices (:mod:`insight.ingestion.chunks`) gets
the same report as if it had been read whole: rows read, duplicates, quarantine reasons with the
first place each was seen, missing values of fields the source does have, the date range and the
languages. Only frames of one slice are held at a time; the tally itself is a few counters.
"""

from __future__ import annotations

from collections import Counter

import pandas as pd

from insight.ingestion.report import IngestReport
from insight.ingestion.validate import Validated

REPORTED_FIELDS = {
    "users": ("country", "city", "first_seen"),
    "items": ("title", "category", "description", "price", "language"),
    "events": ("item_id", "quantity", "value"),
    "reviews": ("user_id", "item_id", "rating", "title", "text", "timestamp", "language"),
}


class ReportTally:
    """Counters of one batch; :meth:`add` each validated slice, then :meth:`report`."""

    def __init__(self) -> None:
        self.rows_read = 0
        self.in_file_duplicates = 0
        self.quarantined: Counter[str] = Counter()
        self.examples: dict[str, str] = {}
        self.missing: Counter[str] = Counter()
        self.present: set[str] = set()
        self.first: pd.Timestamp | None = None
        self.last: pd.Timestamp | None = None
        self.languages: Counter[str] = Counter()

    def add(self, checked: Validated, rows_read: int) -> None:
        """Count one slice: ``rows_read`` source rows, validated into ``checked``."""
        self.rows_read += rows_read
        self.in_file_duplicates += sum(checked.duplicates_in_file.values())
        quarantine = checked.quarantine
        if len(quarantine):
            self.quarantined.update({str(k): int(v) for k, v in quarantine["reason"].value_counts().items()})
            for row in quarantine.drop_duplicates("reason").to_dict("records"):
                self.examples.setdefault(row["reason"], f"{row['_file']}, row {row['_row']}, field '{row['field']}'")
        tables = checked.tables
        for table, columns in REPORTED_FIELDS.items():
            frame = tables[table]
            for column in columns if not frame.empty else ():
                values = frame[column]
                self.missing[f"{table}.{column}"] += int(values.isna().sum())
                if values.notna().any():
                    self.present.add(f"{table}.{column}")
        for table in ("events", "reviews"):
            stamps = tables[table]["timestamp"].dropna() if not tables[table].empty else ()
            if len(stamps):
                low, high = stamps.min(), stamps.max()
                self.first = low if self.first is None else min(self.first, low)
                self.last = high if self.last is None else max(self.last, high)
        for table in ("items", "reviews"):
            self.languages.update({str(k): int(v) for k, v in tables[table]["language"].value_counts().items()})

    def report(self, batch_id: str, source: str, fmt: str) -> IngestReport:
        """The batch's report so far (status ``loaded``; the pipeline settles the final status)."""
        # a field the source never has is not "missing"
        missing = {k: n for k, n in self.missing.items() if n and k in self.present}
        return IngestReport(
            batch_id=batch_id,
            source=source,
            format=fmt,
            status="loaded",
            rows_read=self.rows_read,
            duplicates={"in file": self.in_file_duplicates},
            quarantined=dict(self.quarantined),
            quarantine_examples=dict(self.examples),
            missing=missing,
            date_range=(
                str(self.first) if self.first is not None else None,
                str(self.last) if self.last is not None else None,
            ),
            languages=dict(self.languages.most_common()),
        )
