"""Reusable page pieces: KPI rows, chart-with-table, downloads, empty states and ingest reports.

User text passes through :mod:`insight.ui.text` before it reaches Markdown, and every download in the
app goes through :func:`download_file` (CSV through :func:`download_csv`, which neutralises formulas).
"""

from __future__ import annotations

import contextlib

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from insight import exports
from insight.ui import tables
from insight.ui.text import code, md


def kpi_row(values: dict[str, str | int | float], deltas: dict[str, str] | None = None) -> None:
    """One metric per column; a text value is shown as text (it may be a segment name or other shop text).

    ``deltas`` (label -> "+12 %") adds each label's change against a previous period, where there is one.
    """
    deltas = deltas or {}
    for column, (label, value) in zip(st.columns(len(values)), values.items(), strict=True):
        shown = f"{value:,}" if isinstance(value, int) else md(value) if isinstance(value, str) else value
        column.metric(label, shown, delta=deltas.get(label))


def changes(now: dict, before: dict, labels: dict[str, str]) -> dict[str, str]:
    """Label -> its change against ``before`` ("+12.5 %"; ratings "+0.12"), for ``kpi_row``'s deltas.

    ``labels`` maps a KPI's label to its key in both dicts; a KPI without a value in either period, or at
    zero before, gets no delta (a percentage of nothing means nothing).
    """
    out = {}
    for label, key in labels.items():
        a, b = now.get(key), before.get(key)
        if a is None or b is None or a != a or b != b:
            continue
        if "rating" in key:
            out[label] = f"{a - b:+.2f}"
        elif b:
            out[label] = f"{(a - b) / b:+.1%}".replace("%", " %")
    return out


def chart_with_table(fig: go.Figure, frame: pd.DataFrame, name: str) -> None:
    """The chart, with its table and a CSV download one click away."""
    chart, table = st.tabs(["Chart", "Table"])
    with chart:
        st.plotly_chart(fig, width="stretch", key=f"chart_{name}")
    with table:
        tables.show(frame)
        download_csv(frame, f"{name}.csv", key=f"download_{name}")


MIME_TYPES = {".csv": "text/csv", ".parquet": "application/vnd.apache.parquet"}


def download_csv(frame: pd.DataFrame, file_name: str, label: str = "Download CSV", *, key: str | None = None) -> None:
    """A button that downloads the frame as CSV, formulas neutralised (:func:`insight.exports.csv_bytes`)."""
    download_file(exports.csv_bytes(frame), file_name, label, key=key)


def download_file(
    data: bytes, file_name: str, label: str, *, key: str | None = None, where=None, on_click=None, args=()
) -> None:
    """A download button for a file a library function built (CSV ones through :mod:`insight.exports`).

    The one place the app offers a download, so that no page can hand out an unguarded CSV. ``where``
    is the column or container to draw it in (the main area by default); ``on_click`` runs when the
    file is taken (e.g. to record an audience export).
    """
    mime = next((m for suffix, m in MIME_TYPES.items() if file_name.endswith(suffix)), "application/octet-stream")
    with where if where is not None else contextlib.nullcontext():
        st.download_button(
            label, data, file_name=file_name, mime=mime, key=key, on_click=on_click or "rerun", args=args or None
        )


def empty_store() -> None:
    """What to do when the store holds no data yet."""
    st.info(
        "The store is empty. Load a file on the **Ingest** page, or build the demo store with "
        "`insight demo --no-serve`."
    )
    st.page_link("pages/data/ingest.py", label="Go to Ingest", icon=":material/upload:")


def run_caption(run: dict, data_version: int) -> None:
    """Where the numbers come from: run, model, parameters, time and whether newer data exists."""
    stale = run["data_version"] < data_version
    st.caption(
        f"Run {code(run['run_id'])} · model {md(run['model'])} · {run['created_at']:%Y-%m-%d %H:%M} · "
        f"data version {run['data_version']}" + (" · **stale: data changed since; re-run on Jobs**" if stale else "")
    )


def clicked_points(fig: go.Figure, key: str) -> list[dict]:
    """Show a chart whose clicks select points; return the selected points' custom data."""
    event = st.plotly_chart(fig, width="stretch", key=key, on_select="rerun", selection_mode=("points",))
    points = (
        (event or {}).get("selection", {}).get("points", [])
        if isinstance(event, dict)
        else getattr(getattr(event, "selection", None), "points", []) or []
    )
    return [p.get("customdata") for p in points if p.get("customdata") is not None]


def require_run(kind: str, missing: str, *, link_to_jobs: bool = True) -> dict:
    """The current run of ``kind`` with its provenance caption; without one, say what to start and stop the page.

    ``link_to_jobs=False`` for a page that starts the job itself.
    """
    from insight.ui.resources import current_run, data_version

    run = current_run(kind)
    if run is None:
        st.info(missing)
        if link_to_jobs:
            st.page_link("pages/data/jobs.py", label="Go to Jobs", icon=":material/play_circle:")
        st.stop()
    run_caption(run, data_version())
    return run


def searchable_picker(label: str, fetch, *, key: str, noun: str = "groups"):
    """A selectbox over at most a couple of hundred choices, with a search box when there are more.

    ``fetch(search)`` returns (frame with value and label, how many match in all), busiest first; a
    shop with thousands of items or categories never sends them all to the browser. Returns the chosen
    value, or None when nothing matches.
    """
    choices, total = fetch(None)
    if total > len(choices):
        typed = st.text_input(
            f"Find ({total:,} {noun})", key=f"{key}_search", placeholder="part of a name or id"
        ).strip()
        if typed:
            choices, total = fetch(typed)
        shown = f"the {len(choices):,} busiest of " if total > len(choices) else ""
        st.caption(f"{shown}{total:,} {noun}" + (f" matching “{typed}”" if typed else ""))
    if choices.empty:
        return None
    names = dict(zip(choices["value"], choices["label"], strict=True))
    return st.selectbox(label, list(names), format_func=names.get, key=key)
