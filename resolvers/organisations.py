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
