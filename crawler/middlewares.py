"""Spider middleware: article pages already stored are not fetched again (resumed or repeated crawls)."""
from __future__ import annotations

from scrapy import Request


class SkipStoredArticles:
    """Drops requests marked `meta["article"]` whose canonical URL is already an ArticleURL."""

    def __init__(self, stats):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats)

    def _known(self, url: str) -> bool:
        from storage.articles import known_urls
        from storage.sources import session_scope

        with session_scope() as session:
            return bool(known_urls(session, [url]))

    def _keep(self, item) -> bool:
        if isinstance(item, Request) and item.meta.get("article") and self._known(item.url):
            self.stats.inc_value("openwatch/already_stored")
            return False
        return True

    def process_spider_output(self, response, result):
        return (item for item in result if self._keep(item))

    async def process_spider_output_async(self, response, result):
        async for item in result:
            if self._keep(item):
                yield item
