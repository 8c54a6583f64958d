"""Fixtures shared by every test area.

Database tests take `db_url`, which runs them twice: on a fresh SQLite file and on a
private database in the real PostgreSQL at 127.0.0.1:5432. Services that are absent skip
the test with the reason, except under CI=true, where PostgreSQL and Redis are mandatory.
"""
from __future__ import annotations

import uuid
import pytest

from helpers import PG_ADMIN_URL, REDIS_URL, SHARED, require_service


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path, monkeypatch):
    """Every test gets its own data dir and SQLite database unless it asks for another."""
    monkeypatch.setenv("OPENWATCH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("OPENWATCH_DATABASE_URL", f"sqlite:///{tmp_path / 'data' / 'openwatch.db'}")
    monkeypatch.delenv("OPENWATCH_REDIS_URL", raising=False)


@pytest.fixture(scope="session")
def shared_dir():
    if not SHARED.is_dir():
        pytest.skip("../shared is absent (the development material is not part of the repository)")
    return SHARED


@pytest.fixture(scope="session")
def _pg_database():
    """A private PostgreSQL database for this test session, migrated once, dropped at the end."""
    require_service("PostgreSQL", "127.0.0.1", 5432)
    import psycopg

    from storage.db import get_engine, upgrade

    name = f"ow_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    url = f"{base}/{name}"
    upgrade(url)
    yield url
    get_engine(url).dispose()
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _truncate_all(url: str) -> None:
    from sqlalchemy import text
    from sqlmodel import SQLModel

    import storage.models  # noqa: F401
    from storage.db import get_engine

    names = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with get_engine(url).begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        conn.execute(text("DROP TABLE IF EXISTS apscheduler_jobs"))


@pytest.fixture
def sqlite_url(tmp_path, monkeypatch) -> str:
    """A fresh, migrated SQLite database, also set as OPENWATCH_DATABASE_URL."""
    from storage.db import upgrade

    url = f"sqlite:///{tmp_path / 'data' / 'openwatch.db'}"
    upgrade(url)
    monkeypatch.setenv("OPENWATCH_DATABASE_URL", url)
    return url


@pytest.fixture
def pg_url(request, monkeypatch) -> str:
    """The session's PostgreSQL database, emptied, also set as OPENWATCH_DATABASE_URL."""
    url = request.getfixturevalue("_pg_database")
    _truncate_all(url)
    monkeypatch.setenv("OPENWATCH_DATABASE_URL", url)
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request) -> str:
    """Runs the test on both backends: a migrated, empty database URL (also in the environment)."""
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")


@pytest.fixture(scope="session")
def demo_site():
    """The bundled demo news site (openwatch.demo.server.DemoServer) on 127.0.0.1 at a free port."""
    from openwatch.demo.server import DemoServer

    with DemoServer() as server:
        yield server


@pytest.fixture
def redis_url() -> str:
    """The local Redis, flushed of OpenWatch test keys."""
    require_service("Redis", "127.0.0.1", 6379)
    return REDIS_URL
