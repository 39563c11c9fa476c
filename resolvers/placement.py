"""One way to place a File into a folder: live folder, free name, quota, usage, insert.

Used by upload creation and by the Copernicus worker, so a result obeys the same quota as an
upload. The caller holds the organisation's tree guard (``resolvers.serial.tree``) and has
checked the edit right of whoever the File is for; ``place`` does the rest.
"""

from __future__ import annotations

import asyncio

from resolvers.errors import UserErrorCode, UserFailure
from storage import lookups, tree
from storage.models import File, Folder, Organisation
from storage.mongo import Database


def quota_exceeded() -> UserFailure:
    return UserFailure(
        UserErrorCode.QUOTA_EXCEEDED, "the organisation's storage quota does not leave room for this file", ["size"]
    )


async def place(db: Database, file: File, folder: Folder) -> File:
    """Insert ``file`` into ``folder``, its size reserved against the quota (given back if the
    insert fails). Raises ``UserFailure`` (IN_TRASH, QUOTA_EXCEEDED) or ``tree.NameTaken``."""
    if folder.trash_root_id is not None:
        raise UserFailure(UserErrorCode.IN_TRASH, "the folder is in the trash", ["folderId"])
    organisation = await lookups.by_id(db.engine, Organisation, folder.organisation_id)
    assert organisation is not None
    file.organisation_id = folder.organisation_id
    file.folder_id = folder.id
    file.ancestors = [*folder.ancestors, folder.id]
    if not await tree.add_usage(db.engine, organisation.id, file.size, organisation.quota_bytes):
        raise quota_exceeded()
    try:
        await tree.insert_file(db.engine, file)
    except BaseException:
        await asyncio.shield(tree.add_usage(db.engine, organisation.id, -file.size))
        raise
    return file
