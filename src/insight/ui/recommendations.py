"""The fitted recommender and the page pieces behind the Recommendations page.

Fitting reads every touch in the store and takes seconds, while a list for one shopper takes
milliseconds; so the recommender is fitted once per (store, model, data version, item vectors) and
kept in memory (``st.cache_resource``). The number of item vectors is in the key because the encode
job adds vectors without changing the data version. Lists themselves are computed on every rerun:
they are fast and depend on every widget.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from pandas.io.formats.style import Styler

from insight import config
from insight.recommendations import Recommender, fit_recommender, recommend_user
from insight.recommendations.fit import resolve_model
from insight.recommendations.job import default_split_date, store_model
from insight.store import recommend as store
from insight.ui.charts import PALETTE
from insight.ui.resources import cursor, user_id_candidates

KIND_LABELS = {"exploit": "🎯 exploit", "explore": "🧭 explore", "popular": "🔥 popular"}
EXPLORE_TINT = "background-color: rgba(0, 114, 178, 0.16)"  # Okabe-Ito blue: visible in dark and light themes
LIST_COLUMNS = {  # the reason is what people read: give it the room
    "rank": st.column_config.NumberColumn(width="small"),
    "kind": st.column_config.TextColumn(width="small"),
    "title": st.column_config.TextColumn(width="medium"),
    "reason": st.column_config.TextColumn(width="large"),
    "score": st.column_config.NumberColumn(width="small", help="relevance: similarity + co-occurrence"),
    "item_id": st.column_config.TextColumn(width="small"),
}
ACTIVE_DAYS = 90  # a "random active user" touched an item within this many days of the last touch


def has_items() -> bool:
    """True when the store holds items with a text (something to recommend)."""
    return store.item_text_summary(cursor())[0] > 0


def fitted(data_version: int) -> Recommender:
    """The recommender for the app's store under the current segments run's model (else the best-covered one).

    Raises ValueError, saying what to run, when the items lack embeddings under that model.
    """
    con = cursor()
    model = resolve_model(con, store_model(con))
    vectors = store.item_vector_counts(con).get(model, 0)
    return _fit(str(config.db_path()), model, data_version, vectors)


@st.cache_resource(show_spinner="Fitting the recommender on the store…", max_entries=2)
def _fit(path: str, model: str, data_version: int, item_vectors: int) -> Recommender:
    return fit_recommender(cursor(), model=model)


@st.cache_data(show_spinner=False, max_entries=4)
def default_split(data_version: int) -> date | None:
    """The evaluation's default split date (None: no purchases to evaluate on)."""
    try:
        return default_split_date(cursor())
    except ValueError:
        return None


def user_known(user_id: str) -> bool:
    """True when the store knows the pseudonymous id (as a user, or from an event or review)."""
    return store.user_exists(cursor(), user_id)


def stored_user(typed: str) -> str:
    """The pseudonym a typed shopper id means.

    The shop's own id is turned by the store's key when the store knows that user; otherwise the text
    stays as typed (a pseudonym, or an id the page will say it does not know).
    """
    return next((c for c in user_id_candidates(typed) if user_known(c)), typed.strip())


def has_history(rec: Recommender, user_id: str) -> bool:
    """True when the recommender has touches of the user to build interests from."""
    return rec.has_touches(user_id)


def pick_random_user(rec: Recommender) -> None:
    """Put a random recently active shopper into the page's user box (a button's callback)."""
    touches = rec.touches[rec.touches["item"] >= 0]
    recent = touches[pd.to_datetime(touches["ts"]) >= rec.as_of - pd.Timedelta(days=ACTIVE_DAYS)]
    users = pd.unique((recent if len(recent) else touches)["user_id"])
    if len(users):
        st.session_state["rec_user"] = str(np.random.default_rng().choice(users))


def recommendations(
    rec: Recommender, user_id: str | None, *, k: int, exploration: float, policy: str, text: str | None = None
) -> pd.DataFrame:
    """One list with reasons: rank, kind, title, reason, score, item_id (see ``recommend_user``)."""
    frame = recommend_user(rec, user_id, k=k, exploration=exploration, text=text, policy=policy)
    frame.insert(0, "rank", np.arange(1, len(frame) + 1))
    return frame[["rank", "kind", "title", "reason", "score", "item_id"]]


def styled(frame: pd.DataFrame) -> Styler:
    """The list with its kind labelled by an icon and exploration rows tinted, so they stand apart."""
    shown = frame.assign(kind=frame["kind"].map(lambda kind: KIND_LABELS.get(kind, kind)))
    tint = frame["kind"].eq("explore").map({True: EXPLORE_TINT, False: ""})
    return shown.style.apply(lambda row: [tint.iat[row.name]] * len(row), axis=1).format({"score": "{:.3f}"})


def list_summary(frame: pd.DataFrame) -> str:
    """How the list splits between exploit, explore and popular items, in words."""
    counts = frame["kind"].value_counts()
    parts = {
        "exploit": "from the shopper's interests",
        "explore": "exploring areas they have not shopped",
        "popular": "best-sellers",
    }
    return " · ".join(f"{counts[kind]} {words}" for kind, words in parts.items() if counts.get(kind, 0))


def tradeoff_chart(results: pd.DataFrame, *, axis: str, k: int) -> go.Figure:
    """Precision@k against coverage or novelty: insight at each exploration level, the baselines as markers."""
    names = {"coverage": "catalogue coverage (share of items shown to someone)", "novelty": "novelty (bits)"}
    fig = go.Figure()
    ours = results[results["policy"] == "insight"].sort_values("exploration")
    fig.add_scatter(
        x=ours[axis],
        y=ours["precision"],
        mode="lines+markers+text",
        # short labels, alternately above and below, so neighbouring levels do not print over each other
        text=[f"{e:.0%}" for e in ours["exploration"]],
        textposition=["top center" if n % 2 == 0 else "bottom center" for n in range(len(ours))],
        name="insight (exploration share)",
        marker=dict(size=10, color=PALETTE[0]),
        hovertemplate="insight, exploration %{text}<br>precision@"
        + str(k)
        + " %{y:.3f}<br>"
        + axis
        + " %{x:.3f}<extra></extra>",
    )
    symbols = {"popularity": "diamond", "als": "square"}
    for n, row in enumerate(results[results["policy"] != "insight"].itertuples(), start=1):
        fig.add_scatter(
            x=[getattr(row, axis)],
            y=[row.precision],
            mode="markers",
            name=f"{row.policy} (baseline)",
            marker=dict(size=13, symbol=symbols.get(row.policy, "x"), color=PALETTE[n % len(PALETTE)]),
            hovertemplate=f"{row.policy}<br>precision@{k} %{{y:.3f}}<br>{axis} %{{x:.3f}}<extra></extra>",
        )
    fig.update_layout(
        height=420,
        margin=dict(l=10, r=10, t=30, b=10),
        xaxis_title=names[axis],
        yaxis_title=f"precision@{k} (share of the list bought later)",
        xaxis_tickformat=".0%" if axis == "coverage" else None,
        legend_title_text="",
    )
    return fig
