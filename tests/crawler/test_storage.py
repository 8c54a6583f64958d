"""Sources and article storage on SQLite and PostgreSQL: dedup, syndication, near-duplicates, health."""
from __future__ import annotations

import random
from datetime import date, datetime, timezone

import pytest
from sqlmodel import func, select

from storage.articles import CrawledPage, NearDuplicateIndex, canonical_url, known_urls, store_pages
from storage.db import session_scope
from storage.fingerprints import simhash
from storage.models import Article, ArticleURL, Page, Source
from storage.sources import (CrawlOutcome, SourceError, add_source, finish_crawl_run, get_sources,
                             import_sources, start_crawl_run)

WORDS = "model weights open licence data training release usage cap restriction developer community research".split()
_RNG = random.Random(4)
STORY = " ".join(f"{_RNG.choice(WORDS)} {_RNG.choice(WORDS)} {_RNG.choice(WORDS)} {i}." for i in range(400))


def crawled(url, text=STORY, **kw):
    return CrawledPage(url=url, source_id=None, text=text, norm_text=text, body=b"<html>", **kw)


def store(db_url, pages):
    with session_scope(db_url) as session:
        return store_pages(session, pages, NearDuplicateIndex.load(session))


def count(db_url, model):
    with session_scope(db_url) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def test_canonical_url_strips_tracking_and_fragment():
    assert canonical_url("HTTPS://News.Example.com/a/1.html?utm_source=x&id=3&fbclid=y#top") == \
        "https://news.example.com/a/1.html?id=3"


def test_recrawl_and_syndication_store_each_story_once(db_url):
    published = datetime(2024, 3, 9, 8, 19, tzinfo=timezone.utc)
    first = store(db_url, [crawled("https://a.example/story?utm_medium=rss", published_at=published, date_origin="page")])
    again = store(db_url, [crawled("https://a.example/story"),                      # same canonical URL
                           crawled("https://b.example/copy", text=STORY + "  ")])   # syndicated copy
    assert (first.new, again.new, again.duplicates) == (1, 0, 2)
    assert count(db_url, Article) == 1 and count(db_url, Page) == 3
    with session_scope(db_url) as session:
        urls = set(session.exec(select(ArticleURL.url)).all())
        article = session.exec(select(Article)).one()
        assert known_urls(session, ["https://b.example/copy#x", "https://c.example/new"]) == {"https://b.example/copy#x"}
    assert urls == {"https://a.example/story", "https://b.example/copy"}
    assert article.published_at == published and article.extraction_status == "pending"


@pytest.mark.parametrize("text, value", [
    ("Open weights are not open source.", 4835562735301488362),
    (" 开源模型\u3000的许可证\n\n限制商业使用 ", 6753048082333845939),  # whitespace runs and ends, CJK
    ("", -5534196797407882880), ("ab", -5893958651365472749),
])
def test_simhash_values_stay_those_already_stored(text, value):
    """Near-duplicates are found among stored SimHashes: a faster implementation must give the same values."""
    assert simhash(text) == value


def test_near_duplicate_is_marked_and_skipped(db_url):
    store(db_url, [crawled("https://a.example/1")])
    result = store(db_url, [crawled("https://b.example/2", text=STORY + " Share this article. Related: more news.")])
    assert result.near_duplicates == 1
    with session_scope(db_url) as session:
        copy = session.exec(select(Article).where(Article.url == "https://b.example/2")).one()
    assert copy.duplicate_of_id is not None and copy.extraction_status == "skipped"


def test_near_duplicate_lookup_takes_the_closest_original():
    index = NearDuplicateIndex()
    index.add(1, 0b111111 << 20)  # 6 bits from 0: a near-duplicate of it, added first
    index.add(2, 1 << 40)  # 1 bit from 0: the closer one
    index.add(3, -1)  # SimHashes are signed BIGINTs: all 64 bits set
    assert index.find(0) == 2 and index.find(-2) == 3 and index.find(0xFFFF) is None


def test_spiders_of_one_crawl_share_the_near_duplicate_index(db_url):
    """Two sources of one crawl carry the same story with different furniture: the copy is marked,
    though each source's spider opened before the other stored anything."""
    from types import SimpleNamespace

    from crawler.pipelines import StorePipeline

    stats = SimpleNamespace(inc_value=lambda *args, **kwargs: None)
    first, second = StorePipeline(1, stats), StorePipeline(1, stats)
    first.open_spider()
    second.open_spider()
    first.process_item(crawled("https://a.example/1"))
    second.process_item(crawled("https://b.example/2", text=STORY + " Share this article. Related: more news."))
    first.close_spider()
    second.close_spider()
    with session_scope(db_url) as session:
        copy = session.exec(select(Article).where(Article.url == "https://b.example/2")).one()
    assert copy.duplicate_of_id is not None and copy.extraction_status == "skipped"
    assert not StorePipeline._shared  # dropped with the last spider


