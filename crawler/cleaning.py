"""Pages and plain-text articles to clean text with title, author, publication date and language.

`clean_html` decodes page bytes (crawler.encoding) and extracts the main text and metadata with
trafilatura (dates through htmldate: meta tags, JSON-LD, visible datelines). `clean_text` does
the same for plain-text article files: the header (title, byline, dateline) is read with line
rules, spam and trailer lines are dropped. Both keep the original text and its normalized form.
The publication date is the page's own or None, never the crawl time.
"""
from __future__ import annotations

import html
import re
from copy import copy
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from urllib.parse import urljoin

from crawler import boilerplate
from crawler.datelines import as_aware, contains_date, dateline, is_source_line, is_update, parse_iso
from crawler.encoding import decode_html
from crawler.normalize import detect_language

MAX_HEADER_LINES = 12
DATELINE_AFTER_LEAD = 3  # lines after the header where a dateline is still looked for
MIN_TITLE_CHARS, MAX_TITLE_CHARS = 8, 120
MIN_HEADLINE_CHARS = 30  # a line above the title this long is another headline (or a subtitle), not furniture
_PERSON = re.compile(r"[A-ZÀ-Þ][a-zß-ÿ]+(?: [A-ZÀ-Þ][a-zß-ÿ.]*){1,2}")  # an author's name on its own line ("Léa Fontaine")
SHORT_TEXT_CHARS = 1000  # shorter precision-mode text gets a recall-oriented second pass
SECOND_PASS_GAIN = 2.0  # ... whose text replaces it when it holds this many times more prose
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_DATE_PARAMS = {"extensive_search": True, "original_date": True, "outputformat": "%Y-%m-%dT%H:%M:%S%z"}


@dataclass
class CleanPage:
    title: str | None
    author: str | None
    published_at: datetime | None
    date_origin: str | None  # 'page' when the page states it, None when unknown
    language: str | None
    text: str
    norm_text: str
    encoding: str | None = None
    canonical: str | None = None  # <link rel="canonical">, absolute


def _is_paragraph(s: str) -> bool:
    """Long, or a sentence: ending in a full stop, also inside closing quotes (a headline that ends with a
    quotation, `坦言「站错了历史的一边」`, has no full stop before its quote mark)."""
    return len(s) >= 100 or (len(s) >= 30 and s.rstrip("」”\"’')")[-1:] in "。.!?！？")


def _is_title(s: str, *, ending_stop: bool = False) -> bool:
    """A headline: title-long, no byline, furniture or menu; `ending_stop` also admits a final full stop
    ("… Read the license first."; a Chinese headline never ends with 。)."""
    return (MIN_TITLE_CHARS <= len(s) <= MAX_TITLE_CHARS and (ending_stop or s[-1:] != ".") and s[-1:] not in "。,,:"
            and not _PERSON.fullmatch(s) and not boilerplate.is_byline(s) and not boilerplate.is_furniture(s)
            and not boilerplate.is_menu(s))


