"""Bookkeeping for background work: crawl runs the crawl itself could not close, and maintenance.

The crawl writes its own CrawlRun and Source health (storage.sources). When the crawl process
dies, times out or is stopped by a shutdown, the scheduler completes that record here, so
every attempt leaves a run row and a source that keeps failing is flagged, never dropped.
Functions take an explicit URL or read OPENWATCH_DATABASE_URL at call time.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, text, update
from sqlmodel import select

from openwatch.config import get_settings
from storage.db import get_engine, session_scope
from storage.models import Article, CrawlRun, Page, Source, utcnow
from storage.sources import FAILING_AFTER, CrawlOutcome, finish_crawl_run, start_crawl_run


def _runs_since(session, source_name: str, since: datetime) -> tuple[Source | None, list[CrawlRun]]:
    source = session.exec(select(Source).where(Source.name == source_name)).one_or_none()
    if source is None:
        return None, []
    return source, list(session.exec(select(CrawlRun).where(CrawlRun.source_id == source.id,
                                                            CrawlRun.started_at >= since)
                                      .order_by(CrawlRun.id)).all())


def runs_since(source_name: str, since: datetime, url: str | None = None) -> list[CrawlRun]:
    """The runs of a source started at or after `since`, oldest first."""
    with session_scope(url or get_settings().database_url) as session:
        return _runs_since(session, source_name, since)[1]


def record_failed_crawl(source_name: str, since: datetime, error: str, url: str | None = None) -> int | None:
    """The crawl started at `since` died or timed out: make its run say so; returns the run id.

    A run left 'running' (process killed) is closed as failed, which counts against the source's
    health like any failed crawl; a run the crawl closed as failed or partial gets the error
    prepended; a crawl that never opened a run gets a failed one. None when the source is gone.
    """
    url = url or get_settings().database_url
    with session_scope(url) as session:
        source, runs = _runs_since(session, source_name, since)
        if source is None:
            return None
        closed = [run for run in runs if run.status != "running"]
        for run in closed:
            if run.status != "ok":
                run.error_summary = "\n".join(filter(None, [error, run.error_summary]))
                session.add(run)
    if closed:
        return closed[-1].id
    run_id = runs[-1].id if runs else start_crawl_run(source.id, url)
    return finish_crawl_run(run_id, CrawlOutcome(errors=[error]), url).id


def record_abandoned_crawl(source_name: str, since: datetime, reason: str, url: str | None = None) -> int | None:
    """The crawl started at `since` was stopped by a shutdown: its run reads 'abandoned'.

    A shutdown is not the source's fault: if the crawl counted the interrupted run as a failure,
    that failure is taken back. Returns the run id (None when the source no longer exists).
    """
    now = utcnow()
    with session_scope(url or get_settings().database_url) as session:
        source, runs = _runs_since(session, source_name, since)
        if source is None:
            return None
        if not runs:
            runs = [CrawlRun(source_id=source.id, started_at=since)]
        for run in runs:
            if run.status == "failed" and source.consecutive_failures > 0:
                source.consecutive_failures -= 1
                source.health = _health(source)
            run.status = "abandoned"
            run.finished_at = run.finished_at or now
            run.error_summary = "\n".join(filter(None, [reason, run.error_summary]))
            session.add(run)
        session.add(source)
        session.flush()
        return runs[-1].id


def finish_distributed_runs(source_name: str, url: str | None = None) -> list[int]:
    """Close the source's open Redis-mode runs, counting what the workers stored since each began.

    In Redis mode a run spans many worker processes and has no natural end: it is closed when
    the source's next run is pushed (or by whoever calls this), with its pages and new articles
    counted from the stored rows and the failures the workers recorded on it.
    """
    url = url or get_settings().database_url
    with session_scope(url) as session:
        source = session.exec(select(Source).where(Source.name == source_name)).one()
        open_runs = session.exec(select(CrawlRun).where(CrawlRun.source_id == source.id,
                                                        CrawlRun.status == "running")).all()
        counts = {}
        for run in open_runs:
            new = select(func.count()).select_from(Article).where(Article.source_id == source.id,
                                                                  Article.fetched_at >= run.started_at)
            pages = (select(func.count()).select_from(Page).join(Article, Page.article_id == Article.id)
                     .where(Article.source_id == source.id, Page.fetched_at >= run.started_at))
            counts[run.id] = CrawlOutcome(pages=session.exec(pages).one(), new_articles=session.exec(new).one(),
                                          errors=run.error_summary.splitlines() if run.error_summary else None,
                                          error_count=run.errors)
    return [finish_crawl_run(run_id, outcome, url).id for run_id, outcome in counts.items()]


def _health(source: Source) -> str:
    if source.consecutive_failures >= FAILING_AFTER:
        return "failing"
    if source.consecutive_failures:
        return "degraded"
    return "ok" if source.last_success_at else "new"


def abandon_stale_runs(older_than: timedelta, url: str | None = None) -> int:
    """Mark runs still 'running' after `older_than` as abandoned (left by a killed process)."""
    cutoff = utcnow() - older_than
    with session_scope(url or get_settings().database_url) as session:
        result = session.exec(update(CrawlRun)
                              .where(CrawlRun.status == "running", CrawlRun.started_at < cutoff)
                              .values(status="abandoned", finished_at=utcnow(),
                                      error_summary="the crawl process ended without closing its run"))
        return result.rowcount


def prune_page_bodies(older_than_days: int, url: str | None = None) -> int:
    """Drop the raw bytes of pages fetched more than `older_than_days` ago; keeps the page rows."""
    cutoff = utcnow() - timedelta(days=older_than_days)
    with session_scope(url or get_settings().database_url) as session:
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
    engine = get_engine(url or get_settings().database_url)
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
