"""Spider middleware: article pages already stored are not fetched again (resumed or repeated crawls)."""
from __future__ import annotations

from scrapy import Request


class SkipStoredArticles:
    """Drops requests marked `meta["article"]` whose canonical URL is already an ArticleURL.

    The requests one response yields (a feed's entries, a listing page's links) are looked up
    in one query, so a crawl costs one lookup per response, not one per article."""

    def __init__(self, stats):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats)

    def _filter(self, output: list) -> list:
        from storage.articles import known_urls
        from storage.db import session_scope

        articles = [o.url for o in output if isinstance(o, Request) and o.meta.get("article")]
        if not articles:
            return output
        with session_scope() as session:
            known = known_urls(session, articles)
        if known:
            self.stats.inc_value("openwatch/already_stored", len(known))
        return [o for o in output if not (isinstance(o, Request) and o.meta.get("article") and o.url in known)]

    def process_spider_output(self, response, result):
        return iter(self._filter(list(result)))

    async def process_spider_output_async(self, response, result):
        for item in self._filter([item async for item in result]):
            yield item
