import pytest

from insight.cli import main


def test_ingest_prints_report_and_exits_zero(tmp_path, corpus, capsys):
    db = tmp_path / "cli.duckdb"
    assert main(["ingest", str(corpus), "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "loaded" in out and "quarantined: 4" in out and "events.csv, row 9, field 'timestamp'" in out
    assert main(["ingest", str(corpus), "--db", str(db)]) == 0
    assert "already loaded" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("", "the file is empty"),
        ("user_id,item_id,event_type\nu,i,view\n", "required column 'timestamp' is missing"),
        ("user_id,item_id,event_type,timestamp\nu,i,view,soon\n", "no row could be loaded"),
    ],
)
def test_unloadable_input_exits_nonzero_with_one_line(tmp_path, capsys, content, expected):
    path = tmp_path / "events.csv"
    path.write_text(content)
    assert main(["ingest", str(path), "--db", str(tmp_path / "cli.duckdb")]) == 1
    err = capsys.readouterr().err.strip()
    assert expected in err and err.startswith("error:") and "events.csv" in err


def test_batches_lists_reports(tmp_path, corpus, capsys):
    db = tmp_path / "cli.duckdb"
    main(["ingest", str(corpus), "--db", str(db)])
    capsys.readouterr()
    assert main(["batches", "--db", str(db)]) == 0
    assert "canonical" in capsys.readouterr().out
