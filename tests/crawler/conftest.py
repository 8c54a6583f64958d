"""A local fixture site with the failure modes a news crawl meets, on 127.0.0.1."""
from __future__ import annotations

import gzip
import json
import random
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

WORDS = ("open weights licence training data release usage cap developers community research model benchmark "
         "policy regulators companies restrictions transparency inference code dataset safety evaluation cloud api "
         "startup investors government court analysts audit parameters hardware chips export market users").split()


def story(seed: int, paragraphs: int = 6) -> str:
    """Distinct English prose per seed (a seeded word sequence: two stories share few 4-grams)."""
    rng = random.Random(seed)
    out = [f"Report {seed}.{p}: " + " ".join(rng.choices(WORDS, k=40)).capitalize() + "." for p in range(paragraphs)]
    return "\n".join(f"<p>{p}</p>" for p in out)


def article(seed: int, furniture: str = "", title: str | None = None, charset: str = "utf-8", extra: str = "") -> str:
    return (f'<html><head><meta charset="{charset}"><title>{title or f"Story {seed}"}</title>'
            f'<meta property="article:published_time" content="2024-05-0{seed % 9 + 1}T10:00:00+00:00"></head>'
            f'<body><nav><a href="/">Home</a> <a href="/section/">News</a></nav>{furniture}'
            f'<article><h1>{title or f"Story {seed}"}</h1>{story(seed)}{extra}</article>'
            f'<footer>Copyright Example News. All rights reserved.</footer></body></html>')


ZH = "开源模型的许可证常常限制商业使用，研究人员认为这并不符合开源定义。一些公司只公开了模型权重，没有公开训练数据。"


LONG_FEED = range(100, 140)  # /long.xml: 40 stories (their queued requests outgrow a file buffer)


