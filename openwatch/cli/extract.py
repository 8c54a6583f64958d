"""`openwatch extract` and `openwatch eval`: run the extractor on files, stored articles or a gold set."""
from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from openwatch.cli.common import UserError, console, progress_bar


class Format(str, Enum):
    jsonl = "jsonl"
    table = "table"


def read_document(path: Path):
    """A CleanPage for a .html/.htm or text file; unreadable files are a UserError."""
    from crawler.cleaning import clean_html, clean_text

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UserError(f"cannot read {path}: {exc.strerror}; give a readable HTML or text file") from exc
    if path.suffix.lower() in (".html", ".htm"):
        return clean_html(data, url=path.resolve().as_uri())
    try:
        return clean_text(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise UserError(f"{path} is not UTF-8 text; save it as UTF-8 or as .html (pages carry their encoding)") from exc


def extract_files(paths: list[Path]) -> list[dict]:
    """The JSON line of each file, in order."""
    from nlp.extract import extract_docs, headed

    pages = [read_document(p) for p in paths]
    results = extract_docs([headed(p.title, p.norm_text) for p in pages], normalized=True)
    return [r.as_json(document=str(path), title=page.title, language=page.language,
                      published=page.published_at.date().isoformat() if page.published_at else None)
            for path, page, r in zip(paths, pages, results)]


def _print_table(rows: list[dict]) -> None:
    from rich.table import Table

    table = Table("document", "kind", "subject", "stance / signal", "speaker", "evidence")
    for row in rows:
        for c in row["claims"]:
            table.add_row(Path(row["document"]).name, "claim", c["subject"], c["stance"], c["speaker"] or "",
                          c["evidence"][:80])
        for s in row["signals"]:
            table.add_row(Path(row["document"]).name, "signal", s["subject"], s["signal"], "", s["evidence"][:80])
    console.print(table)


def register(app: typer.Typer) -> None:
    @app.command()
    def extract(paths: Optional[list[Path]] = typer.Argument(None, help="HTML or text files; none: stored articles"),
                format: Format = typer.Option(Format.jsonl, "--format", help="jsonl (one object per file) or table"),
                batch_size: int = typer.Option(50, help="articles per transaction (stored articles)"),
                limit: Optional[int] = typer.Option(None, help="stop after this many stored articles")) -> None:
        """Find who calls which model or organization open, closed or disputed, and open-washing signals.

        With files: one JSON object per file on stdout (entities, claims, signals, published date).
        Without: extract every stored article not yet extracted by the current extractor version.

        Example: openwatch extract article.html notes.txt --format table
        """
        if paths:
            rows = extract_files(paths)
            if format is Format.table:
                _print_table(rows)
            else:
                for row in rows:
                    typer.echo(json.dumps(row, ensure_ascii=False))
            return
        from sqlalchemy import func, or_, select
        from sqlmodel import Session

        from nlp import EXTRACTOR_VERSION
        from openwatch.extraction import extract_pending
        from storage.db import get_engine
        from storage.models import Article

        with Session(get_engine()) as session:
            todo = session.scalar(select(func.count()).select_from(Article).where(
                Article.duplicate_of_id.is_(None), Article.extraction_status != "skipped",
                or_(Article.extractor_version.is_(None), Article.extractor_version != EXTRACTOR_VERSION,
                    Article.extraction_status == "pending")))
        with progress_bar("extracting", total=min(todo, limit) if limit else todo) as advance:
            done = extract_pending(batch_size=batch_size, limit=limit, progress=advance)
        console.print(f"extracted {done} article(s) with extractor {EXTRACTOR_VERSION}")

    @app.command("eval")
    def eval_(gold: Path = typer.Argument(..., help="gold YAML (GUIDELINES format)"),
              articles: Optional[Path] = typer.Option(None, "--articles",
                                                      help="folder of the gold's article files "
                                                           "(default: next to the gold file, or ../seeds)")) -> None:
        """Score the extractor against a gold set and list each article's misses.

        Example: openwatch eval ../shared/eval/dev-gold.yaml
        """
        from nlp.scoring import find_articles, load_gold, report

        entries = load_gold(gold)
        paths = find_articles(gold, entries, articles)
        console.print(report(entries, {p.name: row for p, row in zip(paths, extract_files(paths))}), highlight=False)
