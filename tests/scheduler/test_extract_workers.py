"""A killed `openwatch worker extract` loses and duplicates nothing (checked with the `extraction_log`
trigger fixture, on what the database accepted). Two concurrent workers: see test_scale_out."""
from __future__ import annotations

import signal

import pytest
from sqlalchemy import text

from storage.db import get_engine, session_scope
from storage.models import Article

pytestmark = pytest.mark.postgres

TEXTS = ["Meta released Llama {n} under a licence that bans services with more than 700 million monthly users; "
         "critics say Llama {n} is not truly open source.",
         "阿里巴巴开源了通义千问Qwen {n}模型的权重，但没有公开训练数据。",
         "OpenAI kept GPT-{n} closed: the model is only available through its API."]


def add_articles(url: str, count: int) -> None:
    with session_scope(url) as session:
        for n in range(count):
            body = TEXTS[n % len(TEXTS)].format(n=n)
            session.add(Article(url=f"http://127.0.0.1/a/{n}", text=body, norm_text=body, content_hash=f"h{n}",
                                language="zh" if n % 3 == 1 else "en"))


def pending(url: str) -> int:
    with get_engine(url).connect() as conn:
        return conn.execute(text("SELECT count(*) FROM article WHERE extraction_status <> 'done'")).scalar()


def test_killed_worker_loses_nothing_and_duplicates_nothing(pg_url, extraction_log, services, wait_for):
    add_articles(pg_url, 300)
    victim = services("worker", "extract", "--batch-size", "25", name="victim")
    wait_for(lambda: len(extraction_log()) >= 50, timeout=60, what="the first worker's progress")
    victim.proc.send_signal(signal.SIGKILL)
    victim.proc.wait()
    taken_before = len(extraction_log())
    assert taken_before < 300, "the worker finished before it could be killed: raise the article count"
    survivor = services("worker", "extract", "--batch-size", "25", "--exit-when-idle", name="survivor")
    assert survivor.proc.wait(120) == 0, survivor.log[-2000:]
    ids = [article_id for article_id, _ in extraction_log()]
    assert len(ids) == len(set(ids)) == 300, "lost or duplicated articles after the kill"
    assert pending(pg_url) == 0
