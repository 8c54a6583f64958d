"""The scheduler queue that keeps a bounded number of requests in memory and spills the rest to disk."""
from __future__ import annotations

from scrapy import Request
from scrapy.utils.test import get_crawler

from crawler.queues import SpillingFifoQueue


def queue(tmp_path, limit: int) -> SpillingFifoQueue:
    crawler = get_crawler(settings_dict={"OPENWATCH_FRONTIER_IN_MEMORY": limit})
    return SpillingFifoQueue.from_crawler(crawler, str(tmp_path / "q"))


def urls(n: int, start: int = 0) -> list[str]:
    return [f"http://example.org/a/{i}.html" for i in range(start, start + n)]


def test_first_in_first_out_across_memory_and_disk(tmp_path):
    q = queue(tmp_path, limit=3)
    for url in urls(10):
        q.push(Request(url, meta={"entry": {"title": url}}))
    assert len(q) == 10 and len(q.memory) == 3 and (tmp_path / "q").is_dir()
    first = [q.pop().url for _ in range(5)]
    for url in urls(4, start=10):  # pushed while the disk part is not drained: behind it, also on disk
        q.push(Request(url))
    assert len(q.memory) == 0 and q.peek().url == urls(10)[5]
    rest = [q.pop().url for _ in range(9)]
    assert first + rest == urls(14)
    assert q.pop() is None and len(q) == 0
    assert not (tmp_path / "q").exists()  # the drained disk queue is removed


def test_requests_come_back_whole_from_disk(tmp_path):
    q = queue(tmp_path, limit=0)
    q.push(Request("http://example.org/x.html", meta={"article": True, "entry": {"title": "T", "author": None}},
                   headers={"If-None-Match": '"v1"'}, priority=-1))
    request = q.pop()
    assert request.meta == {"article": True, "entry": {"title": "T", "author": None}}
    assert request.headers["If-None-Match"] == b'"v1"' and request.priority == -1


def test_a_short_queue_stays_in_memory(tmp_path):
    q = queue(tmp_path, limit=100)
    for url in urls(50):
        q.push(Request(url))
    assert len(q.memory) == 50 and q.disk is None and not (tmp_path / "q").exists()
    q.close()
