"""Folder operations: create, rename, move, trash, restore, purge, list."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager

from bson import ObjectId

from resolvers import access, pagination, serial
from resolvers.access import Level
from resolvers.errors import BadInput, UserErrorCode, UserFailure
from resolvers.identity import Principal
from resolvers.names import clean_name
from resolvers.pagination import Direction, Page, PageRequest, SortField
from storage import lookups, tree
from storage.blobs import BlobStore
from storage.models import File, Folder, Organisation, name_key
from storage.mongo import Database
from storage.pages import Window
from storage.search import words

FolderAction = Callable[[Database, Principal], Awaitable[Folder]]
"""A folder operation with its inputs bound, waiting for the database and the caller."""

MAX_DEPTH = 64
PURGE_BATCH = 500


async def _folder(db: Database, principal: Principal, folder_id: ObjectId, needed: Level, field: str = "id") -> Folder:
    folder = await tree.get_folder(db.engine, folder_id)
    access.require(principal, folder, needed, "Folder", field)
    assert folder is not None
    return folder


def _live(folder: Folder, field: str = "id") -> None:
    if folder.trash_root_id is not None:
        raise UserFailure(UserErrorCode.IN_TRASH, "the folder is in the trash; restore it first", [field])


async def create_folder(db: Database, principal: Principal, parent_id: ObjectId, name: str) -> Folder:
    clean = clean_name(name)
    async with guarded(db, principal, parent_id, Level.EDIT, "parentId") as parent:
        _live(parent, "parentId")
        if len(parent.ancestors) + 1 >= MAX_DEPTH:
            raise UserFailure(UserErrorCode.TOO_DEEP, f"folders nest at most {MAX_DEPTH} deep", ["parentId"])
        try:
            return await tree.insert_folder(db.engine, tree.child_folder(parent, clean, principal.user_id))
        except tree.NameTaken:
            raise _name_taken(clean) from None


def guarded(
    db: Database, principal: Principal, folder_id: ObjectId, needed: Level, field: str = "id"
) -> AbstractAsyncContextManager[Folder]:
    """The folder as read inside its organisation's tree guard (see ``resolvers.serial``)."""
    return serial.reread(db, lambda: _folder(db, principal, folder_id, needed, field))


def _name_taken(name: str) -> UserFailure:
    return UserFailure(UserErrorCode.NAME_TAKEN, f"a folder named {name!r} already exists here", ["name"])


async def rename_folder(db: Database, principal: Principal, folder_id: ObjectId, name: str) -> Folder:
    clean = clean_name(name)
    async with guarded(db, principal, folder_id, Level.EDIT) as folder:
        _live(folder)
        if folder.parent_id is None:
            raise UserFailure(UserErrorCode.ROOT_FOLDER, "the organisation's root folder cannot be renamed", ["id"])
        try:
            await tree.rename(db.engine, Folder, folder.id, clean, name_key(clean))
        except tree.NameTaken:
            raise _name_taken(clean) from None
    return await _folder(db, principal, folder_id, Level.VIEW)


async def move_folder(db: Database, principal: Principal, folder_id: ObjectId, target_id: ObjectId) -> Folder:
    first = await _folder(db, principal, target_id, Level.EDIT, "parentId")
    async with guarded(db, principal, folder_id, Level.EDIT) as folder:
        # Inside the guard no other move of this organisation runs, so the cycle check below
        # sees the tree as the move will find it: two crossing moves cannot both pass it.
        target = await _folder(db, principal, target_id, Level.EDIT, "parentId")
        _live(folder)
        _live(target, "parentId")
        if folder.parent_id is None:
            raise UserFailure(UserErrorCode.ROOT_FOLDER, "the organisation's root folder cannot be moved", ["id"])
        if first.organisation_id != folder.organisation_id:
            raise UserFailure(
                UserErrorCode.CROSS_ORGANIZATION, "folders move only within their organisation", ["parentId"]
            )
        if target.id == folder.id or folder.id in target.ancestors:
            raise UserFailure(
                UserErrorCode.CYCLE, "a folder cannot move into itself or a folder beneath it", ["parentId"]
            )
        if target.id == folder.parent_id:
            return folder
        if len(target.ancestors) + 1 + await tree.subtree_height(db.engine, folder) >= MAX_DEPTH:
            raise UserFailure(UserErrorCode.TOO_DEEP, f"folders nest at most {MAX_DEPTH} deep", ["parentId"])
        if not await tree.name_free(db.engine, Folder, target.id, folder.name_key):
            raise _name_taken(folder.name)
        if not await tree.begin_move(db.engine, folder, target, await _root_of(db, folder)):
            raise UserFailure(UserErrorCode.BUSY, "this folder is being moved already; try again", ["id"])
        try:
            await tree.finish_move(db.engine, folder.id)
        except tree.NameTaken:
            raise _name_taken(folder.name) from None
    return await _folder(db, principal, folder_id, Level.VIEW)


