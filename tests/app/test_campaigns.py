"""The Campaigns page: build an audience, see its reach, grow it, save it and download it with a holdout."""

import io
import shutil
import sys
from pathlib import Path

import pandas as pd
import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1 import app_test as app_test_module

import insight
from insight.targeting import AudienceDefinition, PrivacyRules, evaluate, reach, saved_audiences
from insight.targeting.definition import DEFAULT_INTEREST_STRENGTH
from insight.ui import campaigns as cd

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGE = "pages/campaigns/campaigns.py"


class _KeptMedia(MemoryMediaFileStorage):
    """Media storage that keeps what the page offers for download, by file name."""

    files: dict[str, bytes] = {}

    def load_and_get_id(self, path_or_data, mimetype, kind, filename=None):
        if filename and isinstance(path_or_data, bytes):
            _KeptMedia.files[filename] = path_or_data
        return super().load_and_get_id(path_or_data, mimetype, kind, filename)


@pytest.fixture
def shop(segmented_db: Path, tmp_path: Path) -> Path:
    """This test's own copy of the segmented demo shop (the page writes saved audiences)."""
    path = tmp_path / "shop.duckdb"
    shutil.copy(segmented_db, path)
    return path


def _page(monkeypatch, db: Path) -> AppTest:
    monkeypatch.setenv("INSIGHT_DB_PATH", str(db))
    at = AppTest.from_file(APP, default_timeout=120).run()
    return at.switch_page(PAGE).run()


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _running_segment(db: Path) -> int:
    con = insight.connect(db)
    rows = con.execute("select segment_id, label from segments").fetchall()
    con.close()
    return next(s for s, label in rows if "running" in label)


def test_campaigns_on_an_empty_store_says_what_to_do(monkeypatch, tmp_path):
    at = _page(monkeypatch, tmp_path / "empty.duckdb")
    assert not at.exception
    assert any("Ingest" in i.value for i in at.info)


def test_a_marketer_builds_an_audience_and_sees_the_reach_the_library_computes(monkeypatch, shop):
    segment = _running_segment(shop)
    at = _page(monkeypatch, shop)
    at.multiselect(key="aud_segments").select(segment)
    at.number_input(key="aud_orders").set_value(2)
    at.text_input(key="aud_interest").input("trail running shoes").run()
    assert not at.exception

    definition = AudienceDefinition(segments=(segment,), min_orders=2, interest="trail running shoes")
    con = insight.connect(shop)
    expected = reach(con, evaluate(con, definition), rules=PrivacyRules(k=10))
    metrics = _metrics(at)
    assert metrics["Audience"] == f"{expected.size:,}" and metrics["Share of users"] == f"{expected.share:.1%}"
    assert any('interested in "trail running shoes"' in c.value for c in at.caption)
    assert any(c.value.startswith("Users it reaches at each strength") for c in at.caption)  # the curve's note
    assert at.slider(key="aud_strength").value == DEFAULT_INTEREST_STRENGTH
    # the card shows what the library lets it: no interest is shared by 10 of these few users
    assert "Top interests: none that 10 or more members share" in [m.value for m in at.markdown]
    assert cd.card_text(expected.card, 10) in [c.value for c in at.caption]

    at.slider(key="aud_grow").set_value(10).run()
    assert _metrics(at)["Audience"] == f"{expected.size + 10:,}"
    assert at.get("plotly_chart") and any("plus lookalikes" in c.value for c in at.caption)
    con.close()


def test_the_lookalike_slider_moves_ten_people_at_a_time(monkeypatch, shop):
    segment = _running_segment(shop)
    at = _page(monkeypatch, shop)
    at.multiselect(key="aud_segments").select(segment).run()
    slider = at.slider(key="aud_grow")
    assert slider.step == 10 and slider.max % 10 == 0 and "10 at a time" in slider.help
    size = int(_metrics(at)["Audience"])
    spends = {}
    for asked, added in ((11, 10), (12, 10), (19, 10), (20, 20)):  # 11, 12 and 19: as a crafted request could ask
        at.slider(key="aud_grow").set_value(asked).run()
        assert not at.exception and int(_metrics(at)["Audience"]) == size + added
        spends[asked] = next(c.value for c in at.caption if c.value.startswith("Spend "))
    # the old slider's one-user step (11 → 12) moved the card's spend by that user's spend; now nothing moves
    assert spends[11] == spends[12] == spends[19] and any("counts up to 2,000" in c.value for c in at.caption)


