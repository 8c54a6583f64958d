"""One spider per source kind; each crawls one Source (passed as `source`, a dict of its fields)."""
from __future__ import annotations

from urllib.parse import urlsplit

import scrapy
from scrapy.http import Request

HTML_TYPES = (b"text/html", b"application/xhtml+xml")


def describe_failure(failure) -> str:
    """One line: what failed, where."""
    request = getattr(failure, "request", None)
    url = request.url if request is not None else "?"
    value = failure.value
    response = getattr(value, "response", None)
    if response is not None:
        return f"HTTP {response.status}: {url}"
    return f"{type(value).__name__}: {url}: {str(value).splitlines()[0] if str(value) else ''}".rstrip(": ")


class SourceSpider(scrapy.Spider):
    """Shared by all kinds: article requests, article pages to items, failures recorded on the run."""

    def __init__(self, source: dict, **kwargs):
        super().__init__(**kwargs)
        self.source = source
        self.allowed_domains = [urlsplit(source["url"]).hostname]
        self.errors: list[str] = []
        self.feed_state: dict = {}  # etag, last_modified, moved_to, gone (feeds)

    def on_error(self, failure) -> None:
        self.errors.append(describe_failure(failure))
        self.crawler.stats.inc_value("openwatch/errors")

    def article_request(self, url: str, **entry) -> Request:
        """A request for an article page at its canonical URL (tracking parameters dropped)."""
        from storage.articles import canonical_url

        return Request(canonical_url(url), callback=self.parse_article, errback=self.on_error, meta={"article": True, "entry": entry})

    def parse_article(self, response):
        from crawler.items import PageItem

        self.crawler.stats.inc_value("openwatch/pages")
        content_type = response.headers.get(b"Content-Type", b"").split(b";")[0].strip().lower()
        if content_type and content_type not in HTML_TYPES:
            self.crawler.stats.inc_value("openwatch/skipped_not_html")
            self.errors.append(f"not HTML ({content_type.decode('latin-1')}), skipped: {response.url}")
            return
        entry = response.meta.get("entry") or {}
        redirects = response.meta.get("redirect_urls") or []
        yield PageItem(url=response.url, source_id=self.source["id"], body=response.body,
                       headers={"Content-Type": response.headers.get(b"Content-Type", b"").decode("latin-1")},
                       status=response.status, requested_url=redirects[0] if redirects else None,
                       feed_title=entry.get("title"),
                       feed_author=entry.get("author"), feed_published=entry.get("published"))

