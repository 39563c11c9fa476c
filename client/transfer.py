"""Parallel, resumable, verified transfers straight between a file and the object store.

Uploads hash every part first (SHA-256), so each part URL only accepts those exact
bytes and the whole file's composite checksum is declared up front. A run that stops
(Ctrl-C, dropped connection) leaves a small state file; running the same upload again
asks the API which parts the store holds and sends only the rest. Downloads fetch byte
ranges in parallel into ``<dest>.part``, remember finished ranges, and verify the
composite checksum before renaming into place.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import math
import mimetypes
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from client.api import StrataClient, StrataError

MiB = 1024 * 1024
MAX_PARTS = 10_000
MIN_DEFAULT_PART = 16 * MiB
URL_BATCH = 1000
STATE_DIR = Path(os.environ.get("STRATA_STATE_DIR", Path.home() / ".cache" / "strata" / "transfers"))

CREATE_UPLOAD = """
mutation($input: CreateUploadInput!) {
  createUpload(input: $input) {
    upload { id partSize partCount parts { partNumber url headers { name value } } }
    file { id }
    userErrors { code message field }
  }
}
"""
PART_URLS = """
mutation($input: UploadPartUrlsInput!) {
  uploadPartUrls(input: $input) {
    upload { parts { partNumber url headers { name value } } }
    userErrors { code message }
  }
}
"""
UPLOADED = (
    "query($id: ID!) { node(id: $id) { ... on Upload { partSize uploadedParts { partNumber etag checksumSha256 } } } }"
)
COMPLETE = """
mutation($input: CompleteUploadInput!) {
  completeUpload(input: $input) { file { id name size checksum status } userErrors { code message field } }
}
"""
DOWNLOAD = """
query($id: ID!, $partSize: BigInt!) {
  node(id: $id) {
    ... on File {
      name size checksum checksumPartSize
      download(partSize: $partSize) { url expiresAt parts { partNumber rangeStart rangeEnd } }
    }
  }
}
"""
# Renew a download's URL this long before it expires (URLs live a minute: a revoke ends a transfer
# within that), or at once when the store refuses one (a clock ahead of ours).
RENEW_BEFORE_SECONDS = 15.0


class DownloadLink:
    """The presigned URL of a download, renewed from the API as it nears its end; renewing fails
    with NOT_FOUND once the caller may no longer read the file (revoked, trashed)."""

    def __init__(self, client: StrataClient, file_id: str, part_size: int, download: dict[str, Any]) -> None:
        self.client, self.file_id, self.part_size = client, file_id, part_size
        self.lock = asyncio.Lock()
        self._take(download)

    def _take(self, download: dict[str, Any]) -> None:
        self.url: str = download["url"]
        lifetime = datetime.fromisoformat(download["expiresAt"]).timestamp() - time.time()
        self.renew_at = time.monotonic() + max(0.0, lifetime - min(RENEW_BEFORE_SECONDS, lifetime / 4))

    async def current(self) -> str:
        if time.monotonic() >= self.renew_at:
            await self.renew(self.url)
        return self.url

    async def renew(self, stale: str) -> None:
        async with self.lock:
            if self.url != stale:  # another range renewed it meanwhile
                return
            found = (await self.client.query(DOWNLOAD, {"id": self.file_id, "partSize": self.part_size}))["node"]
            if found is None or found.get("download") is None:
                raise StrataError(
                    "you can no longer read this file (its share ended, or it was deleted)", ["NOT_FOUND"]
                )
            self._take(found["download"])


class TransferProgress(Protocol):
    """What a transfer tells as it goes; the library draws nothing (``client.terminal`` does).

    ``begin`` and ``end`` bracket one transfer; ``already`` counts bytes found in place (a
    resumed transfer), ``advance`` bytes moved now."""

    def begin(self, total: int, name: str) -> None: ...
    def resuming(self, parts_held: int, parts: int, name: str) -> None: ...
    def already(self, count: int) -> None: ...
    def advance(self, count: int) -> None: ...
    def end(self) -> None: ...


class Unobserved:
    """No one watching: a script's transfer."""

    def begin(self, total: int, name: str) -> None:
        return None

    def resuming(self, parts_held: int, parts: int, name: str) -> None:
        return None

    def already(self, count: int) -> None:
        return None

    def advance(self, count: int) -> None:
        return None

    def end(self) -> None:
        return None


