"""Streaming export of claims, signals and articles to CSV, JSON lines or Parquet.

Rows come from the same filtered SELECTs the dashboard shows (storage.queries), read as plain
driver tuples in batches (a server-side cursor on PostgreSQL) and written a batch at a time:
memory stays flat whatever the number of rows. CSV cells that a spreadsheet would evaluate as a formula are
prefixed with an apostrophe (by the SELECT itself for database exports, so the per-row Python
work is only the csv module's); column order is fixed by `COLUMNS` (documented in the README).
"""
from __future__ import annotations

import csv
import json
import multiprocessing
import queue
import shutil
import threading
from datetime import date
from pathlib import Path
from typing import IO, Callable, Iterable, Iterator

from sqlalchemy import Connection, and_, case, func, literal, select
from sqlalchemy.engine import Engine

from storage import queries
from storage.models import Article, Claim, Signal
from storage.queries import Filters

KINDS = ("claims", "signals", "articles")
FORMATS = ("csv", "jsonl", "parquet")
BATCH = 20_000

COLUMNS = {
    "claims": ["claim_id", "published", "article_url", "title", "outlet", "language", "subject", "subject_type",
               "organization", "stance", "speaker", "signal_ids", "evidence", "confidence"],
    "signals": ["signal_row_id", "published", "article_url", "title", "outlet", "language", "subject",
                "subject_type", "organization", "signal", "evidence"],
    "articles": ["article_id", "published", "article_url", "title", "outlet", "language", "author",
                 "extraction_status"],
}
_STATEMENTS = {"claims": queries.claim_rows, "signals": queries.signal_rows, "articles": queries.article_rows}
_MODELS = {"claims": Claim, "signals": Signal, "articles": Article}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TEXT_COLUMNS = {"article_url", "title", "outlet", "language", "subject", "organization", "speaker", "evidence",
                "author", "signal_ids", "signal"}


def neutralized(stmt, dialect: str = ""):
    """`stmt` with its text columns made spreadsheet-safe: a leading formula character gets an apostrophe.

    On SQLite (binary collation) a cheap `< 'A'` test first skips the usual text (every formula start
    sorts before 'A'), saving a substr() per cell."""
    def safe(col):
        if col.name not in TEXT_COLUMNS:
            return col
        formula = func.substr(col, 1, 1).in_(FORMULA_STARTS)
        if dialect == "sqlite":
            formula = and_(col < "A", formula)
        return case((formula, literal("'") + col), else_=col).label(col.name)
    return stmt.with_only_columns(*(safe(c) for c in stmt.selected_columns), maintain_column_froms=True)


def iter_batches(engine: Engine, kind: str, filters: Filters, *, safe: bool = False,
                 batch: int = BATCH, ids: tuple[int, int] | None = None) -> Iterator[list]:
    """Every filtered row of `kind`, in export column order, streamed from the database in batches
    (`safe`: formula cells neutralized; `ids`: only rows with lo < id <= hi)."""
    if kind not in KINDS:
        raise ValueError(f"unknown export kind {kind!r}; choose one of {', '.join(KINDS)}")
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":  # a bigger page cache for the joins (per connection, bounded)
            conn.exec_driver_sql("PRAGMA cache_size=-65536")
        elif conn.dialect.name == "postgresql":
            # a cursor is planned for its first 10% of rows by default (nested loops); the export reads all of
            # them: plan for the whole result (hash joins), with room to sort the signal ids in memory
            conn.exec_driver_sql("SET LOCAL cursor_tuple_fraction = 1")
            conn.exec_driver_sql("SET LOCAL work_mem = '64MB'")
        stmt = _STATEMENTS[kind](conn, filters, limit=None)
        if ids is not None:
            row_id = _MODELS[kind].id
            stmt = stmt.where(row_id > ids[0], row_id <= ids[1])
        yield from driver_batches(conn, neutralized(stmt, conn.dialect.name) if safe else stmt, batch)


def driver_batches(conn: Connection, stmt, batch: int) -> Iterator[list]:
    """`stmt`'s rows as the driver's plain tuples, `batch` at a time. Export columns are text or numbers
    (dates are cast to text in SQL), so SQLAlchemy's Row objects would only cost time (1.5 s of CPU per
    million claims). PostgreSQL reads from a server-side cursor, SQLite's cursor steps the statement
    as rows are fetched: memory stays flat."""
    compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.params
    if conn.dialect.positional:  # SQLite: dates as the ISO text SQLAlchemy's Date type stores
        params = [v.isoformat() if isinstance(v, date) else v for v in (params[k] for k in compiled.positiontup)]
    driver = conn.connection.driver_connection
    cursor = driver.cursor(name="openwatch_export") if conn.dialect.name == "postgresql" else driver.cursor()
    try:
        cursor.execute(str(compiled), params)
        while rows := cursor.fetchmany(batch):
            yield rows
    finally:
        cursor.close()


