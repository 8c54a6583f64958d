"""Local network helpers for the dashboard, benchmarks and tests."""
from __future__ import annotations

import socket


def free_port() -> int:
    """A port on 127.0.0.1 with nothing listening on it now (connections to it are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
