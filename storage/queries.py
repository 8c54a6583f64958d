"""The dashboard's read-only queries: SQL aggregations over the indexed Claim and Signal tables.

Every function takes a SQLAlchemy `Connection` and a `Filters` value and returns a pandas
DataFrame. Trend queries group by the denormalized `day` column of Claim/Signal (no joins);
week and month buckets are made from the daily rows in pandas, so the SQL is the same on
SQLite and PostgreSQL. Names (subjects, sources) are resolved to ids once, on the small
Entity/Source tables, before the big tables are touched.

Counts come from the trigger-maintained daily summaries (claim_daily, signal_daily,
article_daily; storage/summaries.py) whenever the filters only touch their columns (period,
language, subject, stance or signal; articles: period, language, source, stance); other filters
(source, speaker, evidence text, the other table's stance/signal) count the rows themselves.
Counts not per day read the whole months of a period from claim_monthly / signal_monthly.
Evidence text search uses the substring index (SQLite FTS5 trigram, PostgreSQL pg_trgm).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import date, datetime, time, timedelta, timezone
from typing import Mapping

import pandas as pd
from sqlalchemy import (Connection, String, and_, case, cast, column, exists, false, func, inspect, or_, select, table,
                        tuple_, union_all)
from sqlalchemy.orm import aliased

from storage.models import (ENTITY_KINDS, STANCE_BITS, STANCES, Article, ArticleDaily, Claim, ClaimCounts, ClaimDaily,
                            ClaimMonthly, CrawlRun, Entity, Signal, SignalCounts, SignalDaily, SignalMonthly, Source)
from storage.summaries import search_available

GRANULARITIES = ("day", "week", "month")


@dataclass(frozen=True)
class Filters:
    """What the analyst chose; shared by every page and kept in the URL query string.

    Empty tuples mean "no restriction". `organizations` and `models` hold canonical names;
    an organization also selects the claims about its models.
    """

    start: date | None = None
    end: date | None = None
    granularity: str = "week"
    languages: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    organizations: tuple[str, ...] = ()
    models: tuple[str, ...] = ()
    stances: tuple[str, ...] = ()
    signals: tuple[str, ...] = ()
    speaker: str = ""
    text: str = ""

    _LISTS = ("languages", "sources", "organizations", "models", "stances", "signals")

    def to_query_params(self) -> dict[str, str | list[str]]:
        """Only the fields that differ from the defaults, as strings (lists for multi-values)."""
        out: dict[str, str | list[str]] = {}
        for name, value in asdict(self).items():
            if value in ((), "", None) or (name == "granularity" and value == "week"):
                continue
            out[name] = list(value) if isinstance(value, tuple) else str(value)
        return out

    @classmethod
    def from_query_params(cls, params: Mapping[str, str | list[str]]) -> "Filters":
        """Parse what `to_query_params` wrote; malformed values are ignored, not fatal."""
        def many(name: str) -> tuple[str, ...]:
            raw = params.get(name, ())
            values = [raw] if isinstance(raw, str) else list(raw)
            return tuple(v for v in values if v)

        def one(name: str) -> str:
            raw = params.get(name, "")
            return (raw if isinstance(raw, str) else (list(raw) or [""])[-1]).strip()

        def day(name: str) -> date | None:
            try:
                return date.fromisoformat(one(name)) if one(name) else None
            except ValueError:
                return None

        granularity = one("granularity")
        return cls(
            start=day("start"), end=day("end"),
            granularity=granularity if granularity in GRANULARITIES else "week",
            **{name: many(name) for name in cls._LISTS},
            speaker=one("speaker"), text=one("text"),
        )

    def previous_period(self) -> "Filters":
        """The period of the same length just before this one (needs both ends)."""
        if self.start is None or self.end is None:
            return self
        length = (self.end - self.start).days + 1
        return replace(self, start=self.start - timedelta(days=length), end=self.start - timedelta(days=1))


# --- name resolution -------------------------------------------------------------------

def subject_ids(conn: Connection, filters: Filters) -> list[int] | None:
    """Entity ids selected by the organization/model filters (None: no subject restriction).

    An organization stands for itself and its models; with both filters the sets intersect.
    """
    chosen: set[int] | None = None
    if filters.organizations:
        orgs = select(Entity.id).where(Entity.kind == "org", Entity.canonical.in_(filters.organizations))
        rows = conn.execute(select(Entity.id).where(or_(Entity.id.in_(orgs), Entity.organization_id.in_(orgs))))
        chosen = {r[0] for r in rows}
    if filters.models:
        rows = conn.execute(select(Entity.id).where(Entity.kind == "model", Entity.canonical.in_(filters.models)))
        ids = {r[0] for r in rows}
        chosen = ids if chosen is None else chosen & ids
    return None if chosen is None else sorted(chosen)


def source_ids(conn: Connection, filters: Filters) -> list[int] | None:
    if not filters.sources:
        return None
    return [r[0] for r in conn.execute(select(Source.id).where(Source.name.in_(filters.sources)))]


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def same_article_and_subject(claim=Claim, signal=Signal) -> list:
    """Claim and Signal rows about the same subject in the same article: one probe of the
    (article_id, entity_id, stance|signal) indexes."""
    return [signal.article_id == claim.article_id, signal.entity_id == claim.entity_id]


# --- evidence search -------------------------------------------------------------------

MATCH_COLUMNS = {Claim: ("id", "article_id", "entity_id", "stance", "speaker", "day", "source_id", "language"),
                 Signal: ("id", "article_id", "entity_id", "signal", "day", "source_id", "language", "claim_stances")}
MATCH_TABLES_KEPT = 4  # search terms whose matches a connection keeps
FEW_MATCHES = 5_000  # a newest-first page of a rarer term reads all its matches instead of walking the days


def text_matches(conn: Connection, model, text: str):
    """The rows of `model` (Claim or Signal) whose evidence contains `text`, as a temporary table of
    their filterable columns (id INTEGER PRIMARY KEY); None on PostgreSQL.

    SQLite only: a common term matches a fifth of all claims, and every statement of a page would
    find that set again and look each match up. The table is built once per connection and term
    (matching_rows) and dropped as soon as the database may have changed:
    `PRAGMA data_version` moves when another connection commits, `total_changes()` when this one
    writes (rolled-back writes included), so what it holds is always what matching_rows would return."""
    found = _match_table(conn, model, text)
    if found is None:
        return None
    rows = table(found[0], *(column(c, model.__table__.c[c].type) for c in MATCH_COLUMNS[model]), schema="temp")
    return aliased(model, rows, adapt_on_names=True)


def _match_table(conn: Connection, model, text: str) -> tuple[str, int] | None:
    """(name, row count) of the temporary match table behind text_matches."""
    base = model.__tablename__
    if conn.dialect.name != "sqlite":
        return None
    cache = conn.connection.info.setdefault("openwatch_matches", {"state": None, "tables": {}, "built": 0})
    changes, version = conn.exec_driver_sql("SELECT total_changes(), data_version FROM pragma_data_version").one()
    present = {r[0] for r in conn.exec_driver_sql("SELECT name FROM temp.sqlite_master WHERE type = 'table'")}
    if (changes, version) != cache["state"]:
        for name, _ in cache["tables"].values():
            if name in present:
                conn.exec_driver_sql(f"DROP TABLE temp.{name}")
        cache["tables"].clear()
    key = (base, text.lower())
    found = cache["tables"].pop(key, None)
    if found is None or found[0] not in present:
        while len(cache["tables"]) >= MATCH_TABLES_KEPT:
            oldest, _ = cache["tables"].pop(next(iter(cache["tables"])))
            if oldest in present:
                conn.exec_driver_sql(f"DROP TABLE temp.{oldest}")
        # pysqlite opens a transaction for the INSERT: commit it (unless the caller had one open), or the
        # connection would read an old snapshot from then on and its return to the pool would empty the table
        outside = not conn.connection.driver_connection.in_transaction
        cache["built"] += 1
        name = f"ow_match_{base}_{cache['built']}"
        columns = MATCH_COLUMNS[model]
        conn.exec_driver_sql(f"CREATE TEMP TABLE {name} (id INTEGER PRIMARY KEY, {', '.join(columns[1:])})")
        select_matches, params = matching_rows(conn, model, text)
        found = (name, conn.exec_driver_sql(f"INSERT INTO temp.{name} {select_matches}", params).rowcount)
        if outside:
            conn.connection.driver_connection.commit()
        # this build's own changes; `version` stays the one read before it, so a commit during the build
        # makes the next call start over
        changes = conn.exec_driver_sql("SELECT total_changes()").scalar_one()
    cache["tables"][key] = found
    cache["state"] = (changes, version)
    return found


def matching_rows(conn: Connection, model, text: str) -> tuple[str, tuple]:
    """SQLite: (SELECT statement, parameters) of the MATCH_COLUMNS of the `model` rows whose evidence
    contains `text` (LIKE: case-insensitive for ASCII, as ILIKE is on SQLite). With the trigram index and
    a term of 3 characters or more, only the rows holding every third of its trigrams and its last one
    are read and checked (rows holding them apart fail the LIKE); else every row."""
    base, columns = model.__tablename__, MATCH_COLUMNS[model]
    pattern = f"%{_escape_like(text)}%"
    if len(text) < 3 or not search_available(conn, base):
        return f"SELECT {', '.join(columns)} FROM {base} WHERE evidence LIKE ? ESCAPE '\\'", (pattern,)
    trigrams = " AND ".join('"' + text[i:i + 3].replace('"', '""') + '"'
                            for i in sorted({*range(0, len(text) - 2, 3), len(text) - 3}))
    return (f"SELECT {', '.join('c.' + c for c in columns)} FROM {base}_fts f CROSS JOIN {base} c ON c.id = f.rowid "
            f"WHERE f.{base}_fts MATCH ? AND c.evidence LIKE ? ESCAPE '\\'", (trigrams, pattern))


def text_condition(conn: Connection, model, text: str, *, newest_first: bool = False):
    """Evidence contains `text` (case-insensitive). On SQLite the rows' ids are probed in the term's
    match table (text_matches); PostgreSQL's planner uses the pg_trgm index for ILIKE.

    For a page of the newest rows (`newest_first`, see by_day) SQLite should not fetch and sort
    every match: `id + 0` keeps the rowid out of the plan, so the (day, ...) index drives in day
    order, matches are only probed, and the LIMIT stops early (unless the term is rare: then reading
    just its matches is cheaper)."""
    found = _match_table(conn, model, text)
    if found is not None:
        name, n = found
        row_id = model.id + 0 if newest_first and n >= FEW_MATCHES else model.id
        return row_id.in_(select(table(name, column("id"), schema="temp").c.id))
    return model.evidence.ilike(f"%{_escape_like(text)}%", escape="\\")


def by_day(conn: Connection, newest_first: bool):
    """For a LIMITed newest-first page SQLite must walk the (day, ...) index backwards and stop after
    the page (a few thousand index entries), not collect every row of a subject or source through
    its own index and sort them (0.4-0.8 s for a big organization's year): `column + 0` keeps a
    column's index out of the plan. PostgreSQL's planner makes that choice itself."""
    if newest_first and conn.dialect.name == "sqlite":
        return lambda col: col + 0
    return lambda col: col


def period_and_language(model, filters: Filters) -> list:
    """Conditions on the `day` and `language` columns that rows and daily summaries share."""
    conds = []
    if filters.start:
        conds.append(model.day >= filters.start)
    if filters.end:
        conds.append(model.day <= filters.end)
    if filters.languages:
        conds.append(model.language.in_(filters.languages))
    return conds


def evidence_conditions(conn: Connection, model, filters: Filters, *, stance: bool = True,
                        newest_first: bool = False) -> list:
    """WHERE conditions on Claim or Signal (`model`, or an alias of either such as a text_matches
    table, which is already restricted to the text) for the filters; `newest_first`: for a LIMITed
    page in (day, id) descending order."""
    conds = period_and_language(model, filters)
    unindexed = by_day(conn, newest_first)
    sources = source_ids(conn, filters)
    if sources is not None:
        conds.append(unindexed(model.source_id).in_(sources) if sources else false())
    subjects = subject_ids(conn, filters)
    if subjects is not None:
        conds.append(unindexed(model.entity_id).in_(subjects) if subjects else false())
    if filters.text and (model is Claim or model is Signal):
        conds.append(text_condition(conn, model, filters.text, newest_first=newest_first))
    if inspect(model).mapper.class_ is Claim:
        if stance and filters.stances:
            conds.append(model.stance.in_(filters.stances))
        if filters.speaker:
            conds.append(model.speaker.ilike(f"%{_escape_like(filters.speaker)}%", escape="\\"))
        if filters.signals:
            conds.append(exists().where(*same_article_and_subject(claim=model), Signal.signal.in_(filters.signals)))
    else:
        if filters.signals:
            conds.append(model.signal.in_(filters.signals))
        if filters.stances and not filters.speaker:  # the stances of the pair's claims are on the signal row
            conds.append(has_stance(model.claim_stances, filters.stances))
        elif filters.stances or filters.speaker:
            claim_conds = same_article_and_subject(signal=model)
            if filters.stances:
                claim_conds.append(Claim.stance.in_(filters.stances))
            if filters.speaker:
                claim_conds.append(Claim.speaker.ilike(f"%{_escape_like(filters.speaker)}%", escape="\\"))
            conds.append(exists().where(*claim_conds))
    return conds


def has_stance(claim_stances, stances: tuple[str, ...]):
    """A trigger-kept stance mask (signal/article.claim_stances) has one of `stances`."""
    return claim_stances.op("&")(sum(STANCE_BITS.get(stance, 0) for stance in set(stances))) != 0


def filtered_rows(conn: Connection, model, filters: Filters):
    """What to count `model` rows from: the text search's match table when there is one, else `model`."""
    matches = text_matches(conn, model, filters.text) if filters.text else None
    return model if matches is None else matches


def summary_for(model, filters: Filters):
    """The daily summary that can count `model` rows (Claim, Signal, Article) for these filters, or None."""
    if filters.speaker or filters.text:
        return None
    if model is Article:
        return None if filters.organizations or filters.models or filters.signals else ArticleDaily
    if filters.sources:
        return None
    if model is Claim:
        return None if filters.signals else ClaimDaily
    return None if filters.stances else SignalDaily


def summary_conditions(conn: Connection, summary, filters: Filters) -> list:
    conds = period_and_language(summary, filters)
    if summary is ArticleDaily:
        sources = source_ids(conn, filters)
        if sources is not None:
            conds.append(ArticleDaily.source_id.in_(sources) if sources else false())
        if filters.stances:
            conds.append(has_stance(ArticleDaily.claim_stances, filters.stances))
        return conds
    subjects = subject_ids(conn, filters)
    if subjects is not None:
        conds.append(summary.entity_id.in_(subjects) if subjects else false())
    if issubclass(summary, ClaimCounts) and filters.stances:
        conds.append(summary.stance.in_(filters.stances))
    if issubclass(summary, SignalCounts) and filters.signals:
        conds.append(summary.signal.in_(filters.signals))
    return conds


def counting(conn: Connection, model, filters: Filters) -> tuple:
    """(table, count expression, conditions) counting the filtered rows of `model` (Claim or Signal):
    the daily summary when the filters allow, else the rows themselves."""
    summary = summary_for(model, filters)
    if summary is not None:
        return summary, func.sum(summary.n), summary_conditions(conn, summary, filters)
    rows = filtered_rows(conn, model, filters)
    return rows, func.count(), evidence_conditions(conn, rows, filters)


def whole_months(filters: Filters) -> tuple[date | None, date | None] | None:
    """[first, after): the first days of the first calendar month wholly inside the period and of
    the month after the last one (None: open end), or None when the period holds no whole month."""
    first = filters.start
    if first is not None and first.day != 1:
        first = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    after = None if filters.end is None else (filters.end + timedelta(days=1)).replace(day=1)
    if first is not None and after is not None and first >= after:
        return None
    return first, after


MONTHLY = {ClaimDaily: ClaimMonthly, SignalDaily: SignalMonthly}


def month_rows(conn: Connection, daily, filters: Filters, months: tuple[date | None, date | None]):
    """The filtered rows of a daily summary's period, as its monthly rows for the whole months and
    daily rows for the partial months at either end (an alias of `daily`: same columns)."""
    first, after = months
    monthly = MONTHLY[daily]
    others = replace(filters, start=None, end=None)

    def part(summary, *period):
        return select(*summary.__table__.c).where(*summary_conditions(conn, summary, others), *period)

    parts = [part(monthly, *([monthly.day >= first] if first else []), *([monthly.day < after] if after else []))]
    if first is not None and filters.start < first:
        parts.append(part(daily, daily.day >= filters.start, daily.day < first))
    if after is not None and after <= filters.end:
        parts.append(part(daily, daily.day >= after, daily.day <= filters.end))
    return aliased(daily, union_all(*parts).subquery(), adapt_on_names=True)


def counts(conn: Connection, model, filters: Filters, *by: str):
    """SELECT <by columns>, count of the filtered `model` rows, grouped by them. Counts not grouped
    by day read the monthly summary for the period's whole months."""
    source, n, conds = counting(conn, model, filters)
    if source in MONTHLY and "day" not in by and (months := whole_months(filters)) is not None:
        source = month_rows(conn, source, filters, months)
        n, conds = func.sum(source.n), []
    cols = [getattr(source, name) for name in by]
    return select(*cols, n.label("count")).select_from(source).where(*conds).group_by(*cols)


def total(conn: Connection, model, filters: Filters) -> int:
    return int(conn.execute(counts(conn, model, filters)).scalar_one() or 0)


def article_counts(conn: Connection, filters: Filters, *, per_day: bool):
    """Articles (per day) for the filters. An article's claims copy its day, source and language, so
    with claim-level filters the articles are the distinct articles of the filtered claims."""
    if summary_for(Article, filters) is not None:
        conds = summary_conditions(conn, ArticleDaily, filters)
        return (select(ArticleDaily.day, func.sum(ArticleDaily.n).label("count")).where(*conds)
                .group_by(ArticleDaily.day) if per_day else select(func.sum(ArticleDaily.n)).where(*conds))
    claims = filtered_rows(conn, Claim, filters)
    conds = evidence_conditions(conn, claims, filters)
    n = func.count(claims.article_id.distinct()).label("count")
    return select(claims.day, n).where(*conds).group_by(claims.day) if per_day else select(n).where(*conds)


def article_day():
    """An article's day: the date it shows, else its fetch date (as the extractor copies it to claims)."""
    return func.coalesce(Article.published_on, func.date(func.coalesce(Article.published_at, Article.fetched_at)))


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=timezone.utc)


