"""The worker: claims due requests by lease, submits, polls in batches, streams results into S3 as Files.

Any number of replicas may run it: a request is touched only by the holder of its lease
(``storage.copernicus.leases``), and every write checks that it still holds it. A worker
that dies leaves a lease that lapses; the next one resumes from the stored state, aborting
any multipart upload the dead one left, so there are no orphans and no duplicate Files.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NoReturn

from bson import ObjectId

from background.copernicus import results
from resolvers.copernicus import keys
from resolvers.transfers import composite_checksum
from storage import lookups, tree
from storage.blobs import BlobStore, UploadedPart
from storage.copernicus import jobs, leases
from storage.models import (
    CopernicusRequest,
    File,
    RequestStatus,
)
from storage.mongo import Database
from storage.secrets import SecretBox
from upstream.provider import ErrorCode, Provider, ResultLocation, UpstreamError
from upstream.registry import Upstreams

log = logging.getLogger(__name__)

MiB = 1024 * 1024


class HandedBack(Exception):
    """A download stopped at shutdown; its job is free for another worker."""


@dataclass(frozen=True)
class WorkerConfig:
    owner: str
    lease: timedelta = timedelta(seconds=60)
    poll_every: timedelta = timedelta(seconds=5)
    idle_sleep: float = 0.5
    batch: int = 100  # claims per upstream account and tick
    scan: int = 5000  # due requests read per tick
    backoff_base: float = 2.0
    backoff_cap: float = 300.0
    max_attempts: int = 8
    part_size: int = 16 * MiB
    concurrency: int = 8  # submissions and downloads in flight at once; memory: one part each


class CancelAsked(Exception):
    """A cancel arrived while the job's download was in hand; carries the job as last written."""

    def __init__(self, job: CopernicusRequest) -> None:
        super().__init__(str(job.id))
        self.job = job


