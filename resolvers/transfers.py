"""Uploads and downloads by presigned S3 URLs: the API signs, clients move the bytes.

Integrity: every part URL signs the part's SHA-256 (``x-amz-checksum-sha256``), so S3
refuses a part whose bytes differ from what the client hashed before sending. The file's
checksum is S3's composite: base64(SHA-256 of the concatenated part digests) + ``-<parts>``.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import hashlib
import math
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from botocore.exceptions import ClientError
from bson import ObjectId

from resolvers import access, personal, placement, serial
from resolvers.access import Level
from resolvers.errors import BadInput, UserErrorCode, UserFailure
from resolvers.identity import Principal
from resolvers.metadata import ProvenanceIn, checked_metadata, checked_provenance
from resolvers.names import clean_name
from storage import guards, lookups, tree
from storage.blobs import BlobStore, UploadedPart
from storage.models import File, FileStatus, Folder, Provenance, Upload, name_key
from storage.mongo import Database

MiB = 1024 * 1024
GiB = 1024 * MiB
MIN_PART = 5 * MiB
MAX_PART = 5 * GiB
MAX_PARTS = 10_000
DEFAULT_MIN_PART = 16 * MiB
MAX_URLS_PER_CALL = 1000
_CONTENT_TYPE = re.compile(r"^[\w.+-]+/[\w.+-]+(\s*;\s*[\w.+-]+=[\w.+\"-]+)*$")
_COMPOSITE = re.compile(r"^[A-Za-z0-9+/]{43}=-\d{1,5}$")


@dataclass(frozen=True)
class TransferLimits:
    max_object_bytes: int = 5 * 1024 * GiB
    upload_url_seconds: int = 3600
    download_url_seconds: int = 60
    upload_idle_seconds: int = 24 * 3600


@dataclass(frozen=True)
class PartUrl:
    part_number: int
    url: str
    headers: list[tuple[str, str]]


@dataclass(frozen=True)
class PartChecksum:
    part_number: int
    sha256: str


@dataclass(frozen=True)
class CompletedPart:
    part_number: int
    etag: str


@dataclass(frozen=True)
class ByteRange:
    part_number: int
    start: int
    end: int


@dataclass(frozen=True)
class Download:
    url: str
    expires_at: datetime
    parts: list[ByteRange]


def choose_part_size(size: int, requested: int | None) -> int:
    if requested is not None:
        if not MIN_PART <= requested <= MAX_PART:
            raise UserFailure(
                UserErrorCode.PART_SIZE_INVALID, f"part size must be {MIN_PART} to {MAX_PART} bytes", ["partSize"]
            )
        if size > 0 and math.ceil(size / requested) > MAX_PARTS:
            raise UserFailure(
                UserErrorCode.PART_SIZE_INVALID, f"at most {MAX_PARTS} parts: use a larger part size", ["partSize"]
            )
        return requested
    needed = math.ceil(size / MAX_PARTS)
    return max(DEFAULT_MIN_PART, math.ceil(needed / MiB) * MiB)


def composite_checksum(part_digests: Sequence[str]) -> str:
    """S3's composite SHA-256 from the parts' base64 digests."""
    joined = b"".join(base64.b64decode(d) for d in part_digests)
    return f"{base64.b64encode(hashlib.sha256(joined).digest()).decode()}-{len(part_digests)}"


def _checked_sha256(value: str, field: list[str]) -> str:
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise UserFailure(UserErrorCode.CHECKSUM_INVALID, "a part checksum is the base64 SHA-256 of its bytes", field)
    return value


@dataclass(frozen=True)
class UploadRequest:
    """One upload to start, as createUpload(s) takes it."""

    folder_id: ObjectId
    name: str
    size: int
    content_type: str | None = None
    part_size: int | None = None
    checksum: str | None = None
    part_checksums: Sequence[str] = ()
    metadata: object | None = None
    provenance: ProvenanceIn | None = None


Started = tuple[File, list[PartUrl]]
MAX_UPLOADS_PER_CALL = 50


@dataclass
class _Pending:
    file: File
    digests: list[str]  # of its first parts, whose URLs come back at once


async def create_upload(
    db: Database, blobs: BlobStore, principal: Principal, limits: TransferLimits, request: UploadRequest
) -> Started:
    [started] = await create_uploads(db, blobs, principal, limits, [request])
    if isinstance(started, UserFailure):
        raise started
    return started


async def create_uploads(
    db: Database, blobs: BlobStore, principal: Principal, limits: TransferLimits, requests: Sequence[UploadRequest]
) -> list[Started | UserFailure]:
    """Start uploads, each checked and refused on its own, in the order asked.

    The multipart uploads begin side by side before the organisation's guard, which is then
    taken once for all the files it holds (every upload start and completion in an
    organisation waits on it); one that cannot be placed gives its multipart upload back.
    """
    stamp = tree.now()
    folders = {f.id: f for f in await tree.get_folders(db.engine, list({r.folder_id for r in requests}))}
    outcomes: list[_Pending | UserFailure] = []
    for request in requests:
        try:
            outcomes.append(_prepared(principal, limits, folders.get(request.folder_id), request, stamp))
        except UserFailure as failure:
            outcomes.append(failure)
    ready = [o.file for o in outcomes if isinstance(o, _Pending)]
    placed: set[ObjectId] = set()
    try:
        # A group: when one start fails the others are stopped, and all that began is given back.
        async with asyncio.TaskGroup() as group:
            for file in ready:
                group.create_task(_begin(blobs, file))
        for organisation_id in dict.fromkeys(f.organisation_id for f in ready):
            async with serial.tree(db, organisation_id):
                await _place_uploads(db, principal, organisation_id, outcomes, placed)
    finally:
        lost = [(f.blob_key, f.upload.upload_id) for f in ready if f.id not in placed and f.upload.upload_id]
        await asyncio.shield(asyncio.gather(*(blobs.abort_multipart(key, upload) for key, upload in lost)))
    return [
        (o.file, await _sign(blobs, o.file, [PartChecksum(i + 1, d) for i, d in enumerate(o.digests)], limits))
        if isinstance(o, _Pending)
        else o
        for o in outcomes
    ]


def _prepared(
    principal: Principal, limits: TransferLimits, folder: Folder | None, request: UploadRequest, stamp: datetime
) -> _Pending:
    """The File an upload request makes, checked, and its parts' digests; nothing stored yet."""
    access.require(principal, folder, Level.EDIT, "Folder", "folderId")
    assert folder is not None
    if folder.trash_root_id is not None:
        raise UserFailure(UserErrorCode.IN_TRASH, "the folder is in the trash", ["folderId"])
    clean = clean_name(request.name)
    size = request.size
    if not 0 <= size <= limits.max_object_bytes:
        raise UserFailure(UserErrorCode.SIZE_INVALID, f"size must be 0 to {limits.max_object_bytes} bytes", ["size"])
    media_type = (request.content_type or "application/octet-stream").strip()
    if len(media_type) > 255 or not _CONTENT_TYPE.match(media_type):
        raise UserFailure(UserErrorCode.INVALID, "content type must look like type/subtype", ["contentType"])
    chosen = choose_part_size(size, request.part_size)
    part_count = math.ceil(size / chosen) if size else 0
    if request.checksum is not None and not _COMPOSITE.match(request.checksum):
        raise UserFailure(
            UserErrorCode.CHECKSUM_INVALID, "checksum must be S3's composite '<base64>-<parts>'", ["checksum"]
        )
    if len(request.part_checksums) > min(part_count, MAX_URLS_PER_CALL):
        raise UserFailure(UserErrorCode.PART_INVALID, "more part checksums than parts", ["partChecksums"])
    digests = [_checked_sha256(c, ["partChecksums", str(i)]) for i, c in enumerate(request.part_checksums)]
    clean_metadata = checked_metadata(request.metadata) if request.metadata is not None else {}
    clean_provenance = checked_provenance(request.provenance) if request.provenance is not None else None
    file = File(
        id=ObjectId(),
        name=clean,
        name_key=name_key(clean),
        organisation_id=folder.organisation_id,
        folder_id=folder.id,
        owner_id=principal.user_id,
        size=size,
        content_type=media_type,
        checksum=request.checksum,
        blob_key=uuid.uuid4().hex,
        status=FileStatus.UPLOADING,
        upload=Upload(upload_id=None, part_size=chosen, part_count=part_count, started_at=stamp, last_activity=stamp),
        metadata=clean_metadata,
        provenance=clean_provenance or Provenance(),
        created_at=stamp,
        updated_at=stamp,
    )
    return _Pending(file, digests)


