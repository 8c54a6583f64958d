"""The scheduler's request queue: in memory while short, spilling to disk when a source queues many pages.

Scrapy keeps pending requests in memory (about 1.7 KB each: 24,000 queued feed entries took 40 MB) or,
with JOBDIR, pickles every one of them to disk (a quarter more CPU per page in `bench/crawl.py`, as
each queue that runs empty is closed and its files deleted). This queue keeps the first
OPENWATCH_FRONTIER_IN_MEMORY requests in memory and pickles only those beyond, so memory stays
flat however many pages a source lists, and a feed of usual size never touches the disk.
crawler.run gives each crawl a JOBDIR, the folder the disk part lives in (SCHEDULER_DISK_QUEUE).
"""
from __future__ import annotations

from collections import deque

from scrapy.squeues import PickleFifoDiskQueue


class SpillingFifoQueue:
    """First in, first out: requests in memory up to a limit; once it is reached, every later request goes
    to a disk queue (created then, removed when it runs empty) until that has been drained, so the order
    holds: whatever is in memory was pushed before whatever is on disk."""

    def __init__(self, crawler, key: str, limit: int):
        self.crawler, self.key, self.limit = crawler, key, limit
        self.memory: deque = deque()
        self.disk = None

    @classmethod
    def from_crawler(cls, crawler, key: str, *args, **kwargs) -> "SpillingFifoQueue":
        return cls(crawler, key, crawler.settings.getint("OPENWATCH_FRONTIER_IN_MEMORY"))

    def push(self, request) -> None:
        if self.disk is None and len(self.memory) < self.limit:
            self.memory.append(request)
            return
        if self.disk is None:
            self.disk = PickleFifoDiskQueue.from_crawler(self.crawler, self.key)
        self.disk.push(request)  # ValueError for a request that cannot be pickled: Scrapy then queues it in memory

    def pop(self):
        if self.memory:
            return self.memory.popleft()
        if self.disk is None:
            return None
        request = self.disk.pop()
        if not len(self.disk):
            self.disk.close()
            self.disk = None
        return request

    def peek(self):
        if self.memory:
            return self.memory[0]
        return self.disk.peek() if self.disk is not None else None

    def close(self) -> None:
        if self.disk is not None:
            self.disk.close()
            self.disk = None

    def __len__(self) -> int:
        return len(self.memory) + (len(self.disk) if self.disk is not None else 0)
