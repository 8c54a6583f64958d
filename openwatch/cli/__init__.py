"""The `openwatch` command. Each command group lives in its own module with a `register(app)`.

Heavy libraries (Scrapy, spaCy, Streamlit) are imported inside the commands, so `--help` is quick.
"""
from __future__ import annotations

import importlib
import sys

import typer
from rich.markup import escape

from openwatch.cli.common import UserError, err_console

app = typer.Typer(
    name="openwatch",
    help="Watch the news for how AI models are described: open, closed or open-washed.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)



@app.callback()
def _root() -> None:
    """Watch the news for how AI models are described: open, closed or open-washed.

    Settings come from the environment: OPENWATCH_DATA_DIR (default ./data),
    OPENWATCH_DATABASE_URL (default sqlite:///$OPENWATCH_DATA_DIR/openwatch.db),
    OPENWATCH_REDIS_URL (shared crawl frontier, optional).
    """


COMMAND_MODULES = ("admin", "sources", "crawl", "extract", "kb", "export", "schedule", "worker", "dashboard", "demo")
for _name in COMMAND_MODULES:
    importlib.import_module(f"openwatch.cli.{_name}").register(app)


def main() -> None:
    """Entry point: user mistakes become one clear line on stderr and exit code 2."""
    try:
        app()
    except UserError as exc:
        err_console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        sys.exit(2)
