"""demo → crawl → extract → export CSV through the installed `openwatch` command, run twice.

Offline: the demo site is served on 127.0.0.1 by `openwatch demo` itself.
"""
from __future__ import annotations

import csv
import os
from datetime import time

import yaml
from helpers import run_openwatch

from openwatch.demo.site import SITE_DIR, load_site

SITE = load_site()
GOLD = yaml.safe_load((SITE_DIR.parent / "gold.yaml").read_text(encoding="utf-8"))
MIN_GOLD_CLAIM_RECALL = 0.5  # a floor for the whole pipeline; the extractor's own scores are in bench/nlp.py


def export_claims(path) -> list[dict]:
    result = run_openwatch("export", "claims", "--out", str(path))
    assert result.returncode == 0, result.stderr
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def stored_articles():
    from sqlmodel import select

    from storage.db import session_scope
    from storage.models import Article, Source

    with session_scope() as session:
        return list(session.exec(select(Article)).all()), list(session.exec(select(Source)).all())


def article_ids_by_url() -> dict[str, int]:
    """Every URL an article was seen at (its own and syndicated copies) → the stored article."""
    from sqlmodel import select

    from storage.db import session_scope
    from storage.models import ArticleURL

    with session_scope() as session:
        return {u.url: u.article_id for u in session.exec(select(ArticleURL))}


def gold_claims_found(rows: list[dict]) -> tuple[int, list]:
    from crawler.normalize import normalize

    def key(name: str) -> str:
        return normalize(name).casefold().replace(" ", "").replace("-", "")

    found = {(r["article_url"], key(r["subject"]), r["stance"]) for r in rows}
    hits, missing = 0, []
    for entry in GOLD:
        url = SITE.canonical(next(a.path for a in SITE.articles if a.file == entry["article"]))
        aliases = {n.split("|")[0]: n.split("|") for f in ("orgs", "models", "optional") for n in entry[f]}
        for claim in entry["claims"]:
            names = next((v for v in aliases.values() if claim["subject"] in v), [claim["subject"]])
            if any((url, key(n), claim["stance"]) in found for n in names):
                hits += 1
            else:
                missing.append((entry["article"], claim["subject"], claim["stance"]))
    return hits, missing


def test_demo_crawl_extract_export_and_rerun_without_duplicates(tmp_path):
    first = run_openwatch("demo")
    assert first.returncode == 0, first.stderr
    assert os.path.exists(tmp_path / "data" / "openwatch.db")

    articles, sources = stored_articles()
    stored = {a.url: a for a in articles if a.duplicate_of_id is None}
    by_url = {SITE.canonical(a.path): a for a in SITE.articles}
    # Every article once, under its stable canonical URL. A syndicated copy is stored once with
    # both URLs linked to it; which URL came first depends on crawl order.
    seen_at = article_ids_by_url()
    originals = {}
    for copy in SITE.syndicated:
        own, partner = SITE.canonical(copy.of), SITE.canonical(copy.path)
        assert seen_at[own] == seen_at[partner], "the syndicated copy is linked to the same article"
        originals[own] = stored.pop(own, None) or stored.pop(partner)
    originals.update(stored)
    assert set(originals) == set(by_url)
    assert not any("Aurora-9" in a.text or "/private/" in a.url for a in articles)
    for url, article in originals.items():
        site_article = by_url[url]
        assert site_article.paragraphs[-1][:40] in article.text, url  # GBK/Big5 pages decoded
        assert {"en": "en", "zh": "zh", "tw": "zh-Hant"}[site_article.section] == article.language, url
        # the same instant (stored in UTC), or the same calendar day for a page that shows a date only
        shown = site_article.published
        assert article.published_at == shown or (
            article.published_at.time() == time(0) and article.published_at.date() == shown.date()), url
        assert article.extraction_status == "done", url
    assert sorted(s.name for s in sources) == ["demo-atom", "demo-rss", "demo-site", "demo-sitemap"]

    rows = export_claims(tmp_path / "claims.csv")
    assert rows and {r["stance"] for r in rows} == {"open", "closed", "disputed"}
    stored_articles_by_url = {a.url: a for a in originals.values()}
    for row in rows:
        article = stored_articles_by_url[row["article_url"]]  # claims only from stored articles, never twice
        assert row["evidence"] and row["evidence"] in article.norm_text  # offsets are into the normalized text
    hits, missing = gold_claims_found(rows)
    total = hits + len(missing)
    assert hits / total >= MIN_GOLD_CLAIM_RECALL, f"{hits}/{total} gold claims exported; missing: {missing}"

    second = run_openwatch("demo")
    assert second.returncode == 0, second.stderr
    articles_again, sources_again = stored_articles()
    assert len(articles_again) == len(articles)
    assert len(sources_again) == len(sources)
    assert {s.url for s in sources_again}.isdisjoint({s.url for s in sources})  # new port, same sources
    assert len(export_claims(tmp_path / "claims-again.csv")) == len(rows)
