"""`openwatch export claims|signals|articles --out FILE`: the dashboard's filtered rows as a file."""
from __future__ import annotations

import os
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from openwatch.cli.common import UserError, console, progress_bar


PARALLEL_FROM = 100_000  # rows: below this, forking export processes is not worth it


class Kind(str, Enum):
    claims = "claims"
    signals = "signals"
    articles = "articles"


class Format(str, Enum):
    csv = "csv"
    jsonl = "jsonl"
    parquet = "parquet"


def _day(value: Optional[str], option: str):
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise UserError(f"{option} {value!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-01-31") from None


def export(
    kind: Kind = typer.Argument(..., help="What one row is: a claim, a signal or an article."),
    out: Path = typer.Option(..., "--out", "-o", help="File to write (overwritten)."),
    fmt: Format = typer.Option(Format.csv, "--format", help="csv (spreadsheet-safe), jsonl or parquet."),
    bom: bool = typer.Option(False, "--bom", help="Start the CSV with a UTF-8 byte order mark (for Excel)."),
    start: Optional[str] = typer.Option(None, "--from", help="First day, YYYY-MM-DD (publication date)."),
    end: Optional[str] = typer.Option(None, "--to", help="Last day, YYYY-MM-DD."),
    language: list[str] = typer.Option([], help="zh, zh-Hant or en; repeat for several."),
    source: list[str] = typer.Option([], help="Source name; repeat for several."),
    org: list[str] = typer.Option([], help="Organization (canonical name), with its models; repeatable."),
    model: list[str] = typer.Option([], help="Model (canonical name); repeatable."),
    stance: list[str] = typer.Option([], help="open, closed or disputed; repeatable."),
    signal: list[str] = typer.Option([], help="Open-washing signal id, e.g. usage_threshold; repeatable."),
    speaker: str = typer.Option("", help="Speaker contains this text."),
    text: str = typer.Option("", "--search", help="Evidence contains this text."),
    jobs: int = typer.Option(0, "--jobs", "-j", min=0,
                             help="Processes writing parts of a CSV/JSONL file in parallel (0: one per core, up to 4, "
                                  f"for exports over {PARALLEL_FROM:,} rows)."),
) -> None:
    """Export the filtered claims, signals or articles (same filters as the dashboard).

    Columns are in a fixed order (see the README); rows stream to the file, so memory stays flat.

    Example: openwatch export claims --out meta-open.csv --org Meta --stance open --from 2026-01-01 --bom

    Large CSV/JSONL exports are written by several processes (--jobs), each an id range of the rows.
    """
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from openwatch.config import get_settings
    from storage import export as exporter
    from storage.db import get_engine
    from storage.models import STANCES
    from storage.queries import Filters

    bad = [s for s in stance if s not in STANCES]
    if bad:
        raise UserError(f"unknown stance {bad[0]!r}; use one of {', '.join(STANCES)}")
    filters = Filters(start=_day(start, "--from"), end=_day(end, "--to"), languages=tuple(language),
                      sources=tuple(source), organizations=tuple(org), models=tuple(model), stances=tuple(stance),
                      signals=tuple(signal), speaker=speaker.strip(), text=text.strip())
    if filters.start and filters.end and filters.start > filters.end:
        raise UserError(f"--from {start} is after --to {end}; swap them")
    if not out.parent.is_dir():
        raise UserError(f"cannot write {out}: folder {out.parent} does not exist")
    engine = get_engine(get_settings().database_url)
    try:
        total = exporter.count(engine, kind.value, filters)
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
        jobs = jobs or (min(4, cores) if total > PARALLEL_FROM else 1)
        with progress_bar(f"exporting {kind.value}", total) as advance:
            written = exporter.export(engine, kind.value, filters, out, fmt=fmt.value, bom=bom, progress=advance,
                                      jobs=jobs)
    except (OperationalError, ProgrammingError) as exc:
        raise UserError(f"cannot read the database ({str(exc.orig).splitlines()[0]}); run `openwatch init` first") from exc
    console.print(f"wrote {written:,} {kind.value} to {out}")


def register(app: typer.Typer) -> None:
    app.command()(export)
