"""The app's pages, grouped as the sidebar shows them, each with the least role that may open it.

One table, so the router, the refusal a page shows and the tests that sign in as each role agree.
Pages open to a role still check finer actions themselves (a review list with ids needs *analyst*,
saving an audience *marketer*).
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from insight.ui import auth


@dataclass(frozen=True)
class PageSpec:
    """One screen: its script, title, icon and the least role that may open it."""

    path: str
    title: str
    icon: str
    role: str
    default: bool = False


PAGES: dict[str, tuple[PageSpec, ...]] = {
    "Explore": (
        PageSpec("pages/explore/overview.py", "Overview", ":material/dashboard:", "viewer", default=True),
        PageSpec("pages/explore/sentiment.py", "Sentiment", ":material/sentiment_satisfied:", "viewer"),
        PageSpec("pages/explore/keywords.py", "Keywords", ":material/tag:", "viewer"),
        PageSpec("pages/explore/topics.py", "Topics", ":material/topic:", "viewer"),
        PageSpec("pages/explore/aspects.py", "Aspects", ":material/reviews:", "viewer"),
    ),
    "Users": (
        PageSpec("pages/users/segments.py", "Segments", ":material/bubble_chart:", "viewer"),
        PageSpec("pages/users/profile.py", "User profile", ":material/person_search:", "analyst"),
        PageSpec("pages/users/evolution.py", "Interest evolution", ":material/timeline:", "viewer"),
    ),
    "Campaigns": (
        PageSpec("pages/campaigns/campaigns.py", "Campaigns", ":material/campaign:", "marketer"),
        PageSpec("pages/campaigns/simulator.py", "Campaign simulator", ":material/casino:", "marketer"),
        PageSpec("pages/campaigns/recommendations.py", "Recommendations", ":material/recommend:", "marketer"),
        PageSpec("pages/campaigns/live.py", "Live", ":material/monitoring:", "marketer"),
    ),
    "Data": (
        PageSpec("pages/data/ingest.py", "Ingest", ":material/upload:", "admin"),
        PageSpec("pages/data/jobs.py", "Jobs", ":material/play_circle:", "admin"),
        PageSpec("pages/data/access_log.py", "Access log", ":material/policy:", "admin"),
    ),
}


def router_only() -> None:
    """Tell Streamlit at start-up that the router (``st.navigation``) owns every page, not a legacy pages folder.

    Streamlit decides once per process whether an app uses the legacy one-script-per-file ``pages/``
    folder, from the folder's mere existence, and only learns otherwise when ``st.navigation`` first
    runs. Until then a fresh server runs the very first request through the legacy loader, which
    knows no ``sentiment`` page, so a deep link as the first visit showed a false "Page not found"
    dialog over the right page. Our pages live one folder down and are all the router's.
    """
    from streamlit.runtime.pages_manager import PagesManager

    PagesManager.uses_pages_directory = False


def all_pages() -> list[PageSpec]:
    """Every page, in sidebar order."""
    return [spec for group in PAGES.values() for spec in group]


def navigate():
    """Build the sidebar navigation and run the chosen page, or refuse it with the role it needs.

    Every page stays in the menu (a locked icon marks those the visitor's role cannot open), so a
    shared link to one says what role it needs instead of "page not found".
    """
    pages, specs = {}, {}
    for group, group_specs in PAGES.items():
        pages[group] = []
        for spec in group_specs:
            page = st.Page(
                spec.path,
                title=spec.title,
                icon=spec.icon if auth.can(spec.role) else ":material/lock:",
                default=spec.default,
            )
            pages[group].append(page)
            specs[page.title] = spec
    page = st.navigation(pages)
    spec = specs[page.title]
    st.session_state["_insight_page"] = spec.title
    auth.require(spec.role, f"The {spec.title} page")
    return page
