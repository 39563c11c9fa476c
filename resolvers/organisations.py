"""The caller's organisations."""

from __future__ import annotations

from bson import ObjectId

from resolvers.identity import Principal
from storage.models import Organisation
from storage.mongo import Database


async def my_organisations(db: Database, principal: Principal) -> list[Organisation]:
    ids: list[ObjectId] = list(principal.roles)
    if not ids:
        return []
    found = await db.engine.find(Organisation, {"_id": {"$in": ids}}, sort=Organisation.slug)
    return list(found)


async def set_quota(db: Database, slug: str, quota_bytes: int | None) -> bool:
    """Set (or with None remove) the storage quota; False when no such organisation exists."""
    result = await db.engine.get_collection(Organisation).update_one(
        {"slug": slug}, {"$set": {"quota_bytes": quota_bytes}}
    )
    return bool(result.matched_count)
