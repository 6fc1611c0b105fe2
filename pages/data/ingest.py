"""Ingest: upload files, see the quality report, inspect quarantined rows and past batches."""

import streamlit as st

from insight import config
from insight.ingestion import IngestError, ingest_path
from insight.ingestion.adapters import ADAPTERS
from insight.ingestion.readers import ENCODINGS
from insight.ingestion.report import IngestReport
from insight.ingestion.uploads import saved_uploads
from insight.ui import ingest, tables, widgets
from insight.ui.resources import cursor
from insight.ui.text import md

st.header("Ingest")
st.caption(
    "CSV, Parquet or JSONL files, alone or zipped/gzipped. Several files (for example an Olist export) "
    "are read together as one batch. User ids are pseudonymised before they are stored; bad rows go to "
    "quarantine with a reason, good rows load, and re-loading the same file adds nothing."
)

uploads = st.file_uploader(
    "Files", accept_multiple_files=True, type=["csv", "tsv", "txt", "parquet", "jsonl", "ndjson", "json", "zip", "gz"]
)
left, middle, right = st.columns(3)
formats = {"auto": "detect from the columns"} | {name: m.DESCRIPTION for name, m in ADAPTERS.items()}
fmt = left.selectbox("Format", list(formats), format_func=lambda k: f"{k} — {formats[k]}")
encoding = middle.selectbox(
    "Text encoding",
    ENCODINGS,
    accept_new_options=True,
    help="For CSV/JSONL that is not UTF-8: gb18030 for Chinese exports, latin-1 or cp1252 for older Western "
    "ones. Another Python codec name can be typed in.",
)
date_format = right.text_input(
    "Date format",
    "",
    placeholder="e.g. %d/%m/%Y",
    help="How to read dates such as 03/04/2024: %d/%m/%Y (day first) or %m/%d/%Y (month first). "
    "Empty: ISO dates are read as they are, and a file's own dates settle the order where they can; "
    "dates no file settles are quarantined as ambiguous.",
)

if st.button("Ingest", type="primary", disabled=not uploads):
    bar = st.progress(0.0, "starting")
    try:
        # Only each upload's base name is used, in a private folder removed afterwards.
        with saved_uploads((u.name, u.getvalue()) for u in uploads) as saved:
            report = ingest_path(
                cursor(),
                saved.target,
                format=None if fmt == "auto" else fmt,
                encoding=encoding,
                date_format=date_format or None,
                db_path=config.db_path(),
                source_name=saved.display_name,
                progress=lambda f, m: bar.progress(min(f, 1.0), m),
            )
        st.session_state["last_report"] = report.to_dict()
    except IngestError as exc:
        st.session_state.pop("last_report", None)
        st.error(f"Nothing was loaded. {md(exc)}")
    bar.empty()

if "last_report" in st.session_state:
    ingest.ingest_report(IngestReport.from_dict(st.session_state["last_report"]))

st.subheader("Batches")
batches = ingest.recent_batches(limit=50)
if batches.empty:
    st.info("No batch yet. Upload a file above, or run `insight ingest PATH` while the app is stopped.")
    st.stop()
tables.show(batches.drop(columns="report"))
chosen = st.selectbox(
    "Inspect batch",
    batches["batch_id"],
    format_func=lambda b: f"{b} · {batches.set_index('batch_id').loc[b, 'source']}",
)
report = IngestReport.from_dict(
    batches.set_index("batch_id").loc[chosen, "report"]
    or {"batch_id": chosen, "source": "?", "format": "?", "status": "unknown"}
)
ingest.ingest_report(report)
if report.quarantined:
    reason = st.selectbox("Quarantined rows — reason", ["all", *report.quarantined])
    rows = ingest.quarantined_rows(chosen, None if reason == "all" else reason)
    tables.show(rows)
    widgets.download_csv(rows, f"quarantine_{chosen}.csv", "Download these rows (CSV)")
