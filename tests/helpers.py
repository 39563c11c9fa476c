"""Operations tests repeat: make a sandbox folder, upload bytes through presigned parts."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import json
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

import aioboto3
import httpx
from botocore.exceptions import ClientError
from bson import ObjectId
from websockets.asyncio.client import connect
from websockets.typing import Subprotocol

from graphql_api.settings import Settings
from tests.graphql import GraphQLClient

MiB = 1024 * 1024
T = TypeVar("T")
# The suite's API runs with this STRATA_METRICS_TOKEN (tests/conftest.py).
METRICS_TOKEN = "suite-metrics-token"
METRICS_HEADERS = {"Authorization": f"Bearer {METRICS_TOKEN}"}
TERMINAL = frozenset({"COMPLETED", "FAILED", "CANCELLED"})
REQUEST_STATUS = "query($id: ID!) { copernicusRequest(id: $id) { status progress { bytes } resultFile { id } } }"

ROOT = "{ me { organizations { slug rootFolder { id } } } }"

CREATE_FOLDER = """
mutation($input: CreateFolderInput!) {
  createFolder(input: $input) { folder { id name } userErrors { code message field } }
}
"""

CREATE_UPLOAD = """
mutation($input: CreateUploadInput!) {
  createUpload(input: $input) {
    upload { id partSize partCount expiresAt parts { partNumber url headers { name value } } }
    file { id status }
    userErrors { code message field }
  }
}
"""

COMPLETE_UPLOAD = """
mutation($input: CompleteUploadInput!) {
  completeUpload(input: $input) { file { id name size status checksum } userErrors { code message field } }
}
"""


async def root_folder(client: GraphQLClient, slug: str) -> str:
    organizations = (await client.data(ROOT))["me"]["organizations"]
    return str(next(o for o in organizations if o["slug"] == slug)["rootFolder"]["id"])


async def create_folder(client: GraphQLClient, parent: str, name: str) -> str:
    result = (await client.data(CREATE_FOLDER, {"input": {"parentId": parent, "name": name}}))["createFolder"]
    assert result["userErrors"] == [], result
    return str(result["folder"]["id"])


async def sandbox(client: GraphQLClient, slug: str = "athena-energy") -> str:
    """A fresh folder under the organisation's root, so tests never see each other's data."""
    return await create_folder(client, await root_folder(client, slug), f"test-{uuid.uuid4().hex[:10]}")


def object_id(global_id: str) -> ObjectId:
    """The database id inside a global id, for tests that check stored documents."""
    return ObjectId(base64.b64decode(global_id).decode().split(":", 1)[1])


def sha256_b64(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def composite(parts: list[bytes]) -> str:
    joined = b"".join(hashlib.sha256(p).digest() for p in parts)
    return f"{base64.b64encode(hashlib.sha256(joined).digest()).decode()}-{len(parts)}"


def split(data: bytes, part_size: int) -> list[bytes]:
    return [data[i : i + part_size] for i in range(0, len(data), part_size)]


async def put_part(http: httpx.AsyncClient, part: dict[str, Any], body: bytes) -> httpx.Response:
    headers = {h["name"]: h["value"] for h in part["headers"]}
    return await http.put(part["url"], content=body, headers=headers)


async def start_upload(
    client: GraphQLClient, folder: str, name: str, data: bytes, part_size: int = 5 * MiB, **extra: Any
) -> dict[str, Any]:
    parts = split(data, part_size)
    result = (
        await client.data(
            CREATE_UPLOAD,
            {
                "input": {
                    "folderId": folder,
                    "name": name,
                    "size": len(data),
                    "partSize": part_size,
                    "partChecksums": [sha256_b64(p) for p in parts],
                    **extra,
                }
            },
        )
    )["createUpload"]
    assert result["userErrors"] == [], result
    return dict(result)


async def upload_bytes(
    client: GraphQLClient, folder: str, name: str, data: bytes, part_size: int = 5 * MiB, **extra: Any
) -> dict[str, Any]:
    """Create, send every part in parallel, complete; returns the completed file."""
    started = await start_upload(client, folder, name, data, part_size, **extra)
    parts = split(data, part_size)
    async with httpx.AsyncClient(timeout=60) as http:
        responses = await asyncio.gather(
            *(put_part(http, url, body) for url, body in zip(started["upload"]["parts"], parts, strict=True))
        )
    assert all(r.status_code == 200 for r in responses), [r.text for r in responses]
    completed = (
        await client.data(
            COMPLETE_UPLOAD,
            {
                "input": {
                    "uploadId": started["upload"]["id"],
                    "parts": [{"partNumber": i + 1, "etag": r.headers["etag"]} for i, r in enumerate(responses)],
                }
            },
        )
    )["completeUpload"]
    assert completed["userErrors"] == [], completed
    return dict(completed["file"])


async def download_bytes(url: str, ranges: list[dict[str, int]]) -> bytes:
    async with httpx.AsyncClient(timeout=60) as http:
        chunks = await asyncio.gather(
            *(http.get(url, headers={"Range": f"bytes={r['rangeStart']}-{r['rangeEnd']}"}) for r in ranges)
        )
    assert all(c.status_code == 206 for c in chunks), [c.status_code for c in chunks]
    return b"".join(c.content for c in chunks)


@contextlib.asynccontextmanager
async def s3_client(settings: Settings) -> AsyncIterator[Any]:
    """An S3 client on the suite's MinIO, for tests that check what is stored behind the API."""
    session = aioboto3.Session(
        aws_access_key_id=settings.s3_access_key_id, aws_secret_access_key=settings.s3_secret_access_key
    )
    async with session.client("s3", endpoint_url=settings.s3_endpoint_url, region_name=settings.s3_region) as s3:
        yield s3


