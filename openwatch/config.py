"""Settings read from the environment, with embedded defaults.

OPENWATCH_DATA_DIR      where the SQLite database, crawl state and raw pages live (default ./data)
OPENWATCH_DATABASE_URL  any SQLAlchemy URL (default sqlite:///$OPENWATCH_DATA_DIR/openwatch.db);
                        PostgreSQL: postgresql+psycopg://user@host:5432/dbname
OPENWATCH_REDIS_URL     set to crawl through a shared scrapy-redis frontier (redis://127.0.0.1:6379/0)
OPENWATCH_USER_AGENT    the User-Agent the crawler sends
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_USER_AGENT = "OpenWatchBot/0.1 (+https://github.com/openwatch/openwatch; news research crawler)"


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    redis_url: str | None
    user_agent: str


def get_settings() -> Settings:
    """Read settings now (not at import time), so tests and subprocesses can change the environment."""
    data_dir = Path(os.environ.get("OPENWATCH_DATA_DIR") or "data").resolve()
    url = os.environ.get("OPENWATCH_DATABASE_URL") or f"sqlite:///{data_dir / 'openwatch.db'}"
    return Settings(
        data_dir=data_dir,
        database_url=url,
        redis_url=os.environ.get("OPENWATCH_REDIS_URL") or None,
        user_agent=os.environ.get("OPENWATCH_USER_AGENT") or DEFAULT_USER_AGENT,
    )