class Worker:
    def __init__(
        self,
        db: Database,
        blobs: BlobStore,
        upstreams: Upstreams,
        box: SecretBox | None,
        config: WorkerConfig,
        clock: Callable[[], datetime],
    ) -> None:
        self.db = db
        self.blobs = blobs
        self.upstreams = upstreams
        self.box = box
        self.config = config
        self.clock = clock
        # Per upstream account, when it may be listed again and its listing failures in a row: a local
        # rate limit, so it runs on the monotonic clock; the injected clock may jump (NTP, tests).
        self._list_after: dict[tuple[str, ObjectId | None], float] = {}
        self._list_failures: dict[tuple[str, ObjectId | None], int] = {}
        self._slots = asyncio.Semaphore(config.concurrency)  # memory: one part per download in flight
        self._inflight: dict[ObjectId, asyncio.Task[None]] = {}  # per job: its submission, download or cancel
        self._cancels: set[ObjectId] = set()  # as of the last tick; downloads in hand look here between chunks
        self._stop = asyncio.Event()

    async def run(self, stop: asyncio.Event, grace: float = 20.0) -> None:
        """Tick until ``stop``; then hand back what is in hand: downloads stop at their next part,
        abort their multipart upload, and every lease is released so another replica takes over."""
        self._stop = stop
        try:
            while not stop.is_set():
                try:
                    worked = await self.tick()
                except Exception:
                    log.exception("Copernicus worker tick failed")
                    worked = 0
                if not worked:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), self.config.idle_sleep)
        finally:
            if self._inflight:
                _, late = await asyncio.wait(self._inflight.values(), timeout=grace)
                for task in late:
                    task.cancel()
                await asyncio.gather(*late, return_exceptions=True)
            await leases.release_all(self.db.engine, self.config.owner)

    async def tick(self) -> int:
        """Read what is due, list each upstream account's jobs once, and claim only what needs a
        write: a job whose upstream status has not moved costs no write at all. Submissions,
        downloads and cancels run in the background, so a long download never holds up the
        polling of everything else. Returns how many jobs were claimed."""
        self._cancels = await jobs.cancels_asked(self.db.engine)
        if len(self._inflight) >= 2 * self.config.concurrency and time.monotonic() < min(
            self._list_after.values(), default=-math.inf
        ):
            return 0  # no room to act and no listing due: reading what is due would be in vain
        due = await jobs.due(self.db.engine, self.clock(), self.config.scan)
        due += await self._cancelled_before_due(due)
        due = [j.model_copy(update={"cancel_requested": True}) if j.id in self._cancels else j for j in due]
        by_account: dict[tuple[str, ObjectId | None], list[CopernicusRequest]] = defaultdict(list)
        for job in due:
            if job.id not in self._inflight:  # ours already, in a task of its own
                by_account[(job.service, job.key_owner_id)].append(job)
        claimed = 0
        for (service, key_owner), group in by_account.items():
            provider = await self._provider(service, key_owner)
            if provider is None:
                for seen in group[: self.config.batch]:
                    if taken := await self._claim(seen):
                        await self._fail(taken, ErrorCode.UPSTREAM_AUTH, f"no usable {service} key for this request")
                        claimed += 1
                continue
            claimed += await self._handle(provider, (service, key_owner), group)
        return claimed

    async def _cancelled_before_due(self, due: list[CopernicusRequest]) -> list[CopernicusRequest]:
        """Requests with a cancel waiting that are not due yet (sitting out a back-off or a
        Retry-After, or between polls): a cancel is acted on at the next tick, not then."""
        waiting = list(self._cancels - {j.id for j in due} - self._inflight.keys())[: self.config.batch]
        found = await lookups.find_by_ids(self.db.engine, CopernicusRequest, waiting)
        for request_id, job in zip(waiting, found, strict=True):
            if job is None or jobs.is_terminal(job.status):
                # Asked as the request ended: nobody will act on it, so it goes.
                await jobs.forget_cancel(self.db.engine, request_id)
        return [j for j in found if j is not None and not jobs.is_terminal(j.status)]

    @property
    def in_flight(self) -> int:
        return len(self._inflight)

    async def _provider(self, service: str, key_owner: ObjectId | None) -> Provider | None:
        """The platform's account, or the requester's own (one batch poll per account either way)."""
        if key_owner is None:
            return self.upstreams.platform.get(service)
        key = await keys.key_for(self.db, self.box, key_owner, service)
        if key is None or not self.upstreams.reachable(service):
            return None
        return self.upstreams.with_key(service, key)

    async def _claim(self, seen: CopernicusRequest) -> CopernicusRequest | None:
        job = await jobs.claim(self.db.engine, seen, self.config.owner, self.clock(), self.config.lease)
        return job.model_copy(update={"cancel_requested": seen.cancel_requested}) if job else None

    async def _handle(
        self, provider: Provider, account: tuple[str, ObjectId | None], group: list[CopernicusRequest]
    ) -> int:
        polling: list[CopernicusRequest] = []
        acting: list[CopernicusRequest] = []
        for job in group:
            if job.status in (RequestStatus.QUEUED, RequestStatus.RUNNING) and not job.cancel_requested:
                polling.append(job)  # a read upstream: no side effect, nothing to claim unless it moved
            else:
                acting.append(job)
        claimed = 0
        # More side effects than slots: the rest stay due, for a less busy replica or a later tick.
        room = 2 * self.config.concurrency - len(self._inflight)
        for seen in acting[: self.config.batch]:
            if claimed >= room:
                break
            if taken := await self._claim(seen):
                self._spawn(provider, taken)
                claimed += 1
        if not polling or time.monotonic() < self._list_after.get(account, -math.inf):
            return claimed  # listed moments ago, or told to wait: these join the next listing
        self._list_after[account] = time.monotonic() + self.config.poll_every.total_seconds()
        try:
            statuses = await provider.poll([str(j.upstream.id) for j in polling])
        except UpstreamError as error:
            if error.transient:
                failures = self._list_failures[account] = self._list_failures.get(account, 0) + 1
                delay = error.retry_after or min(self.config.backoff_cap, self.config.backoff_base**failures)
                log.info("listing %s jobs: %s; again in %.1fs", account[0], error.message, delay)
                self._list_after[account] = time.monotonic() + delay
                return claimed
            polling = polling[: self.config.batch]  # the account itself is refused: its jobs fail
            for seen in polling:
                if taken := await self._claim(seen):
                    await self._fail(taken, error.code, error.message)
            return claimed + len(polling)
        self._list_failures.pop(account, None)
        moved = [
            j
            for j in polling
            if not statuses.get(str(j.upstream.id)) or statuses[str(j.upstream.id)] != j.upstream.status
        ]
        for seen in moved[: self.config.batch]:
            if taken := await self._claim(seen):
                await self._step_or_setback(
                    taken, self._observe(provider, taken, statuses.get(str(taken.upstream.id), ""))
                )
                claimed += 1
        return claimed

    def _spawn(self, provider: Provider, job: CopernicusRequest) -> None:
        task = asyncio.create_task(self._act(provider, job), name=f"copernicus-{job.id}")
        self._inflight[job.id] = task

        def done(finished: asyncio.Task[None]) -> None:
            del self._inflight[job.id]
            if not finished.cancelled() and finished.exception() is not None:
                log.error("request %s: worker step failed", job.id, exc_info=finished.exception())

        task.add_done_callback(done)

    async def _act(self, provider: Provider, job: CopernicusRequest) -> None:
        async with self._slots:
            if self._stop.is_set():
                return  # released with the rest at shutdown
            # Claimed earlier, acted on now: renew the lease before any upstream side effect,
            # and skip what another worker has taken over meanwhile.
            if not await self._renew(job):
                return
            try:
                if job.cancel_requested:
                    await self._step_or_setback(job, self._cancel(provider, job))
                elif job.status is RequestStatus.PENDING:
                    await self._step_or_setback(job, self._submit(provider, job))
                elif job.status is RequestStatus.DOWNLOADING:
                    await self._step_or_setback(job, self._download(provider, job))
            except HandedBack:
                log.info("request %s: download handed back at shutdown", job.id)
            except CancelAsked as asked:
                await self._step_or_setback(asked.job, self._cancel(provider, asked.job))

    async def _renew(self, job: CopernicusRequest) -> bool:
        return await jobs.renew(self.db.engine, job.id, self.config.owner, self.clock() + self.config.lease)

    async def _step_or_setback(self, job: CopernicusRequest, step: Any) -> None:
        """Runs one upstream step; an upstream failure sets the job back (retry later) or fails it."""
        try:
            await step
        except UpstreamError as error:
            await self._setback(job, error)

    async def _setback(self, job: CopernicusRequest, error: UpstreamError) -> None:
        attempts = job.attempts + 1
        if not error.transient or attempts >= self.config.max_attempts:
            await self._fail(job, error.code, error.message)
            return
        delay = error.retry_after or min(self.config.backoff_cap, self.config.backoff_base**attempts)
        log.info("request %s: %s; retrying in %.1fs", job.id, error.message, delay)
        await self._release(job, {"attempts": attempts, "next_poll_at": self.clock() + timedelta(seconds=delay)})

    async def _release(
        self, job: CopernicusRequest, changes: dict[str, Any], entry: dict[str, Any] | None = None
    ) -> None:
        # The request first, then the lease: nobody takes the job before its new state is written.
        await jobs.change(self.db.engine, job, self.config.owner, changes, entry, self.clock())
        await leases.release(self.db.engine, job.id, self.config.owner)

    async def _record_status(
        self, job: CopernicusRequest, status: RequestStatus, upstream_status: str | None, changes: dict[str, Any]
    ) -> None:
        """Writes the job's new status with its history entry and hands the lease back."""
        entry = {"status": status.value, "upstream_status": upstream_status}
        upstream = job.upstream.model_dump_doc()
        if upstream_status:
            upstream |= {"status": upstream_status, "updated": self.clock()}
        await self._release(
            job,
            {"status": status.value, "upstream": upstream, "next_poll_at": self.clock(), "attempts": 0, **changes},
            entry,
        )
        if jobs.is_terminal(status):
            await jobs.forget_cancel(self.db.engine, job.id)  # the cancel documents stay few

    async def _fail(self, job: CopernicusRequest, code: ErrorCode, message: str) -> None:
        await self._abort_transfer(job)
        await self._record_status(
            job, RequestStatus.FAILED, job.upstream.status, {"error": {"code": code.value, "message": message}}
        )

    async def _submit(self, provider: Provider, job: CopernicusRequest) -> None:
        submitted = await provider.submit(job.dataset, job.request)
        status = RequestStatus(provider.our_status(submitted.status))
        await self._record_status(
            job, status, submitted.status, {"upstream": {"id": submitted.id, "status": submitted.status}}
        )

    async def _observe(self, provider: Provider, job: CopernicusRequest, raw: str) -> None:
        status = RequestStatus(provider.our_status(raw)) if raw else job.status
        if status is RequestStatus.FAILED:
            try:
                await provider.result(str(job.upstream.id))
                message = f"upstream job {raw}"
            except UpstreamError as error:
                message = error.message
            await self._fail(job, ErrorCode.UPSTREAM_FAILED, message)
        elif status is RequestStatus.CANCELLED:
            await self._fail(job, ErrorCode.UPSTREAM_FAILED, f"upstream job {raw}")
        elif status is not job.status or raw != job.upstream.status:
            await self._record_status(job, status, raw, {})
        else:
            await self._release(job, {"next_poll_at": self.clock() + self.config.poll_every})

    async def _cancel(self, provider: Provider, job: CopernicusRequest) -> None:
        if job.upstream.id and job.status in (RequestStatus.QUEUED, RequestStatus.RUNNING):
            await provider.cancel(str(job.upstream.id))
        await self._abort_transfer(job)
        await self._record_status(job, RequestStatus.CANCELLED, job.upstream.status, {"transfer": {}})

    async def _abort_transfer(self, job: CopernicusRequest) -> None:
        transfer = job.transfer
        if transfer.upload_id and transfer.blob_key:
            await self.blobs.abort_multipart(transfer.blob_key, transfer.upload_id)

    async def _progress(self, job: CopernicusRequest, done: int, total: int | None) -> CopernicusRequest:
        entry = {
            "status": RequestStatus.DOWNLOADING.value,
            "upstream_status": job.upstream.status,
            "bytes": done,
            "total": total,
        }
        changed = None
        until = self.clock() + self.config.lease
        if await jobs.renew(self.db.engine, job.id, self.config.owner, until, reschedule=False):
            progress = {"progress": {"bytes": done, "total": total}, "next_poll_at": until}
            changed = await jobs.change(self.db.engine, job, self.config.owner, progress, entry, self.clock())
        if changed is None:
            raise UpstreamError(ErrorCode.UPSTREAM_FAILED, "lease lost", transient=True)
        return changed

    async def _download(self, provider: Provider, job: CopernicusRequest) -> None:
        # A previous holder may have died mid-way: start over, leaving nothing of its attempt behind.
        await self._abort_transfer(job)
        location = await provider.result(str(job.upstream.id))
        blob_key = uuid.uuid4().hex
        file_id = job.transfer.file_id or ObjectId()
        existing = await tree.get_file(self.db.engine, file_id)
        if existing is not None:
            await self._complete(job, existing)
            return
        await results.room_for(self.db, job, location.size)
        upload_id = await self.blobs.create_multipart(blob_key, location.content_type)
        transfer = {"blob_key": blob_key, "upload_id": upload_id, "file_id": file_id}
        job = (
            await jobs.change(self.db.engine, job, self.config.owner, {"transfer": transfer}, None, self.clock()) or job
        )
        parts = await self._stream(provider, job, location, blob_key, upload_id)
        if not parts:
            await self.blobs.abort_multipart(blob_key, upload_id)
            checksum = await self.blobs.put_empty(blob_key, location.content_type)
        else:
            await self.blobs.complete_multipart(blob_key, upload_id, parts)
            checksum = composite_checksum([p.sha256 or "" for p in parts]) if all(p.sha256 for p in parts) else None
        stored = sum(p.size for p in parts)
        file = await results.place(
            self.db,
            self.blobs,
            job,
            file_id,
            blob_key,
            location,
            stored,
            len(parts),
            checksum,
            self.config.part_size,
            self.clock(),
        )
        await self._complete(job, file)

    async def _stream(
        self, provider: Provider, job: CopernicusRequest, location: ResultLocation, blob_key: str, upload_id: str
    ) -> list[UploadedPart]:
        """Bytes in, parts out: memory stays at one part whatever the result's size."""
        parts: list[UploadedPart] = []
        buffer = bytearray()
        done = 0
        size = self.config.part_size
        total = location.size if location.size >= 0 else None
        job = await self._progress(job, 0, total)
        async for chunk in provider.stream(location):
            if self._stop.is_set():
                await self._hand_back(job, blob_key, upload_id)
            if job.id in self._cancels:
                raise CancelAsked(job)  # its transfer is in ``job``: the cancel aborts the upload
            buffer += chunk
            while len(buffer) >= size:
                parts.append(await self.blobs.upload_part(blob_key, upload_id, len(parts) + 1, bytes(buffer[:size])))
                del buffer[:size]
                done += size
                job = await self._progress(job, done, total)
        if buffer:
            parts.append(await self.blobs.upload_part(blob_key, upload_id, len(parts) + 1, bytes(buffer)))
            done += len(buffer)
            job = await self._progress(job, done, total)
        if location.size >= 0 and done != location.size:
            await self.blobs.abort_multipart(blob_key, upload_id)
            raise UpstreamError(
                ErrorCode.UPSTREAM_FAILED, f"got {done} bytes, the upstream announced {location.size}", transient=True
            )
        return parts

    async def _hand_back(self, job: CopernicusRequest, blob_key: str, upload_id: str) -> NoReturn:
        """Shutting down mid-download: leave nothing behind and let the next holder start at once."""
        await self.blobs.abort_multipart(blob_key, upload_id)
        await self._release(job, {"transfer": {}, "next_poll_at": self.clock()})
        raise HandedBack

    async def _complete(self, job: CopernicusRequest, file: File) -> None:
        result = {"file_id": file.id, "folder_id": file.folder_id, "size": file.size}
        await self._record_status(job, RequestStatus.COMPLETED, job.upstream.status, {"result": result, "transfer": {}})


def worker_owner() -> str:
    return f"worker-{uuid.uuid4().hex[:12]}"
