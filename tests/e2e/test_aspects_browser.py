"""The Aspects page in a real browser: an alert opens on its chart and reviews, a heatmap cell lists its quotes."""

import shutil

import pytest

from tests.e2e.conftest import CHROMIUM, FLAGS, serve

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def aspects_server(aspected_db, tmp_path_factory):
    db = tmp_path_factory.mktemp("e2e-aspects") / "insight.duckdb"
    shutil.copy(aspected_db, db)
    yield from serve(db)


def test_a_merchant_reads_an_alert_and_the_reviews_behind_a_cell(aspects_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        page.goto(f"{aspects_server}/aspects", wait_until="domcontentloaded")
        page.get_by_role("heading", name="Review aspects").wait_for(timeout=120_000)
        page.get_by_role("heading", name="Alert inbox").wait_for(timeout=60_000)
        page.get_by_role("heading", name="What to fix").wait_for(timeout=60_000)
        page.wait_for_function("() => !document.querySelector('[data-testid=stStatusWidget]')", timeout=120_000)
        # quotes show the whole review with the clause about the aspect in bold
        assert page.locator('[data-testid="stMarkdownContainer"] strong').count() > 0
        # a click on a cell of the aspect x period grid narrows the reviews to that aspect and period
        grid = page.locator(".js-plotly-plot", has=page.locator(".scatterlayer")).last  # the alert chart comes first
        grid.scroll_into_view_if_needed(timeout=30_000)
        page.wait_for_timeout(1500)
        grid.locator(".scatterlayer .point").first.click(force=True)
        page.get_by_text("The reviews behind the cell:").wait_for(timeout=60_000)
        browser.close()
