"""A local news site of N distinct article pages with a sitemap, served on 127.0.0.1 (tests and bench/scale.py)."""
from __future__ import annotations

import random
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LETTERS = "abcdefghijklmnopqrstuvwxyz"
CLAIMS = ("Meta said Llama {n} is open source, but critics say it is not truly open because of its licence.",
          "OpenAI keeps GPT-{n} closed and offers it only through its API.",
          "Mistral released the weights of model {n} under Apache 2.0 and disclosed no training data.")


def article_html(n: int) -> bytes:
    rng = random.Random(n)
    def word() -> str:   # random letters: pages share few character 4-grams, so none is a near-duplicate
        return "".join(rng.choice(LETTERS) for _ in range(rng.randint(2, 9)))

    paragraphs = [" ".join(word() for _ in range(60)).capitalize() + "." for _ in range(4)]
    paragraphs.insert(1, CLAIMS[n % len(CLAIMS)].format(n=n))
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Report {n}</title></head>"
            f"<body><article><h1>Report number {n} on model openness</h1>"
            f"<p class='date'>2026-11-{1 + n % 20:02d}</p>{body}</article></body></html>").encode()


class SyntheticSite:
    """`with SyntheticSite(300) as site:` → site.url (base), site.sitemap, site.hits (path → fetch count).

    `delay_s` slows every article response (a crawl that lasts long enough to interrupt)."""

    def __init__(self, pages: int, delay_s: float = 0.0):
        self.pages, self.delay_s = pages, delay_s
        self.hits: dict[str, int] = {}
        self._lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                with site._lock:
                    site.hits[self.path] = site.hits.get(self.path, 0) + 1
                if self.path == "/sitemap.xml":
                    urls = "".join(f"<url><loc>{site.url}/news/{n}.html</loc></url>" for n in range(site.pages))
                    self._send(b'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/'
                               b'schemas/sitemap/0.9">' + urls.encode() + b"</urlset>", "application/xml")
                elif self.path.startswith("/news/") and self.path.endswith(".html"):
                    time.sleep(site.delay_s)
                    self._send(article_html(int(self.path[6:-5])), "text/html; charset=utf-8")
                else:
                    self.send_error(404)

            def _send(self, body: bytes, content_type: str):
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.sitemap = f"{self.url}/sitemap.xml"

    def article_hits(self) -> dict[str, int]:
        return {path: count for path, count in self.hits.items() if path.startswith("/news/")}

    def __enter__(self) -> "SyntheticSite":
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
