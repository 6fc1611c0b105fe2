import gzip
import io
import zipfile

import pandas as pd
import pytest

from insight.ingestion.errors import IngestError
from insight.ingestion.readers import read_source


def test_reads_csv_jsonl_parquet_zip_and_gz_alike(tmp_path, corpus):
    csv_bytes = (corpus / "items.csv").read_bytes()
    frame = pd.read_csv(corpus / "items.csv")
    (tmp_path / "items.jsonl").write_text(frame.to_json(orient="records", lines=True, force_ascii=False))
    frame.to_parquet(tmp_path / "items.parquet")
    (tmp_path / "items.csv.gz").write_bytes(gzip.compress(csv_bytes))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("export/items.csv", csv_bytes)
    (tmp_path / "items.zip").write_bytes(buffer.getvalue())
    for name in ("items.jsonl", "items.parquet", "items.csv.gz", "items.zip"):
        source = read_source(tmp_path / name)
        assert len(source.files) == 1
        assert list(source.files[0].frame["item_id"].astype(str)) == ["sku-1", "sku-2", "sku-3", "sku-4"], name


def test_wrong_encoding_names_file_and_row(tmp_path):
    path = tmp_path / "reviews.csv"
    path.write_bytes("review_id,text\nr1,fine\nr2,质量很好\n".encode("gb18030"))
    with pytest.raises(IngestError) as caught:
        read_source(path)
    message = str(caught.value)
    assert "reviews.csv" in message and "row 3" in message and "not valid utf-8" in message
    assert "--encoding" in message
    assert read_source(path, encoding="gb18030").files[0].frame["text"].tolist() == ["fine", "质量很好"]


def test_a_binary_file_read_as_latin_1_is_refused_in_one_line(tmp_path):
    # following the advice to try latin-1 on a binary file used to end in a raw _csv.Error traceback
    path = tmp_path / "export.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    with pytest.raises(IngestError) as caught:
        read_source(path, encoding="latin-1")
    message = str(caught.value)
    assert message.startswith("export.csv") and "not a text file" in message and "\n" not in message
    (tmp_path / "quoted.csv").write_text('a,b\n"never closed,1\n')
    with pytest.raises(IngestError, match="quoted.csv.*not a readable CSV file"):
        read_source(tmp_path / "quoted.csv")


def test_empty_file_and_missing_path_are_clear(tmp_path):
    (tmp_path / "events.csv").write_text("")
    with pytest.raises(IngestError, match=r"events.csv: the file is empty"):
        read_source(tmp_path / "events.csv")
    with pytest.raises(IngestError, match="no such file"):
        read_source(tmp_path / "nope.csv")


def test_byte_order_mark_is_not_part_of_the_first_column(tmp_path):
    (tmp_path / "items.csv").write_bytes("\ufeffitem_id,title\na,b\n".encode())
    assert list(read_source(tmp_path / "items.csv").files[0].frame.columns) == ["item_id", "title"]


def test_same_bytes_same_hash(tmp_path, corpus):
    assert read_source(corpus).content_hash == read_source(corpus).content_hash
