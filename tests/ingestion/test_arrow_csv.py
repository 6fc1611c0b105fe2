"""Large CSV files parsed by Arrow give the rows, nulls, row numbers and errors pandas' reader gives."""

from __future__ import annotations

import pandas as pd
import pytest

from insight.ingestion import chunks
from insight.ingestion.errors import IngestError

HEADER = "user_id,item_id,event_type,timestamp,quantity,value\n"
GOOD_ROWS = [f"user-{n},sku-{n % 7},view,2025-01-{n % 28 + 1:02d} 10:00:00,,\n" for n in range(40)]

FILES = {
    "plain": HEADER + "".join(GOOD_ROWS),
    "byte order mark, blank lines, quoted line breaks and empty quotes": "\ufeff"
    + HEADER
    + "".join(GOOD_ROWS[:10])
    + '\n\nuser-x,"sku\nwith a break",purchase,2025-02-01 00:00:00,"",3.5\n'
    + "".join(GOOD_ROWS[10:]),
    "a short row late in the file": HEADER
    + "".join(GOOD_ROWS[:31])
    + "user-short,sku-1,view\n"
    + "".join(GOOD_ROWS[31:]),
    "a repeated column name": HEADER.replace("value", "quantity") + "".join(GOOD_ROWS),
    "semicolons": (HEADER + "".join(GOOD_ROWS)).replace(",", ";"),
}


def _read(path, rows: int) -> list[tuple[int, pd.DataFrame]]:
    return [(piece.first_row, piece.frame) for piece in chunks.iter_file_chunks(path, encoding="utf-8", rows=rows)]


def _pandas_only(monkeypatch) -> None:
    def hand_everything_to_pandas(*args, **kwargs):
        return 0
        yield  # a generator, as the real one

    monkeypatch.setattr(chunks, "arrow_slices", hand_everything_to_pandas)


@pytest.mark.parametrize("kind", FILES)
@pytest.mark.parametrize("rows", [3, 16, 1000])
@pytest.mark.parametrize("block", [256, 8 * 2**20], ids=["small blocks", "one block"])
def test_slices_are_pandas_own(kind, rows, block, tmp_path, monkeypatch):
    from insight.ingestion import arrow_csv

    monkeypatch.setattr(arrow_csv, "_BLOCK_BYTES", block)  # small blocks: Arrow hands slices on before a bad row
    path = tmp_path / "events.csv"
    path.write_text(FILES[kind], encoding="utf-8")
    arrow = _read(path, rows)
    _pandas_only(monkeypatch)
    expected = _read(path, rows)
    got = pd.concat([frame for _, frame in arrow])
    want = pd.concat([frame for _, frame in expected])
    pd.testing.assert_frame_equal(got, want)
    assert [first for first, _ in arrow][0] == 2
    numbered = [first + offset for first, frame in arrow for offset in range(len(frame))]
    assert numbered == list(range(2, 2 + len(want)))  # every row keeps its number, slice after slice
    assert all(str(frame[c].dtype) == "str" for _, frame in arrow for c in frame.columns)


def test_a_row_with_too_many_fields_is_refused_as_pandas_refuses_it(tmp_path):
    path = tmp_path / "events.csv"
    path.write_text(HEADER + "".join(GOOD_ROWS[:20]) + "user-long,sku-1,view,2025-01-01,1,2,3,4\n", encoding="utf-8")
    with pytest.raises(IngestError) as raised:
        _read(path, 5)
    assert "events.csv" in str(raised.value) and "Expected 6 fields" in str(raised.value)


def test_bytes_that_are_not_utf8_are_refused_naming_the_file(tmp_path):
    path = tmp_path / "events.csv"
    path.write_bytes((HEADER + "".join(GOOD_ROWS)).encode() + b"user-z,caf\xe9,view,2025-01-01,,\n")
    with pytest.raises(IngestError) as raised:
        _read(path, 8)
    assert "events.csv" in str(raised.value) and "not valid utf-8" in str(raised.value)
