"""Audience files with a holdout, formula guarding, the minimum size and differential-privacy noise."""

import io
import sys

import pandas as pd
import pytest

from insight.targeting import (
    AudienceDefinition,
    AudienceTooSmall,
    PrivacyRules,
    PrivacyUnavailable,
    audience_file,
    evaluate,
    guard_formulas,
    holdout_groups,
    privacy_rules,
    release_counts,
)

USERS = [f"u_{i:03d}" for i in range(200)]


def test_holdout_takes_the_share_asked_for_and_repeats_with_the_seed():
    groups = holdout_groups(USERS, share=0.15, seed=7)
    assert (groups["group"] == "holdout").sum() == 30 and len(groups) == 200
    assert groups.equals(holdout_groups(list(reversed(USERS)), share=0.15, seed=7))
    other = holdout_groups(USERS, share=0.15, seed=8)
    assert set(other.loc[other["group"] == "holdout", "user_id"]) != set(
        groups.loc[groups["group"] == "holdout", "user_id"]
    )
    assert (holdout_groups(USERS, share=0.0)["group"] == "target").all()
    with pytest.raises(ValueError, match="holdout share"):
        holdout_groups(USERS, share=0.9)


def test_csv_cells_that_a_spreadsheet_would_run_get_an_apostrophe():
    frame = pd.DataFrame({"text": ["=HYPERLINK(1)", "+1", "-2", "@SUM(A1)", "\tx", "\rx", "plain", "a=b"]})
    assert guard_formulas(frame)["text"].tolist() == [
        "'=HYPERLINK(1)",
        "'+1",
        "'-2",
        "'@SUM(A1)",
        "'\tx",
        "'\rx",
        "plain",
        "a=b",
    ]


def test_export_files_carry_groups_and_segments_and_refuse_tiny_audiences(shop):
    users = evaluate(shop, AudienceDefinition(min_orders=2))
    csv = pd.read_csv(io.BytesIO(audience_file(shop, users, fmt="csv", holdout_share=0.2, seed=1)))
    parquet = pd.read_parquet(io.BytesIO(audience_file(shop, users, fmt="parquet", holdout_share=0.2, seed=1)))
    assert list(csv.columns) == ["user_id", "group", "segment"] and sorted(csv["user_id"]) == users
    assert (csv["group"] == "holdout").sum() == round(0.2 * len(users))
    assert csv["group"].tolist() == parquet["group"].tolist() and csv["segment"].notna().all()
    with pytest.raises(AudienceTooSmall, match="fewer than 10"):
        audience_file(shop, users[:3], rules=PrivacyRules(k=10))
    with pytest.raises(ValueError, match="format"):
        audience_file(shop, users, fmt="xlsx")


def test_privacy_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("INSIGHT_MIN_AUDIENCE", "25")
    monkeypatch.setenv("INSIGHT_DP_EPSILON", "0.5")
    assert privacy_rules() == PrivacyRules(k=25, epsilon=0.5)
    monkeypatch.setenv("INSIGHT_DP_EPSILON", "")
    assert privacy_rules().epsilon is None and release_counts([3, 4], privacy_rules()) == [3, 4]
    monkeypatch.setenv("INSIGHT_MIN_AUDIENCE", "ten")
    with pytest.raises(ValueError, match="INSIGHT_MIN_AUDIENCE"):
        privacy_rules()


def test_noise_without_opendp_is_refused_not_skipped(monkeypatch):
    monkeypatch.setitem(sys.modules, "opendp", None)
    monkeypatch.setitem(sys.modules, "opendp.prelude", None)
    with pytest.raises(PrivacyUnavailable, match="OpenDP is not installed"):
        release_counts([12, 40], PrivacyRules(epsilon=1.0))
    with pytest.raises(PrivacyUnavailable, match=r"pip install -e \"\.\[privacy\]\""):
        PrivacyRules(epsilon=1.0).ensure_available()
    PrivacyRules().ensure_available()  # exact counts need nothing


def test_noisy_counts_are_whole_and_close_to_the_truth():
    pytest.importorskip("opendp", reason="OpenDP is an optional extra: pip install -e '.[privacy]'")
    noisy = release_counts([120, 45, 0], PrivacyRules(epsilon=1.0))
    assert len(noisy) == 3 and all(isinstance(v, int) and v >= 0 for v in noisy)
    draws = [release_counts([1000], PrivacyRules(epsilon=1.0), sensitivity=1)[0] for _ in range(200)]
    assert draws != [1000] * 200 and abs(sum(draws) / 200 - 1000) < 1.0
    assert release_counts([500], PrivacyRules(epsilon=1e6)) == [500]


def test_noise_and_the_k_rules_work_together(shop, index, running_segment):
    pytest.importorskip("opendp", reason="OpenDP is an optional extra: pip install -e '.[privacy]'")
    from insight.targeting import lookalikes, reach

    noisy = PrivacyRules(k=10, epsilon=1.0)
    users = evaluate(shop, AudienceDefinition(min_orders=5))
    result = reach(shop, users, rules=noisy)
    assert result.noisy and result.size is not None and abs(result.size - len(users)) < 40
    assert result.card.spend % result.card.spend_cap == 0  # the card is rounded, noise or not
    assert reach(shop, users[:9], rules=noisy).suppressed  # k applies to the true count
    seed = evaluate(shop, AudienceDefinition(segments=(running_segment,)), index=index)
    curve = lookalikes(index, seed).curve(points=11, rules=noisy)
    assert (curve["added"] % 10 == 0).all() and curve["added"].is_monotonic_increasing
