"""The demo's answer key for aspects: which phrase of ``reviews.json`` every clause came from.

The demo writes reviews from phrase fragments, each about one known aspect ("leaks", "size_fit" …)
or none (openings, closings, titles, short reviews). Cutting every fragment with the same clause
splitter gives a lookup from a clause's words to the aspect it was written about, so an aspect found
by the job can be checked against what its clauses were really about.
"""

from __future__ import annotations

import re

import pandas as pd

from insight.aspects.clauses import split_clauses
from insight.demo.plan import load_json

_PUNCT = re.compile(r"[\W_]+", re.UNICODE)


def normalise(text: str) -> str:
    """Lower case, letters and digits only: how a clause and a fragment are matched."""
    return _PUNCT.sub("", str(text).lower())


def fragment_aspects() -> dict[str, str]:
    """Normalised clause words -> the aspect key they were written about (or opening, closing, title, short)."""
    data = load_json("reviews.json")
    out: dict[str, str] = {}

    def add(text: str, key: str) -> None:
        for clause in split_clauses(text):
            out.setdefault(normalise(clause.core), key)

    for aspect, by_language in data["aspects"].items():
        for tones in by_language.values():
            for phrases in tones.values():
                for phrase in phrases:
                    add(phrase, aspect)
    for part in ("openings", "closings", "titles", "short"):
        for by_mood in data[part].values():
            for phrases in by_mood.values():
                for phrase in phrases:
                    add(phrase, part)
    return out


def clause_truth(cores: pd.Series) -> pd.Series:
    """The aspect key each clause was written about ('' when the clause matches no fragment whole)."""
    lookup = fragment_aspects()
    return cores.map(lambda core: lookup.get(normalise(core), ""))


def aspect_truth(mentions: pd.DataFrame) -> pd.DataFrame:
    """Per found aspect: its majority true key, that key's share (purity) and mentions matched.

    ``mentions`` holds ``aspect_id`` and ``core`` for each clause.
    """
    frame = mentions.assign(truth=clause_truth(mentions["core"]))
    frame = frame[(frame["truth"] != "") & (frame["aspect_id"] >= 0)]
    counts = frame.groupby(["aspect_id", "truth"]).size().rename("n").reset_index()
    top = counts.sort_values("n", ascending=False).drop_duplicates("aspect_id")
    totals = counts.groupby("aspect_id")["n"].sum()
    return top.assign(purity=top["n"].to_numpy() / totals.loc[top["aspect_id"]].to_numpy()).set_index("aspect_id")
