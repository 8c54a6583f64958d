"""Distributed crawling through scrapy-redis: one shared request queue and dupefilter in Redis.

The scheduler calls `push_source(name)` when a source is due: it opens a CrawlRun and pushes
`{"source": name, "run_id": id}` to `<prefix>:start_urls`. Any number of `openwatch worker crawl`
processes run `run_worker()`: one long-lived `DistributedSpider` that turns each pushed source
into the start request of that source's own spider (crawler.spiders: feed, sitemap, site) and
routes every response back to it, so parsing, the spider middleware and the item pipelines
(cleaning, storing) are exactly those of a local crawl.

Requests travel through Redis, so their callbacks must be methods of the Redis spider: each
request carries its source, run and the delegate's callback name in `meta`. Fingerprints are
scoped to the run: within one crawl of a source every page is fetched once across all
workers; the next run fetches listing pages again (stored articles are skipped by
SkipStoredArticles). Requests a killed worker had taken are fetched by the next run.

Politeness is shared too: each worker's downloader keeps its own per-host delay (DOWNLOAD_DELAY, as
AutoThrottle adjusts it), so SharedHostDelay makes requests to one host start that delay apart
across all workers: N workers are as gentle with a site as one.

OPENWATCH_REDIS_PREFIX (default "openwatch") names the Redis keys, so several deployments
(or test runs) can share one Redis.
"""
from __future__ import annotations

import asyncio
import hashlib
import inspect
import json
import logging
import os

from scrapy import Request, signals
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.spiders import RedisSpider

from crawler.run import SPIDERS, crawl_settings, crawler_process, fewer_collections


def redis_prefix() -> str:
    return os.environ.get("OPENWATCH_REDIS_PREFIX") or "openwatch"


def keys(prefix: str | None = None) -> dict[str, str]:
    """The Redis keys of one deployment."""
    prefix = prefix or redis_prefix()
    return {"start_urls": f"{prefix}:start_urls", "requests": f"{prefix}:requests",
            "dupefilter": f"{prefix}:dupefilter", "next_start": f"{prefix}:next_start"}