async def upload_exists(settings: Settings, key: str, upload_id: str) -> bool:
    """Whether S3 still holds a multipart upload: an aborted or completed one is NoSuchUpload."""
    async with s3_client(settings) as s3:
        try:
            await s3.list_parts(Bucket=settings.s3_bucket, Key=key, UploadId=upload_id)
        except ClientError as error:
            if error.response["Error"]["Code"] == "NoSuchUpload":
                return False
            raise
    return True


async def eventually(
    probe: Callable[[], Awaitable[T]], done: Callable[[T], bool], within: float = 30, every: float = 0.1
) -> T:
    """``probe()`` again and again until ``done`` says yes; fails with the last answer after ``within`` s.

    What a test waits for is a condition it can observe, never a fixed time.
    """
    deadline = time.monotonic() + within
    while True:
        found = await probe()
        if done(found):
            return found
        assert time.monotonic() < deadline, f"still not there after {within} s: {found!r}"
        await asyncio.sleep(every)


async def requests_ended(client: GraphQLClient, ids: list[str], within: float) -> list[dict[str, Any]]:
    """The Copernicus requests once every one of them has ended."""

    async def statuses() -> list[dict[str, Any]]:
        return [(await client.data(REQUEST_STATUS, {"id": i}))["copernicusRequest"] for i in ids]

    return await eventually(statuses, lambda found: all(f["status"] in TERMINAL for f in found), within, 0.3)


async def subscriptions_open(api_url: str, at_least: int = 1) -> None:
    """Until the API process reports that many open subscriptions (its /metrics)."""

    async def open_now() -> float:
        async with httpx.AsyncClient(base_url=api_url, timeout=10) as http:
            text = (await http.get("/metrics", headers=METRICS_HEADERS)).text
        return sum(
            float(line.rsplit(" ", 1)[1])
            for line in text.splitlines()
            if line.startswith("strata_subscriptions_active{")
        )

    await eventually(open_now, lambda n: n >= at_least, 10)


@contextlib.asynccontextmanager
async def subscription(
    api_url: str, token: str, query: str, variables: dict[str, Any] | None = None
) -> AsyncIterator[Callable[[], Awaitable[dict[str, Any]]]]:
    """A graphql-transport-ws subscription signed in with ``token``; yields a function that
    waits (at most 15 s) for its next message."""
    url = api_url.replace("http", "ws", 1) + "/graphql"
    async with connect(url, subprotocols=[Subprotocol("graphql-transport-ws")]) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        payload = {"query": query, "variables": variables or {}}
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))

        async def next_message() -> dict[str, Any]:
            message: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), 15))
            return message

        yield next_message
