"""Bad values get a reason, never a silent change: each is quarantined with file, row and field, or read right."""

import json

import pandas as pd
import pytest

import insight
from insight.cli import main
from insight.store import connect


def _quarantine(con) -> list[tuple]:
    return con.execute("select file, row_number, field, reason from quarantine order by row_number").fetchall()


def test_non_finite_prices_values_and_ratings_are_quarantined(con, tmp_path):
    (tmp_path / "items.csv").write_text("item_id,title,price\na,A,inf\nb,B,1e400\nc,C,nan\nd,D,-inf\ne,E,19.90\n")
    (tmp_path / "events.csv").write_text(
        "user_id,item_id,event_type,timestamp,quantity,value\n"
        "u1,e,purchase,2024-05-05 10:00,1,Infinity\n"
        "u1,e,purchase,2024-05-05 11:00,1e400,19.90\n"
        "u1,e,purchase,2024-05-05 12:00,1,19.90\n"
    )
    (tmp_path / "reviews.csv").write_text("review_id,item_id,text,rating\nr1,e,fine,inf\nr2,e,good,5\n")
    report = insight.ingest(tmp_path, db=con)
    assert report.quarantined == {
        "item price is not a finite number": 3,
        "item price is not a number": 1,
        "event value is not a finite number": 1,
        "event quantity is not a finite number": 1,
        "review rating is not a finite number": 1,
    }
    assert ("items.csv", 2, "price", "item price is not a finite number") in _quarantine(con)
    assert con.execute("select item_id, price from items").fetchall() == [("e", 19.9)]
    # the revenue a merchant sees is a number, not inf
    assert con.execute("select sum(value) from events where event_type = 'purchase'").fetchall() == [(19.9,)]
    assert con.execute("select review_id from reviews").fetchall() == [("r2",)]


def test_a_rating_that_is_not_whole_stars_is_quarantined_not_rounded(con, tmp_path):
    (tmp_path / "reviews.csv").write_text("review_id,text,rating\nr1,ok,3.5\nr2,fine,4\nr3,meh,4.0\n")
    report = insight.ingest(tmp_path / "reviews.csv", db=con)
    assert report.quarantined == {"review rating is not a whole number of stars (1–5)": 1}
    assert _quarantine(con) == [("reviews.csv", 2, "rating", "review rating is not a whole number of stars (1–5)")]
    assert dict(con.execute("select review_id, rating from reviews").fetchall()) == {"r2": 4, "r3": 4}


def test_timestamps_in_the_future_or_before_1990_are_quarantined(con, tmp_path):
    (tmp_path / "events.csv").write_text(
        "user_id,item_id,event_type,timestamp\n"
        "u1,a,view,2099-01-01 10:00\n"
        "u1,a,view,0001-01-01\n"
        "u1,a,view,1989-12-31 23:59\n"
        "u1,a,view,2024-05-05 10:00\n"
    )
    report = insight.ingest(tmp_path / "events.csv", db=con)
    assert report.quarantined == {
        "event timestamp is more than a day in the future": 1,
        "event timestamp is before 1990": 2,
    }
    assert _quarantine(con)[0] == ("events.csv", 2, "timestamp", "event timestamp is more than a day in the future")
    assert report.date_range == ("2024-05-05 10:00:00", "2024-05-05 10:00:00")


AMBIGUOUS = (
    "event timestamp has an ambiguous day and month (such as 03/04/2024); "
    "set the date format (--date-format), e.g. %d/%m/%Y"
)


def test_an_ambiguous_day_and_month_is_quarantined_not_guessed(con, tmp_path):
    (tmp_path / "events.csv").write_text(
        "user_id,item_id,event_type,timestamp\nu1,a,view,03/04/2024\nu1,a,view,05/05/2024\nu1,a,view,2024-05-06\n"
    )
    report = insight.ingest(tmp_path / "events.csv", db=con)
    assert report.quarantined == {AMBIGUOUS: 1}
    assert _quarantine(con) == [("events.csv", 2, "timestamp", AMBIGUOUS)]
    assert "--date-format" in report.to_text()
    assert [str(r[0].date()) for r in con.execute("select ts from events order by ts").fetchall()] == [
        "2024-05-05",
        "2024-05-06",
    ]


