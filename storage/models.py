"""The tables: source → page → article → mentions, claims, signals; plus crawl runs.

Data flows one way: the crawler writes Source health, CrawlRun, Page and Article rows;
the extractor writes Entity, Mention, Claim and Signal rows for an article; the dashboard
only reads. Claim and Signal carry a copy of their article's `day`, `source_id` and
`language` so the dashboard's trend queries aggregate one indexed table without joins.

All datetimes are timezone-aware UTC (SQLModel rejects naive ones).
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Optional

from sqlalchemy import JSON, BigInteger, Column, Index, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


# Vocabularies shared by the crawler, the extractor and the dashboard.
SOURCE_KINDS = ("rss", "atom", "sitemap", "site")
STANCES = ("open", "closed", "disputed")
STANCE_BITS = {"open": 1, "closed": 2, "disputed": 4}
ENTITY_KINDS = ("org", "model")
EXTRACTION_STATUSES = ("pending", "done", "failed", "skipped")


class Source(SQLModel, table=True):
    """A feed, sitemap or site section to crawl, with its conditional-GET state and health."""

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True)
    kind: str = Field(description="rss | atom | sitemap | site")
    url: str
    language: Optional[str] = Field(default=None, description="expected language: zh, zh-Hant, en")
    enabled: bool = Field(default=True, index=True)
    interval_minutes: int = Field(default=60)
    # site sections: link-following depth and article URL filters (regexes)
    max_depth: int = Field(default=2)
    allow: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False, default=list))
    deny: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False, default=list))
    # conditional GET (feeds)
    etag: Optional[str] = None
    last_modified: Optional[str] = None
    # health
    health: str = Field(default="new", description="new | ok | degraded | failing | gone")
    last_error: Optional[str] = Field(default=None, sa_column=Column(Text))
    consecutive_failures: int = Field(default=0)
    last_attempt_at: Optional[datetime] = None
    last_success_at: Optional[datetime] = None
    last_new_article_at: Optional[datetime] = None
    created_at: datetime = Field(default_factory=utcnow)


class CrawlRun(SQLModel, table=True):
    """One crawl of one source: what it fetched, stored and failed on."""

    id: Optional[int] = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="source.id", index=True, ondelete="CASCADE")
    started_at: datetime = Field(default_factory=utcnow, index=True)
    finished_at: Optional[datetime] = None
    status: str = Field(default="running", description="running | ok | partial | failed | abandoned")
    pages: int = 0
    new_articles: int = 0
    duplicates: int = 0
    errors: int = 0
    error_summary: Optional[str] = Field(default=None, sa_column=Column(Text))
    duration_s: Optional[float] = None


class Article(SQLModel, table=True):
    """A news article: original text as crawled and normalized text for analysis."""

    __table_args__ = (
        Index("ix_article_extraction", "extraction_status", "extractor_version"),
        Index("ix_article_source_published", "source_id", "published_at"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    url: str = Field(unique=True, description="canonical URL")
    source_id: Optional[int] = Field(default=None, foreign_key="source.id", index=True, ondelete="SET NULL")
    title: Optional[str] = None
    author: Optional[str] = None
    published_at: Optional[datetime] = Field(default=None, index=True)
    published_on: Optional[date] = Field(default=None, index=True,
                                         description="the calendar date the article shows, in its own time zone")
    date_origin: Optional[str] = Field(default=None, description="page | feed | null when unknown")
    fetched_at: datetime = Field(default_factory=utcnow, index=True)
    language: Optional[str] = Field(default=None, index=True)
    text: str = Field(sa_column=Column(Text, nullable=False), description="original main text")
    norm_text: str = Field(sa_column=Column(Text, nullable=False), description="normalized text (NFKC, simplified)")
    content_hash: str = Field(index=True, description="hash of the normalized text, for exact duplicates")
    simhash: Optional[int] = Field(default=None, sa_column=Column(BigInteger, index=True))
    duplicate_of_id: Optional[int] = Field(default=None, foreign_key="article.id", ondelete="SET NULL")
    extraction_status: str = Field(default="pending")
    extractor_version: Optional[str] = None
    extracted_at: Optional[datetime] = None
    extraction_error: Optional[str] = Field(default=None, sa_column=Column(Text))
    claim_stances: int = Field(default=0, sa_column_kwargs={"server_default": "0"},
                               description="stances (bits of STANCE_BITS) of the article's claims; kept by triggers "
                                           "(storage/summaries.py)")


class ArticleURL(SQLModel, table=True):
    """Every canonical URL an article was seen at: its own and those of syndicated copies."""

    url: str = Field(primary_key=True)
    article_id: int = Field(foreign_key="article.id", index=True, ondelete="CASCADE")
    source_id: Optional[int] = Field(default=None, foreign_key="source.id", ondelete="SET NULL")
    seen_at: datetime = Field(default_factory=utcnow)


class Page(SQLModel, table=True):
    """The raw bytes of a fetched page, kept for re-extraction until retention prunes them."""

    id: Optional[int] = Field(default=None, primary_key=True)
    url: str = Field(index=True)
    article_id: Optional[int] = Field(default=None, foreign_key="article.id", index=True, ondelete="CASCADE")
    fetched_at: datetime = Field(default_factory=utcnow, index=True)
    http_status: Optional[int] = None
    content_type: Optional[str] = None
    encoding: Optional[str] = Field(default=None, description="the encoding the page was decoded with")
    body: Optional[bytes] = Field(default=None, sa_column=Column(LargeBinary))


class Entity(SQLModel, table=True):
    """An organization or model, from the knowledge base or discovered in text."""

    __table_args__ = (UniqueConstraint("kind", "canonical"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    kind: str = Field(index=True, description="org | model")
    canonical: str = Field(index=True)
    aliases: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False, default=list))
    organization_id: Optional[int] = Field(default=None, foreign_key="entity.id", ondelete="SET NULL")
    in_kb: bool = Field(default=True, description="false for names found only by shape or context")
    first_seen_at: datetime = Field(default_factory=utcnow)


class Mention(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    article_id: int = Field(foreign_key="article.id", index=True, ondelete="CASCADE")
    entity_id: int = Field(foreign_key="entity.id", index=True, ondelete="CASCADE")
    text: str
    start: int
    end: int


class Claim(SQLModel, table=True):
    """Somebody calls a subject open, closed or disputed; the evidence sentence proves it."""

    __table_args__ = (
        # covers the dashboard's trend and ranking aggregations over a period (no table lookups)
        Index("ix_claim_day_stance", "day", "stance", "entity_id", "language", "source_id", "article_id"),
        # a subject's claims over a period: distinct articles, who says what (no table lookups)
        Index("ix_claim_entity_day", "entity_id", "day", "stance", "source_id", "article_id", "speaker"),
        Index("ix_claim_source_day", "source_id", "day"),
        # an article's claims about a subject: the claim <-> signal lookups of the stance and signal filters
        Index("ix_claim_article_subject", "article_id", "entity_id", "stance"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    article_id: int = Field(foreign_key="article.id", ondelete="CASCADE")
    entity_id: int = Field(foreign_key="entity.id", ondelete="CASCADE")
    stance: str = Field(description="open | closed | disputed")
    speaker: Optional[str] = None
    evidence: str = Field(sa_column=Column(Text, nullable=False))
    start: int = Field(description="character offset of the evidence in the article's text")
    end: int
    confidence: float = 1.0
    extractor_version: str
    # copies of the article's fields for join-free aggregation
    day: Optional[date] = Field(default=None, description="published date, else fetch date")
    source_id: Optional[int] = Field(default=None, foreign_key="source.id", ondelete="SET NULL")
    language: Optional[str] = None


class Signal(SQLModel, table=True):
    """Open-washing evidence (a signal id from the taxonomy) tied to a subject."""

    __table_args__ = (
        Index("ix_signal_day_signal", "day", "signal", "entity_id", "language", "source_id", "article_id",
              "claim_stances"),
        Index("ix_signal_entity_day", "entity_id", "day"),
        Index("ix_signal_article_subject", "article_id", "entity_id", "signal"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    article_id: int = Field(foreign_key="article.id", ondelete="CASCADE")
    entity_id: int = Field(foreign_key="entity.id", ondelete="CASCADE")
    signal: str = Field(description="signal id from nlp/data/openwashing-signals.yaml")
    evidence: str = Field(sa_column=Column(Text, nullable=False))
    start: int
    end: int
    extractor_version: str
    day: Optional[date] = None
    source_id: Optional[int] = Field(default=None, foreign_key="source.id", ondelete="SET NULL")
    language: Optional[str] = None
    claim_stances: int = Field(default=0, sa_column_kwargs={"server_default": "0"},
                               description="stances (bits of STANCE_BITS) of the claims about the same subject in the "
                                           "same article; kept by triggers (storage/summaries.py)")


# Daily counts the dashboard aggregates instead of the big tables; kept exact by database triggers
# (storage/summaries.py). Unknown language is '', unknown source 0 (key columns cannot be NULL).
# Keyed day first (SQLite: WITHOUT ROWID), so a period is one clustered range in per-day chart order.
# The monthly tables hold the same counts per calendar month (`day` is the month's first day): a long
# period reads its whole months there and only its partial months from the daily rows.
class ClaimCounts(SQLModel):
    __table_args__ = {"sqlite_with_rowid": False}

    day: date = Field(primary_key=True)
    stance: str = Field(primary_key=True)
    entity_id: int = Field(primary_key=True)
    language: str = Field(primary_key=True)
    n: int


class SignalCounts(SQLModel):
    __table_args__ = {"sqlite_with_rowid": False}

    day: date = Field(primary_key=True)
    signal: str = Field(primary_key=True)
    entity_id: int = Field(primary_key=True)
    language: str = Field(primary_key=True)
    n: int


class ClaimDaily(ClaimCounts, table=True):
    __tablename__ = "claim_daily"


class ClaimMonthly(ClaimCounts, table=True):
    __tablename__ = "claim_monthly"


class SignalDaily(SignalCounts, table=True):
    __tablename__ = "signal_daily"


class SignalMonthly(SignalCounts, table=True):
    __tablename__ = "signal_monthly"


class ArticleDaily(SQLModel, table=True):
    __tablename__ = "article_daily"
    __table_args__ = {"sqlite_with_rowid": False}

    day: date = Field(primary_key=True)
    source_id: int = Field(primary_key=True)
    claim_stances: int = Field(primary_key=True)
    language: str = Field(primary_key=True)
    n: int
