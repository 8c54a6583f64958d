"""What every command shares: the user-error type, consoles and progress bars."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

console = Console()
err_console = Console(stderr=True)


class UserError(Exception):
    """A mistake the user can fix (bad URL, unknown source, unreadable file): printed as one line, exit 2."""


@contextmanager
def progress_bar(description: str, total: int | None) -> Iterator[callable]:
    """A progress bar on stderr; yields `advance(n=1)`. Silent when stderr is not a terminal."""
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TimeRemainingColumn(), console=err_console, transient=True,
                  disable=not err_console.is_terminal) as progress:
        task = progress.add_task(description, total=total)
        yield lambda n=1: progress.advance(task, n)
