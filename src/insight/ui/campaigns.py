"""Cached reads and page pieces behind the Campaigns page: the builder, reach tables, the lookalike chart.

Evaluations key on the definition's canonical JSON, the data version and the segments run, so a
change of any of them recomputes and nothing else does; the reach preview also keys on the saved
audiences (saving one does not change the data version, but it adds a row to the overlap table).
Keeping a preview cached also keeps its differential-privacy noise: reloading the page shows the same
noisy numbers instead of fresh draws that could be averaged away.
"""

from __future__ import annotations

import threading

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from insight import targeting
from insight.profiles.match import STRENGTH_RANGE
from insight.store import targeting as store
from insight.targeting import AudienceDefinition, InterestIndex, Lookalikes, PrivacyRules, ProfileCard, Reach
from insight.targeting.definition import DEFAULT_INTEREST_STRENGTH
from insight.targeting.reach import interest_reach
from insight.ui import tables
from insight.ui.resources import cursor
from insight.ui.text import md


@st.cache_data(show_spinner=False, max_entries=4)
def base_size(data_version: int) -> int:
    """Users in the store."""
    return store.fetch_base_size(cursor())


@st.cache_data(show_spinner=False, max_entries=4)
def categories(data_version: int) -> list[str]:
    """Categories someone bought from, most bought first."""
    return store.fetch_purchase_categories(cursor())


@st.cache_resource(show_spinner=False, max_entries=2)
def index(run_id: str | None) -> InterestIndex | None:
    """The interest index of the current segments run (None: no run yet), kept in memory per run id."""
    return None if run_id is None else targeting.load_index(cursor())


@st.cache_resource(show_spinner=False, max_entries=2)
def warm_encoder(model: str) -> threading.Thread:
    """Load the run's encoder in the background, so the first interest typed is answered at once."""
    from insight.encode import warm_encoder as start_loading

    return start_loading(model)


@st.cache_data(show_spinner=False, max_entries=64)
def core(definition_json: str, data_version: int, run_id: str | None, saved: tuple) -> list[str]:
    """Users meeting every condition (the seed for lookalikes)."""
    return targeting.core_users(cursor(), AudienceDefinition.from_json(definition_json), index=index(run_id))


@st.cache_data(show_spinner=False, max_entries=64)
def audience(definition_json: str, data_version: int, run_id: str | None, saved: tuple) -> list[str]:
    """Users of the audience, lookalikes included."""
    return targeting.evaluate(cursor(), AudienceDefinition.from_json(definition_json), index=index(run_id))


@st.cache_data(show_spinner=False, max_entries=16)
def lookalikes(definition_json: str, data_version: int, run_id: str, saved: tuple) -> Lookalikes:
    """Profiled users outside the audience, ranked by likeness to it."""
    return targeting.lookalikes(index(run_id), core(definition_json, data_version, run_id, saved))


@st.cache_data(show_spinner=False, max_entries=16)
def curve(definition_json: str, data_version: int, run_id: str, saved: tuple, rules: PrivacyRules) -> pd.DataFrame:
    """Audience size against the least lookalike match strength admitted."""
    return lookalikes(definition_json, data_version, run_id, saved).curve(rules=rules)


@st.cache_data(show_spinner=False, max_entries=32)
def interest_curve(text: str, data_version: int, run_id: str, rules: PrivacyRules) -> pd.DataFrame:
    """Users a typed interest reaches at each match strength (hidden where the k rules say so)."""
    return interest_reach(cursor(), index(run_id), text, rules=rules)


def interest_curve_chart(frame: pd.DataFrame, chosen: float) -> go.Figure:
    """The small reach curve beside the strength slider: users reached as the strength rises, the choice marked."""
    fig = go.Figure(
        go.Scatter(
            x=frame["strength"],
            y=frame["users"],
            mode="lines+markers",
            line=dict(color="#0072B2"),
            marker=dict(size=4),
            connectgaps=False,
            hovertemplate="strength ≥ %{x:.2f}<br>%{y:,} users<extra></extra>",
        )
    )
    fig.add_vline(x=chosen, line=dict(color="#D55E00", dash="dot"))
    fig.update_layout(
        height=170,
        margin=dict(l=10, r=10, t=10, b=10),
        showlegend=False,
        xaxis=dict(title="match strength"),
        yaxis=dict(title="users", rangemode="tozero"),
    )
    return fig


