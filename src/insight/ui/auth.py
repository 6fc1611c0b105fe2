"""Sign-in and roles in the app: who the visitor is, and the checks every page and action makes.

Sign-in is Streamlit's own OpenID Connect (``st.login``/``st.user``), configured in the ``[auth]`` table
of ``.streamlit/secrets.toml``, so any OIDC provider works. The role comes from the settings file's
``[roles]`` (:mod:`insight.access`). Without ``[auth]`` there is no identity: the app serves only
visitors on the machine itself (``insight serve`` binds 127.0.0.1), each with the ``anonymous`` role,
unless the operator chose ``insight serve --no-auth``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import streamlit as st

from insight import access
from insight.ui import text

_VISITOR = "_insight_visitor"
_SEEN = "_insight_logged_looks"
NO_AUTH_ENV = "INSIGHT_NO_AUTH"  # set by `insight serve --no-auth`


@dataclass(frozen=True)
class Visitor:
    """The person using this session: their address (None without sign-in) and role (None: no access)."""

    email: str | None
    name: str | None
    role: str | None
    signed_in: bool

    @property
    def actor(self) -> str:
        """How the access log names them."""
        return self.email or ("anonymous (--no-auth)" if os.environ.get(NO_AUTH_ENV) else "local")


def sign_in_configured() -> bool:
    """Whether ``[auth]`` is configured in Streamlit's secrets."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def providers() -> list[str | None]:
    """The configured providers: None for a single ``[auth]`` provider, else each ``[auth.NAME]``."""
    table = st.secrets.get("auth", {})
    named = [name for name, value in table.items() if hasattr(value, "get") and value.get("client_id")]
    return [None] if table.get("client_id") or not named else named


def gate() -> Visitor:
    """Who is visiting, or a sign-in screen / refusal that stops the run. The router calls it first."""
    try:
        rules = access.role_rules()
    except ValueError as exc:  # a broken settings file must not fall back to "everyone is admin"
        st.error(f"insight cannot start: {exc}")
        st.stop()
    if sign_in_configured():
        visitor = _signed_in_visitor(rules)
    else:
        if _remote_visitor() and not os.environ.get(NO_AUTH_ENV):
            st.error(
                "This insight has no sign-in configured, so it only serves the machine it runs on. "
                "Ask its operator to configure sign-in (README, *Sign-in and roles*)."
            )
            st.stop()
        visitor = Visitor(email=None, name=None, role=rules.anonymous, signed_in=False)
        if visitor.role is None:
            st.error('Visitors without sign-in have no role here (`anonymous = "none"` in the settings file).')
            st.stop()
    st.session_state[_VISITOR] = visitor
    return visitor


def _remote_visitor() -> bool:
    """Whether the visitor connects from another machine (Streamlit reports loopback as None)."""
    return isinstance(st.context.ip_address, str)


def _signed_in_visitor(rules: access.RoleRules) -> Visitor:
    if not st.user.is_logged_in:
        _sign_in_screen()
        st.stop()
    email = st.user.get("email")
    visitor = Visitor(
        email=email,
        name=st.user.get("name"),
        role=rules.role_for(email, verified=st.user.get("email_verified")),
        signed_in=True,
    )
    if visitor.role is None:
        st.header("No access yet")
        st.error(
            f"You are signed in as {text.md(email) if email else 'an account without an e-mail address'}, "
            "which has no role in this insight. Ask an admin to add your address or domain to the `[roles]` of "
            "its settings file."
        )
        st.button("Sign out", on_click=st.logout)
        st.stop()
    return visitor


def _sign_in_screen() -> None:
    st.header("Sign in to insight")
    st.write("insight shows this shop's customers and reviews, so it needs to know who you are.")
    for provider in providers():
        label = "Sign in" if provider is None else f"Sign in with {provider.replace('_', ' ').title()}"
        if st.button(label, type="primary", key=f"sign_in_{provider}"):
            st.login(provider) if provider else st.login()


def visitor() -> Visitor:
    """The visitor of this session, as the router found it (no role when a page runs without the router)."""
    return st.session_state.get(_VISITOR) or Visitor(email=None, name=None, role=None, signed_in=False)


def can(needed: str) -> bool:
    """Whether the visitor's role includes ``needed``: for hiding or disabling an action."""
    return access.allows(visitor().role, needed)


def require(needed: str, what: str) -> None:
    """Stop the page with a plain refusal unless the visitor has ``needed`` (``what``: "The Ingest page")."""
    if not can(needed):
        st.warning(access.refusal(needed, visitor().role, what), icon=":material/lock:")
        st.stop()


def refuse_note(needed: str, what: str) -> bool:
    """Say (without stopping) that ``what`` needs ``needed``; True when the visitor may do it."""
    if can(needed):
        return True
    st.caption(access.refusal(needed, visitor().role, what))
    return False


def account_box() -> None:
    """Who is signed in with which role, and a way out, in the sidebar."""
    person = visitor()
    with st.sidebar:
        if person.signed_in:
            st.caption(f"Signed in as {text.md(person.email)} · role: {person.role}")
            st.button("Sign out", on_click=st.logout, key="sign_out")
        elif os.environ.get(NO_AUTH_ENV):
            st.caption(f"No sign-in (--no-auth): everyone who reaches this app is {person.role}.")
        else:
            st.caption(f"Local mode: no sign-in, served to this machine only · role: {person.role}")


def log_look(action: str, subject: str, *, page: str | None = None) -> None:
    """Write an individual-level look to the access log, once per session for the same action and subject."""
    from insight.store.access_log import insert_access
    from insight.ui.resources import cursor

    person = visitor()
    key = (action, subject)
    seen = st.session_state.setdefault(_SEEN, set())
    if key in seen:
        return
    insert_access(
        cursor(),
        actor=person.actor,
        role=person.role or access.NO_ROLE,
        action=action,
        subject=subject,
        page=page or st.session_state.get("_insight_page"),
    )
    seen.add(key)


def recent_looks(*, actor: str | None = None, subject: str | None = None, limit: int = 1000):
    """The access log for the admins' page, newest first (never cached: a look must show at once)."""
    from insight.store.access_log import fetch_access
    from insight.ui.resources import cursor

    return fetch_access(cursor(), actor=actor, subject=subject, limit=limit)


def individual_view(action: str, subject: str, what: str) -> bool:
    """Gate a view of individual people or their reviews: True (and logged) for analysts and admins.

    Others see one line saying what ``what`` needs, and the page carries on with its aggregates.
    """
    if not refuse_note("analyst", what):
        return False
    log_look(action, subject)
    return True