async def _begin(blobs: BlobStore, file: File) -> None:
    if file.size > 0:
        file.upload.upload_id = await blobs.create_multipart(file.blob_key, file.content_type)


async def _place_uploads(
    db: Database,
    principal: Principal,
    organisation_id: ObjectId,
    outcomes: list[_Pending | UserFailure],
    placed: set[ObjectId],
) -> None:
    """Under the organisation's guard: place each of its files, read again here (the folder, the
    caller's upload allowance, with what the batch reserved before counted); a refusal replaces
    that file's outcome."""
    mine = {
        i: o.file
        for i, o in enumerate(outcomes)
        if isinstance(o, _Pending) and o.file.organisation_id == organisation_id
    }
    folders = {f.id: f for f in await tree.get_folders(db.engine, list({f.folder_id for f in mine.values()}))}
    held: int | None = None
    for i, file in mine.items():
        try:
            folder = folders.get(file.folder_id)
            access.require(principal, folder, Level.EDIT, "Folder", "folderId")
            assert folder is not None
            allowance = access.upload_allowance(principal, folder)
            if allowance is not None:
                if held is None:
                    held = await tree.open_upload_bytes(db.engine, principal.user_id, organisation_id)
                if held + file.size > allowance:
                    raise UserFailure(
                        UserErrorCode.ALLOWANCE_EXCEEDED,
                        "the share's upload allowance does not leave room for this file while your other uploads "
                        "here are in progress: finish or cancel them, or ask the sharer for a larger allowance",
                        ["size"],
                    )
            try:
                await placement.place(db, file, folder)
            except tree.NameTaken:
                raise UserFailure(
                    UserErrorCode.NAME_TAKEN, f"a file named {file.name!r} already exists here", ["name"]
                ) from None
            placed.add(file.id)
            if held is not None:
                held += file.size
        except UserFailure as failure:
            outcomes[i] = failure


