"""Charts a merchant reads: axes in the units they are named in."""

import pandas as pd

from insight.ui.overview import event_activity, mark_partial, review_activity


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


def test_a_week_the_data_ends_in_is_drawn_faded_and_called_partial():
    weeks = pd.to_datetime(["2025-03-03", "2025-03-10", "2025-03-17"])  # Mondays
    frame = pd.DataFrame({"period": weeks, "event_type": "view", "events": [700, 720, 150]})
    fig = mark_partial(event_activity(frame, "week"), frame["period"], "week", pd.Timestamp("2025-03-18 16:00"))
    assert list(fig.data[0].marker.opacity) == [1.0, 1.0, 0.4]
    assert fig.layout.annotations[0].text == "partial week: data ends 2025-03-18"
    whole = mark_partial(event_activity(frame, "week"), frame["period"], "week", pd.Timestamp("2025-03-23 23:00"))
    assert whole.data[0].marker.opacity is None and not whole.layout.annotations  # a full last week is drawn as is
