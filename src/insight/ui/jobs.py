"""Job widgets: start forms, the live progress panel (polled) and the history with provenance."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from insight.jobs.tasks import TASKS, JobError
from insight.params import Spec, specs
from insight.progress import describe_time_left
from insight.store import jobs as job_store
from insight.ui import auth, tables
from insight.ui.resources import cursor, runner
from insight.ui.text import md

STATUS_ICON = {"queued": "⏳", "running": "▶️", "done": "✅", "failed": "❌", "cancelled": "⏹️"}
# Who may start (and cancel) a job: admins run the data pipeline; the campaign analyses are marketers' own.
STARTED_BY = {"campaign_sim": "marketer", "recommend_eval": "marketer"}


def may_start(kind: str) -> bool:
    """Whether the visitor's role may start or cancel jobs of ``kind``."""
    return auth.can(STARTED_BY.get(kind, "admin"))


def start_button(kind: str, params: dict, label: str, *, key: str) -> None:
    """A button that queues a job and confirms it (disabled, saying why, for a role that may not)."""
    allowed = may_start(kind)
    if not allowed:
        auth.refuse_note(STARTED_BY.get(kind, "admin"), "Starting this job")
    pending = job_store.active_job(cursor(), kind)
    if pending is not None:
        status, job_id = pending["status"], pending["job_id"]
        st.caption(md(f"A {kind} job is already {status} ({job_id}); it can be started again once it ends."))
    if st.button(label, key=key, type="primary", disabled=not allowed or pending is not None) and may_start(kind):
        try:
            job_id = runner().submit(kind, params)
        except JobError as exc:  # queued by another visitor, or by this one a moment ago
            st.warning(md(str(exc)))
            return
        st.session_state.setdefault("watched_jobs", set()).add(job_id)
        st.toast(f"Started {job_id}", icon="▶️")


def job_form(kind: str, label: str) -> None:
    """A job's inputs read off its declared parameters (rarely changed ones under "More settings"), and its button."""
    st.caption(TASKS[kind].params.__doc__)
    declared = specs(TASKS[kind].params)
    chosen = {spec.name: param_input(kind, spec) for spec in declared if spec.page}
    more = [spec for spec in declared if not spec.page]
    if more:
        with st.expander("More settings"):
            chosen.update({spec.name: param_input(kind, spec) for spec in more})
    start_button(kind, chosen, label, key=f"start_{kind}")


def param_input(kind: str, spec: Spec):
    """One widget for one declared parameter, starting at its default; None (empty) means the job picks."""
    key, help = f"{kind}_{spec.name}", spec.help + (f" (empty: {spec.auto})" if spec.auto else "")
    if spec.kind is bool:
        return st.toggle(spec.label, value=spec.default, help=help, key=key)
    if spec.choices:
        options = [None, *spec.choices] if spec.optional else list(spec.choices)
        return st.selectbox(
            spec.label,
            options,
            index=options.index(spec.default),
            format_func=lambda v: f"auto: {spec.auto}" if v is None else spec.describe(v),
            help=help,
            key=key,
        )
    if spec.many:
        options = sorted({*spec.default, *(step / 10 for step in range(11))})
        return st.multiselect(spec.label, options, default=list(spec.default), help=help, key=key)
    if spec.kind in (int, float):
        cast = spec.kind
        tiny = spec.kind is float and spec.high is not None and spec.high <= 0.01
        return st.number_input(
            spec.label,
            min_value=None if spec.low is None else cast(spec.low),
            max_value=None if spec.high is None else cast(spec.high),
            value=spec.default,
            step=cast(1) if spec.kind is int or (spec.high or 0) > 10 else (1e-5 if tiny else 0.01),
            format="%.6f" if tiny else None,
            placeholder=f"auto: {spec.auto}" if spec.optional else None,
            help=help,
            key=key,
        )
    return st.text_input(spec.label, value=spec.default or "", help=help, key=key) or None


@st.cache_data(show_spinner="Timing the encoder on this machine…", max_entries=8)
def _finetune_estimate(data_version: int, last_finetune: str | None) -> str | None:
    from insight.sentiment.finetune_estimate import estimate_finetune

    estimate = estimate_finetune(cursor())
    return None if estimate is None else estimate.describe()


