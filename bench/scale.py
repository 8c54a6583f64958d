"""Scale-out throughput: crawl pages/s and extracted articles/s with 1, 2 and 4 workers, in one run.

Against the real PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379): for each worker count,
a fresh PostgreSQL database and Redis key prefix, the local synthetic site (default 5,000
article pages listed in one sitemap) pushed once through `crawler.distributed.push_source`, then
  crawl:   N `run_worker` processes share the scrapy-redis queue until every page is stored;
  extract: N `openwatch worker extract` processes (SKIP LOCKED batches) until none is pending.
Rates are wall-clock from start to the last row (worker start-up included), and "steady" rates
from the first stored/extracted row to the last (start-up excluded). The ratio column is the
rate relative to one worker in the same run. AutoThrottle is off for the local site, as in
bench/crawl.py; the site itself (Python's ThreadingHTTPServer) runs in this process.

    .venv/bin/python bench/scale.py [--pages 5000] [--workers 1 2 4]
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "scheduler"))   # the synthetic site the scale-out tests use
from synthetic_site import SyntheticSite  # noqa: E402

PG_ADMIN = os.environ.get("OPENWATCH_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
REDIS = os.environ.get("OPENWATCH_TEST_REDIS", "redis://127.0.0.1:6379/0")
LOCAL_SITE = {"AUTOTHROTTLE_ENABLED": False, "CONCURRENT_REQUESTS_PER_DOMAIN": 16, "LOG_LEVEL": "ERROR"}


def crawl_worker(env: dict) -> None:
    os.environ.update(env)
    from crawler.distributed import run_worker

    run_worker(overrides=LOCAL_SITE)


def fresh_database() -> str:
    import psycopg

    from storage.db import upgrade

    name = f"ow_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1) + f"/{name}"
    upgrade(url)
    return url


def drop(url: str, prefix: str) -> None:
    import psycopg
    import redis

    from storage.db import get_engine

    get_engine(url).dispose()
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
    server = redis.Redis.from_url(REDIS)
    for key in server.scan_iter(f"{prefix}:*"):
        server.delete(key)


def count(url: str, sql: str) -> int:
    from sqlalchemy import text

    from storage.db import get_engine

    with get_engine(url).connect() as conn:
        return conn.execute(text(sql)).scalar()


def wait_rows(url: str, sql: str, target: int, timeout: float) -> tuple[float, int]:
    """Poll `sql` (a count) until it reaches `target`; returns (seconds, count)."""
    started = time.perf_counter()
    while (found := count(url, sql)) < target and time.perf_counter() - started < timeout:
        time.sleep(0.25)
    return time.perf_counter() - started, found


def span(url: str, column: str, where: str = "true") -> float:
    """Seconds from the first to the last `column` timestamp of the articles."""
    from sqlalchemy import text

    from storage.db import get_engine

    with get_engine(url).connect() as conn:
        low, high = conn.execute(text(f"SELECT min({column}), max({column}) FROM article WHERE {where}")).one()
    return (high - low).total_seconds() if low and high else float("nan")


def run(workers: int, site: SyntheticSite, pages: int, timeout: float) -> dict:
    from storage.sources import add_source

    url, prefix = fresh_database(), f"ow-bench-{uuid.uuid4().hex[:8]}"
    env = {"OPENWATCH_DATABASE_URL": url, "OPENWATCH_REDIS_URL": REDIS, "OPENWATCH_REDIS_PREFIX": prefix}
    os.environ.update(env)
    try:
        add_source(url, name="synthetic", kind="sitemap", url=site.sitemap)
        from crawler.distributed import push_source
        from storage.work import finish_distributed_runs

        push_source("synthetic")
        spawn = multiprocessing.get_context("spawn")
        procs = [spawn.Process(target=crawl_worker, args=(env,)) for _ in range(workers)]
        for proc in procs:
            proc.start()
        crawl_s, stored = wait_rows(url, "SELECT count(*) FROM article", pages, timeout)
        for proc in procs:
            proc.terminate()
            proc.join()
        finish_distributed_runs("synthetic")
        crawl_steady = span(url, "fetched_at")

        exe = str(Path(sys.executable).with_name("openwatch"))
        logs = [tempfile.TemporaryFile() for _ in range(workers)]
        extractors = [subprocess.Popen([exe, "worker", "extract", "--batch-size", "50", "--exit-when-idle"],
                                       env={**os.environ, **env}, stderr=log) for log in logs]
        started = time.perf_counter()
        for proc, log in zip(extractors, logs):
            if proc.wait() != 0:
                log.seek(0)
                print(f"extract worker failed:\n{log.read().decode()[-2000:]}", file=sys.stderr)
        extract_s = time.perf_counter() - started
        done = count(url, "SELECT count(*) FROM article WHERE extraction_status = 'done'")
        failed = count(url, "SELECT count(*) FROM article WHERE extraction_status = 'failed'")
        extract_steady = span(url, "extracted_at", "extraction_status = 'done'")
        return {"workers": workers, "stored": stored, "crawl_s": crawl_s, "pages_s": stored / crawl_s,
                "pages_s_steady": stored / crawl_steady, "done": done, "failed": failed,
                "extract_s": extract_s, "articles_s": done / extract_s, "articles_s_steady": done / extract_steady}
    finally:
        drop(url, prefix)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=5000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--timeout", type=float, default=900, help="seconds allowed per crawl")
    args = parser.parse_args()
    print(f"{args.pages} pages, {os.cpu_count()} cores, PostgreSQL + Redis on localhost")
    print(f"{'workers':>7} {'stored':>6} {'crawl s':>8} {'pages/s':>8} {'steady':>7} {'ratio':>6} "
          f"{'extracted':>9} {'failed':>6} {'extract s':>9} {'art./s':>7} {'steady':>7} {'ratio':>6}", flush=True)
    base = None
    with SyntheticSite(args.pages) as site:
        for workers in args.workers:
            row = run(workers, site, args.pages, args.timeout)
            base = base or row
            print(f"{row['workers']:>7} {row['stored']:>6} {row['crawl_s']:>8.1f} {row['pages_s']:>8.1f} "
                  f"{row['pages_s_steady']:>7.1f} {ratio(row, base, 'pages_s')} {row['done']:>9} "
                  f"{row['failed']:>6} {row['extract_s']:>9.1f} {row['articles_s']:>7.1f} "
                  f"{row['articles_s_steady']:>7.1f} {ratio(row, base, 'articles_s')}", flush=True)


def ratio(row: dict, base: dict, key: str) -> str:
    """The rate relative to the first worker count's (printed as each row is measured)."""
    return f"{row[key] / base[key]:>6.2f}" if base[key] else f"{'n/a':>6}"


if __name__ == "__main__":
    main()
