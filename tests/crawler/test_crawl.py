"""Integration: real Scrapy crawls of the local fixture site; failures recorded, nothing lost or duplicated."""
from __future__ import annotations

import json
import subprocess
import sys

from sqlmodel import func, select

from storage.models import Article, ArticleURL, CrawlRun, Page, Source
from helpers import run_openwatch
from storage.db import session_scope
from storage.sources import add_source, get_sources, import_sources


def counts():
    with session_scope() as session:
        return {m.__name__: session.exec(select(func.count()).select_from(m)).one() for m in (Article, ArticleURL, Page)}


def add_feeds(base: str, **paths: str) -> None:
    for name, path in paths.items():
        add_source(name=name, kind="rss", url=f"{base}{path}")


def source_named(session, name: str) -> Source:
    return session.exec(select(Source).where(Source.name == name)).one()


def test_feed_crawl_survives_every_failure_and_recrawl_adds_nothing(sqlite_url, site, run_crawl):
    base, hits = site
    add_feeds(base, fixture="/feed.xml", broken="/broken.xml")
    first = run_crawl()
    with session_scope() as session:
        articles = {a.url.replace(base, ""): a for a in session.exec(select(Article)).all()}
        source = source_named(session, "fixture")
        runs = session.exec(select(CrawlRun)).all()
    # stored: 3 stories, 1 near-duplicate, 2 Chinese pages (missing and wrong charset), 2 from the broken feed
    first_copy = "/a/1.html" if "/a/1.html" in articles else "/syndicated/1.html"  # whichever came first
    assert {first_copy, "/a/2.html", "/a/3.html", "/near/2.html", "/gbk.html", "/wrong-charset.html",
            "/a/4.html", "/a/5.html"} == set(articles)
    assert "开源模型的许可证" in articles["/gbk.html"].text and "训练数据" in articles["/wrong-charset.html"].norm_text[::-1] or \
        "据数练训" in articles["/wrong-charset.html"].norm_text
    pair = {articles["/near/2.html"].duplicate_of_id, articles["/a/2.html"].duplicate_of_id}
    assert pair in ({None, articles["/a/2.html"].id}, {None, articles["/near/2.html"].id})  # whichever came first
    assert articles[first_copy].published_at.year == 2024 and articles[first_copy].date_origin == "page"
    assert "Copyright" not in articles[first_copy].text
    assert hits.get("/private/secret.html") is None                       # robots.txt obeyed
    summary = first["fixture"]
    assert summary["status"] == "partial" and source.health == "degraded" and source.etag == '"v1"'
    problems = "\n".join(summary["errors"])
    for failure in ("HTTP 500", "/slow.html", "/big.html", "/bomb.html", "/private/secret.html", "/loop1",
                    "not HTML (application/pdf), skipped"):
        assert failure in problems, failure
    assert hits["/loop1"] + hits["/loop2"] <= 3                          # redirect loop stopped
    assert first["broken"]["status"] == "partial" and "ill-formed feed" in first["broken"]["errors"][0]
    assert len(runs) == 2 and all(r.finished_at for r in runs)
    fixture_run = next(r for r in runs if r.source_id == source.id)
    assert fixture_run.errors == len(summary["errors"]) and "/loop1" in fixture_run.error_summary
    with session_scope() as session:
        links = {session.get(ArticleURL, f"{base}{p}").article_id for p in ("/a/1.html", "/syndicated/1.html")}
    assert links == {articles[first_copy].id}                              # stored once, linked
    before = counts()

    second = run_crawl(["fixture"])
    assert second["fixture"]["not_modified"] and second["fixture"]["pages"] == 0  # one 304
    assert counts() == before
    assert hits["/a/1.html"] == 1


def test_sitemap_and_site_section_sources_with_extraction_workers(sqlite_url, site, run_crawl):
    base, hits = site
    add_source(name="map", kind="sitemap", url=f"{base}/sitemap_index.xml")
    add_source(name="section", kind="site", url=f"{base}/section/", max_depth=2)
    result = run_crawl(OPENWATCH_EXTRACT_WORKERS=2, OPENWATCH_EXTRACT_WORKERS_AFTER=2)  # in-process, then workers
    with session_scope() as session:
        urls = {u.replace(base, "") for u in session.exec(select(Article.url)).all()}
    assert urls == {"/s/10.html", "/s/11.html", "/section/2024/05/story-20.html", "/section/2024/05/story-21.html",
                    "/section/2024/05/story-22.html"}
    assert result["map"]["status"] == "ok" and result["section"]["new_articles"] == 3
    assert "/about" in hits and all(v == 1 for k, v in hits.items() if k.endswith(".html"))