async def _sign(blobs: BlobStore, file: File, parts: Sequence[PartChecksum], limits: TransferLimits) -> list[PartUrl]:
    if not parts or file.upload.upload_id is None:
        return []
    upload_id = file.upload.upload_id
    credentials = await blobs.credentials()
    return [
        PartUrl(
            part.part_number,
            blobs.part_url(
                credentials, file.blob_key, upload_id, part.part_number, part.sha256, limits.upload_url_seconds
            ),
            [("x-amz-checksum-sha256", part.sha256)],
        )
        for part in parts
    ]


async def my_upload(
    db: Database, principal: Principal, file_id: ObjectId, field: str = "uploadId", *, managers_too: bool = False
) -> File:
    """The caller's own upload in progress; someone else's is not found.

    With ``managers_too`` (aborting), the admins of the organisation the bytes are reserved
    in reach it as well: a grantee's upload into a shared folder counts against that
    organisation's quota, so its admins must be able to end it.
    """
    file = await tree.get_file(db.engine, file_id)
    if file is None or not access.can_reach_upload(principal, file, ending=managers_too):
        raise UserFailure(UserErrorCode.NOT_FOUND, "upload not found", [field])
    if file.status is not FileStatus.UPLOADING:
        raise UserFailure(UserErrorCode.UPLOAD_NOT_ACTIVE, "this upload is already completed or aborted", [field])
    return file


async def _touch(db: Database, file: File, when: datetime | None = None) -> None:
    """Record activity on an upload. Best effort: a busy tree skips it (the sweeper also asks S3)."""
    try:
        async with guards.organisation(db.engine, file.organisation_id, wait_seconds=2.0):
            await tree.touch_upload(db.engine, file.id, when)
    except guards.Busy:
        pass


