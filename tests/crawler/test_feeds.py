"""Feed documents: undeclared legacy encodings, ill-formed and non-feed input, the shared samples."""
from __future__ import annotations

import pytest

from crawler.encoding import decode_html
from crawler.feeds import parse_feed

TITLE = "开源模型的许可证常常限制商业使用"


def rss(title: str, declaration: str = "") -> str:
    return (f'<?xml version="1.0"{declaration}?><rss version="2.0"><channel><title>{title}</title>'
            f"<item><title>{title}</title><link>/a/1.html</link><description>{title * 3}</description></item>"
            "</channel></rss>")


def test_undeclared_gb2312_feed_is_detected():
    feed = parse_feed(rss(TITLE).encode("gb2312"), {}, "http://example.cn/feed.xml")
    assert [(e.url, e.title) for e in feed.entries] == [("http://example.cn/a/1.html", TITLE)]


def test_declared_encoding_is_kept_and_latin1_pages_are_not_taken_for_chinese():
    feed = parse_feed(rss("café crème", ' encoding="iso-8859-1"').encode("latin-1"), {}, "http://example.fr/")
    assert feed.entries[0].title == "café crème" and feed.problem is None
    text, encoding = decode_html(("<html><body><p>" + "Un café crème à côté, déjà prêt. " * 30 + "</p></body></html>").encode("cp1252"))
    assert "café crème à côté" in text and encoding != "gb18030"


def test_ill_formed_and_non_feed_documents_are_reported_not_raised():
    broken = parse_feed(rss("Story").replace("</channel>", "<x>&</channel>").encode(), {}, "http://e.com/")
    assert broken.problem and [e.title for e in broken.entries] == ["Story"]
    page = parse_feed(b"<html><body>not a feed</body></html>", {}, "http://e.com/")
    assert not page.is_feed and not page.entries


@pytest.mark.shared
def test_every_shared_feed_sample_parses_or_is_reported_broken(shared_dir):
    samples = [p for p in (shared_dir / "benchmarks" / "feeds").rglob("*") if p.is_file() and p.suffix != ".md"
               and p.name not in ("LICENSE", "__init__.py")]
    assert len(samples) >= 100
    outcomes = [parse_feed(p.read_bytes(), {}, p.as_uri()) for p in samples]  # must not raise
    assert sum(f.is_feed and f.problem is None for f in outcomes) >= 0.8 * len(samples)
    assert all(f.problem or f.is_feed or not f.entries for f in outcomes)
