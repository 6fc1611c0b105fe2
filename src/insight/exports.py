r"""CSV files for people to open in a spreadsheet, with formula injection neutralised.

A spreadsheet runs a cell as a formula when its text begins with ``=``, ``+``, ``-`` or ``@`` (and
some also after a tab, a carriage return, a line feed or other leading blanks and invisible
characters, or with the full-width forms ``＝＋－＠`` that CJK input methods produce). Review texts,
titles, categories and search queries are typed by strangers, so every text cell that could run is
given a leading apostrophe, the OWASP advice: the spreadsheet then shows the text as it is.

The apostrophe alone is not enough. ``DataFrame.to_csv`` ends rows with ``\n`` and therefore quotes
a field that holds ``\n`` but not one that holds a bare ``\r``; a spreadsheet reads that ``\r`` as a
line break, so ``'\r=cmd`` became a row ``'`` and a next row starting ``=cmd`` (the bypass found in
the audience export). Files here end rows with ``\r\n`` (RFC 4180), which makes the writer quote
every field holding either character, so a cell can never spill into a new row.

Column names are guarded too, since tables pivoted by category or keyword carry user text in them.
"""

from __future__ import annotations

import unicodedata

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "＝", "＋", "－", "＠")  # after any leading blanks
RUN_STARTS = ("\t", "\r", "\n")  # a cell starting with these is guarded whatever follows
GUARD = "'"


def _leading_blank(char: str) -> bool:
    # spaces, tabs, line breaks, control characters (Cc) and invisible formatting ones (Cf: BOM, ZWSP)
    return char.isspace() or unicodedata.category(char) in ("Cc", "Cf")


def neutralise(value: str) -> str:
    """``value`` with a leading apostrophe when a spreadsheet could run it as a formula, else unchanged."""
    if value.startswith(RUN_STARTS):
        return GUARD + value
    start = 0
    while start < len(value) and _leading_blank(value[start]):
        start += 1
    return GUARD + value if value[start : start + 1] in FORMULA_STARTS else value


def _guard_cell(value):
    return neutralise(value) if isinstance(value, str) else value


def _holds_text(column: pd.Series) -> bool:
    kinds = pd.api.types
    return kinds.is_object_dtype(column) or kinds.is_string_dtype(column) or kinds.is_categorical_dtype(column)


def guard_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy in which every text cell and column name a spreadsheet would run starts with ``'``.

    Text is found in object, string and categorical columns; numbers, dates and booleans are kept.
    """
    guarded = frame.copy()
    for position in range(frame.shape[1]):  # by position: column names may repeat
        values = frame.iloc[:, position]
        if _holds_text(values):
            if isinstance(values.dtype, pd.CategoricalDtype):
                values = values.astype(object)
            guarded.isetitem(position, values.map(_guard_cell))
    guarded.columns = [_guard_cell(c) for c in frame.columns]
    return guarded


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The frame as a UTF-8 CSV file (no index) that a spreadsheet opens without running anything."""
    return guard_formulas(frame).to_csv(index=False, lineterminator="\r\n").encode("utf-8")
