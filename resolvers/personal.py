"""What the caller keeps for themselves: starred files and folders, and the files they touched
last. Only items the caller may read are starred, and only those they still may are shown."""

from __future__ import annotations

from collections.abc import Sequence

from bson import ObjectId

from resolvers import access
from resolvers.access import Level
from resolvers.errors import UserErrorCode, UserFailure
from resolvers.identity import Principal
from storage import keep, tree
from storage.models import File, FileStatus, Folder
from storage.mongo import Database

STARRED_SHOWN = 100


async def set_starred(db: Database, principal: Principal, kind: str, item_id: ObjectId, starred: bool) -> Folder | File:
    """Star the item, or take the star off; the item as it stands."""
    item: Folder | File | None = (
        await tree.get_folder(db.engine, item_id) if kind == "Folder" else await tree.get_file(db.engine, item_id)
    )
    if isinstance(item, File) and item.status is FileStatus.UPLOADING:
        item = None
    access.require(principal, item, Level.VIEW, kind, "id")
    assert item is not None
    if not starred:
        await keep.unstar(db.engine, principal.user_id, item_id)
        return item
    try:
        await keep.star(db.engine, principal.user_id, item_id, kind.lower())
    except keep.StarsFull:
        raise UserFailure(
            UserErrorCode.STARS_FULL, f"you have starred {keep.STARS_MAX} items already: unstar some first", ["id"]
        ) from None
    return item


async def starred(db: Database, principal: Principal) -> list[tuple[str, ObjectId]]:
    """The caller's starred items as (type name, id), newest star first (the types show what may be seen)."""
    stars = await keep.starred(db.engine, principal.user_id, STARRED_SHOWN)
    return [("Folder" if s.kind == "folder" else "File", s.item_id) for s in stars]


async def is_starred(db: Database, principal: Principal, item_id: ObjectId) -> bool:
    return await keep.is_starred(db.engine, principal.user_id, item_id)


async def recent_files(db: Database, principal: Principal) -> list[ObjectId]:
    return await keep.recent(db.engine, principal.user_id)


async def noted(db: Database, principal: Principal, files: Sequence[File]) -> None:
    """The caller added or changed these files: first in their recent files."""
    await keep.noted(db.engine, principal.user_id, [f.id for f in files])