def default_part_size(size: int) -> int:
    return max(MIN_DEFAULT_PART, math.ceil(math.ceil(size / MAX_PARTS) / MiB) * MiB)


def part_digests(path: Path, part_size: int) -> list[str]:
    """Base64 SHA-256 of each part of the file, read in one pass."""
    digests = []
    with path.open("rb") as source:
        while chunk := source.read(part_size):
            digests.append(base64.b64encode(hashlib.sha256(chunk).digest()).decode())
    return digests


def composite(digests: Iterable[str]) -> str:
    parts = [base64.b64decode(d) for d in digests]
    return f"{base64.b64encode(hashlib.sha256(b''.join(parts)).digest()).decode()}-{len(parts)}"


def file_checksum(path: Path, part_size: int | None) -> str:
    if not part_size:
        return base64.b64encode(hashlib.sha256(path.read_bytes()).digest()).decode()
    return composite(part_digests(path, part_size))


@dataclass
class UploadState:
    """What a resumed run needs: saved next to nothing the user owns, keyed by the source file."""

    path: Path
    data: dict[str, Any] = field(default_factory=dict)

    def load(self) -> None:
        try:
            self.data = json.loads(self.path.read_text())
        except (OSError, ValueError):
            self.data = {}

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(self.data))

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)


def _upload_state(source: Path, folder_id: str, part_size: int) -> UploadState:
    stat = source.stat()
    key = hashlib.sha256(f"{source.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{folder_id}|{part_size}".encode())
    return UploadState(STATE_DIR / f"upload-{key.hexdigest()[:32]}.json")


class _BatchSigner:
    """Collects part URL requests from concurrent senders into few ``uploadPartUrls`` calls."""

    def __init__(self, client: StrataClient, upload_id: str) -> None:
        self.client = client
        self.upload_id = upload_id
        self.waiting: list[tuple[int, str, asyncio.Future[dict[str, Any]]]] = []
        self.flushing: asyncio.Task[None] | None = None

    async def sign(self, number: int, digest: str) -> dict[str, Any]:
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.waiting.append((number, digest, future))
        if self.flushing is None or self.flushing.done():
            self.flushing = asyncio.create_task(self._flush())
        return await future

    async def _flush(self) -> None:
        await asyncio.sleep(0.005)  # let the other senders join this batch
        batch, self.waiting = self.waiting[:URL_BATCH], self.waiting[URL_BATCH:]
        # Whoever arrives while this batch is being signed needs a flush of their own.
        self.flushing = asyncio.create_task(self._flush()) if self.waiting else None
        try:
            signed = await self.client.mutate(
                PART_URLS,
                "uploadPartUrls",
                {
                    "input": {
                        "uploadId": self.upload_id,
                        "parts": [{"partNumber": n, "checksumSha256": d} for n, d, _ in batch],
                    }
                },
            )
        except Exception as error:  # every waiting sender learns why
            for _, _, future in batch:
                if not future.done():
                    future.set_exception(error)
            return
        urls = {u["partNumber"]: u for u in signed["upload"]["parts"]}
        for number, _, future in batch:
            if not future.done():
                future.set_result(urls[number])


def _read_and_hash(descriptor: int, offset: int, length: int) -> tuple[bytes, str]:
    body = os.pread(descriptor, length, offset)
    return body, base64.b64encode(hashlib.sha256(body).digest()).decode()


