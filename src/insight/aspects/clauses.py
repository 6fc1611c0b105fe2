"""Reviews cut into clauses, each about one thing, so one review can praise the taste and damn the box.

A clause ends at sentence punctuation (``. ! ? ; 。！？；…`` and line breaks) and before a contrast
word ("but", "however", "不过", "但是", "mas", "porém" …), where reviews switch from praise to
complaint. Fragments too short to say anything ("Ok.", "好") are joined to their neighbour. Each
clause keeps its character span in the review, so a page can highlight it inside the quote, and a
``core``: the clause without its leading contrast word and punctuation, which is what gets encoded
(so "However, it leaks." and "It leaks." share one vector).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

_CONTRAST = {
    "en": ("but", "however", "although", "though", "except", "unfortunately", "on the downside", "that said"),
    "pt": (
        "mas",
        "porém",
        "porem",
        "entretanto",
        "contudo",
        "no entanto",
        "só que",
        "so que",
        "apesar",
        "infelizmente",
    ),
    "zh": ("但是", "不过", "可是", "然而", "只是", "就是", "唯一的问题是", "美中不足的是", "但", "却"),
}
_LATIN = "|".join(sorted({w for lang in ("en", "pt") for w in _CONTRAST[lang]}, key=len, reverse=True))
_HAN = "|".join(sorted(_CONTRAST["zh"], key=len, reverse=True))
# A cut before a contrast word: Latin ones after a comma or space as whole words, Chinese ones after a comma.
_CUT = re.compile(
    rf"(?<=[,，、])\s*(?=(?:{_HAN}))|(?<=[,，])\s*(?=(?:{_LATIN})\b)|\s+(?=(?:{_LATIN})\b[ ,])",
    re.IGNORECASE,
)
_END = re.compile(r"[.!?;。！？；…]+[\"')\]”’]*\s*|\n+")
_LEAD = re.compile(rf"^[\s,，、:：\-–—]*(?:(?:{_LATIN})\b|{_HAN})?[\s,，、:：]*", re.IGNORECASE)
_HAN_CHAR = re.compile(r"[\u4e00-\u9fff]")
MIN_WORDS, MIN_HAN = 2, 3  # shorter fragments are joined to a neighbour


@dataclass(frozen=True)
class Clause:
    """One clause of a review: its position, its span in the text, and the words that get encoded."""

    index: int
    start: int
    end: int
    core: str


def _long_enough(text: str) -> bool:
    han = len(_HAN_CHAR.findall(text))
    return han >= MIN_HAN or len(re.findall(r"[^\W\d_]+", text)) >= MIN_WORDS


def _pieces(text: str) -> list[tuple[int, int]]:
    """Spans cut at sentence ends, then before contrast words."""
    spans, begin = [], 0
    for match in _END.finditer(text):
        spans.append((begin, match.end()))
        begin = match.end()
    if begin < len(text):
        spans.append((begin, len(text)))
    pieces = []
    for start, end in spans:
        cuts = [start] + [start + m.start() for m in _CUT.finditer(text[start:end]) if m.start() > 0] + [end]
        pieces += [(a, b) for a, b in zip(cuts, cuts[1:], strict=False) if text[a:b].strip()]
    return pieces


def core_of(fragment: str) -> str:
    """A clause without its leading contrast word, punctuation and spaces."""
    return _LEAD.sub("", fragment, count=1).strip()


def split_clauses(text: str | None) -> list[Clause]:
    """The clauses of one review text, in order; short fragments joined to the clause before (or after)."""
    text = text if isinstance(text, str) else ""
    merged: list[list[int]] = []
    for start, end in _pieces(text):
        if merged and not _long_enough(core_of(text[merged[-1][0] : merged[-1][1]])):
            merged[-1][1] = end  # the previous fragment was too short: it leads into this one
        elif merged and not _long_enough(core_of(text[start:end])):
            merged[-1][1] = end
        else:
            merged.append([start, end])
    clauses = []
    for start, end in merged:
        fragment = text[start:end]
        lead = len(fragment) - len(fragment.lstrip())
        trail = len(fragment.rstrip())
        core = core_of(fragment)
        if core:
            clauses.append(Clause(len(clauses), start + lead, start + trail, core))
    return clauses


def clause_table(
    review_ids: Iterable[str], texts: Iterable[str | None], titles: Iterable[str | None] | None = None
) -> pd.DataFrame:
    """Every clause of every review: review_id, clause (0-based), start, end (characters) and core.

    With ``titles`` the title and the body (``texts``) are cut apart, since a title seldom ends with a
    full stop, and spans count in the review as shown: the title, a space, the body.
    """
    rows = []
    titles = [None] * len(texts := list(texts)) if titles is None else list(titles)
    for review_id, text, title in zip(review_ids, texts, titles, strict=True):
        head = title.strip() if isinstance(title, str) else ""
        body = text.strip() if isinstance(text, str) else ""
        parts = [(head, 0), (body, len(head) + 1 if head else 0)] if head else [(body, 0)]
        index = 0
        for part, offset in parts:
            for c in split_clauses(part):
                rows.append((review_id, index, offset + c.start, offset + c.end, c.core))
                index += 1
    return pd.DataFrame(rows, columns=["review_id", "clause", "start", "end", "core"])
