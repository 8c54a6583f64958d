"""Whole-path crawl speed and memory vs bare trafilatura extraction of the same pages, same run.

Generates a local site (N article pages + RSS feeds of 100 entries), serves it with
`python -m http.server` on 127.0.0.1, then
  1. bare: trafilatura.bare_extraction over the N page files in one process;
  2. crawl: `crawler.run.crawl` in a subprocess (fetch, robots.txt, extract, dedup, store in SQLite),
     at N/2 and N pages, reporting pages/s and peak RSS.

    .venv/bin/python bench/crawl.py [--pages 2000]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WORDS = ("open source model weights licence training data release community developers research benchmark policy "
         "regulators companies restrictions transparency users commercial access inference code dataset safety "
         "evaluation parameters cloud api startup investors government law court analysts").split()
CRAWL = """
import json, sys, time
from crawler.run import crawl
from storage.db import upgrade
from storage.sources import import_sources
upgrade(); import_sources(sys.argv[1])
started = time.perf_counter()
summaries = crawl(settings={"AUTOTHROTTLE_ENABLED": False, "CONCURRENT_REQUESTS_PER_DOMAIN": 16, "LOG_LEVEL": "ERROR"})
print(json.dumps({"seconds": time.perf_counter() - started, "new": sum(s.new_articles for s in summaries),
                  "errors": sum(len(s.errors) for s in summaries)}))
"""


def page(i: int, rng: random.Random) -> str:
    paragraphs = "".join("<p>" + " ".join(rng.choice(WORDS) for _ in range(rng.randint(40, 90))).capitalize() + ".</p>"
                         for _ in range(rng.randint(5, 12)))
    return (f'<html><head><meta charset="utf-8"><title>Story {i}</title>'
            f'<meta property="article:published_time" content="2024-0{i % 9 + 1}-1{i % 10}T08:00:00Z"></head><body>'
            f'<nav><a href="/">Home</a> | <a href="/tech/">Tech</a> | <a href="/ai/">AI</a></nav>'
            f'<article><h1>Story {i}</h1>{paragraphs}</article>'
            f'<aside><h3>Related</h3><ul>' + "".join(f'<li><a href="/a/{(i + k) % 97}.html">Other story {k}</a></li>'
                                                     for k in range(1, 6)) +
            '</ul></aside><footer>Copyright Bench News. All rights reserved.</footer></body></html>')


def build_site(root: Path, pages: int, port: int) -> list[Path]:
    rng = random.Random(7)
    (root / "a").mkdir(parents=True)
    (root / "feeds").mkdir()
    (root / "robots.txt").write_text("User-agent: *\nDisallow: /private/\n")
    files = []
    for i in range(pages):
        path = root / "a" / f"{i}.html"
        path.write_text(page(i, rng), encoding="utf-8")
        files.append(path)
    for feed in range(0, pages, 100):
        items = "".join(f"<item><title>Story {i}</title><link>http://127.0.0.1:{port}/a/{i}.html</link></item>"
                        for i in range(feed, min(feed + 100, pages)))
        (root / "feeds" / f"{feed // 100}.xml").write_text(
            f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {feed}</title>{items}</channel></rss>')
    return files


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bare_extraction_seconds(files: list[Path]) -> float:
    import trafilatura

    started = time.perf_counter()
    for path in files:
        trafilatura.bare_extraction(path.read_bytes(), with_metadata=True)
    return time.perf_counter() - started


def crawl_run(work: Path, port: int, pages: int) -> dict:
    sources = work / f"sources-{pages}.yaml"
    sources.write_text("\n".join(f"- {{name: feed{k}, kind: rss, url: 'http://127.0.0.1:{port}/feeds/{k}.xml'}}"
                                 for k in range((pages + 99) // 100)))
    env = {**os.environ, "OPENWATCH_DATA_DIR": str(work / f"data-{pages}")}
    env.pop("OPENWATCH_DATABASE_URL", None)
    code = "import resource\n" + CRAWL + \
        "\nprint(json.dumps({'peak_rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))"
    done = subprocess.run([sys.executable, "-c", code, str(sources)], capture_output=True, text=True, env=env)
    if done.returncode:
        raise SystemExit(done.stderr[-2000:])
    lines = [json.loads(line) for line in done.stdout.strip().splitlines()[-2:]]
    return {**lines[0], **lines[1]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ow-crawl-bench-"))
    port = free_port()
    files = build_site(work / "site", args.pages, port)
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
                               "--directory", str(work / "site")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(1)
        bare = bare_extraction_seconds(files)
        print(f"bare trafilatura: {len(files)} pages in {bare:.1f}s ({len(files) / bare:.1f} pages/s)")
        for pages in (args.pages // 2, args.pages):
            result = crawl_run(work, port, pages)
            print(f"crawl {pages} pages: {result['seconds']:.1f}s ({result['new'] / result['seconds']:.1f} pages/s), "
                  f"{result['new']} stored, {result['errors']} errors, peak RSS {result['peak_rss_mb']:.0f} MB")
        print(f"ratio whole crawl / bare extraction ({args.pages} pages): {result['seconds'] / bare:.2f}")
    finally:
        server.terminate()


if __name__ == "__main__":
    main()