def _read_header(lines: list[str], simple: list[str]) -> tuple[str | None, str | None, tuple | None, set[int]]:
    """(title, author, (date, time) of the dateline, indexes of the header's lines to drop).

    The header runs to the first paragraph; the dateline may come later, after a headline that reads
    like a sentence, a standfirst or a lead paragraph ("【导读】…。" then "2025年06月27日 18:02"), but
    before the third paragraph; "Updated: …" gives way to another dateline. The title is then the nearest
    headline above the dateline, else the first below it, else the header's longest. Without a dateline
    in the header, a source line anywhere ("来源:钛媒体 2025-07-14 21:40") dates the page, else the first
    dateline with a time of day (a footer's "2025年02月26日 08:30 新浪科技")."""
    paragraphs = [i for i, s in enumerate(simple) if _is_paragraph(s)]
    body = min(paragraphs[0] if paragraphs else len(simple), MAX_HEADER_LINES)
    date_limit = min(max(body + DATELINE_AFTER_LEAD, paragraphs[2] if len(paragraphs) > 2 else len(simple)),
                     MAX_HEADER_LINES + DATELINE_AFTER_LEAD)
    dated = [i for i, s in enumerate(simple[:date_limit]) if dateline(s)]
    date_at = next((i for i in dated if not is_update(simple[i])), dated[0] if dated else None)
    title_at = None
    if date_at is not None:
        above = [i for i in range(date_at - 1, -1, -1) if i not in dated]
        title_at = next((i for i in above if _is_title(simple[i])), None)
        if title_at is None:
            title_at = next((i for i in above if _is_title(simple[i], ending_stop=True)), None)
    if title_at is None and date_at is not None:  # "date / headline": the first headline below it
        title_at = next((i for i in range(date_at + 1, body) if _is_title(simple[i]) and i not in dated), None)
    if title_at is None:
        title_at = max((i for i, s in enumerate(simple[:body]) if _is_title(s) and i not in dated),
                       key=lambda i: len(simple[i]), default=None)
    top = max(body, (title_at or 0) + 1, (date_at or 0) + 1)
    drop = {i for i, s in enumerate(simple[:top]) if boilerplate.is_byline(s) or boilerplate.is_furniture(s)}
    author = next(filter(None, (boilerplate.author_of(simple[i]) for i in sorted(drop))), None)
    if title_at is not None:  # site name, section, breadcrumb above the title; a headline-long line stays
        drop.update(i for i in range(title_at + 1)
                    if i == title_at or len(simple[i]) < MIN_HEADLINE_CHARS or boilerplate.is_menu(simple[i]))
    if date_at is not None:
        drop.update(dated)
        if title_at is not None and title_at < date_at:
            between = [i for i in range(title_at + 1, date_at)
                       if len(simple[i]) <= boilerplate.MAX_BYLINE_CHARS or boilerplate.is_byline(simple[i])]
            drop.update(between)  # the author line of "title / author / date" layouts
            names = [i for i in between if not boilerplate.is_menu(simple[i]) and i not in dated]
            if author is None and names:
                author = lines[names[-1]]
    else:  # a source line, else a time stamp ("2025年02月26日 08:30  新浪科技" in the footer)
        date_at = next((i for i, s in enumerate(simple) if is_source_line(s) and dateline(s)),
                       next((i for i, s in enumerate(simple) if (found := dateline(s)) and found[1] is not None), None))
    title = html.unescape(lines[title_at]) if title_at is not None else None
    return title, author, dateline(simple[date_at]) if date_at is not None else None, drop


def _join(kept: list[tuple[str, str]]) -> tuple[str, str]:
    """(text, normalized text) of strip_boilerplate's line pairs."""
    return "\n".join(line for line, _ in kept), "\n".join(simple for _, simple in kept)


def clean_text(text: str) -> CleanPage:
    """A plain-text article (title line, spam header, byline, dateline, body, trailer) cleaned."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    simple = [boilerplate.simplified(line) for line in lines]
    lines, simple = zip(*[(line, s) for line, s in zip(lines, simple) if not boilerplate.is_spam(s)]) or ((), ())
    title, author, found_date, drop = _read_header(list(lines), list(simple))
    body, norm_body = _join(boilerplate.strip_boilerplate([line for i, line in enumerate(lines) if i not in drop]))
    language = detect_language(body)
    published = as_aware(*found_date, language) if found_date else None
    return CleanPage(title=title, author=author, published_at=published, date_origin="page" if published else None,
                     language=language, text=body, norm_text=norm_body)


def _meta_author(tree) -> str | None:
    """The author meta tag; trafilatura discards non-Latin author names such as 王小明."""
    found = tree.xpath('//meta[@name="author" or @property="article:author"]/@content')
    return next((a.strip() for a in found if a.strip() and not a.startswith("http")), None)


def _canonical_link(tree, url: str | None) -> str | None:
    """The page's <link rel="canonical">, made absolute against its <base href> and URL."""
    href = next((h.strip() for h in tree.xpath('//link[@rel="canonical"]/@href') if h.strip()), None)
    if href is None:
        return None
    base = next((b.strip() for b in tree.xpath("//base/@href") if b.strip()), "")
    return urljoin(urljoin(url or "", base), href)


