"""Spider middleware: article pages already stored are not fetched again (resumed or repeated crawls)."""
from __future__ import annotations

from collections import deque

from scrapy import Request


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
