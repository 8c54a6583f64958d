"""`openwatch schedule` as a real process on SQLite and PostgreSQL: jobs, persistence, backoff, failures."""
from __future__ import annotations

import os
import time
from datetime import datetime, timedelta, timezone

from sqlmodel import select

from helpers import run_openwatch
from scheduler import MAX_BACKOFF, crawl_interval, open_job_store
from storage.db import session_scope
from storage.models import CrawlRun, Source

FAST = ["--extract-every", "60", "--stop-grace", "2"]


def _db() -> str:
    """The test's database (explicit: get_engine(None) is cached across tests in one process)."""
    return os.environ["OPENWATCH_DATABASE_URL"]


def add_source(name: str, url: str, interval: int = 60, kind: str = "rss") -> None:
    with session_scope(_db()) as session:
        session.add(Source(name=name, kind=kind, url=url, interval_minutes=interval))


def runs(name: str) -> list[CrawlRun]:
    with session_scope(_db()) as session:
        return session.exec(select(CrawlRun).join(Source).where(Source.name == name)
                            .order_by(CrawlRun.id)).all()


def source(name: str) -> Source:
    with session_scope(_db()) as session:
        return session.exec(select(Source).where(Source.name == name)).one()


def test_backoff_doubles_per_failure_up_to_a_day():
    assert crawl_interval(30, 0) == timedelta(minutes=30)
    assert crawl_interval(30, 1) == timedelta(minutes=60)
    assert crawl_interval(30, 3) == timedelta(minutes=240)
    assert crawl_interval(30, 50) == MAX_BACKOFF
    assert crawl_interval(3 * 24 * 60, 4) == timedelta(days=3)   # never shorter than the source's own interval


def test_failing_source_is_recorded_backed_off_and_flagged_not_dropped(sqlite_url, services, free_port, wait_for, stored_jobs):
    add_source("dead", f"http://127.0.0.1:{free_port}/feed.xml", interval=60)
    service = services("schedule", *FAST)
    wait_for(lambda: [r for r in runs("dead") if r.status == "failed"], what="a failed run")
    service.wait_log("event=backoff")
    wait_for(lambda: stored_jobs(sqlite_url)["crawl:dead"] - time.time() > 90 * 60, what="the backed-off interval")
    assert service.stop() == 0
    run = runs("dead")[-1]
    assert run.status == "failed" and run.error_summary and run.finished_at is not None
    dead = source("dead")
    assert dead.consecutive_failures >= 1 and dead.health in ("degraded", "failing") and dead.enabled
    assert "crawl:dead" in stored_jobs(sqlite_url)


def test_restart_keeps_jobs_and_runs_a_missed_job_once(db_url, services, free_port, wait_for, stored_jobs):
    add_source("feed", f"http://127.0.0.1:{free_port}/feed.xml", interval=60)
    first = services("schedule", *FAST)
    wait_for(lambda: len(runs("feed")) == 1 and runs("feed")[0].status != "running", what="the first run")
    wait_for(lambda: stored_jobs(db_url)["crawl:feed"] - time.time() > 90 * 60, what="the backed-off interval")
    assert first.stop() == 0
    before = stored_jobs(db_url)
    assert set(before) == {"crawl:feed", "extract", "maintenance"}

    second = services("schedule", *FAST)
    second.wait_log("scheduler.started")
    time.sleep(2)
    assert second.stop() == 0
    assert stored_jobs(db_url) == before, "a restart must keep every job and its next run time"
    assert len(runs("feed")) == 1, "nothing was due: a restart must not run anything"

    # The scheduler was down for ten intervals: the job runs once, not ten times.
    store = open_job_store()
    job = store.lookup_job("crawl:feed")
    job._modify(next_run_time=datetime.now(timezone.utc) - timedelta(hours=20))
    store.update_job(job)
    third = services("schedule", *FAST)
    wait_for(lambda: len(runs("feed")) == 2 and runs("feed")[1].status != "running", what="the catch-up run")
    time.sleep(3)
    assert third.stop() == 0
    assert len(runs("feed")) == 2
    assert stored_jobs(db_url)["crawl:feed"] > time.time()

    listed = run_openwatch("schedule", "--list")
    assert listed.returncode == 0, listed.stderr
    assert "crawl:feed" in listed.stdout and "maintenance" in listed.stdout