async def upload_part_urls(
    db: Database,
    blobs: BlobStore,
    principal: Principal,
    limits: TransferLimits,
    file_id: ObjectId,
    parts: Sequence[PartChecksum],
) -> list[PartUrl]:
    file = await my_upload(db, principal, file_id)
    if len(parts) > MAX_URLS_PER_CALL:
        raise UserFailure(UserErrorCode.PART_INVALID, f"at most {MAX_URLS_PER_CALL} parts per call", ["parts"])
    count = file.upload.part_count if file.upload else 0
    seen: set[int] = set()
    for index, part in enumerate(parts):
        if not 1 <= part.part_number <= count or part.part_number in seen:
            raise UserFailure(
                UserErrorCode.PART_INVALID,
                f"part numbers run from 1 to {count}, each at most once",
                ["parts", str(index), "partNumber"],
            )
        seen.add(part.part_number)
        _checked_sha256(part.sha256, ["parts", str(index), "checksumSha256"])
    await _touch(db, file)
    return await _sign(blobs, file, parts, limits)


MAX_LISTED_UPLOADS = 50


async def uploads_in_progress(db: Database, principal: Principal, folder: Folder) -> list[File]:
    """The uploads in progress into ``folder`` that the caller may end: their own, and, for the
    admins of the organisation whose storage they hold, everyone's."""
    if not access.can_read(principal, folder):
        return []
    found = await tree.uploads_in(db.engine, folder.id, MAX_LISTED_UPLOADS)
    return [f for f in found if may_end_upload(principal, f)]


def may_end_upload(principal: Principal, file: File) -> bool:
    """``file`` is uploading and the caller may see how far it got and end it (its uploader, the admins)."""
    return file.status is FileStatus.UPLOADING and access.can_reach_upload(principal, file, ending=True)


async def stored_so_far(blobs: BlobStore, principal: Principal, file: File) -> list[UploadedPart]:
    """The parts of an upload in progress the store holds, for those who may end it (how far it got)."""
    if not may_end_upload(principal, file):
        return []
    return await _held(blobs, file)


async def uploaded_parts(db: Database, blobs: BlobStore, principal: Principal, file: File) -> list[UploadedPart]:
    if file.status is not FileStatus.UPLOADING or not access.can_reach_upload(principal, file):
        return []
    if file.upload.upload_id is not None:
        await _touch(db, file)
    return await _held(blobs, file)


async def _held(blobs: BlobStore, file: File) -> list[UploadedPart]:
    if file.upload.upload_id is None:
        return []
    try:
        return await blobs.list_parts(file.blob_key, file.upload.upload_id)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "NoSuchUpload":
            return []
        raise


def _expected_part_sizes(file: File) -> list[int]:
    sizes = [file.upload.part_size] * file.upload.part_count
    if sizes:
        sizes[-1] = file.size - file.upload.part_size * (file.upload.part_count - 1)
    return sizes


async def complete_upload(
    db: Database, blobs: BlobStore, principal: Principal, file_id: ObjectId, parts: Sequence[CompletedPart]
) -> File:
    [done] = await complete_uploads(db, blobs, principal, [(file_id, parts)])
    if isinstance(done, UserFailure):
        raise done
    return done


Completion = tuple[ObjectId, Sequence[CompletedPart]]


async def complete_uploads(
    db: Database, blobs: BlobStore, principal: Principal, items: Sequence[Completion]
) -> list[File | UserFailure]:
    """Finish uploads, each checked and refused on its own, in the order asked.

    Each is held by its own ending guard (taken in id order, so two calls never wait on each
    other in a circle) while the parts of all are checked and assembled side by side; then the
    organisation's guard is taken once to mark them all AVAILABLE.
    """
    outcomes: dict[int, File | UserFailure] = {}
    async with contextlib.AsyncExitStack() as held:
        ending: dict[int, File] = {}
        seen: set[ObjectId] = set()
        for index in sorted(range(len(items)), key=lambda i: items[i][0]):
            file_id = items[index][0]
            try:
                if file_id in seen:
                    raise UserFailure(UserErrorCode.INVALID, "this upload is listed twice", ["uploadId"])
                seen.add(file_id)
                await my_upload(db, principal, file_id)
                await held.enter_async_context(serial.upload_ending(db, file_id))
                # Read again inside the guard: an abort or another completion may have ended it meanwhile.
                ending[index] = await my_upload(db, principal, file_id)
            except UserFailure as failure:
                outcomes[index] = failure
        # A group: when one fails unexpectedly the others stop before their guards are given back.
        async with asyncio.TaskGroup() as group:
            assembling = [group.create_task(_assembled(db, blobs, f, items[i][1])) for i, f in ending.items()]
        checksums = [task.result() for task in assembling]
        ready = {
            i: (f, c) for (i, f), c in zip(ending.items(), checksums, strict=True) if not isinstance(c, UserFailure)
        }
        outcomes |= {i: c for i, c in zip(ending, checksums, strict=True) if isinstance(c, UserFailure)}
        for organisation_id in dict.fromkeys(f.organisation_id for f, _ in ready.values()):
            async with serial.tree(db, organisation_id):
                for i, (file, checksum) in ready.items():
                    if file.organisation_id == organisation_id and not await tree.mark_available(
                        db.engine, file.id, checksum
                    ):
                        outcomes[i] = UserFailure(
                            UserErrorCode.UPLOAD_NOT_ACTIVE, "this upload is already completed or aborted", ["uploadId"]
                        )
    marked = [i for i in ready if i not in outcomes]
    for i, found in zip(
        marked, await lookups.find_by_ids(db.engine, File, [ready[i][0].id for i in marked]), strict=True
    ):
        assert found is not None
        outcomes[i] = found
    await personal.noted(db, principal, [f for i in marked if isinstance(f := outcomes[i], File)])
    return [outcomes[i] for i in range(len(items))]


