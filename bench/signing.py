"""Time to issue URLs for a 10,000-part upload: through the API, and the signer alone against botocore's."""

from __future__ import annotations

import base64
import hashlib
import time
from collections.abc import Awaitable, Callable
from typing import Any

from bench.transfers import boto_client
from client.api import StrataClient
from graphql_api.settings import Settings
from storage.presign import Credentials, Presigner

PARTS = 10_000
PART = 5 * 1024 * 1024
Median = Callable[[Callable[[], Awaitable[Any]], int], Awaitable[float]]
ROOT = "{ me { organizations { rootFolder { id } } } }"
CREATE = """
mutation($i: CreateUploadInput!) { createUpload(input: $i) { upload { id parts { url } } userErrors { code message } } }
"""
MORE = """
mutation($i: UploadPartUrlsInput!) { uploadPartUrls(input: $i) { upload { parts { url } } userErrors { message } } }
"""
ABORT = "mutation($i: AbortUploadInput!) { abortUpload(input: $i) { userErrors { code message } } }"


async def run(url: str, token: str, settings: Settings, repeat: int, median: Median) -> list[str]:
    digest = base64.b64encode(hashlib.sha256(b"part").digest()).decode()
    async with StrataClient(f"{url}/graphql", token) as strata:
        root = (await strata.query(ROOT))["me"]["organizations"][0]["rootFolder"]["id"]
        counter = 0

        async def sign_all() -> None:
            nonlocal counter
            counter += 1
            created = await strata.mutate(
                CREATE,
                "createUpload",
                {
                    "i": {
                        "folderId": root,
                        "name": f"signing-{time.time_ns()}-{counter}",
                        "size": PARTS * PART,
                        "partSize": PART,
                        "partChecksums": [digest] * 1000,
                    }
                },
            )
            upload = created["upload"]["id"]
            urls = len(created["upload"]["parts"])
            for start in range(1001, PARTS + 1, 1000):
                more = await strata.mutate(
                    MORE,
                    "uploadPartUrls",
                    {
                        "i": {
                            "uploadId": upload,
                            "parts": [{"partNumber": n, "checksumSha256": digest} for n in range(start, start + 1000)],
                        }
                    },
                )
                urls += len(more["upload"]["parts"])
            assert urls == PARTS
            await strata.mutate(ABORT, "abortUpload", {"i": {"uploadId": upload}})

        through_api = await median(sign_all, repeat)
    presigner = Presigner(settings.s3_endpoint_url or "", settings.s3_region)
    credentials = Credentials(settings.s3_access_key_id or "", settings.s3_secret_access_key or "")

    async def ours() -> None:
        for n in range(1, PARTS + 1):
            presigner.url(
                credentials,
                "PUT",
                settings.s3_bucket,
                "k",
                {"partNumber": str(n), "uploadId": "u"},
                expires=3600,
                headers={"x-amz-checksum-sha256": digest},
            )

    boto = boto_client(settings)

    async def botocore_signer() -> None:
        for n in range(1, PARTS + 1):
            boto.generate_presigned_url(
                "upload_part",
                Params={
                    "Bucket": settings.s3_bucket,
                    "Key": "k",
                    "UploadId": "u",
                    "PartNumber": n,
                    "ChecksumSHA256": digest,
                },
                ExpiresIn=3600,
            )

    own = await median(ours, repeat)
    theirs = await median(botocore_signer, repeat)
    return [
        f"## Signing {PARTS:,} part URLs (median of {repeat})",
        "",
        "| what | seconds | ratio |",
        "|---|---:|---:|",
        f"| createUpload + 9 uploadPartUrls through the API (GraphQL, HTTP, JSON) | {through_api:.3f} | |",
        f"| storage.presign alone | {own:.3f} | {theirs / own:.1f}x faster than botocore |",
        f"| botocore generate_presigned_url | {theirs:.3f} | 1.0x |",
        "",
    ]