def _parse(markup: str):
    """The page's lxml tree, None when there is no markup. trafilatura's loader rejects a page that
    starts without an <html> tag and parses to a single element as "not HTML"; browsers render
    such pages (fragments, pages wrapped in a custom element), so they are parsed as documents."""
    import trafilatura
    from lxml.etree import ParserError
    from lxml.html import document_fromstring
    from trafilatura.utils import HTML_PARSER

    tree = trafilatura.load_html(markup)
    if tree is None and markup.strip():
        try:
            tree = document_fromstring(markup, parser=HTML_PARSER)
        except (ParserError, ValueError):
            return None
    return tree


def _metadata(tree, url: str | None):
    """Title, author, language and date as trafilatura's extract_metadata finds them (the same steps
    in the same order), without the fields OpenWatch does not keep: site name, host name,
    categories, tags and licence cost about a third of it."""
    from htmldate import find_date
    from trafilatura.metadata import examine_meta, extract_author, extract_meta_json, extract_title, extract_url

    meta = examine_meta(tree)
    if meta.author and " " not in meta.author:
        meta.author = None
    try:
        meta = extract_meta_json(tree, meta)
    except Exception:  # noqa: BLE001 - as trafilatura: its JSON-LD reader fails on odd markup
        pass
    meta.title = meta.title or extract_title(tree)
    meta.author = meta.author or extract_author(tree)
    meta.url = meta.url or extract_url(tree, url)
    meta.date = find_date(tree, **_DATE_PARAMS, url=meta.url)
    meta.clean_and_trim()
    return meta


def _is_layout_table(table) -> bool:
    """Readability's test: a table that lays out page parts (nav, article, sidebars) rather than holding data."""
    if table.get("role") == "presentation" or table.get("datatable") == "0":
        return True
    if table.get("summary") or table.xpath("caption[normalize-space()]|.//col|.//colgroup|.//thead|.//tfoot|.//th"):
        return False
    if table.xpath(".//table"):
        return True
    rows = table.xpath("tr|*/tr")
    columns = max((sum(int(c) if c.isdigit() else 1 for c in row.xpath("td/@colspan|th/@colspan")) +
                   len(row.xpath("td[not(@colspan)]|th[not(@colspan)]")) for row in rows), default=0)
    if len(rows) == 1 or columns == 1:
        return True
    return len(rows) < 10 and columns <= 4 and len(rows) * columns <= 10


def _unwrap_layout_tables(tree) -> None:
    """Layout tables become divs, so the extractor weighs their cells (navigation, article,
    sidebars) as page sections instead of keeping the whole table as one data table."""
    for table in [t for t in tree.iter("table") if _is_layout_table(t)]:  # all judged before any is changed
        for element in [table, *table.xpath("tr|*[not(self::caption)]|*/tr|tr/td|tr/th|*/tr/td|*/tr/th")]:
            element.tag = "div"


def _between(tree, first, second) -> tuple[str, list]:
    """The text and the elements that come after `first` ends and before `second` starts."""
    order = {element: i for i, element in enumerate(tree.iter())}
    end = max(order[element] for element in first.iter())
    enclosing = set(second.iterancestors())
    elements = [e for e in tree.iter() if end < order[e] < order[second]]
    texts = [first.tail] + [t for e in elements for t in (e.text, None if e in enclosing else e.tail)]
    return " ".join(t.strip() for t in texts if t and t.strip()), elements


