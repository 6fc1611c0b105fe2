"""House rules that keep the layout honest."""

import re
from pathlib import Path

from insight.config import SETTINGS

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "insight"


def _python_files(folder: Path):
    return [p for p in folder.rglob("*.py") if "__pycache__" not in p.parts]


def test_streamlit_is_imported_only_by_app_pages_and_ui():
    offenders = [
        str(p.relative_to(ROOT))
        for p in _python_files(SRC)
        if re.search(r"^\s*(import streamlit|from streamlit)", p.read_text(), re.M) and "ui" not in p.parts
    ]
    assert offenders == []


def test_sql_lives_only_in_the_store():
    sql = re.compile(r"""["'](\s*)(select|insert into|update \w+ set|delete from|create table)\b""", re.I)
    offenders = [
        str(p.relative_to(ROOT)) for p in _python_files(SRC) if "store" not in p.parts and sql.search(p.read_text())
    ]
    offenders += [
        str(p.relative_to(ROOT)) for p in [ROOT / "app.py", *_python_files(ROOT / "pages")] if sql.search(p.read_text())
    ]
    assert offenders == []


def test_readme_documents_every_setting():
    readme = (ROOT / "README.md").read_text()
    assert [s.env for s in SETTINGS if s.env not in readme] == []


def test_page_scripts_are_not_top_level_in_pages():
    # Streamlit's legacy loader runs a top-level pages/*.py alone on a server's first request,
    # skipping the router and its filters; pages live one folder down, grouped like the navigation.
    assert list((ROOT / "pages").glob("*.py")) == []


def test_pages_stay_thin():
    assert [p.name for p in _python_files(ROOT / "pages") if len(p.read_text().splitlines()) > 150] == []


def test_public_names_do_not_collide_with_subpackages():
    # `import insight.x` rebinds `insight.x` to the module, so a public function of that name would vanish.
    import insight

    modules = {p.stem for p in SRC.glob("*.py")} | {p.name for p in SRC.iterdir() if (p / "__init__.py").exists()}
    assert sorted(set(insight.__all__) & modules) == []


def test_recommend_stays_a_function_after_its_package_is_imported():
    import insight
    import insight.recommendations  # noqa: F401

    assert callable(insight.recommend) and insight.recommend.__module__ == "insight"


def test_every_download_goes_through_one_function():
    # One download button in the app (widgets.download_file), and CSV text is written only by insight.exports,
    # which neutralises spreadsheet formulas; the demo generator writes its own input files.
    code = [ROOT / "app.py", *_python_files(ROOT / "pages"), *_python_files(SRC)]
    buttons = [
        f"{p.relative_to(ROOT)}:{n}"
        for p in code
        for n, line in enumerate(p.read_text().splitlines(), 1)
        if re.search(r"\bdownload_button\(", line)
    ]
    assert len(buttons) == 1 and buttons[0].startswith("src/insight/ui/widgets.py:"), buttons
    writers = [str(p.relative_to(ROOT)) for p in code if ".to_csv(" in p.read_text()]
    assert sorted(writers) == ["src/insight/demo/generate.py", "src/insight/exports.py"]
