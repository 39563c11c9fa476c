"""1 GiB through presigned parts at several concurrencies, against one stream and boto3's transfer manager."""

from __future__ import annotations

import asyncio
import base64
import functools
import hashlib
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aioboto3
import boto3
import httpx
from botocore.config import Config
from motor.motor_asyncio import AsyncIOMotorClient

from client import transfer
from client.api import StrataClient
from devservices.api import ProcessIO
from graphql_api.settings import Settings
from storage.presign import Credentials, Presigner

MiB = 1024 * 1024
PART = 16 * MiB
ROOT = "{ me { organizations { rootFolder { id } } } }"
Median = Callable[[Callable[[], Awaitable[Any]], int], Awaitable[float]]


def boto_client(settings: Settings) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=settings.s3_endpoint_url,
        aws_access_key_id=settings.s3_access_key_id,
        aws_secret_access_key=settings.s3_secret_access_key,
        region_name=settings.s3_region,
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    )


async def _single_stream(
    settings: Settings, source: Path, target: Path
) -> tuple[Callable[[], Any], Callable[[], Any], Callable[[], Any]]:
    presigner = Presigner(settings.s3_endpoint_url or "", settings.s3_region)
    credentials = Credentials(settings.s3_access_key_id or "", settings.s3_secret_access_key or "")
    key = "bench-single-stream"
    put_url = presigner.url(credentials, "PUT", settings.s3_bucket, key, {}, expires=3600)
    get_url = presigner.url(credentials, "GET", settings.s3_bucket, key, {}, expires=3600)
    size = source.stat().st_size

    async def chunks() -> Any:
        with source.open("rb") as handle:
            while chunk := await asyncio.to_thread(handle.read, 8 * MiB):
                yield chunk

    async def put() -> None:
        async with httpx.AsyncClient(timeout=600) as http:
            response = await http.put(put_url, content=chunks(), headers={"Content-Length": str(size)})
            response.raise_for_status()

    async def put_verified() -> None:
        # The same single PUT, with the end-to-end SHA-256 our parts carry: integrity costs both sides CPU.
        digest = await asyncio.to_thread(_sha256_b64, source)
        verified_url = presigner.url(
            credentials, "PUT", settings.s3_bucket, key, {}, expires=3600, headers={"x-amz-checksum-sha256": digest}
        )
        async with httpx.AsyncClient(timeout=600) as http:
            headers = {"Content-Length": str(size), "x-amz-checksum-sha256": digest}
            response = await http.put(verified_url, content=chunks(), headers=headers)
            response.raise_for_status()

    async def get() -> None:
        async with httpx.AsyncClient(timeout=600) as http, http.stream("GET", get_url) as response:
            response.raise_for_status()
            with target.open("wb") as out:
                async for chunk in response.aiter_bytes(8 * MiB):
                    await asyncio.to_thread(out.write, chunk)

    return put, put_verified, get