def test_an_audience_one_user_away_from_a_saved_one_is_refused(monkeypatch, shop):
    con = insight.connect(shop)
    size = {  # a segment, and its members who bought at least n times: a few fewer (not under 10)
        (segment, n): len(evaluate(con, AudienceDefinition(segments=(segment,), min_orders=n)))
        for (segment,) in con.execute("select distinct segment_id from segments").fetchall()
        for n in range(0, 8)
    }
    con.close()
    segment, orders = next((s, n) for (s, n), k in size.items() if n and 10 <= k < size[s, 0] < k + 10)
    at = _page(monkeypatch, shop)
    at.multiselect(key="aud_segments").select(segment)
    at.text_input(key="aud_name").input("runners").run()
    at.button(key="aud_save").click().run()
    runners = int(_metrics(at)["Audience"])
    at.number_input(key="aud_orders").set_value(orders).run()
    assert 10 <= int(_metrics(at)["Audience"]) < runners < int(_metrics(at)["Audience"]) + 10
    at.text_input(key="aud_name").input("runners who bought").run()
    at.button(key="aud_save").click().run()
    assert not at.exception and not any("runners who bought" in s.value for s in at.success)
    assert any("differ by fewer than 10 users" in e.value for e in at.error)
    assert at.dataframe[-1].value["name"].tolist() == ["runners"]


def test_a_tiny_audience_is_refused_with_the_reason(monkeypatch, shop):
    at = _page(monkeypatch, shop)
    at.number_input(key="aud_orders").set_value(30).run()
    assert not at.exception
    assert any("fewer than 10 users" in w.value for w in at.warning)
    assert "Audience" not in _metrics(at) and not at.get("download_button")
    assert any("need an audience of at least 10 users" in c.value for c in at.caption)
    conditions = at.dataframe[0].value
    assert conditions["condition"].tolist() == ["at least 30 orders"]
    assert conditions["users"].tolist() == ["fewer than 10"]


def test_a_saved_audience_downloads_with_its_holdout(monkeypatch, shop):
    monkeypatch.setattr(app_test_module, "MemoryMediaFileStorage", _KeptMedia)
    _KeptMedia.files.clear()
    segment = _running_segment(shop)
    at = _page(monkeypatch, shop)
    at.multiselect(key="aud_segments").select(segment)
    at.slider(key="aud_holdout").set_value(0.2)
    at.text_input(key="aud_name").input("runners").run()
    at.button(key="aud_save").click().run()
    assert not at.exception
    assert any("Saved **runners**" in s.value for s in at.success)
    saved = at.dataframe[-1].value
    assert saved["name"].tolist() == ["runners"] and not saved["stale"].any()
    assert saved["users"].tolist() == [_metrics(at)["Audience"]]

    size = int(_metrics(at)["Audience"].replace(",", ""))
    exported = pd.read_csv(io.BytesIO(_KeptMedia.files["audience.csv"]))
    assert len(exported) == size and (exported["group"] == "holdout").sum() == round(0.2 * size)
    parquet = pd.read_parquet(io.BytesIO(_KeptMedia.files["audience.parquet"]))
    assert parquet["user_id"].tolist() == exported["user_id"].tolist()

    con = insight.connect(shop)
    saved_id = saved_audiences(con)["audience_id"].item()
    con.close()
    at.run().multiselect(key="aud_saved").select(saved_id).run()  # offered from the run after the save
    assert _metrics(at)["Audience"] == f"{size:,}"
    overlap = at.dataframe[0].value
    assert overlap["shared users"].tolist() == [f"{size:,}"] and overlap["share of this audience"].tolist() == [100]


def test_noise_configured_without_opendp_says_so_instead_of_showing_exact_counts(monkeypatch, shop):
    monkeypatch.setenv("INSIGHT_DP_EPSILON", "1.0")
    monkeypatch.setitem(sys.modules, "opendp", None)
    monkeypatch.setitem(sys.modules, "opendp.prelude", None)
    at = _page(monkeypatch, shop)
    assert not at.exception and not at.metric
    assert any("OpenDP is not installed" in e.value for e in at.error)


def test_campaign_results_set_an_exports_target_group_against_its_holdout(monkeypatch, shop):
    from datetime import datetime

    from insight.targeting import record_export

    at = _page(monkeypatch, shop)
    assert any("No audience file has been downloaded yet" in c.value for c in at.caption)
    con = insight.connect(shop)
    users = [row[0] for row in con.execute("select user_id from users order by user_id limit 200").fetchall()]
    record_export(con, users, name="spring push", holdout_share=0.2, at=datetime(2026, 3, 1))
    con.close()
    at = _page(monkeypatch, shop)
    assert not at.exception
    assert any("spring push" in option for option in at.selectbox(key="campaign_export").options)
    groups = at.dataframe[-1].value
    holdout = round(0.2 * len(users))
    assert groups["group"].tolist() == ["target", "holdout"]
    assert groups["users"].tolist() == [len(users) - holdout, holdout]
    verdicts = [w.value for w in at.warning] + [i.value for i in at.info] + [s.value for s in at.success]
    assert any(v.startswith(("Too small", "No clear effect", "The campaign", "No data")) for v in verdicts)
