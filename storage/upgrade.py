"""What documents written by an older version lack, given once per store at start-up.

Files from before shelves and search keys (issue 23) get both, folder by folder inside each
organisation's tree guard; files from before day keys get their days; people, what finds them
among their organisations' members; folders, what finds them by name. A store remembers what
it has been given (``migrations``, one document per step), so a start costs a read by id per
step once they are done; replicas starting side by side may both do one, which is harmless:
labelling twice gives the same shelves, and keys derived twice are the same keys.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from bson import ObjectId
from odmantic import AIOEngine
from pymongo import UpdateOne
from pymongo.errors import PyMongoError

from storage import directory, guards, search, shelves
from storage.models import File, Folder, User
from storage.mongo import is_duplicate_key

DONE = "migrations"
SHELVES_AND_KEYS = "shelves-and-search-keys-1"
DAY_KEYS = "day-search-keys-1"
PEOPLE_KEYS = "people-keys-1"
FOLDER_NAMES = "folder-name-keys-1"
BATCH = 500


async def run(engine: AIOEngine) -> int:
    """Give old files what they lack, each step once per store; how many files were given something."""
    given = 0
    for step, give in (
        (SHELVES_AND_KEYS, _shelves_and_keys),
        (DAY_KEYS, _day_keys),
        (PEOPLE_KEYS, _people_keys),
        (FOLDER_NAMES, _folder_names),
    ):
        if await engine.database[DONE].find_one({"_id": step}) is not None:
            continue
        count = await give(engine)
        try:
            await engine.database[DONE].insert_one({"_id": step, "files": count})
        except PyMongoError as error:
            if not is_duplicate_key(error):  # another replica, starting beside this one, finished first
                raise
        given += count
    return given


async def _shelves_and_keys(engine: AIOEngine) -> int:
    # A pass over the store's files: the unlabelled ones have no shelf to be found by.
    found = await engine.get_collection(File).find({shelves.field(shelves.SORT_KEYS[0]): None}).to_list(length=None)
    by_organisation: dict[ObjectId, dict[ObjectId, list[dict[str, Any]]]] = {}
    for document in found:
        folders = by_organisation.setdefault(document["organisation_id"], {})
        folders.setdefault(document["folder_id"], []).append(document)
    for organisation_id, folders in by_organisation.items():
        async with guards.organisation(engine, organisation_id):
            for folder_id, documents in folders.items():
                await shelves.reshelve(engine, folder_id, documents, also=search.keys_of)
    return len(found)


async def _day_keys(engine: AIOEngine) -> int:
    # The files with a time range: their days are a search key since this step.
    found = await engine.get_collection(File).find({"days": None}, {"provenance": 1}).to_list(length=None)
    timed = [d for d in found if (d.get("provenance") or {}).get("time_start") is not None]
    return await _set_each(engine.get_collection(File), timed, lambda d: {"days": search.days_of(d["provenance"])})


async def _people_keys(engine: AIOEngine) -> int:
    # People as an older version kept them: what finds them among their organisations' members.
    people = await engine.get_collection(User).find({"people_keys": None}).to_list(length=None)

    def known(person: dict[str, Any]) -> dict[str, Any]:
        user = User.model_validate_doc(person)
        return directory.known_by(user.name, user.email, user.memberships)

    return await _set_each(engine.get_collection(User), people, known)


async def _folder_names(engine: AIOEngine) -> int:
    # Folders from before folder search: what finds them by name.
    found = await engine.get_collection(Folder).find({"name_prefixes": None}, {"name": 1}).to_list(length=None)
    return await _set_each(engine.get_collection(Folder), found, lambda d: dict(search.name_fields(d["name"])))


async def _set_each(
    collection: Any, documents: Sequence[dict[str, Any]], derive: Callable[[dict[str, Any]], dict[str, Any]]
) -> int:
    """``$set`` on each document what ``derive`` gives it, BATCH updates to a write."""
    updates = [UpdateOne({"_id": d["_id"]}, {"$set": derive(d)}) for d in documents]
    for start in range(0, len(updates), BATCH):
        await collection.bulk_write(updates[start : start + BATCH], ordered=False)
    return len(updates)