def read_ahead(batches: Iterator[list], depth: int = 2) -> Iterator[list]:
    """`batches`, read by a thread up to `depth` batches ahead of the writer, so the database server
    computes the next batch while this one is written (psycopg waits without the GIL). Measured on
    PostgreSQL, 1M claims: 19.5 s -> 12-16.5 s; on SQLite no gain (reading and writing both need the
    GIL), so it is used for PostgreSQL only. Memory stays bounded (`depth` batches); the reader's
    error is raised here; a writer that stops early stops the reader, which closes `batches`."""
    ready: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def hand_over(item) -> bool:
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.1)
                return True
            except queue.Full:
                pass
        return False

    def read() -> None:
        try:
            for chunk in batches:
                if not hand_over(chunk):
                    break
            else:
                hand_over(_END)
        except BaseException as exc:  # handed to the writer's thread
            hand_over(exc)
        finally:
            batches.close()

    reader = threading.Thread(target=read, name="export-reader", daemon=True)
    reader.start()
    try:
        while (item := ready.get()) is not _END:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        reader.join()


_END = object()


def count(engine: Engine, kind: str, filters: Filters) -> int:
    with engine.connect() as conn:
        return queries.count_rows(conn, kind, filters)


def safe_rows(rows: Iterable[tuple], columns: list[str], text_columns: Iterable[str]) -> list[tuple]:
    """In-memory rows made spreadsheet-safe (what `neutralized` does in SQL for database exports)."""
    text_at = {i for i, name in enumerate(columns) if name in set(text_columns)}
    return [tuple("'" + v if i in text_at and isinstance(v, str) and v.startswith(FORMULA_STARTS) else v
                  for i, v in enumerate(row)) for row in rows]


def write_csv(batches: Iterable[list], columns: list[str], out: IO[str], progress: Callable[[int], None],
              header: bool = True) -> int:
    """CSV with a header, a batch of (already safe) rows at a time."""
    writer = csv.writer(out)
    if header:
        writer.writerow(columns)
    written = 0
    for chunk in batches:
        writer.writerows(chunk)
        written += len(chunk)
        progress(len(chunk))
    return written


def write_jsonl(batches: Iterable[list], columns: list[str], out: IO[str], progress: Callable[[int], None],
                header: bool = False) -> int:
    written = 0
    for chunk in batches:
        out.writelines(json.dumps(dict(zip(columns, row)), ensure_ascii=False) + "\n" for row in chunk)
        written += len(chunk)
        progress(len(chunk))
    return written


def write_parquet(batches: Iterable[list], columns: list[str], path: Path, progress: Callable[[int], None]) -> int:
    """Parquet, a row group per batch; ids and confidence numeric, everything else text."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    numeric = {"claim_id": pa.int64(), "signal_row_id": pa.int64(), "article_id": pa.int64(), "confidence": pa.float64()}
    schema = pa.schema([(c, numeric.get(c, pa.string())) for c in columns])

    def record_batch(chunk: list[tuple]) -> "pa.RecordBatch":
        values = list(zip(*chunk)) if chunk else [[] for _ in schema]
        return pa.RecordBatch.from_arrays([pa.array(list(v), f.type) for v, f in zip(values, schema)], schema=schema)

    written = 0
    with pq.ParquetWriter(path, schema) as writer:
        for chunk in batches:
            writer.write_batch(record_batch(chunk))
            written += len(chunk)
            progress(len(chunk))
        if not written:
            writer.write_batch(record_batch([]))
    return written


def export(engine: Engine, kind: str, filters: Filters, path: Path, fmt: str = "csv", bom: bool = False,
           progress: Callable[[int], None] = lambda n: None, batch: int = BATCH, jobs: int = 1) -> int:
    """Write the filtered rows of `kind` to `path`; returns the number of rows.

    `bom` writes a UTF-8 byte order mark first so Excel detects the encoding (CSV only). `jobs` > 1
    (CSV and JSON lines) splits the rows into that many id ranges, written by forked processes to
    part files that are then appended in order: the same rows, in less time on several cores.
    The rows go to a hidden file beside `path` that replaces it when complete: a failed export leaves
    an earlier file as it was.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    partial = path.with_name(f".{path.name}.partial")  # replaces `path` only once complete
    try:
        if fmt == "parquet":
            written = write_parquet(_rows(engine, kind, filters, fmt, batch), COLUMNS[kind], partial, progress)
        else:
            ranges = id_ranges(engine, kind, filters, jobs) if jobs > 1 else [None]
            with open(partial, "w", encoding="utf-8-sig" if bom and fmt == "csv" else "utf-8", newline="") as out:
                if len(ranges) == 1:
                    written = _write_part(engine, kind, filters, fmt, out, progress, batch, ranges[0], header=True)
                else:
                    written = _write_in_parts(engine, kind, filters, fmt, out, path, progress, batch, ranges)
        partial.replace(path)
        return written
    finally:
        partial.unlink(missing_ok=True)


