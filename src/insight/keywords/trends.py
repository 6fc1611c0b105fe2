"""Keyword trends over time: how many reviews of each week or month mention a keyword, and bursts.

``keyword_trends`` counts, per period, the reviews that contain each followed keyword (count) and
the fraction of that period's reviews it is (share: comparable across busy and quiet periods).
The followed keywords are the most frequent overall plus the most distinctive of each period (by
c-TF-IDF with periods as classes), so a keyword that only appears in the last month is followed
too; or exactly the ``keywords`` a caller names.

``detect_bursts`` compares each keyword's latest period(s) with its own earlier periods. Its score
is the signed square root of a binomial likelihood-ratio statistic (two proportions: recent share
vs baseline share), divided by the keyword's over-dispersion across baseline periods (quasi-
likelihood, shrunk towards 1 when there are few periods). It is roughly a z-value: 3 is unusual.
Being count-aware, it rates 50 -> 200 mentions far above 0 -> 3 in a tiny week, which a z-score of
shares would not; keywords that naturally swing from period to period need a larger change.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.special import xlogy

from insight.keywords.ctfidf import c_tf_idf, document_term_matrix, group_indicator, terms_of_subset, top_terms
from insight.keywords.tokenize import tokenize_many

TREND_COLUMNS = ["period", "keyword", "count", "documents", "share"]
BURST_COLUMNS = ["keyword", "period", "count", "baseline", "share", "baseline_share", "score", "direction"]
_FREQ_ALIASES = {"ME": "M", "MS": "M", "QE": "Q", "QS": "Q", "YE": "Y", "YS": "Y", "A": "Y", "AS": "Y"}


def _naive(value: object) -> pd.Timestamp:
    """One value as a naive timestamp in its own wall time; NaT when it is no date."""
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError, OverflowError):
        return pd.NaT
    return stamp.tz_localize(None) if stamp is not pd.NaT and stamp.tzinfo is not None else stamp


def _parse_timestamps(values: pd.Series) -> pd.Series:
    """Naive timestamps of values (datetimes or strings; unparsable -> NaT).

    Time-zone-aware stamps keep their local wall time: a review's month is the shop's month.
    Uniform ISO 8601 input is parsed at once; anything else (other formats, mixed offsets, naive
    and aware together) one value at a time.
    """
    stamps = values
    if not pd.api.types.is_datetime64_any_dtype(values):
        try:
            stamps = pd.to_datetime(values, errors="coerce", format="ISO8601")
        except (ValueError, TypeError):
            stamps = None
        if stamps is None or not pd.api.types.is_datetime64_any_dtype(stamps) or (stamps.isna() & values.notna()).any():
            return pd.Series(pd.to_datetime([_naive(v) for v in values]), index=values.index)
    return stamps.dt.tz_localize(None) if getattr(stamps.dt, "tz", None) is not None else stamps


def _periods(timestamps: Sequence, n: int, freq: str) -> tuple[np.ndarray, pd.PeriodIndex]:
    """Period code of each timestamp (-1 when missing or unparsable) and every period from first to last."""
    values = timestamps if isinstance(timestamps, pd.Series) else pd.Series(list(timestamps), dtype=object)
    if len(values) != n:
        raise ValueError(f"timestamps has {len(values)} entries for {n} texts")
    stamps = _parse_timestamps(values.reset_index(drop=True))
    code = freq.upper()
    periods = stamps.dt.to_period(_FREQ_ALIASES.get(code, code if code in {"D", "W", "M", "Q", "Y"} else freq))
    valid = periods.dropna()
    if valid.empty:
        return np.full(n, -1, dtype=np.int64), pd.PeriodIndex([], freq=periods.dt.freq)
    span = pd.period_range(valid.min(), valid.max(), freq=valid.min().freq)
    codes = np.full(n, -1, dtype=np.int64)
    codes[valid.index.to_numpy()] = span.get_indexer(pd.PeriodIndex(valid))
    return codes, span


def keyword_trends(
    texts: Sequence[str | None],
    timestamps: Sequence,
    *,
    languages: Sequence[str | None] | str | None = None,
    freq: str = "M",
    top_n: int = 30,
    per_period: int = 3,
    keywords: Sequence[str] | None = None,
    ngram_range: tuple[int, int] = (1, 2),
    min_df: int = 2,
    drop_generic: bool = False,
    tokens: Sequence[Sequence[str]] | None = None,
    n_jobs: int = 1,
    terms: tuple[sp.csr_matrix, np.ndarray] | None = None,
) -> pd.DataFrame:
    """Reviews mentioning each followed keyword per period (``freq``: ``"W"``, ``"M"``, ``"Q"``, ``"D"``).

    Followed keywords: the ``top_n`` mentioned in most reviews overall plus the ``per_period`` most
    distinctive of each period, or exactly ``keywords`` when given. Timestamps are datetimes or
    strings in any common format (time-zone-aware ones count in their local time); texts whose
    timestamp is missing or unparsable are left out.

    ``terms`` (these texts' rows of a :func:`.ctfidf.document_term_matrix` of more texts, with its
    vocabulary) saves counting the n-grams again.

    Returns columns ``period`` (period start), ``keyword``, ``count`` (reviews of the period
    containing it), ``documents`` (reviews in the period) and ``share`` (count / documents; NaN for
    a period without reviews), one row per period and keyword, zeros included.
    """
    if tokens is None:
        tokens = tokenize_many(texts, languages, drop_generic=drop_generic, n_jobs=n_jobs)
    elif len(tokens) != len(texts):
        raise ValueError(f"tokens has {len(tokens)} entries for {len(texts)} texts")
    codes, span = _periods(timestamps, len(tokens), freq)
    if not len(span):
        return _empty_trends()
    indicator = group_indicator(codes, len(span))
    documents = np.bincount(codes[codes >= 0], minlength=len(span))
    if terms is None:
        matrix, vocabulary = document_term_matrix(tokens, ngram_range=ngram_range, min_df=min_df)
    else:  # these texts' rows of counts made for more texts: a minute saved on a million reviews
        matrix, vocabulary = terms_of_subset(*terms, min_df=min_df)
    mentions = sp.csc_matrix(indicator @ (matrix > 0).astype(np.float64))  # period × n-gram, documents
    if keywords is not None:
        followed = list(dict.fromkeys(str(k).lower() for k in keywords))
        position = {term: i for i, term in enumerate(vocabulary)}
        columns = [
            mentions[:, position[k]].toarray().ravel() if k in position else np.zeros(len(span)) for k in followed
        ]
    else:
        totals = np.asarray(mentions.sum(axis=0)).ravel()
        chosen = list(np.lexsort((np.arange(len(totals)), -totals))[:top_n]) if len(totals) else []
        if per_period > 0 and len(totals):
            weights = c_tf_idf(sp.csr_matrix(indicator @ matrix))
            chosen += [c for cols in top_terms(weights, per_period) for c in cols]
        chosen = [c for c in dict.fromkeys(int(c) for c in chosen) if totals[c] > 0]
        followed = [str(vocabulary[c]) for c in chosen]
        columns = [mentions[:, c].toarray().ravel() for c in chosen]
    if not followed:
        return _empty_trends()
    counts = np.column_stack(columns).astype(np.int64)  # period × followed keyword
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = np.where(documents[:, None] > 0, counts / documents[:, None], np.nan)
    frame = pd.DataFrame(
        {
            "period": np.repeat(span.to_timestamp().to_numpy(), len(followed)),
            "keyword": np.tile(np.array(followed, dtype=object), len(span)),
            "count": counts.ravel(),
            "documents": np.repeat(documents, len(followed)).astype(np.int64),
            "share": shares.ravel(),
        }
    )
    return frame.sort_values(["period", "count", "keyword"], ascending=[True, False, True], ignore_index=True)


def _empty_trends() -> pd.DataFrame:
    """The trends frame with no rows."""
    dtypes = ["datetime64[ns]", "str", "int64", "int64", "float64"]
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in zip(TREND_COLUMNS, dtypes, strict=True)})


def detect_bursts(
    trends: pd.DataFrame,
    *,
    recent: int = 1,
    baseline: int | None = None,
    min_count: int = 5,
    z: float = 3.0,
) -> pd.DataFrame:
    """Keywords whose share in the last ``recent`` periods is far above ("rising") or below ("fading") their past.

    ``trends`` is :func:`keyword_trends` output (columns ``period, keyword, count`` and, ideally,
    ``documents``; without it a period's total mentions stand in). The baseline is the ``baseline``
    periods before the recent ones (None: all earlier periods; at least two are needed); periods
    without reviews are ignored. A keyword is flagged when ``|score| >= z`` and it has at least
    ``min_count`` recent mentions (rising) or expected mentions (fading).

    Returns columns ``keyword, period`` (the latest period), ``count`` (recent mentions),
    ``baseline`` (mentions expected at the baseline share), ``share``, ``baseline_share``,
    ``score`` and ``direction``, sorted by ``|score|`` descending.
    """
    if trends.empty:
        return _empty_bursts()
    counts = trends.pivot_table(index="period", columns="keyword", values="count", aggfunc="sum", fill_value=0)
    if "documents" in trends:
        documents = trends.groupby("period")["documents"].max().reindex(counts.index).to_numpy(dtype=np.float64)
    else:
        documents = counts.sum(axis=1).to_numpy(dtype=np.float64)
    keep = documents > 0
    counts, documents = counts.loc[keep], documents[keep]
    n_base = len(documents) - recent if baseline is None else min(baseline, len(documents) - recent)
    if recent < 1 or n_base < 2:
        return _empty_bursts()
    c = counts.to_numpy(dtype=np.float64)
    c_recent, n_recent = c[-recent:].sum(axis=0), documents[-recent:].sum()
    base_c, base_n = c[-recent - n_base : -recent], documents[-recent - n_base : -recent]
    c_base, n_base_total = base_c.sum(axis=0), base_n.sum()

    p_recent, p_base = c_recent / n_recent, c_base / n_base_total
    p_pool = (c_recent + c_base) / (n_recent + n_base_total)
    log_lik = (
        xlogy(c_recent, p_recent) + xlogy(n_recent - c_recent, 1 - p_recent)
        + xlogy(c_base, p_base) + xlogy(n_base_total - c_base, 1 - p_base)
        - xlogy(c_recent + c_base, p_pool) - xlogy(n_recent + n_base_total - c_recent - c_base, 1 - p_pool)
    )  # fmt: skip
    # Over-dispersion of the baseline periods around their pooled share (Pearson chi-square per
    # degree of freedom), shrunk towards 1 with two pseudo degrees of freedom; never below 1.
    p_smooth = (c_base + 0.5) / (n_base_total + 1.0)
    expected = base_n[:, None] * p_smooth
    chi2 = ((base_c - expected) ** 2 / (expected * (1 - p_smooth))).sum(axis=0)
    dispersion = np.maximum(1.0, (chi2 + 2.0) / (n_base - 1 + 2.0))
    score = np.sign(p_recent - p_base) * np.sqrt(np.maximum(2 * log_lik, 0.0) / dispersion)

    expected_recent = p_base * n_recent
    rising = (score >= z) & (c_recent >= min_count)
    fading = (score <= -z) & (expected_recent >= min_count)
    flagged = rising | fading
    frame = pd.DataFrame(
        {
            "keyword": counts.columns.to_numpy()[flagged],
            "period": counts.index[-1],
            "count": c_recent[flagged].astype(np.int64),
            "baseline": expected_recent[flagged],
            "share": p_recent[flagged],
            "baseline_share": p_base[flagged],
            "score": score[flagged],
            "direction": np.where(rising[flagged], "rising", "fading"),
        }
    )
    order = np.lexsort((frame["keyword"].astype(str).to_numpy(), -np.abs(frame["score"].to_numpy())))
    return frame.iloc[order].reset_index(drop=True)


def _empty_bursts() -> pd.DataFrame:
    """The bursts frame with no rows."""
    dtypes = ["str", "datetime64[ns]", "int64", "float64", "float64", "float64", "float64", "str"]
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in zip(BURST_COLUMNS, dtypes, strict=True)})


def trend_matrix(trends: pd.DataFrame, *, top_n: int = 20, value: str = "share") -> pd.DataFrame:
    """Period × keyword table of ``value`` (``"share"`` or ``"count"``) for a heatmap.

    Rows are periods in order, columns the ``top_n`` keywords with the most mentions overall, most first.
    """
    if trends.empty:
        return pd.DataFrame()
    totals = trends.groupby("keyword")["count"].sum()
    order = totals.reset_index().sort_values(["count", "keyword"], ascending=[False, True])["keyword"]
    keep = list(order.head(top_n))
    table = trends[trends["keyword"].isin(keep)].pivot(index="period", columns="keyword", values=value)
    return table.reindex(columns=keep).sort_index()
