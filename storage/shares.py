"""Share documents and their audit events."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bson import ObjectId
from odmantic import AIOEngine
from pymongo.errors import PyMongoError

from storage import lookups, pages
from storage.models import Share, ShareEvent, ShareEventKind, ShareStatus
from storage.mongo import is_duplicate_key
from storage.pages import Window

LIVE = [ShareStatus.PENDING.value, ShareStatus.ACTIVE.value]


def _shares(engine: AIOEngine) -> Any:
    return engine.get_collection(Share)


async def insert(engine: AIOEngine, share: Share) -> Share:
    await _shares(engine).insert_one(share.model_dump_doc())
    return share


async def get(engine: AIOEngine, share_id: ObjectId) -> Share | None:
    return await lookups.by_id(engine, Share, share_id)


async def active_for(engine: AIOEngine, grantee_ids: Sequence[ObjectId]) -> list[Share]:
    """ACTIVE shares to any of these grantees (a user and their organisations)."""
    each = [{"grantee_id": g} for g in grantee_ids]
    found = await pages.find_any(_shares(engine), {"status": ShareStatus.ACTIVE.value}, each)
    return [Share.model_validate_doc(d) for d in found]


MAX_CHAIN = 32


async def with_live_chains(engine: AIOEngine, held: Sequence[Share], now: datetime) -> list[Share]:
    """Only the shares whose chain is alive: each one they were reshared from ACTIVE and unexpired.

    A reshare is only as alive as the share it came from, at every read: revoking or expiring
    bob's share to carol ends carol's reshare to dave, and dave's to anyone, at once.
    """
    known: dict[ObjectId, Share | None] = {s.id: s for s in held}
    verdicts: dict[ObjectId, bool] = {}

    async def alive(share: Share | None, depth: int) -> bool:
        if share is None or depth > MAX_CHAIN:
            return False
        if share.id in verdicts:
            return verdicts[share.id]
        verdict = share.status is ShareStatus.ACTIVE and (share.expires_at is None or now < share.expires_at)
        if verdict and share.parent_share_id is not None:
            parent_id = share.parent_share_id
            if parent_id not in known:
                known[parent_id] = await get(engine, parent_id)
            verdict = await alive(known[parent_id], depth + 1)
        verdicts[share.id] = verdict
        return verdict

    return [share for share in held if await alive(share, 0)]


async def counterparts(
    engine: AIOEngine, user_id: ObjectId, grantee_ids: Sequence[ObjectId], others: Sequence[ObjectId]
) -> set[ObjectId]:
    """Of ``others``, those with a share between them and the user: made by the user for them,
    or made by them for the user (``grantee_ids``: the user and their organisations)."""
    wanted = list(others)
    either = [{"created_by": user_id, "grantee_id": {"$in": wanted}}]
    either += [{"grantee_id": g, "created_by": {"$in": wanted}} for g in grantee_ids]
    found: set[ObjectId] = set()
    for document in await pages.find_any(_shares(engine), {}, either, {"created_by": 1, "grantee_id": 1}):
        found |= {document["created_by"], document["grantee_id"]} & set(wanted)
    return found


async def live_between(engine: AIOEngine, resource_id: ObjectId, grantee_id: ObjectId) -> Share | None:
    return await engine.find_one(Share, {"resource_id": resource_id, "grantee_id": grantee_id, "status": {"$in": LIVE}})


async def on_resources(engine: AIOEngine, resource_ids: Sequence[ObjectId]) -> list[Share]:
    """Live shares (pending or active) on these resources, oldest first."""
    each = [{"resource_id": r} for r in resource_ids]
    found = await pages.find_any(_shares(engine), {"status": {"$in": LIVE}}, each)
    return sorted((Share.model_validate_doc(d) for d in found), key=lambda share: (share.created_at, share.id))


async def to_grantees(
    engine: AIOEngine,
    grantee_ids: Sequence[ObjectId],
    statuses: Sequence[ShareStatus],
    now: datetime,
    window: Window,
    resource_id: ObjectId | None = None,
) -> list[Share]:
    """Shares to these grantees in any of ``statuses``, as they stand at ``now``: a live share whose
    expiry has passed counts as EXPIRED from that moment, whether or not the sweeper has been by.
    With ``resource_id``, only that item's: each read then fixes the resource too (``by_resource``)."""
    unexpired = {"$or": [{"expires_at": None}, {"expires_at": {"$gt": now}}]}
    wanted: list[dict[str, object]] = []
    for status in statuses:
        if status in (ShareStatus.PENDING, ShareStatus.ACTIVE):
            wanted.append({"$and": [{"status": status.value}, unexpired]})
        elif status is ShareStatus.EXPIRED:
            wanted.append({"status": status.value})
            wanted.append({"status": {"$in": LIVE}, "expires_at": {"$ne": None, "$lte": now}})
        else:
            wanted.append({"status": status.value})
    item = {} if resource_id is None else {"resource_id": resource_id}
    grantees = [{**item, "grantee_id": g} for g in grantee_ids]
    found = await pages.read_any(_shares(engine), {"$or": wanted}, grantees, window)
    return [Share.model_validate_doc(d) for d in found]


