"""Fixtures of the dashboard tests: a small synthetic database on SQLite and PostgreSQL."""
from __future__ import annotations

import pytest

SMALL = {"articles": 300, "claims": 2_000, "days": 120}


@pytest.fixture
def filled_url(db_url) -> str:
    """A migrated database (both backends) holding a small synthetic data set."""
    from dashboard.synthetic import generate

    generate(db_url, **SMALL)
    return db_url


@pytest.fixture
def filled_sqlite(sqlite_url) -> str:
    from dashboard.synthetic import generate

    generate(sqlite_url, **SMALL)
    return sqlite_url
