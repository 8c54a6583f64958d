"""The dashboard's queries: filters narrow the numbers consistently on SQLite and PostgreSQL."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pandas as pd
from sqlalchemy import func, select

from storage import queries
from storage.db import get_engine
from storage.models import Claim, Entity, Signal
from storage.queries import Filters


def test_stance_filters_partition_the_claims(filled_url):
    with get_engine(filled_url).connect() as conn:
        everything = queries.totals(conn, Filters())
        per_stance = [queries.totals(conn, Filters(stances=(s,)))["claims"] for s in ("open", "closed", "disputed")]
        assert everything["claims"] == conn.execute(select(func.count()).select_from(Claim)).scalar_one()
        assert sum(per_stance) == everything["claims"] and all(per_stance)
        assert [everything[s] for s in ("open", "closed", "disputed")] == per_stance


def test_organization_filter_counts_its_models_and_itself(filled_url):
    with get_engine(filled_url).connect() as conn:
        meta = conn.execute(select(Entity.id).where(Entity.canonical == "Meta")).scalar_one()
        ids = [meta, *conn.execute(select(Entity.id).where(Entity.organization_id == meta)).scalars()]
        expected = conn.execute(select(func.count()).select_from(Claim).where(Claim.entity_id.in_(ids))).scalar_one()
        assert queries.totals(conn, Filters(organizations=("Meta",)))["claims"] == expected > 0
        both = queries.totals(conn, Filters(organizations=("Meta",), models=("Llama 3",)))["claims"]
        assert 0 < both == queries.totals(conn, Filters(models=("Llama 3",)))["claims"] < expected
        assert queries.totals(conn, Filters(organizations=("Meta",), models=("DeepSeek R1",)))["claims"] == 0


def test_daily_series_sum_to_totals_and_buckets_keep_the_sum(filled_url):
    with get_engine(filled_url).connect() as conn:
        days = queries.day_range(conn)
        f = Filters(start=days[1] - timedelta(days=29), end=days[1], languages=("en",))
        daily = queries.claims_per_day(conn, f)
        assert daily["count"].sum() == queries.totals(conn, f)["claims"] > 0
        assert all(f.start <= queries._as_date(d) <= f.end for d in daily["day"])
        for granularity in ("day", "week", "month"):
            assert queries.bucket(daily, granularity, ["stance"])["count"].sum() == daily["count"].sum()
        assert queries.bucket(daily, "month", ["stance"])["period"].nunique() <= 2
        signals = queries.signals_per_day(conn, f)
        assert signals["count"].sum() == queries.totals(conn, f)["signals"]


def test_signal_filter_keeps_claims_with_that_signal(filled_url):
    with get_engine(filled_url).connect() as conn:
        rows = queries.claims_page(conn, Filters(signals=("weights_only",)), limit=100)
        assert len(rows) and all("weights_only" in ids.split(";") for ids in rows["signal_ids"])
        n = queries.count_rows(conn, "claims", Filters(signals=("weights_only",)))
        assert n < queries.count_rows(conn, "claims", Filters())


def test_text_search_is_literal(filled_url):
    with get_engine(filled_url).connect() as conn:
        hits = queries.claims_page(conn, Filters(text="NOT TRULY open"), limit=50)
        assert len(hits) and all("not truly open" in e.lower() for e in hits["evidence"])
        assert queries.count_rows(conn, "claims", Filters(text="100%_")) == 0  # wildcards are literal


def test_top_subjects_compare_with_the_previous_period(filled_url):
    with get_engine(filled_url).connect() as conn:
        end = queries.day_range(conn)[1]
        f = Filters(start=end - timedelta(days=29), end=end)
        top = queries.top_subjects(conn, f, limit=100)["model"]
        before = queries.top_subjects(conn, f.previous_period(), limit=100)["model"].set_index("name")["claims"]
        for row in top.itertuples():
            assert row.previous == before.get(row.name, 0) and row.change == row.claims - row.previous
            assert row.contested == (row.open > 0 and (row.closed > 0 or row.disputed > 0))
        orgs = queries.top_subjects(conn, f, limit=100)["org"]
        with_org = queries.claims_by_subject(conn, f).dropna(subset=["organization"])["count"].sum()
        assert orgs["claims"].sum() == with_org < queries.totals(conn, f)["claims"]  # Qilin-7B has no organization


def test_unknown_names_and_source_health(filled_url):
    from datetime import datetime, timezone

    with get_engine(filled_url).connect() as conn:
        unknown = queries.unknown_names(conn, Filters())
        assert set(unknown["name"]) == set(conn.execute(select(Entity.canonical).where(Entity.in_kb.is_(False))).scalars())
        health = queries.source_health(conn, Filters(), datetime(2000, 1, 1, tzinfo=timezone.utc))
        quiet = health.set_index("name").loc["Quiet Feed"]
        assert quiet["health"] == "failing" and quiet["errors"] > 0 and not quiet["enabled"]
        assert health["articles"].sum() == queries.count_rows(conn, "articles", Filters())
    with get_engine(filled_url).begin() as conn:
        queries.set_source_enabled(conn, "Quiet Feed", True)
    with get_engine(filled_url).connect() as conn:
        assert queries.source_health(conn, Filters(sources=("Quiet Feed",)), datetime.now(timezone.utc))["enabled"].all()


def test_next_run_comes_from_the_scheduler_table(filled_sqlite):
    with get_engine(filled_sqlite).begin() as conn:
        assert queries.next_runs(conn) == {}
        conn.exec_driver_sql("CREATE TABLE apscheduler_jobs (id VARCHAR(191) PRIMARY KEY, next_run_time FLOAT, job_state BLOB)")
        conn.exec_driver_sql("INSERT INTO apscheduler_jobs VALUES ('crawl:TechWire', 1795000000.0, x'00')")
        assert str(queries.next_runs(conn)["TechWire"].date()) == "2026-11-18"


def test_filters_round_trip_through_the_query_string():
    f = Filters(start=date(2026, 1, 1), end=date(2026, 3, 31), granularity="month", languages=("zh", "en"),
                organizations=("Meta",), stances=("open",), signals=("usage_threshold",), speaker="OSI", text="开源")
    assert Filters.from_query_params(f.to_query_params()) == f
    assert Filters().to_query_params() == {}
    broken = Filters.from_query_params({"start": "yesterday", "granularity": "decade", "stances": ["open"]})
    assert broken == Filters(stances=("open",))
    assert replace(f, start=date(2026, 1, 11), end=date(2026, 1, 20)).previous_period().start == date(2026, 1, 1)


def test_empty_database_gives_empty_frames(db_url):
    with get_engine(db_url).connect() as conn:
        assert queries.totals(conn, Filters())["claims"] == 0
        assert queries.claims_per_day(conn, Filters()).empty and queries.claims_page(conn, Filters()).empty
        assert all(top.empty for top in queries.top_subjects(conn, Filters(start=date(2026, 1, 1),
                                                                           end=date(2026, 1, 31))).values())
        assert queries.signals_by_subject(conn, Filters()).empty
        assert conn.execute(select(func.count()).select_from(Signal)).scalar_one() == 0


def test_keyset_pages_continue_where_the_previous_page_ended(filled_url):
    with get_engine(filled_url).connect() as conn:
        whole = queries.claims_page(conn, Filters(), limit=90)
        first = queries.claims_page(conn, Filters(), limit=30)
        after = (date.fromisoformat(first["published"].iloc[-1]), int(first["claim_id"].iloc[-1]))
        second = queries.claims_page(conn, Filters(), limit=60, after=after)
        assert list(first["claim_id"]) + list(second["claim_id"]) == list(whole["claim_id"])


def test_counts_agree_between_summaries_and_rows(filled_url):
    """A source filter counts the rows themselves; with every source chosen the numbers must not move."""
    with get_engine(filled_url).connect() as conn:
        end = queries.day_range(conn)[1]
        f = Filters(start=end - timedelta(days=40), end=end, languages=("zh",), models=("Llama 3",))
        every_source = replace(f, sources=tuple(queries.choices(conn)["sources"]))
        assert queries.summary_for(Claim, f) is not None and queries.summary_for(Claim, every_source) is None
        assert queries.totals(conn, f) == queries.totals(conn, every_source)
        pd.testing.assert_frame_equal(queries.claims_per_day(conn, f).sort_values(["day", "stance"]).reset_index(drop=True),
                                      queries.claims_per_day(conn, every_source).sort_values(["day", "stance"])
                                      .reset_index(drop=True), check_dtype=False)


def test_text_search_needs_the_term_itself_not_its_trigrams_apart(filled_sqlite):
    """The trigram index finds rows holding a term's trigrams anywhere; only the substring counts. A two-letter
    term (no trigram) and a term with LIKE wildcards are found by the same rule, from one scan."""
    engine = get_engine(filled_sqlite)
    texts = ["An open sesame for our force.", "It is OPEN SOURCE, they say.", "Reopen sources: 100%_ sure",
             "open\\source"]
    with engine.begin() as conn:
        article, entity = conn.execute(select(Claim.article_id, Claim.entity_id).limit(1)).one()
        ids = [conn.execute(Claim.__table__.insert().values(
            article_id=article, entity_id=entity, stance="open", evidence=t, start=0, end=5, extractor_version="t",
            day=date(2026, 11, 21), language="en")).inserted_primary_key[0] for t in texts]
    with engine.connect() as conn:
        def found(term: str) -> list[int]:
            rows = queries.text_matches(conn, Claim, term)
            return sorted(i for i in conn.execute(select(rows.id)).scalars() if i in ids)

        assert found("open source") == [ids[1], ids[2]]  # ids[0] holds "ope", "n s", "our" and "rce" apart
        assert found("0%_") == [ids[2]] and found("n\\s") == [ids[3]]
        assert found("SO") == ids[1:] and found("Re") == [ids[2]]
        assert queries.count_rows(conn, "claims", Filters(text="sesame for")) == 1


def test_the_explorer_s_count_searches_claims_only(filled_sqlite):
    """A new search term on the explorer builds the claims' match table, not the signals' (totals builds both)."""
    engine = get_engine(filled_sqlite)
    engine.dispose()
    with engine.connect() as conn:
        n = queries.claim_count(conn, Filters(text="open source"))
        built = set(conn.connection.info["openwatch_matches"]["tables"])
        assert built == {("claim", "open source")}
        assert n == queries.totals(conn, Filters(text="open source"))["claims"] > 0
        assert set(conn.connection.info["openwatch_matches"]["tables"]) == {("claim", "open source"),
                                                                            ("signal", "open source")}


def test_text_search_finds_chinese_substrings(filled_url):
    with get_engine(filled_url).connect() as conn:
        hits = queries.claims_page(conn, Filters(text="算不上开源"), limit=20)
        assert len(hits) and all("算不上开源" in e for e in hits["evidence"])
        short = queries.claims_page(conn, Filters(text="开源"), limit=20)  # shorter than a trigram: a scan
        assert len(short) and all("开源" in e for e in short["evidence"])


def test_default_period_ends_at_the_newest_data_and_widens_when_sparse(filled_url):
    with get_engine(filled_url).connect() as conn:
        first, last = queries.day_range(conn)
        assert queries.default_period(conn, 90) == (last - timedelta(days=89), last)
        assert queries.default_period(conn, 90, min_claims=10**9) == (first, last)  # too few claims: everything
        assert queries.choices(conn)["languages"] == ["en", "zh", "zh-Hant"]


def test_text_search_in_a_period_matches_a_plain_recount(filled_url):
    """Counts, series and the newest page for a text search in a period equal a recount of the rows in Python."""
    with get_engine(filled_url).connect() as conn:
        end = queries.day_range(conn)[1]
        f = Filters(start=end - timedelta(days=40), end=end, text="open source")
        rows = pd.DataFrame(conn.execute(select(Claim.id, Claim.day, Claim.stance, Claim.article_id, Claim.evidence)).all())
        rows["day"] = rows["day"].map(queries._as_date)
        hit = rows[(rows["day"] >= f.start) & (rows["day"] <= f.end) & rows["evidence"].str.lower().str.contains("open source")]
        totals = queries.totals(conn, f)
        assert 0 < totals["claims"] == len(hit) < len(rows)
        assert {s: totals[s] for s in ("open", "closed", "disputed")} == \
            {s: int((hit["stance"] == s).sum()) for s in ("open", "closed", "disputed")}
        assert totals["articles"] == hit["article_id"].nunique()
        per_day = queries.claims_per_day(conn, f)
        assert sorted(zip(per_day["day"].map(queries._as_date), per_day["stance"], per_day["count"])) == \
            sorted((d, s, n) for (d, s), n in hit.groupby(["day", "stance"]).size().items())
        newest = hit.sort_values(["day", "id"], ascending=False)["id"].head(25).tolist()
        assert queries.claims_page(conn, f, limit=25)["claim_id"].tolist() == newest
        signals = pd.DataFrame(conn.execute(select(Signal.day, Signal.evidence)).all())
        signals["day"] = signals["day"].map(queries._as_date)
        assert totals["signals"] == int(((signals["day"] >= f.start) & (signals["day"] <= f.end)
                                         & signals["evidence"].str.lower().str.contains("open source")).sum())


def test_text_match_tables_follow_every_write(filled_sqlite, monkeypatch):
    """SQLite keeps a search term's matches per connection; inserts, evidence updates and cascading deletes by
    other connections, and this connection's own (also rolled-back) writes, show up in the next count."""
    from sqlalchemy import delete, update

    from storage.models import Article

    f = Filters(text="truly open")
    engine = get_engine(filled_sqlite)

    def recount(conn) -> int:
        return conn.execute(select(func.count()).select_from(Claim)
                            .where(func.lower(Claim.evidence).contains("truly open"))).scalar_one()

    def add_claim(conn, evidence: str) -> int:
        article, entity = conn.execute(select(Claim.article_id, Claim.entity_id).limit(1)).one()
        return conn.execute(Claim.__table__.insert().values(
            article_id=article, entity_id=entity, stance="disputed", evidence=evidence, start=0, end=5,
            extractor_version="t", day=date(2026, 11, 21), language="en")).inserted_primary_key[0]

    with engine.connect() as reader:
        before = queries.count_rows(reader, "claims", f)
        assert before == recount(reader) > 0 and queries._match_table(reader, Claim, f.text) is not None
        with engine.begin() as writer:
            new_id = add_claim(writer, "He says it is not TRULY OPEN at all.")
        assert queries.count_rows(reader, "claims", f) == before + 1
        with engine.begin() as writer:
            writer.execute(update(Claim).where(Claim.id == new_id).values(evidence="now closed"))
        assert queries.count_rows(reader, "claims", f) == before
        with engine.begin() as writer:
            victim = writer.execute(select(Claim.article_id).where(func.lower(Claim.evidence).contains("truly open"))
                                    .limit(1)).scalar_one()
            writer.execute(delete(Article).where(Article.id == victim))  # cascades to its claims
        after_delete = queries.count_rows(reader, "claims", f)
        assert after_delete == recount(reader) < before
        reader.commit()
        with reader.begin():  # this connection's own write, then rolled back
            add_claim(reader, "truly open, says the reader")
            assert queries.count_rows(reader, "claims", f) == after_delete + 1
            reader.rollback()
        assert queries.count_rows(reader, "claims", f) == after_delete == recount(reader)
    with engine.connect() as again:  # the pooled connection comes back with its match table intact
        assert queries.count_rows(again, "claims", f) == after_delete == recount(again)


