"""File operations other than transfers: rename, move, trash, restore, purge, metadata, search."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime

from bson import ObjectId

from resolvers import access, folders, pagination, personal, serial
from resolvers.access import Level
from resolvers.errors import UserErrorCode, UserFailure
from resolvers.identity import Principal
from resolvers.metadata import BBox, ProvenanceIn, checked_metadata, checked_provenance
from resolvers.names import clean_name
from resolvers.pagination import Page, PageRequest
from resolvers.times import as_utc
from storage import tree
from storage.blobs import BlobStore
from storage.models import File, FileStatus, SourceKind, name_key
from storage.mongo import Database
from storage.search import FileQuery
from storage.tally import Tally, tally

MAX_QUERY_TEXT = 200


async def _file(db: Database, principal: Principal, file_id: ObjectId, needed: Level, field: str = "id") -> File:
    file = await tree.get_file(db.engine, file_id)
    if file is not None and file.status is FileStatus.UPLOADING:
        file = None  # an upload in progress is reached through its Upload, not as a file
    access.require(principal, file, needed, "File", field)
    assert file is not None
    return file


async def _changed(db: Database, principal: Principal, file_id: ObjectId) -> File:
    """The file the caller just changed, as it stands now; first in their recent files."""
    file = await _file(db, principal, file_id, Level.VIEW)
    await personal.noted(db, principal, [file])
    return file


def _live(file: File) -> None:
    if file.trash_root_id is not None:
        raise UserFailure(UserErrorCode.IN_TRASH, "the file is in the trash; restore it first", ["id"])


def _name_taken(name: str) -> UserFailure:
    return UserFailure(UserErrorCode.NAME_TAKEN, f"a file named {name!r} already exists there", ["name"])


def _guarded(
    db: Database, principal: Principal, file_id: ObjectId, needed: Level, field: str = "id"
) -> AbstractAsyncContextManager[File]:
    """The file as read inside its organisation's tree guard (see ``resolvers.serial``)."""
    return serial.reread(db, lambda: _file(db, principal, file_id, needed, field))


async def rename_file(db: Database, principal: Principal, file_id: ObjectId, name: str) -> File:
    clean = clean_name(name)
    async with _guarded(db, principal, file_id, Level.EDIT) as file:
        _live(file)
        try:
            await tree.rename(db.engine, File, file.id, clean, name_key(clean))
        except tree.NameTaken:
            raise _name_taken(clean) from None
    return await _changed(db, principal, file_id)


async def move_file(db: Database, principal: Principal, file_id: ObjectId, folder_id: ObjectId) -> File:
    async with _guarded(db, principal, file_id, Level.EDIT) as file:
        _live(file)
        target = await tree.get_folder(db.engine, folder_id)
        access.require(principal, target, Level.EDIT, "Folder", "folderId")
        assert target is not None
        if target.trash_root_id is not None:
            raise UserFailure(UserErrorCode.IN_TRASH, "the target folder is in the trash", ["folderId"])
        if target.organisation_id != file.organisation_id:
            raise UserFailure(
                UserErrorCode.CROSS_ORGANIZATION, "files move only within their organisation", ["folderId"]
            )
        if target.id != file.folder_id:
            try:
                await tree.move_file(db.engine, file, target)
            except tree.NameTaken:
                raise _name_taken(file.name) from None
    return await _changed(db, principal, file_id)


async def delete_file(db: Database, principal: Principal, file_id: ObjectId) -> File:
    async with _guarded(db, principal, file_id, Level.EDIT) as file:
        access.require_trash_right(principal, file, "File")
        _live(file)
        await tree.trash_file(db.engine, file, principal.user_id)
    return await _file(db, principal, file_id, Level.VIEW)


async def restore_file(db: Database, principal: Principal, file_id: ObjectId) -> File:
    async with _guarded(db, principal, file_id, Level.EDIT) as file:
        access.require_trash_right(principal, file, "File")
        if file.trash_root_id != file.id:
            raise UserFailure(UserErrorCode.NOT_IN_TRASH, "only a file deleted by itself can be restored", ["id"])
        await folders.require_parent_live(db, file.folder_id)
        try:
            await tree.restore_file(db.engine, file)
        except tree.NameTaken:
            raise _name_taken(file.name) from None
    return await _file(db, principal, file_id, Level.VIEW)


async def purge_file(db: Database, blobs: BlobStore, principal: Principal, file_id: ObjectId) -> None:
    file = await _file(db, principal, file_id, Level.VIEW)
    await folders.purge(db, blobs, principal, file)


async def update_metadata(
    db: Database, principal: Principal, file_id: ObjectId, metadata: object | None, provenance: ProvenanceIn | None
) -> File:
    changes: dict[str, object] = {}
    if metadata is not None:
        changes["metadata"] = checked_metadata(metadata)
    if provenance is not None:
        changes["provenance"] = checked_provenance(provenance).model_dump_doc()
    async with _guarded(db, principal, file_id, Level.EDIT) as file:
        _live(file)
        if changes:
            await tree.update_file(db.engine, file.id, changes)
    return await _changed(db, principal, file_id)


@dataclass(frozen=True)
class FileSearch:
    name: str | None = None
    content_type: str | None = None
    source_kind: SourceKind | None = None
    sensor_id: str | None = None
    bbox: BBox | None = None
    time_from: datetime | None = None
    time_to: datetime | None = None
    folder_id: ObjectId | None = None
    organisation_id: ObjectId | None = None


async def _file_query(db: Database, principal: Principal, search: FileSearch) -> FileQuery | None:
    """The store's query for ``search`` within what ``principal`` may read; None when it can find nothing."""
    if search.name and len(search.name) > MAX_QUERY_TEXT:
        raise UserFailure(UserErrorCode.INVALID, "name filter is too long", ["name"])
    if search.folder_id:
        folder = await tree.get_folder(db.engine, search.folder_id)
        if not access.can_read(principal, folder):
            return None
    box = search.bbox
    return FileQuery(
        scope=access.readable_scope(principal),
        name=search.name,
        content_type=search.content_type,
        source_kind=search.source_kind,
        sensor_id=search.sensor_id,
        bbox=(box.west, box.south, box.east, box.north) if box else None,
        time_from=as_utc(search.time_from) if search.time_from else None,
        time_to=as_utc(search.time_to) if search.time_to else None,
        folder_id=search.folder_id,
        organisation_id=search.organisation_id,
    )


async def search_files(db: Database, principal: Principal, search: FileSearch, request: PageRequest) -> Page[File]:
    request = request.checked()
    query = await _file_query(db, principal, search)
    if query is None:
        return Page([], [], False)
    found = await tree.search(db.engine, query, pagination.window(request))
    key = pagination.SORT_KEYS[request.sort]
    return pagination.page_of(request, found, lambda f: getattr(f, key), lambda f: f.id)


async def search_tally(db: Database, principal: Principal, search: FileSearch) -> Tally:
    """How many files ``search_files`` would list, and how many of each type, source, organisation and year."""
    query = await _file_query(db, principal, search)
    return Tally() if query is None else await tally(db.engine, query)