def _sha256_b64(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while chunk := source.read(8 * MiB):
            digest.update(chunk)
    return base64.b64encode(digest.digest()).decode()


async def run(
    url: str,
    token: str,
    settings: Settings,
    source: Path,
    scratch: Path,
    counter: ProcessIO,
    repeat: int,
    median: Median,
) -> list[str]:
    size = source.stat().st_size
    mib = size / MiB
    rows: list[tuple[str, float, float]] = []
    api_bytes: list[int] = []
    async with StrataClient(f"{url}/graphql", token) as strata:
        root = (await strata.query(ROOT))["me"]["organizations"][0]["rootFolder"]["id"]
        folder = (
            await strata.mutate(
                "mutation($i: CreateFolderInput!) { createFolder(input: $i) { folder { id } userErrors { message } } }",
                "createFolder",
                {"i": {"parentId": root, "name": f"bench-{time.time_ns()}"}},
            )
        )["folder"]["id"]
        counter_round = 0
        for concurrency in (1, 4, 8, 16):
            uploaded: dict[str, Any] = {}

            async def up(c: int = concurrency, uploaded: dict[str, Any] = uploaded) -> None:
                nonlocal counter_round
                counter_round += 1
                uploaded.update(
                    await transfer.upload(
                        strata,
                        source,
                        folder,
                        name=f"c{c}-{counter_round}.bin",
                        part_size=PART,
                        concurrency=c,
                    )
                )

            before = counter.total()
            up_time = await median(up, repeat)
            api_bytes.append((counter.total() - before) // repeat)
            target = scratch / f"down-{concurrency}.bin"

            async def down(c: int = concurrency, t: Path = target, file_id: str = "") -> None:
                t.unlink(missing_ok=True)
                await transfer.download(strata, file_id, t, part_size=PART, concurrency=c)

            down_time = await median(functools.partial(down, file_id=uploaded["id"]), repeat)
            rows.append((f"presigned parts, concurrency {concurrency}", mib / up_time, mib / down_time))
            target.unlink(missing_ok=True)
    put, put_verified, get = await _single_stream(settings, source, scratch / "single.bin")
    put_rate = mib / await median(put, repeat)
    verified_rate = mib / await median(put_verified, repeat)
    get_rate = mib / await median(get, repeat)
    rows.append(("single stream PUT / GET", put_rate, get_rate))
    rows.append(("single stream PUT with SHA-256 / GET", verified_rate, get_rate))
    client = boto_client(settings)

    async def boto_up() -> None:
        await asyncio.to_thread(client.upload_file, str(source), settings.s3_bucket, "bench-boto3")

    async def boto_down() -> None:
        await asyncio.to_thread(client.download_file, settings.s3_bucket, "bench-boto3", str(scratch / "boto.bin"))

    boto = (mib / await median(boto_up, repeat), mib / await median(boto_down, repeat))
    rows.append(("boto3 upload_file / download_file (default TransferConfig)", *boto))
    single = rows[-3]
    lines = [
        f"## Transfers: {mib:.0f} MiB file, {PART // MiB} MiB parts, local MinIO, median of {repeat}",
        "",
        "| method | up MiB/s | down MiB/s | up vs boto3 | down vs boto3 | up vs single | down vs single |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, up_rate, down_rate in rows:
        lines.append(
            f"| {name} | {up_rate:.0f} | {down_rate:.0f} | {up_rate / boto[0]:.2f}x | {down_rate / boto[1]:.2f}x "
            f"| {up_rate / single[1]:.2f}x | {down_rate / single[2]:.2f}x |"
        )
    lines += [
        "",
        f"Bytes the API process read and wrote per {mib:.0f} MiB upload (all sockets and files, /proc/pid/io): "
        + ", ".join(f"c{c}: {b / 1024:.1f} KiB" for c, b in zip((1, 4, 8, 16), api_bytes, strict=True))
        + f" — {max(api_bytes) / size * 100:.4f}% of the {size} bytes moved: file bytes through the API: 0.",
        "",
    ]
    return lines


async def drop(settings: Settings) -> None:
    """Remove the benchmark's database and bucket."""
    mongo: AsyncIOMotorClient[Any] = AsyncIOMotorClient(settings.mongodb_url)
    await mongo.drop_database(settings.mongodb_database)
    mongo.close()
    session = aioboto3.Session(
        aws_access_key_id=settings.s3_access_key_id,
        aws_secret_access_key=settings.s3_secret_access_key,
        region_name=settings.s3_region,
    )
    async with session.client("s3", endpoint_url=settings.s3_endpoint_url) as s3:
        listed = await s3.list_objects_v2(Bucket=settings.s3_bucket)
        while listed.get("KeyCount"):
            await s3.delete_objects(
                Bucket=settings.s3_bucket, Delete={"Objects": [{"Key": o["Key"]} for o in listed["Contents"]]}
            )
            listed = await s3.list_objects_v2(Bucket=settings.s3_bucket)
        uploads = await s3.list_multipart_uploads(Bucket=settings.s3_bucket)
        for upload in uploads.get("Uploads", []):
            await s3.abort_multipart_upload(Bucket=settings.s3_bucket, Key=upload["Key"], UploadId=upload["UploadId"])
        await s3.delete_bucket(Bucket=settings.s3_bucket)