def finetune_estimate_note() -> None:
    """How long fine-tuning this store will take, measured on this machine, shown before it starts."""
    from insight.sentiment.finetune import MIN_LABELLED
    from insight.ui.resources import data_version

    latest = job_store.fetch_jobs(cursor(), limit=1, kind="sentiment_finetune")
    text = _finetune_estimate(data_version(), None if latest.empty else str(latest["job_id"].iloc[0]))
    if text is None:
        st.caption(f"Fine-tuning needs at least {MIN_LABELLED} rated reviews with text.")
    else:
        st.caption(md(f"Expected to take {text}."))


@st.cache_data(show_spinner=False, max_entries=8)
def _encoder_tier(data_version: int, last_encode: str | None) -> str:
    from insight.device import resolve_device
    from insight.encode import describe_auto

    return describe_auto(cursor(), resolve_device("auto"))


def encoder_tier_note() -> None:
    """Which encoder (full model or CPU tier) an encode left on auto would use, and its cost, before it starts."""
    from insight.ui.resources import data_version

    latest = job_store.fetch_jobs(cursor(), limit=1, kind="encode")
    st.caption(md(_encoder_tier(data_version(), None if latest.empty else str(latest["job_id"].iloc[0]))))


@st.fragment(run_every=2)
def live_jobs() -> None:
    """Queued and running jobs with progress and cancel; when a watched job ends, a toast and a fresh page.

    The fragment alone polls; the page around it (results, history) was drawn before the job ended, so
    it is rerun as a whole once a job this visitor started has finished, and shows the new results.
    """
    for text, icon in st.session_state.pop("job_toasts", []):  # queued by the run that saw them end
        st.toast(text, icon=icon)
    frame = job_store.fetch_jobs(cursor(), limit=30)
    active = frame[frame["status"].isin(job_store.ACTIVE)]
    watched = st.session_state.setdefault("watched_jobs", set())
    ended = frame[frame["job_id"].isin(watched) & ~frame["status"].isin(job_store.ACTIVE)]
    if not ended.empty:
        st.session_state["job_toasts"] = [
            (md(f"{row.job_id} {row.status}: {row.message}"), STATUS_ICON[row.status])  # messages quote data
            for row in ended.itertuples()
        ]
        watched.difference_update(ended["job_id"])
        st.rerun(scope="app")
    if active.empty:
        st.caption("No job running.")
        return
    for row in active.itertuples():
        left, right = st.columns([5, 1])
        fraction = float(row.progress or 0)
        left_text = describe_time_left(float(row.seconds or 0), fraction) if row.status == "running" else "queued"
        left.progress(fraction, md(f"{row.job_id} · {row.device or ''} · {fraction:.0%} · {left_text} · {row.message}"))
        if right.button("Cancel", key=f"cancel_{row.job_id}", disabled=not may_start(row.kind)) and may_start(row.kind):
            runner().cancel(row.job_id)
            st.toast(f"Cancelling {row.job_id}…")


def job_history(limit: int = 50) -> None:
    """Past jobs with status, device, duration and, per job, its parameters and provenance."""
    frame = job_store.fetch_jobs(cursor(), limit=limit)
    if frame.empty:
        st.info("No job has run yet. Start one above.")
        return
    table = frame.assign(status=frame["status"].map(lambda s: f"{STATUS_ICON.get(s, '')} {s}"))
    tables.show(table[["job_id", "kind", "status", "message", "device", "created_at", "seconds"]])
    chosen = st.selectbox("Details of", frame["job_id"], key="job_details")
    row = frame.set_index("job_id").loc[chosen]
    left, right = st.columns(2)
    left.caption("Parameters")
    left.json(_parse(row["params"]))
    right.caption("Provenance (model, run, data version …)")
    right.json(_parse(row["provenance"]) or {"status": row["status"]})
    if isinstance(row["error"], str) and row["error"]:
        with st.expander("Error details"):
            st.code(row["error"])


def _parse(value) -> dict:
    if isinstance(value, str) and value:
        return json.loads(value)
    return {} if value is None or (not isinstance(value, dict) and pd.isna(value)) else value
