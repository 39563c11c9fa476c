"""Asking for Copernicus data, cancelling, reading: the caller-facing side."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Mapping
from typing import Any

from bson import ObjectId

from resolvers import access, pagination
from resolvers.access import Level
from resolvers.copernicus.catalogue import Catalogues
from resolvers.errors import UserErrorCode, UserFailure
from resolvers.identity import Principal
from resolvers.names import clean_name
from resolvers.pagination import Direction, Page, PageRequest, SortField
from storage import tree
from storage.copernicus import fingerprints, jobs
from storage.models import CopernicusRequest, FileStatus, RequestStatus
from storage.mongo import Database
from upstream.provider import Dataset, Provider

MAX_REQUEST_BYTES = 64 * 1024
FINGERPRINT_WAITS = 20


def fingerprint(service: str, dataset: str, request: Mapping[str, Any]) -> str:
    """Identical requests (keys in any order) share a fingerprint."""
    canonical = json.dumps([service, dataset, request], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


async def request_data(
    db: Database,
    providers: Mapping[str, Provider],
    principal: Principal,
    *,
    service: str,
    dataset: str,
    request: object,
    folder_id: ObjectId | None,
    file_name: str | None,
    catalogues: Catalogues,
    own_key: bool = False,
) -> tuple[CopernicusRequest, bool]:
    """The request, and whether it is the caller's earlier identical one (in flight, or done with
    its File still there; then nothing new was made). ``service`` is a service id
    (``catalogue.service_id``); ``own_key``: the caller has their own key for the service, and it
    is used instead of the platform's."""
    if service not in providers and not own_key:
        raise UserFailure(
            UserErrorCode.SERVICE_NOT_ENABLED,
            f"{service} is not enabled here; set your own key with setCopernicusKey, or ask an operator",
            ["service"],
        )
    if not dataset or len(dataset) > 200 or not all(c.isalnum() or c in "-_." for c in dataset):
        raise UserFailure(UserErrorCode.INVALID, "dataset must be an upstream dataset id", ["dataset"])
    if not isinstance(request, dict):
        raise UserFailure(UserErrorCode.INVALID, "request must be a JSON object", ["request"])
    if len(json.dumps(request)) > MAX_REQUEST_BYTES:
        raise UserFailure(UserErrorCode.INVALID, f"request is limited to {MAX_REQUEST_BYTES} bytes", ["request"])
    folder_org = None
    if folder_id is not None:
        folder = await tree.get_folder(db.engine, folder_id)
        access.require(principal, folder, Level.EDIT, "Folder", "folderId")
        assert folder is not None
        folder_org = folder.organisation_id
    name = clean_name(file_name, "fileName") if file_name else None
    organisation_id = folder_org or access.home_organisation(principal)
    if organisation_id is None:
        raise UserFailure(UserErrorCode.PERMISSION_DENIED, "Copernicus results land in an organisation; you have none")
    # Last, as the only check that may ask the upstream.
    await catalogues.require_dataset(service, providers, dataset)
    print_ = fingerprint(service, dataset, request)
    job_id = ObjectId()
    # Per person, not per organisation: a twin request joins the asker's own earlier one, and
    # never hands back someone else's request (its id, its body, its folder).
    if earlier := await _same_request(db, f"{organisation_id}:{principal.user_id}:{print_}", job_id):
        return earlier, True
    now = principal.now
    job = CopernicusRequest(
        id=job_id,
        owner_id=principal.user_id,
        organisation_id=organisation_id,
        service=service,
        dataset=dataset,
        request=request,
        fingerprint=print_,
        status=RequestStatus.PENDING,
        folder_id=folder_id,
        file_name=name,
        key_owner_id=principal.user_id if own_key else None,
        next_poll_at=now,
        history=[{"status": RequestStatus.PENDING.value, "upstream_status": None, "at": now}],
        version=1,
        created_at=now,
        updated_at=now,
    )
    await jobs.insert(db.engine, job)
    return job, False


async def _same_request(db: Database, key: str, job_id: ObjectId) -> CopernicusRequest | None:
    """The organisation's request with this fingerprint if it is running, or finished with its File
    still there; otherwise ``job_id`` becomes the one for the fingerprint and None is returned."""
    for _ in range(FINGERPRINT_WAITS):
        if await fingerprints.take(db.engine, key, job_id):
            return None
        earlier_id = await fingerprints.holder(db.engine, key)
        earlier = await jobs.get(db.engine, earlier_id) if earlier_id else None
        if earlier is None:
            await asyncio.sleep(0.05)  # a twin submission is storing its request this very moment
            continue
        if not jobs.is_terminal(earlier.status):
            return earlier  # attach to the running one
        if earlier.status is RequestStatus.COMPLETED and earlier.result.file_id:
            file = await tree.get_file(db.engine, earlier.result.file_id)
            if file is not None and file.status is FileStatus.AVAILABLE and file.trash_root_id is None:
                return earlier
        break
    await fingerprints.pass_on(db.engine, key, job_id)
    return None


async def cancel(db: Database, principal: Principal, request_id: ObjectId) -> CopernicusRequest:
    job = await jobs.get(db.engine, request_id)
    if job is None or not access.can_see_request(principal, job):
        raise UserFailure(UserErrorCode.NOT_FOUND, "request not found", ["id"])
    if not access.can_cancel_request(principal, job):
        raise UserFailure(UserErrorCode.PERMISSION_DENIED, "only its requester or an admin may cancel it", ["id"])
    if not await jobs.request_cancel(db.engine, job, principal.now):
        raise UserFailure(UserErrorCode.ALREADY_ENDED, "the request has already finished", ["id"])
    return job


async def visible(db: Database, principal: Principal, request_id: ObjectId) -> CopernicusRequest | None:
    job = await jobs.get(db.engine, request_id)
    return job if job is not None and access.can_see_request(principal, job) else None


async def mine(
    db: Database, principal: Principal, statuses: list[RequestStatus] | None, first: int, after: str | None
) -> Page[CopernicusRequest]:
    request = PageRequest(first, after, SortField.CREATED_AT, Direction.DESC).checked()
    found = await jobs.of_owner(db.engine, principal.user_id, statuses or [], pagination.window(request))
    return pagination.page_of(request, found, lambda j: j.created_at, lambda j: j.id)


def search_datasets(datasets: list[Dataset], search: str | None) -> list[Dataset]:
    if not search:
        return datasets
    needle = search.casefold()
    return [d for d in datasets if needle in d.id.casefold() or needle in d.title.casefold()]
