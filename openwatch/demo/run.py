"""`openwatch demo`: serve the demo site, register it as sources, crawl, extract, summarize.

The demo site is served on a new free port each run, so its four sources are (re)imported by
name with the current URLs: a re-run updates them instead of duplicating them, and the pages'
stable rel=canonical URLs keep the articles from being stored twice. After the run the demo
sources are disabled, because their port is gone; scheduled crawls then leave them alone.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from openwatch.config import get_settings

ARTICLE_PATHS = r"/20\d\d/\d\d/[\w.-]+\.html$"
# The site is local: no politeness delays, so the ~25 pages take seconds.
CRAWL_SETTINGS = {"AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0}


def demo_sources(base_url: str, enabled: bool = True) -> list[dict]:
    """The demo site as sources: an RSS 2.0 feed, an Atom feed, the sitemap and the site's sections."""
    common = {"enabled": enabled, "interval_minutes": 60}
    return [
        {"name": "demo-rss", "kind": "rss", "url": f"{base_url}/feeds/rss.xml", **common},
        {"name": "demo-atom", "kind": "atom", "url": f"{base_url}/feeds/atom.xml", **common},
        {"name": "demo-sitemap", "kind": "sitemap", "url": f"{base_url}/sitemap.xml", **common},
        {"name": "demo-site", "kind": "site", "url": f"{base_url}/", "max_depth": 2, "allow": [ARTICLE_PATHS],
         **common},
    ]


def register_demo_sources(base_url: str, enabled: bool = True) -> list[str]:
    """Add or update the demo sources (through the same import path users have); returns their names.
    The definitions are kept in the data dir as `demo-sources.yaml` for inspection."""
    from storage.sources import import_sources

    sources = demo_sources(base_url, enabled=enabled)
    path = Path(get_settings().data_dir) / "demo-sources.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump({"sources": sources}, allow_unicode=True, sort_keys=False), encoding="utf-8")
    import_sources(path)
    return [s["name"] for s in sources]


@dataclass
class DemoSummary:
    base_url: str
    crawl_runs: list = field(default_factory=list)
    extracted: int = 0
    articles: int = 0
    duplicates: int = 0
    claims: Counter = field(default_factory=Counter)
    signals: Counter = field(default_factory=Counter)


def count_results(summary: DemoSummary) -> None:
    """Articles (originals and near-duplicates), claims by stance and signals by id, from the database."""
    from sqlalchemy import func
    from sqlmodel import select

    from storage.db import session_scope
    from storage.models import Article, Claim, Signal

    with session_scope() as session:
        summary.articles = session.exec(select(func.count()).select_from(Article)
                                        .where(Article.duplicate_of_id.is_(None))).one()
        summary.duplicates = session.exec(select(func.count()).select_from(Article)
                                          .where(Article.duplicate_of_id.is_not(None))).one()
        summary.claims = Counter(dict(session.exec(select(Claim.stance, func.count()).group_by(Claim.stance)).all()))
        summary.signals = Counter(dict(session.exec(select(Signal.signal, func.count())
                                                    .group_by(Signal.signal)).all()))


def run_demo() -> DemoSummary:
    """Migrate the database, serve the demo site, crawl it through the real crawler, extract claims."""
    from crawler.run import crawl
    from openwatch.demo.server import DemoServer
    from openwatch.extraction import extract_pending
    from storage.db import upgrade

    upgrade()
    with DemoServer() as server:
        summary = DemoSummary(base_url=server.base_url)
        names = register_demo_sources(server.base_url)
        try:
            summary.crawl_runs = crawl(names, settings=CRAWL_SETTINGS)
        finally:
            register_demo_sources(server.base_url, enabled=False)
    summary.extracted = extract_pending()
    count_results(summary)
    return summary