def article_conditions(conn: Connection, filters: Filters) -> list:
    conds = []
    if filters.start or filters.end:  # by the date shown where known, else by the UTC timestamp
        when = func.coalesce(Article.published_at, Article.fetched_at)
        shown = [Article.published_on >= filters.start] if filters.start else []
        stamped = [when >= _midnight(filters.start)] if filters.start else []
        if filters.end:
            shown.append(Article.published_on <= filters.end)
            stamped.append(when < _midnight(filters.end + timedelta(days=1)))
        conds.append(or_(and_(*shown), and_(Article.published_on.is_(None), *stamped)))
    if filters.languages:
        conds.append(Article.language.in_(filters.languages))
    sources = source_ids(conn, filters)
    if sources is not None:
        conds.append(Article.source_id.in_(sources) if sources else false())
    claim_filters = replace(filters, languages=(), sources=())  # claims copy the article's day
    rest = replace(claim_filters, start=None, end=None, granularity="week")
    if rest.stances and replace(rest, stances=()) == Filters():  # the article's own stance mask
        conds.append(has_stance(Article.claim_stances, rest.stances))
    elif rest != Filters():
        conds.append(Article.id.in_(select(Claim.article_id).where(*evidence_conditions(conn, Claim, claim_filters))))
    return conds


