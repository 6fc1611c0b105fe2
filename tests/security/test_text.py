"""The escapes of insight.ui.text: what Markdown and Plotly show is the text as typed, nothing else.

Markdown is rendered with markdown-it (CommonMark with GFM tables and strikethrough, as Streamlit's
renderer reads them); Streamlit's own rewrites after parsing (shortcodes, icons, arrows, bare links)
are checked against the patterns its frontend applies to the parsed text.
"""

import html
import re

import pytest
from markdown_it import MarkdownIt

from insight.ui.text import JOINER, code, md, plot
from tests.security.hostile import FORMULAS, RENDER, SOURCE, SQL

MARKDOWN = MarkdownIt("commonmark").enable(["table", "strikethrough"])
HOSTILE = [
    *RENDER,
    *SQL,
    *FORMULAS,
    SOURCE,
    "**bold** _em_ ~~gone~~ `code`",
    "# heading",
    "> quote",
    "- item\n+ item\n* item",
    "1. first\n2) second",
    "title\n===",
    "title\n---",
    "| a | b |\n|---|---|\n| 1 | 2 |",
    "    indented code",
    "```\nfenced\n```",
    "&amp; &lt;b&gt; &#x41;",
    "[ref]: http://evil.invalid/ref\n[ref]",
    "<http://evil.invalid/auto> http://evil.invalid/bare www.evil.invalid mail@evil.invalid",
    ":smile: :+1: :streamlit: :material/home: :blue-background[x] :small[x]",
    "a -> b <- c <-> d -- e >= f <= g ~= h",
    "$x$ $$y$$ \\(z\\)",
    "line one\\\nline two",
    "trailing \\",
]
ORDINARY = ["Running & Fitness", "12,345", "+0.23", "45%", "2024-03-04", "#3 running · shoes", "漏水 很差", "a=b"]
# What Streamlit's frontend rewrites in the parsed text, where backslash escapes are already resolved:
AFTER_PARSING = [
    re.compile(r":[\w+-][\w_+-]*:"),  # emoji shortcodes, :streamlit:, :material_icon: (":material/" is renamed first)
    re.compile(r"(^|\s)(<->|->|<-|--|>=|<=|~=)(\s|$)"),  # typographic arrows
    re.compile(r"https?://|www\.|[\w.+-]+@[\w-]+\.", re.I),  # GFM bare links
]


def _render(source: str) -> tuple[list[str], str]:
    """The tags markdown-it makes of ``source`` and the text it shows."""
    out = MARKDOWN.render(source)
    tags = sorted(set(re.findall(r"</?([a-z0-9]+)", out)))
    return tags, html.unescape(re.sub(r"<[^>]+>", "", out))


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace(JOINER, "")).strip()


@pytest.mark.parametrize("text", HOSTILE + ORDINARY)
def test_markdown_shows_exactly_the_text(text):
    tags, shown = _render(md(text))
    assert tags in ([], ["p"])  # one paragraph of text: no link, image, emphasis, heading, list, code or table
    assert _words(shown) == _words(text)
    assert [p.pattern for p in AFTER_PARSING if p.search(shown.replace(":material/", ":material_"))] == []


@pytest.mark.parametrize("text", [t for t in ORDINARY if "&" not in t] + ["plain words", "-0.25", "3.5 / 5"])
def test_ordinary_text_keeps_its_source(text):
    # KPI values and labels stay what they were, so they still read (and compare) as numbers and dates
    assert md(text) == text


@pytest.mark.parametrize("text", HOSTILE + ["``", "a`b", "`start", "end`", " both "])
def test_a_code_span_holds_exactly_the_text(text):
    tags, shown = _render(code(text))
    assert tags == ["code", "p"]
    typed = text.replace("\r", " ").replace("\n", " ")  # line breaks read as spaces in a code span
    assert shown.rstrip("\n").replace(JOINER, "") == typed


@pytest.mark.parametrize("text", HOSTILE + ORDINARY)
def test_plotly_labels_hold_no_markup(text):
    label = plot(text)
    assert "<" not in label and ">" not in label and "$" not in label and "%" not in label
    assert html.unescape(label) == text
    if not re.search("[&<>$%]", text):
        assert label == text
