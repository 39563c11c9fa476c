"""Folder and file documents as a tree: ancestors arrays, subtree moves, trash and purge.

A move rewrites the ancestors of a whole subtree in a fixed number of ``update_many``
calls, with filters exact enough that re-running an interrupted move finishes it without
harm (the pending move is recorded on the folder first).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from bson import ObjectId
from odmantic import AIOEngine
from pymongo import ReturnDocument
from pymongo.errors import PyMongoError

from storage import lookups, pages, shelves
from storage.models import File, FileStatus, Folder, Organisation, name_key
from storage.mongo import is_duplicate_key
from storage.search import (
    SEARCH_FOUND,
    SEARCH_SOURCES,
    FileQuery,
    Scope,
    alternatives,
    file_filter,
    folder_filter,
    keys_of,
    name_fields,
    scope_alternatives,
)


class NameTaken(Exception):
    """A live sibling already has this name."""


def now() -> datetime:
    return datetime.now(UTC)


def _folders(engine: AIOEngine) -> Any:
    return engine.get_collection(Folder)


def _files(engine: AIOEngine) -> Any:
    return engine.get_collection(File)


def child_folder(parent: Folder, name: str, owner_id: ObjectId | None, stamp: datetime | None = None) -> Folder:
    """A new folder document beneath ``parent`` (not yet inserted); ``name`` already cleaned."""
    stamp = stamp or now()
    return Folder(
        id=ObjectId(),
        name=name,
        name_key=name_key(name),
        **name_fields(name),
        organisation_id=parent.organisation_id,
        owner_id=owner_id,
        parent_id=parent.id,
        ancestors=[*parent.ancestors, parent.id],
        created_at=stamp,
        updated_at=stamp,
    )


async def insert_folder(engine: AIOEngine, folder: Folder) -> Folder:
    try:
        await _folders(engine).insert_one(folder.model_dump_doc())
    except PyMongoError as error:
        if is_duplicate_key(error):
            raise NameTaken from None
        raise
    return folder


async def insert_file(engine: AIOEngine, file: File) -> File:
    document = file.model_dump_doc()
    document.update(keys_of(document))
    await shelves.label(engine, file.folder_id, [document])
    try:
        await _files(engine).insert_one(document)
    except PyMongoError as error:
        if is_duplicate_key(error):
            raise NameTaken from None
        raise
    return file


async def get_folder(engine: AIOEngine, folder_id: ObjectId) -> Folder | None:
    return await lookups.by_id(engine, Folder, folder_id)


async def get_folders(engine: AIOEngine, folder_ids: Sequence[ObjectId]) -> list[Folder]:
    """The folders of these ids that exist (one primary-key read each)."""
    return [f for f in await lookups.find_by_ids(engine, Folder, folder_ids) if f is not None]


async def get_file(engine: AIOEngine, file_id: ObjectId) -> File | None:
    return await lookups.by_id(engine, File, file_id)


async def set_file(
    engine: AIOEngine, file_id: ObjectId, changes: dict[str, Any], condition: dict[str, Any] | None = None
) -> bool:
    """``$set`` ``changes`` on a file (if it still meets ``condition``), its shelves moved with them.
    Inside the organisation's tree guard, like every write that moves a file in a sort order."""
    document = await _files(engine).find_one({"_id": file_id})
    if document is None:
        return False
    changed = {**document, **changes}
    if any(key in changes for key in SEARCH_SOURCES):
        changes = {**changes, **keys_of(changed)}
    if "folder_id" in changes or any(key in changes for key in shelves.SORT_KEYS):
        changes = {**changes, **await shelves.labels(engine, changed["folder_id"], changed)}
    result = await _files(engine).update_one({"_id": file_id, **(condition or {})}, {"$set": changes})
    return bool(result.modified_count)


async def rename(engine: AIOEngine, model: type[Folder] | type[File], item_id: ObjectId, name: str, key: str) -> None:
    changes: dict[str, Any] = {"name": name, "name_key": key, "updated_at": now()}
    try:
        if model is Folder:
            await _folders(engine).update_one({"_id": item_id}, {"$set": {**changes, **name_fields(name)}})
        else:
            await set_file(engine, item_id, changes)
    except PyMongoError as error:
        if is_duplicate_key(error):
            raise NameTaken from None
        raise


