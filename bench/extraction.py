"""Main-text extraction F1: OpenWatch's clean_html vs plain trafilatura, on the shared benchmarks.

Writes one prediction file per (dataset, extractor) and scores it with
../shared/benchmarks/score_extraction.py (4-token shingle F1, per character for Chinese).
First checks that every feed sample in ../shared/benchmarks/feeds parses or is reported broken.

    .venv/bin/python bench/extraction.py [--datasets article-extraction,zh-news-extraction/cwced,...] [--out DIR]
"""
from __future__ import annotations

import argparse
import gzip
import json
import lzma
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT.parent / "shared" / "benchmarks"


def read_pages(dataset: Path) -> dict[str, bytes]:
    pages = {}
    for path in sorted((dataset / "html").iterdir()):
        data = path.read_bytes()
        unpack = {".gz": gzip.decompress, ".xz": lzma.decompress}.get(path.suffix, bytes)
        pages[path.name.split(".")[0]] = unpack(data)
    return pages


def plain_trafilatura(body: bytes) -> str:
    import trafilatura

    return trafilatura.extract(body) or ""


def openwatch(body: bytes) -> str:
    from crawler.cleaning import clean_html

    return clean_html(body).text


def score(dataset: Path, predictions: Path) -> str:
    done = subprocess.run([sys.executable, str(BENCH / "score_extraction.py"), str(dataset), "--predictions",
                           str(predictions)], capture_output=True, text=True)
    return done.stdout.strip() or done.stderr.strip()


def check_feeds(folder: Path) -> None:
    """Every feed sample through crawler.feeds.parse_feed: parsed, recovered with a problem, or broken; never a crash."""
    from crawler.feeds import parse_feed

    counts, crashes = {"parsed": 0, "recovered with a reported problem": 0, "reported broken": 0}, []
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in (".xml", ".rdf", ".json", ".rss", ".atom")):
        try:
            feed = parse_feed(path.read_bytes(), {}, path.as_uri())
        except Exception as exc:  # noqa: BLE001 - a crash is what this check counts
            crashes.append(f"{path.relative_to(folder)}: {type(exc).__name__}: {exc}")
            continue
        if feed.problem is None and feed.is_feed:
            counts["parsed"] += 1
        elif feed.entries:
            counts["recovered with a reported problem"] += 1
        else:
            counts["reported broken"] += 1
    total = sum(counts.values()) + len(crashes)
    print(f"== feeds: {total} samples: " + ", ".join(f"{n} {label}" for label, n in counts.items())
          + f", {len(crashes)} crashed")
    for crash in crashes:
        print("   crash:", crash)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default="article-extraction,zh-news-extraction/cwced,zh-news-extraction/gne,"
                                              "zh-news-extraction/twnews")
    parser.add_argument("--out", default=tempfile.mkdtemp(prefix="ow-extraction-"))
    args = parser.parse_args()
    check_feeds(BENCH / "feeds")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name in args.datasets.split(","):
        dataset = BENCH / name
        pages = read_pages(dataset)
        for label, extract in (("plain-trafilatura", plain_trafilatura), ("openwatch", openwatch)):
            started = time.perf_counter()
            predictions = {key: {"articleBody": extract(body)} for key, body in pages.items()}
            elapsed = time.perf_counter() - started
            target = out / f"{name.replace('/', '_')}.{label}.json"
            target.write_text(json.dumps(predictions, ensure_ascii=False), encoding="utf-8")
            print(f"== {name} / {label}: {len(pages)} pages in {elapsed:.1f}s ({target})")
            print(score(dataset, target))


if __name__ == "__main__":
    main()
