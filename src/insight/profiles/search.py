"""Find users by interest: encode a free text and rank interest profiles by cosine similarity."""

from __future__ import annotations

import numpy as np
import pandas as pd


def closest_users(users: pd.DataFrame, vectors: np.ndarray, text: str, *, model: str, limit: int = 50) -> pd.DataFrame:
    """The ``limit`` users (rows of ``users``) whose profile vectors are most similar to ``text``.

    ``vectors`` must come from the same encoder as ``model`` names (a segments run records it).
    Returns the user rows with a ``similarity`` column, most similar first.
    """
    from insight.encode import encode_texts

    text = text.strip()
    if not text:
        raise ValueError("describe an interest to search for")
    if not len(users):
        return users.assign(similarity=pd.Series(dtype=float))
    query = encode_texts([text], model=model)[0]
    similarity = vectors @ query
    order = np.argsort(-similarity, kind="stable")[:limit]
    return users.iloc[order].assign(similarity=similarity[order]).reset_index(drop=True)
