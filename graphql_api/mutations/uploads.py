"""Transfer mutations: createUpload(s), uploadPartUrls, completeUpload(s), abortUpload."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

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
from storage.models import File as FileDocument

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

    def request(self) -> transfers.UploadRequest:
        _cap(list(self.part_checksums), transfers.MAX_URLS_PER_CALL, "partChecksums")
        return transfers.UploadRequest(
            folder_id=ids.input_id(self.folder_id, "Folder", "folderId"),
            name=self.name,
            size=self.size,
            content_type=self.content_type,
            part_size=self.part_size,
            checksum=self.checksum,
            part_checksums=self.part_checksums,
            metadata=self.metadata,
            provenance=self.provenance.to_provenance() if self.provenance else None,
        )


@strawberry.input
class CreateUploadsInput:
    uploads: list[CreateUploadInput] = strawberry.field(description="At most 50.")


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

    def completion(self) -> transfers.Completion:
        _cap(list(self.parts), MAX_COMPLETE_PARTS, "parts")
        parts = [transfers.CompletedPart(p.part_number, p.etag) for p in self.parts]
        return ids.input_id(self.upload_id, "Upload", "uploadId"), parts


@strawberry.input
class CompleteUploadsInput:
    uploads: list[CompleteUploadInput] = strawberry.field(description="At most 50.")


@strawberry.input
class AbortUploadInput:
    upload_id: relay.GlobalID


@strawberry.type
class CreateUploadPayload:
    upload: Upload | None
    file: File | None
    user_errors: list[UserError]


@strawberry.type
class CreateUploadsPayload:
    results: list[CreateUploadPayload] = strawberry.field(description="One per upload asked, in the same order.")
    user_errors: list[UserError] = strawberry.field(description="Refusals of the call as a whole (too many).")


@strawberry.type
class UploadPartUrlsPayload:
    upload: Upload | None
    user_errors: list[UserError]


@strawberry.type
class CompleteUploadPayload:
    file: File | None
    user_errors: list[UserError]


@strawberry.type
class CompleteUploadsPayload:
    results: list[CompleteUploadPayload] = strawberry.field(description="One per upload given, in the same order.")
    user_errors: list[UserError] = strawberry.field(description="Refusals of the call as a whole (too many).")


@strawberry.type
class AbortUploadPayload:
    aborted_upload_id: relay.GlobalID | None
    user_errors: list[UserError]


def _cap(items: list[object], limit: int, field: str, code: UserErrorCode = UserErrorCode.PART_INVALID) -> None:
    if len(items) > limit:
        raise UserFailure(code, f"at most {limit} entries", [field])


In = TypeVar("In")
Asked = TypeVar("Asked")
Out = TypeVar("Out")


async def _each(
    inputs: Sequence[In],
    read: Callable[[In], Asked],
    act: Callable[[list[Asked]], Awaitable[list[Out | UserFailure]]],
) -> list[Out | UserFailure]:
    """A batch: each input read on its own (a malformed one is refused alone, like any other), the
    rest done in one call, the answers in the order given."""
    _cap(list(inputs), transfers.MAX_UPLOADS_PER_CALL, "uploads", UserErrorCode.INVALID)
    asked: list[Asked | UserFailure] = []
    for one in inputs:
        try:
            asked.append(read(one))
        except UserFailure as failure:
            asked.append(failure)
    done = iter(await act([a for a in asked if not isinstance(a, UserFailure)]))
    return [a if isinstance(a, UserFailure) else next(done) for a in asked]


def _shown(started: transfers.Started, info: Info) -> tuple[File, Upload]:
    document, urls = started
    return File.from_document(document), Upload.from_document(document, info, [PartUrl.from_part(u) for u in urls])


def _completed_payload(done: FileDocument | UserFailure) -> CompleteUploadPayload:
    if isinstance(done, UserFailure):
        return CompleteUploadPayload(file=None, user_errors=[UserError.from_failure(done)])
    return CompleteUploadPayload(file=File.from_document(done), user_errors=[])


def _started_payload(started: transfers.Started | UserFailure, info: Info) -> CreateUploadPayload:
    if isinstance(started, UserFailure):
        return CreateUploadPayload(file=None, upload=None, user_errors=[UserError.from_failure(started)])
    file, upload = _shown(started, info)
    return CreateUploadPayload(file=file, upload=upload, user_errors=[])


@strawberry.type
class UploadMutations:
    @strawberry.mutation(
        description="Start an upload: the File (UPLOADING), its multipart upload, the first part URLs."
    )
    async def create_upload(self, info: Info, input: CreateUploadInput) -> CreateUploadPayload:
        async def run() -> tuple[File, Upload]:
            principal = await info.context.principal()
            state = info.context.state
            started = await transfers.create_upload(state.db, state.blobs, principal, state.limits, input.request())
            return _shown(started, info)

        done, errors = await attempt(run)
        return CreateUploadPayload(file=done[0] if done else None, upload=done[1] if done else None, user_errors=errors)

    @strawberry.mutation(
        description="Start several uploads in one call (at most 50), each as createUpload would, in the order given: "
        "one refused does not stop the others. For many small files: one round trip instead of one each."
    )
    async def create_uploads(self, info: Info, input: CreateUploadsInput) -> CreateUploadsPayload:
        async def run() -> list[CreateUploadPayload]:
            principal = await info.context.principal()
            state = info.context.state
            started = await _each(
                input.uploads,
                CreateUploadInput.request,
                lambda asked: transfers.create_uploads(state.db, state.blobs, principal, state.limits, asked),
            )
            return [_started_payload(s, info) for s in started]

        done, errors = await attempt(run)
        return CreateUploadsPayload(results=done or [], user_errors=errors)

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
            file_id, parts = input.completion()
            return File.from_document(await transfers.complete_upload(state.db, state.blobs, principal, file_id, parts))

        file, errors = await attempt(run)
        return CompleteUploadPayload(file=file, user_errors=errors)

    @strawberry.mutation(
        description="Finish several uploads in one call (at most 50), each as completeUpload would, in the order "
        "given: one refused does not stop the others."
    )
    async def complete_uploads(self, info: Info, input: CompleteUploadsInput) -> CompleteUploadsPayload:
        async def run() -> list[CompleteUploadPayload]:
            principal = await info.context.principal()
            state = info.context.state
            done = await _each(
                input.uploads,
                CompleteUploadInput.completion,
                lambda asked: transfers.complete_uploads(state.db, state.blobs, principal, asked),
            )
            return [_completed_payload(d) for d in done]

        done, errors = await attempt(run)
        return CompleteUploadsPayload(results=done or [], user_errors=errors)

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
