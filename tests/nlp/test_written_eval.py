"""The written evaluation set (eval/): the CLI's extraction path (cleaning, headline, extractor) scored
against its gold. Floors a little under the scores of 2026-11-23, so a change that loses claims fails."""
from pathlib import Path

from nlp.scoring import find_articles, load_gold, score
from openwatch.cli.extract import extract_files

GOLD = Path(__file__).resolve().parents[2] / "eval" / "gold.yaml"
FLOORS = {"entities": 0.94, "claims": 0.80, "signals": 0.74}


def _f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def test_the_written_set_keeps_its_scores():
    entries = load_gold(GOLD)
    paths = find_articles(GOLD, entries, None)
    totals, details = score(entries, {p.name: row for p, row in zip(paths, extract_files(paths))})
    for kind, floor in FLOORS.items():
        assert _f1(*totals["totals"][kind]) >= floor, f"{kind}: {details}"
    hits, total = totals["dates"]
    assert hits == total == len(entries)  # every article's date, from datelines in five layouts
