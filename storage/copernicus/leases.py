"""Leases on Copernicus requests: one small document per held request, ``{_id: request id, owner,
until}``. Taking one is an insert, which exactly one replica can win (the primary key decides);
on FerretDB a conditional update lets two."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bson import ObjectId
from odmantic import AIOEngine
from pymongo.errors import PyMongoError

from storage import guards
from storage.mongo import is_duplicate_key

LEASES = "copernicus_leases"


def _leases(engine: AIOEngine) -> Any:
    return engine.database[LEASES]


async def take(engine: AIOEngine, request_id: ObjectId, owner: str, now: datetime, lease: timedelta) -> bool:
    """True when ``owner`` now holds the request: it was free, or its lease had lapsed."""
    for _ in range(2):
        try:
            await _leases(engine).insert_one({"_id": request_id, "owner": owner, "until": now + lease})
            return True
        except PyMongoError as error:
            if not is_duplicate_key(error):
                raise
        held = await _leases(engine).find_one({"_id": request_id})
        if held is not None and held["until"] >= now:
            return False
        if held is not None:
            # Its holder died or stalled past the lease: remove exactly that lease, then race for it.
            await guards.remove_lapsed(_leases(engine), held, "owner", "until")
    return False


async def holds(engine: AIOEngine, request_id: ObjectId, owner: str) -> bool:
    held = await _leases(engine).find_one({"_id": request_id})
    return held is not None and held["owner"] == owner


async def release(engine: AIOEngine, request_id: ObjectId, owner: str) -> None:
    if await holds(engine, request_id, owner):
        await _leases(engine).delete_one({"_id": request_id})


async def extend(engine: AIOEngine, request_id: ObjectId, owner: str, until: datetime) -> bool:
    if not await holds(engine, request_id, owner):
        return False
    await _leases(engine).update_one({"_id": request_id}, {"$set": {"until": until}})
    return True


async def release_all(engine: AIOEngine, owner: str) -> None:
    """Hand every lease of this worker back at once (shutdown), so another replica takes over."""
    await _leases(engine).delete_many({"owner": owner})
