"""Dashboard benchmark: a synthetic year in SQLite and PostgreSQL, each page's queries timed, full CSV export.

    .venv/bin/python bench/dashboard.py                       # 200,000 articles, 1,000,000 claims, both backends
    .venv/bin/python bench/dashboard.py --articles 2000 --claims 10000 --backends sqlite   # smoke run
    .venv/bin/python bench/dashboard.py --db /tmp/ow-year.db --pg-db ow_bench_year   # generate once, reuse

Per backend: fill a fresh database (PostgreSQL: a temporary database on 127.0.0.1:5432, dropped
afterwards; with `--db PATH` / `--pg-db NAME` the SQLite file / PostgreSQL database is kept, and
a later run that finds it filled skips the generation), then run every query a page makes, uncached, `--repeat` times over rotating filters
(last 90 days, whole year, one language, one organization, one model, a stance, two text searches),
and print p50/p95 per query. Then `openwatch export claims` runs as a subprocess for all claims
(in one process, `--jobs 1`, and with the CLI's default of a process per core) and for the last
30 days (baseline): time, rows/s and peak RSS (of the largest process); flat memory means the peaks
are close although the row counts differ tenfold.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parents[1])  # else this file would shadow the dashboard package
from dashboard.synthetic import generate  # noqa: E402
from storage import queries  # noqa: E402
from storage.db import get_engine, upgrade  # noqa: E402
from storage.models import Claim, Signal  # noqa: E402
from storage.queries import Filters  # noqa: E402

PG_ADMIN = os.environ.get("OPENWATCH_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
END = date(2026, 11, 21)


def filter_variants() -> list[Filters]:
    last90 = Filters(start=END - timedelta(days=89), end=END)
    return [
        last90,
        Filters(start=END - timedelta(days=364), end=END, granularity="month"),
        replace(last90, languages=("zh",)),
        replace(last90, organizations=("Meta",)),
        replace(last90, models=("DeepSeek R1",)),
        replace(last90, stances=("disputed",)),
        replace(last90, text="open source"),  # in a fifth of all claims
        replace(last90, text="开源"),  # two characters, shorter than a trigram: a scan
    ]


def page_20_cursor(conn, f: Filters) -> tuple | None:
    """(day, id) of the last claim of explorer page 19, where keyset paging resumes (found untimed)."""
    row = conn.execute(queries.claim_rows(conn, f, 1).offset(19 * 500 - 1)).first()
    return None if row is None else (date.fromisoformat(row.published), row.claim_id)


def page_queries(f: Filters, cursor: tuple | None) -> dict[str, callable]:
    """What each page asks the database (the same calls as dashboard/views/*)."""
    since = datetime.combine(END - timedelta(days=7), datetime.min.time(), tzinfo=timezone.utc)
    meta = replace(f, organizations=("Meta",), models=())
    return {
        "filters: choices+range+version": lambda c: (queries.choices(c), queries.day_range(c), queries.data_version(c)),
        "overview: totals (now+previous)": lambda c: (queries.totals(c, f), queries.totals(c, f.previous_period())),
        "overview: claims per day": lambda c: queries.claims_per_day(c, f),
        "overview: articles per day": lambda c: queries.articles_per_day(c, f),
        "overview: signals per day": lambda c: queries.signals_per_day(c, f),
        "overview: top organizations and models": lambda c: queries.top_subjects(c, f),
        "subject: totals": lambda c: queries.totals(c, meta),
        "subject: stance per day": lambda c: queries.claims_per_day(c, meta),
        "subject: signals per day": lambda c: queries.signals_per_day(c, meta),
        "subject: who says what": lambda c: queries.who_says_what(c, f, "Meta", "org"),
        "subject: evidence page": lambda c: queries.claims_page(c, meta),
        "openwashing: subjects by signals": lambda c: queries.signals_by_subject(c, f),
        "openwashing: claims by subject": lambda c: queries.claims_by_subject(c, f),
        "openwashing: signal evidence": lambda c: queries.signals_page(c, meta),
        "explorer: claim count": lambda c: queries.claim_count(c, f),
        "explorer: first page": lambda c: queries.claims_page(c, f),
        "explorer: page 20": lambda c: queries.claims_page(c, f, 500, cursor),
        "sources: health": lambda c: queries.source_health(c, f, since),
        "knowledge: unknown names": lambda c: (queries.kb_summary(c, f), queries.unknown_names(c, f)),
    }


def time_queries(url: str, repeat: int) -> dict[str, list[float]]:
    """Milliseconds per page query over `repeat` rounds of rotating filters. On SQLite a search term's
    first use builds its match tables (storage.queries.text_matches) once per connection: timed on rows
    of their own (claims, signals), each round that searches on a new connection (the pool emptied), so
    each pays it.
    PostgreSQL has no match tables: every statement searches through the pg_trgm index."""
    timings: dict[str, list[float]] = {}
    variants = filter_variants()
    engine = get_engine(url)
    with engine.connect() as conn:
        cursors = [page_20_cursor(conn, f) for f in variants]
    for i in range(repeat):
        f = variants[i % len(variants)]
        if f.text and engine.dialect.name == "sqlite":
            engine.dispose()
        with engine.connect() as conn:
            if f.text and engine.dialect.name == "sqlite":
                for model in (Claim, Signal):  # the explorer needs the claims' only, the overview both
                    t0 = time.perf_counter()
                    queries.text_matches(conn, model, f.text)
                    timings.setdefault(f"search: first use of {f.text}, {model.__tablename__}s", []).append(
                        (time.perf_counter() - t0) * 1000)
            for name, run in page_queries(f, cursors[i % len(variants)]).items():
                t0 = time.perf_counter()
                run(conn)
                timings.setdefault(name, []).append((time.perf_counter() - t0) * 1000)
    return timings


def timed_export(url: str, out: Path, *args: str) -> tuple[float, float, int]:
    """Run `openwatch export claims` in a subprocess: seconds, peak RSS in MiB, rows."""
    exe = Path(sys.executable).with_name("openwatch")
    env = {**os.environ, "OPENWATCH_DATABASE_URL": url}
    t0 = time.perf_counter()
    proc = subprocess.Popen([str(exe), "export", "claims", "--out", str(out), *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    stdout, stderr = proc.communicate()
    if status:
        raise SystemExit(f"export failed: {stderr}")
    with out.open(encoding="utf-8") as fh:
        rows = sum(1 for _ in fh) - 1
    return seconds, usage.ru_maxrss / 1024, rows


def bench(name: str, url: str, args) -> None:
    print(f"\n== {name}: {args.articles:,} articles, {args.claims:,} claims ==", flush=True)
    upgrade(url)
    with get_engine(url).connect() as conn:
        existing = queries.data_version(conn)
    if existing[1]:
        print(f"reusing the filled database (max ids article, claim, signal: {existing[:3]})", flush=True)
    else:
        t0 = time.perf_counter()
        counts = generate(url, articles=args.articles, claims=args.claims, end=END)
        print(f"generated {counts} in {time.perf_counter() - t0:.1f} s", flush=True)
    if get_engine(url).dialect.name == "postgresql":
        with get_engine(url).connect() as conn:  # what autovacuum would do after a bulk load
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")
    timings = time_queries(url, args.repeat)
    print(f"{'query':40} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    worst = 0.0
    for query, values in timings.items():
        # inclusive: between the two slowest runs, never above the slowest (exclusive extrapolates past it)
        p95 = statistics.quantiles(values, n=20, method="inclusive")[-1] if len(values) > 1 else values[0]
        worst = max(worst, p95)
        print(f"{query:40} {statistics.median(values):8.1f} {p95:8.1f} {max(values):8.1f}")
    print(f"slowest p95: {worst:.1f} ms (target < 300 ms on SQLite)")
    with tempfile.TemporaryDirectory() as tmp:
        single = timed_export(url, Path(tmp) / "one.csv", "--jobs", "1")
        full = timed_export(url, Path(tmp) / "all.csv")
        month = timed_export(url, Path(tmp) / "month.csv", "--from", str(END - timedelta(days=29)))
    for label, (seconds, rss, rows) in (("export all, 1 process", single), (f"export all, {os.cpu_count()} cores", full),
                                        ("export last 30 days", month)):
        print(f"{label:22} {rows:>10,} rows {seconds:7.1f} s {rows / seconds:10,.0f} rows/s  peak RSS {rss:6.0f} MiB")
    print(f"memory ratio all/30 days: {full[1] / month[1]:.2f} for {full[2] / max(month[2], 1):.1f}x the rows "
          f"(target: export of 1M claims < 20 s, flat memory)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=200_000)
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=16)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--db", type=Path, help="SQLite file to keep and reuse (default: a temporary one)")
    parser.add_argument("--pg-db", help="PostgreSQL database name to keep and reuse (default: a temporary one)")
    args = parser.parse_args()
    backends = args.backends.split(",")
    if "sqlite" in backends:
        if args.db:
            bench("SQLite", f"sqlite:///{args.db.resolve()}", args)
        else:
            with tempfile.TemporaryDirectory(prefix="ow-bench-") as tmp:
                bench("SQLite", f"sqlite:///{tmp}/bench.db", args)
    if "postgresql" in backends:
        import psycopg

        db = args.pg_db or f"ow_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (db,)).fetchone():
                conn.execute(f'CREATE DATABASE "{db}"')
        url = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1) + f"/{db}"
        try:
            bench("PostgreSQL", url, args)
        finally:
            get_engine(url).dispose()
            if not args.pg_db:
                with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


if __name__ == "__main__":
    main()
