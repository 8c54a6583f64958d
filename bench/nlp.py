"""Benchmark: full extraction vs bare jieba segmentation over the same texts, in one run.

    .venv/bin/python bench/nlp.py [--mb 1.0] [--n-process 1] [--repeat 3]

Corpus: the seed articles (../shared/seeds) and the demo site's articles (zh, zh-Hant, en),
normalized, repeated until the corpus holds at least --mb megabytes of text. Prints
articles/s and characters/s for (a) `nlp.extract.iter_extractions` (the whole pipeline: entity
matching, sentence splitting, literal gates, spaCy on candidate sentences, claims, signals)
and (b) `jieba.lcut` of every text, their ratio, and peak memory (tracemalloc) at two corpus
sizes so that flatness in the corpus size is visible (results are consumed as they stream out,
as `extract_pending` stores them batch by batch). The two runs alternate `--repeat` times and
the fastest of each counts (as `timeit` does: slower runs measure the other work on the machine).
"""
from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def corpus_texts() -> list[str]:
    from crawler.cleaning import clean_text

    files = sorted((ROOT.parent / "shared" / "seeds").glob("*.txt"))
    files += sorted((ROOT / "openwatch" / "demo" / "site" / "articles").glob("*.txt"))
    return [clean_text(p.read_text(encoding="utf-8")).norm_text for p in files]


def repeat(texts: list[str], megabytes: float) -> list[str]:
    out, size = [], 0
    while size < megabytes * 1_000_000:
        for t in texts:
            out.append(t)
            size += len(t.encode("utf-8"))
    return out


def timed(fn, texts) -> tuple[float, float]:
    """Wall-clock and CPU seconds (CPU time is steadier on a machine shared with other work)."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn(texts)
    return time.perf_counter() - wall, time.process_time() - cpu


def peak_mb(fn, texts) -> float:
    tracemalloc.start()
    fn(texts)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 1e6


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=1.0)
    ap.add_argument("--n-process", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    import jieba

    from nlp import load_pipeline
    from nlp.extract import iter_extractions

    nlp = load_pipeline()
    base = corpus_texts()
    texts = repeat(base, args.mb)
    chars = sum(map(len, texts))
    langs = sum(1 for t in base if sum(c.isascii() for c in t) > 0.8 * len(t))
    print(f"corpus: {len(texts)} articles, {chars:,} characters, {sum(len(t.encode()) for t in texts):,} bytes "
          f"({len(base)} distinct, {langs} English)")

    def pipeline(ts):
        for _ in iter_extractions(ts, normalized=True, nlp=nlp, n_process=args.n_process):
            pass

    def segment(ts):
        for t in ts:
            jieba.lcut(t)

    jieba.lcut(base[0])  # load the dictionary outside the timings
    runs = [(timed(pipeline, texts), timed(segment, texts)) for _ in range(args.repeat)]
    (t_pipe, cpu_pipe), (t_jieba, cpu_jieba) = (tuple(map(min, zip(*(run[k] for run in runs)))) for k in (0, 1))
    for name, t, cpu in (("pipeline", t_pipe, cpu_pipe), ("jieba.lcut", t_jieba, cpu_jieba)):
        print(f"{name:11s} {len(texts) / t:8.1f} articles/s {chars / t:12,.0f} chars/s  ({t:.2f} s wall, {cpu:.2f} s CPU)")
    print(f"ratio pipeline/jieba (throughput): {t_jieba / t_pipe:.2f} wall-clock, {cpu_jieba / cpu_pipe:.2f} CPU time"
          + (" (CPU time of this process only: n_process > 1 works in children)" if args.n_process > 1 else ""))
    half, full = texts[: len(texts) // 4], texts
    print(f"peak memory (tracemalloc): {peak_mb(pipeline, half):.1f} MB on {len(half)} articles, "
          f"{peak_mb(pipeline, full):.1f} MB on {len(full)} articles")


if __name__ == "__main__":
    main()
