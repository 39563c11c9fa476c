"""The S3 blob store. Keys are opaque ids; the store never learns what a file is."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import aioboto3
from aiobotocore.config import AioConfig
from botocore.exceptions import ClientError

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from types_aiobotocore_s3 import S3Client


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

    def __init__(self, config: BlobStoreConfig, client: S3Client, signer: S3Client) -> None:
        self.config = config
        self.client = client
        self.signer = signer

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
            signer = client
            if config.public_endpoint_url and config.public_endpoint_url != config.endpoint_url:
                signer = await stack.enter_async_context(
                    session.client("s3", endpoint_url=config.public_endpoint_url, config=botocore_config)
                )
            yield cls(config, client, signer)

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
