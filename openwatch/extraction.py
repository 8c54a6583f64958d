"""Extract stored articles: used by `openwatch extract`, the scheduler and `openwatch worker extract`."""
from __future__ import annotations

from typing import Callable


def extract_pending(batch_size: int = 50, limit: int | None = None, skip_locked: bool = False,
                    progress: Callable[[int], None] | None = None) -> int:
    """Extract articles not yet extracted by the current extractor version; return how many were stored.

    Each batch is read (and, with `skip_locked` on PostgreSQL, locked) in one transaction; each
    article's results replace its old ones in its own transaction, so a failure marks only that
    article failed (with the error) and keeps the others.
    """
    from nlp import EXTRACTOR_VERSION
    from nlp.extract import extract_docs, headed
    from storage.db import get_engine
    from storage.extraction import pending_articles, upsert_entities
    from sqlmodel import Session

    engine = get_engine()
    done = seen = 0
    while limit is None or seen < limit:
        size = batch_size if limit is None else min(batch_size, limit - seen)
        with Session(engine) as session, session.begin():
            batch = pending_articles(session, EXTRACTOR_VERSION, size, skip_locked)
            seen += len(batch)
            if not batch:
                break
            results = extract_docs([headed(a.title, a.norm_text) for a in batch], normalized=True)
            ids = upsert_entities(session, results)  # first, in one order: no deadlocks between workers
            for article, extraction in zip(batch, results):
                if _store(session, article, extraction, ids):
                    done += 1
                if progress:
                    progress(1)
    return done


def _store(session, article, extraction, ids, attempts: int = 3) -> bool:
    """Store one article's extraction in a savepoint; whether it was stored. A failure marks only that
    article failed, with the error, unless a concurrent writer caused it (storage.db.is_retryable):
    then the savepoint is tried again, as the article itself is fine."""
    from nlp import EXTRACTOR_VERSION
    from storage.db import is_retryable
    from storage.extraction import mark_failed, store_extraction

    attempt = 1
    while True:
        try:
            with session.begin_nested():
                store_extraction(session, article, extraction, EXTRACTOR_VERSION, ids)
            return True
        except Exception as exc:  # one bad article must not lose the batch
            if attempt < attempts and is_retryable(exc):
                attempt += 1
                continue
            mark_failed(session, article.id, f"{type(exc).__name__}: {exc}", EXTRACTOR_VERSION)
            return False
