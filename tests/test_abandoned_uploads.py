"""Abandoned uploads are aborted after an idle time counted from the last activity, not the start."""

from __future__ import annotations

import asyncio
import os
import time
from typing import Any

import httpx

from devservices.api import serve_api
from graphql_api.settings import Settings
from tests.graphql import GraphQLClient
from tests.helpers import MiB, object_id, put_part, s3_client, sandbox, split, start_upload, upload_exists

IDLE = 3.0


async def test_idle_uploads_are_swept_and_active_ones_survive(
    settings: Settings, tokens: Any, mongo: Any, as_user: Any
) -> None:
    fast = settings.model_copy(update={"upload_idle_seconds": int(IDLE), "upload_sweep_interval_seconds": 0.5})
    folder = await sandbox(as_user("alice"))
    with serve_api(fast) as url:
        async with httpx.AsyncClient(base_url=url, timeout=60) as http:
            alice = GraphQLClient(http, tokens("alice"))
            data = os.urandom(16 * MiB)
            parts = split(data, 5 * MiB)
            abandoned = await start_upload(alice, folder, "abandoned.bin", data)
            abandoned_doc = await mongo.files.find_one({"_id": object_id(abandoned["file"]["id"])})
            abandoned_key, abandoned_upload_id = abandoned_doc["blob_key"], abandoned_doc["upload"]["upload_id"]
            active = await start_upload(alice, folder, "active.bin", data)
            async with httpx.AsyncClient(timeout=60) as s3_http:
                assert (await put_part(s3_http, abandoned["upload"]["parts"][0], parts[0])).status_code == 200
                # when: one client keeps sending parts for longer than the idle time, the other went away
                started = time.monotonic()
                for index, (url_part, body) in enumerate(zip(active["upload"]["parts"], parts, strict=True)):
                    if index:
                        await asyncio.sleep(IDLE * 0.6)
                    assert (await put_part(s3_http, url_part, body)).status_code == 200
                assert time.monotonic() - started > IDLE
            # then
            deadline = time.monotonic() + 10
            while await mongo.files.find_one({"_id": object_id(abandoned["file"]["id"])}) is not None:
                assert time.monotonic() < deadline, "abandoned upload was not swept"
                await asyncio.sleep(0.25)
            survivor = await mongo.files.find_one({"_id": object_id(active["file"]["id"])})
            assert survivor is not None
            assert survivor["status"] == "UPLOADING"
            async with s3_client(settings) as s3:
                held = await s3.list_parts(
                    Bucket=settings.s3_bucket, Key=survivor["blob_key"], UploadId=survivor["upload"]["upload_id"]
                )
                assert len(held["Parts"]) == len(parts)
            assert not await upload_exists(settings, abandoned_key, abandoned_upload_id)