def test_disabled_source_loses_its_job_and_new_one_gets_one(sqlite_url, services, free_port, wait_for, stored_jobs):
    add_source("old", f"http://127.0.0.1:{free_port}/a.xml")
    service = services("schedule", *FAST)
    wait_for(lambda: "crawl:old" in stored_jobs(sqlite_url), what="the job of the first source")
    assert service.stop() == 0
    with session_scope(_db()) as session:
        session.exec(select(Source).where(Source.name == "old")).one().enabled = False
    add_source("new", f"http://127.0.0.1:{free_port}/b.xml")
    service = services("schedule", *FAST)
    wait_for(lambda: "crawl:new" in stored_jobs(sqlite_url) and "crawl:old" not in stored_jobs(sqlite_url),
             what="jobs following the sources")
    assert service.stop() == 0


def test_worker_crawl_without_redis_is_one_clear_line():
    result = run_openwatch("worker", "crawl")
    assert result.returncode == 2
    assert result.stderr.startswith("error: OPENWATCH_REDIS_URL is not set") and "Traceback" not in result.stderr


def test_a_second_scheduler_on_the_same_database_is_refused(db_url, services, wait_for, stored_jobs):
    first = services("schedule", *FAST)
    first.wait_log("scheduler.started")
    second = run_openwatch("schedule", timeout=60)
    assert second.returncode == 2, second.stderr
    assert second.stderr.startswith("error: another `openwatch schedule` is running")
    assert first.stop() == 0


def test_shutdown_while_a_finished_crawl_syncs_its_job_does_not_hang(sqlite_url, monkeypatch):
    """A crawl job's listener syncs its job in the job's thread. APScheduler's shutdown waits for job
    threads while holding its job-store lock: a listener that asked for its job after that point
    waited forever (the scheduler then never exited on SIGTERM)."""
    import threading

    import scheduler as sched

    entered, release = threading.Event(), threading.Event()
    real_sync = sched.sync_jobs

    def held_sync(scheduler, options=sched.Options(), only=None):
        entered.set()
        release.wait(10)           # shutdown starts while the listener is here
        return real_sync(scheduler, options, only)

    monkeypatch.setattr(sched, "sync_jobs", held_sync)
    scheduler = sched.build_scheduler()
    scheduler.start()
    try:
        # a job that takes a moment: its listener then runs in the job's thread, as a crawl's does
        scheduler.add_job(time.sleep, args=[0.2], id="crawl:finished-just-now", jobstore="memory")
        assert entered.wait(10), "the job's listener did not run"
        stopper = threading.Thread(target=sched.shut_down, args=(scheduler,), daemon=True)
        stopper.start()
        stopper.join(0.5)          # shutdown is waiting now
        release.set()
        stopper.join(10)
        assert not stopper.is_alive(), "shutdown and the listener's sync wait for each other"
    finally:
        release.set()
        sched._stopping.clear()


def test_a_logged_exception_keeps_its_type_and_first_line():
    """A database error's traceback ends with a link to SQLAlchemy's docs; the log line must say what failed."""
    import logging
    import sys

    from sqlalchemy.exc import OperationalError

    from scheduler import KeyValueFormatter

    try:
        raise OperationalError("UPDATE crawlrun", {}, Exception("deadlock detected\nDETAIL: Process 1 waits"))
    except OperationalError:
        record = logging.LogRecord("openwatch.worker", logging.ERROR, __file__, 1, "flush failed", None, sys.exc_info())
    line = KeyValueFormatter().format(record)
    assert 'exc="OperationalError: (builtins.Exception) deadlock detected"' in line and "sqlalche.me" not in line