def saved_key() -> tuple:
    """What the saved audiences look like now, a cache key (not cached: a save must show at once).

    Saving or refreshing an audience does not change the data version, yet it changes any audience
    built on saved ones and every overlap table.
    """
    saved = store.fetch_saved(cursor())
    return tuple(zip(saved["audience_id"], saved["users"], saved["refreshed_at"].astype(str), strict=True))


@st.cache_data(show_spinner=False, max_entries=32)
def reach(definition_json: str, data_version: int, run_id: str | None, saved: tuple, rules: PrivacyRules) -> Reach:
    """The reach preview: size, share, overlaps and profile card under the privacy rules."""
    return targeting.reach(cursor(), audience(definition_json, data_version, run_id, saved), rules=rules)


@st.cache_data(show_spinner=False, max_entries=16)
def conditions(
    definition_json: str, data_version: int, run_id: str | None, saved: tuple, rules: PrivacyRules
) -> pd.DataFrame:
    """Each condition alone and the users it matches (hidden under k; noisy under ε): condition, users."""
    definition = AudienceDefinition.from_json(definition_json)
    found = targeting.condition_reach(cursor(), definition, index=index(run_id), rules=rules)
    users = [h if isinstance(h, str) else f"{n:,.0f}" for n, h in zip(found["users"], found["hidden"], strict=True)]
    return pd.DataFrame({"condition": found["condition"], "users": users})


@st.cache_data(show_spinner=False, max_entries=16)
def download(
    definition_json: str, data_version: int, run_id: str | None, saved: tuple, fmt: str, share: float, seed: int
) -> bytes:
    """The audience file with its holdout group."""
    users = audience(definition_json, data_version, run_id, saved)
    return targeting.audience_file(cursor(), users, fmt=fmt, holdout_share=share, seed=seed)


def saved(rules: PrivacyRules) -> pd.DataFrame:
    """Saved audiences with their staleness (not cached: saving or refreshing must show at once)."""
    return targeting.saved_audiences(cursor(), rules=rules)


def save(name: str, definition: AudienceDefinition, run_id: str | None) -> str:
    """Evaluate and store an audience; its id."""
    return targeting.save_audience(cursor(), name, definition, index=index(run_id))


def refresh_stale(run_id: str | None) -> targeting.Refreshed:
    """Re-evaluate every stale built audience on current data (those the privacy rules refuse say why)."""
    return targeting.refresh_stale(cursor(), index=index(run_id))


def saved_table(saved: pd.DataFrame) -> pd.DataFrame:
    """The saved audiences as listed: a size that may not be shown reads "hidden"."""
    users = ["hidden" if pd.isna(v) else f"{v:,.0f}" for v in saved["users"]]
    return saved.assign(users=users)[["name", "users", "kind", "stale", "refreshed_at", "description"]]


def overlap_table(result: Reach) -> pd.DataFrame:
    """The overlap with saved audiences as shown: a cell the privacy rules hide reads "hidden"."""
    frame = result.overlaps
    return pd.DataFrame(
        {
            "saved audience": frame["name"],
            "its users": ["hidden" if pd.isna(v) else f"{v:,.0f}" for v in frame["users"]],
            "shared users": [
                "hidden" if h else f"{v:,.0f}" for v, h in zip(frame["overlap"], frame["hidden"], strict=True)
            ],
            "share of this audience": frame["share_of_this"] * 100,
            "share of theirs": frame["share_of_theirs"] * 100,
        }
    )


def curve_chart(frame: pd.DataFrame, chosen: float | None, size: int | None) -> go.Figure:
    """Audience size as the least match strength drops, with the chosen cut marked."""
    fig = go.Figure(
        go.Scatter(
            x=frame["min_strength"],
            y=frame["audience_size"],
            mode="lines",
            line=dict(color="#0072B2", shape="hv"),
            hovertemplate="strength ≥ %{x:.2f}<br>%{y:,} users<extra></extra>",
            name="audience size",
        )
    )
    if chosen is not None and size is not None:
        fig.add_trace(
            go.Scatter(x=[chosen], y=[size], mode="markers", marker=dict(size=11, color="#D55E00"), name="chosen")
        )
    fig.update_layout(
        height=280,
        margin=dict(l=10, r=10, t=10, b=10),
        showlegend=False,
        xaxis=dict(title="least match strength to the audience", autorange="reversed"),
        yaxis=dict(title="audience size (users)", rangemode="tozero"),
    )
    return fig


