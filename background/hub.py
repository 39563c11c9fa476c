"""Live Copernicus updates: one watcher per process, fanned out to every subscriber in it.

The watcher reads the change feed (``storage.copernicus.changes``, with an overlap window, and
``version`` to skip what it has seen) and then the requests that moved, by primary key, so a
change made by any replica reaches subscribers on every replica, with one read of the feed per
interval however many subscribers there are. It only reads while someone listens.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections import OrderedDict, defaultdict
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

from bson import ObjectId

from storage.copernicus import changes, jobs
from storage.models import CopernicusRequest
from storage.mongo import Database

log = logging.getLogger(__name__)
OVERLAP = timedelta(seconds=5)
QUEUE_LIMIT = 1000
PAGE = 1000
PRUNE_EVERY = 30.0  # seconds


MAX_SEEN = 10_000  # requests whose latest version this process remembers
READ_AT_ONCE = 50  # requests read side by side when the feed says they moved


class RequestHub:
    def __init__(self, db: Database, interval: float, max_seen: int = MAX_SEEN) -> None:
        self.db = db
        self.interval = interval
        self._by_request: dict[ObjectId, set[asyncio.Queue[CopernicusRequest]]] = defaultdict(set)
        self._by_owner: dict[ObjectId, set[asyncio.Queue[CopernicusRequest]]] = defaultdict(set)
        # Oldest first, bounded: forgetting a request only means its next change is read again.
        self._versions: OrderedDict[ObjectId, int] = OrderedDict()
        self.max_seen = max_seen
        self._wake = asyncio.Event()

    @property
    def listeners(self) -> int:
        return sum(len(q) for q in self._by_request.values()) + sum(len(q) for q in self._by_owner.values())

    @contextlib.asynccontextmanager
    async def listen(
        self, *, request_id: ObjectId | None = None, owner_id: ObjectId | None = None
    ) -> AsyncIterator[asyncio.Queue[CopernicusRequest]]:
        queue: asyncio.Queue[CopernicusRequest] = asyncio.Queue(QUEUE_LIMIT)
        index = self._by_request if request_id is not None else self._by_owner
        key = request_id if request_id is not None else owner_id
        assert key is not None
        index[key].add(queue)
        self._wake.set()
        try:
            yield queue
        finally:
            index[key].discard(queue)
            if not index[key]:
                del index[key]

    def publish(self, job: CopernicusRequest) -> None:
        if self._versions.get(job.id, -1) >= job.version:
            return
        self._versions[job.id] = job.version
        self._versions.move_to_end(job.id)
        while len(self._versions) > self.max_seen:
            self._versions.popitem(last=False)
        for queue in (*self._by_request.get(job.id, ()), *self._by_owner.get(job.owner_id, ())):
            if queue.full():
                log.warning("subscriber too slow; dropping its oldest update")
                queue.get_nowait()
            queue.put_nowait(job)

    async def watch(self) -> None:
        since = datetime.now(UTC) - OVERLAP
        pruned = -math.inf
        while True:
            if not self.listeners:
                self._wake.clear()
                await self._wake.wait()
                since = datetime.now(UTC) - OVERLAP
            started = datetime.now(UTC)
            try:
                if time.monotonic() - pruned > PRUNE_EVERY:
                    pruned = time.monotonic()
                    await changes.prune(self.db.engine)
                found = await changes.since(self.db.engine, since, PAGE)
                await self._publish_changed(found)
                if len(found) == PAGE and found[-1]["at"] > since:
                    # More changed than one page holds: read on from the last one, at once.
                    since = found[-1]["at"]
                    continue
                since = started - OVERLAP
            except Exception:
                log.exception("watching Copernicus requests failed; retrying")
            await asyncio.sleep(self.interval)

    async def _publish_changed(self, found: list[dict[str, Any]]) -> None:
        """Read each request that moved past what this process has seen (by primary key, side by side)."""
        moved = list({c["request_id"] for c in found if c["version"] > self._versions.get(c["request_id"], -1)})
        for start in range(0, len(moved), READ_AT_ONCE):
            batch = moved[start : start + READ_AT_ONCE]
            for job in await asyncio.gather(*(jobs.get(self.db.engine, i) for i in batch)):
                if job is not None:
                    self.publish(job)
