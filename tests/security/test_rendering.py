"""Shop text reaches every page as text: no Markdown, HTML, LaTeX, icon or colour payload is passed on raw.

Each page of the app runs on the hostile shop (tests/security/hostile.py). Everything Streamlit renders
as Markdown (markdown, captions, alerts, toasts, metrics, tab, expander and widget labels) must hold no
payload verbatim outside a code span, and no Plotly figure may carry HTML outside ``customdata``
(which a click hands back raw to the page, and which no label shows). The browser test
(tests/e2e/test_hostile_text.py) checks what a visitor's browser then does.
"""

import json
import re

import pytest

from insight.ui.text import md, plot
from tests.security.hostile import RENDER

MARKDOWN_ELEMENTS = ("markdown", "caption", "info", "success", "warning", "error", "toast", "title", "header")
LABELLED_WIDGETS = (
    "selectbox",
    "multiselect",
    "text_input",
    "slider",
    "select_slider",
    "radio",
    "button",
    "checkbox",
    "toggle",
    "number_input",
    "date_input",
    "expander",
    "tabs",
)
HTML = [p for p in RENDER if "<" in p] + ["$\\frac"]
CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`).+?(?<!`)\1(?!`)", re.S)


def _markdown_sources(at) -> list[str]:
    texts = [e.value for kind in MARKDOWN_ELEMENTS for e in getattr(at, kind)]
    texts += [m.label for m in at.metric] + [m.value for m in at.metric]
    texts += [w.label for kind in LABELLED_WIDGETS for w in getattr(at, kind)]
    return texts


def _figures(at) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def _strings(node, skip=("customdata",)):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            if key not in skip:
                yield from _strings(value, skip)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value, skip)


def _raw_payloads(at) -> dict[str, list[str]]:
    """Payloads passed on verbatim: to Markdown (outside code spans) and to Plotly (outside customdata)."""
    markdown = [t for t in _markdown_sources(at) if any(p in CODE_SPAN.sub("", t) for p in RENDER)]
    markdown += [t for t in _markdown_sources(at) if "http://evil" in CODE_SPAN.sub("", t)]
    plotly = [s for fig in _figures(at) for s in _strings(fig) if any(p in s for p in HTML)]
    return {"markdown": markdown, "plotly": plotly}


def _shown(at) -> str:
    return "\n".join(_markdown_sources(at) + [s for fig in _figures(at) for s in _strings(fig)])


def _users(db) -> list[str]:
    from insight.store import connect

    con = connect(db)
    try:
        return con.execute("select user_id from users order by user_id").df()["user_id"].tolist()
    finally:
        con.close()


PAGES = [
    "pages/explore/overview.py",
    "pages/explore/sentiment.py",
    "pages/explore/keywords.py",
    "pages/explore/topics.py",
    "pages/explore/aspects.py",
    "pages/users/segments.py",
    "pages/users/evolution.py",
    "pages/campaigns/campaigns.py",
    "pages/campaigns/simulator.py",
    "pages/data/ingest.py",
    "pages/data/jobs.py",
]


@pytest.mark.parametrize("page", PAGES)
def test_no_page_passes_shop_text_to_a_renderer_raw(page, app):
    at = app().run()
    at.switch_page(page).run()
    assert not at.exception
    assert _raw_payloads(at) == {"markdown": [], "plotly": []}


def test_shop_text_is_shown_as_the_characters_typed(app):
    at = app().run()
    at.switch_page("pages/users/segments.py").run()
    shown = _shown(at)
    # the category payloads are on the segment cards, escaped so that they read as typed
    assert sum(md(p) in shown for p in RENDER) >= 3
    at.switch_page("pages/explore/overview.py").run()
    shown = _shown(at)
    assert any(plot(p) in shown for p in HTML[:3])  # the top-categories chart, as literal text
    assert "evil.invalid/batch.png" in shown  # the batch's name, on its expander


def test_a_user_id_or_search_from_a_shared_link_stays_text(app):
    # backticks in the id would close the code span it is shown in, and open one after the payload
    for payload in [*RENDER, "x` ![x](http://evil.invalid/tick.png) `y", "``<img src=http://evil.invalid/t>``"]:
        for page in ("pages/users/profile.py", "pages/campaigns/recommendations.py"):
            at = app(user=payload).run()
            at.switch_page(page).run()
            assert not at.exception
            assert _raw_payloads(at) == {"markdown": [], "plotly": []}, (page, payload)


def test_one_users_pages_and_an_audience_card_stay_text(app, hostile_db):
    user = _users(hostile_db)[0]
    for page in ("pages/users/profile.py", "pages/campaigns/recommendations.py"):
        at = app(user=user).run()
        at.switch_page(page).run()
        assert not at.exception
        assert _raw_payloads(at) == {"markdown": [], "plotly": []}
        assert at.metric or at.dataframe
    at = app().run()
    at.switch_page("pages/campaigns/campaigns.py").run()
    builder = at.multiselect(key="aud_segments")
    builder.set_value([0, 1, 2]).run()  # segments whose names hold category payloads
    assert not at.exception
    assert any("segment" in c.value for c in at.caption)  # the audience described in words
    assert _raw_payloads(at) == {"markdown": [], "plotly": []}
