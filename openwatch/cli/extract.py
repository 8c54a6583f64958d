"""`openwatch extract` (to be written by its area)."""
import typer


def register(app: typer.Typer) -> None:
    pass
