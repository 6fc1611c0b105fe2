"""Reading timestamps without guessing: each value is read, or set aside with the reason it cannot be.

ISO 8601 is read as it is. Numeric dates such as ``03/04/2024`` could be 3 April or 4 March, so
their day/month order must be settled, in this order of precedence:

1. the user's format (``insight ingest --date-format %d/%m/%Y``, ``date_format=`` in the API);
2. the file itself: another value of the same column in the same file with a part over 12
   (``13/04/2024`` means day first, ``04/13/2024`` month first);
3. otherwise a value whose day and month are both 12 or less, and differ, is *ambiguous* and is
   quarantined rather than read one way silently.

A timestamp before 1990 or more than a day in the future is a clock or typing error that would skew
every "within N days" figure, so it is set aside too. Other spellings ("4 March 2024") are read
by dateutil, as before.
"""

from __future__ import annotations

import re

import pandas as pd

EARLIEST = pd.Timestamp("1990-01-01")
AMBIGUOUS = "has an ambiguous day and month (such as 03/04/2024); set the date format (--date-format), e.g. %d/%m/%Y"
NOT_A_DATE = "is not a date"
_NUMERIC = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4}|\d{2})(?=$|[\sT])(.*)$")


def check_date_format(date_format: str | None) -> str | None:
    """The format if it can read a date (has a ``%`` directive for the day, month or year); else ValueError."""
    if date_format is None or not date_format.strip():
        return None
    if not re.search(r"%[dmYyjbBF]", date_format):
        raise ValueError(f"date format '{date_format}' has no day, month or year directive (e.g. %d/%m/%Y)")
    return date_format


def read_timestamps(
    values: pd.Series, *, files: pd.Series | None = None, date_format: str | None = None
) -> tuple[pd.Series, pd.Series]:
    """(timestamps, reasons): naive timestamps (UTC for zoned input) and, where unread, why.

    ``files`` names each value's source file, so a file's own unambiguous dates settle the order of
    its ambiguous ones. Reasons are phrased to follow the field name ("timestamp is not a date").
    """
    reasons = pd.Series(None, index=values.index, dtype=object)
    if pd.api.types.is_datetime64_any_dtype(values):
        stamps = values.dt.tz_convert(None) if getattr(values.dt, "tz", None) else values
        return _in_range(stamps.astype("datetime64[us]"), reasons)
    text = values.astype("string").str.strip()
    parsed = pd.Series(pd.NaT, index=values.index, dtype="datetime64[us]")
    todo = text.notna()
    if date_format:
        parsed.loc[todo] = _to_naive(pd.to_datetime(text[todo], errors="coerce", format=date_format, utc=True))
        todo &= parsed.isna()
    if todo.any():
        parsed.loc[todo] = _to_naive(pd.to_datetime(text[todo], errors="coerce", format="ISO8601", utc=True))
        todo &= parsed.isna()
    numeric = text[todo].str.extract(_NUMERIC)
    numeric = numeric[numeric[0].notna()]
    if len(numeric):
        groups = files.loc[numeric.index] if files is not None else pd.Series("", index=numeric.index)
        for _, part in numeric.groupby(groups, sort=False):
            rebuilt, why = _settle(part, _order(date_format, part))
            parsed.loc[rebuilt.index] = _to_naive(pd.to_datetime(rebuilt, errors="coerce", format="mixed", utc=True))
            reasons.loc[why.index] = why
        todo &= ~text.index.isin(numeric.index)
    if todo.any():
        parsed.loc[todo] = _to_naive(pd.to_datetime(text[todo], errors="coerce", format="mixed", utc=True))
    reasons[text.notna() & parsed.isna() & reasons.isna()] = NOT_A_DATE
    return _in_range(parsed, reasons)


def _to_naive(stamps: pd.Series) -> pd.Series:
    return stamps.dt.tz_convert(None).astype("datetime64[us]")


def _order(date_format: str | None, parts: pd.DataFrame) -> str | None:
    """'day' or 'month' first, from the user's format or the file's unambiguous values; None if unsettled."""
    if date_format and "%d" in date_format and "%m" in date_format:
        return "day" if date_format.index("%d") < date_format.index("%m") else "month"
    first, second = parts[0].astype(int), parts[1].astype(int)
    day_first, month_first = (first > 12).any(), (second > 12).any()
    if day_first != month_first:
        return "day" if day_first else "month"
    return None


def _settle(parts: pd.DataFrame, order: str | None) -> tuple[pd.Series, pd.Series]:
    """ISO text for the values whose order is known (or needs none), and reasons for the rest."""
    first, second = parts[0].astype(int), parts[1].astype(int)
    if order is None:
        clear = (first > 12) | (second > 12) | (first == second)
        day = first.where((first > 12) | (first == second), second)
        month = second.where(day == first, first)
    else:
        clear = pd.Series(True, index=parts.index)
        day, month = (first, second) if order == "day" else (second, first)
    clear &= (month >= 1) & (month <= 12) & (day >= 1) & (day <= 31)
    year = parts[2].astype(int).map(lambda y: y if y >= 100 else (2000 + y if y < 69 else 1900 + y))  # as %y does
    iso = (
        year.map("{:04d}".format)
        + "-"
        + month.map("{:02d}".format)
        + "-"
        + day.map("{:02d}".format)
        + parts[3].fillna("")
    )
    ambiguous = ~clear & first.between(1, 12) & second.between(1, 12) & (order is None)
    why = pd.Series(AMBIGUOUS, index=parts.index[ambiguous], dtype=object)
    return iso[clear], why


def _in_range(stamps: pd.Series, reasons: pd.Series) -> tuple[pd.Series, pd.Series]:
    latest = pd.Timestamp.now("UTC").tz_localize(None) + pd.Timedelta(days=1)
    early, late = stamps < EARLIEST, stamps > latest
    reasons[early & reasons.isna()] = "is before 1990"
    reasons[late & reasons.isna()] = "is more than a day in the future"
    return stamps.where(~(early | late)), reasons
