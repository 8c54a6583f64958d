"""Fixtures for the scheduler tests: `openwatch schedule` and workers as real subprocesses."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

OPENWATCH = str(Path(sys.executable).with_name("openwatch"))


def _wait_for(predicate, timeout: float = 30.0, every: float = 0.2, what: str = "condition"):
    """Poll `predicate` until it returns something truthy; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    pytest.fail(f"timed out after {timeout}s waiting for {what}")


class Service:
    """One `openwatch ...` process with its stderr in a file, stopped with SIGTERM."""

    def __init__(self, tmp_path: Path, *args: str, env: dict | None = None, name: str = "service"):
        self.log_path = tmp_path / f"{name}-{time.monotonic_ns()}.log"
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen([OPENWATCH, *args], stdout=self._log, stderr=subprocess.STDOUT,
                                     env={**os.environ, **(env or {})})

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_log(self, needle: str, timeout: float = 30.0) -> None:
        _wait_for(lambda: needle in self.log or self.proc.poll() is not None, timeout, what=needle)
        assert needle in self.log, f"process ended without logging {needle!r}:\n{self.log[-3000:]}"

    def stop(self, timeout: float = 60.0) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        finally:
            self._log.close()

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait()
        self._log.close()


@pytest.fixture
def services(tmp_path):
    """Start services with `services(*args, env=...)`; all are stopped at the end of the test."""
    started: list[Service] = []

    def start(*args: str, env: dict | None = None, name: str = "service") -> Service:
        service = Service(tmp_path, *args, env=env, name=name)
        started.append(service)
        return service

    yield start
    for service in started:
        if service.proc.poll() is None:
            service.kill()


@pytest.fixture
def wait_for():
    """`wait_for(predicate, timeout=30, what=...)`: poll until truthy, else fail saying what was awaited."""
    return _wait_for


@pytest.fixture
def stored_jobs():
    """`stored_jobs(url)` → {job id: next run timestamp} straight from the apscheduler_jobs table."""
    from storage.db import get_engine

    def read(url: str) -> dict[str, float]:
        engine = get_engine(url)
        if not inspect(engine).has_table("apscheduler_jobs"):   # the scheduler has not started yet
            return {}
        with engine.connect() as conn:
            return dict(conn.execute(text("SELECT id, next_run_time FROM apscheduler_jobs")).all())

    return read


@pytest.fixture
def free_port() -> int:
    """A local port with nothing listening (connections are refused)."""
    from openwatch import net

    return net.free_port()


@pytest.fixture
def extraction_log(pg_url):
    """An `extraction_log` table filled by a trigger whenever an article's extraction is committed.

    Returns `read()` → [(article id, backend pid)]: what the database accepted, whatever workers report.
    """
    from storage.db import get_engine

    ddl = ["CREATE TABLE extraction_log (article_id int NOT NULL, pid int NOT NULL)",
           """CREATE FUNCTION log_extraction() RETURNS trigger LANGUAGE plpgsql AS $$
              BEGIN
                IF NEW.extraction_status = 'done' AND NEW.extracted_at IS DISTINCT FROM OLD.extracted_at THEN
                  INSERT INTO extraction_log VALUES (NEW.id, pg_backend_pid());
                END IF;
                RETURN NEW;
              END $$""",
           "CREATE TRIGGER article_extracted AFTER UPDATE ON article FOR EACH ROW EXECUTE FUNCTION log_extraction()"]
    with get_engine(pg_url).begin() as conn:
        for statement in ddl:
            conn.execute(text(statement))

    def read() -> list[tuple[int, int]]:
        with get_engine(pg_url).connect() as conn:
            return conn.execute(text("SELECT article_id, pid FROM extraction_log")).all()

    yield read
    with get_engine(pg_url).begin() as conn:
        conn.execute(text("DROP TRIGGER article_extracted ON article"))
        conn.execute(text("DROP FUNCTION log_extraction()"))
        conn.execute(text("DROP TABLE extraction_log"))


@pytest.fixture
def silent_server():
    """A local port that accepts connections and never answers: a crawl there hangs. Yields its URL."""
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    sock.close()


class TcpProxy:
    """127.0.0.1:<port> → target, which can be taken down (all connections cut) and brought back."""

    def __init__(self, target: tuple[str, int]):
        import socket

        self.target = target
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self._sockets: list = []
        self._listener = None

    def up(self) -> None:
        import socket
        import threading

        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", self.port))
        self._listener.listen(64)
        threading.Thread(target=self._accept, args=(self._listener,), daemon=True).start()

    def down(self) -> None:
        import socket

        self._listener.shutdown(socket.SHUT_RDWR)   # wakes the blocked accept(); close() alone does not
        self._listener.close()
        for sock in self._sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
        self._sockets.clear()

    def _accept(self, listener) -> None:
        import socket
        import threading

        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self._sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source, sink) -> None:
        import socket

        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):   # shutdown sends FIN even while the other pump blocks in recv
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()


@pytest.fixture
def pg_proxy(pg_url):
    """(proxied database URL, proxy): the test's PostgreSQL behind a TCP proxy that can go down."""
    from sqlalchemy.engine import make_url

    real = make_url(pg_url)
    proxy = TcpProxy((real.host, real.port or 5432))
    proxy.up()
    yield real.set(port=proxy.port).render_as_string(hide_password=False), proxy
    proxy.down()
