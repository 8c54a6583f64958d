"""RSS 0.9x/1.0/2.0 and Atom feeds through feedparser, with conditional GET."""
from __future__ import annotations

from calendar import timegm
from datetime import datetime, timezone

from scrapy.http import Request

from crawler.spiders import SourceSpider


def _entry_date(entry) -> datetime | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    return datetime.fromtimestamp(timegm(parsed), tz=timezone.utc) if parsed else None


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
        import feedparser

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
        parsed = feedparser.parse(response.body, response_headers=headers)
        if parsed.get("bozo"):
            problem = type(parsed.bozo_exception).__name__
            self.errors.append(f"ill-formed feed ({problem}: {parsed.bozo_exception}): {response.url}; "
                               f"{len(parsed.entries)} entries recovered")
            self.crawler.stats.inc_value("openwatch/errors")
        if not parsed.entries and not parsed.get("version"):
            self.errors.append(f"not a feed: {response.url}")
            return
        self.feed_state["etag"] = headers.get("etag")
        self.feed_state["last_modified"] = headers.get("last-modified")
        for entry in parsed.entries:
            link = entry.get("link")
            if link:
                yield self.article_request(response.urljoin(link), title=entry.get("title"),
                                           author=entry.get("author"), published=_entry_date(entry))