async def _root_of(db: Database, folder: Folder) -> ObjectId:
    organisation = await lookups.by_id(db.engine, Organisation, folder.organisation_id)
    assert organisation is not None
    assert organisation.root_folder_id is not None
    return organisation.root_folder_id


async def delete_folder(db: Database, principal: Principal, folder_id: ObjectId) -> Folder:
    async with guarded(db, principal, folder_id, Level.EDIT) as folder:
        access.require_trash_right(principal, folder, "Folder")
        if folder.parent_id is None:
            raise UserFailure(UserErrorCode.ROOT_FOLDER, "the organisation's root folder cannot be deleted", ["id"])
        _live(folder)
        await tree.trash_folder(db.engine, folder, principal.user_id)
    return await _folder(db, principal, folder_id, Level.VIEW)


async def require_parent_live(db: Database, parent_id: ObjectId | None) -> None:
    """An item comes back from the trash only into a folder that is there and live."""
    if parent_id is None:
        return
    parent = await tree.get_folder(db.engine, parent_id)
    if parent is None:
        raise UserFailure(UserErrorCode.PARENT_IN_TRASH, "the folder it was in no longer exists", ["id"])
    if parent.trash_root_id is not None:
        raise UserFailure(UserErrorCode.PARENT_IN_TRASH, "restore the folder above it first", ["id"])


async def restore_folder(db: Database, principal: Principal, folder_id: ObjectId) -> Folder:
    async with guarded(db, principal, folder_id, Level.EDIT) as folder:
        access.require_trash_right(principal, folder, "Folder")
        if folder.trash_root_id != folder.id:
            raise UserFailure(UserErrorCode.NOT_IN_TRASH, "only a folder deleted by itself can be restored", ["id"])
        await require_parent_live(db, folder.parent_id)
        try:
            await tree.restore_folder(db.engine, folder)
        except tree.NameTaken:
            raise _name_taken(folder.name) from None
    return await _folder(db, principal, folder_id, Level.VIEW)


async def purge(db: Database, blobs: BlobStore, principal: Principal, item: Folder | File) -> None:
    """Remove a trashed item for good, with everything beneath it however it went to the trash.

    Blobs first, then the documents, then the usage, batch by batch inside the organisation's
    tree guard: nothing can be added beneath a trashed folder, and the usage released is
    exactly the size of the documents removed.
    """
    access.require(principal, item, Level.MANAGE, type(item).__name__)
    async with serial.tree(db, item.organisation_id) as held:
        current = await lookups.by_id(db.engine, type(item), item.id)
        if current is None or current.trash_root_id != current.id:
            raise UserFailure(UserErrorCode.NOT_IN_TRASH, "only an item in the trash can be purged", ["id"])
        while files := await tree.files_to_purge(db.engine, current, PURGE_BATCH):
            for file in files:
                if file.upload.upload_id is not None:
                    await blobs.abort_multipart(file.blob_key, file.upload.upload_id)
            await blobs.delete_many([f.blob_key for f in files])
            await tree.delete_files(db.engine, files)
            await tree.add_usage(db.engine, item.organisation_id, -sum(f.size for f in files))
            await held.renew()
        if isinstance(current, Folder):
            await tree.delete_subtree_folders(db.engine, current.id)


async def purge_folder(db: Database, blobs: BlobStore, principal: Principal, folder_id: ObjectId) -> None:
    folder = await tree.get_folder(db.engine, folder_id)
    access.require(principal, folder, Level.VIEW, "Folder")
    assert folder is not None
    await purge(db, blobs, principal, folder)


async def resume_pending_moves(db: Database) -> int:
    """Finish moves a crash interrupted; run at start-up. Each inside its organisation's tree
    guard, as a live move is: a replica starting while another moves the same subtree waits
    for that move, then finds nothing left to finish."""
    pending = await tree.pending_moves(db.engine)
    for folder_id in pending:
        found = await tree.get_folder(db.engine, folder_id)
        if found is None:
            continue
        try:
            async with serial.tree(db, found.organisation_id):
                await tree.finish_move(db.engine, folder_id)  # reads the move again: done ones are skipped
        except (tree.NameTaken, UserFailure):
            continue  # moved back, or its tree stayed busy: the next start (or fsck) finishes it
    return len(pending)


