"""The Aspects page's panels: the alert inbox, what to fix on one product, and the merchant's edit form.

Each panel reads through :mod:`insight.ui.aspects` and gates review quotes to analysts (logged as an
individual-level look), so viewers still see every aggregate.
"""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from insight.aspects import EDIT_KINDS
from insight.ui import aspects, auth, tables
from insight.ui.text import md

INBOX_COLUMNS = {
    "product": st.column_config.TextColumn("Product"),
    "aspect": st.column_config.TextColumn("Aspect"),
    "kind": st.column_config.TextColumn("Against", help="spike: its own history · level: its category"),
    "start": st.column_config.DateColumn("Onset"),
    "negative_share": st.column_config.NumberColumn("Complaining since", format="percent"),
    "baseline": st.column_config.NumberColumn("Before / peers", format="percent"),
    "category_share": st.column_config.NumberColumn("Category", format="percent"),
    "reviews": st.column_config.NumberColumn("Reviews since"),
    "negatives": st.column_config.NumberColumn("Complaining"),
    "p_value": st.column_config.NumberColumn("p (FDR)", format="%.1e"),
    "affected": st.column_config.TextColumn("Most affected segments"),
}


def alert_inbox(run_id: str, alerts: pd.DataFrame) -> None:
    """Every open alert as a row; the chosen one with its weekly chart and the reviews behind it."""
    if alerts.empty:
        st.caption("No product's complaints about an aspect rose beyond chance in this run.")
        return
    inbox = alerts.assign(
        product=alerts["title"].fillna(alerts["item_id"]),
        affected=[aspects.segment_note(s) for s in alerts["segments"]],
    )
    tables.show(inbox[list(INBOX_COLUMNS)], column_config=INBOX_COLUMNS)
    picked = st.selectbox(
        "Open an alert",
        inbox.index,
        format_func=lambda i: f"{inbox.at[i, 'product']} · {inbox.at[i, 'aspect']} · since {inbox.at[i, 'start']}",
        key="alert_pick",
    )
    alert = inbox.loc[picked]
    against = "before" if alert["kind"] == "spike" else "at its category's other products"
    st.markdown(
        f"**{md(alert['product'])}** ({md(alert['item_id'])}): {alert['negatives']} of {alert['reviews']} reviews "
        f"since {alert['start']:%Y-%m-%d} complain about **{md(alert['aspect'])}**, {alert['negative_share']:.0%} "
        f"against {alert['baseline']:.0%} {against}. Most affected: {alert['affected']}."
    )
    chart = aspects.alert_chart(aspects.series(run_id, alert["item_id"], int(alert["aspect_id"])), alert["start"])
    st.plotly_chart(chart, width="stretch", key="alert_chart")
    if auth.individual_view("review list", f"aspect alert {alert['item_id']} {alert['aspect']}", "Reading the reviews"):
        since = str(pd.Timestamp(alert["start"]).date())
        found = aspects.quotes(
            run_id, int(alert["aspect_id"]), item_id=alert["item_id"], feeling="negative", since=since, limit=10
        )
        aspects.show_quotes(found)


def _trend_word(trend: float) -> str:
    return "rising" if trend > 0.2 else "falling" if trend < -0.2 else "steady"


def what_to_fix(run_id: str, *, may_read: bool) -> None:
    """A product's complaint aspects, most pressing first, each with its quotes; and where it trails its peers."""
    goods = aspects.products(run_id)
    goods = goods[goods["complaining"] > 0].set_index("item_id")
    if goods.empty:
        st.caption("No product's reviews complain about any aspect.")
        return
    item = st.selectbox(
        "Product",
        goods.index.tolist(),
        format_func=lambda i: f"{goods.at[i, 'title'] or i} ({goods.at[i, 'complaining']} complaining reviews)",
        key="fix_item",
    )
    ranked, behind = aspects.suggestions(run_id, item)
    st.caption(
        "Complaint aspects ranked by the buyers they touch, weighted up when complaints grow (share of the last "
        "90 days' reviews against before). The stars figure is the rating gap: how much of the mean rating the "
        "complaint costs (share complaining × how much lower those reviews rate)."
    )
    if may_read:
        auth.log_look("review list", f"aspect suggestions {item}")
    for row in ranked.itertuples():
        title = (
            f"{md(row.aspect)} — {row.buyers} buyers · {row.share:.0%} of reviews · {_trend_word(row.trend)} · "
            f"−{max(row.rating_gap, 0):.2f}★"
        )
        with st.expander(title, expanded=row.Index == 0):
            peer = f"{row.peer_negative:.0%} of their mentions" if pd.notna(row.peer_negative) else "no peer data"
            worse = " (**worse than its peers**)" if row.worse_than_peers else ""
            st.markdown(
                f"Complaining: {row.recent or 0:.0%} of recent reviews, {row.earlier or 0:.0%} earlier; "
                f"category peers {peer}{worse}. Most affected segments: {aspects.segment_note(row.segments)}."
            )
            if may_read:
                aspects.show_quotes(row.quotes, empty="No quote.")
    if not may_read:
        auth.refuse_note("analyst", "Reading the quotes")
    if not behind.empty:
        st.markdown("**Where it does worse than its category's other products**")
        tables.show(
            behind.drop(columns="aspect_id"),
            column_config={
                "negative": st.column_config.NumberColumn("Its negative share", format="percent"),
                "peer_negative": st.column_config.NumberColumn("Peers' negative share", format="percent"),
            },
        )


def edit_form(category: str, own: pd.DataFrame) -> None:
    """Rename, merge, split or seed an aspect of ``category`` (``own``: its aspects with ids and labels)."""
    names = dict(zip(own["aspect_id"], own["label"], strict=True))
    st.caption(
        "Renames show at once; merges, splits and seeds apply at the next **Aspects** run, and every edit is "
        "kept run after run."
    )
    kind = st.segmented_control("Edit", list(EDIT_KINDS), default="rename", key="edit_kind") or "rename"
    with st.form("aspect_edit", clear_on_submit=True):
        pick = lambda label: st.selectbox(label, list(names), format_func=lambda a: names.get(a, str(a)))  # noqa: E731
        target = pick("Aspect") if kind != "seed" else None
        into = pick("Into") if kind == "merge" else None
        label = st.text_input("Name", placeholder="e.g. battery life") if kind != "merge" else None
        phrases = ""
        if kind in ("split", "seed"):
            phrases = st.text_area("Words or example phrases, one per line, any language", placeholder="电池\nbateria")
        if st.form_submit_button("Save edit", type="primary"):
            try:
                aspects.save_edit(kind, category, aspect_id=target, into_id=into, label=label, phrases=phrases)
            except ValueError as error:
                st.error(md(str(error)).capitalize())
            else:
                st.success("Renamed." if kind == "rename" else "Saved: the next Aspects run applies it.")
    history = aspects.edits()
    if not history.empty:
        with st.expander(f"Edits so far ({len(history)})"):
            tables.show(history.assign(phrases=[json.dumps(p, ensure_ascii=False) for p in history["phrases"]]))
