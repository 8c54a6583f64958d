"""Item pipelines: clean each fetched page once (in worker processes), then store cleaned pages in batches."""
from __future__ import annotations

import asyncio
import multiprocessing
from concurrent.futures import Executor, ProcessPoolExecutor

from typing import TYPE_CHECKING

from crawler.cleaning import CleanPage, clean_html
from storage.fingerprints import simhash

if TYPE_CHECKING:
    from storage.articles import CrawledPage

_pool: ProcessPoolExecutor | None = None
_extracted_here = 0  # pages this process extracted itself before the pool started


def _warm_up() -> None:
    clean_page(b"<html><body><p>warm up</p></body></html>")


def clean_page(body: bytes, url: str | None = None, headers: dict | None = None) -> tuple[CleanPage, int]:
    """The cleaned page and the SimHash of its normalized text: the CPU-bound work, done in a worker when there are any."""
    clean = clean_html(body, url, headers)
    return clean, simhash(clean.norm_text)


def extraction_pool(workers: int, after: int = 0) -> Executor | None:
    """The process-wide pool that extracts pages (shared by every spider of the crawl); None: in-process,
    always with 0 workers and for the crawl's first `after` pages (a small crawl skips the start-up).

    Extraction is CPU-bound and Scrapy runs on one thread: in worker processes it overlaps with
    fetching and storing instead of stalling them."""
    global _pool, _extracted_here
    if workers <= 0:
        return None
    if _pool is None and _extracted_here < after:
        _extracted_here += 1
        return None
    if _pool is None:
        # spawn: plain fork is unsafe from Scrapy's threaded process; the workers are direct children,
        # joined (and their CPU time accounted) when the pool shuts down
        _pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"), initializer=_warm_up)
    return _pool


def shutdown_extraction_pool() -> None:
    global _pool, _extracted_here
    if _pool is not None:
        _pool.shutdown(cancel_futures=True)
        _pool = None
    _extracted_here = 0


class CleanPipeline:
    """PageItem → CrawledPage: decode, extract main text and metadata, fall back to the feed's date."""

    def __init__(self, min_chars: int, stats, workers: int = 0, workers_after: int = 0):
        self.min_chars, self.stats, self.workers, self.workers_after = min_chars, stats, workers, workers_after

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        return cls(settings.getint("OPENWATCH_MIN_TEXT_CHARS"), crawler.stats,
                   settings.getint("OPENWATCH_EXTRACT_WORKERS"),
                   settings.getint("OPENWATCH_EXTRACT_WORKERS_AFTER"))

    async def process_item(self, item):
        from itemadapter import ItemAdapter  # here, not at the top: extraction workers import this module without Scrapy

        page = ItemAdapter(item)
        pool = extraction_pool(self.workers, self.workers_after)
        args = (page["body"], page["url"], page["headers"])
        self.stats.inc_value("openwatch/extracted_in_workers" if pool else "openwatch/extracted_in_process")
        clean, fingerprint = await asyncio.wrap_future(pool.submit(clean_page, *args)) if pool else clean_page(*args)
        return self.crawled_page(page, clean, fingerprint)

    def crawled_page(self, page, clean: CleanPage, fingerprint: int) -> CrawledPage:
        """The page (an ItemAdapter) as storage takes it; DropItem when it has no main text."""
        from scrapy.exceptions import DropItem

        from storage.articles import CrawledPage

        if len(clean.norm_text) < self.min_chars:
            self.stats.inc_value("openwatch/no_main_text")
            raise DropItem(f"no main text: {page['url']}")
        published, origin = clean.published_at, clean.date_origin
        if published is None and page.get("feed_published"):
            published, origin = page["feed_published"], "feed"
        also = [page["requested_url"]] if page.get("requested_url") else []
        return CrawledPage(url=page["url"], source_id=page["source_id"], text=clean.text, norm_text=clean.norm_text,
                           body=page["body"], canonical=clean.canonical, also_seen_at=also,
                           title=clean.title or page.get("feed_title"), author=clean.author or page.get("feed_author"),
                           published_at=published, date_origin=origin, language=clean.language,
                           http_status=page["status"], content_type=page["headers"].get("Content-Type"),
                           encoding=clean.encoding, fetched_at=page["fetched_at"], simhash=fingerprint)


class StorePipeline:
    """Writes CrawledPages in batches (one transaction each); the rest is written when the spider closes.

    The spiders of one crawl (one per source) share one near-duplicate index, loaded when the first opens
    and dropped when the last closes: a story two sources carry is marked a copy whichever stores it second,
    and the index (up to storage.articles.RECENT_SIMHASHES entries) is read once per crawl, not per source."""

    _shared: dict[str, list] = {}  # database URL -> [NearDuplicateIndex, spiders using it]

    def __init__(self, batch_size: int, stats):
        self.batch_size, self.stats = batch_size, stats
        self.buffer: list[CrawledPage] = []
        self.near = self.database = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings.getint("OPENWATCH_STORE_BATCH"), crawler.stats)

    def open_spider(self):
        from openwatch.config import get_settings
        from storage.articles import NearDuplicateIndex
        from storage.db import session_scope

        self.database = get_settings().database_url
        shared = self._shared.get(self.database)
        if shared is None:
            with session_scope() as session:
                shared = self._shared[self.database] = [NearDuplicateIndex.load(session), 0]
        shared[1] += 1
        self.near = shared[0]

    def process_item(self, item):
        self.buffer.append(item)
        if len(self.buffer) >= self.batch_size:
            self.flush()
        return item

    def close_spider(self):
        try:
            self.flush()
        finally:
            shared = self._shared[self.database]
            shared[1] -= 1
            if not shared[1]:
                del self._shared[self.database]

    def flush(self) -> None:
        """Store the buffered pages in one transaction (run again if a concurrent writer deadlocked it);
        on failure they stay buffered for the next flush."""
        from storage.articles import store_pages
        from storage.db import in_transaction

        if not self.buffer:
            return
        result = in_transaction(lambda session: store_pages(session, self.buffer, self.near))
        self.buffer = []
        self.stats.inc_value("openwatch/new_articles", result.new)
        self.stats.inc_value("openwatch/duplicates", result.duplicates + result.near_duplicates)