async def transition(
    engine: AIOEngine, share_id: ObjectId, expected: Sequence[ShareStatus], changes: dict[str, Any]
) -> bool:
    """Apply ``changes`` if the share is still in one of the ``expected`` statuses (no lost updates)."""
    result = await _shares(engine).update_one(
        {"_id": share_id, "status": {"$in": [s.value for s in expected]}}, {"$set": changes}
    )
    return bool(result.modified_count)


async def due_to_expire(engine: AIOEngine, now: datetime, limit: int = 500) -> list[Share]:
    return list(
        await engine.find(Share, {"status": {"$in": LIVE}, "expires_at": {"$ne": None, "$lte": now}}, limit=limit)
    )


async def record(
    engine: AIOEngine,
    share: Share,
    kind: ShareEventKind,
    at: datetime,
    actor_id: ObjectId | None,
    detail: str | None = None,
    mark: str | None = None,
) -> None:
    event = ShareEvent(
        id=ObjectId(),
        share_id=share.id,
        resource_id=share.resource_id,
        organisation_id=share.organisation_id,
        kind=kind,
        actor_id=actor_id,
        detail=detail,
        mark=mark,
        at=at,
    )
    await engine.get_collection(ShareEvent).insert_one(event.model_dump_doc())


ACCESS_MARKS = "share_access_marks"


async def mark_access(engine: AIOEngine, mark: str) -> bool:
    """Count one access under ``mark``; True for the first, which the caller records as an event.

    The first access is an insert keyed by the mark, so exactly one caller records the event;
    later ones only add to its count (an ``$inc``, which FerretDB may undercount when two land
    in the same instant: the count is a measure, the event is never lost).
    """
    try:
        await engine.database[ACCESS_MARKS].insert_one({"_id": mark, "count": 1})
        return True
    except PyMongoError as error:
        if not is_duplicate_key(error):
            raise
    await engine.database[ACCESS_MARKS].update_one({"_id": mark}, {"$inc": {"count": 1}})
    return False


async def access_counts(engine: AIOEngine, marks: Sequence[str]) -> list[int]:
    counts = []
    for mark in marks:
        document = await engine.database[ACCESS_MARKS].find_one({"_id": mark})
        counts.append(int(document["count"]) if document else 1)
    return counts


async def events_page(engine: AIOEngine, resource_id: ObjectId, window: Window) -> list[ShareEvent]:
    collection = engine.get_collection(ShareEvent)
    return [
        ShareEvent.model_validate_doc(d) for d in await pages.read(collection, {"resource_id": resource_id}, window)
    ]


async def events_since(engine: AIOEngine, resource_id: ObjectId, since: datetime, limit: int) -> list[ShareEvent]:
    """The item's events at or after ``since``, oldest first (``by_resource_time``)."""
    cursor = engine.get_collection(ShareEvent).find(
        {"resource_id": resource_id, "at": {"$gte": since}}, sort=[("at", 1), ("_id", 1)], limit=limit
    )
    return [ShareEvent.model_validate_doc(d) async for d in cursor]


async def of_item_to(engine: AIOEngine, resource_id: ObjectId, grantee_ids: Sequence[ObjectId]) -> bool:
    """Whether any share of the item, in any state, was made to one of these grantees (``by_resource``)."""
    for grantee_id in grantee_ids:
        if await _shares(engine).find_one({"resource_id": resource_id, "grantee_id": grantee_id}, {"_id": 1}):
            return True
    return False


async def reassign_grantee(engine: AIOEngine, old: ObjectId, new: ObjectId) -> int:
    """Shares made to ``old`` become shares made to ``new`` (an invitation claimed)."""
    result = await engine.get_collection(Share).update_many({"grantee_id": old}, {"$set": {"grantee_id": new}})
    return int(result.modified_count)
