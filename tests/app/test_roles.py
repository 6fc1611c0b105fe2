"""Signed in as each role, a visitor opens what the role allows and is told which role the rest needs."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from insight.ui.navigation import all_pages
from insight.ui.text import md

APP = str(Path(__file__).resolve().parents[2] / "app.py")
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "test-cookie-secret",
    "client_id": "insight",
    "client_secret": "secret",
    "server_metadata_url": "http://localhost:9400/.well-known/openid-configuration",
}
PEOPLE = {
    "viewer": "vi@shop.example",
    "marketer": "ma@shop.example",
    "analyst": "an@shop.example",
    "admin": "ad@shop.example",
}


@pytest.fixture
def roles_file(tmp_path, monkeypatch):
    path = tmp_path / "insight.toml"
    path.write_text("[roles]\n" + "".join(f'{role} = ["{email}"]\n' for role, email in PEOPLE.items()))
    monkeypatch.setenv("INSIGHT_SETTINGS_FILE", str(path))
    return path


def _signed_in(monkeypatch, db: Path, email: str | None, **claims) -> AppTest:
    monkeypatch.setenv("INSIGHT_DB_PATH", str(db))
    at = AppTest.from_file(APP, default_timeout=90)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": email is not None, **({"email": email} if email else {}), **claims}
    return at


def _refusal(at: AppTest) -> str:
    return " ".join(w.value for w in at.warning if "role" in w.value)


def test_signed_out_visitors_see_only_the_sign_in_button(monkeypatch, roles_file, demo_db):
    at = _signed_in(monkeypatch, demo_db, None).run()
    assert not at.exception
    assert [b.label for b in at.button] == ["Sign in"]
    assert not at.metric and not at.dataframe  # no number about the shop before sign-in


def test_an_account_without_a_role_is_told_so_and_can_sign_out(monkeypatch, roles_file, demo_db):
    at = _signed_in(monkeypatch, demo_db, "eve@elsewhere.example").run()
    assert any("no role" in e.value for e in at.error)
    assert [b.label for b in at.button] == ["Sign out"] and not at.metric


def test_an_unverified_address_gets_no_role(monkeypatch, roles_file, demo_db):
    at = _signed_in(monkeypatch, demo_db, PEOPLE["admin"], email_verified=False).run()
    assert any("no role" in e.value for e in at.error)


@pytest.mark.parametrize("role", list(PEOPLE))
def test_each_role_opens_its_pages_and_is_refused_the_others(role, monkeypatch, roles_file, demo_db):
    from insight.access import allows

    at = _signed_in(monkeypatch, demo_db, PEOPLE[role]).run()
    assert any(f"Signed in as {md(PEOPLE[role])} · role: {role}" in c.value for c in at.sidebar.caption)
    for spec in all_pages():
        at.switch_page(spec.path).run()
        assert not at.exception, spec.title
        refusal = _refusal(at)
        if allows(role, spec.role):
            assert not refusal, f"{role} was refused {spec.title}"
        else:
            assert f"needs the **{spec.role}** role" in refusal and f"your role is {role}" in refusal, spec.title
            assert not at.dataframe and not at.metric, f"{role} saw numbers on {spec.title}"


@pytest.fixture
def analysed_copy(analysed_db, tmp_path):
    import shutil

    path = tmp_path / "analysed.duckdb"
    shutil.copy(analysed_db, path)
    return path


def _looks(db: Path):
    from insight.store.access_log import fetch_access
    from insight.ui import resources

    resources.stop()  # the AppTest's process-wide store connection, so the file can be read here
    import insight

    con = insight.connect(db)
    try:
        return fetch_access(con)
    finally:
        con.close()


def test_reading_reviews_needs_an_analyst_and_each_look_is_logged(monkeypatch, roles_file, analysed_copy):
    viewer = _signed_in(monkeypatch, analysed_copy, PEOPLE["viewer"]).run()
    viewer.switch_page("pages/explore/sentiment.py").run()
    assert not viewer.exception
    assert any("Reading the reviews needs the **analyst** role" in c.value for c in viewer.caption)
    assert not any("text" in d.value.columns for d in viewer.dataframe)  # charts' tables only, no review

    analyst = _signed_in(monkeypatch, analysed_copy, PEOPLE["analyst"]).run()
    analyst.switch_page("pages/explore/sentiment.py").run()
    assert not analyst.exception
    assert any("text" in d.value.columns and "review_id" in d.value.columns for d in analyst.dataframe)
    analyst.run()  # a rerun of the same view is one look, not two
    looks = _looks(analysed_copy)
    assert looks[["actor", "role", "action", "subject"]].values.tolist() == [
        [PEOPLE["analyst"], "analyst", "review list", "sentiment: all reviews"]
    ]
    assert looks["page"].tolist() == ["Sentiment"]
