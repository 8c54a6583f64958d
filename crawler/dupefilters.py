"""Duplicate filter that also reports redirect loops: a redirect back to a URL of its own chain."""
from __future__ import annotations

from scrapy.dupefilters import RFPDupeFilter


class LoopReportingDupeFilter(RFPDupeFilter):
    """Scrapy's fingerprint filter; a filtered redirect to a URL its own redirect chain already passed
    through is recorded on the spider's errors (and so on its CrawlRun) as a redirect loop."""

    @classmethod
    def from_crawler(cls, crawler):
        """Fingerprints in memory only, also when JOBDIR is set (crawler.run puts the frontier there):
        which pages a source already has is the database's to say (SkipStoredArticles)."""
        return cls(None, crawler.settings.getbool("DUPEFILTER_DEBUG"), fingerprinter=crawler.request_fingerprinter)

    def log(self, request, spider) -> None:
        super().log(request, spider)
        chain = request.meta.get("redirect_urls") or []
        if request.url in chain and hasattr(spider, "errors"):
            spider.errors.append(f"redirect loop stopped: {' -> '.join([*chain, request.url])}")
