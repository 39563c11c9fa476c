"""Which request stands for a fingerprint in an organisation: one small document per pair, keyed
``<organisation>:<fingerprint>``, so a lookup is one primary-key read and two identical requests
sent at once are told apart by the primary key."""

from __future__ import annotations

from typing import Any

from bson import ObjectId
from odmantic import AIOEngine
from pymongo.errors import PyMongoError

from storage.mongo import is_duplicate_key

FINGERPRINTS = "copernicus_fingerprints"


def _fingerprints(engine: AIOEngine) -> Any:
    return engine.database[FINGERPRINTS]


async def take(engine: AIOEngine, key: str, request_id: ObjectId) -> bool:
    """Make ``request_id`` the organisation's request for this fingerprint, unless it already has
    one: the primary key lets exactly one of two identical submissions through."""
    try:
        await _fingerprints(engine).insert_one({"_id": key, "request_id": request_id})
    except PyMongoError as error:
        if not is_duplicate_key(error):
            raise
        return False
    return True


async def holder(engine: AIOEngine, key: str) -> ObjectId | None:
    found = await _fingerprints(engine).find_one({"_id": key})
    return found["request_id"] if found else None


async def pass_on(engine: AIOEngine, key: str, request_id: ObjectId) -> None:
    """The earlier request ended without a usable result: a new one stands for the fingerprint."""
    await _fingerprints(engine).update_one({"_id": key}, {"$set": {"request_id": request_id}})
