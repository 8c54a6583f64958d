"""Duplicate filter that also reports redirect loops: a redirect back to a URL of its own chain."""
from __future__ import annotations

from scrapy.dupefilters import RFPDupeFilter


class LoopReportingDupeFilter(RFPDupeFilter):
    """Scrapy's fingerprint filter; a filtered redirect to a URL its own redirect chain already passed
    through is recorded on the spider's errors (and so on its CrawlRun) as a redirect loop."""

    def log(self, request, spider) -> None:
        super().log(request, spider)
        chain = request.meta.get("redirect_urls") or []
        if request.url in chain and hasattr(spider, "errors"):
            spider.errors.append(f"redirect loop stopped: {' -> '.join([*chain, request.url])}")
