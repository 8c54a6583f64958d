"""A local HTTP server for the demo site, on 127.0.0.1 and a free port.

    with DemoServer() as server:
        print(server.url("/feeds/rss.xml"))

Pages are rendered once for the server's own address and served from memory by a threaded
`http.server`, with `ETag`/`Last-Modified` so feed readers can make conditional requests.
"""
from __future__ import annotations

import hashlib
import threading
from datetime import timezone
from email.utils import format_datetime, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from openwatch.demo.site import DemoSite, Resource, load_site


class _Handler(BaseHTTPRequestHandler):
    server: "_SiteHTTPServer"
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def _respond(self, send_body: bool) -> None:
        resource = self.server.pages.get(urlsplit(self.path).path)
        if resource is None:
            body = b"not found"
            self.send_response(HTTPStatus.NOT_FOUND)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if send_body:
                self.wfile.write(body)
            return
        etag = '"%s"' % hashlib.sha1(resource.body).hexdigest()[:16]
        if self._not_modified(etag, resource):
            self.send_response(HTTPStatus.NOT_MODIFIED)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", resource.content_type)
        self.send_header("Content-Length", str(len(resource.body)))
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", format_datetime(resource.last_modified.astimezone(timezone.utc), usegmt=True))
        self.end_headers()
        if send_body:
            self.wfile.write(resource.body)

    def _not_modified(self, etag: str, resource: Resource) -> bool:
        if (match := self.headers.get("If-None-Match")) is not None:
            return etag in (tag.strip() for tag in match.split(","))
        if since := self.headers.get("If-Modified-Since"):
            try:
                return resource.last_modified.replace(microsecond=0) <= parsedate_to_datetime(since)
            except (TypeError, ValueError):
                return False
        return False

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's signature
        self.server.requests.append(self.path)


class _SiteHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    pages: dict[str, Resource]
    requests: list[str]


class DemoServer:
    """Serves the demo site on 127.0.0.1:<free port> from a background thread (a context manager)."""

    def __init__(self, site: DemoSite | None = None, host: str = "127.0.0.1", port: int = 0):
        self.site = site or load_site()
        self._httpd = _SiteHTTPServer((host, port), _Handler)
        self._httpd.requests = []
        self.base_url = f"http://{host}:{self._httpd.server_address[1]}"
        self._httpd.pages = self.site.render(self.base_url)
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def requests(self) -> list[str]:
        """Paths requested so far, in order (the access log)."""
        return list(self._httpd.requests)

    def url(self, path: str = "/") -> str:
        return self.base_url + path

    def start(self) -> "DemoServer":
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="openwatch-demo-site", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread:
            self._thread.join()

    def __enter__(self) -> "DemoServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
