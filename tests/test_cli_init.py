"""`openwatch init` through the real entry point."""
from helpers import run_openwatch as _openwatch


def test_init_creates_the_default_sqlite_database(tmp_path, monkeypatch):
    monkeypatch.delenv("OPENWATCH_DATABASE_URL")
    result = _openwatch("init")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "data" / "openwatch.db").exists()
    assert "schema revision" in result.stdout


def test_unreachable_database_is_one_clear_line(monkeypatch):
    monkeypatch.setenv("OPENWATCH_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    result = _openwatch("init")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("error: cannot initialize the database")
