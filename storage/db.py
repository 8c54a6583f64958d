"""Engine, sessions and schema migrations for any SQLAlchemy URL (SQLite by default, PostgreSQL)."""
from __future__ import annotations

import random
import time
from contextlib import contextmanager
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Callable, Iterator, TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, create_engine

from openwatch.config import get_settings


class DatabaseError(RuntimeError):
    """The database cannot be opened or migrated; the message says what to do."""


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")    # readers never block the writer
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")  # wait for a concurrent writer instead of failing
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def get_engine(url: str | None = None) -> Engine:
    """One engine per URL per process (default: OPENWATCH_DATABASE_URL as it is now).

    SQLite files get WAL mode, foreign keys and a busy timeout.
    """
    return _engine_for(url or get_settings().database_url)


@lru_cache(maxsize=8)
def _engine_for(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    return engine


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """A session for one unit of work: committed on success, rolled back on error."""
    with Session(get_engine(url), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


T = TypeVar("T")
RETRIED_SQLSTATES = {"40P01", "40001"}  # PostgreSQL: deadlock detected, serialization failure


def is_retryable(exc: BaseException) -> bool:
    """Whether a failed transaction may simply run again: PostgreSQL chose it to break a deadlock or a
    serialization conflict with a concurrent writer (its changes were rolled back, nothing else is wrong)."""
    return isinstance(exc, OperationalError) and getattr(exc.orig, "sqlstate", None) in RETRIED_SQLSTATES


def in_transaction(work: Callable[[Session], T], url: str | None = None, attempts: int = 4) -> T:
    """`work(session)` in one committed transaction (session_scope), run again after a short random pause
    when a concurrent writer made it fail (is_retryable): writers that take locks over several
    statements, such as a crawl storing articles while an extractor stores claims that update those
    articles' daily counts, cannot always take them in one order."""
    attempt = 1
    while True:
        try:
            with session_scope(url) as session:
                return work(session)
        except OperationalError as exc:
            if attempt >= attempts or not is_retryable(exc):
                raise
        time.sleep(random.uniform(0.05, 0.2) * attempt)
        attempt += 1


def dialect_insert(session: Session):
    """The dialect's INSERT construct, which has on_conflict_do_nothing/update (SQLite and PostgreSQL)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("storage") / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str | None = None) -> str:
    """Create or upgrade the schema to the newest Alembic revision; returns that revision."""
    url = url or get_settings().database_url
    engine = get_engine(url)
    try:
        with engine.begin() as conn:
            cfg = alembic_config(url)
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    except Exception as exc:  # connection refused, permission denied, ...
        raise DatabaseError(f"cannot initialize the database at {make_url(url).render_as_string(hide_password=True)}: "
                            f"{exc.__class__.__name__}: {str(exc).splitlines()[0]}") from exc
    from alembic.script import ScriptDirectory
    return ScriptDirectory.from_config(alembic_config(url)).get_current_head()
