"""Middlewares: article pages already stored are not fetched again (spider middleware, resumed or
repeated crawls); a site's robots.txt Crawl-delay is kept (downloader middleware)."""
from __future__ import annotations

import logging
from collections import deque

from scrapy import Request, signals
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware

logger = logging.getLogger(__name__)


class SkipStoredArticles:
    """Drops requests marked `meta["article"]` whose canonical URL is already an ArticleURL.

    The requests one response yields (a feed's entries, a listing page's links) are looked up
    BATCH at a time in one query, so a crawl costs one lookup per response (per BATCH entries),
    not one per article. Each request is let go once passed on: holding the batch until its last
    entry was consumed kept every request fetched meanwhile (with its headers and metadata) alive,
    and memory grew with the length of the feed."""

    BATCH = 500

    def __init__(self, stats):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats)

    def _filter(self, output: list) -> deque:
        from storage.articles import known_urls
        from storage.db import session_scope

        articles = [o.url for o in output if isinstance(o, Request) and o.meta.get("article")]
        known = set()
        if articles:
            with session_scope() as session:
                known = known_urls(session, articles)
        if known:
            self.stats.inc_value("openwatch/already_stored", len(known))
        return deque(o for o in output if not (isinstance(o, Request) and o.meta.get("article") and o.url in known))

    def _passed(self, batch: list):
        """The batch's unstored entries, handed on one at a time; the batch is emptied first."""
        kept = self._filter(batch)
        batch.clear()
        while kept:
            yield kept.popleft()

    async def process_spider_output(self, response, result):
        batch = []
        async for item in result:
            batch.append(item)
            if len(batch) == self.BATCH:
                for passed in self._passed(batch):
                    yield passed
        for passed in self._passed(batch):
            yield passed


class RobotsTxtCrawlDelay(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware (ROBOTSTXT_OBEY), which also keeps the site's `Crawl-delay`:
    the host's download slot waits at least that long between requests (up to
    OPENWATCH_MAX_CRAWL_DELAY seconds). Scrapy reads the directive but does not apply it, and
    AutoThrottle would lower the slot's delay below it: the floor is set again after each response
    AutoThrottle has adjusted for. With crawl workers, SharedHostDelay spreads it across them."""

    def __init__(self, crawler):
        super().__init__(crawler)
        self.max_delay = crawler.settings.getfloat("OPENWATCH_MAX_CRAWL_DELAY")
        self.floors: dict[str, float] = {}  # download slot -> the site's Crawl-delay
        crawler.signals.connect(self._response_downloaded, signal=signals.response_downloaded)

    def process_request_2(self, rp, request: Request) -> None:
        super().process_request_2(rp, request)
        if rp is None:
            return
        delay = rp.crawl_delay(self._robotstxt_useragent or request.headers.get(b"User-Agent", self._default_useragent))
        if delay:
            key, delay = self.crawler.engine.downloader.get_slot_key(request), min(delay, self.max_delay)
            if key not in self.floors:
                logger.info("crawl.crawl_delay host=%s delay=%s", key, delay)
                self.crawler.stats.set_value("openwatch/crawl_delay", delay)
            self.floors[key] = delay
            self._keep_floor(key)

    def _response_downloaded(self, response, request: Request, spider) -> None:
        key = request.meta.get("download_slot")
        if key in self.floors:
            self._keep_floor(key)

    def _keep_floor(self, key: str) -> None:
        slot = self.crawler.engine.downloader.slots.get(key)
        if slot is not None and slot.delay < self.floors[key]:
            slot.delay = self.floors[key]
