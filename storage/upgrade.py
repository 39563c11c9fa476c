"""What documents written by an older version lack, given once per store at start-up.

Files from before shelves and search keys (issue 23) get both, folder by folder inside each
organisation's tree guard. A store remembers what it has been given (``migrations``), so a
start costs one read by id once that is done; replicas starting side by side may both do it,
which is harmless: labelling twice gives the same shelves.
"""

from __future__ import annotations

from typing import Any

from bson import ObjectId
from odmantic import AIOEngine
from pymongo.errors import PyMongoError

from storage import guards, search, shelves
from storage.models import File
from storage.mongo import is_duplicate_key

DONE = "migrations"
SHELVES_AND_KEYS = "shelves-and-search-keys-1"


async def run(engine: AIOEngine) -> int:
    """Give old files their shelves and search keys, once per store; how many were given them."""
    done = engine.database[DONE]
    if await done.find_one({"_id": SHELVES_AND_KEYS}) is not None:
        return 0
    # Once per store, a pass over its files: the unlabelled ones have no shelf to be found by.
    found = await engine.get_collection(File).find({shelves.field(shelves.SORT_KEYS[0]): None}).to_list(length=None)
    by_organisation: dict[ObjectId, dict[ObjectId, list[dict[str, Any]]]] = {}
    for document in found:
        folders = by_organisation.setdefault(document["organisation_id"], {})
        folders.setdefault(document["folder_id"], []).append(document)
    for organisation_id, folders in by_organisation.items():
        async with guards.organisation(engine, organisation_id):
            for folder_id, documents in folders.items():
                await shelves.reshelve(engine, folder_id, documents, also=search.keys_of)
    try:
        await done.insert_one({"_id": SHELVES_AND_KEYS, "files": len(found)})
    except PyMongoError as error:
        if not is_duplicate_key(error):  # another replica, starting beside this one, finished first
            raise
    return len(found)
