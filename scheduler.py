"""The background service behind `openwatch schedule`: APScheduler 3 with its jobs in the project database.

Jobs (stable ids, stored in the table `apscheduler_jobs` through SQLAlchemyJobStore, so they
and their next run times survive restarts):

  crawl:<source>  runs `openwatch crawl --source <source>` in a subprocess (Twisted's reactor
                  cannot restart in one process), or with OPENWATCH_REDIS_URL set pushes the
                  source's start URLs to the shared scrapy-redis frontier for `openwatch worker crawl`
  extract         extracts claims and signals from newly stored articles
  maintenance     drops raw page bodies past the retention period, closes orphaned runs,
                  ANALYZE (and VACUUM on SQLite when worthwhile)

Every job has max_instances=1 and coalesce=True: a restart after downtime runs each job once,
not once per missed interval. A source that keeps failing is retried less often (its interval
doubles per consecutive failure, up to a day) and flagged in its health; it is never dropped.

The scheduler runs in a background thread while the main thread waits for SIGTERM/SIGINT, so
shutdown happens outside the signal handler: running crawls get SIGTERM (Scrapy finishes the
pages in flight), are killed after a grace period, and runs they leave open are marked abandoned.
Logs are key=value lines on stderr.
"""
from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Iterator

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_MISSED
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger

log = logging.getLogger("openwatch.scheduler")

JOBS_TABLE = "apscheduler_jobs"
EXTRACT_JOB = "extract"
MAINTENANCE_JOB = "maintenance"
CRAWL_PREFIX = "crawl:"
MAX_BACKOFF = timedelta(days=1)
STOP_GRACE_S = 30.0          # on shutdown: time to finish, then time to close after SIGTERM
SYNC_EVERY_S = 60            # how often sources added, changed or disabled are picked up
LOCK_KEY = 0x6F77736368      # PostgreSQL advisory lock held by the one scheduler of a database

RECORD_RETRY_S = 600         # how long a failed crawl's record is retried while the database is down
RECORD_RETRY_EVERY_S = 2.0

_stopping = threading.Event()          # set on shutdown: jobs finish their current unit and return
# Held while a job thread (a listener, the periodic sync) changes the scheduler's jobs; shutdown
# waits for it after setting _stopping. APScheduler's shutdown holds its job-store lock while it
# waits for job threads: one still asking the scheduler for a job then would wait forever.
_syncing = threading.Lock()


@dataclass(frozen=True)
class Options:
    """What `openwatch schedule` lets the user tune."""

    crawl_timeout_s: int = 3600
    stop_grace_s: float = STOP_GRACE_S
    crawl_concurrency: int = 2
    extract: bool = True
    extract_every_min: int = 10
    extract_batch: int = 50
    maintenance_every_h: int = 24
    retention_days: int = 30


# --- logging -------------------------------------------------------------------------------

