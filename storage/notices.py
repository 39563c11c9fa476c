"""The outbox of messages to people: written with the change that causes them, taken by the
mailer. A notice is claimed by moving its next attempt forward (a lease), so replicas sending
side by side rarely send one twice; FerretDB has no atomic find-and-modify, so rarely is the most
this promises (a person may, at worst, receive a notice twice, never none)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bson import ObjectId
from odmantic import AIOEngine

from storage.models import Notice


def _notices(engine: AIOEngine) -> Any:
    return engine.get_collection(Notice)


async def add(engine: AIOEngine, notices: list[Notice]) -> None:
    if notices:
        await _notices(engine).insert_many([n.model_dump_doc() for n in notices])


async def due(engine: AIOEngine, now: datetime, limit: int) -> list[Notice]:
    """Unsent notices whose next attempt has come, oldest first."""
    cursor = (
        _notices(engine)
        .find({"sent_at": None, "given_up_at": None, "next_attempt_at": {"$lte": now}})
        .sort("next_attempt_at", 1)
        .limit(limit)
    )
    return [Notice.model_validate_doc(doc) async for doc in cursor]


async def claim(engine: AIOEngine, notice: Notice, until: datetime) -> bool:
    """Take the notice for sending until ``until``, unless another sender took it first."""
    taken = await _notices(engine).update_one(
        {"_id": notice.id, "sent_at": None, "next_attempt_at": notice.next_attempt_at},
        {"$set": {"next_attempt_at": until}},
    )
    return bool(taken.modified_count)


async def sent(engine: AIOEngine, notice_id: ObjectId, now: datetime) -> None:
    await _notices(engine).update_one({"_id": notice_id}, {"$set": {"sent_at": now}, "$inc": {"attempts": 1}})


async def failed(engine: AIOEngine, notice_id: ObjectId, error: str, retry_at: datetime | None, now: datetime) -> None:
    """Record a refused attempt; with no ``retry_at`` the notice is given up."""
    changes: dict[str, Any] = {"last_error": error[:500]}
    changes |= {"next_attempt_at": retry_at} if retry_at else {"given_up_at": now}
    await _notices(engine).update_one({"_id": notice_id}, {"$set": changes, "$inc": {"attempts": 1}})
