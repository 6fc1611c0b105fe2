"""Hostile shop text in a real browser: every page is visited, nothing is fetched or run, the text reads as typed.

The store is the hostile shop of tests/security/hostile.py: Markdown images and links, HTML tags and
script, LaTeX, icon and colour directives in every text field (titles, categories, descriptions,
reviews, queries, countries and cities, the batch's name, an audience's name). The test fails on any
JavaScript dialog, on any request to a host other than the app's, and on any link or image pointing
to the payloads' host; and the payloads must be readable on the pages, character for character.
"""

import shutil
from urllib.parse import urlparse

import pytest

from tests.e2e.conftest import CHROMIUM, FLAGS, serve
from tests.security.hostile import RENDER, SOURCE, hostile_store

pytestmark = pytest.mark.e2e

PAGES = [  # url path, the heading that says the page is there
    ("", "Overview"),
    ("sentiment", "Review sentiment"),
    ("keywords", "Keywords"),
    ("topics", "Topics"),
    ("aspects", "Review aspects"),
    ("segments", "Segments"),
    ("profile?user={user}", "User profile"),
    ("evolution", "Interest evolution"),
    ("campaigns", "Campaigns"),
    ("simulator", "Campaign simulator"),
    ("recommendations?user={user}", "Recommendations"),
    ("ingest", "Ingest"),
    ("jobs", "Jobs"),
]
# Elements that would fetch or run the payloads: images, links and frames to their host, script URLs.
PLANTED = """() => [...document.querySelectorAll('*')].flatMap(e => [...e.attributes]
    .filter(a => /^(src|srcset|href|xlink:href|action|formaction|data|poster|background|style)$/i.test(a.name))
    .filter(a => /evil\\.invalid|javascript:/i.test(a.value))
    .map(a => e.tagName + ' ' + a.name + '=' + a.value))"""
# What a visitor can read: the page's text, and the text of charts (SVG).
TEXT = """() => document.body.innerText + '\\n' +
    [...document.querySelectorAll('svg text')].map(t => t.textContent).join('\\n')"""


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    """The app on a copy of the hostile shop, and one of its users."""
    from insight.store import connect

    folder = tmp_path_factory.mktemp("e2e-hostile")
    db = folder / "insight.duckdb"
    shutil.copy(hostile_store(tmp_path_factory), db)
    con = connect(db)
    user = con.execute("select user_id from segment_members limit 1").fetchall()[0][0]
    con.close()
    for url in serve(db):
        yield url, user


def _settle(page) -> None:
    """Wait until the script run is over and the charts are drawn."""
    page.wait_for_function("() => !document.querySelector('[data-testid=stStatusWidget]')", timeout=120_000)
    page.wait_for_timeout(800)
    for chart in page.locator(".js-plotly-plot").all():
        chart.scroll_into_view_if_needed(timeout=30_000)
    page.wait_for_timeout(500)


def test_hostile_text_is_shown_as_text_on_every_page(hostile_server):
    from playwright.sync_api import sync_playwright

    url, user = hostile_server
    app_host = urlparse(url).netloc
    dialogs, foreign, planted, seen = [], [], {}, ""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.on(
            "request",
            lambda r: (
                foreign.append(r.url)
                if urlparse(r.url).scheme not in ("data", "blob", "about") and urlparse(r.url).netloc != app_host
                else None
            ),
        )
        for path, heading in PAGES:
            page.goto(f"{url}/{path.format(user=user)}", wait_until="domcontentloaded")
            page.get_by_role("heading", name=heading, exact=True).first.wait_for(timeout=120_000)
            _settle(page)
            if path == "":  # the shared category filter lists every category: open it
                page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').first.click()
                page.get_by_role("option").first.wait_for(timeout=30_000)
                seen += page.evaluate(TEXT)
                page.keyboard.press("Escape")
            planted[heading] = page.evaluate(PLANTED)
            seen += page.evaluate(TEXT)
        browser.close()
    assert dialogs == []
    assert sorted(set(foreign)) == []  # not even the app's own icon comes from elsewhere
    assert {h: found for h, found in planted.items() if found} == {}
    seen = seen.replace("\u2060", "")  # the invisible word joiners that keep Streamlit from rewriting text
    assert [p for p in RENDER if p not in seen] == []  # each payload is readable as typed somewhere
    assert SOURCE in seen  # the batch's name, on Overview and Ingest
