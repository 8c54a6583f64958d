"""Storing extraction results: pick articles to (re-)extract, replace their entities' mentions,
claims and signals in one transaction per article, mark failures without losing other articles.

Entities are upserted by (kind, canonical) with the dialect's INSERT … ON CONFLICT, so concurrent
extract workers never create the same entity twice.
"""
from __future__ import annotations

from datetime import date
from typing import Iterable

from sqlalchemy import delete, or_, select
from sqlmodel import Session

from storage.db import dialect_insert
from storage.models import Article, Claim, Entity, Mention, Signal, utcnow


def pending_articles(session: Session, version: str, limit: int, skip_locked: bool = False) -> list[Article]:
    """Articles pending or extracted by another extractor version, oldest first.

    With `skip_locked` on PostgreSQL the rows are locked FOR UPDATE SKIP LOCKED, so several
    workers running this in their own transactions never take the same article.
    """
    query = (select(Article)
             .where(Article.duplicate_of_id.is_(None), Article.extraction_status != "skipped",
                    or_(Article.extractor_version.is_(None), Article.extractor_version != version,
                        Article.extraction_status == "pending"))
             .order_by(Article.id).limit(limit))
    if skip_locked and session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return list(session.scalars(query))


def upsert_entity(session: Session, kind: str, canonical: str, aliases: Iterable[str] = (),
                  in_kb: bool = True, organization_id: int | None = None) -> int:
    """The id of the (kind, canonical) entity, created if new; KB knowledge wins over a shape guess."""
    insert = dialect_insert(session)
    stmt = insert(Entity).values(kind=kind, canonical=canonical, aliases=sorted(set(aliases)), in_kb=in_kb,
                                 organization_id=organization_id, first_seen_at=utcnow())
    update = {"in_kb": stmt.excluded.in_kb} if in_kb else {}
    if organization_id is not None:
        update["organization_id"] = stmt.excluded.organization_id
    stmt = (stmt.on_conflict_do_update(index_elements=["kind", "canonical"], set_=update) if update
            else stmt.on_conflict_do_nothing(index_elements=["kind", "canonical"]))
    session.execute(stmt)
    return session.scalar(select(Entity.id).where(Entity.kind == kind, Entity.canonical == canonical))


def article_day(article: Article) -> date:
    """The day an article counts on: the date it shows (in its own time zone), else the fetch day."""
    return article.published_on or (article.published_at or article.fetched_at).date()


def _entity_refs(extraction) -> Iterable[tuple[str, str, bool, str | None, str | None]]:
    """(kind, canonical, known, organization, alias) for every entity the extraction names."""
    for m in extraction.entities:
        yield ("org" if m.label == "ORG" else "model"), m.canonical, m.known, m.org, m.text
    for item in (*extraction.claims, *extraction.signals):
        yield item["subject_type"], item["subject"], item.get("known", True), item.get("organization"), None


def upsert_entities(session: Session, extractions) -> dict[tuple[str, str], int]:
    """Upsert every entity the extractions name; returns (kind, canonical) → id.

    Rows are upserted in one global order (organizations, then models, each sorted by name), so
    concurrent extract workers lock entity rows in the same order and cannot deadlock.
    """
    merged: dict[tuple[str, str], dict] = {}
    for extraction in extractions:
        for kind, name, known, org, alias in _entity_refs(extraction):
            entry = merged.setdefault((kind, name), {"known": False, "org": None, "aliases": set()})
            entry["known"] |= known
            entry["org"] = entry["org"] or (org if kind == "model" else None)
            entry["aliases"] |= {alias} if alias else set()
            if entry["org"]:
                merged.setdefault(("org", entry["org"]), {"known": True, "org": None, "aliases": set()})
    ids: dict[tuple[str, str], int] = {}
    for key in sorted(merged, key=lambda k: (k[0] != "org", k[1])):
        entry = merged[key]
        org_id = ids[("org", entry["org"])] if entry["org"] else None
        ids[key] = upsert_entity(session, key[0], key[1], entry["aliases"], entry["known"], org_id)
    return ids


def store_extraction(session: Session, article: Article, extraction, version: str,
                     ids: dict[tuple[str, str], int] | None = None) -> None:
    """Replace the article's mentions, claims and signals with `extraction` (an nlp.extract.Extraction).

    `ids` are the entity ids from `upsert_entities` when a whole batch was upserted first.
    """
    for table in (Mention, Claim, Signal):
        session.execute(delete(table).where(table.article_id == article.id))
    ids = ids if ids is not None else upsert_entities(session, [extraction])
    for m in extraction.entities:
        kind = "org" if m.label == "ORG" else "model"
        session.add(Mention(article_id=article.id, entity_id=ids[(kind, m.canonical)],
                            text=m.text, start=m.start, end=m.end))
    copies = {"day": article_day(article), "source_id": article.source_id, "language": article.language,
              "extractor_version": version}
    for c in extraction.claims:
        session.add(Claim(article_id=article.id, entity_id=ids[(c["subject_type"], c["subject"])], stance=c["stance"], speaker=c.get("speaker"),
                          evidence=c["evidence"], start=c["start"], end=c["end"],
                          confidence=c.get("confidence", 1.0), **copies))
    for s in extraction.signals:
        session.add(Signal(article_id=article.id, entity_id=ids[(s["subject_type"], s["subject"])], signal=s["signal"], evidence=s["evidence"],
                           start=s["start"], end=s["end"], **copies))
    article.extraction_status, article.extractor_version = "done", version
    article.extracted_at, article.extraction_error = utcnow(), None
    session.add(article)


def mark_failed(session: Session, article_id: int, error: str, version: str) -> None:
    article = session.get(Article, article_id)
    article.extraction_status, article.extraction_error = "failed", error[:2000]
    article.extractor_version, article.extracted_at = version, utcnow()
    session.add(article)