def test_newest_page_of_a_common_term_walks_the_days(filled_url, monkeypatch):
    """The day-driven plan SQLite uses for common terms returns the same newest page as the match-driven one."""
    with get_engine(filled_url).connect() as conn:
        f = Filters(text="open source", organizations=("Meta",))
        few = queries.claims_page(conn, f, limit=40)
        monkeypatch.setattr(queries, "FEW_MATCHES", 0)
        assert queries.claims_page(conn, f, limit=40)["claim_id"].tolist() == few["claim_id"].tolist() != []


def test_signals_with_a_stance_filter_match_a_recount_of_their_claims(filled_url):
    """Signals of subjects whose article has a claim of the chosen stance: the trigger-kept claim_stances
    column gives the same counts as looking the claims up."""
    from sqlalchemy import exists

    with get_engine(filled_url).connect() as conn:
        end = queries.day_range(conn)[1]
        for stances in (("disputed",), ("open", "closed")):
            f = Filters(start=end - timedelta(days=60), end=end, stances=stances)
            recount = conn.execute(select(func.count()).select_from(Signal).where(
                Signal.day >= f.start, Signal.day <= f.end,
                exists().where(Claim.article_id == Signal.article_id, Claim.entity_id == Signal.entity_id,
                               Claim.stance.in_(stances)))).scalar_one()
            assert queries.totals(conn, f)["signals"] == recount > 0
            assert queries.signals_per_day(conn, f)["count"].sum() == recount


