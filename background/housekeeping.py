"""Housekeeping, in every replica: abort abandoned uploads, mark expired shares, drop old change-feed
entries. Each step is idempotent, so replicas need no lease to run it side by side; each fails
alone (logged, counted in ``/metrics``) and is tried again next round, so one broken chore never
starves the others."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta

from prometheus_client import Counter

from resolvers import shares, transfers
from storage.blobs import BlobStore
from storage.copernicus import changes
from storage.mongo import Database

log = logging.getLogger(__name__)

FAILURES = Counter("strata_housekeeping_failures_total", "Housekeeping chores that failed, by chore", ["chore"])

Chore = tuple[str, Callable[[], Awaitable[int]]]


async def run_once(chores: Sequence[Chore]) -> dict[str, int | None]:
    """Each chore in turn, whatever the others did: what each did, None for one that failed."""
    done: dict[str, int | None] = {}
    for name, chore in chores:
        try:
            done[name] = await chore()
        except Exception:
            log.exception("housekeeping: %s failed; trying again next round", name)
            FAILURES.labels(name).inc()
            done[name] = None
    return done


def chores(db: Database, blobs: BlobStore, clock: Callable[[], datetime], idle: timedelta) -> list[Chore]:
    async def prune() -> int:
        await changes.prune(db.engine)  # also when nobody has listened for a while
        return 0

    return [
        ("abandoned uploads", lambda: transfers.sweep_abandoned(db, blobs, idle)),
        ("expired shares", lambda: shares.expire_due(db, clock())),
        ("change feed", prune),
    ]


async def sweep_forever(
    db: Database, blobs: BlobStore, clock: Callable[[], datetime], idle: timedelta, interval: float
) -> None:
    every = chores(db, blobs, clock, idle)
    while True:
        done = await run_once(every)
        if done.get("abandoned uploads") or done.get("expired shares"):
            log.info(
                "aborted %s abandoned uploads, marked %s shares expired",
                done["abandoned uploads"],
                done["expired shares"],
            )
        await asyncio.sleep(interval)