def test_unreachable_source_is_reported_and_the_crawl_finishes(sqlite_url, site, run_crawl):
    base, _ = site
    add_source(name="offline", kind="rss", url="http://127.0.0.1:9/feed.xml")
    add_source(name="fixture", kind="rss", url=f"{base}/broken.xml")
    result = run_crawl()
    assert result["offline"]["status"] == "failed" and "ConnectionRefused" in result["offline"]["errors"][0]
    assert result["fixture"]["new_articles"] == 2
    with session_scope() as session:
        offline = source_named(session, "offline")
    assert offline.health == "degraded" and offline.consecutive_failures == 1 and offline.last_error


def test_moved_feed_gets_its_new_url_and_gone_feed_is_disabled(sqlite_url, site, run_crawl):
    base, _ = site
    add_feeds(base, moved="/moved.xml", gone="/gone.xml")
    result = run_crawl()
    with session_scope() as session:
        moved, gone = source_named(session, "moved"), source_named(session, "gone")
        stored = session.exec(select(Article.url)).all()
    assert moved.url == f"{base}/new-feed.xml" and result["moved"]["new_articles"] == 1 and stored == [f"{base}/a/6.html"]
    assert not gone.enabled and gone.health == "gone" and "410" in result["gone"]["errors"][0]
    assert [s.name for s in get_sources()] == ["moved"]   # the next crawl leaves the gone feed alone


def test_sources_add_discovers_the_feeds_a_home_page_names(sqlite_url, site):
    base, _ = site
    done = run_openwatch("sources", "add", f"{base}/home/", "--name", "home", "--all-feeds")
    assert done.returncode == 0, done.stderr
    assert "names 2 feed(s)" in done.stdout
    found = {(s.name, s.kind, s.url) for s in get_sources()}
    assert found == {("home", "rss", f"{base}/feed.xml"), ("home-2", "atom", f"{base}/new-feed.xml")}
    again = run_openwatch("sources", "add", f"{base}/home/", "--name", "home")
    assert again.returncode == 2 and "already exists" in again.stderr and "Traceback" not in again.stderr


def test_bundled_default_sources_import_and_are_reported_when_offline(sqlite_url, site, run_crawl, tmp_path):
    """The demo's default real feeds are valid; offline, each unreachable one is reported and the run ends."""
    from helpers import ROOT

    added, _ = import_sources(ROOT / "openwatch" / "default_sources.yaml")
    assert added == len(get_sources()) >= 10
    # no internet here: stand-ins at a closed port keep the test fast and off the network
    closed = tmp_path / "offline.yaml"
    closed.write_text("".join(f"- {{name: {s.name}, kind: {s.kind}, url: 'http://127.0.0.1:9/{s.name}'}}\n"
                              for s in get_sources()[:3]))
    import_sources(closed)
    names = [s.name for s in get_sources()[:3]]
    result = run_crawl(names)
    assert all(result[n]["status"] == "failed" and "ConnectionRefused" in result[n]["errors"][0] for n in names)