async def move_file(engine: AIOEngine, file: File, target: Folder) -> None:
    try:
        await set_file(
            engine, file.id, {"folder_id": target.id, "ancestors": [*target.ancestors, target.id], "updated_at": now()}
        )
    except PyMongoError as error:
        if is_duplicate_key(error):
            raise NameTaken from None
        raise


async def begin_move(engine: AIOEngine, folder: Folder, target: Folder, root_id: ObjectId) -> bool:
    """Record the move on the folder; False when another move of it is under way."""
    pending = {"old": folder.ancestors, "new": [*target.ancestors, target.id], "parent": target.id, "root": root_id}
    result = await _folders(engine).update_one(
        {"_id": folder.id, "pending_move": None}, {"$set": {"pending_move": {**pending, "step": 1}, "moving": True}}
    )
    return bool(result.modified_count)


async def finish_move(engine: AIOEngine, folder_id: ObjectId) -> None:
    """Apply a recorded move to the subtree and the folder; safe to run again after a crash.

    Ancestors arrays are sets here (breadcrumbs are ordered by depth when read), because
    not every MongoDB-compatible store honours ``$push`` with ``$position``. Step 1 pulls the
    old prefix from every descendant that still holds the organisation's root folder; step 2
    adds the new prefix to every descendant that lacks it. Each step matches only what it
    has not done yet, and the recorded step says where a restart resumes.
    """
    document = await _folders(engine).find_one({"_id": folder_id})
    if document is None or not document.get("pending_move"):
        return
    move = document["pending_move"]
    old: list[ObjectId] = move["old"]
    new: list[ObjectId] = move["new"]
    root: ObjectId = move["root"]
    if move["step"] == 1:
        for collection in (_folders(engine), _files(engine)):
            beneath = {"ancestors": folder_id, "$and": [{"ancestors": {"$all": [*old, folder_id]}}]}
            await collection.update_many(beneath, {"$pullAll": {"ancestors": old}})
        await _folders(engine).update_one({"_id": folder_id}, {"$set": {"pending_move.step": 2}})
    # The equality at the top, where FerretDB hands it to its store's index; the rest above it.
    pulled = {"ancestors": folder_id, "$and": [{"ancestors": {"$ne": root}}]}
    for collection in (_folders(engine), _files(engine)):
        await collection.update_many(pulled, {"$push": {"ancestors": {"$each": new}}})
    try:
        await _folders(engine).update_one(
            {"_id": folder_id},
            {
                "$set": {"parent_id": move["parent"], "ancestors": new, "updated_at": now(), "moving": False},
                "$unset": {"pending_move": ""},
            },
        )
    except PyMongoError as error:
        if not is_duplicate_key(error):
            raise
        # A sibling with the same name appeared in the target meanwhile; go back where it was.
        back = {"old": new, "new": old, "parent": document["parent_id"], "root": root, "step": 1}
        await _folders(engine).update_one({"_id": folder_id}, {"$set": {"pending_move": back}})
        await finish_move(engine, folder_id)
        raise NameTaken from None


async def pending_moves(engine: AIOEngine) -> list[ObjectId]:
    # `moving` beside `pending_move`: an equality on it is an index read, `$ne: None` a pass.
    cursor = _folders(engine).find({"moving": True}, {"_id": 1})
    return [document["_id"] async for document in cursor]


async def name_free(engine: AIOEngine, model: type[Folder] | type[File], parent_id: ObjectId, key: str) -> bool:
    if model is Folder:
        found = await _folders(engine).find_one({"parent_id": parent_id, "name_key": key, "trash_root_id": None})
    else:
        found = await _files(engine).find_one({"folder_id": parent_id, "name_key": key, "trash_root_id": None})
    return found is None


async def trash_folder(engine: AIOEngine, folder: Folder, by: ObjectId | None) -> None:
    stamp = now()
    mark = {"$set": {"trash_root_id": folder.id, "trashed_at": stamp}}
    top = {"$set": {"trash_root_id": folder.id, "trashed_at": stamp, "trash_top": True, "trashed_by": by}}
    await _folders(engine).update_one({"_id": folder.id, "trash_root_id": None}, top)
    await _folders(engine).update_many({"ancestors": folder.id, "trash_root_id": None}, mark)
    await _files(engine).update_many(
        {"ancestors": folder.id, "trash_root_id": None, "status": FileStatus.AVAILABLE},
        {"$set": {"trash_root_id": folder.id, "trashed_at": stamp, "status": FileStatus.DELETED}},
    )
    await _files(engine).update_many({"ancestors": folder.id, "trash_root_id": None}, mark)


