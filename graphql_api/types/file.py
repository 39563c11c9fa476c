"""The File type, its provenance, and the transfer types (Upload, part URLs, Download)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Annotated, cast

import strawberry
from bson import ObjectId
from strawberry import relay
from strawberry.scalars import JSON

from graphql_api.context import Info
from graphql_api.metrics import PRESIGNED_URLS
from graphql_api.types.common import DEFAULT_PAGE, After, BigInt, Connection, First
from graphql_api.types.item import ItemFields
from graphql_api.types.permissions import ViewerPermissions, viewer_permissions
from graphql_api.types.visible import VisibleNode
from resolvers import access, shares, transfers
from resolvers.identity import Principal
from storage.models import File as FileDocument
from storage.models import FileStatus, SourceKind

if TYPE_CHECKING:
    from graphql_api.types.folder import Folder
    from graphql_api.types.organization import Organization
    from graphql_api.types.share import Share, ShareEvent
    from graphql_api.types.user import User

strawberry.enum(FileStatus, name="FileStatus")
strawberry.enum(SourceKind, name="SourceKind", description="Where the data comes from.")

DEFAULT_DOWNLOAD_PART = BigInt(16 * 1024 * 1024)


@strawberry.type
class BoundingBox:
    west: float
    south: float
    east: float
    north: float


@strawberry.type
class GeoPoint:
    longitude: float
    latitude: float


@strawberry.type
class TimeRange:
    start: datetime | None
    end: datetime | None


@strawberry.type
class Provenance:
    source_kind: SourceKind | None
    sensor_id: str | None
    platform: str | None
    location: GeoPoint | None
    bbox: BoundingBox | None
    time_range: TimeRange | None


@strawberry.type
class Header:
    name: str
    value: str


@strawberry.type
class PartUrl:
    part_number: int
    url: str
    headers: list[Header] = strawberry.field(description="Send these headers with the PUT, exactly as given.")

    @classmethod
    def from_part(cls, part: transfers.PartUrl) -> PartUrl:
        PRESIGNED_URLS.labels("upload_part").inc()
        return cls(
            part_number=part.part_number, url=part.url, headers=[Header(name=n, value=v) for n, v in part.headers]
        )


@strawberry.type
class UploadedPart:
    part_number: int
    size: BigInt
    etag: str
    checksum_sha256: str | None
    last_modified: datetime


@strawberry.type
class ByteRange:
    part_number: int
    range_start: BigInt
    range_end: BigInt = strawberry.field(description="Inclusive, as in an HTTP Range header.")


@strawberry.type
class Download:
    url: str
    expires_at: datetime
    parts: list[ByteRange]


@strawberry.type(name="File")
class File(VisibleNode, ItemFields):
    id: relay.NodeID[str]
    name: str
    size: BigInt
    content_type: str
    checksum: str | None = strawberry.field(
        description="S3 composite SHA-256: base64 of the SHA-256 of the parts' SHA-256 digests, then -<parts>."
    )
    status: FileStatus
    metadata: JSON
    created_at: datetime
    updated_at: datetime
    trashed_at: datetime | None
    document: strawberry.Private[FileDocument]

    @classmethod
    def from_document(cls, document: FileDocument) -> File:
        return cls(
            id=str(document.id),
            name=document.name,
            size=BigInt(document.size),
            content_type=document.content_type,
            checksum=document.checksum,
            status=document.status,
            metadata=cast(JSON, document.metadata),
            created_at=document.created_at,
            updated_at=document.updated_at,
            trashed_at=document.trashed_at,
            document=document,
        )

    @classmethod
    async def load_visible(cls, info: Info, ids: list[ObjectId]) -> list[File | None]:
        principal = await info.context.principal()
        documents = await info.context.loaders.file.load_many(ids)
        return [cls.from_document(d) if d is not None and access.can_read(principal, d) else None for d in documents]

    @strawberry.field
    def provenance(self) -> Provenance:
        p = self.document.provenance
        box = None
        if None not in (p.west, p.south, p.east, p.north):
            box = BoundingBox(west=p.west or 0.0, south=p.south or 0.0, east=p.east or 0.0, north=p.north or 0.0)
        location = None
        if p.longitude is not None and p.latitude is not None:
            location = GeoPoint(longitude=p.longitude, latitude=p.latitude)
        time_range = TimeRange(start=p.time_start, end=p.time_end) if (p.time_start or p.time_end) else None
        return Provenance(
            source_kind=p.source_kind,
            sensor_id=p.sensor_id,
            platform=p.platform,
            location=location,
            bbox=box,
            time_range=time_range,
        )

    @strawberry.field
    async def folder(self, info: Info) -> Annotated[Folder, strawberry.lazy("graphql_api.types.folder")] | None:
        from graphql_api.types.folder import Folder

        [folder] = await Folder.load_visible(info, [self.document.folder_id])
        return folder

    @strawberry.field(description="Live shares on it, for those who manage it; empty for everyone else.")
    async def shares(self, info: Info) -> list[Annotated[Share, strawberry.lazy("graphql_api.types.share")]]:
        from graphql_api.types.share import shares_of

        return await shares_of(info, self.document)

    @strawberry.field(description="Its sharing audit trail, newest first, for those who manage it.")
    async def share_events(
        self, info: Info, first: First = DEFAULT_PAGE, after: After = None
    ) -> Connection[Annotated[ShareEvent, strawberry.lazy("graphql_api.types.share")]]:
        from graphql_api.types.share import share_events_of

        return await share_events_of(info, self.document, first, after)

    @strawberry.field(description="What the caller may do with it.")
    async def viewer_can(self, info: Info) -> ViewerPermissions:
        return await viewer_permissions(info, self.document)

    @strawberry.field(description="The organization that holds it; of one you are not in, its name and slug.")
    async def organization(
        self, info: Info
    ) -> Annotated[Organization, strawberry.lazy("graphql_api.types.organization")] | None:
        from graphql_api.types.organization import Organization

        return await Organization.holding(info, self.document.organisation_id)

    @strawberry.field
    async def owner(self, info: Info) -> Annotated[User, strawberry.lazy("graphql_api.types.user")] | None:
        from graphql_api.types.user import User

        return await User.one_visible(info, self.document.owner_id)

    @strawberry.field(
        description="While it uploads: who, how far and since when, for its uploader and the admins who may end it."
    )
    async def upload_in_progress(self, info: Info) -> UploadInProgress | None:
        principal = await info.context.principal()
        if not transfers.may_end_upload(principal, self.document):
            return None
        return UploadInProgress.from_document(self.document, info, principal)

    @strawberry.field(description="Part size the checksum was computed over: hash the file in parts this long.")
    def checksum_part_size(self) -> BigInt | None:
        upload = self.document.upload
        return BigInt(upload.part_size) if upload.part_count else None

    @strawberry.field(description="The upload in progress, for the person uploading; null otherwise.")
    async def upload(self, info: Info) -> Upload | None:
        principal = await info.context.principal()
        if self.document.status is not FileStatus.UPLOADING or not access.can_reach_upload(principal, self.document):
            return None
        return Upload.from_document(self.document, info)

    @strawberry.field(
        description="A presigned GET URL and the byte ranges to fetch in parallel; null unless AVAILABLE."
    )
    async def download(self, info: Info, part_size: BigInt = DEFAULT_DOWNLOAD_PART) -> Download | None:
        state = info.context.state
        principal = await info.context.principal()
        found = await transfers.download_for(state.blobs, principal, state.limits, self.document, part_size)
        if found is None:
            return None
        await shares.record_access(state.db, principal, self.document)
        PRESIGNED_URLS.labels("download").inc()
        parts = [
            ByteRange(part_number=r.part_number, range_start=BigInt(r.start), range_end=BigInt(r.end))
            for r in found.parts
        ]
        return Download(url=found.url, expires_at=found.expires_at, parts=parts)


@strawberry.type(name="Upload")
class Upload(VisibleNode):
    id: relay.NodeID[str]
    part_size: BigInt
    part_count: int
    expires_at: datetime = strawberry.field(description="When the part URLs handed out with this answer expire.")
    abandoned_after: datetime = strawberry.field(
        description="Without activity (API calls or parts arriving) until then, the upload is aborted."
    )
    parts: list[PartUrl] = strawberry.field(description="Signed part URLs, for the parts whose checksums were given.")
    document: strawberry.Private[FileDocument]

    @classmethod
    def from_document(cls, document: FileDocument, info: Info, parts: list[PartUrl] | None = None) -> Upload:
        upload = document.upload
        limits = info.context.state.limits
        return cls(
            id=str(document.id),
            part_size=BigInt(upload.part_size),
            part_count=upload.part_count,
            expires_at=datetime.now(UTC) + timedelta(seconds=limits.upload_url_seconds),
            abandoned_after=_abandoned_after(document, info),
            parts=parts or [],
            document=document,
        )

    @classmethod
    async def load_visible(cls, info: Info, ids: list[ObjectId]) -> list[Upload | None]:
        principal = await info.context.principal()
        documents = await info.context.loaders.file.load_many(ids)
        return [
            cls.from_document(d, info)
            if d is not None and d.status is FileStatus.UPLOADING and access.can_reach_upload(principal, d)
            else None
            for d in documents
        ]

    @strawberry.field
    def file(self) -> File:
        return File.from_document(self.document)

    @strawberry.field(description="Parts the object store already holds: resume by sending only the others.")
    async def uploaded_parts(self, info: Info) -> list[UploadedPart]:
        state = info.context.state
        principal = await info.context.principal()
        held = await transfers.uploaded_parts(state.db, state.blobs, principal, self.document)
        return [
            UploadedPart(
                part_number=p.number,
                size=BigInt(p.size),
                etag=p.etag,
                checksum_sha256=p.sha256,
                last_modified=p.last_modified,
            )
            for p in held
        ]


def _abandoned_after(document: FileDocument, info: Info) -> datetime:
    """When an upload with no activity since its last is aborted."""
    return document.upload.last_activity + timedelta(seconds=info.context.state.limits.upload_idle_seconds)


@strawberry.type(description="An upload not finished yet: how far it got, and who may go on with it or end it.")
class UploadInProgress:
    upload_id: relay.GlobalID = strawberry.field(
        description="The Upload: abortUpload ends it; its uploader resumes it."
    )
    part_size: BigInt
    part_count: int
    started_at: datetime
    last_activity: datetime
    abandoned_after: datetime = strawberry.field(description="With no activity until then, it is aborted.")
    viewer_can_resume: bool = strawberry.field(description="The caller started it, and may send its missing parts.")
    document: strawberry.Private[FileDocument]

    @classmethod
    def from_document(cls, document: FileDocument, info: Info, principal: Principal) -> UploadInProgress:
        upload = document.upload
        return cls(
            upload_id=relay.GlobalID("Upload", str(document.id)),
            part_size=BigInt(upload.part_size),
            part_count=upload.part_count,
            started_at=upload.started_at,
            last_activity=upload.last_activity,
            abandoned_after=_abandoned_after(document, info),
            viewer_can_resume=access.can_reach_upload(principal, document),
            document=document,
        )

    @strawberry.field
    def file(self) -> File:
        return File.from_document(self.document)

    @strawberry.field(description="Bytes the object store holds so far.")
    async def stored_bytes(self, info: Info) -> BigInt:
        principal = await info.context.principal()
        held = await transfers.stored_so_far(info.context.state.blobs, principal, self.document)
        return BigInt(sum(p.size for p in held))