def builder(
    segment_names: dict[int, str], saved_names: dict[str, str], category_options: list[str], profiles: bool
) -> AudienceDefinition:
    """The builder's widgets (keys ``aud_*``, so a link or a test can drive them); the definition they give."""
    segments = st.multiselect(
        "In any of these segments", list(segment_names), format_func=segment_names.get, key="aud_segments"
    )
    audiences = st.multiselect(
        "In any of these saved audiences", list(saved_names), format_func=saved_names.get, key="aud_saved"
    )
    recency = st.number_input("Bought within the last … days (0: any time)", 0, step=30, key="aud_recency")
    orders = st.number_input("At least … orders", 0, step=1, key="aud_orders")
    spend = st.number_input("Spent at least", 0.0, step=50.0, key="aud_spend")
    bought = st.multiselect("Bought from any of these categories", category_options, key="aud_categories")
    feeling = st.slider("Review sentiment (mean of their reviews)", -1.0, 1.0, (-1.0, 1.0), 0.1, key="aud_sentiment")
    interest = st.text_input(
        "Interested in", placeholder="e.g. trail running shoes", key="aud_interest", disabled=not profiles
    )
    strength = st.slider(
        "Interest match strength",
        *STRENGTH_RANGE,
        DEFAULT_INTEREST_STRENGTH,
        0.25,
        key="aud_strength",
        help="How far a user's closeness to the text must stand out from the shop's typical user, in spreads "
        "(robust standard deviations): higher is stricter. It means the same in every shop, language and "
        f"model; {DEFAULT_INTEREST_STRENGTH:g} reaches people clearly into the interest.",
    )
    return AudienceDefinition(
        segments=tuple(segments),
        audiences=tuple(audiences),
        recency_days=int(recency) or None,
        min_orders=int(orders) or None,
        min_spend=float(spend) or None,
        categories=tuple(bought),
        sentiment=None if tuple(feeling) == (-1.0, 1.0) else tuple(feeling),
        interest=interest if profiles else "",
        interest_strength=strength,
    )


_SHARE = dict(format="%.0f%%", min_value=0, max_value=100)  # shares are shown in per cent


def show_overlaps(result: Reach) -> None:
    """The overlap table, shares drawn as bars, and why any cell is hidden."""
    tables.show(
        overlap_table(result),
        column_config={
            "share of this audience": st.column_config.ProgressColumn(**_SHARE),
            "share of theirs": st.column_config.ProgressColumn(**_SHARE),
        },
    )
    for reason in result.overlaps["why"].dropna().unique():
        st.caption(md(reason))


def card_text(card: ProfileCard, k: int) -> str:
    """The card's figures in one line; a figure too few members contribute to reads "hidden (under k …)"."""
    few = f"hidden (fewer than {k} buyers)"
    spend = few if card.spend is None else f"about {card.spend:,.0f} in all, {card.spend_per_user:,.0f} per user"
    orders = few if card.orders_per_buyer is None else f"{card.orders_per_buyer:g} orders each"
    sentiment = f"hidden (fewer than {k} reviewers)" if card.sentiment is None else f"{card.sentiment:+.2f}"
    bought = f"fewer than {k}" if card.buyer_share is None else f"{card.buyer_share:.0%}"
    reviewed = f"fewer than {k}" if card.reviewer_share is None else f"{card.reviewer_share:.0%}"
    return f"Spend {spend} · {bought} bought, {orders} · review sentiment {sentiment} ({reviewed} reviewed)"


def show_card(card: ProfileCard, segment_names: dict[int, str], k: int) -> None:
    """The profile card: interests, segments, spend, sentiment and categories bought, rounded as the rules say."""
    few = f"none that {k} or more members share"
    st.markdown("Top interests: " + (", ".join(f"{md(w)} ({s:.0%})" for w, s in card.interests) or few))
    mix = ", ".join(f"{md(segment_names.get(i, 'outliers'))} ({s:.0%})" for i, s in card.segments)
    st.markdown("Segments: " + (mix or few))
    st.caption(card_text(card, k))
    if card.spend_cap:
        st.caption(
            f"Figures are rounded and each member's spend counts up to {card.spend_cap:,.0f} (what the shop's top "
            f"{k} spenders reach), so no one member's purchases can be read from two previews (INSIGHT_MIN_AUDIENCE)."
        )
    tables.show(
        card.categories.assign(buyer_share=card.categories["buyer_share"] * 100),
        column_config={
            "buyer_share": st.column_config.ProgressColumn("Bought by", **_SHARE),
            "spend": st.column_config.NumberColumn("Spend (about)", format=tables.money_format().replace(".2f", ".0f")),
        },
    )
