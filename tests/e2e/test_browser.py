"""The app in a real browser: start it on the demo store, open Overview, see the KPIs."""

import os
import shutil

import pytest

from tests.e2e.conftest import CHROMIUM, FLAGS, serve

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def server(demo_db, tmp_path_factory):
    # DuckDB lets one process open a file; AppTests in this process may hold the shared demo store.
    db = tmp_path_factory.mktemp("e2e") / "insight.duckdb"
    shutil.copy(demo_db, db)
    yield from serve(db)


@pytest.fixture(scope="module")
def fresh_server(tmp_path_factory):
    """The app on a store holding only the small corpus, nothing analysed yet."""
    import insight
    from tests.conftest import CORPUS

    db = tmp_path_factory.mktemp("e2e-flow") / "insight.duckdb"
    insight.ingest(CORPUS, db=db)
    yield from serve(db)


def test_overview_shows_kpis_in_the_browser(server, tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(server, wait_until="domcontentloaded")
        page.get_by_role("heading", name="Overview").wait_for(timeout=90_000)
        metric = page.locator('[data-testid="stMetric"]', has_text="Events")
        metric.first.wait_for(timeout=90_000)
        assert _metric(page, "Events") > 0 and _metric(page, "Reviews") > 0
        assert page.get_by_text("Events over time").is_visible()
        page.locator('[data-testid="stPlotlyChart"]').first.wait_for(timeout=60_000)
        page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
        events = _metric(page, "Events")
        # The shared filter narrows the KPIs and lands in the URL, so the view can be shared.
        page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').first.click()
        page.get_by_role("option").first.click()
        page.keyboard.press("Escape")
        page.wait_for_function(
            "(before) => { const m = [...document.querySelectorAll('[data-testid=stMetric]')]"
            ".find(e => e.innerText.startsWith('Events'));"
            " const v = m && m.querySelector('[data-testid=stMetricValue]').innerText;"
            " return v && Number(v.replace(/,/g, '')) < before; }",
            arg=events,
            timeout=60_000,
        )
        assert "category=" in page.url
        assert 0 < _metric(page, "Events") < events
        page.goto(server, wait_until="domcontentloaded")
        page.get_by_role("heading", name="Overview").wait_for(timeout=60_000)
        shot = os.environ.get("INSIGHT_SCREENSHOT")
        if shot:  # `INSIGHT_SCREENSHOT=docs/screenshot.png pytest tests/e2e` refreshes the README's picture
            page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
            page.wait_for_timeout(2000)
            page.screenshot(path=shot, full_page=False)
        browser.close()


def test_jobs_fill_the_sentiment_and_keywords_pages(fresh_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        # the server's very first request is a deep link: the router (app.py) must still run, so the
        # shared filters are there (a top-level pages/*.py would be run alone by Streamlit's legacy loader)
        page.goto(f"{fresh_server}/sentiment", wait_until="domcontentloaded")
        page.get_by_text("No sentiment run yet").wait_for(timeout=90_000)
        assert page.locator('[data-testid="stSidebar"]').get_by_text("Filters").is_visible()
        page.wait_for_timeout(1500)  # the false dialog, when it came, came right after the page drew
        assert page.get_by_text("Page not found").count() == 0  # no false dialog over a deep link
        page.goto(f"{fresh_server}/jobs", wait_until="domcontentloaded")
        page.get_by_text("No job has run yet").wait_for(timeout=60_000)
        for button, kind in (
            ("Start encoding", "encode"),
            ("Start sentiment", "sentiment"),
            ("Start keywords", "keywords"),
        ):
            page.get_by_role("button", name=button).click()
            # the history table (polled every 2 s) shows the job done; a toast says so too
            page.get_by_text(f"{kind}-", exact=False).first.wait_for(timeout=60_000)
            page.wait_for_function(
                f"() => [...document.querySelectorAll('[data-testid=stToast]')].some(t => "
                f"t.innerText.includes('{kind}-') && t.innerText.includes('done'))",
                timeout=240_000,
            )
            # the page around the polled panel was rerun when the job ended: the newest job's provenance is
            # what the job recorded, not the {"status": "running"} drawn when the button was pressed
            provenance = page.locator('[data-testid="stJson"]').nth(1)
            page.wait_for_function(
                "() => { const j = document.querySelectorAll('[data-testid=stJson]');"
                " return j.length > 1 && j[1].innerText.includes('message'); }",
                timeout=10_000,
            )
            assert "running" not in provenance.inner_text()
        page.goto(f"{fresh_server}/sentiment", wait_until="domcontentloaded")
        page.get_by_role("heading", name="Review sentiment").wait_for(timeout=60_000)
        page.locator('[data-testid="stMetric"]', has_text="Reviews scored").wait_for(timeout=60_000)
        assert _metric(page, "Reviews scored") == 4
        # drill-down: a click on a bar lists the reviews behind it
        page.locator(".js-plotly-plot .barlayer path").first.wait_for(timeout=60_000)
        page.wait_for_timeout(1500)
        page.locator(".js-plotly-plot .barlayer path").first.click(force=True)
        page.get_by_text("The reviews behind your selection: sentiment =").wait_for(timeout=60_000)
        page.goto(f"{fresh_server}/keywords", wait_until="domcontentloaded")
        page.get_by_role("heading", name="Top keywords by group").wait_for(timeout=60_000)
        page.get_by_text("model c-TF-IDF", exact=False).wait_for(timeout=60_000)
        browser.close()


def _metric(page, label: str) -> int:
    metric = page.locator('[data-testid="stMetric"]', has_text=label).first
    return int(metric.locator('[data-testid="stMetricValue"]').inner_text().replace(",", ""))


@pytest.fixture
def segmented_server(segmented_db, tmp_path):
    """The app on a private copy of the segmented shop, stopped at the end of the test (so it can be read)."""
    db = tmp_path / "insight.duckdb"
    shutil.copy(segmented_db, db)
    served = serve(db)
    url = next(served)
    yield url, db, served


def test_a_lasso_on_the_segment_map_saves_exactly_those_users(segmented_server):
    import csv

    from playwright.sync_api import sync_playwright

    import insight
    from insight.store import targeting as targeting_db

    url, db, served = segmented_server
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1100}, accept_downloads=True)
        # a deep link as the very first request of a fresh server (no false "Page not found" dialog to eat the lasso)
        page.goto(f"{url}/segments", wait_until="domcontentloaded")
        page.get_by_role("heading", name="Map of users").wait_for(timeout=90_000)
        plot = page.locator(".js-plotly-plot").first
        plot.wait_for(timeout=60_000)
        page.get_by_text("Keywords:").first.wait_for(timeout=90_000)
        page.wait_for_timeout(1000)
        # a box around the middle half of the users (in data coordinates), drawn as a lasso in pixels
        corners, polygon = page.evaluate(
            """() => { const gd = document.querySelector('.js-plotly-plot'); const r = gd.getBoundingClientRect();
                 const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
                 const xs = gd._fullData.flatMap(t => Array.from(t.x)).sort((a, b) => a - b);
                 const ys = gd._fullData.flatMap(t => Array.from(t.y)).sort((a, b) => a - b);
                 const q = (v, f) => v[Math.floor(f * (v.length - 1))];
                 const data = [[q(xs, .25), q(ys, .25)], [q(xs, .75), q(ys, .25)], [q(xs, .75), q(ys, .75)],
                               [q(xs, .25), q(ys, .75)]];
                 const px = data.map(([x, y]) => [r.left + xa._offset + xa.d2p(x), r.top + ya._offset + ya.d2p(y)]);
                 return [data, px]; }"""
        )
        page.mouse.move(*polygon[0])
        page.mouse.down()
        for x, y in [*polygon[1:], polygon[0]]:
            page.mouse.move(x, y, steps=8)
        page.mouse.up()
        selected = page.get_by_text("users selected")
        selected.wait_for(timeout=60_000)
        count = int(selected.inner_text().split()[0].replace(",", ""))
        with page.expect_download() as download:
            page.get_by_role("button", name="Download selection (CSV)").click()
        with open(download.value.path(), newline="") as handle:
            shown = sorted(row["user_id"] for row in csv.DictReader(handle))
        page.get_by_label("Audience name").fill("lasso test")
        page.get_by_role("button", name="Save as audience").click()
        page.get_by_text("Saved audience").wait_for(timeout=60_000)
        browser.close()
    next(served, None)  # stop the app so this process can open the store
    con = insight.connect(db)
    saved = targeting_db.fetch_saved(con)
    members = targeting_db.fetch_audience_users(con, [saved.iloc[0]["audience_id"]])
    points = insight.user_profiles(con)[["user_id", "x", "y"]]
    con.close()
    assert count == len(shown) == len(members) > 0 and members == shown
    # every user clearly inside the drawn box is saved, and none clearly outside it; users within two
    # pixels of its edge may go either way (the lasso is drawn in whole pixels)
    (x0, y0), (x1, y1) = corners[0], corners[2]
    ex = 2 * abs((x1 - x0) / (polygon[1][0] - polygon[0][0]))
    ey = 2 * abs((y1 - y0) / (polygon[2][1] - polygon[1][1]))
    (lx, hx), (ly, hy) = sorted((x0, x1)), sorted((y0, y1))

    def within(margin_x: float, margin_y: float) -> set[str]:
        box = points["x"].between(lx + margin_x, hx - margin_x) & points["y"].between(ly + margin_y, hy - margin_y)
        return set(points.loc[box, "user_id"])

    clearly_inside, maybe_inside = within(ex, ey), within(-ex, -ey)
    assert len(clearly_inside) > 0
    assert clearly_inside <= set(members) <= maybe_inside


def test_downloading_an_audience_records_the_export_for_its_campaign_results(segmented_server):
    import csv

    from playwright.sync_api import sync_playwright

    import insight
    from insight.store.exports import fetch_exports

    url, db, served = segmented_server
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1100}, accept_downloads=True)
        page.goto(f"{url}/campaigns", wait_until="domcontentloaded")
        page.get_by_role("heading", name="Campaign results").wait_for(timeout=90_000)
        page.get_by_label("Audience name").fill("everyone, spring")
        page.keyboard.press("Enter")
        page.wait_for_timeout(1500)
        with page.expect_download() as download:
            page.get_by_role("button", name="Download CSV").click()
        with open(download.value.path(), newline="") as handle:
            rows = list(csv.DictReader(handle))
        page.wait_for_timeout(3000)  # the download's callback records the export in the app's process
        browser.close()
    next(served, None)  # stop the app so this process can open the store
    con = insight.connect(db)
    exports = fetch_exports(con)
    groups = dict(con.execute("select user_id, grp from export_members").fetchall())
    con.close()
    assert exports["name"].tolist() == ["everyone, spring"] and exports["users"].tolist() == [len(rows)]
    assert groups == {row["user_id"]: row["group"] for row in rows}  # the groups the file says