# --- data version and vocabularies ------------------------------------------------------

def data_version(conn: Connection) -> tuple:
    """Changes whenever articles, claims, signals or crawl runs are added: the cache key for new data."""
    return tuple(conn.execute(select(
        select(func.max(Article.id)).scalar_subquery(), select(func.max(Claim.id)).scalar_subquery(),
        select(func.max(Signal.id)).scalar_subquery(), select(func.max(CrawlRun.id)).scalar_subquery(),
        select(func.max(Source.id)).scalar_subquery(),
    )).one())


def choices(conn: Connection) -> dict[str, list[str]]:
    """Values for the filter widgets: sources, organizations, models, languages (signal ids are the taxonomy's)."""
    def col(stmt) -> list[str]:
        return [r[0] for r in conn.execute(stmt) if r[0] is not None]

    return {
        "sources": col(select(Source.name).order_by(Source.name)),
        "organizations": col(select(Entity.canonical).where(Entity.kind == "org").order_by(Entity.canonical)),
        "models": col(select(Entity.canonical).where(Entity.kind == "model").order_by(Entity.canonical)),
        "languages": col(select(ArticleDaily.language).where(ArticleDaily.language != "").distinct()
                         .order_by(ArticleDaily.language)),
        "stances": list(STANCES),
    }