def test_rel_canonical_wins_and_different_stories_stay_apart(db_url):
    other = " ".join(f"{WORDS[i * 3 % 13]} {WORDS[i * 11 % 13]} {i * 17}." for i in range(400))
    result = store(db_url, [crawled("https://a.example/amp/1", canonical="https://a.example/1"),
                            crawled("https://a.example/2", text=other)])
    assert result.new == 2
    with session_scope(db_url) as session:
        assert session.exec(select(Article.url).order_by(Article.url)).all() == ["https://a.example/1", "https://a.example/2"]


def test_import_validates_everything_before_writing(db_url, tmp_path):
    good = tmp_path / "sources.yaml"
    good.write_text("sources:\n- {name: one, kind: rss, url: 'https://one.example/feed'}\n"
                    "- {name: two, kind: site, url: 'https://two.example/', allow: ['/news/'], max_depth: 1}\n")
    assert import_sources(good) == (2, 0)
    assert import_sources(good) == (0, 2)
    bad = tmp_path / "bad.csv"
    bad.write_text("name,kind,url\nthree,rss,https://three.example/feed\nfour,podcast,https://four.example/\n")
    with pytest.raises(SourceError, match="source 2: .*kind 'podcast'"):
        import_sources(bad)
    assert [s.name for s in get_sources()] == ["one", "two"]
    with pytest.raises(SourceError, match="unknown source"):
        get_sources(["nope"])
    with pytest.raises(SourceError, match="not an http"):
        add_source(name="x", kind="rss", url="ftp://x")


def test_crawl_run_records_health(db_url):
    source = add_source(name="feed", kind="rss", url="https://feed.example/rss")
    for _ in range(3):
        finish_crawl_run(start_crawl_run(source.id), CrawlOutcome(errors=["DNSLookupError: feed.example"]))
    with session_scope(db_url) as session:
        failing = session.get(Source, source.id)
    assert failing.health == "failing" and failing.consecutive_failures == 3 and "DNSLookupError" in failing.last_error
    run = finish_crawl_run(start_crawl_run(source.id), CrawlOutcome(pages=2, new_articles=2, etag='"v2"'))
    with session_scope(db_url) as session:
        healthy = session.get(Source, source.id)
    assert run.status == "ok" and healthy.health == "ok" and healthy.etag == '"v2"' and healthy.last_new_article_at


def test_one_batch_links_copies_to_articles_new_in_the_same_batch(db_url):
    other = " ".join(f"{WORDS[i * 5 % 13]} {WORDS[i * 7 % 13]} {i * 3}." for i in range(400))
    result = store(db_url, [crawled("https://a.example/1"), crawled("https://b.example/copy"),
                            crawled("https://c.example/near", text=STORY + " Share this article. Related: more news."),
                            crawled("https://a.example/2", text=other), crawled("https://a.example/1#again")])
    assert (result.new, result.duplicates, result.near_duplicates) == (2, 2, 1)
    with session_scope(db_url) as session:
        ids = dict(session.exec(select(Article.url, Article.id)).all())
        near = session.exec(select(Article).where(Article.url == "https://c.example/near")).one()
        links = dict(session.exec(select(ArticleURL.url, ArticleURL.article_id)).all())
        pages = session.exec(select(Page.article_id)).all()
    assert near.duplicate_of_id == ids["https://a.example/1"] and near.extraction_status == "skipped"
    assert links["https://b.example/copy"] == ids["https://a.example/1"] and len(pages) == 5 and None not in pages


def test_url_stored_by_a_racing_crawl_is_linked_not_duplicated(db_url):
    store(db_url, [crawled("https://a.example/1")])
    with session_scope(db_url) as session:  # the other crawl's article row is there, its ArticleURL not yet
        session.exec(ArticleURL.__table__.delete())
    result = store(db_url, [crawled("https://a.example/1", text="a different text " * 20)])
    assert (result.new, result.duplicates) == (0, 1)
    assert count(db_url, Article) == 1 and count(db_url, ArticleURL) == 1


def test_article_keeps_the_calendar_day_it_shows_in_its_own_time_zone(db_url):
    """07:30 in Beijing is the previous day in UTC: trends and exports must still say the day the page shows."""
    from datetime import timedelta

    from sqlalchemy import text as sql

    from storage.extraction import article_day
    from storage.queries import Filters, article_rows
    from storage.db import get_engine

    beijing = timezone(timedelta(hours=8))
    store(db_url, [crawled("https://example.cn/a", published_at=datetime(2024, 3, 9, 7, 30, tzinfo=beijing))])
    with session_scope(db_url) as s:
        article = s.exec(select(Article)).one()
        assert article.published_at.date().isoformat() == "2024-03-08"  # stored as UTC
        assert article.published_on.isoformat() == "2024-03-09"
        assert article_day(article).isoformat() == "2024-03-09"
    with get_engine(db_url).connect() as conn:
        day = conn.execute(sql("SELECT day FROM article_daily")).scalar()
        rows = conn.execute(article_rows(conn, Filters(start=date(2024, 3, 9), end=date(2024, 3, 9)))).all()
    assert str(day) == "2024-03-09"
    assert [r.published for r in rows] == ["2024-03-09"]
