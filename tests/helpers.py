"""Helpers for tests of every area (importable as `helpers`: tests/ is on the pytest pythonpath)."""
from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
PG_ADMIN_URL = os.environ.get("OPENWATCH_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("OPENWATCH_TEST_REDIS", "redis://127.0.0.1:6379/0")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def require_service(name: str, host: str, port: int) -> None:
    """Skip (or fail under CI=true) when a service does not answer."""
    if _port_open(host, port):
        return
    message = f"{name} not answering on {host}:{port}"
    if IN_CI:
        pytest.fail(f"{message}; it is mandatory under CI=true")
    pytest.skip(f"{message} (mandatory under CI=true)")


def run_openwatch(*args: str, env: dict | None = None, timeout: float = 300, input: str | None = None):
    """Run the installed `openwatch` command in a subprocess (the environment is inherited)."""
    import subprocess
    import sys

    exe = Path(sys.executable).with_name("openwatch")
    return subprocess.run([str(exe), *args], capture_output=True, text=True, env=env, timeout=timeout, input=input)
