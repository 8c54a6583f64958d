"""Feed documents to entries with feedparser: RSS 0.9x/1.0/2.0, Atom, RDF; ill-formed feeds yield what
can be recovered plus a one-line problem; undeclared legacy encodings (GB2312, Big5) are detected."""
from __future__ import annotations

from calendar import timegm
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import urljoin

_LATIN = {"windows-1252", "iso-8859-1", "cp1252", "latin-1"}


@dataclass
class FeedEntry:
    url: str
    title: str | None = None
    author: str | None = None
    published: datetime | None = None


@dataclass
class ParsedFeed:
    is_feed: bool
    entries: list[FeedEntry] = field(default_factory=list)
    problem: str | None = None  # feedparser's bozo exception, as one line


def _entry_date(entry) -> datetime | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    try:
        return datetime.fromtimestamp(timegm(parsed), tz=timezone.utc) if parsed else None
    except (OverflowError, ValueError):
        return None


def _parse(body: bytes, headers: dict):
    import feedparser

    parsed = feedparser.parse(body, response_headers=headers)
    if (parsed.get("encoding") or "").lower() in _LATIN and not _declared(body, headers):
        # no charset anywhere and not UTF-8: feedparser guessed Latin-1; detect (GB2312, Big5...) instead
        from crawler.encoding import decode_html

        text, encoding = decode_html(body, headers)
        if encoding.lower() not in _LATIN and encoding != "utf-8":
            parsed = feedparser.parse(text.encode("utf-8"), response_headers={**headers, "content-type": "application/xml; charset=utf-8"})
    return parsed


def _declared(body: bytes, headers: dict) -> bool:
    return "charset" in (headers.get("content-type") or "").lower() or b"encoding=" in body[:200]


def parse_feed(body: bytes, headers: dict | None = None, base_url: str = "") -> ParsedFeed:
    """Entries (absolute links) of a feed document; `headers` are lower-case HTTP response headers."""
    parsed = _parse(body, headers or {})
    problem = None
    if parsed.get("bozo"):
        exception = parsed.get("bozo_exception")
        problem = f"{type(exception).__name__}: {str(exception).splitlines()[0] if str(exception) else ''}".rstrip(": ")
    entries = [FeedEntry(urljoin(base_url, e["link"]), e.get("title"), e.get("author"), _entry_date(e))
               for e in parsed.entries if e.get("link")]
    return ParsedFeed(bool(parsed.entries) or bool(parsed.get("version")), entries, problem)
