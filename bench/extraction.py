"""Main-text extraction F1: OpenWatch's clean_html vs plain trafilatura, on the shared benchmarks.

Writes one prediction file per (dataset, extractor) and scores it with
../shared/benchmarks/score_extraction.py (4-token shingle F1, per character for Chinese).

    .venv/bin/python bench/extraction.py [--datasets article-extraction,zh-news-extraction/cwced] [--out DIR]
"""
from __future__ import annotations

import argparse
import gzip
import json
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
        pages[path.name.split(".")[0]] = gzip.decompress(data) if path.suffix == ".gz" else data
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default="article-extraction,zh-news-extraction/cwced")
    parser.add_argument("--out", default=tempfile.mkdtemp(prefix="ow-extraction-"))
    args = parser.parse_args()
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
