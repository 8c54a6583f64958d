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
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_MISSED
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

log = logging.getLogger("openwatch.scheduler")

JOBS_TABLE = "apscheduler_jobs"
EXTRACT_JOB = "extract"
MAINTENANCE_JOB = "maintenance"
CRAWL_PREFIX = "crawl:"
MAX_BACKOFF = timedelta(days=1)
STOP_GRACE_S = 20.0          # how long a stopped crawl may take to close its run before SIGKILL
SYNC_EVERY_S = 60            # how often sources added, changed or disabled are picked up

_stopping = threading.Event()          # set on shutdown: jobs finish their current unit and return
_unrecorded: list[dict] = []           # failures that could not be written (database down), retried
_unrecorded_lock = threading.Lock()


@dataclass(frozen=True)
class Options:
    """What `openwatch schedule` lets the user tune."""

    crawl_timeout_s: int = 3600
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
        if record.exc_info:
            fields["exc"] = self.formatException(record.exc_info).splitlines()[-1]
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


def crawl_job(source_name: str, timeout_s: int = 3600) -> str:
    """Crawl one source: push its start URLs to Redis, or run `openwatch crawl` and watch it."""
    _flush_unrecorded()
    from openwatch.config import get_settings

    if get_settings().redis_url:
        from crawler.distributed import push_source

        pushed = push_source(source_name)
        _event("crawl.pushed", source=source_name, urls=pushed)
        return "pushed"
    started = datetime.now(timezone.utc)
    t0 = time.monotonic()
    with tempfile.TemporaryFile() as errfile:
        proc = subprocess.Popen([*_openwatch_command(), "crawl", "--source", source_name],
                                stdout=subprocess.DEVNULL, stderr=errfile, start_new_session=True)
        _event("crawl.started", source=source_name, pid=proc.pid)
        outcome = _watch(proc, timeout_s)
        errfile.seek(0)
        tail = errfile.read().decode("utf-8", "replace").strip().splitlines()[-5:]
    duration = round(time.monotonic() - t0, 2)
    if outcome == "ok" and proc.returncode == 0:
        _event("crawl.finished", source=source_name, duration_s=duration)
        return "ok"
    if outcome == "stopped":
        _record(source_name, started, "abandoned", "stopped by scheduler shutdown")
        _event("crawl.abandoned", logging.WARNING, source=source_name, duration_s=duration)
        return "abandoned"
    error = (f"timed out after {timeout_s}s" if outcome == "timeout"
             else f"exit code {proc.returncode}: " + " | ".join(tail))
    _record(source_name, started, "failed", error)
    raise CrawlFailed(error)


