"""What spiders yield: a fetched article page with what its feed or sitemap said about it."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class PageItem:
    url: str                      # final URL after redirects
    source_id: int
    body: bytes
    headers: dict                 # response headers (Content-Type decides the charset)
    status: int = 200
    requested_url: str | None = None
    feed_title: str | None = None
    feed_author: str | None = None
    feed_published: datetime | None = None
    fetched_at: datetime = field(default_factory=lambda: datetime.now().astimezone())
