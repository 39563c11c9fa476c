"""File mutations other than transfers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from graphql_api.context import Info
from graphql_api.types import ids
from graphql_api.types.common import UserError, acted, attempt
from graphql_api.types.file import File
from resolvers import files
from resolvers.identity import Principal
from resolvers.metadata import BBox, ProvenanceIn
from storage.models import File as FileDocument
from storage.models import SourceKind
from storage.mongo import Database


@strawberry.input
class BoundingBoxInput:
    west: float
    south: float
    east: float
    north: float

    def to_bbox(self) -> BBox:
        return BBox(self.west, self.south, self.east, self.north)


@strawberry.input
class GeoPointInput:
    longitude: float
    latitude: float


@strawberry.input
class TimeRangeInput:
    start: datetime | None = None
    end: datetime | None = None


@strawberry.input
class ProvenanceInput:
    source_kind: SourceKind | None = None
    sensor_id: str | None = None
    platform: str | None = None
    location: GeoPointInput | None = None
    bbox: BoundingBoxInput | None = None
    time_range: TimeRangeInput | None = None

    def to_provenance(self) -> ProvenanceIn:
        return ProvenanceIn(
            source_kind=self.source_kind,
            sensor_id=self.sensor_id,
            platform=self.platform,
            longitude=self.location.longitude if self.location else None,
            latitude=self.location.latitude if self.location else None,
            bbox=self.bbox.to_bbox() if self.bbox else None,
            time_start=self.time_range.start if self.time_range else None,
            time_end=self.time_range.end if self.time_range else None,
        )


@strawberry.input
class RenameFileInput:
    id: relay.GlobalID
    name: str


@strawberry.input
class MoveFileInput:
    id: relay.GlobalID
    folder_id: relay.GlobalID


@strawberry.input
class FileIdInput:
    id: relay.GlobalID


@strawberry.input
class UpdateFileMetadataInput:
    id: relay.GlobalID
    metadata: JSON | None = strawberry.field(default=None, description="Replaces the free metadata (a JSON object).")
    provenance: ProvenanceInput | None = strawberry.field(default=None, description="Replaces the provenance.")


@strawberry.type
class FilePayload:
    file: File | None
    user_errors: list[UserError]


@strawberry.type
class PurgeFilePayload:
    purged_file_id: relay.GlobalID | None
    user_errors: list[UserError]


async def _file_payload(info: Info, act: Callable[[Database, Principal], Awaitable[FileDocument]]) -> FilePayload:
    file, errors = await acted(info, act, lambda document, _: File.from_document(document))
    return FilePayload(file=file, user_errors=errors)


@strawberry.type
class FileMutations:
    @strawberry.mutation
    async def rename_file(self, info: Info, input: RenameFileInput) -> FilePayload:
        return await _file_payload(
            info, lambda db, who: files.rename_file(db, who, ids.input_id(input.id, "File", "id"), input.name)
        )

    @strawberry.mutation
    async def move_file(self, info: Info, input: MoveFileInput) -> FilePayload:
        return await _file_payload(
            info,
            lambda db, who: files.move_file(
                db, who, ids.input_id(input.id, "File", "id"), ids.input_id(input.folder_id, "Folder", "folderId")
            ),
        )

    @strawberry.mutation(description="Move a file to the trash.")
    async def delete_file(self, info: Info, input: FileIdInput) -> FilePayload:
        return await _file_payload(
            info, lambda db, who: files.delete_file(db, who, ids.input_id(input.id, "File", "id"))
        )

    @strawberry.mutation(description="Bring a deleted file back from the trash.")
    async def restore_file(self, info: Info, input: FileIdInput) -> FilePayload:
        return await _file_payload(
            info, lambda db, who: files.restore_file(db, who, ids.input_id(input.id, "File", "id"))
        )

    @strawberry.mutation(description="Remove a file in the trash for good, bytes included. Admins only.")
    async def purge_file(self, info: Info, input: FileIdInput) -> PurgeFilePayload:
        async def run() -> relay.GlobalID:
            principal = await info.context.principal()
            state = info.context.state
            await files.purge_file(state.db, state.blobs, principal, ids.input_id(input.id, "File", "id"))
            return input.id

        purged, errors = await attempt(run)
        return PurgeFilePayload(purged_file_id=purged, user_errors=errors)

    @strawberry.mutation(description="Replace a file's free metadata and/or its typed provenance.")
    async def update_file_metadata(self, info: Info, input: UpdateFileMetadataInput) -> FilePayload:
        provenance = input.provenance.to_provenance() if input.provenance else None
        return await _file_payload(
            info,
            lambda db, who: files.update_metadata(
                db, who, ids.input_id(input.id, "File", "id"), input.metadata, provenance
            ),
        )