class KeyValueFormatter(logging.Formatter):
    """`ts=… level=… logger=… event=… key=value …`; values with spaces or quotes are JSON-quoted."""

    def format(self, record: logging.LogRecord) -> str:
        fields = {"ts": datetime.fromtimestamp(record.created, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                  "level": record.levelname.lower(), "logger": record.name, "event": record.getMessage()}
        fields.update(getattr(record, "kv", {}))
        if record.exc_info and record.exc_info[1] is not None:
            fields["exc"] = _first_line(record.exc_info[1])  # a traceback's last line may be a link to docs
        return " ".join(f"{key}={_quote(value)}" for key, value in fields.items())


def _quote(value) -> str:
    value = "" if value is None else str(value)
    return json.dumps(value, ensure_ascii=False) if (not value or any(c in value for c in ' "=\n')) else value


def configure_logging(level: int = logging.INFO) -> None:
    """Send every log record (ours, APScheduler's) to stderr as key=value lines."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(KeyValueFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


def _event(event: str, level: int = logging.INFO, **fields) -> None:
    log.log(level, event, extra={"kv": fields})


# --- jobs ----------------------------------------------------------------------------------

class CrawlFailed(RuntimeError):
    """The crawl subprocess failed or timed out (raised so APScheduler reports EVENT_JOB_ERROR)."""


def _openwatch_command() -> list[str]:
    exe = os.path.join(os.path.dirname(sys.executable), "openwatch")
    return [exe if os.path.exists(exe) else (shutil.which("openwatch") or "openwatch")]


def crawl_job(source_name: str, timeout_s: int = 3600, stop_grace_s: float = STOP_GRACE_S) -> str:
    """Crawl one source: push its start URLs to Redis, or run `openwatch crawl` and watch it."""
    from openwatch.config import get_settings

    if get_settings().redis_url:
        from crawler.distributed import push_source

        _event("crawl.pushed", source=source_name, run_id=push_source(source_name))
        return "pushed"
    started = datetime.now(timezone.utc)
    t0 = time.monotonic()
    with tempfile.TemporaryFile() as errfile:
        proc = subprocess.Popen([*_openwatch_command(), "crawl", "--source", source_name],
                                stdout=subprocess.DEVNULL, stderr=errfile, start_new_session=True)
        _event("crawl.started", source=source_name, pid=proc.pid)
        outcome = _watch(proc, timeout_s, stop_grace_s)
        errfile.seek(0)
        tail = errfile.read().decode("utf-8", "replace").strip().splitlines()[-5:]
    duration = round(time.monotonic() - t0, 2)
    if outcome == "stopped":
        _record("record_abandoned_crawl", source_name=source_name, since=started,
                reason="stopped by scheduler shutdown")
        _event("crawl.abandoned", logging.WARNING, source=source_name, duration_s=duration)
        return "abandoned"
    if outcome == "timeout":
        error = f"timed out after {timeout_s}s (stopped by the scheduler)"
    elif proc.returncode != 0:
        error = f"crawl process exit code {proc.returncode}: " + " | ".join(tail)
    else:
        run, error = _closed_run(source_name, started)
        if run is not None:
            _event("crawl.finished", source=source_name, duration_s=duration, run_id=run.id, status=run.status,
                   pages=run.pages, new_articles=run.new_articles, errors=run.errors)
            return run.status
    _record("record_failed_crawl", source_name=source_name, since=started, error=error)
    raise CrawlFailed(error)


def _watch(proc: subprocess.Popen, timeout_s: float, grace_s: float) -> str:
    """Wait for the crawl. Returns ok, or timeout / stopped after stopping it.

    On shutdown the crawl gets `grace_s` to finish on its own; a crawl that must stop gets
    SIGTERM (Scrapy closes the spider and stores what it fetched), then SIGKILL after the grace.
    """
    deadline = time.monotonic() + timeout_s
    while proc.poll() is None:
        if _stopping.wait(0.5):
            try:
                proc.wait(min(grace_s, max(0.0, deadline - time.monotonic())))
                return "ok"
            except subprocess.TimeoutExpired:
                _terminate(proc, grace_s)
                return "stopped"
        if time.monotonic() > deadline:
            _terminate(proc, grace_s)
            return "timeout"
    return "ok"


def _terminate(proc: subprocess.Popen, grace_s: float) -> None:
    proc.terminate()
    try:
        proc.wait(grace_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _closed_run(source_name: str, since: datetime):
    """(the run the crawl closed, None) or (None, why there is none: the crawl could not write it)."""
    from storage.work import runs_since

    try:
        runs = runs_since(source_name, since)
    except Exception as exc:  # noqa: BLE001  (database unreachable)
        return None, f"the crawl's run could not be read: {_first_line(exc)}"
    if runs and runs[-1].status != "running":
        return runs[-1], None
    return None, "the crawl ended without closing its run (database unreachable during the crawl?)"


def _record(function: str, **kwargs) -> None:
    """Complete the crawl's run record (storage.work); while the database is down, retry every few seconds.

    The job waits (max_instances=1 keeps the source's next run from overlapping) until the
    record is written, RECORD_RETRY_S has passed or the scheduler stops; then it logs the loss.
    """
    import storage.work

    deadline = time.monotonic() + RECORD_RETRY_S
    while True:
        try:
            run_id = getattr(storage.work, function)(**kwargs)
            _event("run.recorded", source=kwargs["source_name"], record=function, run_id=run_id)
            return
        except Exception as exc:  # noqa: BLE001  (database unreachable: wait and retry)
            reason = _first_line(exc)
        if _stopping.wait(RECORD_RETRY_EVERY_S) or time.monotonic() > deadline:
            _event("run.unrecorded", logging.ERROR, source=kwargs["source_name"], record=function, reason=reason)
            return
        _event("run.record_retry", logging.WARNING, source=kwargs["source_name"], reason=reason)


def extract_until_idle(batch_size: int, stop: threading.Event) -> int:
    """Extract pending articles batch by batch until none is left or `stop` is set; returns the count.

    Each batch is its own unit of work: stopping waits for the current batch only. On PostgreSQL
    batches are taken with SKIP LOCKED, so any number of processes can run this at once.
    """
    from openwatch.extraction import extract_pending

    total = 0
    while not stop.is_set():
        done = extract_pending(batch_size=batch_size, limit=batch_size, skip_locked=True)
        total += done
        if done == 0:
            break
    return total


def extract_job(batch_size: int = 50) -> int:
    """Extract the articles stored since the last run."""
    t0 = time.monotonic()
    done = extract_until_idle(batch_size, _stopping)
    _event("extract.finished", articles=done, duration_s=round(time.monotonic() - t0, 2))
    return done


def maintenance_job(retention_days: int = 30, stale_after_s: int = 2 * 3600) -> dict:
    """Retention of raw page bodies, orphaned runs, and planner statistics / vacuum."""
    from storage.work import optimize_database, prune_page_bodies

    result = {"pruned_pages": prune_page_bodies(retention_days),
              "abandoned_runs": _abandon_stale_runs(stale_after_s),
              "optimize": optimize_database()}
    _event("maintenance.finished", **result)
    return result


def _abandon_stale_runs(older_than_s: float) -> int:
    """Runs left 'running' by killed crawl processes. Not in Redis mode, where a run stays open
    until the source's next push (crawler.distributed)."""
    from openwatch.config import get_settings
    from storage.work import abandon_stale_runs

    return 0 if get_settings().redis_url else abandon_stale_runs(timedelta(seconds=older_than_s))


# --- schedule ------------------------------------------------------------------------------

def crawl_interval(interval_minutes: int, consecutive_failures: int) -> timedelta:
    """The source's interval, doubled per consecutive failure, capped at a day (or the interval)."""
    base = timedelta(minutes=max(1, interval_minutes))
    return min(base * 2 ** min(consecutive_failures, 16), max(base, MAX_BACKOFF))


def _jitter(interval: timedelta) -> int:
    return int(min(interval.total_seconds() * 0.1, 300))


def job_store() -> SQLAlchemyJobStore:
    """The persistent job store: table `apscheduler_jobs` in the project database."""
    from openwatch.config import get_settings
    from storage.db import get_engine

    return SQLAlchemyJobStore(engine=get_engine(get_settings().database_url), tablename=JOBS_TABLE)


def open_job_store() -> SQLAlchemyJobStore:
    """The job store, readable and writable without a running scheduler (no thread, no job runs)."""
    store = job_store()
    store.start(BlockingScheduler(timezone=timezone.utc), "default")
    return store


def build_scheduler(options: Options = Options()) -> BackgroundScheduler:
    """A scheduler whose jobs live in the project database (`apscheduler_jobs`)."""
    scheduler = BackgroundScheduler(
        jobstores={"default": job_store(),
                   "memory": MemoryJobStore()},
        executors={"default": ThreadPoolExecutor(options.crawl_concurrency),
                   "local": ThreadPoolExecutor(2)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
        timezone=timezone.utc,
    )
    scheduler.add_listener(lambda event: _on_job_event(scheduler, event),
                           EVENT_JOB_EXECUTED | EVENT_JOB_ERROR | EVENT_JOB_MISSED)
    return scheduler


def _on_job_event(scheduler: BackgroundScheduler, event) -> None:
    if event.code == EVENT_JOB_MISSED:
        _event("job.missed", logging.WARNING, job=event.job_id, scheduled=event.scheduled_run_time.isoformat())
        return
    if event.exception is not None:
        _event("job.failed", logging.ERROR, job=event.job_id, error=_first_line(event.exception))
    if not event.job_id.startswith(CRAWL_PREFIX):
        return
    with _syncing:
        if _stopping.is_set():   # the next start's sync applies the backoff
            return
        try:
            changed = sync_jobs(scheduler, only=event.job_id[len(CRAWL_PREFIX):])
            job = scheduler.get_job(event.job_id)
            if changed.get(event.job_id) == "rescheduled" and job is not None:
                _event("backoff", job=event.job_id, every=job.trigger.interval, next_run=job.next_run_time)
        except Exception as exc:  # noqa: BLE001  (database down: the periodic sync catches up)
            _event("sync.failed", logging.WARNING, reason=_first_line(exc))


def _ensure_job(scheduler, job_id: str, func: str, interval: timedelta, kwargs: dict,
                executor: str = "default", first_run: datetime | None = None) -> str:
    """Add the job, or bring its interval and arguments up to date; an unchanged job keeps its next run."""
    job = scheduler.get_job(job_id, jobstore="default")
    trigger = IntervalTrigger(seconds=int(interval.total_seconds()), jitter=_jitter(interval), timezone=timezone.utc)
    grace = int(interval.total_seconds())   # a run late by less than an interval is still worth doing
    if job is None:
        scheduler.add_job(func, trigger, id=job_id, name=job_id, kwargs=kwargs, executor=executor,
                          misfire_grace_time=grace, jobstore="default",
                          next_run_time=first_run or datetime.now(timezone.utc) + interval)
        return "added"
    if job.trigger.interval != interval:
        job.modify(kwargs=kwargs, misfire_grace_time=grace)
        job.reschedule(trigger)
        return "rescheduled"
    if job.kwargs != kwargs:
        job.modify(kwargs=kwargs)
        return "updated"
    return "kept"


def sync_jobs(scheduler, options: Options = Options(), only: str | None = None) -> dict[str, str]:
    """Make the stored jobs match the enabled sources (one `crawl:<name>` each) plus extract and maintenance.

    New sources are crawled right away; a changed interval or failure backoff reschedules the
    job; disabled or deleted sources lose their job. With `only`, just that source's job.
    """
    from sqlmodel import select

    from openwatch.config import get_settings
    from storage.db import session_scope
    from storage.models import Source

    with session_scope(get_settings().database_url) as session:
        query = select(Source)
        if only is not None:
            query = query.where(Source.name == only)
        sources = {s.name: s for s in session.exec(query).all()}
    now = datetime.now(timezone.utc)
    changes = {}
    for name, source in sources.items():
        job_id = CRAWL_PREFIX + name
        if not source.enabled:
            if scheduler.get_job(job_id, jobstore="default"):
                scheduler.remove_job(job_id, jobstore="default")
                changes[job_id] = "removed"
            continue
        changes[job_id] = _ensure_job(scheduler, job_id, "scheduler:crawl_job",
                                      crawl_interval(source.interval_minutes, source.consecutive_failures),
                                      {"source_name": name, "timeout_s": options.crawl_timeout_s,
                                       "stop_grace_s": options.stop_grace_s}, first_run=now)
    if only is not None:
        return changes
    for job in scheduler.get_jobs(jobstore="default"):
        if job.id.startswith(CRAWL_PREFIX) and job.id[len(CRAWL_PREFIX):] not in sources:
            job.remove()
            changes[job.id] = "removed"
    if options.extract:
        changes[EXTRACT_JOB] = _ensure_job(scheduler, EXTRACT_JOB, "scheduler:extract_job",
                                           timedelta(minutes=options.extract_every_min),
                                           {"batch_size": options.extract_batch}, executor="local", first_run=now)
    elif scheduler.get_job(EXTRACT_JOB, jobstore="default"):
        scheduler.remove_job(EXTRACT_JOB, jobstore="default")
        changes[EXTRACT_JOB] = "removed"
    changes[MAINTENANCE_JOB] = _ensure_job(
        scheduler, MAINTENANCE_JOB, "scheduler:maintenance_job", timedelta(hours=options.maintenance_every_h),
        {"retention_days": options.retention_days, "stale_after_s": 2 * options.crawl_timeout_s + 60},
        executor="local")
    return changes


def _periodic_sync(scheduler, options: Options) -> None:
    with _syncing:
        if _stopping.is_set():
            return
        try:
            changed = {k: v for k, v in sync_jobs(scheduler, options).items() if v != "kept"}
        except Exception as exc:  # noqa: BLE001  (database down: try again next time)
            _event("sync.failed", logging.WARNING, reason=_first_line(exc))
            return
    if changed:
        _event("sync", **changed)


def list_jobs() -> list[tuple[str, datetime | None, timedelta]]:
    """(job id, next run time, interval) of the stored jobs, without running any."""
    return [(job.id, job.next_run_time, job.trigger.interval) for job in open_job_store().get_all_jobs()]


class AlreadyRunning(RuntimeError):
    """Another scheduler holds this database's scheduler lock."""


@contextmanager
def single_scheduler() -> Iterator[None]:
    """Hold the database's scheduler lock for the life of the process: two schedulers on one job
    table would run every job twice. PostgreSQL: a session advisory lock; SQLite: flock on a file
    beside the database."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from openwatch.config import get_settings
    from storage.db import get_engine

    url = get_settings().database_url
    if make_url(url).get_backend_name() == "sqlite":
        import fcntl

        with open(f"{make_url(url).database}.scheduler-lock", "w") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as exc:
                raise AlreadyRunning("another `openwatch schedule` is running on this database") from exc
            yield
        return
    with get_engine(url).connect() as conn:
        if not conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": LOCK_KEY}).scalar():
            raise AlreadyRunning("another `openwatch schedule` is running on this database")
        yield
        try:
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY})
        except Exception:  # noqa: BLE001  (the connection was lost: the server has released the lock)
            conn.invalidate()


def serve(options: Options = Options()) -> None:
    """Run the scheduler on OPENWATCH_DATABASE_URL until SIGTERM or SIGINT; then stop cleanly.

    Raises AlreadyRunning when another scheduler serves the same database."""
    with single_scheduler():
        _serve(options)


def _serve(options: Options) -> None:
    stop = threading.Event()
    install_stop_handlers(stop)
    _stopping.clear()
    stale = _abandon_stale_runs(options.crawl_timeout_s + 2 * options.stop_grace_s)
    scheduler = build_scheduler(options)
    scheduler.start(paused=True)
    changes = sync_jobs(scheduler, options)
    scheduler.add_job(_periodic_sync, IntervalTrigger(seconds=SYNC_EVERY_S), args=[scheduler, options],
                      id="sync-sources", jobstore="memory", executor="local")
    scheduler.resume()
    _event("scheduler.started", jobs=len(changes), abandoned_stale_runs=stale,
           **{k: v for k, v in changes.items() if v != "kept"})
    stop.wait()
    shut_down(scheduler)


def shut_down(scheduler: BackgroundScheduler) -> None:
    """Stop taking jobs, let running ones finish their current unit (a crawl: within its stop grace), then stop."""
    _event("scheduler.stopping")
    _stopping.set()
    with _syncing:               # a sync under way ends first; later ones see _stopping and return
        pass
    scheduler.shutdown(wait=True)
    _event("scheduler.stopped")


def install_stop_handlers(stop: threading.Event) -> None:
    """SIGTERM and SIGINT set `stop`; the work itself is stopped outside the signal handler."""
    def handler(signum, _frame):
        _event("signal", signal=signal.Signals(signum).name)
        stop.set()

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, handler)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{exc.__class__.__name__}: {text.splitlines()[0] if text else ''}"
