"""Transactions that concurrent writers make fail are run again; a rolled-back store teaches nothing."""
from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import text

from storage.articles import CrawledPage, NearDuplicateIndex, store_pages
from storage.db import get_engine, in_transaction, session_scope
from storage.models import Source

STORY = " ".join(f"open weights release {i} under a licence with a usage cap." for i in range(60))


def _page(url: str, story: str = STORY) -> CrawledPage:
    return CrawledPage(url=url, source_id=None, text=story, norm_text=story, body=b"<html>")


def test_a_rolled_back_store_leaves_the_near_duplicate_index_as_it_was(db_url):
    with session_scope(db_url) as session:
        index = NearDuplicateIndex.load(session)
    with pytest.raises(RuntimeError):
        with session_scope(db_url) as session:
            store_pages(session, [_page("https://a.example/1")], index)
            raise RuntimeError("the transaction fails after the insert")
    with session_scope(db_url) as session:  # the same page stored again: an original, not a copy of nothing
        assert store_pages(session, [_page("https://a.example/1")], index).new == 1
    with session_scope(db_url) as session:  # the committed article is in the index
        assert store_pages(session, [_page("https://b.example/2", STORY + " One more line.")], index).near_duplicates == 1


def test_the_transaction_chosen_to_break_a_deadlock_runs_again(pg_url):
    """Two writers lock the same two rows in opposite orders; PostgreSQL aborts the one that detects the
    cycle (here `work`: the shorter deadlock_timeout) and in_transaction runs it again after the other commits."""
    with session_scope(pg_url) as session:
        session.add_all([Source(name=n, kind="rss", url=f"http://{n}.example/feed") for n in ("a", "b")])
    engine, attempts, errors = get_engine(pg_url), [], []

    def other() -> None:
        try:
            with engine.begin() as conn:
                conn.execute(text("SET LOCAL deadlock_timeout = '10s'"))
                conn.execute(text("UPDATE source SET interval_minutes = 2 WHERE name = 'b'"))
                conn.execute(text("UPDATE source SET interval_minutes = 2 WHERE name = 'a'"))  # waits for `work`
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    def work(session) -> int:
        attempts.append(time.monotonic())
        session.execute(text("SET LOCAL deadlock_timeout = '100ms'"))
        session.execute(text("UPDATE source SET interval_minutes = 1 WHERE name = 'a'"))
        if len(attempts) == 1:
            thread.start()
            with engine.connect() as watcher:  # until `other` holds 'b' and waits for 'a'
                deadline = time.monotonic() + 10
                while not watcher.execute(text("SELECT count(*) FROM pg_locks WHERE NOT granted")).scalar():
                    assert time.monotonic() < deadline, "the other writer never waited"
                    time.sleep(0.02)
        session.execute(text("UPDATE source SET interval_minutes = 1 WHERE name = 'b'"))
        return len(attempts)

    thread = threading.Thread(target=other)
    assert in_transaction(work, pg_url) == 2
    thread.join(15)
    assert not errors
    with session_scope(pg_url) as session:  # `other` committed first, then the second attempt of `work`
        assert session.execute(text("SELECT interval_minutes FROM source ORDER BY name")).scalars().all() == [1, 1]


def test_an_article_whose_store_a_concurrent_writer_broke_is_stored_not_marked_failed(sqlite_url, monkeypatch):
    """The extractor's per-article savepoint is tried again after a deadlock; any other error marks the article."""
    import psycopg
    from sqlalchemy.exc import OperationalError
    from sqlmodel import select

    from openwatch import extraction
    from storage import extraction as stored
    from storage.models import Article

    text_ = "Meta released Llama 3 as open source, but critics say it is not truly open source."
    with session_scope(sqlite_url) as session:
        store_pages(session, [_page("https://a.example/1", text_), _page("https://a.example/2", "Alibaba said Qwen 2 is open weights only, with its training data undisclosed.")],
                    NearDuplicateIndex())
    real, calls = stored.store_extraction, []

    def flaky(session, article, *args, **kwargs):
        calls.append(article.url)
        if article.url.endswith("/1") and len(calls) == 1:
            raise OperationalError("INSERT INTO claim", {}, psycopg.errors.DeadlockDetected("deadlock detected"))
        if article.url.endswith("/2"):
            raise OperationalError("INSERT INTO claim", {}, psycopg.errors.UndefinedTable("no such table"))
        return real(session, article, *args, **kwargs)

    monkeypatch.setattr(stored, "store_extraction", flaky)
    assert extraction.extract_pending(batch_size=10) == 1
    with session_scope(sqlite_url) as session:
        status = dict(session.exec(select(Article.url, Article.extraction_status)).all())
    assert status == {"https://a.example/1": "done", "https://a.example/2": "failed"}
    assert calls == ["https://a.example/1", "https://a.example/1", "https://a.example/2"]