async def _assembled(
    db: Database, blobs: BlobStore, file: File, parts: Sequence[CompletedPart]
) -> str | UserFailure | None:
    try:
        return await _assemble(db, blobs, file, parts)
    except UserFailure as failure:
        return failure


async def _assemble(db: Database, blobs: BlobStore, file: File, parts: Sequence[CompletedPart]) -> str | None:
    """Check the parts and have the store put the object together; its composite checksum."""
    if file.trash_root_id is not None:
        raise UserFailure(UserErrorCode.IN_TRASH, "the folder of this upload is in the trash", ["uploadId"])
    if file.upload.upload_id is None:
        if parts:
            raise UserFailure(UserErrorCode.PART_INVALID, "an empty file has no parts", ["parts"])
        return await blobs.put_empty(file.blob_key, file.content_type) or file.checksum
    expected = _expected_part_sizes(file)
    numbers = [p.part_number for p in parts]
    if sorted(numbers) != list(range(1, len(expected) + 1)):
        if len(set(numbers)) != len(numbers) or any(not 1 <= n <= len(expected) for n in numbers):
            raise UserFailure(
                UserErrorCode.PART_INVALID, f"part numbers run from 1 to {len(expected)}, each once", ["parts"]
            )
        missing = sorted(set(range(1, len(expected) + 1)) - set(numbers))
        raise UserFailure(UserErrorCode.PARTS_MISSING, f"parts missing from the list: {missing[:20]}", ["parts"])
    try:
        stored = {p.number: p for p in await blobs.list_parts(file.blob_key, file.upload.upload_id)}
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "NoSuchUpload":
            raise UserFailure(
                UserErrorCode.UPLOAD_NOT_ACTIVE, "this upload is no longer active", ["uploadId"]
            ) from None
        raise
    not_uploaded = [n for n in range(1, len(expected) + 1) if n not in stored]
    if not_uploaded:
        raise UserFailure(UserErrorCode.PARTS_MISSING, f"parts not uploaded yet: {not_uploaded[:20]}", ["parts"])
    for index, part in enumerate(sorted(parts, key=lambda p: p.part_number)):
        held = stored[part.part_number]
        if part.etag.strip().strip('"') != held.etag:
            raise UserFailure(
                UserErrorCode.PART_INVALID,
                f"etag of part {part.part_number} does not match",
                ["parts", str(index), "etag"],
            )
        if held.size != expected[part.part_number - 1]:
            raise UserFailure(
                UserErrorCode.SIZE_MISMATCH,
                f"part {part.part_number} holds {held.size} bytes, expected {expected[part.part_number - 1]}",
                ["parts", str(index)],
            )
    ordered = [stored[n] for n in range(1, len(expected) + 1)]
    composite = composite_checksum([p.sha256 or "" for p in ordered]) if all(p.sha256 for p in ordered) else None
    if file.checksum is not None and composite != file.checksum:
        raise UserFailure(
            UserErrorCode.CHECKSUM_MISMATCH, "the parts do not add up to the declared checksum", ["parts"]
        )
    try:
        assembled = await blobs.complete_multipart(file.blob_key, file.upload.upload_id, ordered)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "NoSuchUpload":
            raise UserFailure(
                UserErrorCode.UPLOAD_NOT_ACTIVE, "this upload is already completed", ["uploadId"]
            ) from None
        raise
    if composite is not None and assembled is not None and assembled != composite:
        # The store put together other bytes than the parts it acknowledged: keep none of it.
        await blobs.delete_many([file.blob_key])
        async with serial.tree(db, file.organisation_id):
            if await tree.delete_uploading(db.engine, file.id):
                await tree.add_usage(db.engine, file.organisation_id, -file.size)
        raise UserFailure(
            UserErrorCode.CHECKSUM_MISMATCH,
            f"the store's checksum of the assembled file ({assembled}) is not its parts' ({composite}); "
            "nothing was kept: upload it again",
            ["parts"],
        )
    info = await blobs.head(file.blob_key)
    if info is None or info.size != file.size:
        raise RuntimeError(
            f"object {file.blob_key} has {info and info.size} bytes after completion, expected {file.size}"
        )
    return composite


