"""SkipStoredArticles: stored article pages are not requested again, and nothing it passed on is kept."""
from __future__ import annotations

import asyncio
import gc
import weakref

from scrapy import Request
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from crawler.middlewares import SkipStoredArticles
from storage.articles import CrawledPage, NearDuplicateIndex, store_pages
from storage.db import session_scope


def run(middleware, outputs: list) -> tuple[list[str], list[bool]]:
    """The URLs the middleware passes on, and for each, whether the request it passed on before is still alive
    (the middleware's output consumed one at a time, as Scrapy's scraper does, each item dropped in turn)."""
    refs = [weakref.ref(o) for o in outputs]

    async def result():
        while outputs:
            yield outputs.pop(0)

    async def consume():
        passed, earlier_alive, stream = [], [], middleware.process_spider_output(None, result())
        async for item in stream:
            passed.append(item.url)
            del item
            gc.collect()
            earlier_alive.append(any(ref() is not None for ref in refs[:len(passed) - 1]))
        return passed, earlier_alive

    return asyncio.run(consume())


def test_stored_articles_are_dropped_and_passed_requests_let_go(sqlite_url):
    text = "A story that was stored by an earlier crawl of this source. " * 3
    with session_scope() as session:
        store_pages(session, [CrawledPage(url="http://example.org/a/3.html", source_id=None, text=text,
                                          norm_text=text, body=b"<html>")], NearDuplicateIndex.load(session))
    middleware = SkipStoredArticles(MemoryStatsCollector(get_crawler()))
    middleware.BATCH = 4  # several batches and a last, shorter one
    outputs = [Request(f"http://example.org/a/{i}.html?utm_source=rss", meta={"article": True}) for i in range(10)]
    outputs.append(Request("http://example.org/feed.xml"))  # not an article: never looked up
    passed, earlier_alive = run(middleware, outputs)
    assert passed == [f"http://example.org/a/{i}.html?utm_source=rss" for i in range(10) if i != 3] + \
        ["http://example.org/feed.xml"]
    assert middleware.stats.get_value("openwatch/already_stored") == 1
    assert not any(earlier_alive)
