"""`openwatch sources list|add|remove|import`: the feeds, sitemaps and site sections to crawl."""
from __future__ import annotations

from pathlib import Path
from typing import Optional
from urllib.parse import urlsplit

import typer

from openwatch.cli.common import UserError, console

app = typer.Typer(help="Manage the sources to crawl: feeds, sitemaps and site sections.", no_args_is_help=True)


def _ready() -> None:
    from storage.db import DatabaseError, upgrade

    try:
        upgrade()
    except DatabaseError as exc:
        raise UserError(f"{exc}. Check OPENWATCH_DATABASE_URL.") from exc


@app.command("list")
def list_() -> None:
    """List sources with their health.

    Example: openwatch sources list
    """
    from rich.table import Table

    from storage.sources import list_sources

    _ready()
    table = Table("name", "kind", "url", "enabled", "health", "last success", "last new article", "last error")
    for s in list_sources():
        when = lambda d: d.strftime("%Y-%m-%d %H:%M") if d else "-"  # noqa: E731
        table.add_row(s.name, s.kind, s.url, "yes" if s.enabled else "no", s.health, when(s.last_success_at),
                      when(s.last_new_article_at), (s.last_error or "")[:80])
    console.print(table)


@app.command()
def add(url: str = typer.Argument(..., help="Feed, sitemap or home/section page URL."),
        name: Optional[str] = typer.Option(None, help="Source name (default: the host name)."),
        kind: Optional[str] = typer.Option(None, help="rss | atom | sitemap | site; given, the URL is not probed."),
        language: Optional[str] = typer.Option(None, help="Expected language: zh, zh-Hant, en."),
        allow: Optional[list[str]] = typer.Option(None, help="Regex of article URLs to keep (site, sitemap)."),
        deny: Optional[list[str]] = typer.Option(None, help="Regex of URLs to skip."),
        max_depth: int = typer.Option(2, help="Link depth for site sections."),
        all_feeds: bool = typer.Option(False, "--all-feeds", help="Add every feed a page names, not only the first.")) -> None:
    """Add a source. Without --kind the URL is fetched: a feed or sitemap is added as such; a page's
    <link rel="alternate"> feeds are proposed and the first (or, with --all-feeds, each) is added;
    a page without feeds becomes a site section.

    Example: openwatch sources add https://www.example.com/ --name example --language en
    """
    from crawler.discovery import classify, fetch
    from openwatch.config import get_settings
    from storage.sources import SourceError, add_source

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UserError(f"{url!r} is not an http(s) URL; example: https://www.example.com/feed")
    _ready()
    name = name or parts.hostname
    specs = []
    if kind:
        specs.append({"name": name, "kind": kind, "url": url})
    else:
        try:
            probe = classify(url, *fetch(url, get_settings().user_agent))
        except OSError as exc:
            raise UserError(f"cannot fetch {url}: {exc}; give --kind to add it without checking") from exc
        if probe.feeds:
            console.print(f"{url} names {len(probe.feeds)} feed(s):")
            for feed_url, feed_kind, title in probe.feeds:
                console.print(f"  {feed_kind:5} {feed_url}  {title or ''}")
            chosen = probe.feeds if all_feeds else probe.feeds[:1]
            specs += [{"name": name if i == 0 else f"{name}-{i + 1}", "kind": k, "url": u}
                      for i, (u, k, _) in enumerate(chosen)]
        else:
            specs.append({"name": name, "kind": probe.kind, "url": url})
    try:
        for spec in specs:
            extra = {"allow": allow or [], "deny": deny or [], "max_depth": max_depth, "language": language}
            source = add_source(**spec, **extra)
            console.print(f"added {source.kind} source {source.name!r}: {source.url}")
    except SourceError as exc:
        raise UserError(str(exc)) from exc


@app.command()
def remove(name: str = typer.Argument(..., help="Source name.")) -> None:
    """Remove a source (its articles stay, without a source).

    Example: openwatch sources remove example
    """
    from storage.sources import SourceError, remove_source

    _ready()
    try:
        remove_source(name)
    except SourceError as exc:
        raise UserError(str(exc)) from exc
    console.print(f"removed source {name!r}")


@app.command("import")
def import_(path: Path = typer.Argument(..., help="YAML (list, or `sources:` list) or CSV with name,kind,url,... columns.")) -> None:
    """Add or update sources from a file; nothing is written if any row is invalid.

    Example: openwatch sources import openwatch/demo/default_sources.yaml
    """
    from storage.sources import SourceError, import_sources

    _ready()
    try:
        added, updated = import_sources(path)
    except SourceError as exc:
        raise UserError(str(exc)) from exc
    console.print(f"{added} source(s) added, {updated} updated from {path}")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="sources")
