"""`openwatch worker extract|crawl`: processes that share the work of one database (and one Redis)."""
from __future__ import annotations

import typer

from openwatch.cli.common import UserError

worker_app = typer.Typer(help="Run worker processes; start as many as you like, on any machines.",
                         no_args_is_help=True)


@worker_app.command("extract")
def extract_worker(
    batch_size: int = typer.Option(20, min=1, help="Articles taken (and locked) per batch."),
    idle_sleep: float = typer.Option(10.0, min=0.1, help="Seconds to wait when nothing is pending."),
    exit_when_idle: bool = typer.Option(False, help="Exit once nothing is pending instead of waiting for more."),
) -> None:
    """Extract claims and signals from pending articles, batch by batch, until SIGTERM.

    On PostgreSQL each batch is taken with SELECT ... FOR UPDATE SKIP LOCKED, so several
    workers never extract the same article at once; a killed worker's batch is rolled back
    and taken by another. Stopping finishes the current batch.

    Example: OPENWATCH_DATABASE_URL=postgresql+psycopg://openwatch@db:5432/openwatch openwatch worker extract
    """
    import logging
    import threading

    import scheduler

    scheduler.configure_logging()
    log = logging.getLogger("openwatch.worker")
    stop = threading.Event()
    scheduler.install_stop_handlers(stop)
    total = 0
    while not stop.is_set():
        done = scheduler.extract_until_idle(batch_size, stop)
        total += done
        if done:
            log.info("extract.batch", extra={"kv": {"articles": done, "total": total}})
        elif exit_when_idle:
            break
        else:
            stop.wait(idle_sleep)
    log.info("extract.worker.stopped", extra={"kv": {"total": total}})


@worker_app.command("crawl")
def crawl_worker(
    exit_when_idle: float = typer.Option(0.0, min=0.0, help="Exit after this many idle seconds (0: run until SIGTERM)."),
) -> None:
    """Crawl URLs from the shared Redis frontier (scrapy-redis) into the shared database, until SIGTERM.

    The scheduler pushes each source's start URLs when its crawl is due; every worker takes
    requests from one Redis queue and one dupefilter, so a page is fetched once however many
    workers run. Needs OPENWATCH_REDIS_URL and the `redis` extra (pip install 'openwatch[redis]').

    Example: OPENWATCH_REDIS_URL=redis://redis:6379/0 openwatch worker crawl
    """
    from openwatch.config import get_settings

    settings = get_settings()
    if not settings.redis_url:
        raise UserError("OPENWATCH_REDIS_URL is not set; set it to the shared Redis, e.g. redis://127.0.0.1:6379/0")
    import scheduler

    scheduler.configure_logging()
    try:
        from crawler.distributed import run_worker
    except ImportError as exc:
        raise UserError(f"Redis crawling needs the redis extra ({exc.name} is missing): "
                        "pip install 'openwatch[redis]'") from exc
    run_worker(idle_timeout_s=exit_when_idle or None)


def register(app: typer.Typer) -> None:
    app.add_typer(worker_app, name="worker")
