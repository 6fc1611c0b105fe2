"""The skeleton the segments and topics jobs share: cluster, carry ids over, lay out members, report.

Both jobs cluster vectors with :func:`insight.cluster.segment_vectors`, give the groups the ids of the
previous run's groups they match (:func:`insight.cluster.align.carry_ids`), store each member's group
and map position, and end with the same provenance. Written once here, the two cannot drift: a change
to how ids carry over or what a run reports reaches users and reviews alike.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb
import numpy as np
import pandas as pd

from insight.cluster.align import CarriedIds, carry_ids
from insight.cluster.pipeline import Segmentation, segment_vectors
from insight.store import runs
from insight.store.db import data_version


def cluster_and_carry(
    con: duckdb.DuckDBPyConnection,
    kind: str,
    vectors: np.ndarray,
    fetch_centroids: Callable[[duckdb.DuckDBPyConnection, str], dict[int, np.ndarray]],
    **options,
) -> tuple[Segmentation, CarriedIds]:
    """Cluster ``vectors`` (n, d) float32 and carry over the ids of the current ``kind`` run's groups.

    ``options`` go to :func:`~insight.cluster.segment_vectors` (groups, seed, outlier budget, progress …);
    ``fetch_centroids(con, run_id)`` reads a previous run's centroids by stable id.
    """
    found = segment_vectors(vectors, **options)
    previous = runs.current_run(con, kind)
    before = fetch_centroids(con, previous["run_id"]) if previous else {}
    return found, carry_ids(found, previous, before)


def members(found: Segmentation, stable: np.ndarray, key: str, keys: pd.Series, group: str) -> pd.DataFrame:
    """One row per clustered point: its ``key`` (user or review id), stable ``group`` id and map position."""
    return pd.DataFrame(
        {
            key: keys.astype(str).to_numpy(),
            group: stable,
            "x": found.coords[:, 0].astype(float),
            "y": found.coords[:, 1].astype(float),
            "probability": found.probabilities.astype(float),
        }
    )


def outcome(
    con: duckdb.DuckDBPyConnection,
    *,
    what: str,
    found: Segmentation,
    carried: CarriedIds,
    run_id: str,
    model: str,
    params: dict,
    seed: int,
) -> dict:
    """The job's provenance: ``what`` it found ("600 users in 14 segments"), outliers, stability, ids kept."""
    return {
        "message": f"{what} ({found.outliers_after:.0%} outliers, stability ARI {found.stability:.2f}); "
        f"{carried.kept} kept their id from the previous run",
        "run_id": run_id,
        "model": model,
        "device": found.backend,
        "params": params,
        "seed": seed,
        "data_version": data_version(con),
    }
