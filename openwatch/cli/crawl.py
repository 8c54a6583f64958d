"""`openwatch crawl`: fetch the enabled sources (or one) and store new articles."""
from __future__ import annotations

from typing import Optional

import typer

from openwatch.cli.common import UserError, console, progress_bar


def crawl(source: Optional[list[str]] = typer.Option(None, "--source", "-s", help="Source name (repeatable); default: all enabled sources.")) -> None:
    """Crawl feeds, sitemaps and site sections; each source gets a CrawlRun and updated health.

    Example: openwatch crawl --source techcrunch-ai
    """
    from crawler.run import crawl as run_crawl
    from storage.db import DatabaseError, upgrade
    from storage.sources import SourceError

    try:
        upgrade()
    except DatabaseError as exc:
        raise UserError(f"{exc}. Check OPENWATCH_DATABASE_URL.") from exc
    try:
        with progress_bar("crawling", total=None) as advance:
            summaries = run_crawl(source or None, on_page=advance)
    except SourceError as exc:
        raise UserError(str(exc)) from exc
    if not summaries:
        raise UserError("no enabled sources; add one with `openwatch sources add URL` or `openwatch sources import FILE`")
    console.print(crawl_table(summaries))


def crawl_table(summaries):
    """One row per source crawled: status, counts and the first problem met."""
    from rich.table import Table

    table = Table("source", "status", "pages", "new", "duplicates", "first problem")
    for s in summaries:
        status = "not modified" if s.not_modified and s.status == "ok" else s.status
        table.add_row(s.source, status, str(s.pages), str(s.new_articles), str(s.duplicates),
                      (s.errors[0][:100] + (f" (+{len(s.errors) - 1} more)" if len(s.errors) > 1 else "")) if s.errors else "")
    return table


def register(app: typer.Typer) -> None:
    app.command()(crawl)
