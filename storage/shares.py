"""Share documents and their audit events."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bson import ObjectId
from odmantic import AIOEngine

from storage import lookups
from storage.models import Share, ShareEvent, ShareEventKind, ShareStatus

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
    return list(
        await engine.find(Share, {"grantee_id": {"$in": list(grantee_ids)}, "status": ShareStatus.ACTIVE.value})
    )


async def live_between(engine: AIOEngine, resource_id: ObjectId, grantee_id: ObjectId) -> Share | None:
    return await engine.find_one(Share, {"resource_id": resource_id, "grantee_id": grantee_id, "status": {"$in": LIVE}})


async def on_resources(engine: AIOEngine, resource_ids: Sequence[ObjectId]) -> list[Share]:
    """Live shares (pending or active) on these resources, oldest first."""
    return list(
        await engine.find(
            Share, {"resource_id": {"$in": list(resource_ids)}, "status": {"$in": LIVE}}, sort=Share.created_at
        )
    )


async def page(engine: AIOEngine, query: dict[str, Any], sort: list[tuple[str, int]], limit: int) -> list[Share]:
    documents = await _shares(engine).find(query, sort=sort, limit=limit).to_list(length=limit)
    return [Share.model_validate_doc(d) for d in documents]


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
) -> None:
    event = ShareEvent(
        id=ObjectId(),
        share_id=share.id,
        resource_id=share.resource_id,
        organisation_id=share.organisation_id,
        kind=kind,
        actor_id=actor_id,
        detail=detail,
        at=at,
    )
    await engine.get_collection(ShareEvent).insert_one(event.model_dump_doc())


async def events_for(engine: AIOEngine, resource_id: ObjectId, limit: int) -> list[ShareEvent]:
    """The newest events first."""
    cursor = engine.get_collection(ShareEvent).find({"resource_id": resource_id}, sort=[("at", -1)], limit=limit)
    return [ShareEvent.model_validate_doc(d) for d in await cursor.to_list(length=limit)]