# When may the next request to a host start? The later of now and the time reserved for it, which moves
# on by the delay; atomic, and by Redis's clock, so workers on machines whose clocks differ agree.
RESERVE_START = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local start = math.max(now, tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0'))
redis.call('HSET', KEYS[1], ARGV[1], string.format('%.6f', start + tonumber(ARGV[2])))
redis.call('EXPIRE', KEYS[1], 3600)
return string.format('%.6f', start - now)
"""


def reserve_start(server, host: str, delay: float) -> float:
    """Reserve the next start of a request to `host`, `delay` seconds after the one reserved before it
    by any worker; returns how many seconds to wait for it."""
    return float(server.eval(RESERVE_START, 1, keys()["next_start"], host, f"{delay:.6f}"))


class SharedHostDelay:
    """Downloader middleware of crawl workers: a request waits for its host's next start (reserve_start)
    with the delay this worker's downloader holds for the host, so the workers together keep it."""

    def __init__(self, crawler, server):
        self.crawler, self.server = crawler, server
        self.default_delay = crawler.settings.getfloat("DOWNLOAD_DELAY")

    @classmethod
    def from_crawler(cls, crawler):
        from scrapy_redis import connection

        return cls(crawler, connection.from_settings(crawler.settings))  # as the shared queue connects

    async def process_request(self, request):
        downloader = self.crawler.engine.downloader
        host = downloader.get_slot_key(request)
        slot = downloader.slots.get(host)
        delay = slot.delay if slot is not None else self.default_delay
        if delay > 0:
            wait = reserve_start(self.server, host, delay)
            if wait > 0:
                await asyncio.sleep(wait)


def push_source(source_name: str, redis_url: str | None = None) -> int:
    """Close the source's previous distributed run, open a new one and queue the source; returns the run id."""
    import redis

    from openwatch.config import get_settings
    from storage.sources import get_sources, start_crawl_run
    from storage.work import finish_distributed_runs

    source = get_sources([source_name])[0]
    finish_distributed_runs(source_name)
    run_id = start_crawl_run(source.id, get_settings().database_url)
    server = redis.Redis.from_url(redis_url or get_settings().redis_url)
    server.rpush(keys()["start_urls"], json.dumps({"source": source_name, "run_id": run_id}))
    return run_id


class RunScopedDupeFilter(RFPDupeFilter):
    """scrapy-redis's shared dupefilter, with the crawl run in the fingerprint (see the module doc)."""

    def request_fingerprint(self, request):
        base = super().request_fingerprint(request)
        return hashlib.sha1(f"{request.meta.get('ow_run')}:{base}".encode()).hexdigest()


class DistributedSpider(RedisSpider):
    """Takes pushed sources from Redis and crawls each with the spider of its kind (a delegate)."""

    name = "openwatch-distributed"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.delegates = {}

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.opened, signal=signals.spider_opened)
        return spider

    def opened(self, spider) -> None:
        """Log that this worker now takes requests from the shared queue."""
        logging.getLogger("openwatch.worker").info("crawl.worker.ready", extra={"kv": {"queue": self.redis_key}})

    def make_request_from_data(self, data):
        """`{"source": name, "run_id": id}` → the start requests of that source's spider, queued in Redis."""
        from scrapy.utils.defer import deferred_from_coro

        job = json.loads(data)
        delegate = self._delegate({"ow_source": job["source"]}, fresh=True)
        deferred_from_coro(self._queue_start(delegate, job["run_id"]))
        return []

    async def _queue_start(self, delegate, run_id: int) -> None:
        async for request in delegate.start():
            self.crawler.engine.crawl(self.adopt(request, delegate.source["name"], run_id))

    def adopt(self, request: Request, source: str, run_id: int) -> Request:
        """The delegate's request, routed through this spider's methods (callbacks must be ours)."""
        meta = {**request.meta, "ow_source": source, "ow_run": run_id,
                "ow_callback": request.callback.__name__ if request.callback else "parse",
                "ow_errback": request.errback.__name__ if request.errback else None}
        return request.replace(callback=self.route, errback=self.route_error, meta=meta)

    def _delegate(self, meta: dict, fresh: bool = False):
        """The spider of the request's source; `fresh` reloads the source (a new run: current etag)."""
        from storage.sources import get_sources

        name = meta["ow_source"]
        if fresh or name not in self.delegates:
            source = get_sources([name])[0].model_dump()
            self.delegates[name] = SPIDERS[source["kind"]].from_crawler(self.crawler, source=source)
        return self.delegates[name]

    def spider_idle(self):
        """Idle: store what the pipeline buffered (a worker lives long; batches must not wait for
        its end), then let scrapy-redis poll Redis for more. A failed store is logged and tried again
        at the next idle or batch: the worker keeps running (an exception here would close it)."""
        from crawler.pipelines import StorePipeline

        for pipeline in self.crawler.engine.scraper.itemproc.middlewares:
            if isinstance(pipeline, StorePipeline):
                try:
                    pipeline.flush()
                except Exception:  # noqa: BLE001 - database unreachable or busy: the pages stay buffered
                    logging.getLogger("openwatch.worker").exception("crawl.worker.store_failed", extra={"kv": {
                        "buffered": len(pipeline.buffer)}})
        super().spider_idle()

    def closed(self, reason: str) -> None:
        stats = self.crawler.stats
        logging.getLogger("openwatch.worker").info("crawl.worker.closed", extra={"kv": {
            "reason": reason, "pages": stats.get_value("openwatch/pages", 0),
            "new_articles": stats.get_value("openwatch/new_articles", 0),
            "errors": stats.get_value("openwatch/errors", 0)}})

    async def route(self, response, **kwargs):
        meta = response.meta
        delegate = self._delegate(meta)
        output = getattr(delegate, meta["ow_callback"])(response, **kwargs)
        async for item in self._adopt_all(output, meta):
            yield item
        self._record(delegate, meta["ow_run"])

    async def route_error(self, failure):
        from crawler.spiders import describe_failure

        meta, error = failure.request.meta, describe_failure(failure)
        delegate = self._delegate(meta)
        logging.getLogger("openwatch.worker").warning("crawl.error", extra={"kv": {
            "source": meta["ow_source"], "run_id": meta["ow_run"], "error": error}})
        if meta.get("ow_errback"):
            output = getattr(delegate, meta["ow_errback"])(failure)
            async for item in self._adopt_all(output, meta):
                yield item
        else:
            delegate.errors.append(error)
        self._record(delegate, meta["ow_run"])

    @staticmethod
    def _record(delegate, run_id: int) -> None:
        """What the delegate noted (failures, a feed's ETag, 301 or 410), written to the open run and
        the source at once: a run spans workers, and the next push must send the feed's validators."""
        from storage.sources import record_run_errors, save_feed_state

        if delegate.errors:
            record_run_errors(run_id, delegate.errors)
            delegate.errors.clear()
        if delegate.feed_state:
            save_feed_state(delegate.source["id"], **delegate.feed_state)
            delegate.feed_state.clear()

    async def _adopt_all(self, output, meta):
        if output is None:
            return
        if inspect.isasyncgen(output):
            results = [item async for item in output]
        elif inspect.isawaitable(output):
            results = await output
        else:
            results = output
        for item in results or ():
            yield self.adopt(item, meta["ow_source"], meta["ow_run"]) if isinstance(item, Request) else item


def worker_settings(redis_url: str, idle_timeout_s: float | None = None, overrides: dict | None = None):
    """The crawl settings plus scrapy-redis's shared scheduler queue and run-scoped dupefilter, and the
    per-host delay kept across workers (SharedHostDelay)."""
    names = keys()
    settings = crawl_settings({
        **(overrides or {}),
        "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
        "DUPEFILTER_CLASS": "crawler.distributed.RunScopedDupeFilter",
        "SCHEDULER_PERSIST": True,               # the queue outlives any one worker
        "REDIS_URL": redis_url,
        "REDIS_START_URLS_KEY": names["start_urls"],
        "SCHEDULER_QUEUE_KEY": names["requests"],
        "SCHEDULER_DUPEFILTER_KEY": names["dupefilter"],
        "EXTENSIONS": {"crawler.extensions.CrawlRunRecorder": None},   # runs are opened and closed per push
        "MAX_IDLE_TIME_BEFORE_CLOSE": int(idle_timeout_s or 0),
    })
    # last before the download: a request waits for its host's turn once every other middleware is done with it
    settings.set("DOWNLOADER_MIDDLEWARES", {**settings.getdict("DOWNLOADER_MIDDLEWARES"),
                                            "crawler.distributed.SharedHostDelay": 950}, priority="cmdline")
    return settings


def run_worker(idle_timeout_s: float | None = None, overrides: dict | None = None) -> None:
    """Crawl from the shared queue until SIGTERM (or until idle for `idle_timeout_s` seconds).

    `overrides` are Scrapy settings (bench/scale.py turns politeness off for a local site)."""
    from crawler.pipelines import shutdown_extraction_pool
    from openwatch.config import get_settings

    process = crawler_process(worker_settings(get_settings().redis_url, idle_timeout_s, overrides))
    process.crawl(DistributedSpider)
    try:
        with fewer_collections():
            process.start()
    finally:
        shutdown_extraction_pool()
