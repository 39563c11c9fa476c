"""The caller's organisations."""

from __future__ import annotations

from bson import ObjectId

from resolvers.identity import Principal
from storage import directory, guards
from storage.models import Organisation
from storage.mongo import Database


async def my_organisations(db: Database, principal: Principal) -> list[Organisation]:
    ids: list[ObjectId] = list(principal.roles)
    if not ids:
        return []
    return await directory.organisations(db.engine, ids)


async def set_quota(db: Database, slug: str, quota_bytes: int | None) -> bool:
    """Set (or with None remove) the storage quota; False when no such organisation exists."""
    organisation = await directory.organisation_by_slug(db.engine, slug)
    if organisation is None:
        return False
    # Inside the tree guard: on FerretDB this write would otherwise race the usage counter.
    async with guards.organisation(db.engine, organisation.id):
        await directory.set_quota_bytes(db.engine, organisation.id, quota_bytes)
    return True
