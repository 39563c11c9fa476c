"""Transfer mutations: createUpload, uploadPartUrls, completeUpload, abortUpload."""

from __future__ import annotations

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from graphql_api.context import Info
from graphql_api.mutations.files import ProvenanceInput
from graphql_api.types import ids
from graphql_api.types.common import BigInt, UserError, attempt
from graphql_api.types.file import File, PartUrl, Upload
from resolvers import transfers
from resolvers.errors import UserErrorCode, UserFailure

MAX_COMPLETE_PARTS = transfers.MAX_PARTS


@strawberry.input
class CreateUploadInput:
    folder_id: relay.GlobalID
    name: str
    size: BigInt
    content_type: str | None = None
    part_size: BigInt | None = strawberry.field(
        default=None, description="5 MiB to 5 GiB; chosen by the server if null."
    )
    checksum: str | None = strawberry.field(
        default=None, description="Expected composite SHA-256 ('<base64>-<parts>'), checked at completion."
    )
    part_checksums: list[str] = strawberry.field(
        default_factory=list,
        description="Base64 SHA-256 of parts 1, 2, … (up to 1000): their URLs come back at once.",
    )
    metadata: JSON | None = None
    provenance: ProvenanceInput | None = None


@strawberry.input
class PartChecksumInput:
    part_number: int
    checksum_sha256: str


@strawberry.input
class UploadPartUrlsInput:
    upload_id: relay.GlobalID
    parts: list[PartChecksumInput] = strawberry.field(description="At most 1000 per call.")


@strawberry.input
class CompletedPartInput:
    part_number: int
    etag: str


@strawberry.input
class CompleteUploadInput:
    upload_id: relay.GlobalID
    parts: list[CompletedPartInput]


@strawberry.input
class AbortUploadInput:
    upload_id: relay.GlobalID


@strawberry.type
class CreateUploadPayload:
    upload: Upload | None
    file: File | None
    user_errors: list[UserError]


@strawberry.type
class UploadPartUrlsPayload:
    upload: Upload | None
    user_errors: list[UserError]


@strawberry.type
class CompleteUploadPayload:
    file: File | None
    user_errors: list[UserError]


@strawberry.type
class AbortUploadPayload:
    aborted_upload_id: relay.GlobalID | None
    user_errors: list[UserError]


def _cap(items: list[object], limit: int, field: str) -> None:
    if len(items) > limit:
        raise UserFailure(UserErrorCode.PART_INVALID, f"at most {limit} entries", [field])


@strawberry.type
class UploadMutations:
    @strawberry.mutation(
        description="Start an upload: the File (UPLOADING), its multipart upload, the first part URLs."
    )
    async def create_upload(self, info: Info, input: CreateUploadInput) -> CreateUploadPayload:
        async def run() -> tuple[File, Upload]:
            principal = await info.context.principal()
            state = info.context.state
            _cap(list(input.part_checksums), transfers.MAX_URLS_PER_CALL, "partChecksums")
            document, urls = await transfers.create_upload(
                state.db,
                state.blobs,
                principal,
                state.limits,
                folder_id=ids.input_id(input.folder_id, "Folder", "folderId"),
                name=input.name,
                size=input.size,
                content_type=input.content_type,
                part_size=input.part_size,
                checksum=input.checksum,
                part_checksums=input.part_checksums,
                metadata=input.metadata,
                provenance=input.provenance.to_provenance() if input.provenance else None,
            )
            return File.from_document(document), Upload.from_document(
                document, info, [PartUrl.from_part(u) for u in urls]
            )

        done, errors = await attempt(run)
        return CreateUploadPayload(file=done[0] if done else None, upload=done[1] if done else None, user_errors=errors)

    @strawberry.mutation(description="Sign URLs for more parts; each URL requires the part's SHA-256 header.")
    async def upload_part_urls(self, info: Info, input: UploadPartUrlsInput) -> UploadPartUrlsPayload:
        async def run() -> Upload:
            principal = await info.context.principal()
            state = info.context.state
            _cap(list(input.parts), transfers.MAX_URLS_PER_CALL, "parts")
            file_id = ids.input_id(input.upload_id, "Upload", "uploadId")
            wanted = [transfers.PartChecksum(p.part_number, p.checksum_sha256) for p in input.parts]
            urls = await transfers.upload_part_urls(state.db, state.blobs, principal, state.limits, file_id, wanted)
            document = await transfers.my_upload(state.db, principal, file_id)
            return Upload.from_document(document, info, [PartUrl.from_part(u) for u in urls])

        upload, errors = await attempt(run)
        return UploadPartUrlsPayload(upload=upload, user_errors=errors)

    @strawberry.mutation(description="Finish an upload: the parts are checked, assembled and the file is AVAILABLE.")
    async def complete_upload(self, info: Info, input: CompleteUploadInput) -> CompleteUploadPayload:
        async def run() -> File:
            principal = await info.context.principal()
            state = info.context.state
            _cap(list(input.parts), MAX_COMPLETE_PARTS, "parts")
            parts = [transfers.CompletedPart(p.part_number, p.etag) for p in input.parts]
            file_id = ids.input_id(input.upload_id, "Upload", "uploadId")
            return File.from_document(await transfers.complete_upload(state.db, state.blobs, principal, file_id, parts))

        file, errors = await attempt(run)
        return CompleteUploadPayload(file=file, user_errors=errors)

    @strawberry.mutation(description="Give up an upload: its parts and its File are removed.")
    async def abort_upload(self, info: Info, input: AbortUploadInput) -> AbortUploadPayload:
        async def run() -> relay.GlobalID:
            principal = await info.context.principal()
            state = info.context.state
            file_id = ids.input_id(input.upload_id, "Upload", "uploadId")
            await transfers.abort_upload(state.db, state.blobs, principal, file_id)
            return input.upload_id

        aborted, errors = await attempt(run)
        return AbortUploadPayload(aborted_upload_id=aborted, user_errors=errors)
