"""Faults the scheduler must survive: hung crawls, shutdown mid-crawl, the database going away."""
from __future__ import annotations

import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlmodel import select

from scheduler import open_job_store
from storage.db import session_scope
from storage.models import CrawlRun, Source
from storage.sources import add_source

sys.path.insert(0, str(Path(__file__).parent))
from synthetic_site import SyntheticSite  # noqa: E402


def runs(url: str, name: str) -> list[CrawlRun]:
    with session_scope(url) as session:
        return list(session.exec(select(CrawlRun).join(Source).where(Source.name == name).order_by(CrawlRun.id)))


def test_hung_crawl_is_stopped_and_recorded_as_failed(sqlite_url, services, silent_server, wait_for):
    add_source(sqlite_url, name="hung", kind="rss", url=f"{silent_server}/feed.xml")
    service = services("schedule", "--crawl-timeout", "3", "--stop-grace", "1", "--no-extract")
    wait_for(lambda: [r for r in runs(sqlite_url, "hung") if r.status == "failed"], what="the failed run")
    assert service.stop() == 0
    run = runs(sqlite_url, "hung")[-1]
    assert "timed out after 3s" in run.error_summary and run.finished_at is not None
    with session_scope(sqlite_url) as session:
        assert session.exec(select(Source).where(Source.name == "hung")).one().consecutive_failures == 1


def test_shutdown_mid_crawl_marks_the_run_abandoned_not_failed(sqlite_url, services, silent_server, wait_for):
    add_source(sqlite_url, name="slow", kind="rss", url=f"{silent_server}/feed.xml")
    service = services("schedule", "--stop-grace", "1", "--no-extract")
    service.wait_log("crawl.started")
    time.sleep(2)                        # the crawl process is up and waiting for the silent server
    assert service.stop(timeout=30) == 0
    assert "crawl.abandoned" in service.log and "scheduler.stopped" in service.log
    (run,) = runs(sqlite_url, "slow")
    assert run.status == "abandoned" and "stopped by scheduler shutdown" in run.error_summary
    with session_scope(sqlite_url) as session:
        assert session.exec(select(Source).where(Source.name == "slow")).one().consecutive_failures == 0


@pytest.mark.postgres
def test_database_briefly_unreachable_failure_recorded_next_run_succeeds(pg_url, pg_proxy, services, wait_for):
    proxied, proxy = pg_proxy
    with SyntheticSite(30, delay_s=0.3) as site:
        add_source(pg_url, name="synthetic", kind="sitemap", url=site.sitemap)
        service = services("schedule", "--no-extract", "--stop-grace", "2", env={"OPENWATCH_DATABASE_URL": proxied})
        service.wait_log("crawl.started")
        wait_for(lambda: len(site.article_hits()) >= 3, what="the crawl to fetch pages")
        proxy.down()                     # the database goes away in the middle of the crawl
        service.wait_log("run.record_retry", timeout=60)
        proxy.up()
        wait_for(lambda: [r for r in runs(pg_url, "synthetic") if r.status == "failed"], timeout=30,
                 what="the failed run to be recorded once the database is back")
        service.wait_log("event=backoff")  # the failure's backoff is stored before the job is fast-forwarded
        assert service.stop() == 0
        assert "Traceback" not in service.log

        # The next run (fast-forwarded: the stored job is made due) succeeds.
        store = open_job_store()
        job = store.lookup_job("crawl:synthetic")
        job._modify(next_run_time=datetime.now(timezone.utc))
        store.update_job(job)
        service = services("schedule", "--no-extract", "--stop-grace", "2", env={"OPENWATCH_DATABASE_URL": proxied})
        wait_for(lambda: runs(pg_url, "synthetic")[-1].status == "ok", timeout=60, what="a successful next run")
        assert service.stop() == 0
    failed, ok = runs(pg_url, "synthetic")
    assert failed.status == "failed" and failed.error_summary
    assert ok.status == "ok" and ok.new_articles + failed.new_articles >= 1
    with session_scope(pg_url) as session:
        assert session.exec(select(Source).where(Source.name == "synthetic")).one().health == "ok"


def test_sqlite_scheduler_and_worker_write_while_the_dashboard_reads(sqlite_url, services, wait_for):
    import threading

    from storage.db import get_engine
    from storage.queries import Filters, claims_per_day, totals

    stop, reads, errors = threading.Event(), [], []

    def dashboard():
        engine = get_engine(sqlite_url)
        while not stop.is_set():
            try:
                with engine.connect() as conn:
                    reads.append((totals(conn, Filters()), len(claims_per_day(conn, Filters()))))
            except Exception as exc:  # noqa: BLE001  (collected and asserted on below)
                errors.append(repr(exc))

    with SyntheticSite(120, delay_s=0.02) as site:
        add_source(sqlite_url, name="synthetic", kind="sitemap", url=site.sitemap)
        reader = threading.Thread(target=dashboard)
        reader.start()
        scheduler = services("schedule", "--no-extract", "--stop-grace", "2", name="scheduler")
        extractor = services("worker", "extract", "--batch-size", "5", "--idle-sleep", "0.2", name="extract")
        wait_for(lambda: runs(sqlite_url, "synthetic") and runs(sqlite_url, "synthetic")[-1].status == "ok",
                 timeout=90, what="the crawl")
        wait_for(lambda: reads and reads[-1][0]["articles"] == 120, timeout=60,
                 what="the dashboard to see every article")
        time.sleep(3)                    # let the extract worker write while the reader keeps reading
        for service in (extractor, scheduler):
            assert service.stop() == 0, service.log[-2000:]
        stop.set()
        reader.join()
    assert not errors, errors[:3]
    assert len(reads) > 20 and reads[-1][0]["claims"] > 0
    for service in (extractor, scheduler):
        assert "database is locked" not in service.log
