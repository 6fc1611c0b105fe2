"""Tables read as a merchant expects: named columns, units, separators, dates without midnight, text first."""

import pandas as pd

from insight.ui.tables import language_name, money_format, prepare


def test_internal_names_become_labels_with_units_and_the_review_text_comes_first():
    frame = pd.DataFrame(
        {
            "item": ["kettle", "mug"],
            "negative_share": [0.952, 0.1],
            "spend": [116761.0, 250.5],
            "change": [11.6744, -2.0],
            "period": pd.to_datetime(["2025-11-01", "2025-12-01"]),
            "language": ["en", "en/zh"],
            "category": ["kitchen", None],
            "text": ["leaks everywhere", "fine"],
        }
    )
    shown, config = prepare(frame)
    assert list(shown.columns)[0] == "text" and config["text"]["label"] == "Review"
    assert config["negative_share"]["label"] == "Negative" and config["negative_share"]["type_config"]["format"] == (
        "percent"
    )
    assert config["spend"]["type_config"]["format"] == "%,.2f" and config["change"]["type_config"]["format"] == "%+.1f"
    assert config["period"]["type_config"]["format"] == "YYYY-MM-DD"  # midnights read as dates
    assert list(shown["language"]) == ["English", "English, Chinese"] and list(shown["category"]) == ["kitchen", ""]


def test_times_of_day_are_kept_when_there_are_any_and_big_counts_get_separators():
    frame = pd.DataFrame({"created_at": pd.to_datetime(["2025-11-01 09:30"]), "events": [1_234_567]})
    config = prepare(frame)[1]
    assert config["created_at"]["type_config"]["format"] == "YYYY-MM-DD HH:mm"
    assert config["events"]["type_config"]["format"] == "localized" and config["events"]["label"] == "Events"


def test_the_currency_symbol_is_a_setting(monkeypatch):
    monkeypatch.setenv("INSIGHT_CURRENCY", "R$")
    assert money_format() == "R$ %,.2f"
    assert prepare(pd.DataFrame({"revenue": [10.0]}))[1]["revenue"]["type_config"]["format"] == "R$ %,.2f"
    assert language_name("xx") == "xx"


def test_a_column_without_any_value_is_left_out_and_a_missing_date_is_blank():
    frame = pd.DataFrame(
        {
            "text": ["fine", "bad"],
            "ts": pd.to_datetime([None, None]),
            "created_at": pd.to_datetime(["2025-11-01", None]),
        }
    )
    shown, config = prepare(frame)
    assert "ts" not in shown.columns and list(shown["created_at"]) == ["2025-11-01", ""]


def test_a_timeline_keeps_its_own_column_order():
    frame = pd.DataFrame({"ts": pd.to_datetime(["2025-11-01 10:00"]), "kind": ["search"], "text": ["trail shoes"]})
    assert list(prepare(frame, text_first=False)[0].columns) == ["ts", "kind", "text"]
    assert list(prepare(frame)[0].columns)[0] == "text"
