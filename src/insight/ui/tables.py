"""Tables as a merchant reads them: human column names and units, separators, percentages, dates, text first.

Store and library frames keep their internal column names (``negative_share``, ``true_per_1000``); this
is the one place that says how each is shown, so no page prints ``change 11.6744``, ``spend 116761``,
``2025-11-01 00:00:00``, ``None`` or ``en`` again. Downloads keep the internal names (analysts join on them).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from insight.config import setting

# internal name -> (label, kind); kinds: percent (a 0-1 share), count, money, decimal, points, rate (per 1,000),
# rating, score, seconds, text (wide, shown first), language (codes read as names), plain; None: read off the values
COLUMNS: dict[str, tuple[str, str | None]] = {
    "text": ("Review", "text"),
    "review": ("Review", "text"),
    "message": ("Message", "plain"),
    "reason": ("Why", "text"),
    "keywords": ("Keywords", "plain"),
    "negative_share": ("Negative", "percent"),
    "positive_share": ("Positive", "percent"),
    "neutral_share": ("Neutral", "percent"),
    "share": ("Share", "percent"),
    "share_before": ("Share before", "percent"),
    "share_after": ("Share after", "percent"),
    "buyer_share": ("Bought by", "percent"),
    "precision": ("Precision", "decimal"),
    "coverage": ("Catalogue coverage", "percent"),
    "change": ("Change (points)", "points"),
    "spend": ("Spend", "money"),
    "revenue": ("Revenue", "money"),
    "value": ("Value", "money"),
    "true_per_1000": ("True conversions per 1,000 contacts", "rate"),
    "expected_per_1000": ("Expected conversions per 1,000", "rate"),
    "observed_per_1000": ("Observed conversions per 1,000", "rate"),
    "regret_per_1000": ("Regret per 1,000", "rate"),
    "avg_rating": ("Average rating", "rating"),
    "mean_rating": ("Average rating", "rating"),
    "rating": ("Rating", "rating"),
    "mean_score": ("Mean sentiment score", "score"),
    "score": ("Score", "score"),
    "seconds": ("Took", "seconds"),
    "users_about": ("Users (about)", "count"),
    "language": ("Language", "language"),
    "user_id": ("Shopper (pseudonym)", "plain"),
    "segment_id": ("Segment", "plain"),
    "item_id": ("Item id", "plain"),
    "ts": ("When", None),  # a date, or a date and time: read off the values
    "created_at": ("Created", None),
    "period": ("Period", None),
    "true_pct": ("True share", "percent"),
}
LANGUAGES = {
    "en": "English", "zh": "Chinese", "pt": "Portuguese", "es": "Spanish", "fr": "French", "de": "German",
    "it": "Italian", "ja": "Japanese", "ko": "Korean", "ru": "Russian", "nl": "Dutch", "ar": "Arabic",
    "und": "unknown",
}  # fmt: skip


def show(frame: pd.DataFrame, *, column_config: dict | None = None, text_first: bool = True, **options) -> None:
    """``st.dataframe`` of ``frame`` as a merchant reads it (see :func:`prepare`); ``column_config`` overrides."""
    shown, config = prepare(frame, text_first=text_first)
    st.dataframe(shown, hide_index=True, width="stretch", column_config={**config, **(column_config or {})}, **options)


def prepare(frame: pd.DataFrame, *, text_first: bool = True) -> tuple[pd.DataFrame, dict]:
    """The frame to show and its column config.

    Text columns come first, languages read as names, a missing value is a blank cell, and a column
    with no value at all is left out (a "When" column of blanks tells a reader nothing).
    """
    filled = [c for c in frame.columns if frame[c].notna().any()]
    frame = frame.loc[:, filled or list(frame.columns)]
    kinds = {column: COLUMNS.get(str(column), (None, None))[1] for column in frame.columns}
    order = [c for c in frame.columns if kinds[c] == "text"] + [c for c in frame.columns if kinds[c] != "text"]
    order = order if text_first else list(frame.columns)  # a timeline reads in its own order
    shown = frame[order].copy()
    config = {}
    for column in order:
        label = COLUMNS.get(str(column), (_humanise(str(column)), None))[0]
        kind = kinds[column] or _infer(shown[column])
        if kind == "language":
            shown[column] = shown[column].map(language_name, na_action="ignore")
        if kind in ("date", "datetime") and shown[column].isna().any():  # a missing date reads blank, not None
            shown[column] = shown[column].dt.strftime("%Y-%m-%d" if kind == "date" else "%Y-%m-%d %H:%M")
            kind = "plain"
        if shown[column].dtype == object or pd.api.types.is_string_dtype(shown[column]):
            shown[column] = shown[column].fillna("")  # an empty cell, not the word None
        config[column] = _column(label, kind, shown[column])
    return shown, config


def language_name(code: str) -> str:
    """'English' for en, 'English, Chinese' for en/zh; an unknown code as it is."""
    return ", ".join(LANGUAGES.get(part.strip(), part.strip()) for part in str(code).split("/"))


def money_format() -> str:
    """The printf format of money: the shop's currency symbol (INSIGHT_CURRENCY) before a separated amount."""
    symbol = setting("INSIGHT_CURRENCY").strip()
    return f"{symbol} %,.2f" if symbol else "%,.2f"


def _humanise(name: str) -> str:
    return name.replace("_", " ").strip().capitalize() if name.islower() else name


def _infer(series: pd.Series) -> str:
    if pd.api.types.is_datetime64_any_dtype(series):
        times = series.dropna()
        return "date" if times.empty or (times == times.dt.normalize()).all() else "datetime"
    if pd.api.types.is_bool_dtype(series):
        return "plain"
    if pd.api.types.is_integer_dtype(series):
        return "count"
    if pd.api.types.is_float_dtype(series):
        whole = series.dropna()
        return "count" if len(whole) and (whole == whole.round()).all() and whole.abs().max() >= 1000 else "decimal"
    return "plain"


def _column(label: str, kind: str, series: pd.Series):
    number = st.column_config.NumberColumn
    formats = {
        "percent": "percent",
        "count": "localized",
        "money": money_format(),
        "decimal": "localized",
        "points": "%+.1f",
        "rate": "%,.1f",
        "rating": "%.2f ★",
        "score": "%.3f",
        "seconds": "duration",
    }
    if kind == "rating" and pd.api.types.is_integer_dtype(series):
        return number(label, format="%d ★")
    if kind in formats:
        return number(label, format=formats[kind])
    if kind == "date":
        return st.column_config.DateColumn(label, format="YYYY-MM-DD")
    if kind == "datetime":
        return st.column_config.DatetimeColumn(label, format="YYYY-MM-DD HH:mm")
    if kind == "text":
        return st.column_config.TextColumn(label, width="large")
    return st.column_config.Column(label)
