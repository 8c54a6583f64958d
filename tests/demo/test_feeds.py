"""Feeds, sitemap and robots.txt of the demo site, read with the libraries the crawler uses."""
from __future__ import annotations

import urllib.request
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

import feedparser

from openwatch.demo.site import load_site

SITE = load_site()


def read(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read()


def test_rss_feed_is_valid_rss2_with_dates_and_a_tracked_syndicated_copy(demo_site):
    feed = feedparser.parse(read(demo_site.url("/feeds/rss.xml")))
    assert feed.version == "rss20" and not feed.bozo
    expected = {a.path for a in SITE.articles if "rss" in a.feeds} | {c.path for c in SITE.syndicated}
    assert {urlsplit(e.link).path for e in feed.entries} == expected
    assert all(e.link.startswith(demo_site.base_url) and e.published_parsed for e in feed.entries)
    tracked = [e.link for e in feed.entries if urlsplit(e.link).path == SITE.syndicated[0].path]
    assert urlsplit(tracked[0]).query.startswith("utm_source=")
    assert read(tracked[0])  # the copy with tracking parameters is served


def test_atom_feed_is_valid_atom_listing_its_own_subset(demo_site):
    feed = feedparser.parse(read(demo_site.url("/feeds/atom.xml")))
    assert feed.version == "atom10" and not feed.bozo
    links = {urlsplit(e.link).path for e in feed.entries}
    assert links == {a.path for a in SITE.articles if "atom" in a.feeds}
    rss_only = {a.path for a in SITE.articles if a.feeds == ("rss",)}
    assert rss_only and not links & rss_only
    assert all(e.id.startswith(SITE.canonical_base) and e.published_parsed for e in feed.entries)


def test_sitemap_lists_every_article_and_nothing_private(demo_site):
    ns = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    root = ET.fromstring(read(demo_site.url("/sitemap.xml")))
    locs = [loc.text for loc in root.findall("sm:url/sm:loc", ns)]
    assert {urlsplit(u).path for u in locs} == {a.path for a in SITE.articles}
    assert len(root.findall("sm:url/sm:lastmod", ns)) == len(locs)
    assert all(read(u) for u in locs)


def test_robots_txt_disallows_the_private_draft_that_the_home_page_links(demo_site):
    robots = RobotFileParser(demo_site.url("/robots.txt"))
    robots.read()
    private = SITE.private["path"]
    assert not robots.can_fetch("OpenWatchBot", demo_site.url(private))
    assert all(robots.can_fetch("OpenWatchBot", demo_site.url(a.path)) for a in SITE.articles)
    assert robots.site_maps() == [demo_site.url("/sitemap.xml")]
    assert f'href="{private}"' in read(demo_site.url("/")).decode()  # only robots.txt keeps crawlers out
