"""The schema as migrated by Alembic, on SQLite and PostgreSQL."""
from datetime import datetime, timezone

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from storage.db import get_engine, session_scope, upgrade
from storage.models import Article, Claim, Entity, Source


def _article(url: str, **kw) -> Article:
    return Article(url=url, text="t", norm_text="t", content_hash=url, **kw)


def test_migrations_create_every_table_and_are_idempotent(db_url):
    assert upgrade(db_url) == upgrade(db_url)  # second run is a no-op
    tables = set(inspect(get_engine(db_url)).get_table_names())
    assert {"source", "crawlrun", "article", "articleurl", "page", "entity", "mention", "claim", "signal",
            "alembic_version"} <= tables
    claim_indexes = {ix["name"] for ix in inspect(get_engine(db_url)).get_indexes("claim")}
    assert {"ix_claim_day_stance", "ix_claim_entity_day"} <= claim_indexes


def test_canonical_url_is_unique(db_url):
    with session_scope(db_url) as s:
        s.add(_article("https://example.org/a"))
    with pytest.raises(IntegrityError):
        with session_scope(db_url) as s:
            s.add(_article("https://example.org/a"))
    with session_scope(db_url) as s:
        assert len(s.exec(select(Article)).all()) == 1  # the first one is still there


def test_deleting_an_article_deletes_its_claims(db_url):
    with session_scope(db_url) as s:
        src = Source(name="s", kind="rss", url="http://x/feed")
        ent = Entity(kind="model", canonical="Llama 2", aliases=["Llama2", "羊驼2"])
        art = _article("https://example.org/b", published_at=datetime(2024, 3, 9, tzinfo=timezone.utc))
        s.add_all([src, ent, art])
        s.flush()
        s.add(Claim(article_id=art.id, entity_id=ent.id, stance="open", evidence="e", start=0, end=1,
                    extractor_version="1"))
    with session_scope(db_url) as s:
        s.delete(s.exec(select(Article)).one())
    with session_scope(db_url) as s:
        assert s.exec(select(Claim)).all() == []
        assert s.exec(select(Entity)).one().aliases == ["Llama2", "羊驼2"]


def test_sqlite_runs_in_wal_mode_with_foreign_keys(sqlite_url):
    with get_engine(sqlite_url).connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_default_engine_follows_the_environment(tmp_path, monkeypatch):
    first, second = (f"sqlite:///{tmp_path / name}" for name in ("one.db", "two.db"))
    for url in (first, second):
        upgrade(url)
    monkeypatch.setenv("OPENWATCH_DATABASE_URL", first)
    with session_scope() as s:
        s.add(Source(name="only-in-one", kind="rss", url="http://x/feed"))
    monkeypatch.setenv("OPENWATCH_DATABASE_URL", second)
    with session_scope() as s:
        assert s.exec(select(Source)).all() == []


def test_search_index_migration_keeps_every_match(sqlite_url):
    """0002 rebuilds the trigram index of a database made before it without positions; what a search
    finds stays the same, and the downgrade brings the positions back."""
    from alembic import command

    from dashboard.synthetic import generate
    from storage import queries
    from storage.db import alembic_config

    def phrase_queries_work(conn) -> bool:
        try:
            conn.exec_driver_sql("""SELECT count(*) FROM claim_fts WHERE claim_fts MATCH '"open source"'""").scalar()
            return True
        except Exception as exc:  # noqa: BLE001 - fts5 refuses phrases without positions
            assert "phrase queries are not supported" in str(exc)
            return False

    def matches(url: str) -> dict[str, set[int]]:
        with get_engine(url).connect() as conn:
            return {term: set(conn.execute(select(queries.text_matches(conn, Claim, term).id)).scalars())
                    for term in ("open source", "Llama", "算不上开源")}

    generate(sqlite_url, articles=60, claims=300)
    after = matches(sqlite_url)
    assert all(after.values())
    command.downgrade(alembic_config(sqlite_url), "0001")
    get_engine(sqlite_url).dispose()
    with get_engine(sqlite_url).connect() as conn:
        assert phrase_queries_work(conn)
    assert matches(sqlite_url) == after
    assert upgrade(sqlite_url) == "0002"
    get_engine(sqlite_url).dispose()
    with get_engine(sqlite_url).connect() as conn:
        assert not phrase_queries_work(conn)
    assert matches(sqlite_url) == after
