"""Housekeeping, in every replica: abort abandoned uploads, mark expired shares, drop old change-feed
entries. Each step is idempotent, so replicas need no lease to run it side by side."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from resolvers import shares, transfers
from storage.blobs import BlobStore
from storage.copernicus import changes
from storage.mongo import Database

log = logging.getLogger(__name__)


async def sweep_forever(
    db: Database, blobs: BlobStore, clock: Callable[[], datetime], idle: timedelta, interval: float
) -> None:
    while True:
        try:
            removed = await transfers.sweep_abandoned(db, blobs, idle)
            expired = await shares.expire_due(db, clock())
            await changes.prune(db.engine)  # also when nobody has listened for a while
            if removed or expired:
                log.info("aborted %d abandoned uploads, marked %d shares expired", removed, expired)
        except Exception:
            log.exception("housekeeping failed; trying again later")
        await asyncio.sleep(interval)
