"""Maintenance and run bookkeeping (storage.work) on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from storage.db import session_scope
from storage.models import Article, CrawlRun, Page, Source, utcnow
from storage.work import (abandon_stale_runs, optimize_database, prune_page_bodies, record_abandoned_crawl,
                          record_failed_crawl)


def _source(url: str, **fields) -> int:
    with session_scope(url) as session:
        source = Source(name="s", kind="rss", url="http://127.0.0.1/feed.xml", **fields)
        session.add(source)
        session.flush()
        return source.id


def test_retention_drops_old_bodies_and_keeps_rows(db_url):
    now = utcnow()
    with session_scope(db_url) as session:
        article = Article(url="http://127.0.0.1/a", text="t", norm_text="t", content_hash="h")
        session.add(article)
        session.flush()
        session.add_all([Page(url="http://127.0.0.1/old", article_id=article.id, body=b"old",
                              fetched_at=now - timedelta(days=40)),
                         Page(url="http://127.0.0.1/new", article_id=article.id, body=b"new",
                              fetched_at=now - timedelta(days=2))])
    assert prune_page_bodies(30, db_url) == 1
    assert prune_page_bodies(30, db_url) == 0
    with session_scope(db_url) as session:
        bodies = {p.url.rsplit("/", 1)[1]: p.body for p in session.exec(select(Page))}
    assert bodies == {"old": None, "new": b"new"}
    assert "analyze" in optimize_database(db_url)


def test_failed_and_abandoned_runs(db_url):
    source_id = _source(db_url, consecutive_failures=2, health="degraded")
    since = utcnow()
    with session_scope(db_url) as session:        # a crawl killed while running
        session.add(CrawlRun(source_id=source_id, started_at=since))
    record_failed_crawl("s", since, "crawl process exit code -9: killed", db_url)
    with session_scope(db_url) as session:
        run = session.exec(select(CrawlRun)).one()
        source = session.get(Source, source_id)
        assert (run.status, run.error_summary) == ("failed", "crawl process exit code -9: killed")
        assert (source.consecutive_failures, source.health) == (3, "failing")

    later = utcnow()                               # a crawl that closed itself as failed on shutdown
    with session_scope(db_url) as session:
        session.add(CrawlRun(source_id=source_id, started_at=later, status="failed",
                             error_summary="crawl ended early: shutdown"))
        session.get(Source, source_id).consecutive_failures = 4
    record_abandoned_crawl("s", later, "stopped by scheduler shutdown", db_url)
    with session_scope(db_url) as session:
        run = session.exec(select(CrawlRun).order_by(CrawlRun.id.desc())).first()
        assert run.status == "abandoned" and run.error_summary.startswith("stopped by scheduler shutdown")
        assert session.get(Source, source_id).consecutive_failures == 3


def test_stale_running_runs_are_abandoned(db_url):
    source_id = _source(db_url)
    with session_scope(db_url) as session:
        session.add_all([CrawlRun(source_id=source_id, started_at=utcnow() - timedelta(hours=5)),
                         CrawlRun(source_id=source_id)])
    assert abandon_stale_runs(timedelta(hours=2), db_url) == 1
    with session_scope(db_url) as session:
        assert sorted(r.status for r in session.exec(select(CrawlRun))) == ["abandoned", "running"]