# Folders have no size or type: those sorts list them by name.
FOLDER_SORT = {
    SortField.NAME: SortField.NAME,
    SortField.SIZE: SortField.NAME,
    SortField.TYPE: SortField.NAME,
    SortField.UPDATED_AT: SortField.UPDATED_AT,
    SortField.CREATED_AT: SortField.CREATED_AT,
}


async def subfolders(db: Database, parent: Folder, request: PageRequest) -> Page[Folder]:
    request = PageRequest(request.first, request.after, FOLDER_SORT[request.sort], request.direction).checked()
    found = await tree.subfolders(db.engine, parent.id, pagination.window(request))
    key = pagination.SORT_KEYS[request.sort]
    return pagination.page_of(request, found, lambda f: getattr(f, key), lambda f: f.id)


MAX_SEARCH_TEXT = 200


async def search_folders(db: Database, principal: Principal, name: str, request: PageRequest) -> Page[Folder]:
    """Live folders the caller may read whose name has the words of ``name`` (the last may be a
    word's start), by the order asked (SIZE and TYPE sort by name)."""
    if len(name) > MAX_SEARCH_TEXT:
        raise BadInput(f"name at most {MAX_SEARCH_TEXT} characters")
    request = PageRequest(request.first, request.after, FOLDER_SORT[request.sort], request.direction).checked()
    if not words(name):
        return Page([], [], False)
    found = await tree.search_folders(db.engine, access.readable_scope(principal), name, pagination.window(request))
    readable = [f for f in found if access.can_read(principal, f)]
    key = pagination.SORT_KEYS[request.sort]
    return pagination.page_of(request, readable, lambda f: getattr(f, key), lambda f: f.id)


def _lookup_name(name: str) -> str | None:
    """The name as siblings are compared, or None for one no item can have."""
    try:
        return clean_name(name)
    except UserFailure:
        return None


async def child_folder(db: Database, principal: Principal, parent: Folder, name: str) -> Folder | None:
    """The live subfolder called ``name`` (any case), if the caller may read it."""
    cleaned = _lookup_name(name)
    found = await tree.live_child_folder(db.engine, parent.id, cleaned) if cleaned else None
    return found if access.can_read(principal, found) else None


async def child_file(db: Database, principal: Principal, parent: Folder, name: str) -> File | None:
    """The live file called ``name`` (any case) in the folder, if the caller may read it."""
    cleaned = _lookup_name(name)
    found = await tree.live_child_file(db.engine, parent.id, cleaned) if cleaned else None
    return found if access.can_read(principal, found) else None


async def files_in(db: Database, folder: Folder, request: PageRequest) -> Page[File]:
    request = request.checked()
    found = await tree.files_in(db.engine, folder.id, pagination.window(request))
    key = pagination.SORT_KEYS[request.sort]
    return pagination.page_of(request, found, lambda f: getattr(f, key), lambda f: f.id)


def _trash_window(
    principal: Principal, organisation_id: ObjectId, first: int, after: str | None
) -> tuple[PageRequest, Window | None]:
    """The trash's page, newest first; no window for non-members: grantees never see what was deleted."""
    request = PageRequest(first, after, SortField.UPDATED_AT, Direction.DESC).checked()
    if not access.can_see_trash(principal, organisation_id):
        return request, None
    return request, pagination.window(request, key="trashed_at")


async def trashed_folders(
    db: Database, principal: Principal, organisation_id: ObjectId, first: int, after: str | None
) -> Page[Folder]:
    """Folders deleted by themselves; what went along beneath them comes back when they are restored."""
    request, window = _trash_window(principal, organisation_id, first, after)
    found = [] if window is None else await tree.trashed_folders(db.engine, organisation_id, window)
    return pagination.page_of(request, found, lambda f: f.trashed_at, lambda f: f.id)


async def trashed_files(
    db: Database, principal: Principal, organisation_id: ObjectId, first: int, after: str | None
) -> Page[File]:
    """Files deleted by themselves (not along with a folder above)."""
    request, window = _trash_window(principal, organisation_id, first, after)
    found = [] if window is None else await tree.trashed_files(db.engine, organisation_id, window)
    return pagination.page_of(request, found, lambda f: f.trashed_at, lambda f: f.id)
