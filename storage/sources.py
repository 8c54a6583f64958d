"""Sources: add, list, remove, import from YAML/CSV, and record the health of each crawl."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import yaml
from sqlalchemy import update
from sqlmodel import select

from storage.db import session_scope
from storage.models import SOURCE_KINDS, CrawlRun, Source, utcnow

FIELDS = ("name", "kind", "url", "language", "enabled", "interval_minutes", "max_depth", "allow", "deny")
FAILING_AFTER = 3  # consecutive failed crawls before a source counts as failing


class SourceError(ValueError):
    """A source definition is invalid; the message says which field and why."""


def validate(spec: dict) -> dict:
    """A clean source definition from a mapping (YAML row, CSV row, CLI options)."""
    unknown = set(spec) - set(FIELDS)
    if unknown:
        raise SourceError(f"unknown field(s) {', '.join(sorted(unknown))}; known: {', '.join(FIELDS)}")
    name, url, kind = (str(spec.get(k) or "").strip() for k in ("name", "url", "kind"))
    if not name:
        raise SourceError(f"a source needs a name (url {url or '?'})")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SourceError(f"source {name!r}: {url!r} is not an http(s) URL")
    if kind not in SOURCE_KINDS:
        raise SourceError(f"source {name!r}: kind {kind!r} is not one of {', '.join(SOURCE_KINDS)}")
    clean = {"name": name, "url": url, "kind": kind}
    for key in ("allow", "deny"):
        value = spec.get(key) or []
        clean[key] = [p for p in (value.split("|") if isinstance(value, str) else value) if p]
    for key in ("interval_minutes", "max_depth"):
        if spec.get(key) not in (None, ""):
            clean[key] = int(spec[key])
    if spec.get("enabled") not in (None, ""):
        clean["enabled"] = str(spec["enabled"]).strip().lower() not in ("0", "false", "no", "off")
    if spec.get("language"):
        clean["language"] = str(spec["language"]).strip()
    return clean


def add_source(url_db: str | None = None, **spec) -> Source:
    """Insert one source; a duplicate name raises SourceError."""
    clean = validate(spec)
    with session_scope(url_db) as session:
        if session.exec(select(Source).where(Source.name == clean["name"])).first():
            raise SourceError(f"a source named {clean['name']!r} already exists")
        source = Source(**clean)
        session.add(source)
    return source


def read_source_file(path: str | Path) -> list[dict]:
    """Source definitions from a YAML file (a list, or a mapping with `sources:`) or a CSV file."""
    path = Path(path)
    if not path.is_file():
        raise SourceError(f"{path} does not exist")
    if path.suffix.lower() == ".csv":
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = [{k: v for k, v in row.items() if k and v not in (None, "")} for row in csv.DictReader(handle)]
    else:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise SourceError(f"{path} is not valid YAML: {str(exc).splitlines()[0]}") from exc
        rows = data.get("sources") if isinstance(data, dict) else data
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise SourceError(f"{path} must hold a list of sources (name, kind, url, ...)")
    return rows


def import_sources(path: str | Path, url_db: str | None = None) -> tuple[int, int]:
    """Add the sources a file defines and update those that exist by name: (added, updated).
    Every row is validated before anything is written."""
    specs = []
    for number, row in enumerate(read_source_file(path), start=1):
        try:
            specs.append(validate(row))
        except SourceError as exc:
            raise SourceError(f"{path}, source {number}: {exc}") from exc
    added = updated = 0
    with session_scope(url_db) as session:
        existing = {s.name: s for s in session.exec(select(Source)).all()}
        for spec in specs:
            source = existing.get(spec["name"])
            if source is None:
                session.add(Source(**spec))
                added += 1
            else:
                for key, value in spec.items():
                    setattr(source, key, value)
                updated += 1
    return added, updated


def list_sources(url_db: str | None = None) -> list[Source]:
    with session_scope(url_db) as session:
        return list(session.exec(select(Source).order_by(Source.name)).all())


def get_sources(names: list[str] | None = None, url_db: str | None = None) -> list[Source]:
    """The named sources (all must exist), or every enabled source."""
    with session_scope(url_db) as session:
        if not names:
            return list(session.exec(select(Source).where(Source.enabled).order_by(Source.name)).all())
        found = {s.name: s for s in session.exec(select(Source).where(Source.name.in_(names))).all()}
    missing = [n for n in names if n not in found]
    if missing:
        raise SourceError(f"unknown source(s): {', '.join(missing)} (see `openwatch sources list`)")
    return [found[n] for n in names]


def remove_source(name: str, url_db: str | None = None) -> None:
    with session_scope(url_db) as session:
        source = session.exec(select(Source).where(Source.name == name)).first()
        if source is None:
            raise SourceError(f"unknown source {name!r} (see `openwatch sources list`)")
        session.delete(source)


@dataclass
class CrawlOutcome:
    """What one crawl of one source did, as the crawl recorder hands it to `finish_crawl_run`."""

    pages: int = 0
    new_articles: int = 0
    duplicates: int = 0
    errors: list[str] | None = None
    etag: str | None = None
    last_modified: str | None = None
    moved_to: str | None = None  # a feed answered 301: its new URL
    gone: bool = False  # a feed answered 410
    error_count: int | None = None  # when more failures happened than `errors` lists (Redis mode keeps 50)


def start_crawl_run(source_id: int, url_db: str | None = None) -> int:
    with session_scope(url_db) as session:
        run = CrawlRun(source_id=source_id)
        session.add(run)
        session.flush()
        return run.id


def finish_crawl_run(run_id: int, outcome: CrawlOutcome, url_db: str | None = None) -> CrawlRun:
    """Close the CrawlRun and update the source's health and conditional-GET state."""
    errors = outcome.errors or []
    now = utcnow()
    with session_scope(url_db) as session:
        run = session.get(CrawlRun, run_id)
        source = session.get(Source, run.source_id)
        failed = bool(errors) and outcome.pages == 0 and outcome.new_articles == 0
        run.status = "failed" if failed else ("partial" if errors else "ok")
        run.finished_at = now
        run.duration_s = (now - _aware(run.started_at)).total_seconds()
        run.pages, run.new_articles, run.duplicates = outcome.pages, outcome.new_articles, outcome.duplicates
        run.errors = len(errors) if outcome.error_count is None else outcome.error_count
        run.error_summary = "\n".join(errors[:50]) or None
        source.last_attempt_at = now
        _apply_feed_state(source, outcome.etag, outcome.last_modified, outcome.moved_to)
        if failed:
            source.consecutive_failures += 1
            source.health = "failing" if source.consecutive_failures >= FAILING_AFTER else "degraded"
        else:
            source.consecutive_failures = 0
            source.last_success_at = now
            source.health = "degraded" if errors else "ok"
        if outcome.gone:
            source.health, source.enabled = "gone", False
        source.last_error = errors[0] if errors else None
        if outcome.new_articles:
            source.last_new_article_at = now
        session.add_all([run, source])
    return run


