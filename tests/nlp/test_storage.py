"""Stored articles: extraction, re-extraction on a new version, failures kept per article (SQLite and PostgreSQL)."""
from datetime import datetime, timezone

from sqlalchemy import func, select
from sqlmodel import Session

import nlp
from openwatch.extraction import extract_pending
from storage.db import get_engine, upgrade
from storage.models import Article, Claim, Entity, Mention, Signal


def _article(url, text, **kw):
    return Article(url=url, text=text, norm_text=text, content_hash=url, language="zh",
                   published_at=datetime(2024, 5, 1, tzinfo=timezone.utc), **kw)


def test_extract_pending_replaces_results_and_marks_failures(db_url, nlp_pipeline, monkeypatch):
    upgrade(db_url)
    engine = get_engine(db_url)
    with Session(engine) as s:
        s.add(_article("https://a/1", "Meta 的许可证禁止使用 Llama 2 训练其他语言模型。批评者认为 Llama 2 不算真开源。"))
        s.add(_article("https://a/2", "腾讯的混元大模型不开源。", title="GPT-4 只能通過 API 使用"))  # the headline counts
        s.add(_article("https://a/3", "OpenAI 不开源 GPT-4。", extraction_status="done", extractor_version=nlp.EXTRACTOR_VERSION))
        s.commit()
    assert extract_pending(batch_size=1) == 2
    with Session(engine) as s:
        claims = {(s.get(Entity, c.entity_id).canonical, c.stance, c.day.isoformat()) for c in s.scalars(select(Claim))}
        assert claims == {("Llama 2", "disputed", "2024-05-01"), ("Hunyuan", "closed", "2024-05-01"),
                          ("GPT-4", "closed", "2024-05-01")}
        assert ("Llama 2", "no_training_other_models") in {
            (s.get(Entity, x.entity_id).canonical, x.signal) for x in s.scalars(select(Signal))}
        llama = s.scalar(select(Entity).where(Entity.canonical == "Llama 2"))
        assert s.get(Entity, llama.organization_id).canonical == "Meta"
        n_mentions = s.scalar(select(func.count()).select_from(Mention))
    assert extract_pending() == 0  # nothing left for this version

    # a new extractor version re-extracts and replaces (no duplicated rows); one failing article is marked alone
    monkeypatch.setattr(nlp, "EXTRACTOR_VERSION", "next")
    import storage.extraction as se

    real = se.store_extraction

    def flaky(session, article, *args):
        if article.url == "https://a/2":
            raise ValueError("boom")
        return real(session, article, *args)

    monkeypatch.setattr(se, "store_extraction", flaky)
    assert extract_pending() == 2
    with Session(engine) as s:
        failed = s.scalar(select(Article).where(Article.url == "https://a/2"))
        assert failed.extraction_status == "failed" and "boom" in failed.extraction_error
        assert s.scalar(select(func.count()).select_from(Mention)) >= n_mentions - 2
        assert {a.extractor_version for a in s.scalars(select(Article))} == {"next"}
        assert s.scalar(select(func.count()).select_from(Claim).where(Claim.stance == "closed")) >= 2


def test_the_headline_is_read_once():
    from nlp.extract import headed

    assert headed("Llama 3 不算真開源", "正文。") == "Llama 3 不算真开源\n正文。"  # normalized, as the text is
    assert headed("Llama 3 不算真开源", "Llama 3 不算真开源\n正文。") == "Llama 3 不算真开源\n正文。"
    assert headed(None, "正文。") == headed("  ", "正文。") == "正文。"
