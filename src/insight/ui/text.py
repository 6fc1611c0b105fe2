"""User text shown as text: escapes for Streamlit's Markdown and for Plotly's labels.

Titles, categories, reviews, queries, file names, job messages and audience names are typed by
strangers, and both renderers interpret what they are given. Streamlit renders ``st.markdown``,
captions, alerts, toasts, metrics and every widget, tab and expander label as Markdown with its own
extensions: an image ``![x](http://host/i.png)`` is fetched by every viewer, ``$…$`` is LaTeX,
``:red[…]`` colours, ``:material/…:`` and ``:smile:`` become icons, ``->`` an arrow. Plotly renders
``<a href>``, ``<b>``, ``<br>`` and entities in titles, ticks, legends, hover text and Sankey labels.

:func:`md` backslash-escapes what Markdown would read and puts an invisible word joiner (U+2060)
inside what Streamlit rewrites after parsing (shortcodes and arrows, which escapes do not stop), so
the rendered text is the text typed; :func:`code` is the same for an inline code span; :func:`plot`
turns ``& < > $ %`` into entities, which Plotly shows as the characters. Ordinary words, numbers and
dates come back unchanged, so KPI values still read as numbers.
"""

from __future__ import annotations

import re

import pandas as pd

JOINER = "\u2060"  # WORD JOINER: zero width, no line break; splits a pattern without showing anything
# Rewritten by Streamlit or GFM in the parsed text, where backslash escapes are already gone:
_AFTER_PARSING = re.compile(
    r"(?<!\S)(?:<->|->|<-|--|>=|<=|~=)(?!\S)"  # typographic arrows and dashes
    r"|:(?=[\w+-][\w+/-]*:)"  # :smile:, :material/icon:, :streamlit:
    r"|(?i:https?|www)(?=[:.])"  # bare links: http://host, www.host
    r"|@(?=[-\w]+\.)"  # bare e-mail addresses
)
_ANYWHERE = re.compile(r"([\\`*_\[\]<>&$~|:@])")  # emphasis, links, HTML, entities, math, tables, directives
_LINE_START = re.compile(
    r"^(#{1,6}(?=\s|$)|[-+](?=\s|$)|\d{1,9}(?=[.)](?:\s|$))|[-=]+(?=\s*$))"  # headings, lists, underlines
)
_LINES = re.compile(r"(\r\n|\r|\n)")
_PLOT = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "$": "&#36;", "%": "&#37;"}
_PLOT_CHARS = re.compile("[&<>$%]")


def _split(match: re.Match) -> str:
    found = match.group(0)
    if found[0] in "hHwW":  # after the scheme or www, before its ":" or "."
        return found + JOINER
    return found[0] + JOINER + found[1:]


def md(value: object) -> str:
    """``value`` as Markdown source that Streamlit renders as exactly that text."""
    text = _AFTER_PARSING.sub(_split, str(value))
    text = _ANYWHERE.sub(r"\\\1", text)
    parts = _LINES.split(text)
    for i in range(0, len(parts), 2):  # even parts are lines, odd ones the breaks between them
        line = parts[i].lstrip(" \t")  # indentation would make a code block; rendered text drops it anyway
        parts[i] = _LINE_START.sub(_escape_line_start, line, count=1)
    return "".join(parts)


def _escape_line_start(match: re.Match) -> str:
    found = match.group(1)
    if found[0].isdigit():  # "1." or "1)" starts a numbered list: escape the mark after the number
        return found + "\\"
    return "\\" + found


def code(value: object) -> str:
    """``value`` as an inline code span, fenced by more backticks than it holds."""
    text = str(value).replace("\r", " ").replace("\n", " ").replace(":material/", ":" + JOINER + "material/")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or (text.startswith(" ") and text.endswith(" ")) else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def plot(value: object) -> object:
    """A Plotly label showing ``value`` as typed (strings are escaped; numbers, dates and None pass)."""
    if not isinstance(value, str):
        return value
    return _PLOT_CHARS.sub(lambda m: _PLOT[m.group(0)], value)


def plot_column(values: pd.Series) -> pd.Series:
    """:func:`plot` over a column (a copy), for the columns a chart shows as ticks, legend or hover."""
    return values.map(plot) if values.dtype == object or pd.api.types.is_string_dtype(values) else values
