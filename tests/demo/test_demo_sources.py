"""The demo registers its site as four sources and updates them, not duplicates them, on re-runs."""
from __future__ import annotations

from openwatch.demo.run import ARTICLE_PATHS, register_demo_sources
from openwatch.demo.site import load_site


def test_demo_sources_are_updated_in_place_when_the_port_changes(db_url):
    from storage.sources import list_sources

    names = register_demo_sources("http://127.0.0.1:40001")
    register_demo_sources("http://127.0.0.1:40002", enabled=False)
    sources = {s.name: s for s in list_sources()}
    assert sorted(sources) == sorted(names)
    assert {s.kind for s in sources.values()} == {"rss", "atom", "sitemap", "site"}
    assert all(s.url.startswith("http://127.0.0.1:40002/") and not s.enabled for s in sources.values())


def test_the_site_source_follows_article_links_only():
    import re

    site = load_site()
    assert all(re.search(ARTICLE_PATHS, a.path) for a in site.articles)
    for path in ("/", "/en/", "/about.html", "/feeds/rss.xml"):
        assert not re.search(ARTICLE_PATHS, path)
    assert re.search(ARTICLE_PATHS, site.private["path"])  # so only robots.txt keeps the site spider out
