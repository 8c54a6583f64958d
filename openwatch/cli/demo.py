"""`openwatch demo`: crawl the bundled demo news site and extract its claims, offline."""
from __future__ import annotations

import typer

from openwatch.cli.common import UserError, console


def demo() -> None:
    """Serve the bundled demo news site on a free localhost port, register it as sources, crawl it
    through the real spiders and feed reader, extract claims, and print a summary. The database
    is left for `openwatch dashboard`. Re-running updates the demo sources and stores no article twice.

    Example: openwatch demo && openwatch dashboard
    """
    from rich.table import Table

    from openwatch.cli.crawl import crawl_table
    from openwatch.demo.run import run_demo
    from storage.db import DatabaseError

    try:
        summary = run_demo()
    except DatabaseError as exc:
        raise UserError(f"{exc}. Check OPENWATCH_DATABASE_URL.") from exc
    console.print(f"demo site served at {summary.base_url} (stopped)")
    console.print(crawl_table(summary.crawl_runs))
    console.print(f"extracted {summary.extracted} article(s); the database holds {summary.articles} article(s) "
                  f"and {summary.duplicates} near-duplicate(s)")
    table = Table("claims by stance", "count")
    for stance, count in sorted(summary.claims.items()):
        table.add_row(stance, str(count))
    console.print(table)
    table = Table("signal", "count")
    for signal, count in summary.signals.most_common():
        table.add_row(signal, str(count))
    console.print(table)
    console.print("next: openwatch dashboard")


def register(app: typer.Typer) -> None:
    app.command()(demo)