def _reunite_split_body(tree) -> None:
    """trafilatura keeps the first element its article-body XPaths find; an article split into
    several containers of the same class (an ad row between its parts) lost every part after the
    first. A later part joins the first when nothing between them starts another entry (a
    heading or a date, as between the posts of a blog's front page)."""
    from trafilatura.xpaths import BODY_XPATH

    found = next((hits for hits in (expr(tree) for expr in BODY_XPATH) if hits), [])
    first, previous = found[0] if found else None, None
    for part in found[1:]:
        if part.tag != first.tag or part.get("class") != first.get("class") or first in part.iterancestors():
            continue
        text, elements = _between(tree, previous if previous is not None else first, part)
        if contains_date(text) or any(e.tag in _HEADINGS for e in elements):
            return
        previous = part
        if part.tail and part.tail.strip():  # the text after the part stays where it was
            before = part.getprevious()
            if before is not None:
                before.tail = (before.tail or "") + part.tail
            else:
                part.getparent().text = (part.getparent().text or "") + part.tail
        part.tail = None
        first.append(part)


@lru_cache(maxsize=2)
def _precision_options(fast: bool):
    from trafilatura.settings import Extractor

    return Extractor(output_format="python", precision=True, comments=False, fast=fast)


def _options_for(url: str | None, fast: bool):
    """The main pass's trafilatura options for this page: built once and copied (building them reads
    trafilatura's config file settings again, 0.15 ms a page)."""
    options = copy(_precision_options(fast))
    options.url = options.source = url
    return options


def _main_pass(tree, url: str | None) -> str:
    """The body in precision mode. Without the fallback extractors (readability, jusText) first: when that
    already holds SHORT_TEXT_CHARS of prose, their comparison changed no page of the English and Chinese
    benchmarks (not one even from 800 characters; see bench/extraction.py) and cost a quarter to a third
    of the extraction time. Shorter results get the whole cascade."""
    import trafilatura

    doc = trafilatura.bare_extraction(tree, options=_options_for(url, fast=True))
    text = (doc.text or "") if doc is not None else ""
    if _prose_chars(text) >= SHORT_TEXT_CHARS:
        return text
    doc = trafilatura.bare_extraction(tree, options=_options_for(url, fast=False))
    return (doc.text or "") if doc is not None else ""


def _second_pass(tree, first: str) -> str:
    """Precision mode sometimes keeps only a fragment of the body (a lead paragraph, a caption):
    when a recall-oriented pass finds several times more prose, that text is the body."""
    import trafilatura

    again = trafilatura.extract(tree, include_comments=False, favor_recall=True) or ""
    return again if _prose_chars(again) >= SECOND_PASS_GAIN * max(_prose_chars(first), 1) else first


def _prose_chars(text: str) -> int:
    """How much of a text reads as article prose (a link list can be long and hold none)."""
    return sum(len(line) for line in map(str.strip, text.splitlines()) if boilerplate.is_prose(line))


def clean_html(body: bytes, url: str | None = None, headers: dict | None = None) -> CleanPage:
    """A fetched page: decoded, main text and metadata extracted, furniture lines dropped."""
    markup, encoding = decode_html(body, headers)
    tree = _parse(markup)
    if tree is None:
        return CleanPage(None, None, None, None, None, "", "", encoding)
    meta_author, canonical = _meta_author(tree), _canonical_link(tree, url)
    _unwrap_layout_tables(tree)
    _reunite_split_body(tree)
    meta = _metadata(tree, url)
    raw = _main_pass(tree, url)
    if len(raw) < SHORT_TEXT_CHARS:
        raw = _second_pass(tree, raw)
    text, norm_text = _join(boilerplate.strip_boilerplate(raw.splitlines()))
    language = detect_language(text) or meta.language
    published = parse_iso(meta.date, language)
    return CleanPage(title=meta.title, author=meta.author or meta_author, published_at=published,
                     date_origin="page" if published else None, language=language,
                     text=text, norm_text=norm_text, encoding=encoding, canonical=canonical)