def day_range(conn: Connection) -> tuple[date | None, date | None]:
    """First and last day with claims (from the day-keyed summary: two index probes)."""
    lo, hi = conn.execute(select(select(func.min(ClaimDaily.day)).scalar_subquery(),
                                 select(func.max(ClaimDaily.day)).scalar_subquery())).one()
    return _as_date(lo), _as_date(hi)


def default_period(conn: Connection, days: int = 90, min_claims: int = 100) -> tuple[date | None, date | None]:
    """The period a session starts with: the `days` days ending at the newest claim, or all the data
    when that window is too sparse to show a trend (fewer than `min_claims` claims, e.g. the demo)."""
    first, last = day_range(conn)
    if last is None:
        return None, None
    start = max(first, last - timedelta(days=days - 1))
    if total(conn, Claim, Filters(start=start, end=last)) < min_claims:
        start = first
    return start, last


def _as_date(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _frame(conn: Connection, stmt, columns: list[str] | None = None) -> pd.DataFrame:
    result = conn.execute(stmt)
    return pd.DataFrame(result.fetchall(), columns=columns or list(result.keys()))


# --- trends --------------------------------------------------------------------------

def bucket(frame: pd.DataFrame, granularity: str, by: list[str], value: str = "count") -> pd.DataFrame:
    """Sum daily rows (`day` column) into day/week/month periods, labelled by their first day."""
    if frame.empty:
        return pd.DataFrame(columns=["period", *by, value])
    days = pd.to_datetime(frame["day"].astype(str))
    if granularity == "month":
        period = days.dt.to_period("M").dt.start_time
    elif granularity == "week":
        period = days.dt.to_period("W-SUN").dt.start_time
    else:
        period = days
    out = frame.assign(period=period).groupby(["period", *by], as_index=False)[value].sum()
    return out.sort_values(["period", *by]).reset_index(drop=True)


def claims_per_day(conn: Connection, filters: Filters) -> pd.DataFrame:
    """Claims per day and stance."""
    return _frame(conn, counts(conn, Claim, filters, "day", "stance"))


def signals_per_day(conn: Connection, filters: Filters) -> pd.DataFrame:
    """Signals per day and signal id."""
    return _frame(conn, counts(conn, Signal, filters, "day", "signal"))


def articles_per_day(conn: Connection, filters: Filters) -> pd.DataFrame:
    """Articles per day (published date, else fetch date)."""
    return _frame(conn, article_counts(conn, filters, per_day=True), ["day", "count"])


def totals(conn: Connection, filters: Filters) -> dict[str, int]:
    """Articles, claims (per stance) and signals in the filtered period. When neither claims nor
    articles can be counted from summaries, one pass over the filtered claims counts both."""
    if summary_for(Claim, filters) is None and summary_for(Article, filters) is None:
        claims = filtered_rows(conn, Claim, filters)
        row = conn.execute(select(func.count(claims.article_id.distinct()),
                                  *(func.sum(case((claims.stance == stance, 1), else_=0)) for stance in STANCES))
                           .where(*evidence_conditions(conn, claims, filters))).one()
        articles, by_stance = row[0], {stance: int(n or 0) for stance, n in zip(STANCES, row[1:])}
    else:
        by_stance = dict(conn.execute(counts(conn, Claim, filters, "stance")).all())
        articles = conn.execute(article_counts(conn, filters, per_day=False)).scalar_one() or 0
    signals = total(conn, Signal, filters)
    out = {"articles": int(articles), "claims": int(sum(by_stance.values())), "signals": int(signals)}
    out.update({stance: by_stance.get(stance, 0) for stance in STANCES})
    return out


# --- subjects ------------------------------------------------------------------------

def _entities(conn: Connection) -> pd.DataFrame:
    org = aliased(Entity)
    stmt = (select(Entity.id.label("entity_id"), Entity.kind, Entity.canonical.label("subject"),
                   org.canonical.label("organization"), Entity.in_kb)
            .outerjoin(org, org.id == Entity.organization_id))
    frame = _frame(conn, stmt)
    # an organization's own claims count towards itself
    frame.loc[frame["kind"] == "org", "organization"] = frame["subject"]
    return frame


def claims_by_subject(conn: Connection, filters: Filters) -> pd.DataFrame:
    """Claims per subject and stance in the period, with subject kind and organization."""
    frame = _frame(conn, counts(conn, Claim, filters, "entity_id", "stance"), ["entity_id", "stance", "count"])
    return frame.merge(_entities(conn), on="entity_id", how="left")


def top_subjects(conn: Connection, filters: Filters, limit: int = 200) -> dict[str, pd.DataFrame]:
    """Top organizations (rolling up their models) and top models by claims (`{"org": …, "model": …}`),
    with stance columns, contested flag and the change versus the previous period of the same length.
    Both rankings come from one count per period: per subject and stance now, per subject before."""
    now = claims_by_subject(conn, filters)
    before = None
    if filters.start and filters.end:
        before = _frame(conn, counts(conn, Claim, filters.previous_period(), "entity_id"), ["entity_id", "count"])
        before = before.merge(_entities(conn), on="entity_id", how="left")
    return {kind: _ranked(now, before, kind, limit) for kind in ENTITY_KINDS}


def _ranked(now: pd.DataFrame, before: pd.DataFrame | None, kind: str, limit: int) -> pd.DataFrame:
    """One ranking of top_subjects from the subject counts of the period and of the one before."""
    key = "organization" if kind == "org" else "subject"

    def of_kind(frame: pd.DataFrame) -> pd.DataFrame:
        return (frame[frame["kind"] == "model"] if kind == "model" else frame).dropna(subset=[key])

    wide = of_kind(now).pivot_table(index=key, columns="stance", values="count", aggfunc="sum", fill_value=0)
    wide = wide.reindex(columns=list(STANCES), fill_value=0)
    wide["claims"] = wide.sum(axis=1)
    if before is not None:
        previous = of_kind(before).groupby(key)["count"].sum()
        wide["previous"] = previous.reindex(wide.index, fill_value=0).astype(int)
        wide["change"] = wide["claims"] - wide["previous"]
    wide["contested"] = (wide["open"] > 0) & ((wide["disputed"] > 0) | (wide["closed"] > 0))
    out = wide.sort_values("claims", ascending=False).head(limit).reset_index().rename(columns={key: "name"})
    out.columns.name = None
    return out


def signals_by_subject(conn: Connection, filters: Filters, limit: int = 25) -> pd.DataFrame:
    """Subjects ranked by signal count, with their distinct signal ids."""
    frame = _frame(conn, counts(conn, Signal, filters, "entity_id", "signal"), ["entity_id", "signal", "count"]).merge(_entities(conn), on="entity_id")
    if frame.empty:
        return pd.DataFrame(columns=["subject", "kind", "organization", "signals", "signal_ids"])
    out = (frame.groupby(["subject", "kind", "organization"], dropna=False)
           .agg(signals=("count", "sum"), signal_ids=("signal", lambda s: ", ".join(sorted(set(s)))))
           .reset_index().sort_values("signals", ascending=False).head(limit))
    return out.reset_index(drop=True)


def subject_stance_per_day(conn: Connection, filters: Filters, subject: str, kind: str) -> pd.DataFrame:
    return claims_per_day(conn, _for_subject(filters, subject, kind))


def _for_subject(filters: Filters, subject: str, kind: str) -> Filters:
    if kind == "org":
        return replace(filters, organizations=(subject,), models=())
    return replace(filters, models=(subject,), organizations=())


def who_says_what(conn: Connection, filters: Filters, subject: str, kind: str, limit: int = 30) -> pd.DataFrame:
    """Speakers and outlets behind the claims about one subject, per stance."""
    f = _for_subject(filters, subject, kind)
    stmt = (select(func.coalesce(Claim.speaker, "(unattributed)").label("speaker"),
                   func.coalesce(Source.name, "(unknown)").label("outlet"), Claim.stance,
                   func.count().label("claims"))
            .outerjoin(Source, Source.id == Claim.source_id)
            .where(*evidence_conditions(conn, Claim, f))
            .group_by(Claim.speaker, Source.name, Claim.stance)
            .order_by(func.count().desc()).limit(limit))
    return _frame(conn, stmt)


# --- evidence rows -------------------------------------------------------------------

EVIDENCE_LIMIT = 500


def _signal_ids_per_subject(conn: Connection, filters: Filters):
    """Distinct signal ids per (article, subject), `;`-joined: joined to claims by the export. Only the
    signals that can join the filtered claims: same period, language, source and subject."""
    shared = Filters(start=filters.start, end=filters.end, languages=filters.languages, sources=filters.sources,
                     organizations=filters.organizations, models=filters.models)
    distinct_signals = (select(Signal.article_id, Signal.entity_id, Signal.signal)
                        .where(*evidence_conditions(conn, Signal, shared)).distinct().subquery())
    return (select(distinct_signals.c.article_id, distinct_signals.c.entity_id,
                   func.aggregate_strings(distinct_signals.c.signal, ";").label("signal_ids"))
            .group_by(distinct_signals.c.article_id, distinct_signals.c.entity_id).subquery())


def published_date(day):
    """The article's own publication date as text, or NULL when the page showed none.

    Trend charts place an undated article on its fetch day; rows never pass that off as published.
    """
    return case((Article.published_at.is_(None), None), else_=cast(day, String)).label("published")


def claim_rows(conn: Connection, filters: Filters, limit: int | None = EVIDENCE_LIMIT,
               after: tuple[date, int] | None = None):
    """The Core SELECT behind the explorer, the evidence lists and (limit=None) the claims export.

    Pages are newest first; `after` = (day, claim id) of the previous page's last row (keyset
    paging: any page costs as much as the first). A page of rows looks its signal ids up per
    claim; the export joins them pre-aggregated. Dates come back as ISO text.
    """
    org = aliased(Entity)
    if limit is None:
        per_subject = _signal_ids_per_subject(conn, filters)
        signal_ids = per_subject.c.signal_ids
    else:
        signal_ids = (select(func.aggregate_strings(Signal.signal, ";"))
                      .where(*same_article_and_subject()).correlate(Claim).scalar_subquery())
    stmt = (select(Claim.id.label("claim_id"), published_date(Claim.day),
                   Article.url.label("article_url"),
                   Article.title, Source.name.label("outlet"), Claim.language, Entity.canonical.label("subject"),
                   Entity.kind.label("subject_type"),
                   case((Entity.kind == "org", Entity.canonical), else_=org.canonical).label("organization"),
                   Claim.stance, Claim.speaker, signal_ids.label("signal_ids"), Claim.evidence,
                   Claim.confidence)
            .join(Article, Article.id == Claim.article_id)
            .join(Entity, Entity.id == Claim.entity_id)
            .outerjoin(org, org.id == Entity.organization_id)
            .outerjoin(Source, Source.id == Claim.source_id)
            .where(*evidence_conditions(conn, Claim, filters, newest_first=limit is not None)))
    if limit is None:
        return stmt.outerjoin(per_subject, and_(per_subject.c.article_id == Claim.article_id,
                                                per_subject.c.entity_id == Claim.entity_id))
    if after is not None:
        stmt = stmt.where(tuple_(Claim.day, Claim.id) < tuple_(*after))
    return stmt.order_by(Claim.day.desc(), Claim.id.desc()).limit(limit)


def signal_rows(conn: Connection, filters: Filters, limit: int | None = EVIDENCE_LIMIT):
    org = aliased(Entity)
    stmt = (select(Signal.id.label("signal_row_id"), published_date(Signal.day), Article.url.label("article_url"),
                   Article.title, Source.name.label("outlet"), Signal.language, Entity.canonical.label("subject"),
                   Entity.kind.label("subject_type"),
                   case((Entity.kind == "org", Entity.canonical), else_=org.canonical).label("organization"),
                   Signal.signal, Signal.evidence)
            .join(Article, Article.id == Signal.article_id)
            .join(Entity, Entity.id == Signal.entity_id)
            .outerjoin(org, org.id == Entity.organization_id)
            .outerjoin(Source, Source.id == Signal.source_id)
            .where(*evidence_conditions(conn, Signal, filters, newest_first=limit is not None)))
    if limit is not None:
        stmt = stmt.order_by(Signal.day.desc(), Signal.id.desc()).limit(limit)
    return stmt


def article_rows(conn: Connection, filters: Filters, limit: int | None = EVIDENCE_LIMIT):
    stmt = (select(Article.id.label("article_id"), published_date(article_day()), Article.url.label("article_url"),
                   Article.title, Source.name.label("outlet"), Article.language, Article.author,
                   Article.extraction_status)
            .outerjoin(Source, Source.id == Article.source_id)
            .where(*article_conditions(conn, filters)))
    if limit is not None:
        stmt = stmt.order_by(Article.id.desc()).limit(limit)
    return stmt


def claim_count(conn: Connection, filters: Filters) -> int:
    """The filtered claims (the explorer's count: unlike totals, a new search term finds no signals)."""
    return total(conn, Claim, filters)


def count_rows(conn: Connection, kind: str, filters: Filters) -> int:
    """How many rows an export of `kind` (claims | signals | articles) will write."""
    if kind == "articles":
        return conn.execute(select(func.count()).select_from(Article).where(*article_conditions(conn, filters))).scalar_one()
    return total(conn, Claim if kind == "claims" else Signal, filters)


def claims_page(conn: Connection, filters: Filters, limit: int = EVIDENCE_LIMIT,
                after: tuple[date, int] | None = None) -> pd.DataFrame:
    """The newest filtered claims (older than `after`, see claim_rows) with article, subject, signal ids."""
    return _frame(conn, claim_rows(conn, filters, limit, after))


def signals_page(conn: Connection, filters: Filters, limit: int = EVIDENCE_LIMIT) -> pd.DataFrame:
    return _frame(conn, signal_rows(conn, filters, limit))


# --- knowledge base and sources -----------------------------------------------------

def unknown_names(conn: Connection, filters: Filters, limit: int = 200) -> pd.DataFrame:
    """Names the extractor found that are not in the knowledge base, by claims in the period."""
    source, n, conds = counting(conn, Claim, replace(filters, organizations=(), models=()))
    claims = (select(source.entity_id, n.label("claims"), func.max(source.day).label("last_seen"))
              .where(*conds).group_by(source.entity_id).subquery())
    org = aliased(Entity)
    stmt = (select(Entity.canonical.label("name"), Entity.kind, org.canonical.label("organization"),
                   Entity.aliases, Entity.first_seen_at, func.coalesce(claims.c.claims, 0).label("claims"),
                   claims.c.last_seen)
            .outerjoin(claims, claims.c.entity_id == Entity.id)
            .outerjoin(org, org.id == Entity.organization_id)
            .where(Entity.in_kb.is_(False))
            .order_by(func.coalesce(claims.c.claims, 0).desc(), Entity.canonical).limit(limit))
    frame = _frame(conn, stmt)
    frame["aliases"] = frame["aliases"].map(lambda a: ", ".join(a or []))
    return frame


def kb_summary(conn: Connection, filters: Filters) -> pd.DataFrame:
    """Entities per kind, in the knowledge base or not (the knowledge base has no period: filters unused)."""
    stmt = (select(Entity.kind, Entity.in_kb, func.count().label("entities")).group_by(Entity.kind, Entity.in_kb)
            .order_by(Entity.kind, Entity.in_kb))
    return _frame(conn, stmt)


def source_health(conn: Connection, filters: Filters, since: datetime) -> pd.DataFrame:
    """Per source (of the filters' sources and languages): feed status, last crawl, new articles
    and errors of the runs since `since`, stored articles, next scheduled run."""
    runs = (select(CrawlRun.source_id, func.count().label("runs"), func.sum(CrawlRun.new_articles).label("new_articles"),
                   func.sum(CrawlRun.errors).label("errors"), func.max(CrawlRun.started_at).label("last_run"))
            .where(CrawlRun.started_at >= since).group_by(CrawlRun.source_id).subquery())
    articles = (select(Article.source_id, func.count().label("articles")).group_by(Article.source_id).subquery())
    stmt = (select(Source.id, Source.name, Source.kind, Source.language, Source.enabled, Source.health,
                   Source.last_attempt_at, Source.last_success_at, Source.last_new_article_at,
                   Source.consecutive_failures, Source.last_error, Source.url,
                   func.coalesce(runs.c.runs, 0).label("runs"),
                   func.coalesce(runs.c.new_articles, 0).label("new_articles"),
                   func.coalesce(runs.c.errors, 0).label("errors"),
                   func.coalesce(articles.c.articles, 0).label("articles"))
            .outerjoin(runs, runs.c.source_id == Source.id)
            .outerjoin(articles, articles.c.source_id == Source.id)
            .order_by(Source.name))
    if filters.sources:
        stmt = stmt.where(Source.name.in_(filters.sources))
    if filters.languages:
        stmt = stmt.where(Source.language.in_(filters.languages))
    frame = _frame(conn, stmt)
    frame["next_run"] = frame["name"].map(next_runs(conn))
    return frame


def next_runs(conn: Connection) -> dict[str, pd.Timestamp]:
    """Next scheduled crawl per source name, from APScheduler's job table when it exists."""
    if not inspect(conn).has_table("apscheduler_jobs"):
        return {}
    jobs = table("apscheduler_jobs", column("id"), column("next_run_time"))
    rows = conn.execute(select(jobs.c.id, jobs.c.next_run_time).where(jobs.c.id.like("crawl:%")))
    return {job_id.removeprefix("crawl:"): pd.to_datetime(ts, unit="s", utc=True)
            for job_id, ts in rows if ts is not None}


def set_source_enabled(conn: Connection, name: str, enabled: bool) -> None:
    """The dashboard's only write: an analyst switches a source on or off."""
    conn.execute(Source.__table__.update().where(Source.name == name).values(enabled=enabled))
