"""Where a Copernicus result lands, placed as uploads are (``resolvers.placement``): the same
quota, the same tree guard, and only where its requester may still write when it arrives."""

from __future__ import annotations

from datetime import datetime

from bson import ObjectId

from background.copernicus.extent import of_request as extent_of
from resolvers import access, identity, placement
from resolvers.errors import UserFailure
from storage import guards, lookups, tree
from storage.blobs import BlobStore
from storage.models import (
    CopernicusRequest,
    File,
    FileStatus,
    Folder,
    Organisation,
    Provenance,
    SourceKind,
    Upload,
    name_key,
)
from storage.mongo import Database
from upstream.provider import ErrorCode, ResultLocation, UpstreamError

EXTENSIONS = {
    "application/x-grib": ".grib",
    "application/netcdf": ".nc",
    "application/x-netcdf": ".nc",
    "application/zip": ".zip",
    "application/x-rtcm": ".rtcm",
}


async def room_for(db: Database, job: CopernicusRequest, size: int) -> None:
    """Fail before downloading a result the quota has no room for (placement checks again)."""
    organisation = await lookups.by_id(db.engine, Organisation, job.organisation_id)
    if organisation is None or organisation.quota_bytes is None or size < 0:
        return
    if organisation.usage_bytes + size > organisation.quota_bytes:
        raise UpstreamError(ErrorCode.QUOTA_EXCEEDED, placement.quota_exceeded().message)


async def _target_folder(db: Database, job: CopernicusRequest, now: datetime) -> Folder:
    """Inside the tree guard: the requested folder while it is live and the requester may still
    write there, else the organisation's ``Copernicus`` folder for a member, else a failure."""
    owner = await identity.acting_for(db, job.owner_id, now)
    if job.folder_id is not None and owner is not None:
        folder = await tree.get_folder(db.engine, job.folder_id)
        if folder is not None and folder.trash_root_id is None and access.level(owner, folder) >= access.Level.EDIT:
            return folder
    if owner is None or not access.can_write_in_organisation(owner, job.organisation_id):
        raise UpstreamError(ErrorCode.TARGET_NOT_WRITABLE, "the requester may no longer write to the target folder")
    organisation = await lookups.by_id(db.engine, Organisation, job.organisation_id)
    assert organisation is not None
    assert organisation.root_folder_id is not None
    root = await tree.get_folder(db.engine, organisation.root_folder_id)
    assert root is not None
    found = await tree.live_child_folder(db.engine, root.id, "Copernicus")
    if found is not None:
        return found
    return await tree.insert_folder(db.engine, tree.child_folder(root, "Copernicus", None, now))


async def place(
    db: Database,
    blobs: BlobStore,
    job: CopernicusRequest,
    file_id: ObjectId,
    blob_key: str,
    location: ResultLocation,
    size: int,
    parts: int,
    checksum: str | None,
    part_size: int,
    now: datetime,
) -> File:
    """Place the result as uploads are placed (``resolvers.placement``): same quota, same guard."""
    file = File(
        id=file_id,
        name="-",  # named, and given its folder, when placed
        name_key="-",
        organisation_id=job.organisation_id,
        folder_id=job.folder_id or ObjectId(),
        owner_id=job.owner_id,
        size=size,
        content_type=location.content_type,
        checksum=checksum,
        blob_key=blob_key,
        status=FileStatus.AVAILABLE,
        upload=Upload(
            upload_id=None,
            part_size=part_size,
            part_count=parts,
            started_at=job.created_at,
            last_activity=now,
        ),
        metadata={
            "copernicus": {
                "service": job.service,
                "dataset": job.dataset,
                "request": job.request,
                "upstreamJobId": job.upstream.id,
                "requestId": str(job.id),
            }
        },
        provenance=_provenance(job),
        created_at=now,
        updated_at=now,
    )
    try:
        async with guards.organisation(db.engine, job.organisation_id):
            if (existing := await tree.get_file(db.engine, file_id)) is not None:
                return existing  # placed by an earlier attempt of this very job
            return await _named(db, job, await _target_folder(db, job, now), file, location)
    except guards.Busy:
        raise UpstreamError(ErrorCode.UPSTREAM_FAILED, "the target folders are busy", transient=True) from None
    except (UpstreamError, UserFailure) as failure:
        await blobs.delete_many([blob_key])
        if isinstance(failure, UserFailure):
            raise UpstreamError(ErrorCode.QUOTA_EXCEEDED, failure.message) from None
        raise


async def _named(db: Database, job: CopernicusRequest, folder: Folder, file: File, location: ResultLocation) -> File:
    """Under the first free name of ``name``, ``name-2``, ... in ``folder``."""
    base = job.file_name or f"{job.dataset}-{str(job.upstream.id)[:8]}{EXTENSIONS.get(location.content_type, '.bin')}"
    for attempt in range(1, 50):
        stem, dot, ext = base.rpartition(".")
        file.name = base if attempt == 1 else (f"{stem}-{attempt}.{ext}" if dot and stem else f"{base}-{attempt}")
        file.name_key = name_key(file.name)
        try:
            return await placement.place(db, file, folder)
        except tree.NameTaken:
            continue
    raise UpstreamError(ErrorCode.UPSTREAM_FAILED, "no free file name in the target folder")


def _provenance(job: CopernicusRequest) -> Provenance:
    """Copernicus, the service, and the area and time the request asked for."""
    extent = extent_of(job.request)
    return Provenance(
        source_kind=SourceKind.COPERNICUS,
        platform=job.service,
        west=extent.west,
        south=extent.south,
        east=extent.east,
        north=extent.north,
        time_start=extent.start,
        time_end=extent.end,
    )