async def upload(
    client: StrataClient,
    source: Path,
    folder_id: str,
    *,
    name: str | None = None,
    content_type: str | None = None,
    part_size: int | None = None,
    concurrency: int = 8,
    progress: TransferProgress | None = None,
) -> dict[str, Any]:
    """Upload ``source`` into the folder; returns the completed file. Re-run after a stop to resume.
    ``progress`` hears how far it is (``client.terminal.ProgressBar`` draws it).

    Each sender reads a part, hashes it, gets its URL (batched with the other senders') and
    PUTs it, so reading, hashing and sending overlap. Parts the store already holds with the
    same SHA-256 are skipped. The file's composite checksum is checked at the end.
    """
    size = source.stat().st_size
    part_size = part_size or default_part_size(size)
    count = math.ceil(size / part_size)
    state = _upload_state(source, folder_id, part_size)
    state.load()
    held: dict[int, tuple[str, str | None]] = {}
    upload_id = state.data.get("uploadId")
    if upload_id:
        found = (await client.query(UPLOADED, {"id": upload_id}))["node"]
        if found is None:
            upload_id = None  # completed, aborted or swept meanwhile: start again
        else:
            held = {p["partNumber"]: (p["etag"], p["checksumSha256"]) for p in found["uploadedParts"]}
    if not upload_id:
        created = await client.mutate(
            CREATE_UPLOAD,
            "createUpload",
            {
                "input": {
                    "folderId": folder_id,
                    "name": name or source.name,
                    "size": size,
                    "contentType": content_type or mimetypes.guess_type(source.name)[0] or "application/octet-stream",
                    "partSize": part_size if size else None,
                }
            },
        )
        upload_id = created["upload"]["id"]
        state.data = {"uploadId": upload_id}
        state.save()
    signer = _BatchSigner(client, upload_id)
    bar = progress or Unobserved()
    bar.begin(size, f"upload {source.name}")
    bar.resuming(len(held), count, source.name)
    etags: dict[int, str] = {}
    digests: dict[int, str] = {}
    numbers = iter(range(1, count + 1))
    descriptor = os.open(source, os.O_RDONLY)

    async def sender() -> None:
        for number in numbers:
            offset = (number - 1) * part_size
            body, digest = await asyncio.to_thread(_read_and_hash, descriptor, offset, min(part_size, size - offset))
            digests[number] = digest
            if number in held and held[number][1] == digest:
                etags[number] = held[number][0]
                bar.already(len(body))
                continue
            part = await signer.sign(number, digest)
            headers = {h["name"]: h["value"] for h in part["headers"]}
            reply = await client.objects.put(part["url"], body, headers)
            if reply.status != 200:
                raise StrataError(f"part {number}: HTTP {reply.status} {reply.body[:200]!r}", ["PART_REFUSED"])
            etags[number] = reply.etag
            bar.advance(len(body))

    try:
        await asyncio.gather(*(sender() for _ in range(max(1, concurrency))))
    finally:
        os.close(descriptor)
        bar.end()
    done = await client.mutate(
        COMPLETE,
        "completeUpload",
        {"input": {"uploadId": upload_id, "parts": [{"partNumber": n, "etag": etags[n]} for n in sorted(etags)]}},
    )
    state.clear()
    file: dict[str, Any] = done["file"]
    if count and file["checksum"] != composite(digests[n] for n in range(1, count + 1)):
        raise StrataError(
            f"the stored file's checksum {file['checksum']} differs from the local one", ["CHECKSUM_MISMATCH"]
        )
    return file


INFO = "query($id: ID!) { node(id: $id) { ... on File { name size status checksum checksumPartSize } } }"


def _write_and_hash(descriptor: int, body: bytes, offset: int) -> str:
    os.pwrite(descriptor, body, offset)
    return base64.b64encode(hashlib.sha256(body).digest()).decode()


def _hash_range(path: Path, offset: int, length: int) -> str:
    with path.open("rb") as source:
        source.seek(offset)
        return base64.b64encode(hashlib.sha256(source.read(length)).digest()).decode()


