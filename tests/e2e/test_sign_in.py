"""Sign-in against a real OpenID Connect provider started here, as each role, in a real browser."""

import shutil

import pytest

from tests.e2e.conftest import CHROMIUM, FLAGS, free_port, serve

pytestmark = pytest.mark.e2e
PEOPLE = {
    "viewer": "vi@shop.example",
    "marketer": "ma@shop.example",
    "analyst": "an@shop.example",
    "admin": "ad@shop.example",
}


@pytest.fixture(scope="module")
def provider():
    """A mock OIDC provider on 127.0.0.1 that knows one person per role."""
    from oidc_provider_mock import User, run_server_in_thread

    people = [User(sub=e, claims={"email": e, "email_verified": True, "name": r.title()}) for r, e in PEOPLE.items()]
    with run_server_in_thread(user_claims=people) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="module")
def signed_app(provider, demo_db, tmp_path_factory):
    """The demo shop served with sign-in through the provider, and roles from a settings file."""
    folder = tmp_path_factory.mktemp("sign-in")
    db = folder / "insight.duckdb"
    shutil.copy(demo_db, db)
    port = free_port()
    secrets = folder / "secrets.toml"
    secrets.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        'cookie_secret = "a-long-random-cookie-secret-for-tests"\n'
        'client_id = "insight"\nclient_secret = "insight-secret"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n'
    )
    settings = folder / "insight.toml"
    settings.write_text("[roles]\n" + "".join(f'{role} = ["{email}"]\n' for role, email in PEOPLE.items()))
    served = serve(
        db,
        port=port,
        env={"INSIGHT_SETTINGS_FILE": str(settings)},
        args=("--secrets", str(secrets), "--address", "127.0.0.1"),
    )
    yield next(served), db
    next(served, None)


def _sign_in(browser, url: str, email: str):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(url, wait_until="domcontentloaded")
    page.get_by_role("button", name="Sign in").click(timeout=90_000)
    page.get_by_role("button", name=email).click(timeout=60_000)  # the provider's form: a known person
    account = page.locator('[data-testid="stSidebar"]').get_by_text("Signed in as")
    account.wait_for(timeout=90_000)
    # the address is shown as text: an invisible word joiner keeps it from becoming a mailto link
    assert f"Signed in as {email}" in account.inner_text().replace("\u2060", "")
    return context, page


def _open(page, url: str, path: str, heading: str | None = None):
    page.goto(f"{url}/{path}", wait_until="domcontentloaded")
    page.locator('[data-testid="stSidebar"]').get_by_text("Signed in as").wait_for(timeout=90_000)
    if heading:
        page.get_by_role("heading", name=heading).wait_for(timeout=60_000)


def test_each_role_signs_in_and_sees_what_it_may(signed_app):
    from playwright.sync_api import sync_playwright

    url, _ = signed_app
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        # before sign-in: nothing about the shop, only the way in
        anonymous = browser.new_page()
        anonymous.goto(f"{url}/segments", wait_until="domcontentloaded")
        anonymous.get_by_role("button", name="Sign in").wait_for(timeout=90_000)
        assert anonymous.locator('[data-testid="stMetric"]').count() == 0

        # a viewer reads aggregates and is refused people, audiences and data
        context, page = _sign_in(browser, url, PEOPLE["viewer"])
        page.get_by_role("heading", name="Overview").wait_for(timeout=60_000)
        page.locator('[data-testid="stMetric"]', has_text="Events").first.wait_for(timeout=60_000)
        for path, role in (("profile", "analyst"), ("campaigns", "marketer"), ("ingest", "admin")):
            _open(page, url, path)
            page.get_by_text(f"needs the {role} role").wait_for(timeout=60_000)
        context.close()

        # a marketer builds audiences but may not open a person's profile
        context, page = _sign_in(browser, url, PEOPLE["marketer"])
        _open(page, url, "campaigns", "Campaigns")
        assert page.get_by_text("needs the").count() == 0
        _open(page, url, "profile")
        page.get_by_text("needs the analyst role").wait_for(timeout=60_000)
        context.close()

        # an analyst may open a person's profile
        context, page = _sign_in(browser, url, PEOPLE["analyst"])
        _open(page, url, "profile", "User profile")
        assert page.get_by_text("needs the").count() == 0
        _open(page, url, "jobs")
        page.get_by_text("needs the admin role").wait_for(timeout=60_000)
        context.close()

        # an admin runs the shop's data, and signing out ends the session
        context, page = _sign_in(browser, url, PEOPLE["admin"])
        _open(page, url, "ingest", "Ingest")
        _open(page, url, "access_log", "Access log")
        page.get_by_role("button", name="Sign out").click()
        page.get_by_role("button", name="End session").click(timeout=60_000)  # the provider ends its session too
        page.get_by_role("button", name="Sign in").wait_for(timeout=60_000)
        page.goto(f"{url}/access_log", wait_until="domcontentloaded")
        page.get_by_role("button", name="Sign in").wait_for(timeout=60_000)
        assert page.get_by_role("heading", name="Access log").count() == 0
        context.close()
        browser.close()
