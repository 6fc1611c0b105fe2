"""Charts a merchant reads: axes in the units they are named in."""

import pandas as pd

from insight.ui.charts import review_activity


def test_the_rating_axis_reads_in_whole_stars():
    frame = pd.DataFrame(
        {
            "period": pd.to_datetime(["2025-01-01", "2025-01-01", "2025-02-01"]),
            "language": ["en", "zh", "en"],
            "reviews": [120, 40, 90],
            "avg_rating": [4.2, 3.1, 3.8],
        }
    )
    axis = review_activity(frame, "month").layout.yaxis2
    assert list(axis.tickvals) == [1, 2, 3, 4, 5] and list(axis.range) == [1, 5]
    assert axis.title.text == "average rating (1–5)"