async def download(
    client: StrataClient,
    file_id: str,
    destination: Path,
    *,
    part_size: int | None = None,
    concurrency: int = 8,
    progress: TransferProgress | None = None,
) -> Path:
    """Fetch a file by parallel ranged GETs; resumes a stopped run; verifies the checksum.
    ``progress`` hears how far it is (``client.terminal.ProgressBar`` draws it).

    Ranges default to the file's checksum part size, so each range's SHA-256 is one term of
    the composite checksum and is computed as it arrives: no second pass over the file.
    """
    info = (await client.query(INFO, {"id": file_id}))["node"]
    if info is None or info["status"] != "AVAILABLE":
        raise StrataError("file not found or not available", ["NOT_FOUND"])
    part_size = part_size or info["checksumPartSize"] or 16 * MiB
    found = (await client.query(DOWNLOAD, {"id": file_id, "partSize": part_size}))["node"]
    size = int(found["size"])
    aligned = bool(info["checksumPartSize"]) and part_size == info["checksumPartSize"]
    partial = destination.with_name(destination.name + ".part")
    state = UploadState(destination.with_name(destination.name + ".strata-download.json"))
    state.load()
    if state.data.get("fileId") != file_id or state.data.get("checksum") != found["checksum"] or not partial.exists():
        state.data = {"fileId": file_id, "checksum": found["checksum"], "done": []}
        with partial.open("wb") as blank:
            blank.truncate(size)
        state.save()
    done: set[int] = set(state.data["done"])
    ranges = [r for r in found["download"]["parts"] if r["partNumber"] not in done]
    bar = progress or Unobserved()
    bar.begin(size, f"download {found['name']}")
    bar.resuming(len(done), len(found["download"]["parts"]), found["name"])
    bar.already(size - sum(int(r["rangeEnd"]) - int(r["rangeStart"]) + 1 for r in ranges))
    limiter = asyncio.Semaphore(concurrency)
    link = DownloadLink(client, file_id, part_size, found["download"])
    digests: dict[int, str] = {}
    descriptor = os.open(partial, os.O_WRONLY)

    async def fetch(part: dict[str, Any]) -> None:
        start, end = int(part["rangeStart"]), int(part["rangeEnd"])
        async with limiter:
            url = await link.current()
            reply = await client.objects.get_range(url, start, end)
            if reply.status == 403:  # expired early by the store's clock: renew once and try again
                await link.renew(url)
                reply = await client.objects.get_range(await link.current(), start, end)
            if reply.status != 206 or len(reply.body) != end - start + 1:
                raise StrataError(f"range {start}-{end}: HTTP {reply.status}", ["RANGE_FAILED"])
            digests[part["partNumber"]] = await asyncio.to_thread(_write_and_hash, descriptor, reply.body, start)
            done.add(part["partNumber"])
            state.data["done"] = sorted(done)
            state.save()
            bar.advance(len(reply.body))

    try:
        await asyncio.gather(*(fetch(r) for r in ranges))
    finally:
        os.close(descriptor)
        bar.end()
    expected = found["checksum"]
    if expected:
        if aligned:
            for part in found["download"]["parts"]:
                if part["partNumber"] not in digests:  # fetched by an earlier run: hash it from disk
                    start, end = int(part["rangeStart"]), int(part["rangeEnd"])
                    digests[part["partNumber"]] = await asyncio.to_thread(_hash_range, partial, start, end - start + 1)
            actual = composite(digests[n] for n in sorted(digests))
        else:
            actual = await asyncio.to_thread(file_checksum, partial, info["checksumPartSize"])
        if actual != expected:
            partial.unlink(missing_ok=True)
            state.clear()
            raise StrataError(f"checksum mismatch: expected {expected}, got {actual}", ["CHECKSUM_MISMATCH"])
    partial.replace(destination)
    state.clear()
    return destination
