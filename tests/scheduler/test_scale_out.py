"""Scale-out on the real PostgreSQL and Redis: one scheduler, two crawl workers, two extract workers.

Pages are counted by the local site itself, stored articles by the database, and committed
extractions by a trigger (see test_extract_workers), so "once" means once.
"""
from __future__ import annotations

import signal
import sys
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text

from storage.db import get_engine
from storage.sources import add_source

sys.path.insert(0, str(Path(__file__).parent))
from synthetic_site import SyntheticSite  # noqa: E402

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

PAGES = 300


@pytest.fixture
def shared_redis(redis_url, monkeypatch):
    """OPENWATCH_REDIS_URL with a key prefix private to this test; its keys are deleted afterwards."""
    import redis

    prefix = f"owtest-{uuid.uuid4().hex[:10]}"
    monkeypatch.setenv("OPENWATCH_REDIS_URL", redis_url)
    monkeypatch.setenv("OPENWATCH_REDIS_PREFIX", prefix)
    yield prefix
    server = redis.Redis.from_url(redis_url)
    for key in server.scan_iter(f"{prefix}:*"):
        server.delete(key)


def queued(prefix: str) -> int:
    """Requests waiting in the shared scrapy-redis queue (plus sources waiting to start)."""
    import redis

    from crawler.distributed import keys
    from helpers import REDIS_URL

    server, names = redis.Redis.from_url(REDIS_URL), keys(prefix)
    return server.zcard(names["requests"]) + server.llen(names["start_urls"])


def scalar(url: str, sql: str):
    with get_engine(url).connect() as conn:
        return conn.execute(text(sql)).scalar()


def test_scheduler_with_two_crawl_and_two_extract_workers(pg_url, shared_redis, services, wait_for, extraction_log):
    # 0.1 s per page: the crawl outlasts Scrapy's 5 s engine heartbeat, at which an idle worker polls Redis
    with SyntheticSite(PAGES, delay_s=0.1) as site:
        add_source(pg_url, name="synthetic", kind="sitemap", url=site.sitemap)
        crawlers = [services("worker", "crawl", name=f"crawl{i}") for i in range(2)]
        for crawler in crawlers:  # both listen before any URL is pushed, so both can take part
            crawler.wait_log("crawl.worker.ready", timeout=60)
        scheduler = services("schedule", "--no-extract", "--stop-grace", "2", name="scheduler")
        scheduler.wait_log("crawl.pushed")
        extractors = [services("worker", "extract", "--batch-size", "10", "--idle-sleep", "0.5", name=f"extract{i}")
                      for i in range(2)]
        wait_for(lambda: scalar(pg_url, "SELECT count(*) FROM article") >= PAGES, timeout=120, what="the crawl")
        for crawler in crawlers:
            assert crawler.stop() == 0, crawler.log[-2000:]
        hits = site.article_hits()
    wait_for(lambda: scalar(pg_url, "SELECT count(*) FROM article WHERE extraction_status = 'pending'") == 0,
             timeout=90, what="the extract workers to drain")
    for service in [*extractors, scheduler]:
        assert service.stop() == 0, service.log[-2000:]

    assert len(hits) == PAGES and set(hits.values()) == {1}, "every page fetched exactly once"
    assert all("crawl.worker.closed" in c.log and "pages=0 " not in c.log for c in crawlers), \
        "both crawl workers took part"
    assert scalar(pg_url, "SELECT count(*) FROM article WHERE duplicate_of_id IS NULL") == PAGES
    assert scalar(pg_url, "SELECT count(DISTINCT url) FROM article") == PAGES
    failed = scalar(pg_url, "SELECT min(extraction_error) FROM article WHERE extraction_status = 'failed'")
    assert failed is None, f"extraction failed: {failed[:300]}"
    extracted = [article_id for article_id, _ in extraction_log()]
    assert len(extracted) == len(set(extracted)) == PAGES, "every article extracted exactly once"


def test_killed_crawl_worker_loses_nothing(pg_url, shared_redis, services, wait_for):
    from crawler.distributed import push_source
    from storage.work import finish_distributed_runs

    with SyntheticSite(PAGES) as site:
        add_source(pg_url, name="synthetic", kind="sitemap", url=site.sitemap)
        push_source("synthetic")
        victim = services("worker", "crawl", name="victim")
        survivor = services("worker", "crawl", name="survivor")
        wait_for(lambda: len(site.article_hits()) >= 60, timeout=60, what="the crawl to get going")
        victim.proc.send_signal(signal.SIGKILL)
        victim.proc.wait()
        wait_for(lambda: queued(shared_redis) == 0, timeout=90, what="the survivor to empty the shared queue")
        time.sleep(3)                    # its last requests in flight
        # The next scheduled run of the source fetches what the killed worker had taken.
        push_source("synthetic")
        wait_for(lambda: scalar(pg_url, "SELECT count(*) FROM article") == PAGES, timeout=90,
                 what="the next run to store the rest")
        assert survivor.stop() == 0, survivor.log[-2000:]
        hits = site.article_hits()
    finish_distributed_runs("synthetic")
    assert len(hits) == PAGES and max(hits.values()) <= 2
    assert scalar(pg_url, "SELECT count(*) FROM article") == PAGES
    assert scalar(pg_url, "SELECT count(DISTINCT url) FROM article") == PAGES
    assert scalar(pg_url, "SELECT count(*) FROM crawlrun WHERE status = 'ok'") == 2
