"""Sentiment by a dimension with thousands of values: the largest keep their bars, the rest add up to one."""

import insight
from insight.store.runs import current_run
from insight.store.sentiment import fetch_sentiment_summary


def test_categories_past_the_top_are_summed_as_one_and_every_review_is_still_counted(analysed_db):
    con = insight.connect(analysed_db)  # the app may hold it open read-write in this process
    run = current_run(con, "sentiment")["run_id"]
    every = fetch_sentiment_summary(con, run, by="category")
    top = fetch_sentiment_summary(con, run, by="category", top=1)
    all_but_one = fetch_sentiment_summary(con, run, by="category", top=2)
    month = fetch_sentiment_summary(con, run, by="month")
    con.close()
    assert every["category"].nunique() == 3 and not every["is_other"].any()
    largest = every.groupby("category")["reviews"].sum().idxmax()
    assert set(top.loc[~top["is_other"], "category"]) == {largest}
    assert set(top.loc[top["is_other"], "category"]) == {"other 2 categories"}
    assert top["reviews"].sum() == every["reviews"].sum()  # nothing dropped, only grouped
    assert not all_but_one["is_other"].any()  # one category past the top keeps its name, not "other 1 categories"
    assert str(month["month"].dtype).startswith("datetime64")  # periods stay dates without top
