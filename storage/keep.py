"""What a person keeps for themselves: the items they starred, and the files they touched last.

Stars are documents of their own (one per person and item, at most ``STARS_MAX`` a person), read
by the person's id newest first; whether an item is starred is one read by person and item. The
recent files are a short list on a document per person (``RECENT_MAX`` ids, newest first),
rewritten when they add or change a file: two changes landing at once may keep one of the two,
which a list of what one did lately can afford (it is a convenience, never a record).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from bson import ObjectId
from odmantic import AIOEngine
from pymongo.errors import PyMongoError

from storage.models import Star
from storage.mongo import is_duplicate_key

STARS_MAX = 500
RECENT_MAX = 20
RECENTS = "recents"


class StarsFull(Exception):
    """The person has starred ``STARS_MAX`` items already."""


def _stars(engine: AIOEngine) -> Any:
    return engine.get_collection(Star)


async def star(engine: AIOEngine, user_id: ObjectId, item_id: ObjectId, kind: str) -> None:
    """Star the item for the person (starring it again changes nothing)."""
    if await is_starred(engine, user_id, item_id):
        return
    if await _stars(engine).count_documents({"user_id": user_id}) >= STARS_MAX:
        raise StarsFull
    document = Star(id=ObjectId(), user_id=user_id, item_id=item_id, kind=kind, starred_at=datetime.now(UTC))
    try:
        await _stars(engine).insert_one(document.model_dump_doc())
    except PyMongoError as error:
        if not is_duplicate_key(error):  # the same star, clicked twice at once
            raise


async def unstar(engine: AIOEngine, user_id: ObjectId, item_id: ObjectId) -> None:
    await _stars(engine).delete_many({"user_id": user_id, "item_id": item_id})


async def starred(engine: AIOEngine, user_id: ObjectId, limit: int) -> list[Star]:
    """The person's stars, newest first."""
    found = await _stars(engine).find({"user_id": user_id}, sort=[("starred_at", -1)], limit=limit).to_list(None)
    return [Star.model_validate_doc(d) for d in found]


async def is_starred(engine: AIOEngine, user_id: ObjectId, item_id: ObjectId) -> bool:
    return await _stars(engine).find_one({"user_id": user_id, "item_id": item_id}, {"_id": 1}) is not None


async def noted(engine: AIOEngine, user_id: ObjectId, file_ids: Sequence[ObjectId]) -> None:
    """These files, just added or changed by the person, first in their recent files."""
    if not file_ids:
        return
    recents = engine.database[RECENTS]
    kept = await recents.find_one({"_id": user_id})
    earlier = [i for i in (kept or {}).get("files", []) if i not in file_ids]
    files = [*dict.fromkeys(file_ids), *earlier][:RECENT_MAX]
    await recents.replace_one({"_id": user_id}, {"_id": user_id, "files": files}, upsert=True)


async def recent(engine: AIOEngine, user_id: ObjectId) -> list[ObjectId]:
    kept = await engine.database[RECENTS].find_one({"_id": user_id})
    return list((kept or {}).get("files", []))
