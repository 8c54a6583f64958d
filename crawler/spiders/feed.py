"""RSS 0.9x/1.0/2.0 and Atom feeds through feedparser, with conditional GET."""
from __future__ import annotations

from scrapy.http import Request

from crawler.feeds import parse_feed
from crawler.spiders import SourceSpider


class FeedSpider(SourceSpider):
    """Fetches the feed (one 304 when unchanged), then every entry's article page."""

    name = "feed"

    async def start(self):
        headers = {}
        if self.source.get("etag"):
            headers["If-None-Match"] = self.source["etag"]
        if self.source.get("last_modified"):
            headers["If-Modified-Since"] = self.source["last_modified"]
        yield Request(self.source["url"], headers=headers, callback=self.parse_feed, errback=self.on_error,
                      dont_filter=True, meta={"handle_httpstatus_list": [304, 410]})

    def parse_feed(self, response):
        if response.status == 304:
            self.crawler.stats.inc_value("openwatch/not_modified")
            return
        if response.status == 410:
            self.feed_state["gone"] = True
            self.errors.append(f"HTTP 410 Gone: {response.url} (source disabled)")
            return
        if 301 in (response.meta.get("redirect_reasons") or []):
            self.feed_state["moved_to"] = response.url
        headers = {k.decode("latin-1").lower(): v[0].decode("latin-1") for k, v in response.headers.items() if v}
        feed = parse_feed(response.body, headers, response.url)
        if feed.problem:
            self.errors.append(f"ill-formed feed ({feed.problem}): {response.url}; {len(feed.entries)} entries recovered")
            self.crawler.stats.inc_value("openwatch/errors")
        if not feed.is_feed:
            self.errors.append(f"not a feed: {response.url}")
            return
        self.feed_state["etag"] = headers.get("etag")
        self.feed_state["last_modified"] = headers.get("last-modified")
        for entry in feed.entries:
            yield self.article_request(entry.url, title=entry.title, author=entry.author, published=entry.published)