def test_scrapy_records_below_log_level_are_not_built(sqlite_url, site):
    """With a root handler that prints every level (the scheduler's), a crawl at LOG_LEVEL=WARNING
    prints no per-page DEBUG lines ('Crawled (200)', 'Scraped from <item>')."""
    base, _ = site
    add_source(name="fixture", kind="rss", url=f"{base}/broken.xml")
    code = ("import json, logging, sys; logging.basicConfig(level=logging.DEBUG); from crawler.run import crawl;"
            "print(json.dumps([s.new_articles for s in crawl(settings=json.loads(sys.argv[1]))]))")
    settings = {"AUTOTHROTTLE_ENABLED": False, "RETRY_TIMES": 1, "LOG_LEVEL": "WARNING"}
    done = subprocess.run([sys.executable, "-c", code, json.dumps(settings)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == [2]
    assert "Scraped from" not in done.stderr and "Crawled (200)" not in done.stderr


def test_on_page_is_called_for_every_stored_page(sqlite_url, site):
    """`openwatch crawl` advances its progress bar through on_page, once per page that reaches storage."""
    base, _ = site
    add_source(name="fixture", kind="rss", url=f"{base}/broken.xml")
    code = ("import json, sys; from crawler.run import crawl; pages = [];"
            "summaries = crawl(settings=json.loads(sys.argv[1]), on_page=lambda: pages.append(1));"
            "print(json.dumps([len(pages), sum(s.new_articles for s in summaries)]))")
    settings = {"AUTOTHROTTLE_ENABLED": False, "RETRY_TIMES": 1, "LOG_LEVEL": "ERROR"}
    done = subprocess.run([sys.executable, "-c", code, json.dumps(settings)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == [2, 2]


def test_crawl_collects_garbage_less_often_and_restores_the_settings(sqlite_url, site):
    """While pages are crawled the start-up objects are frozen out of the cyclic collector and collections
    are rarer (crawler.run.GC_THRESHOLD); the process's own settings come back when the crawl ends."""
    base, _ = site
    add_source(name="fixture", kind="rss", url=f"{base}/broken.xml")
    code = ("import gc, json, sys; from crawler.run import crawl; during = [];"
            "state = lambda: during.append((gc.get_threshold(), gc.get_freeze_count() > 0));"
            "crawl(settings=json.loads(sys.argv[1]), on_page=state);"
            "print(json.dumps([during, gc.get_threshold(), gc.get_freeze_count()]))")
    settings = {"AUTOTHROTTLE_ENABLED": False, "RETRY_TIMES": 1, "LOG_LEVEL": "ERROR"}
    done = subprocess.run([sys.executable, "-c", code, json.dumps(settings)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    during, after, frozen = json.loads(done.stdout.strip().splitlines()[-1])
    assert during == [[[20_000, 20, 20], True]] * 2
    assert after == [700, 10, 10] and frozen == 0


def test_crawl_keeps_its_safeguards_and_drops_per_page_extras():
    """Robots (with its Crawl-delay), offsite, timeouts, retries, redirects, decompression limits, HTTP errors and depth stay on (the
    fixture crawl above exercises them); per-page work nothing reads (transfer byte counts, HTTP auth, Referer,
    debugging checks, periodic log lines and memory checks, feed exports, Scrapy's remote-control HTTP server)
    is off, and a response's items get one processing slot (a page yields one item; every slot costs a
    task per response)."""
    from scrapy.utils.conf import build_component_list

    from crawler.run import crawl_settings

    settings = crawl_settings()

    def enabled(name: str) -> set[str]:
        return {path.rsplit(".", 1)[-1] for path in build_component_list(settings.getwithbase(name))}

    downloader, spider, extensions = (enabled(n) for n in ("DOWNLOADER_MIDDLEWARES", "SPIDER_MIDDLEWARES", "EXTENSIONS"))
    assert {"RobotsTxtCrawlDelay", "OffsiteMiddleware", "DownloadTimeoutMiddleware", "RetryMiddleware",
            "RedirectMiddleware", "MetaRefreshMiddleware", "HttpCompressionMiddleware", "UserAgentMiddleware",
            "HttpProxyMiddleware"} <= downloader
    assert {"HttpErrorMiddleware", "DepthMiddleware", "UrlLengthMiddleware", "SkipStoredArticles"} <= spider
    assert "CrawlRunRecorder" in extensions
    assert not downloader & {"DownloaderStats", "HttpAuthMiddleware", "CookiesMiddleware"}
    assert not spider & {"RefererMiddleware", "MetaCopyDetectionMiddleware"}
    assert not extensions & {"LogStats", "MemoryUsage", "FeedExporter", "RemoteControl"}
    assert not settings.getbool("REMOTE_CONTROL_ENABLED")  # no code-running HTTP server beside the crawl
    assert settings.getint("CONCURRENT_ITEMS") == 1 and not settings.getbool("WARN_ON_GENERATOR_RETURN_VALUE")


def test_extraction_workers_start_without_scrapy_or_the_database():
    """A worker process imports crawler.pipelines for clean_page: neither Scrapy (~0.5 s of imports) nor
    SQLAlchemy and Alembic (~0.9 s, for the SimHash) are needed there."""
    code = ("import sys, crawler.pipelines; print(sorted(m for m in ('scrapy', 'itemadapter', 'sqlalchemy', 'sqlmodel')"
            " if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == "[]", done.stderr[-2000:]


def test_redis_mode_records_failures_and_feed_validators(sqlite_url, site, redis_worker):
    """Workers write what fails and the feed's ETag as they go: the closed run lists the failures, and
    the next run's feed request is conditional (one 304)."""
    from crawler.distributed import push_source
    from storage.work import finish_distributed_runs

    base, hits = site
    add_feeds(base, fixture="/feed.xml")
    first = push_source("fixture")
    redis_worker()
    second = push_source("fixture")  # closes the first run
    redis_worker()
    finish_distributed_runs("fixture")
    with session_scope() as session:
        runs = {run.id: run for run in session.exec(select(CrawlRun)).all()}
        etag = source_named(session, "fixture").etag
    assert runs[first].status == "partial" and runs[first].new_articles >= 3
    assert runs[first].errors >= 3 and "500" in runs[first].error_summary  # the 500, the loop, the PDF, ...
    assert runs[first].errors == len(runs[first].error_summary.splitlines())
    assert etag == '"v1"' and hits["/feed.xml"] == 2
    assert (runs[second].status, runs[second].new_articles, runs[second].errors) == ("ok", 0, 0)


def test_workers_keep_a_host_s_download_delay_between_them(sqlite_url, site, arrivals, redis_worker, long_feed):
    """Two workers crawl one site with a 0.2 s download delay: its pages are requested at least 0.2 s
    apart in all, not 0.2 s apart by each worker (0.1 s on average)."""
    from crawler.distributed import push_source

    base, _ = site
    add_feeds(base, long="/long.xml")
    push_source("long")
    # a worker takes as many queued requests as it may run at once, and an idle one looks for more at
    # Scrapy's 5 s heartbeat: with 2 at a time the second worker finds some left
    redis_worker(workers=2, idle_s=12, DOWNLOAD_DELAY=0.2, RANDOMIZE_DOWNLOAD_DELAY=False, CONCURRENT_REQUESTS=2)
    pages = sorted((when, worker) for when, path, worker in arrivals if path in long_feed)
    assert len(pages) == len(long_feed) and {worker for _, worker in pages} == {"0", "1"}
    gaps = sorted(later - earlier for (earlier, _), (later, _) in zip(pages, pages[1:]))
    # arrivals are timed at the server, and a busy worker sends up to tens of ms after its reserved start;
    # unshared delays put pages 0.1 s apart on average, the closest 0.04 s
    assert gaps[0] >= 0.1 and gaps[len(gaps) // 2] >= 0.18, gaps[:5]


def test_a_robots_txt_crawl_delay_spaces_the_site_s_requests(sqlite_url, site, arrivals, run_crawl):
    """robots.txt on localhost asks for Crawl-delay: 0.3 (on 127.0.0.1 it does not): with AutoThrottle on
    and its start delay shorter, the site's pages are requested at least 0.3 s apart."""
    base, _ = site
    add_feeds(base, fast="/short.xml")
    add_feeds(base.replace("127.0.0.1", "localhost"), polite="/short.xml")
    summaries = run_crawl(["fast", "polite"], AUTOTHROTTLE_ENABLED=True, AUTOTHROTTLE_START_DELAY=0.01,
                          RANDOMIZE_DOWNLOAD_DELAY=False)
    assert summaries["fast"]["new_articles"] == summaries["polite"]["new_articles"] == 6

    def smallest_gap(prefix: str) -> float:
        times = [when for when, path, _ in arrivals if path.startswith(prefix)]
        return min(b - a for a, b in zip(times, times[1:]))

    assert smallest_gap("/a/6") >= 0.25  # localhost (timed at the server: a send may be some ms late)
    assert smallest_gap("/a/5") < 0.2    # 127.0.0.1


def test_requests_beyond_the_memory_limit_wait_on_disk_until_the_crawl_ends(sqlite_url, site, long_feed, test_settings):
    """A feed's entries beyond OPENWATCH_FRONTIER_IN_MEMORY queue on disk under the data directory; the folder goes afterwards."""
    base, _ = site
    add_feeds(base, long="/long.xml")
    code = ("import json, sys; from crawler.run import crawl; from openwatch.config import get_settings;"
            "frontier = get_settings().data_dir / 'frontier'; spilled = [];"
            "on_page = lambda: spilled.append(len(list(frontier.rglob('requests.queue/**/q0*'))));"
            "summary = crawl(['long'], settings=json.loads(sys.argv[1]), on_page=on_page)[0];"
            "print(json.dumps({'spilled': spilled, 'left': [p.name for p in frontier.iterdir()], 'new': summary.new_articles}))")
    settings = {**test_settings, "CONCURRENT_REQUESTS": 1, "OPENWATCH_FRONTIER_IN_MEMORY": 10}
    done = subprocess.run([sys.executable, "-c", code, json.dumps(settings)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["new"] == len(long_feed)
    assert result["spilled"][0] > 0 and result["spilled"][-1] == 0  # on disk at the first page, drained by the last
    assert result["left"] == []


def test_a_crawl_cut_short_keeps_no_feed_validators_and_the_next_fetches_the_rest(sqlite_url, site, run_crawl,
                                                                                 long_feed):
    """Closed early (here after 3 pages; a shutdown alike), the run must not save the feed's ETag: the next
    crawl would get a 304 and never fetch the entries left. It reads the feed again and fetches only those."""
    base, hits = site
    add_feeds(base, long="/long.xml")
    first = run_crawl(["long"], CONCURRENT_REQUESTS=1, CLOSESPIDER_ITEMCOUNT=3)["long"]
    assert "crawl ended early: closespider_itemcount" in first["errors"]
    with session_scope() as session:
        assert source_named(session, "long").etag is None
    assert 3 <= counts()["Article"] < len(long_feed)

    second = run_crawl(["long"])["long"]
    assert second["status"] == "ok" and hits["/long.xml"] == 2
    with session_scope() as session:
        stored = sorted(a.url.replace(base, "") for a in session.exec(select(Article)).all())
        assert source_named(session, "long").etag == '"long"'
    assert stored == sorted(long_feed)  # every entry, once
    # pages stored by the first run are not fetched again (one request cut off in flight may be)
    assert sum(hits[path] for path in long_feed) <= len(long_feed) + 1
