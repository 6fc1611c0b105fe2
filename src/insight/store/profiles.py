"""Reads behind interest profiles: every text each user touched, with its embedding."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

# Every text a user touched, with the kind of touch: item events carry the item's text (title +
# description), searches the query, reviews their own text. Hashes match store.embeddings.TEXTS.
TOUCHES = """
    select e.user_id, e.ts, e.event_type as kind, md5(trim(concat_ws(' ', i.title, i.description))) as text_hash,
           trim(concat_ws(' ', i.title, i.description)) as text, i.category, e.value
      from events e join items i using (item_id)
     where e.user_id is not null and coalesce(i.title, i.description) is not null
    union all
    select user_id, ts, 'search', md5(query), query, null, null from events
     where event_type = 'search' and query is not null and user_id is not null
    union all
    select user_id, ts, 'review', md5(trim(concat_ws(' ', title, text))), trim(concat_ws(' ', title, text)), null, null
      from reviews where user_id is not null and text is not null
"""


def fetch_touches(con: duckdb.DuckDBPyConnection, model: str) -> tuple[pd.DataFrame, np.ndarray]:
    """Each user's touches that have an embedding under ``model``: rows and a float32 (n, dim) matrix."""
    frame = con.execute(
        f"""select t.user_id, t.ts, t.kind, t.text, t.category, t.value, e.vector
            from ({TOUCHES}) t join embeddings e on e.model = $model and e.text_hash = t.text_hash
            order by t.user_id, t.ts""",
        {"model": model},
    ).df()
    vectors = np.vstack(frame.pop("vector").to_numpy()).astype(np.float32) if len(frame) else np.zeros((0, 384))
    return frame, vectors
