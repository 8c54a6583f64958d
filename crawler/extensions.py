"""Extension: a CrawlRun row per spider (source) and the source's health when it closes."""
from __future__ import annotations

from scrapy import signals


class CrawlRunRecorder:
    def __init__(self, crawler):
        self.crawler = crawler
        self.run_id = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def spider_opened(self, spider):
        from storage.sources import start_crawl_run

        self.run_id = start_crawl_run(spider.source["id"])

    def spider_closed(self, spider, reason):
        from storage.sources import CrawlOutcome, finish_crawl_run

        stats = self.crawler.stats
        errors = list(spider.errors)
        state = spider.feed_state
        if reason != "finished":
            errors.append(f"crawl ended early: {reason}")
            # the feed's validators would make the next crawl a 304 and lose its unfetched entries
            state = {key: value for key, value in state.items() if key not in ("etag", "last_modified")}
        outcome = CrawlOutcome(pages=stats.get_value("openwatch/pages", 0),
                               new_articles=stats.get_value("openwatch/new_articles", 0),
                               duplicates=stats.get_value("openwatch/duplicates", 0), errors=errors,
                               etag=state.get("etag"), last_modified=state.get("last_modified"),
                               moved_to=state.get("moved_to"), gone=state.get("gone", False))
        not_modified = stats.get_value("openwatch/not_modified", 0)
        run = finish_crawl_run(self.run_id, outcome)
        spider.summary = {"source": spider.source["name"], "run_id": self.run_id, "status": run.status,
                          "pages": outcome.pages, "new_articles": outcome.new_articles,
                          "duplicates": outcome.duplicates, "not_modified": bool(not_modified), "errors": errors}
