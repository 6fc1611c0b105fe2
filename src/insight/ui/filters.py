"""The shared sidebar filters, mirrored in the URL so a view can be shared."""

from __future__ import annotations

from datetime import date

import streamlit as st

from insight.filters import Filters
from insight.ui import overview
from insight.ui.resources import data_version


def _parse_date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def sidebar_filters() -> Filters:
    """Draw the filters in the sidebar, seeded from and written back to ``st.query_params``."""
    options = overview.filter_options(data_version())
    params = st.query_params
    first, last = options["first"], options["last"]
    with st.sidebar:
        st.subheader("Filters")
        start, end = _parse_date(params.get("start")), _parse_date(params.get("end"))
        if first and last:
            picked = st.date_input(
                "Date range",
                value=(start or first, end or last),
                min_value=min(first, start or first),
                max_value=max(last, end or last),
                key="filter_dates",
                help="Events and reviews in this range.",
            )
            start, end = (picked + (None, None))[:2] if isinstance(picked, tuple) else (picked, None)
            if (start, end) == (first, last):
                start = end = None  # the full span is no filter; keep the URL clean
        categories = st.multiselect(
            "Category",
            options["categories"],
            default=[c for c in params.get_all("category") if c in options["categories"]],
            key="filter_categories",
        )
        languages = st.multiselect(
            "Language",
            options["languages"],
            default=[c for c in params.get_all("lang") if c in options["languages"]],
            key="filter_languages",
        )
    _write_params(start, end, categories, languages)
    return Filters(start=start, end=end, categories=tuple(categories), languages=tuple(languages))


def _write_params(start: date | None, end: date | None, categories: list[str], languages: list[str]) -> None:
    wanted = {
        "start": start.isoformat() if start else None,
        "end": end.isoformat() if end else None,
        "category": categories or None,
        "lang": languages or None,
    }
    for key, value in wanted.items():
        if value is None:
            if key in st.query_params:
                del st.query_params[key]
        elif (st.query_params.get_all(key) if isinstance(value, list) else st.query_params.get(key)) != value:
            st.query_params[key] = value


def current() -> Filters:
    """The filters the router drew for this run (no restriction if the page runs on its own)."""
    return st.session_state.get("filters", Filters())
