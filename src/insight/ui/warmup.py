"""Work the server does once at start-up, so that its first visitor does not wait for it.

Every visitor opens the Overview first. Its first visit after a start paid for importing the
charting library and for reading the store's summaries with nothing cached: about 3 s on a
10 M-event shop, where a later visit takes well under one. At start-up the server now imports what
the Overview draws with and fills its cached reads for the view a first visit shows (no filter,
weekly periods); it starts answering once that is done. A failure here is logged, never fatal: the
page then reads for itself and shows any error the usual way.
"""

from __future__ import annotations

import logging
import time

log = logging.getLogger(__name__)


def warm_up() -> None:
    """Fill the Overview's caches for the unfiltered view (and import its charting code)."""
    started = time.perf_counter()
    try:
        from insight.filters import Filters
        from insight.ui import overview
        from insight.ui.resources import data_version

        version, everything = data_version(), Filters()
        overview.filter_options(version)
        kpis = overview.kpis(everything, version)
        if kpis["events"] or kpis["reviews"]:
            overview.event_counts(everything, overview.DEFAULT_GRAIN, version)
            overview.review_counts(everything, overview.DEFAULT_GRAIN, version)
            overview.category_counts(everything, version)
    except Exception:  # the page will read for itself and say what is wrong
        log.exception("warming the Overview's reads failed")
        return
    log.info("Overview's reads warmed in %.1f s", time.perf_counter() - started)
