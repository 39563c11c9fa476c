"""The S3 blob store. Keys are opaque ids; the store never learns what a file is."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import quote

import aioboto3
from aiobotocore.config import AioConfig
from botocore.exceptions import ClientError

from storage.presign import Credentials, Presigner

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from types_aiobotocore_s3 import S3Client


@dataclass(frozen=True)
class UploadedPart:
    number: int
    etag: str
    size: int
    sha256: str | None
    last_modified: datetime


@dataclass(frozen=True)
class ObjectInfo:
    size: int
    sha256: str | None


@dataclass(frozen=True)
class BlobStoreConfig:
    bucket: str
    region: str
    endpoint_url: str | None = None
    public_endpoint_url: str | None = None
    access_key_id: str | None = None
    secret_access_key: str | None = None


class BlobStore:
    """An open S3 client for API calls, and a second one that signs URLs for clients.

    Example::

        async with BlobStore.open(config) as blobs:
            await blobs.ensure_bucket(cors_origins=["*"])
    """

    def __init__(self, config: BlobStoreConfig, client: S3Client, session: aioboto3.Session) -> None:
        self.config = config
        self.client = client
        self.session = session
        endpoint = config.public_endpoint_url or config.endpoint_url or f"https://s3.{config.region}.amazonaws.com"
        self.presigner = Presigner(endpoint, config.region)

    @classmethod
    @contextlib.asynccontextmanager
    async def open(cls, config: BlobStoreConfig) -> AsyncIterator[BlobStore]:
        session = aioboto3.Session(
            aws_access_key_id=config.access_key_id,
            aws_secret_access_key=config.secret_access_key,
            region_name=config.region,
        )
        botocore_config = AioConfig(
            signature_version="s3v4",
            s3={"addressing_style": "path"},
            retries={"max_attempts": 3, "mode": "standard"},
            connect_timeout=5,
            read_timeout=60,
        )
        async with contextlib.AsyncExitStack() as stack:
            client = await stack.enter_async_context(
                session.client("s3", endpoint_url=config.endpoint_url, config=botocore_config)
            )
            yield cls(config, client, session)

    async def ensure_bucket(self, cors_origins: Sequence[str]) -> None:
        """Create the bucket if missing and set the CORS rule browsers need for part uploads."""
        try:
            await self.client.head_bucket(Bucket=self.config.bucket)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") not in ("404", "NoSuchBucket", "NotFound"):
                raise
            with contextlib.suppress(self.client.exceptions.BucketAlreadyOwnedByYou):
                await self.client.create_bucket(Bucket=self.config.bucket)
        try:
            await self.client.put_bucket_cors(
                Bucket=self.config.bucket,
                CORSConfiguration={
                    "CORSRules": [
                        {
                            "AllowedOrigins": list(cors_origins),
                            "AllowedMethods": ["GET", "PUT", "HEAD"],
                            "AllowedHeaders": ["*"],
                            # Browsers must read ETag to complete a multipart upload.
                            "ExposeHeaders": ["ETag", "Content-Length", "Content-Range", "x-amz-checksum-sha256"],
                            "MaxAgeSeconds": 3600,
                        }
                    ]
                },
            )
        except ClientError as error:
            # MinIO answers NotImplemented: its CORS is server-wide (MINIO_API_CORS_ALLOW_ORIGIN)
            # and already exposes ETag. See docs/decisions.md.
            if error.response.get("Error", {}).get("Code") != "NotImplemented":
                raise
            log.info("blob store manages CORS server-wide; bucket CORS rule not set")

    async def ping(self) -> None:
        await self.client.head_bucket(Bucket=self.config.bucket)

    async def credentials(self) -> Credentials:
        """Current credentials (refreshed by botocore when they come from a role)."""
        # aioboto3 returns a coroutine here, whatever its stubs say.
        resolved = await self.session.get_credentials()  # type: ignore[misc]
        if resolved is None:
            raise RuntimeError("no S3 credentials configured")
        frozen = await resolved.get_frozen_credentials()
        return Credentials(frozen.access_key, frozen.secret_key, frozen.token)

    async def create_multipart(self, key: str, content_type: str) -> str:
        response = await self.client.create_multipart_upload(
            Bucket=self.config.bucket, Key=key, ContentType=content_type, ChecksumAlgorithm="SHA256"
        )
        return response["UploadId"]

    def part_url(self, credentials: Credentials, key: str, upload_id: str, part: int, sha256: str, expires: int) -> str:
        """A PUT URL for one part; S3 refuses the part unless its SHA-256 is ``sha256`` (base64)."""
        return self.presigner.url(
            credentials,
            "PUT",
            self.config.bucket,
            key,
            {"partNumber": str(part), "uploadId": upload_id},
            expires=expires,
            headers={"x-amz-checksum-sha256": sha256},
        )

    def download_url(self, credentials: Credentials, key: str, expires: int, filename: str, content_type: str) -> str:
        disposition = f"attachment; filename*=UTF-8''{quote(filename, safe='')}"
        return self.presigner.url(
            credentials,
            "GET",
            self.config.bucket,
            key,
            {"response-content-disposition": disposition, "response-content-type": content_type},
            expires=expires,
        )

    async def list_parts(self, key: str, upload_id: str) -> list[UploadedPart]:
        """Every part S3 holds for the upload, in part-number order (all pages)."""
        parts: list[UploadedPart] = []
        marker = 0
        while True:
            response = await self.client.list_parts(
                Bucket=self.config.bucket, Key=key, UploadId=upload_id, PartNumberMarker=marker, MaxParts=1000
            )
            for part in response.get("Parts", []):
                parts.append(
                    UploadedPart(
                        number=part["PartNumber"],
                        etag=part["ETag"].strip('"'),
                        size=part["Size"],
                        sha256=part.get("ChecksumSHA256"),
                        last_modified=part["LastModified"],
                    )
                )
            if not response.get("IsTruncated"):
                return parts
            marker = int(response["NextPartNumberMarker"])

    async def complete_multipart(self, key: str, upload_id: str, parts: Sequence[UploadedPart]) -> str | None:
        """Complete the upload; returns S3's composite SHA-256 (``<base64>-<parts>``)."""
        response = await self.client.complete_multipart_upload(
            Bucket=self.config.bucket,
            Key=key,
            UploadId=upload_id,
            MultipartUpload={
                "Parts": [
                    {"PartNumber": p.number, "ETag": f'"{p.etag}"', "ChecksumSHA256": p.sha256 or ""} for p in parts
                ]
            },
        )
        return response.get("ChecksumSHA256")

    async def upload_part(self, key: str, upload_id: str, number: int, body: bytes) -> UploadedPart:
        """Send one part from this process (for results fetched server-side, e.g. Copernicus)."""
        response = await self.client.upload_part(
            Bucket=self.config.bucket,
            Key=key,
            UploadId=upload_id,
            PartNumber=number,
            Body=body,
            ChecksumAlgorithm="SHA256",
        )
        return UploadedPart(
            number=number,
            etag=response["ETag"].strip('"'),
            size=len(body),
            sha256=response.get("ChecksumSHA256"),
            last_modified=datetime.now(UTC),
        )

    async def abort_multipart(self, key: str, upload_id: str) -> None:
        try:
            await self.client.abort_multipart_upload(Bucket=self.config.bucket, Key=key, UploadId=upload_id)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") not in ("NoSuchUpload", "404"):
                raise

    async def put_empty(self, key: str, content_type: str) -> str | None:
        response = await self.client.put_object(
            Bucket=self.config.bucket, Key=key, Body=b"", ContentType=content_type, ChecksumAlgorithm="SHA256"
        )
        return response.get("ChecksumSHA256")

    async def head(self, key: str) -> ObjectInfo | None:
        try:
            response = await self.client.head_object(Bucket=self.config.bucket, Key=key, ChecksumMode="ENABLED")
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise
        return ObjectInfo(size=response["ContentLength"], sha256=response.get("ChecksumSHA256"))

    async def delete_many(self, keys: Sequence[str]) -> None:
        for start in range(0, len(keys), 1000):
            batch = keys[start : start + 1000]
            await self.client.delete_objects(
                Bucket=self.config.bucket, Delete={"Objects": [{"Key": k} for k in batch], "Quiet": True}
            )

    async def objects(self) -> AsyncIterator[tuple[str, datetime]]:
        """Every object's key and last-modified time, page by page (for the consistency check)."""
        paginator = self.client.get_paginator("list_objects_v2")
        async for page in paginator.paginate(Bucket=self.config.bucket):
            for item in page.get("Contents", []):
                yield item["Key"], item["LastModified"]
