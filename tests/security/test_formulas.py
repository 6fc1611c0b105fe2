"""Spreadsheet formulas in CSV downloads: whatever a cell holds, a spreadsheet opening the file runs nothing."""

import csv
import io
import unicodedata

import pandas as pd
import pytest

from insight.exports import csv_bytes, guard_formulas
from tests.security.hostile import FORMULAS

RUNS = [  # cells a spreadsheet would run, or that start a new row in a naive CSV reader
    *FORMULAS,
    "=1+1",
    "=cmd|' /C calc'!A0",
    "+1",
    "-2",
    "@A1",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
    "\r\n=1+1",
    " =1+1",
    "   @A1",
    "\u00a0=1+1",  # no-break space
    "\u200b=1+1",  # zero-width space
    "\ufeff=1+1",  # byte-order mark
    "\x0b=1+1",
    "\x00=1+1",
    "＝1+1",  # full-width forms
    "＋1",
    "\t",
    "\r",
]
SPLITS = ["x\r=1+1", "x\n=1+1", "x\r\n@A1", 'a,"=1+1', '"=1+1', "a\r\r-1"]  # would start a row mid-cell
PLAIN = ["plain text", "a=b", "1+1", "漏水 很差", "u_3f2a", "it's", "", "x - y", "e-mail@shop"]


def _spreadsheet_cells(data: bytes) -> list[list[str]]:
    # A spreadsheet honours quotes, and reads a bare CR, LF or CRLF as the end of a row.
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def _would_run(cell: str) -> bool:
    if cell.startswith("'") or _number(cell):  # -0.95 in a score column is a number, not a formula
        return False
    rest = cell.lstrip("".join(c for c in cell if c.isspace() or unicodedata.category(c) in ("Cc", "Cf")))
    return cell[:1] in ("\t", "\r", "\n") or rest[:1] in tuple("=+-@＝＋－＠")


def _number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return cell.strip() == cell


@pytest.mark.parametrize("dtype", [object, "string", "category"])
def test_no_cell_of_a_downloaded_csv_runs_as_a_formula(dtype):
    values = RUNS + SPLITS + PLAIN
    frame = pd.DataFrame({"text": pd.Series(values, dtype=dtype), "n": range(len(values))})
    rows = _spreadsheet_cells(csv_bytes(frame))
    assert rows[0] == ["text", "n"]
    assert len(rows) == len(values) + 1  # no cell spilled into a row of its own
    assert [c for row in rows for c in row if _would_run(c)] == []
    # what people read is what was stored, behind one apostrophe where it could have run
    assert [r[0][1:] if r[0] != v else r[0] for r, v in zip(rows[1:], values, strict=True)] == values


def test_ordinary_values_are_left_as_they_are():
    frame = pd.DataFrame({"text": PLAIN, "price": [-2.5] * len(PLAIN), "when": pd.Timestamp("2024-03-04")})
    assert guard_formulas(frame).equals(frame)
    rows = _spreadsheet_cells(csv_bytes(frame))
    assert [r[0] for r in rows[1:]] == PLAIN and {r[1] for r in rows[1:]} == {"-2.5"}  # numbers stay numbers


def test_column_names_and_mixed_columns_are_guarded():
    frame = pd.DataFrame({"=SUM(A1)": ["ok"], "mixed": ["-1+1"], "other": [None]})
    frame["mixed"] = frame["mixed"].astype(object)
    frame.loc[0, "other"] = "@A1"
    rows = _spreadsheet_cells(csv_bytes(frame))
    assert rows == [["'=SUM(A1)", "mixed", "other"], ["ok", "'-1+1", "'@A1"]]


def test_the_carriage_return_bypass_is_closed():
    # The old guard added the apostrophe, but wrote the bare CR unquoted: a spreadsheet ended the row
    # there and read "=1+1" as the first cell of the next one.
    rows = _spreadsheet_cells(csv_bytes(pd.DataFrame({"segment": ["\r=1+1", "ok"], "user_id": ["u_1", "u_2"]})))
    assert rows == [["segment", "user_id"], ["'\r=1+1", "u_1"], ["ok", "u_2"]]


def test_the_audience_export_is_guarded_the_same_way(monkeypatch, tmp_path, tmp_path_factory):
    from insight.store import connect
    from insight.targeting import audience_file
    from insight.targeting import export as audience_export
    from tests.security.hostile import hostile_copy

    con = connect(hostile_copy(tmp_path_factory, tmp_path))
    users = con.execute("select user_id from users order by user_id").df()["user_id"].tolist()
    labels = pd.DataFrame({"user_id": users, "segment": [FORMULAS[i % len(FORMULAS)] for i in range(len(users))]})
    monkeypatch.setattr(audience_export.store, "fetch_segment_labels", lambda con, ids, run_id: labels)
    rows = _spreadsheet_cells(audience_file(con, users, fmt="csv"))
    con.close()
    assert len(rows) == len(users) + 1 and rows[0] == ["user_id", "group", "segment"]
    assert {r[2] for r in rows[1:]} == {"'" + f for f in FORMULAS}