def test_articles_with_a_stance_filter_match_a_recount_of_their_claims(filled_url):
    """Articles with a claim of the chosen stance: counted from article_daily (keyed by the trigger-kept
    article.claim_stances) and listed by the articles export, the same as distinct articles of the claims."""
    with get_engine(filled_url).connect() as conn:
        end = queries.day_range(conn)[1]
        for stances in (("disputed",), ("open", "closed")):
            f = Filters(start=end - timedelta(days=60), end=end, stances=stances)
            recount = conn.execute(select(func.count(Claim.article_id.distinct())).where(
                Claim.day >= f.start, Claim.day <= f.end, Claim.stance.in_(stances))).scalar_one()
            assert queries.totals(conn, f)["articles"] == recount > 0
            assert queries.articles_per_day(conn, f)["count"].sum() == recount
            assert queries.count_rows(conn, "articles", f) == recount
        everything = queries.totals(conn, Filters(start=end - timedelta(days=60), end=end))["articles"]
        assert recount < everything


def test_whole_months_of_a_period():
    def months(start, end):
        return queries.whole_months(Filters(start=start, end=end))

    assert months(date(2025, 1, 15), date(2025, 4, 10)) == (date(2025, 2, 1), date(2025, 4, 1))
    assert months(date(2025, 1, 1), date(2025, 1, 31)) == (date(2025, 1, 1), date(2025, 2, 1))
    assert months(date(2024, 12, 2), date(2025, 1, 30)) is None
    assert months(date(2025, 1, 31), date(2025, 3, 1)) == (date(2025, 2, 1), date(2025, 3, 1))
    assert months(None, date(2025, 3, 5)) == (None, date(2025, 3, 1))
    assert months(date(2025, 12, 5), None) == (date(2026, 1, 1), None)


