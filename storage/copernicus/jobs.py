"""Copernicus request documents: leases, transitions with history, lookups for the watchers."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bson import ObjectId
from odmantic import AIOEngine
from pymongo import ReturnDocument
from pymongo.errors import PyMongoError

from storage.models import ACTIVE_REQUEST_STATUSES, CopernicusRequest, RequestStatus
from storage.mongo import is_duplicate_key

ACTIVE = [s.value for s in ACTIVE_REQUEST_STATUSES]


CANCELS = "copernicus_cancels"


def _requests(engine: AIOEngine) -> Any:
    return engine.get_collection(CopernicusRequest)


async def insert(engine: AIOEngine, request: CopernicusRequest) -> None:
    await _requests(engine).insert_one(request.model_dump_doc())


async def get(engine: AIOEngine, request_id: ObjectId) -> CopernicusRequest | None:
    return await engine.find_one(CopernicusRequest, CopernicusRequest.id == request_id)


async def same_request(engine: AIOEngine, organisation_id: ObjectId, fingerprint: str) -> list[CopernicusRequest]:
    """Earlier requests of the organisation with this fingerprint, newest first."""
    return list(
        await engine.find(
            CopernicusRequest,
            {"organisation_id": organisation_id, "fingerprint": fingerprint},
            sort=CopernicusRequest.created_at.desc(),  # type: ignore[attr-defined]
            limit=5,
        )
    )


async def claim(engine: AIOEngine, owner: str, now: datetime, lease: timedelta) -> CopernicusRequest | None:
    """Take one due job whose lease is free or lapsed; other replicas will skip it until the lease ends."""
    document = await _requests(engine).find_one_and_update(
        {
            "status": {"$in": ACTIVE},
            "next_poll_at": {"$lte": now},
            "$or": [{"lease_until": None}, {"lease_until": {"$lt": now}}],
        },
        {"$set": {"lease_owner": owner, "lease_until": now + lease}},
        sort=[("next_poll_at", 1)],
        return_document=ReturnDocument.AFTER,
    )
    return CopernicusRequest.model_validate_doc(document) if document else None


def _due(now: datetime) -> dict[str, Any]:
    return {
        "status": {"$in": ACTIVE},
        "next_poll_at": {"$lte": now},
        "$or": [{"lease_until": None}, {"lease_until": {"$lt": now}}],
    }


async def claim_batch(
    engine: AIOEngine, owner: str, now: datetime, lease: timedelta, limit: int
) -> list[CopernicusRequest]:
    """Take up to ``limit`` due jobs in three commands, whatever the number; a racing worker gets the rest."""
    cursor = _requests(engine).find(_due(now), {"_id": 1}, sort=[("next_poll_at", 1)], limit=limit)
    candidates = [d["_id"] for d in await cursor.to_list(length=limit)]
    if not candidates:
        return []
    await _requests(engine).update_many(
        {"$and": [{"_id": {"$in": candidates}}, _due(now)]},
        {"$set": {"lease_owner": owner, "lease_until": now + lease}},
    )
    mine = _requests(engine).find({"_id": {"$in": candidates}, "lease_owner": owner, "lease_until": now + lease})
    return [CopernicusRequest.model_validate_doc(d) for d in await mine.to_list(length=limit)]


async def reschedule(engine: AIOEngine, ids: list[ObjectId], owner: str, next_poll_at: datetime) -> None:
    """Nothing changed upstream for these: poll again later, and let go of them meanwhile."""
    await _requests(engine).update_many(
        {"_id": {"$in": ids}, "lease_owner": owner},
        {"$set": {"next_poll_at": next_poll_at, "lease_owner": None, "lease_until": None}},
    )


async def renew(engine: AIOEngine, request_id: ObjectId, owner: str, until: datetime) -> bool:
    result = await _requests(engine).update_one(
        {"_id": request_id, "lease_owner": owner}, {"$set": {"lease_until": until}}
    )
    return bool(result.modified_count)


async def release_all(engine: AIOEngine, owner: str) -> None:
    """Hand every lease of this worker back at once (shutdown), so another replica takes over."""
    await _requests(engine).update_many({"lease_owner": owner}, {"$set": {"lease_owner": None, "lease_until": None}})


async def change(
    engine: AIOEngine,
    job: CopernicusRequest,
    owner: str | None,
    changes: dict[str, Any],
    entry: dict[str, Any] | None,
    now: datetime,
) -> CopernicusRequest | None:
    """Apply ``changes`` (and append a history entry) if this worker still holds the lease."""
    query: dict[str, Any] = {"_id": job.id}
    if owner is not None:
        query["lease_owner"] = owner
    update: dict[str, Any] = {"$set": {**changes, "updated_at": now}, "$inc": {"version": 1}}
    if entry is not None:
        fresh = await get(engine, job.id)
        seq = len(fresh.history) + 1 if fresh else 1
        update["$push"] = {"history": {**entry, "seq": seq, "at": now}}
    document = await _requests(engine).find_one_and_update(query, update, return_document=ReturnDocument.AFTER)
    return CopernicusRequest.model_validate_doc(document) if document else None


def _cancels(engine: AIOEngine) -> Any:
    return engine.database[CANCELS]


async def request_cancel(engine: AIOEngine, job: CopernicusRequest, now: datetime) -> bool:
    """Ask the worker to stop a request, by a document of its own: the request itself is only ever
    written by its lease holder. (FerretDB applies updates as read-modify-write, so two writers of
    one request at once lose one write: a cancel could vanish, or bring back a released lease.)
    False when the request has already ended."""
    if job.status not in ACTIVE_REQUEST_STATUSES:
        return False
    try:
        await _cancels(engine).insert_one({"_id": job.id, "at": now})
    except PyMongoError as error:
        if not is_duplicate_key(error):  # asked twice: once is enough
            raise
    return True


async def with_cancels(engine: AIOEngine, claimed: list[CopernicusRequest]) -> list[CopernicusRequest]:
    """The claimed requests, marked as cancel-requested where a cancel document says so."""
    if not claimed:
        return claimed
    asked = {d["_id"] async for d in _cancels(engine).find({"_id": {"$in": [j.id for j in claimed]}}, {"_id": 1})}
    return [j.model_copy(update={"cancel_requested": True}) if j.id in asked else j for j in claimed]


async def changed_since(engine: AIOEngine, since: datetime, limit: int = 1000) -> list[CopernicusRequest]:
    documents = (
        await _requests(engine)
        .find({"updated_at": {"$gte": since}}, sort=[("updated_at", 1)], limit=limit)
        .to_list(length=limit)
    )
    return [CopernicusRequest.model_validate_doc(d) for d in documents]


async def count_by_status(engine: AIOEngine) -> dict[str, int]:
    grouped = _requests(engine).aggregate([{"$group": {"_id": "$status", "n": {"$sum": 1}}}])
    return {str(row["_id"]): int(row["n"]) async for row in grouped}


async def page(
    engine: AIOEngine, query: dict[str, Any], sort: list[tuple[str, int]], limit: int
) -> list[CopernicusRequest]:
    documents = await _requests(engine).find(query, sort=sort, limit=limit).to_list(length=limit)
    return [CopernicusRequest.model_validate_doc(d) for d in documents]


def is_terminal(status: RequestStatus) -> bool:
    return status not in ACTIVE_REQUEST_STATUSES
