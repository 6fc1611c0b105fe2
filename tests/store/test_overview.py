"""The Overview reads: the item filter by semi-join counts what a join counted; 'about' users stay close."""

import insight
from insight.filters import Filters
from insight.store.overview import fetch_event_activity, fetch_kpis, fetch_top_categories


def test_filters_count_the_events_of_the_chosen_items_and_users_about_is_close(demo_db):
    con = insight.connect(demo_db)
    category = con.execute("select category from items where category is not null limit 1").fetchall()[0][0]
    chosen = Filters(categories=(category,))
    expected = con.execute(
        "select count(*) from events e join items i using (item_id) where i.category = $c", {"c": category}
    ).fetchall()[0][0]
    activity = fetch_event_activity(con, chosen, grain="month")
    assert fetch_kpis(con, chosen)["events"] == activity["events"].sum() == expected > 0
    assert fetch_kpis(con)["events"] == con.execute("select count(*) from events").fetchall()[0][0]
    top = fetch_top_categories(con).set_index("category")
    exact = con.execute(
        "select count(distinct user_id) from events e join items i using (item_id) where i.category = $c",
        {"c": category},
    ).fetchall()[0][0]
    con.close()
    assert abs(top.loc[category, "users_about"] - exact) <= max(2, 0.05 * exact)  # HyperLogLog: about
