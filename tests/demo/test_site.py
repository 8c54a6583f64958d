"""The demo site as a crawler meets it: bytes, encodings, headers, canonical URLs, dates, furniture."""
from __future__ import annotations

import html
import re
import urllib.error
import urllib.request
from datetime import timedelta

import pytest

from openwatch.demo.server import DemoServer
from openwatch.demo.site import LEGACY_ENCODINGS, load_site

SITE = load_site()


def fetch(url: str, headers: dict | None = None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def test_the_corpus_spans_three_languages_six_months_and_legacy_encodings():
    sections = {a.section for a in SITE.articles}
    assert sections == {"en", "zh", "tw"}
    assert all(sum(a.section == s for a in SITE.articles) >= 5 for s in sections)
    dates = [a.published for a in SITE.articles]
    assert max(dates) - min(dates) > timedelta(days=183)
    assert {a.encoding for a in SITE.articles if a.section == "zh"} >= {"gbk", "utf-8"}
    assert {a.encoding for a in SITE.articles if a.section == "tw"} >= {"big5", "utf-8"}
    assert any(a.encoding in LEGACY_ENCODINGS and a.declared == "none" for a in SITE.articles)


@pytest.mark.parametrize("article", SITE.articles, ids=lambda a: a.file)
def test_article_text_fits_its_encoding_and_dateline_matches_published(article):
    for text in (article.title, article.dateline, *article.paragraphs):
        text.encode(article.encoding)  # strict: the article itself never needs character references
    year, month, day = (int(n) for n in re.findall(r"\d+", article.dateline)[:3]) if article.section != "en" \
        else (article.published.year, article.published.month, article.published.day)
    assert (year, month, day) == (article.published.year, article.published.month, article.published.day)
    if article.section == "en":
        assert article.published.strftime("%B ") + str(article.published.day) in article.dateline


@pytest.mark.parametrize("article", SITE.articles, ids=lambda a: a.file)
def test_pages_are_served_in_their_encoding_without_a_legacy_charset_header(demo_site, article):
    status, headers, body = fetch(demo_site.url(article.path))
    assert status == 200
    content_type = headers["Content-Type"]
    if article.encoding in LEGACY_ENCODINGS:
        assert content_type == "text/html"
        with pytest.raises(UnicodeDecodeError):
            body.decode("utf-8")
    else:
        assert content_type == "text/html; charset=utf-8"
    text = html.unescape(body.decode(article.encoding))
    assert all(p in text for p in (article.title, *article.paragraphs))
    declared = re.search(rb"<meta[^>]*charset=\"?([\w-]+)", body)
    assert (declared.group(1).decode() if declared else "none") == \
        (article.encoding if article.declared != "none" else "none")


@pytest.mark.parametrize("article", SITE.articles, ids=lambda a: a.file)
def test_crawler_decoding_recovers_every_page(demo_site, article):
    from crawler.encoding import decode_html

    status, headers, body = fetch(demo_site.url(article.path))
    text, _ = decode_html(body, dict(headers.items()))
    text = html.unescape(text)
    assert article.paragraphs[-1] in text


def test_pages_carry_furniture_and_a_port_independent_canonical_url(demo_site):
    article = SITE.articles[0]
    with DemoServer() as other:
        assert other.port != demo_site.port
        pages = [fetch(server.url(article.path))[2].decode(article.encoding) for server in (demo_site, other)]
    canonical = f'<link rel="canonical" href="{SITE.canonical_base}{article.path}">'
    assert all(canonical in page for page in pages)
    for marker in ('class="main-nav"', 'class="ad ad-leaderboard"', 'class="related"', 'class="site-footer"',
                   'id="cookie-banner"'):
        assert marker in pages[0]


def test_machine_readable_dates_follow_each_articles_markup(demo_site):
    for article in SITE.articles:
        page = fetch(demo_site.url(article.path))[2].decode(article.encoding)
        iso = article.published.isoformat()
        assert ('"datePublished": "%s"' % iso in page) == (article.date_markup == "jsonld")
        assert (f'<meta property="article:published_time" content="{iso}">' in page) == (article.date_markup == "meta")


def test_unknown_paths_are_404_and_conditional_gets_get_304(demo_site):
    assert fetch(demo_site.url("/no/such/page.html"))[0] == 404
    status, headers, _ = fetch(demo_site.url("/feeds/rss.xml"))
    assert status == 200 and headers["ETag"] and headers["Last-Modified"]
    assert fetch(demo_site.url("/feeds/rss.xml"), {"If-None-Match": headers["ETag"]})[0] == 304
    assert fetch(demo_site.url("/feeds/rss.xml"), {"If-Modified-Since": headers["Last-Modified"]})[0] == 304
    assert fetch(demo_site.url("/feeds/rss.xml"), {"If-None-Match": '"stale"'})[0] == 200


def test_section_pages_link_every_article_of_their_section(demo_site):
    for section in SITE.sections:
        page = fetch(demo_site.url(f"/{section}/"))[2].decode("utf-8")
        linked = set(re.findall(r'href="(/[a-z]+/\d{4}/\d\d/[^"]+)"', page))
        assert linked == {a.path for a in SITE.articles if a.section == section}