def feed(items, bad: bool = False) -> bytes:
    entries = "".join(f"<item><title>{t}</title><link>{u}</link><pubDate>Mon, 06 May 2024 08:00:00 GMT</pubDate></item>"
                      for u, t in items)
    text = f'<?xml version="1.0"?><rss version="2.0"><channel><title>Fixture</title>{entries}</channel></rss>'
    return (text.replace("</channel>", "<broken>&</channel>") if bad else text).encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    hits: dict = {}
    arrivals: list = []  # (monotonic time, path, X-Worker header) of every request

    def log_message(self, *args):
        pass

    def send(self, status, body=b"", ctype="text/html; charset=utf-8", headers=()):
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        path = self.path.split("?")[0]
        Handler.hits[path] = Handler.hits.get(path, 0) + 1
        Handler.arrivals.append((time.monotonic(), path, self.headers.get("X-Worker")))
        base = f"http://{self.headers['Host']}"  # "localhost:…" is the same site with a Crawl-delay
        if path == "/robots.txt":
            delay = b"Crawl-delay: 0.3\n" if base.startswith("http://localhost:") else b""
            return self.send(200, b"User-agent: *\nDisallow: /private/\n" + delay, "text/plain")
        if path == "/feed.xml":
            if self.headers.get("If-None-Match") == '"v1"':
                return self.send(304, ctype=None, headers=[("ETag", '"v1"')])
            items = [(f"{base}/a/{i}.html", f"Story {i}") for i in range(1, 4)] + [
                (f"{base}/a/1.html?utm_source=rss", "Story 1 again"), (f"{base}/syndicated/1.html", "Copy"),
                (f"{base}/near/2.html", "Near"), (f"{base}/private/secret.html", "Secret"),
                (f"{base}/error500.html", "Down"), (f"{base}/slow.html", "Slow"), (f"{base}/loop1", "Loop"),
                (f"{base}/big.html", "Big"), (f"{base}/bomb.html", "Bomb"), (f"{base}/file.pdf", "PDF"),
                (f"{base}/gbk.html", "GBK"), (f"{base}/wrong-charset.html", "Wrong charset")]
            return self.send(200, feed(items), "application/rss+xml", [("ETag", '"v1"')])
        if path == "/long.xml":
            if self.headers.get("If-None-Match") == '"long"':
                return self.send(304, ctype=None, headers=[("ETag", '"long"')])
            items = [(f"{base}/a/{i}.html", f"Story {i}") for i in LONG_FEED]
            return self.send(200, feed(items), "application/rss+xml", [("ETag", '"long"')])
        if path == "/short.xml":  # six stories: 50-55 on 127.0.0.1, 60-65 on localhost
            first = 60 if base.startswith("http://localhost:") else 50
            return self.send(200, feed([(f"{base}/a/{i}.html", f"Story {i}") for i in range(first, first + 6)]),
                             "application/rss+xml")
        if path == "/broken.xml":
            return self.send(200, feed([(f"{base}/a/4.html", "Four"), (f"{base}/a/5.html", "Five")], bad=True),
                             "application/rss+xml")
        if path == "/moved.xml":
            return self.send(301, ctype=None, headers=[("Location", "/new-feed.xml")])
        if path == "/new-feed.xml":
            return self.send(200, feed([(f"{base}/a/6.html", "Six")]), "application/rss+xml")
        if path == "/gone.xml":
            return self.send(410, b"gone")
        if path == "/home/":
            links = ('<link rel="alternate" type="application/rss+xml" title="All news" href="/feed.xml">'
                     '<link rel="alternate" type="application/atom+xml" href="/new-feed.xml">')
            return self.send(200, f"<html><head><title>Home</title>{links}</head><body>hi</body></html>".encode())
        if path == "/sitemap_index.xml":
            body = f'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>{base}/sitemap1.xml</loc></sitemap></sitemapindex>'
            return self.send(200, body.encode(), "application/xml")
        if path == "/sitemap1.xml":
            locs = "".join(f"<url><loc>{base}/s/{i}.html</loc></url>" for i in (10, 11))
            return self.send(200, f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</urlset>'.encode(), "application/xml")
        if path == "/section/":
            links = "".join(f'<li><a href="/section/2024/05/story-{i}.html">Story {i}</a></li>' for i in (20, 21))
            return self.send(200, f'<html><body><ul>{links}</ul><a href="/section/page2">next</a><a href="/about">about</a></body></html>'.encode())
        if path == "/section/page2":
            return self.send(200, b'<html><body><a href="/section/2024/05/story-22.html">Story 22</a></body></html>')
        if path.startswith(("/a/", "/s/", "/section/2024/")):
            seed = int(path.rsplit("/", 1)[1].split(".")[0].replace("story-", ""))
            return self.send(200, article(seed).encode())
        if path == "/syndicated/1.html":
            return self.send(200, article(1).encode())
        if path == "/near/2.html":
            return self.send(200, article(2, furniture="<aside><p>Subscribe to our newsletter today.</p></aside>",
                                          extra="<p>Updated: a typo was corrected.</p>").encode())
        if path == "/error500.html":
            return self.send(500, b"down")
        if path == "/slow.html":
            time.sleep(4)
            return self.send(200, article(30).encode())
        if path in ("/loop1", "/loop2"):
            return self.send(302, ctype=None, headers=[("Location", "/loop2" if path == "/loop1" else "/loop1")])
        if path == "/big.html":
            return self.send(200, article(31).encode() + b"<!--" + b"x" * 400_000 + b"-->")
        if path == "/bomb.html":
            return self.send(200, gzip.compress(b"<html>" + b" " * 50_000_000), headers=[("Content-Encoding", "gzip")])
        if path == "/file.pdf":
            return self.send(200, b"%PDF-1.4 " + b"0" * 1000, "application/pdf")
        if path == "/gbk.html":
            body = f"<html><head><title>中文</title></head><body><article><h1>开源之争</h1><p>{ZH * 4}</p></article></body></html>"
            return self.send(200, body.encode("gbk"), "text/html")
        if path == "/wrong-charset.html":
            body = f"<html><head><meta charset='iso-8859-1'><title>中文二</title></head><body><article><h1>权重开放</h1><p>{ZH[::-1] * 4}</p></article></body></html>"
            return self.send(200, body.encode("gbk"), "text/html; charset=iso-8859-1")
        return self.send(404, b"not found")


@pytest.fixture
def site():
    Handler.hits, Handler.arrivals = {}, []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", Handler.hits
    server.shutdown()


@pytest.fixture
def arrivals(site) -> list:
    """(monotonic time, path, X-Worker header) of every request the site has had, in order."""
    return Handler.arrivals


TEST_SETTINGS = {"DOWNLOAD_TIMEOUT": 2, "DOWNLOAD_MAXSIZE": 200_000, "DOWNLOAD_WARNSIZE": 100_000,
                 "RETRY_TIMES": 1, "AUTOTHROTTLE_ENABLED": False, "LOG_LEVEL": "ERROR", "OPENWATCH_STORE_BATCH": 3}


def crawl_in_subprocess(names=None, **settings) -> list[dict]:
    """crawler.run.crawl in a fresh process (Twisted's reactor cannot restart), with test settings."""
    code = ("import json, sys; from dataclasses import asdict; from crawler.run import crawl;"
            "print(json.dumps([asdict(s) for s in crawl(json.loads(sys.argv[1]), settings=json.loads(sys.argv[2]))]))")
    done = subprocess.run([sys.executable, "-c", code, json.dumps(names), json.dumps({**TEST_SETTINGS, **settings})],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    return {s["source"]: s for s in json.loads(done.stdout.strip().splitlines()[-1])}


@pytest.fixture
def run_crawl():
    return crawl_in_subprocess


@pytest.fixture
def test_settings() -> dict:
    """The Scrapy settings crawl_in_subprocess uses, for tests that start a crawl of their own."""
    return dict(TEST_SETTINGS)


@pytest.fixture
def long_feed() -> list[str]:
    """The article paths /long.xml lists."""
    return [f"/a/{i}.html" for i in LONG_FEED]


@pytest.fixture
def redis_worker(redis_url, monkeypatch):
    """`redis_worker(workers=1, idle_s=5, **settings)`: that many `openwatch worker crawl` processes at
    once (crawler.distributed.run_worker with the test settings; each sends an X-Worker header with its
    number), each until idle for `idle_s`, on a Redis key prefix private to the test."""
    import uuid

    import redis

    prefix = f"owtest-{uuid.uuid4().hex[:10]}"
    monkeypatch.setenv("OPENWATCH_REDIS_URL", redis_url)
    monkeypatch.setenv("OPENWATCH_REDIS_PREFIX", prefix)
    code = ("import json, sys; from crawler.distributed import run_worker;"
            "run_worker(idle_timeout_s=float(sys.argv[2]), overrides=json.loads(sys.argv[1]))")

    def run(workers: int = 1, idle_s: float = 5, **settings) -> None:
        procs = [subprocess.Popen([sys.executable, "-c", code, json.dumps(
            {**TEST_SETTINGS, **settings, "DEFAULT_REQUEST_HEADERS": {"X-Worker": str(n)}}), str(idle_s)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for n in range(workers)]
        for proc in procs:
            _, stderr = proc.communicate(timeout=120)
            assert proc.returncode == 0, stderr[-3000:]

    yield run
    server = redis.Redis.from_url(redis_url)
    for key in server.scan_iter(f"{prefix}:*"):
        server.delete(key)
