"""What a URL is: a feed, a sitemap, or a page whose <link rel="alternate"> names feeds."""
from __future__ import annotations

import re
import urllib.request
from dataclasses import dataclass, field
from urllib.parse import urljoin

FEED_TYPES = {"application/rss+xml": "rss", "application/atom+xml": "atom", "application/rdf+xml": "rss"}
_SITEMAP = re.compile(rb"<(urlset|sitemapindex)\b")
MAX_PROBE_BYTES = 2 * 1024 * 1024


@dataclass
class Probe:
    kind: str                                   # rss | atom | sitemap | site
    title: str | None = None
    feeds: list[tuple[str, str, str | None]] = field(default_factory=list)  # (url, kind, title)


def fetch(url: str, user_agent: str, timeout: float = 15) -> tuple[bytes, dict]:
    request = urllib.request.Request(url, headers={"User-Agent": user_agent})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.read(MAX_PROBE_BYTES), dict(response.headers)


def classify(url: str, body: bytes, headers: dict) -> Probe:
    """Feed (feedparser finds a version), sitemap (urlset/sitemapindex root), else a page and its feeds."""
    import feedparser

    if _SITEMAP.search(body[:2048]):
        return Probe("sitemap")
    parsed = feedparser.parse(body, response_headers={k.lower(): v for k, v in headers.items()})
    if parsed.get("version") and parsed.entries is not None and not parsed.version.startswith("json"):
        return Probe("atom" if parsed.version.startswith("atom") else "rss", parsed.feed.get("title"))
    from crawler.encoding import decode_html
    from lxml import html

    tree = html.fromstring(decode_html(body, headers)[0].encode("utf-8"), base_url=url)
    feeds = []
    for link in tree.xpath('//link[contains(concat(" ", normalize-space(@rel), " "), " alternate ")][@href]'):
        kind = FEED_TYPES.get((link.get("type") or "").split(";")[0].strip().lower())
        if kind:
            feeds.append((urljoin(url, link.get("href").strip()), kind, link.get("title")))
    title = tree.findtext(".//title")
    return Probe("site", title.strip() if title else None, list(dict.fromkeys(feeds)))
