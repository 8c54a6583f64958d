"""The demo news site: articles from `site/`, rendered to the bytes a real site would serve.

`load_site()` reads `site/site.yaml` and the article texts; `DemoSite.render(base_url)` returns
every URL path with its body bytes and Content-Type. Article pages are encoded as their entry
says (UTF-8, GBK or Big5); legacy-encoded pages get a Content-Type without a charset, as many
older Chinese sites send them. Feeds and the sitemap hold absolute URLs on `base_url` (the
running server); pages declare a stable canonical URL on the site's `canonical_base`.
"""
from __future__ import annotations

import html
import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import format_datetime
from functools import lru_cache
from importlib import resources
from pathlib import Path
from string import Template

import yaml

SITE_DIR = Path(str(resources.files("openwatch.demo") / "site"))
LEGACY_ENCODINGS = ("gbk", "big5")
RELATED_COUNT = 3


@dataclass(frozen=True)
class Resource:
    """What the server sends for one path."""

    body: bytes
    content_type: str
    last_modified: datetime


@dataclass(frozen=True)
class DemoArticle:
    file: str
    path: str
    section: str
    published: datetime
    author: str
    encoding: str
    declared: str
    date_markup: str
    feeds: tuple[str, ...]
    title: str
    dateline: str
    paragraphs: tuple[str, ...]

    @property
    def summary(self) -> str:
        return self.paragraphs[0]


@dataclass(frozen=True)
class Syndicated:
    of: str
    path: str
    query: str
    partner: str


@dataclass(frozen=True)
class DemoSite:
    name: str
    canonical_base: str
    sections: dict[str, dict[str, str]]
    articles: tuple[DemoArticle, ...]
    syndicated: tuple[Syndicated, ...]
    private: dict[str, str]

    def article(self, path: str) -> DemoArticle:
        return next(a for a in self.articles if a.path == path)

    def canonical(self, path: str) -> str:
        return self.canonical_base + path

    def render(self, base_url: str) -> dict[str, Resource]:
        """Every path of the site → its bytes, for a server reachable at `base_url`."""
        return _Renderer(self, base_url.rstrip("/")).render()


def read_article_text(path: Path) -> tuple[str, str, tuple[str, ...]]:
    """Headline, dateline and paragraphs of an article file."""
    head, _, body = path.read_text(encoding="utf-8").partition("\n\n")
    title, dateline = head.strip().split("\n")
    paragraphs = tuple(p.strip() for p in body.split("\n\n") if p.strip())
    return title.strip(), dateline.strip(), paragraphs


@lru_cache(maxsize=4)
def load_site(root: Path = SITE_DIR) -> DemoSite:
    """The site described by `root/site.yaml` and the texts in `root/articles/`."""
    spec = yaml.safe_load((root / "site.yaml").read_text(encoding="utf-8"))
    articles = []
    for entry in spec["articles"]:
        title, dateline, paragraphs = read_article_text(root / "articles" / entry["file"])
        articles.append(DemoArticle(
            file=entry["file"], path=entry["path"], section=entry["path"].split("/")[1],
            published=datetime.fromisoformat(str(entry["published"])), author=entry["author"],
            encoding=entry["encoding"], declared=entry["declared"], date_markup=entry["date_markup"],
            feeds=tuple(entry["feeds"]), title=title, dateline=dateline, paragraphs=paragraphs))
    return DemoSite(
        name=spec["name"], canonical_base=spec["canonical_base"].rstrip("/"), sections=spec["sections"],
        articles=tuple(sorted(articles, key=lambda a: a.published, reverse=True)),
        syndicated=tuple(Syndicated(**s) for s in spec.get("syndicated", [])), private=spec["private"])


@lru_cache(maxsize=8)
def _template(name: str) -> Template:
    return Template((SITE_DIR / "templates" / name).read_text(encoding="utf-8"))


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _charset_tag(encoding: str, declared: str) -> str:
    if declared == "meta":
        return f'<meta charset="{encoding}">'
    if declared == "http-equiv":
        return f'<meta http-equiv="Content-Type" content="text/html; charset={encoding}">'
    return ""


def _html_type(encoding: str) -> str:
    """Legacy pages carry no charset in the header: the client has to find it in or from the bytes."""
    return "text/html" if encoding in LEGACY_ENCODINGS else f"text/html; charset={encoding}"