async def trash_file(engine: AIOEngine, file: File, by: ObjectId | None) -> None:
    top = {"trash_root_id": file.id, "trashed_at": now(), "status": FileStatus.DELETED, "trash_top": True}
    await _files(engine).update_one({"_id": file.id, "trash_root_id": None}, {"$set": {**top, "trashed_by": by}})


async def restore_folder(engine: AIOEngine, folder: Folder) -> None:
    live = {"$set": {"trash_root_id": None, "trashed_at": None}}
    try:
        await _folders(engine).update_one(
            {"_id": folder.id, "trash_root_id": folder.id},
            {"$set": {"trash_root_id": None, "trashed_at": None, "trash_top": False, "trashed_by": None}},
        )
    except PyMongoError as error:
        if is_duplicate_key(error):
            raise NameTaken from None
        raise
    await _folders(engine).update_many({"trash_root_id": folder.id}, live)
    await _files(engine).update_many(
        {"trash_root_id": folder.id, "status": FileStatus.DELETED},
        {"$set": {"trash_root_id": None, "trashed_at": None, "status": FileStatus.AVAILABLE}},
    )
    await _files(engine).update_many({"trash_root_id": folder.id}, live)


async def restore_file(engine: AIOEngine, file: File) -> None:
    try:
        await _files(engine).update_one(
            {"_id": file.id, "trash_root_id": file.id},
            {
                "$set": {
                    "trash_root_id": None,
                    "trashed_at": None,
                    "status": FileStatus.AVAILABLE,
                    "trash_top": False,
                    "trashed_by": None,
                }
            },
        )
    except PyMongoError as error:
        if is_duplicate_key(error):
            raise NameTaken from None
        raise


async def files_to_purge(engine: AIOEngine, item: Folder | File, limit: int = 1000) -> list[File]:
    """A batch of what purging ``item`` removes: the file itself, or every file beneath the folder."""
    if isinstance(item, File):
        found = await lookups.by_id(engine, File, item.id)
        return [found] if found is not None else []
    return list(await engine.find(File, {"ancestors": item.id}, limit=limit))


async def delete_files(engine: AIOEngine, files: Sequence[File]) -> None:
    # By folder: the equality selects the folder's files for the store, `$in` picks among them.
    by_folder: dict[ObjectId, list[ObjectId]] = {}
    for file in files:
        by_folder.setdefault(file.folder_id, []).append(file.id)
    for folder_id, ids in by_folder.items():
        await _files(engine).delete_many({"folder_id": folder_id, "_id": {"$in": ids}})


async def delete_subtree_folders(engine: AIOEngine, folder_id: ObjectId) -> None:
    beneath = [d["_id"] async for d in _folders(engine).find({"ancestors": folder_id}, {"_id": 1})]
    await shelves.forget(engine, [folder_id, *beneath])
    await _folders(engine).delete_many({"ancestors": folder_id})
    await _folders(engine).delete_one({"_id": folder_id})


async def add_usage(engine: AIOEngine, organisation_id: ObjectId, delta: int, quota: int | None = None) -> bool:
    """Add ``delta`` bytes to the organisation's usage; False when that would pass ``quota``."""
    query: dict[str, Any] = {"_id": organisation_id}
    if quota is not None and delta > 0:
        query["usage_bytes"] = {"$lte": quota - delta}
    result = await engine.get_collection(Organisation).find_one_and_update(
        query, {"$inc": {"usage_bytes": delta}}, return_document=ReturnDocument.AFTER
    )
    return result is not None


async def subfolders(engine: AIOEngine, parent_id: ObjectId, window: pages.Window) -> list[Folder]:
    found = await pages.read(_folders(engine), {"parent_id": parent_id, "trash_root_id": None}, window)
    return [Folder.model_validate_doc(d) for d in found]


async def files_in(engine: AIOEngine, folder_id: ObjectId, window: pages.Window) -> list[File]:
    found = await shelves.page(engine, folder_id, {"folder_id": folder_id, "trash_root_id": None}, window)
    return [File.model_validate_doc(d) for d in found]


async def trashed_folders(engine: AIOEngine, organisation_id: ObjectId, window: pages.Window) -> list[Folder]:
    """Folders deleted by themselves (not along with a folder above), in ``window`` order."""
    found = await pages.read(_folders(engine), {"organisation_id": organisation_id, "trash_top": True}, window)
    return [Folder.model_validate_doc(d) for d in found]


