"""The demo gold file agrees with the site and the signal taxonomy; the default sources import."""
from __future__ import annotations

from importlib import resources

import pytest
import yaml

from openwatch.demo.site import SITE_DIR, load_site
from storage.models import STANCES

SITE = load_site()
GOLD = yaml.safe_load((SITE_DIR.parent / "gold.yaml").read_text(encoding="utf-8"))
SECTION_LANGUAGE = {key: spec["language"] for key, spec in SITE.sections.items()}


def names(entry: dict) -> set[str]:
    return {alias for field in ("orgs", "models", "optional") for name in entry[field] for alias in name.split("|")}


def test_gold_covers_every_article_once_with_its_language_and_date():
    by_file = {a.file: a for a in SITE.articles}
    assert sorted(e["article"] for e in GOLD) == sorted(by_file)
    for entry in GOLD:
        article = by_file[entry["article"]]
        assert entry["language"] == SECTION_LANGUAGE[article.section]
        assert entry["published"] == article.published.date()


def test_gold_claims_and_signals_name_listed_subjects_with_known_ids(shared_dir):
    taxonomy = yaml.safe_load((shared_dir / "reference" / "openwashing-signals.yaml").read_text(encoding="utf-8"))
    signal_ids = {s["id"] for s in taxonomy["signals"]}
    stances, signals = set(), set()
    for entry in GOLD:
        known = names(entry)
        for claim in entry["claims"]:
            assert claim["subject"] in known, (entry["article"], claim)
            assert claim["stance"] in STANCES
            stances.add(claim["stance"])
        pairs = [(s["subject"], s["signal"]) for s in entry["signals"]]
        assert len(pairs) == len(set(pairs)), entry["article"]
        for subject, signal in pairs:
            assert subject in known and signal in signal_ids, (entry["article"], subject, signal)
            signals.add(signal)
    assert stances == set(STANCES)
    assert len(signals) >= 10  # the demo exercises nearly the whole taxonomy


@pytest.mark.parametrize("entry", GOLD, ids=lambda e: e["article"])
def test_gold_subjects_occur_in_the_article_text(entry):
    from crawler.normalize import normalize

    article = next(a for a in SITE.articles if a.file == entry["article"])
    text = normalize(" ".join((article.title, *article.paragraphs))).casefold()
    subjects = {c["subject"] for c in entry["claims"]} | {s["subject"] for s in entry["signals"]}
    for subject in subjects:
        aliases = next(n for f in ("orgs", "models", "optional") for n in entry[f] if subject in n.split("|"))
        assert any(normalize(alias).casefold() in text for alias in aliases.split("|")), subject


def test_default_sources_are_valid_and_cover_three_languages(sqlite_url):
    from storage.sources import import_sources, list_sources, read_source_file, validate

    path = resources.files("openwatch") / "default_sources.yaml"
    rows = read_source_file(path)
    assert all(validate(row)["url"].startswith("https://") for row in rows)
    assert {row["language"] for row in rows} == {"en", "zh", "zh-Hant"}
    assert import_sources(path) == (len(rows), 0)
    assert import_sources(path) == (0, len(rows))
    assert len(list_sources()) == len(rows)