class _Renderer:
    def __init__(self, site: DemoSite, base_url: str):
        self.site = site
        self.base = base_url
        self.newest = max(a.published for a in site.articles)

    def render(self) -> dict[str, Resource]:
        out: dict[str, Resource] = {}
        for article in self.site.articles:
            out[article.path] = self.article_page(article)
        for copy in self.site.syndicated:
            out[copy.path] = self.syndicated_page(copy)
        for key in self.site.sections:
            out[f"/{key}/"] = self.section_page(key)
        out["/"] = self.home_page()
        out["/about.html"] = self.page("en", "About", "<h1>About</h1><p>Open Watch Daily covers how AI models are "
                                       "released and licensed. This is a demo site.</p>", self.newest)
        out[self.site.private["path"]] = self.page(
            "en", self.site.private["title"],
            f"<article><h1>{_esc(self.site.private['title'])}</h1><p>{_esc(self.site.private['text'])}</p></article>",
            self.newest)
        out["/robots.txt"] = Resource(_template("robots.txt").substitute(base=self.base).encode(),
                                      "text/plain; charset=utf-8", self.newest)
        out["/static/site.css"] = Resource((SITE_DIR / "templates" / "site.css").read_bytes(),
                                           "text/css", self.newest)
        out["/feeds/rss.xml"] = self.rss()
        out["/feeds/atom.xml"] = self.atom()
        out["/sitemap.xml"] = self.sitemap()
        return out

    # -- HTML ---------------------------------------------------------------
    def page(self, section: str, title: str, main: str, modified: datetime, *, head_extra: str = "",
             encoding: str = "utf-8", declared: str = "meta") -> Resource:
        strings = self.site.sections[section]
        text = _template("page.html").substitute(
            html_lang=strings["html_lang"], charset_tag=_charset_tag(encoding, declared), title_text=_esc(title),
            site_name=_esc(self.site.name), head_extra=head_extra, cookie=_esc(strings["cookie"]),
            accept=_esc(strings["accept"]), home=_esc(strings["home"]), ad=_esc(strings["ad"]), main=main,
            footer=_esc(strings["footer"]))
        # like a browser submitting a form: characters outside a legacy charset become &#NNNN; references
        return Resource(text.encode(encoding, errors="xmlcharrefreplace"), _html_type(encoding), modified)

    def date_markup(self, article: DemoArticle, canonical: str) -> str:
        iso = article.published.isoformat()
        if article.date_markup == "meta":
            return f'<meta property="article:published_time" content="{iso}">'
        if article.date_markup == "jsonld":
            data = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": article.title,
                    "datePublished": iso, "author": {"@type": "Person", "name": article.author},
                    "mainEntityOfPage": canonical}
            return f'<script type="application/ld+json">{json.dumps(data, ensure_ascii=False)}</script>'
        return ""

    def article_main(self, article: DemoArticle) -> str:
        strings = self.site.sections[article.section]
        related = [a for a in self.site.articles if a.section == article.section and a is not article]
        time_attr = f' datetime="{article.published.isoformat()}"' if article.date_markup != "none" else ""
        return _template("article.html").substitute(
            home=_esc(strings["home"]), section_path=f"/{article.section}/", section_title=_esc(strings["title"]),
            title=_esc(article.title), time_attr=time_attr, dateline=_esc(article.dateline),
            paragraphs="\n".join(f"  <p>{_esc(p)}</p>" for p in article.paragraphs),
            related=_esc(strings["related"]), comments=_esc(strings["comments"]),
            related_links="\n".join(f'    <li><a href="{a.path}">{_esc(a.title)}</a></li>'
                                    for a in related[:RELATED_COUNT]))

    def article_page(self, article: DemoArticle) -> Resource:
        canonical = self.site.canonical(article.path)
        head = "\n".join(filter(None, [
            f'<link rel="canonical" href="{canonical}">',
            f'<meta property="og:title" content="{_esc(article.title)}">',
            f'<meta name="author" content="{_esc(article.author)}">',
            self.date_markup(article, canonical)]))
        return self.page(article.section, article.title, self.article_main(article), article.published,
                         head_extra=head, encoding=article.encoding, declared=article.declared)

    def syndicated_page(self, copy: Syndicated) -> Resource:
        original = self.site.article(copy.of)
        head = f'<link rel="canonical" href="{self.site.canonical(copy.path)}">'
        main = (f'<p class="syndication">Via {_esc(copy.partner)} · Originally published by '
                f'<a href="{original.path}">{_esc(self.site.name)}</a></p>\n' + self.article_main(original))
        return self.page(original.section, original.title, main, original.published, head_extra=head)

    def listing(self, section: str, heading: str, articles: list[DemoArticle], extra: str = "") -> Resource:
        items = "\n".join(f'<li><a href="{a.path}">{_esc(a.title)}</a> <span class="date">'
                          f'{a.published.date().isoformat()}</span></li>' for a in articles)
        main = _template("listing.html").substitute(heading=_esc(heading), items=items, extra=extra)
        return self.page(section, heading, main, max(a.published for a in articles))

    def section_page(self, key: str) -> Resource:
        return self.listing(key, self.site.sections[key]["title"],
                            [a for a in self.site.articles if a.section == key])

    def home_page(self) -> Resource:
        editors = f'<p class="editors"><a href="{self.site.private["path"]}">Editors\' preview</a></p>'
        return self.listing("en", self.site.name, list(self.site.articles[:6]), extra=editors)

    # -- feeds and sitemap --------------------------------------------------
    def absolute(self, path: str, query: str = "") -> str:
        return self.base + path + (f"?{query}" if query else "")

    def rss(self) -> Resource:
        rss = ET.Element("rss", version="2.0")
        channel = ET.SubElement(rss, "channel")
        for tag, text in (("title", self.site.name), ("link", self.base + "/"),
                          ("description", "AI model openness news in English and Chinese"),
                          ("lastBuildDate", format_datetime(self.newest.astimezone(timezone.utc)))):
            ET.SubElement(channel, tag).text = text
        entries = [(a, self.absolute(a.path)) for a in self.site.articles if "rss" in a.feeds]
        entries += [(self.site.article(c.of), self.absolute(c.path, c.query)) for c in self.site.syndicated]
        for article, link in entries:
            item = ET.SubElement(channel, "item")
            ET.SubElement(item, "title").text = article.title
            ET.SubElement(item, "link").text = link
            ET.SubElement(item, "guid", isPermaLink="true").text = link
            ET.SubElement(item, "pubDate").text = format_datetime(article.published.astimezone(timezone.utc))
            ET.SubElement(item, "description").text = article.summary
        return self.xml(rss, "application/rss+xml; charset=utf-8")

    def atom(self) -> Resource:
        ns = "http://www.w3.org/2005/Atom"
        ET.register_namespace("", ns)
        feed = ET.Element(f"{{{ns}}}feed")
        ET.SubElement(feed, f"{{{ns}}}title").text = self.site.name
        ET.SubElement(feed, f"{{{ns}}}id").text = self.site.canonical("/feeds/atom.xml")
        ET.SubElement(feed, f"{{{ns}}}updated").text = self.newest.isoformat()
        ET.SubElement(feed, f"{{{ns}}}link", rel="self", href=self.absolute("/feeds/atom.xml"))
        for article in (a for a in self.site.articles if "atom" in a.feeds):
            entry = ET.SubElement(feed, f"{{{ns}}}entry")
            ET.SubElement(entry, f"{{{ns}}}title").text = article.title
            ET.SubElement(entry, f"{{{ns}}}id").text = self.site.canonical(article.path)
            ET.SubElement(entry, f"{{{ns}}}link", rel="alternate", href=self.absolute(article.path))
            ET.SubElement(entry, f"{{{ns}}}published").text = article.published.isoformat()
            ET.SubElement(entry, f"{{{ns}}}updated").text = article.published.isoformat()
            ET.SubElement(ET.SubElement(entry, f"{{{ns}}}author"), f"{{{ns}}}name").text = article.author
            ET.SubElement(entry, f"{{{ns}}}summary").text = article.summary
        return self.xml(feed, "application/atom+xml; charset=utf-8")

    def sitemap(self) -> Resource:
        ns = "http://www.sitemaps.org/schemas/sitemap/0.9"
        ET.register_namespace("", ns)
        urlset = ET.Element(f"{{{ns}}}urlset")
        for article in self.site.articles:
            url = ET.SubElement(urlset, f"{{{ns}}}url")
            ET.SubElement(url, f"{{{ns}}}loc").text = self.absolute(article.path)
            ET.SubElement(url, f"{{{ns}}}lastmod").text = article.published.date().isoformat()
        return self.xml(urlset, "application/xml; charset=utf-8")

    def xml(self, root: ET.Element, content_type: str) -> Resource:
        ET.indent(root)
        return Resource(ET.tostring(root, encoding="utf-8", xml_declaration=True), content_type, self.newest)