async def trashed_files(engine: AIOEngine, organisation_id: ObjectId, window: pages.Window) -> list[File]:
    """Files deleted by themselves, in ``window`` order."""
    found = await pages.read(_files(engine), {"organisation_id": organisation_id, "trash_top": True}, window)
    return [File.model_validate_doc(d) for d in found]


async def search(engine: AIOEngine, query: FileQuery, window: pages.Window) -> list[File]:
    either = alternatives(query)
    if not either:
        return []
    found = await pages.read_found(_files(engine), file_filter(query), either, window, SEARCH_FOUND)
    return [File.model_validate_doc(d) for d in found]


async def touch_upload(engine: AIOEngine, file_id: ObjectId, when: datetime | None = None) -> None:
    await _files(engine).update_one(
        {"_id": file_id, "status": FileStatus.UPLOADING}, {"$set": {"upload.last_activity": when or now()}}
    )


async def mark_available(engine: AIOEngine, file_id: ObjectId, checksum: str | None) -> bool:
    changes = {"status": FileStatus.AVAILABLE, "checksum": checksum, "upload.upload_id": None, "updated_at": now()}
    return await set_file(engine, file_id, changes, {"status": FileStatus.UPLOADING})


async def delete_uploading(engine: AIOEngine, file_id: ObjectId) -> bool:
    result = await _files(engine).delete_one({"_id": file_id, "status": FileStatus.UPLOADING})
    return bool(result.deleted_count)


async def open_upload_bytes(engine: AIOEngine, owner_id: ObjectId, organisation_id: ObjectId) -> int:
    """Bytes ``owner_id``'s uploads in progress hold reserved in ``organisation_id``'s quota."""
    query = {"owner_id": owner_id, "status": FileStatus.UPLOADING, "organisation_id": organisation_id}
    held = 0
    async for doc in _files(engine).find(query, {"size": 1}):
        held += int(doc["size"])
    return held


async def uploads_in(engine: AIOEngine, folder_id: ObjectId, limit: int) -> list[File]:
    """Uploads in progress into ``folder_id``, the most recently active first."""
    query = {"folder_id": folder_id, "status": FileStatus.UPLOADING, "trash_root_id": None}
    found = [File.model_validate_doc(d) async for d in _files(engine).find(query, limit=limit)]
    return sorted(found, key=lambda f: f.upload.last_activity, reverse=True)


async def idle_uploads(engine: AIOEngine, cutoff: datetime, limit: int) -> list[File]:
    query = {"status": FileStatus.UPLOADING, "upload.last_activity": {"$lt": cutoff}}
    return list(await engine.find(File, query, limit=limit))


async def update_file(engine: AIOEngine, file_id: ObjectId, changes: dict[str, Any]) -> None:
    await set_file(engine, file_id, {**changes, "updated_at": now()})


async def subtree_height(engine: AIOEngine, folder: Folder) -> int:
    """Levels below ``folder``: one indexed scan of the subtree, ancestors only."""
    longest = 0
    async for document in _folders(engine).find({"ancestors": folder.id}, {"ancestors": 1}):
        longest = max(longest, len(document["ancestors"]))
    return max(0, longest - len(folder.ancestors))


async def live_child_folder(engine: AIOEngine, parent_id: ObjectId, name: str) -> Folder | None:
    return await engine.find_one(Folder, {"parent_id": parent_id, "name_key": name_key(name), "trash_root_id": None})


async def live_child_file(engine: AIOEngine, folder_id: ObjectId, name: str) -> File | None:
    """The live file of that name in the folder, an upload in progress included (it holds the name)."""
    return await engine.find_one(File, {"folder_id": folder_id, "name_key": name_key(name), "trash_root_id": None})


async def search_folders(engine: AIOEngine, scope: Scope, name: str, window: pages.Window) -> list[Folder]:
    """A window of the live folders in ``scope`` whose name has ``name``'s words: one read per
    scope alternative by the name's keys, ordered here over at most SEARCH_FOUND of each."""
    either = scope_alternatives(scope)
    if not either:
        return []
    found = await pages.read_found(_folders(engine), folder_filter(name), either, window, SEARCH_FOUND)
    return [Folder.model_validate_doc(d) for d in found]
