"""The recommendation trade-off chart: every exploration level labelled, no two labels on top of each other."""

import pandas as pd

from insight.ui.recommendations import tradeoff_chart


def test_neighbouring_exploration_levels_are_labelled_on_opposite_sides():
    results = pd.DataFrame(
        {
            "policy": ["insight"] * 4 + ["popularity", "als"],
            "exploration": [0.0, 0.1, 0.2, 0.4, 0.0, 0.0],
            "precision": [0.050, 0.049, 0.047, 0.044, 0.030, 0.041],
            "coverage": [0.10, 0.11, 0.12, 0.15, 0.01, 0.05],
        }
    )
    ours = tradeoff_chart(results, axis="coverage", k=10).data[0]
    assert list(ours.text) == ["0%", "10%", "20%", "40%"]
    assert list(ours.textposition) == ["top center", "bottom center", "top center", "bottom center"]
