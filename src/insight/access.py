"""Who may do what: the four roles, the rules that give a signed-in account its role, and the abilities.

Roles are cumulative, like a team tool's: a *viewer* sees aggregates; a *marketer* also builds, saves
and exports audiences; an *analyst* also looks at individual people (a user's profile, review lists
with ids), which is logged; an *admin* also loads data, runs jobs and reads the access log.

The rules live in the ``[roles]`` table of the settings file (``insight.toml`` beside the store, or
``INSIGHT_SETTINGS_FILE``)::

    [roles]
    admin    = ["ops@shop.example"]
    analyst  = ["ana@shop.example"]
    marketer = ["@marketing.shop.example"]   # everyone at a domain
    viewer   = ["@shop.example"]
    default  = "none"      # any other signed-in account: a role, or "none" to refuse (the default)
    anonymous = "admin"    # without sign-in (local, or `insight serve --no-auth`): everyone's role

An account gets the highest role any entry gives it: its exact address first, then its domain. This
module knows nothing of Streamlit, so the same rules serve the app, the CLI and a future API.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from insight import config

ROLES: tuple[str, ...] = ("viewer", "marketer", "analyst", "admin")
NO_ROLE = "none"

#: What each role adds to the one before it, in the words a refusal uses.
ADDS: dict[str, str] = {
    "viewer": "aggregates: counts, shares, charts, segments and keywords",
    "marketer": "audiences: build, save, overlap and export them",
    "analyst": "individual people: a user's profile and history, review lists with ids (each look is logged)",
    "admin": "data and operations: ingest files, run and cancel jobs, read the access log",
}


@dataclass(frozen=True)
class RoleRules:
    """The role for each e-mail address and domain, plus the fallbacks."""

    emails: dict[str, str] = field(default_factory=dict)  # "ana@shop.example" -> "analyst"
    domains: dict[str, str] = field(default_factory=dict)  # "shop.example" -> "viewer"
    default: str | None = None  # any other signed-in account
    anonymous: str | None = "admin"  # no sign-in configured: whoever reaches the app (None: nobody)

    def role_for(self, email: str | None, *, verified: bool | None = True) -> str | None:
        """The role of a signed-in account, or None when it has none.

        ``verified=False`` (the provider says the address is unverified) gives only the default role:
        an unverified address could be anyone's.
        """
        address = (email or "").strip().lower()
        if not address or "@" not in address or verified is False:
            return self.default
        found = [self.emails.get(address), self.domains.get(address.rsplit("@", 1)[1])]
        found = [role for role in found if role]
        return max(found, key=ROLES.index) if found else self.default


def allows(role: str | None, needed: str) -> bool:
    """Whether ``role`` includes what ``needed`` may do."""
    if needed not in ROLES:
        raise ValueError(f"unknown role {needed!r}; roles are {', '.join(ROLES)}")
    return role in ROLES and ROLES.index(role) >= ROLES.index(needed)


def refusal(needed: str, role: str | None, what: str) -> str:
    """A plain sentence saying which role ``what`` needs and which one the visitor has."""
    have = f"your role is {role}" if role in ROLES else "you have no role here"
    return (
        f"{what} needs the **{needed}** role ({ADDS[needed]}); {have}. "
        "An admin can change roles in the settings file (see the README, *Sign-in and roles*)."
    )


def role_rules(db: str | Path | None = None) -> RoleRules:
    """The ``[roles]`` table of the settings file as rules; raises ValueError naming the file on a mistake."""
    table = config.file_settings(db).get("roles", {})
    where = config.settings_file(db)
    if not isinstance(table, dict):
        raise ValueError(f"{where}: [roles] must be a table")
    emails: dict[str, str] = {}
    domains: dict[str, str] = {}
    for role in ROLES:
        entries = table.get(role, [])
        if isinstance(entries, str):
            entries = [entries]
        if not isinstance(entries, list) or not all(isinstance(e, str) for e in entries):
            raise ValueError(f'{where}: roles.{role} must be a list of addresses or "@domain" entries')
        for entry in entries:
            entry = entry.strip().lower()
            target = domains if entry.startswith("@") else emails
            key = entry.lstrip("@")
            if not key or (target is emails and "@" not in key):
                raise ValueError(f'{where}: roles.{role} has {entry!r}, neither an address nor "@domain"')
            if target.get(key) is None or ROLES.index(role) > ROLES.index(target[key]):
                target[key] = role
    unknown = set(table) - {*ROLES, "default", "anonymous"}
    if unknown:
        raise ValueError(f"{where}: unknown key(s) in [roles]: {', '.join(sorted(unknown))}")
    return RoleRules(
        emails=emails,
        domains=domains,
        default=_fallback(table.get("default", NO_ROLE), "default", where),
        anonymous=_fallback(table.get("anonymous", "admin"), "anonymous", where),
    )


def _fallback(value: object, key: str, where: Path) -> str | None:
    if value == NO_ROLE:
        return None
    if value not in ROLES:
        raise ValueError(f'{where}: roles.{key} must be one of {", ".join(ROLES)} or "none", got {value!r}')
    return str(value)