def _apply_feed_state(source: Source, etag: str | None, last_modified: str | None, moved_to: str | None) -> None:
    if etag is not None or last_modified is not None:
        source.etag, source.last_modified = etag, last_modified
    if moved_to:
        source.url = moved_to


def record_run_errors(run_id: int, errors: list[str], url_db: str | None = None) -> None:
    """Add failures to a run that is still open (Redis mode: a run spans many workers, which record
    what fails as it happens; the summary keeps the first 50, the count is exact)."""
    with session_scope(url_db) as session:
        session.exec(update(CrawlRun).where(CrawlRun.id == run_id).values(errors=CrawlRun.errors + len(errors)))
        run = session.get(CrawlRun, run_id)
        lines = run.error_summary.splitlines() if run.error_summary else []
        if len(lines) < 50:
            run.error_summary = "\n".join((lines + errors)[:50])
            session.add(run)


def save_feed_state(source_id: int, etag: str | None = None, last_modified: str | None = None,
                    moved_to: str | None = None, gone: bool = False, url_db: str | None = None) -> None:
    """A feed's conditional-GET validators, new URL (301) or end (410), saved on its source at once
    (Redis mode; a local crawl saves them when it closes its run)."""
    with session_scope(url_db) as session:
        source = session.get(Source, source_id)
        _apply_feed_state(source, etag, last_modified, moved_to)
        if gone:
            source.health, source.enabled = "gone", False
        session.add(source)


def _aware(value: datetime) -> datetime:
    from datetime import timezone

    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
