"""How CleanPipeline decides where pages are extracted: in-process, or in worker processes."""
from __future__ import annotations

import crawler.pipelines as pipelines


def test_workers_start_after_the_crawls_first_pages_and_never_with_zero():
    try:
        assert [pipelines.extraction_pool(2, after=3) for _ in range(3)] == [None, None, None]
        pool = pipelines.extraction_pool(2, after=3)
        assert pool is not None and pipelines.extraction_pool(2, after=3) is pool
        pipelines.shutdown_extraction_pool()
        assert pipelines.extraction_pool(2, after=1) is None   # the next crawl counts from zero again
        assert all(pipelines.extraction_pool(0, after=0) is None for _ in range(3))
    finally:
        pipelines.shutdown_extraction_pool()