async def abort_upload(db: Database, blobs: BlobStore, principal: Principal, file_id: ObjectId) -> File:
    await my_upload(db, principal, file_id, managers_too=True)
    async with serial.upload_ending(db, file_id):
        file = await my_upload(db, principal, file_id, managers_too=True)
        await _discard(db, blobs, file)
    return file


async def discard_upload(db: Database, blobs: BlobStore, file: File) -> bool:
    """End an upload in progress by aborting it; True when this call ended it."""
    async with guards.upload(db.engine, file.id):
        current = await tree.get_file(db.engine, file.id)
        if current is None or current.status is not FileStatus.UPLOADING:
            return False
        return await _discard(db, blobs, current)


async def _discard(db: Database, blobs: BlobStore, file: File) -> bool:
    """Inside the upload's ending guard: abort the multipart upload, remove the File, release its bytes."""
    if file.upload.upload_id is not None:
        await blobs.abort_multipart(file.blob_key, file.upload.upload_id)
    async with serial.tree(db, file.organisation_id):
        if await tree.delete_uploading(db.engine, file.id):
            await tree.add_usage(db.engine, file.organisation_id, -file.size)
            return True
    return False


async def sweep_abandoned(db: Database, blobs: BlobStore, idle: timedelta, batch: int = 100) -> int:
    """Abort uploads with no activity for ``idle``; activity includes parts arriving at S3."""
    cutoff = tree.now() - idle
    removed = 0
    for file in await tree.idle_uploads(db.engine, cutoff, batch):
        latest = None
        if file.upload.upload_id is not None:
            try:
                held = await blobs.list_parts(file.blob_key, file.upload.upload_id)
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") != "NoSuchUpload":
                    raise
                held = []
            latest = max((p.last_modified for p in held), default=None)
        if latest is not None and latest > cutoff:
            await _touch(db, file, latest)
            continue
        try:
            if await discard_upload(db, blobs, file):
                removed += 1
        except (guards.Busy, UserFailure):
            continue  # being completed or aborted right now: the next sweep looks again
    return removed


def download(blobs_url: str, file: File, part_size: int, expires_at: datetime) -> Download:
    if not MiB <= part_size <= MAX_PART:
        raise BadInput(f"partSize must be {MiB} to {MAX_PART} bytes")
    if math.ceil(file.size / part_size) > MAX_PARTS:
        raise BadInput(f"at most {MAX_PARTS} ranges: use a larger partSize")
    ranges = [
        ByteRange(i + 1, start, min(start + part_size, file.size) - 1)
        for i, start in enumerate(range(0, file.size, part_size))
    ]
    return Download(blobs_url, expires_at, ranges)


async def download_for(
    blobs: BlobStore, principal: Principal, limits: TransferLimits, file: File, part_size: int
) -> Download | None:
    """A presigned GET for an available file the caller may read; None otherwise."""
    if file.status is not FileStatus.AVAILABLE or not access.can_read(principal, file):
        return None
    credentials = await blobs.credentials()
    url = blobs.download_url(credentials, file.blob_key, limits.download_url_seconds, file.name, file.content_type)
    return download(url, file, part_size, tree.now() + timedelta(seconds=limits.download_url_seconds))
