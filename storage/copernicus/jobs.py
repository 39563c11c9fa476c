"""Copernicus request documents: leases, transitions with history, lookups for the watchers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from bson import ObjectId
from odmantic import AIOEngine
from pymongo import ReturnDocument
from pymongo.errors import PyMongoError

from storage import lookups, pages
from storage.copernicus import changes, leases
from storage.models import ACTIVE_REQUEST_STATUSES, CopernicusRequest, RequestStatus
from storage.mongo import is_duplicate_key
from storage.pages import Window

ACTIVE = [s.value for s in ACTIVE_REQUEST_STATUSES]


CANCELS = "copernicus_cancels"


def _requests(engine: AIOEngine) -> Any:
    return engine.get_collection(CopernicusRequest)


async def insert(engine: AIOEngine, request: CopernicusRequest) -> None:
    await _requests(engine).insert_one(request.model_dump_doc())
    await changes.record(engine, request.id, request.version)


async def get(engine: AIOEngine, request_id: ObjectId) -> CopernicusRequest | None:
    return await lookups.by_id(engine, CopernicusRequest, request_id)


async def due(engine: AIOEngine, now: datetime, limit: int) -> list[CopernicusRequest]:
    """Every active request whose time has come, in one read, without its history (which can be long).
    Only what a lease holder re-reads may be acted on: this is for deciding what to claim."""
    window = pages.Window("next_poll_at", True, None, limit)
    active = [{"status": s} for s in ACTIVE]
    found = await pages.read_any(_requests(engine), {"next_poll_at": {"$lte": now}}, active, window, {"history": 0})
    return [CopernicusRequest.model_validate_doc(d) for d in found]


async def claim(
    engine: AIOEngine, seen: CopernicusRequest, owner: str, now: datetime, lease: timedelta
) -> CopernicusRequest | None:
    """Take the request by inserting its lease document, which exactly one replica can do (the
    primary key decides), then read it afresh: None if another replica moved it since ``seen``."""
    if not await leases.take(engine, seen.id, owner, now, lease):
        return None
    job = await get(engine, seen.id)
    if job is not None and job.version == seen.version:
        return job
    await leases.release(engine, seen.id, owner)
    return None


async def renew(
    engine: AIOEngine, request_id: ObjectId, owner: str, until: datetime, *, reschedule: bool = True
) -> bool:
    """Hold on until ``until``. With ``reschedule`` the request is also not due before then, so other
    replicas do not try it in vain and it comes due by itself if we die; without, the caller writes
    ``next_poll_at`` with its own change of the request."""
    if not await leases.extend(engine, request_id, owner, until):
        return False
    if reschedule:
        await _requests(engine).update_one({"_id": request_id}, {"$set": {"next_poll_at": until}})
    return True


async def change(
    engine: AIOEngine,
    job: CopernicusRequest,
    owner: str | None,
    fields: dict[str, Any],
    entry: dict[str, Any] | None,
    now: datetime,
) -> CopernicusRequest | None:
    """Set ``fields`` (and append a history entry) if this worker still holds the lease.

    The lease is checked, then the request written by primary key: a lease is only ever taken
    over once it has lapsed, which a holder that is still writing renews long before."""
    if owner is not None and not await leases.holds(engine, job.id, owner):
        return None
    update: dict[str, Any] = {"$set": {**fields, "updated_at": now}, "$inc": {"version": 1}}
    if entry is not None:
        update["$push"] = {"history": {**entry, "at": now}}
    document = await _requests(engine).find_one_and_update(
        {"_id": job.id}, update, return_document=ReturnDocument.AFTER
    )
    if document is None:
        return None
    await changes.record(engine, job.id, document["version"])
    return CopernicusRequest.model_validate_doc(document)


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


async def cancels_asked(engine: AIOEngine) -> set[ObjectId]:
    """Every request a cancel waits for. The cancel documents are few (each is removed when its
    request ends, and the worker removes strays), so one read of them all is cheap."""
    return {d["_id"] async for d in _cancels(engine).find({}, {"_id": 1})}


async def forget_cancel(engine: AIOEngine, request_id: ObjectId) -> None:
    await _cancels(engine).delete_one({"_id": request_id})


async def count_by_status(engine: AIOEngine) -> dict[str, int]:
    grouped = _requests(engine).aggregate([{"$group": {"_id": "$status", "n": {"$sum": 1}}}])
    return {str(row["_id"]): int(row["n"]) async for row in grouped}


async def of_owner(
    engine: AIOEngine, owner_id: ObjectId, statuses: Sequence[RequestStatus], window: Window
) -> list[CopernicusRequest]:
    """A person's requests (in any of ``statuses``, or all when none are named)."""
    criteria: dict[str, Any] = {"owner_id": owner_id}
    if statuses:
        criteria["status"] = {"$in": [s.value for s in statuses]}
    return [CopernicusRequest.model_validate_doc(d) for d in await pages.read(_requests(engine), criteria, window)]


def is_terminal(status: RequestStatus) -> bool:
    return status not in ACTIVE_REQUEST_STATUSES
