"""Reads behind the campaign simulator: who could have been contacted when, and whether they bought next.

A *contact* is a user active in a month, in the segment their profile was nearest to that month
(``segment_history``): the people a campaign aimed at that segment could have reached then. Its
outcome is whether that user purchased in the following month. The last month with events has no
following month in the data, so it yields no contacts.
"""

from __future__ import annotations

import duckdb
import pandas as pd


def fetch_campaign_contacts(con: duckdb.DuckDBPyConnection, run_id: str) -> pd.DataFrame:
    """Every (user, month) of a segments run's history with a known next month.

    Columns: user_id, period (first day of the month), segment_id (outliers, -1, left out) and
    converted (bool: the user has a purchase event in the month after ``period``). Sorted by
    period, segment_id, user_id so the same store always gives the same frame.
    """
    return con.execute(
        """with history as (
               select user_id, date_trunc('month', period)::date as period, segment_id
                 from segment_history where run_id = $run and segment_id >= 0),
                buyers as (
               select distinct user_id, date_trunc('month', ts)::date as period
                 from events where event_type = 'purchase'),
                last_month as (select date_trunc('month', max(ts))::date as period from events)
           select h.user_id, h.period, h.segment_id, b.user_id is not null as converted
             from history h
             left join buyers b on b.user_id = h.user_id and b.period = (h.period + interval 1 month)::date
            where (h.period + interval 1 month)::date <= (select period from last_month)
            order by h.period, h.segment_id, h.user_id""",
        {"run": run_id},
    ).df()


def fetch_segment_labels(con: duckdb.DuckDBPyConnection, run_id: str) -> pd.DataFrame:
    """Segments of a run: segment_id, label, size (members), by segment id."""
    return con.execute(
        "select segment_id, label, size from segments where run_id = $run order by segment_id",
        {"run": run_id},
    ).df()
