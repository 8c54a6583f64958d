"""The trigger-maintained daily summaries and evidence search index stay exact under every write."""
from datetime import datetime, timezone

from sqlalchemy import delete, func, select, update

from storage.db import get_engine, session_scope
from storage import queries
from storage.models import (STANCE_BITS, Article, ArticleDaily, Claim, ClaimDaily, ClaimMonthly, Entity, Signal,
                            SignalDaily, SignalMonthly, Source)
from storage.summaries import search_available


def _recount(conn):
    """Each summary, recomputed from its base table, next to what the triggers kept."""
    claims = select(Claim.day, Claim.entity_id, Claim.stance, func.coalesce(Claim.language, ""), func.count()) \
        .group_by(Claim.day, Claim.entity_id, Claim.stance, Claim.language)
    signals = select(Signal.day, Signal.entity_id, Signal.signal, func.coalesce(Signal.language, ""), func.count()) \
        .group_by(Signal.day, Signal.entity_id, Signal.signal, Signal.language)
    pairs = []
    for stmt, kept in ((claims, select(ClaimDaily.day, ClaimDaily.entity_id, ClaimDaily.stance, ClaimDaily.language,
                                       ClaimDaily.n)),
                       (signals, select(SignalDaily.day, SignalDaily.entity_id, SignalDaily.signal, SignalDaily.language,
                                        SignalDaily.n))):
        pairs.append((sorted(map(tuple, conn.execute(stmt))), sorted(map(tuple, conn.execute(kept)))))
    for daily, monthly in ((ClaimDaily, ClaimMonthly), (SignalDaily, SignalMonthly)):  # the days rolled up
        months: dict[tuple, int] = {}
        for day, *keys, n in conn.execute(select(*daily.__table__.c)):
            month = (queries._as_date(day).replace(day=1), *keys)
            months[month] = months.get(month, 0) + n
        kept = [(queries._as_date(day), *rest) for day, *rest in conn.execute(select(*monthly.__table__.c))]
        pairs.append((sorted((*k, n) for k, n in months.items()), sorted(kept)))
    articles = select(ArticleDaily.source_id, ArticleDaily.language, ArticleDaily.claim_stances,
                      func.sum(ArticleDaily.n)) \
        .group_by(ArticleDaily.source_id, ArticleDaily.language, ArticleDaily.claim_stances)
    expected = select(func.coalesce(Article.source_id, 0), func.coalesce(Article.language, ""), Article.claim_stances,
                      func.count()) \
        .group_by(Article.source_id, Article.language, Article.claim_stances)
    pairs.append((sorted(map(tuple, conn.execute(expected))), sorted(map(tuple, conn.execute(articles)))))
    claim_rows = conn.execute(select(Claim.article_id, Claim.entity_id, Claim.stance)).all()

    def masks(key) -> dict:
        out: dict = {}
        for claim in claim_rows:
            out[key(claim)] = out.get(key(claim), 0) | STANCE_BITS[claim.stance]
        return out

    per_pair, per_article = masks(lambda c: (c.article_id, c.entity_id)), masks(lambda c: c.article_id)
    signal_rows = conn.execute(select(Signal.id, Signal.article_id, Signal.entity_id, Signal.claim_stances)).all()
    pairs.append((sorted((i, per_pair.get((a, e), 0)) for i, a, e, _ in signal_rows),
                  sorted((i, kept) for i, _, _, kept in signal_rows)))
    article_rows = conn.execute(select(Article.id, Article.claim_stances)).all()
    pairs.append((sorted((i, per_article.get(i, 0)) for i, _ in article_rows), sorted(map(tuple, article_rows))))
    return pairs


def test_synthetic_load_fills_the_summaries(filled_url):
    with get_engine(filled_url).connect() as conn:
        for expected, kept in _recount(conn):
            assert kept == expected and kept


def test_summaries_follow_inserts_updates_and_cascading_deletes(db_url):
    with session_scope(db_url) as s:
        src = Source(name="s", kind="rss", url="http://x/feed")
        ent = Entity(kind="model", canonical="Llama 2")
        s.add_all([src, ent])
        s.flush()
        arts = [Article(url=f"https://e.org/{i}", text="t", norm_text="t", content_hash=str(i), source_id=src.id,
                        language="en", published_at=datetime(2025, 1, 1 + i, 8, tzinfo=timezone.utc))
                for i in range(3)]
        s.add_all(arts)
        s.flush()
        for i, art in enumerate(arts):
            for stance in ("open", "disputed", "disputed"):
                s.add(Claim(article_id=art.id, entity_id=ent.id, stance=stance, evidence=f"Llama 2 is {stance}",
                            start=0, end=5, extractor_version="1", day=art.published_at.date(),
                            source_id=src.id, language="en"))
            s.add(Signal(article_id=art.id, entity_id=ent.id, signal="weights_only", evidence="only weights",
                         start=0, end=5, extractor_version="1", day=art.published_at.date(), language="en"))
    engine = get_engine(db_url)
    with engine.begin() as conn:
        conn.execute(update(Claim).where(Claim.stance == "open").values(stance="closed"))
        last = conn.execute(select(func.max(Article.id))).scalar_one()
        conn.execute(delete(Claim).where(Claim.article_id == last, Claim.stance == "disputed"))  # its signal: closed only
        conn.execute(update(Article).where(Article.url == "https://e.org/1").values(
            published_at=datetime(2025, 2, 1, tzinfo=timezone.utc), extraction_status="done"))
        conn.execute(delete(Article).where(Article.url == "https://e.org/0"))  # cascades to its claims
    with engine.connect() as conn:
        for expected, kept in _recount(conn):
            assert kept == expected
        assert conn.execute(select(func.sum(ClaimDaily.n)).where(ClaimDaily.stance == "closed")).scalar() == 2
        assert sorted(conn.execute(select(Signal.claim_stances)).scalars()) == [STANCE_BITS["closed"],
                                                                              STANCE_BITS["closed"] | STANCE_BITS["disputed"]]
        assert sorted(conn.execute(select(Article.claim_stances)).scalars()) == [STANCE_BITS["closed"],
                                                                               STANCE_BITS["closed"] | STANCE_BITS["disputed"]]
        assert conn.execute(select(func.count()).select_from(ClaimDaily).where(ClaimDaily.n <= 0)).scalar() == 0
        assert search_available(conn)
