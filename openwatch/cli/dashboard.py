"""`openwatch dashboard`: start the Streamlit analyst dashboard."""
from __future__ import annotations

import typer

from openwatch.cli.common import UserError, console


def dashboard(
    port: int = typer.Option(8501, help="Port to listen on."),
    host: str = typer.Option("127.0.0.1", help="Address to listen on (0.0.0.0 to share on the network)."),
) -> None:
    """Start the analyst dashboard (Streamlit) on the configured database and print its URL.

    Example: openwatch dashboard --port 8502
    """
    import os
    import sys
    from importlib import resources

    from storage.db import DatabaseError, upgrade

    if not 0 < port < 65536:
        raise UserError(f"--port {port} is not a TCP port; choose 1-65535")
    try:
        upgrade()
    except DatabaseError as exc:
        raise UserError(f"{exc}. Check OPENWATCH_DATABASE_URL.") from exc
    app = resources.files("dashboard") / "app.py"
    console.print(f"OpenWatch dashboard: http://{host}:{port}/  (Ctrl+C stops it)")
    os.execv(sys.executable, [sys.executable, "-m", "streamlit", "run", str(app), "--server.port", str(port),
                              "--server.address", host, "--server.headless", "true",
                              "--browser.gatherUsageStats", "false", "--client.toolbarMode", "minimal"])


def register(app: typer.Typer) -> None:
    app.command()(dashboard)