def _watch(proc: subprocess.Popen, timeout_s: float) -> str:
    """Wait for the crawl; stop it on timeout or shutdown. Returns ok | timeout | stopped."""
    deadline = time.monotonic() + timeout_s
    while proc.poll() is None:
        if _stopping.wait(0.5) or time.monotonic() > deadline:
            outcome = "stopped" if _stopping.is_set() else "timeout"
            proc.terminate()                      # Scrapy closes the spider gracefully on SIGTERM
            try:
                proc.wait(STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            return outcome
    return "ok"


def _record(source_name: str, started: datetime, status: str, error: str) -> None:
    """Close the run the crawl left open; if the database is down, keep it for the next job."""
    entry = {"source_name": source_name, "since": started, "status": status, "error": error}
    try:
        _write_record(entry)
    except Exception as exc:  # noqa: BLE001  (database unreachable: retried by the next job)
        _event("run.unrecorded", logging.WARNING, source=source_name, status=status, reason=_first_line(exc))
        with _unrecorded_lock:
            _unrecorded.append(entry)


def _write_record(entry: dict) -> None:
    from storage.work import close_unfinished_run

    run = close_unfinished_run(**entry)
    if run is not None:
        _event("run.recorded", source=entry["source_name"], status=entry["status"], run_id=run.id)


def _flush_unrecorded() -> None:
    with _unrecorded_lock:
        pending, _unrecorded[:] = list(_unrecorded), []
    for i, entry in enumerate(pending):
        try:
            _write_record(entry)
        except Exception:  # noqa: BLE001  (still down: keep the rest for later)
            with _unrecorded_lock:
                _unrecorded.extend(pending[i:])
            return


def extract_until_idle(batch_size: int, stop: threading.Event, skip_locked: bool | None = None) -> int:
    """Extract pending articles batch by batch until none is left or `stop` is set; returns the count.

    Each batch is its own unit of work: stopping waits for the current batch only. On PostgreSQL
    batches are taken with SKIP LOCKED, so any number of processes can run this at once.
    """
    from openwatch.extraction import extract_pending
    from storage.db import get_engine

    if skip_locked is None:
        skip_locked = get_engine().dialect.name == "postgresql"
    total = 0
    while not stop.is_set():
        done = extract_pending(batch_size=batch_size, limit=batch_size, skip_locked=skip_locked)
        total += done
        if done == 0:
            break
    return total


def extract_job(batch_size: int = 50) -> int:
    """Extract the articles stored since the last run."""
    _flush_unrecorded()
    t0 = time.monotonic()
    done = extract_until_idle(batch_size, _stopping)
    _event("extract.finished", articles=done, duration_s=round(time.monotonic() - t0, 2))
    return done


def maintenance_job(retention_days: int = 30, stale_after_s: int = 2 * 3600) -> dict:
    """Retention of raw page bodies, orphaned runs, and planner statistics / vacuum."""
    _flush_unrecorded()
    from storage.work import abandon_stale_runs, optimize_database, prune_page_bodies

    result = {"pruned_pages": prune_page_bodies(retention_days),
              "abandoned_runs": abandon_stale_runs(timedelta(seconds=stale_after_s)),
              "optimize": optimize_database()}
    _event("maintenance.finished", **result)
    return result


# --- schedule ------------------------------------------------------------------------------

def crawl_interval(interval_minutes: int, consecutive_failures: int) -> timedelta:
    """The source's interval, doubled per consecutive failure, capped at a day (or the interval)."""
    base = timedelta(minutes=max(1, interval_minutes))
    return min(base * 2 ** min(consecutive_failures, 16), max(base, MAX_BACKOFF))


def _jitter(interval: timedelta) -> int:
    return int(min(interval.total_seconds() * 0.1, 300))


def build_scheduler(options: Options = Options()) -> BackgroundScheduler:
    """A scheduler whose jobs live in the project database (`apscheduler_jobs`)."""
    from storage.db import get_engine

    scheduler = BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=get_engine(), tablename=JOBS_TABLE),
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
    if event.job_id.startswith(CRAWL_PREFIX) and not _stopping.is_set():
        try:
            sync_jobs(scheduler, only=event.job_id[len(CRAWL_PREFIX):])
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

    from storage.db import session_scope
    from storage.models import Source

    with session_scope() as session:
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
                                      {"source_name": name, "timeout_s": options.crawl_timeout_s}, first_run=now)
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
    try:
        changed = {k: v for k, v in sync_jobs(scheduler, options).items() if v != "kept"}
    except Exception as exc:  # noqa: BLE001  (database down: try again next time)
        _event("sync.failed", logging.WARNING, reason=_first_line(exc))
        return
    if changed:
        _event("sync", **changed)


def list_jobs() -> list[tuple[str, datetime | None, timedelta]]:
    """(job id, next run time, interval) of the stored jobs, without running any."""
    scheduler = build_scheduler()
    scheduler.start(paused=True)
    try:
        return [(job.id, job.next_run_time, job.trigger.interval) for job in scheduler.get_jobs(jobstore="default")]
    finally:
        scheduler.shutdown(wait=False)


def serve(options: Options = Options()) -> None:
    """Run the scheduler on OPENWATCH_DATABASE_URL until SIGTERM or SIGINT; then stop cleanly."""
    from storage.work import abandon_stale_runs

    stop = threading.Event()
    install_stop_handlers(stop)
    _stopping.clear()
    stale = abandon_stale_runs(timedelta(seconds=options.crawl_timeout_s + STOP_GRACE_S))
    scheduler = build_scheduler(options)
    scheduler.start(paused=True)
    changes = sync_jobs(scheduler, options)
    scheduler.add_job(_periodic_sync, IntervalTrigger(seconds=SYNC_EVERY_S), args=[scheduler, options],
                      id="sync-sources", jobstore="memory", executor="local")
    scheduler.resume()
    _event("scheduler.started", jobs=len(changes), abandoned_stale_runs=stale,
           **{k: v for k, v in changes.items() if v != "kept"})
    stop.wait()
    _event("scheduler.stopping")
    _stopping.set()
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
