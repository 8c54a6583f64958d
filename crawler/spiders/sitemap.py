"""Sitemaps, sitemap indexes and news sitemaps through Scrapy's SitemapSpider."""
from __future__ import annotations

import re

from scrapy.http import Request
from scrapy.spiders import SitemapSpider as ScrapySitemapSpider

from crawler.spiders import SourceSpider


class SitemapSpider(SourceSpider, ScrapySitemapSpider):
    """Every page the sitemap (or the sitemaps its index names) lists, within the allow/deny patterns."""

    name = "sitemap"

    def __init__(self, source: dict, **kwargs):
        self.sitemap_urls = [source["url"]]
        self.sitemap_rules = [(pattern, "parse_article") for pattern in source.get("allow") or [""]]
        self._deny = [re.compile(p) for p in source.get("deny") or []]
        super().__init__(source, **kwargs)

    async def start(self):
        yield Request(self.source["url"], callback=self._parse_sitemap, errback=self.on_error, dont_filter=True)

    def sitemap_filter(self, entries):
        for entry in entries:
            if not any(p.search(entry.get("loc", "")) for p in self._deny):
                yield entry

    def _parse_sitemap(self, response):
        """SitemapSpider's own parsing, with article requests marked and their failures recorded."""
        for request in super()._parse_sitemap(response) or ():
            is_article = request.callback == self.parse_article
            yield request.replace(errback=self.on_error, meta={**request.meta, "article": is_article})
