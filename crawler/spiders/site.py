"""Site sections: follow links from listing pages within the domain, up to the source's depth."""
from __future__ import annotations

from scrapy.http import Request
from scrapy.linkextractors import LinkExtractor
from scrapy.spiders import CrawlSpider, Rule

from crawler.spiders import SourceSpider

# Article-like URL shapes, used when a source gives no allow patterns of its own.
ARTICLE_LIKE = (r"/20\d{2}[/-]?\d{1,2}", r"/\d{5,}", r"\.s?html?$", r"/(article|articles|news|story|stories|post|p)/")


class SiteSpider(SourceSpider, CrawlSpider):
    """Listing pages are followed; article-like links are fetched as articles (up to the source's max_depth links)."""

    name = "site"

    def __init__(self, source: dict, **kwargs):
        self.start_urls = [source["url"]]
        deny = source.get("deny") or ()
        articles = LinkExtractor(allow=source.get("allow") or ARTICLE_LIKE, deny=deny)
        self.rules = (Rule(articles, callback="parse_article", errback="on_error", follow=True,
                           process_request="article_within_depth"),
                      Rule(LinkExtractor(deny=deny), errback="on_error", process_request="within_depth"))
        super().__init__(source, **kwargs)

    async def start(self):
        yield Request(self.source["url"], callback=self._parse, errback=self.on_error, dont_filter=True)

    def within_depth(self, request, response):
        """The request, unless it lies deeper than the source's max_depth links from the start page."""
        return request if response.meta.get("depth", 0) < self.source["max_depth"] else None

    def article_within_depth(self, request, response):
        request.meta["article"] = True
        return self.within_depth(request, response)