def test_counts_over_whole_months_match_a_recount_of_the_rows(filled_url):
    """Counts not per day read the monthly summaries for whole months and the daily ones for the
    partial months at the ends: the same numbers as counting the claims and signals themselves."""
    with get_engine(filled_url).connect() as conn:
        first, last = queries.day_range(conn)
        periods = [(first + timedelta(days=17), last - timedelta(days=9)), (None, last - timedelta(days=40)),
                   (first + timedelta(days=3), None), (last.replace(day=1) - timedelta(days=61), last), (None, None)]
        for start, end in periods:
            for extra in ({}, {"languages": ("zh",)}, {"organizations": ("Meta",), "stances": ("open", "closed")}):
                f = Filters(start=start, end=end, **extra)
                for model, key in ((Claim, "stance"), (Signal, "signal")):
                    if model is Signal and f.stances:
                        continue  # counted from the signal rows, not the summaries
                    got = conn.execute(queries.counts(conn, model, f, "entity_id", key)).all()
                    rows = select(model.entity_id, getattr(model, key), func.count()).where(
                        *queries.evidence_conditions(conn, model, f)).group_by(model.entity_id, getattr(model, key))
                    expected = sorted(map(tuple, conn.execute(rows)))
                    assert sorted(map(tuple, got)) == expected and expected
        assert queries.whole_months(Filters(start=periods[0][0], end=periods[0][1])) is not None


def test_totals_counted_from_the_claims_match_a_recount(filled_url):
    """With filters no summary covers (evidence text, speaker, signal), one pass over the claims counts
    them per stance and their distinct articles."""
    with get_engine(filled_url).connect() as conn:
        end = queries.day_range(conn)[1]
        for extra in ({"text": "open source"}, {"speaker": "a"}, {"signals": ("weights_only",), "languages": ("en",)}):
            f = Filters(start=end - timedelta(days=90), end=end, **extra)
            assert queries.summary_for(Claim, f) is None
            conds = queries.evidence_conditions(conn, Claim, f)
            stances = dict(conn.execute(select(Claim.stance, func.count()).where(*conds).group_by(Claim.stance)).all())
            articles = conn.execute(select(func.count(Claim.article_id.distinct())).where(*conds)).scalar_one()
            got = queries.totals(conn, f)
            assert {s: got[s] for s in stances} == stances and sum(stances.values()) == got["claims"] > 0
            assert got["articles"] == articles
