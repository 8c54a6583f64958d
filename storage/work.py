"""Bookkeeping for background work: crawl runs the crawl itself could not close, and maintenance.

The crawl writes its own CrawlRun and Source health. When the crawl process dies, times out
or is stopped, the scheduler closes what the crawl left open here, so every attempt leaves
a row and a source that keeps failing is flagged instead of silently dropped.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import text, update
from sqlmodel import select

from storage.db import get_engine, session_scope
from storage.models import CrawlRun, Page, Source, utcnow

FAILING_AFTER = 3  # consecutive failures after which a source's health reads "failing"


def close_unfinished_run(source_name: str, since: datetime, status: str, error: str,
                         url: str | None = None) -> CrawlRun | None:
    """Close the runs of `source_name` started at or after `since` that are still 'running'.

    `status` is 'failed' (crashed, timed out) or 'abandoned' (stopped on shutdown). When the
    crawl wrote no run at all, one is inserted with the error. When the crawl closed its run
    itself, nothing changes and None is returned. A failure also counts against the source's
    health (consecutive_failures, health, last_error); an abandoned run does not.
    """
    now = utcnow()
    with session_scope(url) as session:
        source = session.exec(select(Source).where(Source.name == source_name)).one_or_none()
        if source is None:
            return None
        runs = session.exec(select(CrawlRun).where(CrawlRun.source_id == source.id,
                                                   CrawlRun.started_at >= since)).all()
        if any(run.status != "running" for run in runs):
            return None
        run = runs[-1] if runs else CrawlRun(source_id=source.id, started_at=since)
        for stale in runs[:-1]:
            stale.status, stale.finished_at = status, now
        run.status, run.finished_at, run.error_summary = status, now, error
        run.duration_s = (now - since).total_seconds()
        session.add(run)
        if status == "failed":
            source.consecutive_failures += 1
            source.health = "failing" if source.consecutive_failures >= FAILING_AFTER else "degraded"
            source.last_error = error
            source.last_attempt_at = now
            session.add(source)
        return run


def abandon_stale_runs(older_than: timedelta, url: str | None = None) -> int:
    """Mark runs still 'running' after `older_than` as abandoned (left by a killed process)."""
    cutoff = utcnow() - older_than
    with session_scope(url) as session:
        result = session.exec(update(CrawlRun)
                              .where(CrawlRun.status == "running", CrawlRun.started_at < cutoff)
                              .values(status="abandoned", finished_at=utcnow(),
                                      error_summary="the crawl process ended without closing its run"))
        return result.rowcount


def prune_page_bodies(older_than_days: int, url: str | None = None) -> int:
    """Drop the raw bytes of pages fetched more than `older_than_days` ago; keeps the page rows."""
    cutoff = utcnow() - timedelta(days=older_than_days)
    with session_scope(url) as session:
        result = session.exec(update(Page)
                              .where(Page.fetched_at < cutoff, Page.body.is_not(None))
                              .values(body=None))
        return result.rowcount


def optimize_database(url: str | None = None) -> str:
    """Refresh planner statistics, and on SQLite give freed pages back to the file system.

    PostgreSQL's autovacuum reclaims space on its own; it gets ANALYZE. SQLite gets VACUUM
    only when at least a tenth of the file is free pages (VACUUM rewrites the whole file),
    then ANALYZE. Returns what was done.
    """
    engine = get_engine(url)
    if engine.dialect.name != "sqlite":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
        return "analyze"
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        free = conn.execute(text("PRAGMA freelist_count")).scalar()
        total = conn.execute(text("PRAGMA page_count")).scalar()
        done = []
        if total and free * 10 >= total:
            conn.execute(text("VACUUM"))
            done.append("vacuum")
        conn.execute(text("ANALYZE"))
        done.append("analyze")
    return "+".join(done)