def _rows(engine: Engine, kind: str, filters: Filters, fmt: str, batch: int,
          ids: tuple[int, int] | None = None) -> Iterator[list]:
    rows = iter_batches(engine, kind, filters, safe=fmt == "csv", batch=batch, ids=ids)
    return read_ahead(rows) if engine.dialect.name == "postgresql" else rows


def _write_part(engine: Engine, kind: str, filters: Filters, fmt: str, out: IO[str],
                progress: Callable[[int], None], batch: int, ids: tuple[int, int] | None, header: bool) -> int:
    writer = write_csv if fmt == "csv" else write_jsonl
    return writer(_rows(engine, kind, filters, fmt, batch, ids), COLUMNS[kind], out, progress, header=header)


def id_ranges(engine: Engine, kind: str, filters: Filters, parts: int) -> list[tuple[int, int]]:
    """The filtered rows' ids as up to `parts` consecutive ranges (lo, hi] of equal width."""
    model = _MODELS[kind]
    with engine.connect() as conn:
        conds = (queries.article_conditions(conn, filters) if model is Article
                 else queries.evidence_conditions(conn, model, filters))
        low, high = conn.execute(select(func.min(model.id), func.max(model.id)).where(*conds)).one()
    if low is None:
        return [(0, 0)]
    width = max(1, -(-(high - low + 1) // parts))
    return [(lo, min(lo + width, high)) for lo in range(low - 1, high, width)]


def _write_in_parts(engine: Engine, kind: str, filters: Filters, fmt: str, out: IO[str], path: Path,
                    progress: Callable[[int], None], batch: int, ranges: list[tuple[int, int]]) -> int:
    """This process writes the first range to `out`; a forked process per other range writes a part
    file beside `path`, reporting each batch through a queue (None when done); the parts are then
    appended in order."""
    context = multiprocessing.get_context("fork")
    done = context.Queue()
    parts = [path.with_name(f".{path.name}.part{i}") for i in range(1, len(ranges))]
    workers = [context.Process(target=_part_process, args=(engine, kind, filters, fmt, part, batch, ids, done),
                               daemon=True) for part, ids in zip(parts, ranges[1:])]
    written, finished = 0, 0

    def take(item) -> None:
        nonlocal written, finished
        if item is None:
            finished += 1
        else:
            written += item
            progress(item)

    def report(n: int) -> None:
        take(n)
        while not done.empty():
            take(done.get())

    try:
        for worker in workers:
            worker.start()
        _write_part(engine, kind, filters, fmt, out, report, batch, ranges[0], header=True)
        while finished < len(workers):
            if not any(w.is_alive() for w in workers) and done.empty():
                failed = [w.exitcode for w in workers if w.exitcode]
                raise RuntimeError(f"an export process failed (exit code {failed[0] if failed else '?'}); "
                                   "its error is above")
            try:
                take(done.get(timeout=0.5))
            except queue.Empty:
                pass
        for worker in workers:
            worker.join()
        for part in parts:
            with open(part, encoding="utf-8", newline="") as rows:
                shutil.copyfileobj(rows, out, 1 << 20)
        return written
    finally:
        for worker in workers:
            if worker.is_alive():
                worker.kill()
        for part in parts:
            part.unlink(missing_ok=True)


def _part_process(engine: Engine, kind: str, filters: Filters, fmt: str, part: Path, batch: int,
                  ids: tuple[int, int], done) -> None:
    """A forked export process: one id range of the rows to `part`, each batch's size put on `done`."""
    engine.dispose(close=False)  # the parent's pooled connections stay the parent's
    with open(part, "w", encoding="utf-8", newline="") as out:
        _write_part(engine, kind, filters, fmt, out, done.put, batch, ids, header=False)
    done.put(None)
