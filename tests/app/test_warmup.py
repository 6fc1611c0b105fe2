"""The server fills the Overview's reads at start-up, so its first visitor gets the page from memory."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")
READS = ("fetch_kpis", "fetch_event_activity", "fetch_review_activity", "fetch_top_categories", "fetch_filter_options")


def _refuse_store_reads(monkeypatch) -> None:
    from insight.store import overview

    def refused(*args, **kwargs):
        raise AssertionError("the Overview read the store on its first visit")

    for name in READS:
        monkeypatch.setattr(overview, name, refused)


def test_after_the_warm_up_the_first_overview_reads_nothing_from_the_store(monkeypatch, demo_db):
    monkeypatch.setenv("INSIGHT_DB_PATH", str(demo_db))
    from insight.ui.warmup import warm_up

    warm_up()
    _refuse_store_reads(monkeypatch)
    at = AppTest.from_file(APP, default_timeout=90).run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert int(metrics["Events"].replace(",", "")) > 10_000
    assert [s.value for s in at.subheader][:3] == ["Events over time", "Reviews over time", "Top categories"]


def test_without_it_the_first_visit_does_read_the_store(monkeypatch, demo_db):
    monkeypatch.setenv("INSIGHT_DB_PATH", str(demo_db))
    _refuse_store_reads(monkeypatch)
    at = AppTest.from_file(APP, default_timeout=90).run()
    assert at.exception  # the check above can fail: the page's reads go through these functions


def test_a_failing_warm_up_is_logged_and_does_not_stop_the_server(monkeypatch, demo_db, caplog):
    monkeypatch.setenv("INSIGHT_DB_PATH", str(demo_db))
    _refuse_store_reads(monkeypatch)
    from insight.ui.warmup import warm_up

    warm_up()
    assert "warming the Overview's reads failed" in caplog.text
