"""`openwatch schedule`: run the background scheduler (crawl every source, extract, maintain)."""
from __future__ import annotations

import typer

from openwatch.cli.common import UserError, console


def schedule(
    list_only: bool = typer.Option(False, "--list", help="Print the stored jobs and their next run times, then exit."),
    concurrency: int = typer.Option(2, min=1, help="Crawls running at the same time."),
    crawl_timeout: int = typer.Option(3600, min=1, help="Seconds before a crawl is stopped and recorded as failed."),
    stop_grace: float = typer.Option(30.0, min=0.0, help="On shutdown, seconds a crawl may finish; then as many to close after SIGTERM."),
    extract: bool = typer.Option(True, help="Run the extraction job here (--no-extract when extract workers do it)."),
    extract_every: int = typer.Option(10, min=1, help="Minutes between extraction runs."),
    maintenance_every: int = typer.Option(24, min=1, help="Hours between maintenance runs."),
    retention_days: int = typer.Option(30, min=1, help="Days raw page bodies are kept for re-extraction."),
) -> None:
    """Crawl every enabled source at its own interval, extract new articles and maintain the database.

    Runs until SIGTERM or Ctrl-C. Jobs live in the database (table apscheduler_jobs), so a
    restart keeps them and their next run times. Logs are key=value lines on stderr.

    Example: openwatch schedule --concurrency 2 --retention-days 30
    """
    import scheduler
    from openwatch.config import get_settings
    from storage.db import DatabaseError, upgrade

    try:
        upgrade(get_settings().database_url)
    except DatabaseError as exc:
        raise UserError(f"{exc}. Check OPENWATCH_DATABASE_URL.") from exc
    if list_only:
        _print_jobs(scheduler.list_jobs())
        return
    scheduler.configure_logging()
    try:
        scheduler.serve(scheduler.Options(crawl_timeout_s=crawl_timeout, stop_grace_s=stop_grace,
                                          crawl_concurrency=concurrency, extract=extract,
                                          extract_every_min=extract_every, maintenance_every_h=maintenance_every,
                                          retention_days=retention_days))
    except scheduler.AlreadyRunning as exc:
        raise UserError(f"{exc}; stop it first (one scheduler per database, any number of workers)") from exc


def _print_jobs(jobs) -> None:
    from rich.table import Table

    if not jobs:
        console.print("no jobs stored yet: start `openwatch schedule` once")
        return
    table = Table("job", "next run (UTC)", "every")
    for job_id, next_run, interval in jobs:
        table.add_row(job_id, next_run.strftime("%Y-%m-%d %H:%M:%S") if next_run else "paused", str(interval))
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command()(schedule)