@pytest.mark.parametrize(
    ("other", "expected"),
    [("13/04/2024", "2024-04-03"), ("04/13/2024", "2024-03-04")],  # a day over 12 settles the file's order
)
def test_a_file_settles_its_own_day_and_month_order(other, expected, con, tmp_path):
    (tmp_path / "events.csv").write_text(
        f"user_id,item_id,event_type,timestamp\nu1,a,view,03/04/2024\nu1,b,view,{other}\n"
    )
    report = insight.ingest(tmp_path / "events.csv", db=con)
    assert report.quarantined == {}
    assert (
        con.execute("select cast(ts as date) from events where item_id = 'a'").fetchall()[0][0].isoformat() == expected
    )


@pytest.mark.parametrize(("date_format", "expected"), [("%d/%m/%Y", "2024-04-03"), ("%m/%d/%Y", "2024-03-04")])
def test_a_date_format_settles_the_order_from_the_api_and_the_command_line(date_format, expected, tmp_path):
    path = tmp_path / "events.csv"
    path.write_text("user_id,item_id,event_type,timestamp\nu1,a,view,03/04/2024\nu1,b,view,03/04/2024 10:30\n")
    report = insight.ingest(path, db=tmp_path / "api.duckdb", date_format=date_format)
    assert report.quarantined == {} and report.loaded["events"] == 2
    assert main(["ingest", str(path), "--db", str(tmp_path / "cli.duckdb"), "--date-format", date_format]) == 0
    for db in ("api.duckdb", "cli.duckdb"):
        con = connect(tmp_path / db)
        days = {r[0].isoformat() for r in con.execute("select cast(ts as date) from events").fetchall()}
        con.close()
        assert days == {expected}, db


def test_a_date_format_without_a_date_is_refused(con, tmp_path):
    (tmp_path / "events.csv").write_text("user_id,item_id,event_type,timestamp\nu1,a,view,03/04/2024\n")
    with pytest.raises(insight.IngestError, match="no day, month or year directive"):
        insight.ingest(tmp_path / "events.csv", db=con, date_format="dd/mm/yyyy")


def test_whole_float_ids_are_read_as_integers_and_join_csv_ids(con, tmp_path):
    pd.DataFrame({"item_id": [1.0, 2.5, 3.0], "title": ["one", "half", "three"]}).to_parquet(tmp_path / "items.parquet")
    (tmp_path / "events.csv").write_text(
        "user_id,item_id,event_type,timestamp\n7.0,1,view,2024-05-05\n7,3,view,2024-05-06\n8,4.0,view,2024-05-07\n"
    )
    report = insight.ingest(tmp_path, db=con)
    assert report.quarantined == {"item item id is a number with a fraction": 1}
    assert _quarantine(con) == [("items.parquet", 2, "item_id", "item item id is a number with a fraction")]
    joined = con.execute("select e.item_id, i.title from events e join items i using (item_id) order by 1").fetchall()
    assert joined == [("1", "one"), ("3", "three")]
    assert con.execute("select count(distinct user_id) from events").fetchall() == [(2,)]  # 7.0 and 7 are one user
    assert {r[0] for r in con.execute("select item_id from events").fetchall()} == {"1", "3", "4"}


def test_a_malformed_json_attribute_quarantines_its_row_with_the_real_cause(con, tmp_path):
    (tmp_path / "users.csv").write_text(
        'user_id,country,attributes\nu1,GB,"{""tier"": ""gold""}"\nu2,FR,"{tier: gold"\nu3,DE,"[1, 2]"\n'
    )
    report = insight.ingest(tmp_path / "users.csv", db=con)
    assert report.status == "loaded" and report.loaded["users"] == 1
    assert _quarantine(con) == [
        (
            "users.csv",
            3,
            "attributes",
            "user attributes are not valid JSON (Expecting property name enclosed in double quotes)",
        ),
        ("users.csv", 4, "attributes", "user attributes are not a JSON object"),
    ]
    assert "transaction" not in report.to_text()
    assert json.loads(con.execute("select attributes from users").fetchall()[0][0]) == {"tier": "gold"}


def test_a_csv_field_longer_than_131072_characters_is_read(con, tmp_path):
    long_text = "great shoes" + " great shoes" * 12_000  # 144,011 characters
    (tmp_path / "reviews.csv").write_text(f'review_id,text,rating\nr1,"{long_text}",5\nr2,short,4\n')
    report = insight.ingest(tmp_path / "reviews.csv", db=con)
    assert report.loaded["reviews"] == 2
    assert con.execute("select length(text) from reviews where review_id = 'r1'").fetchall() == [(len(long_text),)]
