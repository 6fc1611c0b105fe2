"""The Ingest page's reads and its quality report: batches, quarantined rows, what a load did."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from insight.ingestion.report import IngestReport
from insight.store import batches
from insight.ui import tables, widgets
from insight.ui.resources import cursor
from insight.ui.text import md


def recent_batches(limit: int = 20) -> pd.DataFrame:
    """Latest ingest batches (not cached: the Ingest page must show a batch the moment it lands)."""
    return batches.fetch_batches(cursor(), limit=limit)


def quarantined_rows(batch_id: str, reason: str | None = None) -> pd.DataFrame:
    """Quarantined rows of one batch."""
    return batches.fetch_quarantine(cursor(), batch_id, reason=reason)


def ingest_report(report: IngestReport) -> None:
    """A batch's quality report: outcome, counts, quarantine reasons, missing values and personal data left out."""
    status = {"loaded": st.success, "already_loaded": st.info}.get(report.status, st.error)
    status(
        f"**{md(report.source)}** ({md(report.format)}): {report.status.replace('_', ' ')}"
        + (f" — {md(report.message)}" if report.message else "")
    )
    if report.status == "already_loaded":
        return
    widgets.kpi_row(
        {
            "Rows read": report.rows_read,
            "Rows loaded": sum(report.loaded.values()),
            "Quarantined": sum(report.quarantined.values()),
            "Duplicates skipped": sum(report.duplicates.values()),
        }
    )
    for reason, counts in report.orphans.items():
        st.warning(
            f"Loaded, but {counts['rows']:,} {reason} ({counts['ids']:,} distinct ids): "
            "load the matching users or items file, or check that the ids are written the same way."
        )
    left, right = st.columns(2)
    with left:
        st.caption("Loaded by table")
        tables.show(pd.DataFrame(report.loaded.items(), columns=["Table", "Rows added"]))
        if any(report.date_range):
            st.caption(md(f"Date range: {report.date_range[0]} … {report.date_range[1]}"))
        if report.languages:
            st.caption("Texts by language: " + ", ".join(f"{md(k)} {v:,}" for k, v in report.languages.items()))
    with right:
        if report.quarantined:
            st.caption("Quarantined by reason")
            tables.show(
                pd.DataFrame(
                    [(r, n, report.quarantine_examples.get(r, "")) for r, n in report.quarantined.items()],
                    columns=["Reason", "Rows", "First occurrence"],
                )
            )
        if report.missing:
            st.caption("Missing values by field")
            tables.show(pd.DataFrame(report.missing.items(), columns=["Field", "Rows without a value"]))
    if report.dropped_columns:
        st.caption("Personal data not stored: these user columns were left out of the users' attributes")
        tables.show(pd.DataFrame(report.dropped_columns.items(), columns=["Column", "Why it was left out"]))
        st.caption(
            "To store one in later batches, list it in the settings file (users already stored stay as they are):"
        )
        st.code(report.keep_snippet, language="toml")
