"""`openwatch init`: create or upgrade the database schema."""
from __future__ import annotations

import typer

from openwatch.cli.common import UserError, console


def init() -> None:
    """Create or upgrade the database schema (Alembic migrations) at OPENWATCH_DATABASE_URL.

    Example: openwatch init
    """
    from sqlalchemy.engine import make_url

    from openwatch.config import get_settings
    from storage.db import DatabaseError, upgrade

    url = get_settings().database_url
    try:
        revision = upgrade(url)
    except DatabaseError as exc:
        raise UserError(f"{exc}. Check OPENWATCH_DATABASE_URL.") from exc
    console.print(f"database ready at {make_url(url).render_as_string(hide_password=True)} (schema revision {revision})")


def register(app: typer.Typer) -> None:
    app.command()(init)
