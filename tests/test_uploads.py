"""Uploads and downloads through presigned multipart URLs, against the real MinIO."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from motor.motor_asyncio import AsyncIOMotorDatabase

from cli.main import main
from graphql_api.settings import Settings
from tests.graphql import GraphQLClient
from tests.helpers import (
    COMPLETE_UPLOAD,
    CREATE_UPLOAD,
    MiB,
    composite,
    download_bytes,
    put_part,
    s3_client,
    sandbox,
    sha256_b64,
    split,
    start_upload,
    upload_bytes,
)

FILE = """
query($id: ID!, $partSize: BigInt) {
  node(id: $id) {
    ... on File {
      id name size status checksum contentType
      folder { id } owner { name }
      download(partSize: $partSize) { url expiresAt parts { partNumber rangeStart rangeEnd } }
    }
  }
}
"""
UPLOAD = """
query($id: ID!) {
  node(id: $id) { ... on Upload { id partCount uploadedParts { partNumber size etag checksumSha256 } } }
}
"""
PART_URLS = """
mutation($input: UploadPartUrlsInput!) {
  uploadPartUrls(input: $input) {
    upload { parts { partNumber url headers { name value } } }
    userErrors { code message field }
  }
}
"""
ABORT = "mutation($id: ID!) { abortUpload(input: {uploadId: $id}) { abortedUploadId userErrors { code } } }"


@pytest.fixture
async def s3(settings: Settings) -> AsyncIterator[Any]:
    async with s3_client(settings) as client:
        yield client


async def _blob_state(s3: Any, settings: Settings, mongo: AsyncIOMotorDatabase[Any]) -> tuple[int, int, int]:
    """Objects, multipart uploads in progress, and file documents: what a failed call must not change."""
    objects = await s3.list_objects_v2(Bucket=settings.s3_bucket)
    uploads = await s3.list_multipart_uploads(Bucket=settings.s3_bucket)
    return objects.get("KeyCount", 0), len(uploads.get("Uploads", [])), await mongo.files.count_documents({})


def _codes(result: dict[str, Any]) -> list[str]:
    return [e["code"] for e in result["userErrors"]]


async def test_upload_in_parallel_parts_then_download_by_ranges(as_user: Any) -> None:
    alice: GraphQLClient = as_user("alice")
    folder = await sandbox(alice)
    data = os.urandom(12 * MiB + 12345)
    # when
    file = await upload_bytes(alice, folder, "thermal.tif", data, part_size=5 * MiB, contentType="image/tiff")
    # then
    assert file["status"] == "AVAILABLE"
    assert file["size"] == len(data)
    assert file["checksum"] == composite(split(data, 5 * MiB))
    found = (await alice.data(FILE, {"id": file["id"], "partSize": 4 * MiB}))["node"]
    assert found["contentType"] == "image/tiff"
    ranges = found["download"]["parts"]
    assert len(ranges) == 4
    assert ranges[-1]["rangeEnd"] == len(data) - 1
    assert await download_bytes(found["download"]["url"], ranges) == data


async def test_file_is_invisible_to_other_organisations(as_user: Any) -> None:
    alice, carol = as_user("alice"), as_user("carol")
    file = await upload_bytes(alice, await sandbox(alice), "private.csv", b"a,b\n1,2\n")
    assert (await carol.data(FILE, {"id": file["id"]}))["node"] is None


async def test_empty_file(as_user: Any) -> None:
    alice = as_user("alice")
    folder = await sandbox(alice)
    started = (await alice.data(CREATE_UPLOAD, {"input": {"folderId": folder, "name": "empty.txt", "size": 0}}))[
        "createUpload"
    ]
    assert started["upload"]["partCount"] == 0
    done = (await alice.data(COMPLETE_UPLOAD, {"input": {"uploadId": started["upload"]["id"], "parts": []}}))[
        "completeUpload"
    ]
    assert done["userErrors"] == []
    found = (await alice.data(FILE, {"id": done["file"]["id"]}))["node"]
    assert found["size"] == 0
    assert found["download"]["parts"] == []
    async with httpx.AsyncClient() as http:
        response = await http.get(found["download"]["url"])
    assert response.status_code == 200
    assert response.content == b""


async def test_corrupted_part_is_refused_by_the_store(as_user: Any) -> None:
    alice = as_user("alice")
    data = os.urandom(6 * MiB)
    started = await start_upload(alice, await sandbox(alice), "sensor.bin", data)
    first, second = started["upload"]["parts"]
    parts = split(data, 5 * MiB)
    corrupted = bytes([parts[0][0] ^ 0xFF]) + parts[0][1:]
    async with httpx.AsyncClient() as http:
        refused = await put_part(http, first, corrupted)
        assert refused.status_code == 400
        ok = await put_part(http, second, parts[1])
        assert ok.status_code == 200
    result = (
        await alice.data(
            COMPLETE_UPLOAD,
            {
                "input": {
                    "uploadId": started["upload"]["id"],
                    "parts": [{"partNumber": 1, "etag": "anything"}, {"partNumber": 2, "etag": ok.headers["etag"]}],
                }
            },
        )
    )["completeUpload"]
    assert _codes(result) == ["PARTS_MISSING"]


async def test_resume_sends_only_missing_parts(as_user: Any) -> None:
    alice = as_user("alice")
    data = os.urandom(11 * MiB)
    parts = split(data, 5 * MiB)
    # given: a client that asked for no URLs up front and crashed after part 2
    started = (
        await alice.data(
            CREATE_UPLOAD,
            {"input": {"folderId": await sandbox(alice), "name": "big.las", "size": len(data), "partSize": 5 * MiB}},
        )
    )["createUpload"]
    upload_id = started["upload"]["id"]
    assert started["upload"]["parts"] == []
    signed = (
        await alice.data(
            PART_URLS,
            {"input": {"uploadId": upload_id, "parts": [{"partNumber": 2, "checksumSha256": sha256_b64(parts[1])}]}},
        )
    )["uploadPartUrls"]
    async with httpx.AsyncClient() as http:
        assert (await put_part(http, signed["upload"]["parts"][0], parts[1])).status_code == 200
    # when it comes back
    held = (await alice.data(UPLOAD, {"id": upload_id}))["node"]["uploadedParts"]
    assert [p["partNumber"] for p in held] == [2]
    missing = [n for n in (1, 2, 3) if n not in {p["partNumber"] for p in held}]
    more = (
        await alice.data(
            PART_URLS,
            {
                "input": {
                    "uploadId": upload_id,
                    "parts": [{"partNumber": n, "checksumSha256": sha256_b64(parts[n - 1])} for n in missing],
                }
            },
        )
    )["uploadPartUrls"]
    async with httpx.AsyncClient() as http:
        for url in more["upload"]["parts"]:
            assert (await put_part(http, url, parts[url["partNumber"] - 1])).status_code == 200
    held = (await alice.data(UPLOAD, {"id": upload_id}))["node"]["uploadedParts"]
    done = (
        await alice.data(
            COMPLETE_UPLOAD,
            {
                "input": {
                    "uploadId": upload_id,
                    "parts": [{"partNumber": p["partNumber"], "etag": p["etag"]} for p in held],
                }
            },
        )
    )["completeUpload"]
    assert done["userErrors"] == []
    assert done["file"]["checksum"] == composite(parts)


async def test_bad_input_changes_nothing(
    as_user: Any, s3: Any, settings: Settings, mongo: AsyncIOMotorDatabase[Any]
) -> None:
    alice = as_user("alice")
    folder = await sandbox(alice)
    before = await _blob_state(s3, settings, mongo)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"name": "", "size": 10}, "NAME_INVALID"),
        ({"name": "a/b", "size": 10}, "NAME_INVALID"),
        ({"name": "ok", "size": -1}, "SIZE_INVALID"),
        ({"name": "ok", "size": 10 * 1024**4}, "SIZE_INVALID"),
        ({"name": "ok", "size": 100, "partSize": 1024}, "PART_SIZE_INVALID"),
        ({"name": "ok", "size": 60 * 1024**3, "partSize": 5 * MiB}, "PART_SIZE_INVALID"),
        ({"name": "ok", "size": 10, "contentType": "not a type"}, "INVALID"),
        ({"name": "ok", "size": 10, "partChecksums": ["bm90LWEtc2hhMjU2"]}, "CHECKSUM_INVALID"),
        ({"name": "ok", "size": 10, "checksum": "abc"}, "CHECKSUM_INVALID"),
        ({"name": "ok", "size": 10, "metadata": {"$where": 1}}, "METADATA_INVALID"),
        ({"name": "ok", "size": 10, "provenance": {"location": {"longitude": 200, "latitude": 0}}}, "METADATA_INVALID"),
    ]
    for extra, code in cases:
        result = (await alice.data(CREATE_UPLOAD, {"input": {"folderId": folder, **extra}}))["createUpload"]
        assert _codes(result) == [code], extra
        assert result["upload"] is None
    assert await _blob_state(s3, settings, mongo) == before


async def test_completion_checks_the_part_list(
    as_user: Any, s3: Any, settings: Settings, mongo: AsyncIOMotorDatabase[Any]
) -> None:
    alice, bob = as_user("alice"), as_user("bob")
    data = os.urandom(11 * MiB)
    parts = split(data, 5 * MiB)
    started = await start_upload(alice, await sandbox(alice), "parts.bin", data)
    upload_id = started["upload"]["id"]
    async with httpx.AsyncClient() as http:
        etags = [
            (await put_part(http, u, p)).headers["etag"] for u, p in zip(started["upload"]["parts"], parts, strict=True)
        ]
    good = [{"partNumber": i + 1, "etag": e} for i, e in enumerate(etags)]

    async def complete(who: GraphQLClient, part_list: list[dict[str, Any]]) -> list[str]:
        return _codes(
            (await who.data(COMPLETE_UPLOAD, {"input": {"uploadId": upload_id, "parts": part_list}}))["completeUpload"]
        )

    assert await complete(alice, good[:2]) == ["PARTS_MISSING"]
    assert await complete(alice, [*good, {"partNumber": 4, "etag": "x"}]) == ["PART_INVALID"]
    assert await complete(alice, [good[0], good[0], good[2]]) == ["PART_INVALID"]
    assert await complete(alice, [good[0], {"partNumber": 2, "etag": '"0123456789abcdef"'}, good[2]]) == [
        "PART_INVALID"
    ]
    assert await complete(bob, good) == ["NOT_FOUND"]
    bad_ids = await complete(alice, good)
    assert bad_ids == []
    assert await complete(alice, good) == ["UPLOAD_NOT_ACTIVE"]


async def test_declared_checksum_is_enforced(as_user: Any) -> None:
    alice = as_user("alice")
    data = os.urandom(6 * MiB)
    wrong = composite([b"something else", b"entirely"])
    started = await start_upload(alice, await sandbox(alice), "declared.bin", data, checksum=wrong)
    async with httpx.AsyncClient() as http:
        etags = [
            (await put_part(http, u, p)).headers["etag"]
            for u, p in zip(started["upload"]["parts"], split(data, 5 * MiB), strict=True)
        ]
    result = (
        await alice.data(
            COMPLETE_UPLOAD,
            {
                "input": {
                    "uploadId": started["upload"]["id"],
                    "parts": [{"partNumber": i + 1, "etag": e} for i, e in enumerate(etags)],
                }
            },
        )
    )["completeUpload"]
    assert _codes(result) == ["CHECKSUM_MISMATCH"]


async def test_abort_leaves_nothing_behind(
    as_user: Any, s3: Any, settings: Settings, mongo: AsyncIOMotorDatabase[Any]
) -> None:
    alice = as_user("alice")
    folder = await sandbox(alice)
    before = await _blob_state(s3, settings, mongo)
    data = os.urandom(6 * MiB)
    started = await start_upload(alice, folder, "aborted.bin", data)
    async with httpx.AsyncClient() as http:
        await put_part(http, started["upload"]["parts"][0], split(data, 5 * MiB)[0])
    assert await _blob_state(s3, settings, mongo) != before
    result = (await alice.data(ABORT, {"id": started["upload"]["id"]}))["abortUpload"]
    assert result["userErrors"] == []
    assert await _blob_state(s3, settings, mongo) == before
    again = (await alice.data(ABORT, {"id": started["upload"]["id"]}))["abortUpload"]
    assert _codes(again) == ["NOT_FOUND"]


async def _set_quota(settings: Settings, monkeypatch: pytest.MonkeyPatch, slug: str, quota: int) -> None:
    monkeypatch.setenv("STRATA_MONGODB_URL", settings.mongodb_url)
    monkeypatch.setenv("STRATA_MONGODB_DATABASE", settings.mongodb_database)
    assert await asyncio.to_thread(main, ["quota", slug, str(quota)]) == 0


async def test_quota_refuses_uploads_that_do_not_fit(
    as_user: Any, mongo: AsyncIOMotorDatabase[Any], settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    carol = as_user("carol")
    folder = await sandbox(carol, "reading-climate")
    organisation = await mongo.organisations.find_one({"slug": "reading-climate"})
    assert organisation is not None
    usage = organisation["usage_bytes"]
    # given: a quota with 1 KiB of room (operators set it with `strata quota SLUG BYTES`)
    await _set_quota(settings, monkeypatch, "reading-climate", usage + 1024)
    try:
        over = (await carol.data(CREATE_UPLOAD, {"input": {"folderId": folder, "name": "big", "size": 2048}}))[
            "createUpload"
        ]
        assert _codes(over) == ["QUOTA_EXCEEDED"]
        await upload_bytes(carol, folder, "small", b"x" * 1000)
        usage_now = (await carol.data("{ me { organizations { usageBytes quotaBytes } } }"))["me"]["organizations"][0]
        assert usage_now == {"usageBytes": usage + 1000, "quotaBytes": usage + 1024}
        still_over = (await carol.data(CREATE_UPLOAD, {"input": {"folderId": folder, "name": "b2", "size": 100}}))[
            "createUpload"
        ]
        assert _codes(still_over) == ["QUOTA_EXCEEDED"]
    finally:
        await _set_quota(settings, monkeypatch, "reading-climate", -1)
    reading = await mongo.organisations.find_one({"slug": "reading-climate"})
    assert reading is not None
    assert reading["quota_bytes"] is None


IN_PROGRESS = """
query($id: ID!) {
  folder(id: $id) {
    uploadsInProgress {
      uploadId partCount storedBytes viewerCanResume startedAt lastActivity abandonedAfter
      file { name status owner { name } uploadInProgress { uploadId } }
    }
  }
}
"""


async def test_an_unfinished_upload_shows_how_far_it_got_to_its_uploader_and_the_admins(as_user: Any) -> None:
    # given alice's upload of three parts, stopped after the second arrived
    alice, bob, carol = as_user("alice"), as_user("bob"), as_user("carol")
    folder = await sandbox(alice)
    data = os.urandom(11 * MiB)
    parts = split(data, 5 * MiB)
    started = (
        await alice.data(
            CREATE_UPLOAD,
            {"input": {"folderId": folder, "name": "scan.las", "size": len(data), "partSize": 5 * MiB}},
        )
    )["createUpload"]
    upload_id = started["upload"]["id"]
    signed = (
        await alice.data(
            PART_URLS,
            {"input": {"uploadId": upload_id, "parts": [{"partNumber": 2, "checksumSha256": sha256_b64(parts[1])}]}},
        )
    )["uploadPartUrls"]
    async with httpx.AsyncClient() as http:
        assert (await put_part(http, signed["upload"]["parts"][0], parts[1])).status_code == 200
    # when she, then bob (an admin), then carol (another organisation) look at the folder
    [mine] = (await alice.data(IN_PROGRESS, {"id": folder}))["folder"]["uploadsInProgress"]
    [seen] = (await bob.data(IN_PROGRESS, {"id": folder}))["folder"]["uploadsInProgress"]
    # then both see who, how far and until when; only she may resume it
    assert (mine["uploadId"], mine["partCount"], int(mine["storedBytes"])) == (upload_id, 3, 5 * MiB)
    assert mine["file"]["owner"]["name"] == seen["file"]["owner"]["name"] == "Alice Example"
    assert mine["file"] == {
        "name": "scan.las",
        "status": "UPLOADING",
        "owner": {"name": "Alice Example"},
        "uploadInProgress": {"uploadId": upload_id},
    }
    assert mine["abandonedAfter"] > mine["lastActivity"] >= mine["startedAt"]
    assert (mine["viewerCanResume"], seen["viewerCanResume"]) == (True, False)
    assert (await carol.data(IN_PROGRESS, {"id": folder}))["folder"] is None
    # and the admin's cancel ends it: the name and the reserved bytes are free again
    abort = "mutation($id: ID!) { abortUpload(input: {uploadId: $id}) { userErrors { code } } }"
    assert (await bob.data(abort, {"id": upload_id}))["abortUpload"]["userErrors"] == []
    assert (await alice.data(IN_PROGRESS, {"id": folder}))["folder"]["uploadsInProgress"] == []
    await upload_bytes(alice, folder, "scan.las", b"again")


START_MANY = """
mutation($uploads: [CreateUploadInput!]!) {
  createUploads(input: {uploads: $uploads}) {
    results { upload { id parts { partNumber url headers { name value } } } userErrors { code field } }
    userErrors { code message }
  }
}
"""
FINISH_MANY = """
mutation($uploads: [CompleteUploadInput!]!) {
  completeUploads(input: {uploads: $uploads}) {
    results { file { name status checksum } userErrors { code field } }
    userErrors { code message }
  }
}
"""


async def test_many_small_uploads_start_and_finish_in_one_call_each_refused_alone(as_user: Any) -> None:
    alice = as_user("alice")
    folder = await sandbox(alice)
    taken = await upload_bytes(alice, folder, "taken.csv", b"already here")
    bodies = {f"sensor-{n}.csv": os.urandom(1000 + n) for n in range(3)}
    asked = [
        {"folderId": folder, "name": name, "size": len(body), "partChecksums": [sha256_b64(body)]}
        for name, body in bodies.items()
    ]
    asked.insert(1, {"folderId": folder, "name": "taken.csv", "size": 5})
    asked.append({"folderId": taken["id"], "name": "lost.csv", "size": 5})
    # when alice starts five uploads in one call: three new, one whose name is taken, one "into" a file
    started = (await alice.data(START_MANY, {"uploads": asked}))["createUploads"]
    # then each is answered in its place; the good ones carry their part URL at once
    assert started["userErrors"] == []
    codes = [[e["code"] for e in r["userErrors"]] for r in started["results"]]
    assert codes == [[], ["NAME_TAKEN"], [], [], ["INVALID"]]
    good = [r["upload"] for r in started["results"] if r["upload"]]
    assert [len(u["parts"]) for u in good] == [1, 1, 1]
    async with httpx.AsyncClient(timeout=60) as http:
        sent = [await put_part(http, u["parts"][0], body) for u, body in zip(good, bodies.values(), strict=True)]
    assert [r.status_code for r in sent] == [200, 200, 200]
    # when she finishes them in one call, with the first listed twice and one never sent
    unsent = (await start_upload(alice, folder, "unsent.csv", b"12345"))["upload"]["id"]
    finishing = [
        {"uploadId": u["id"], "parts": [{"partNumber": 1, "etag": r.headers["etag"]}]}
        for u, r in zip(good, sent, strict=True)
    ]
    finishing += [finishing[0], {"uploadId": unsent, "parts": [{"partNumber": 1, "etag": "x"}]}]
    finished = (await alice.data(FINISH_MANY, {"uploads": finishing}))["completeUploads"]
    # then the three are AVAILABLE with their checksums; the repeat and the unsent one are refused alone
    results = finished["results"]
    assert [r["file"]["name"] if r["file"] else None for r in results] == [*bodies, None, None]
    assert all(r["file"]["status"] == "AVAILABLE" for r in results[:3])
    assert [r["file"]["checksum"] for r in results[:3]] == [composite([body]) for body in bodies.values()]
    assert [[e["code"] for e in r["userErrors"]] for r in results[3:]] == [["INVALID"], ["PARTS_MISSING"]]
    # and a call of more than 50 is refused as a whole, nothing started
    many = [{"folderId": folder, "name": f"n-{n}.csv", "size": 1} for n in range(51)]
    refused = (await alice.data(START_MANY, {"uploads": many}))["createUploads"]
    assert (refused["results"], [e["code"] for e in refused["userErrors"]]) == ([], ["INVALID"])
    listed = await alice.data(
        "query($f: ID!) { folder(id: $f) { files(first: 100) { nodes { name } } } }", {"f": folder}
    )
    assert "n-0.csv" not in [n["name"] for n in listed["folder"]["files"]["nodes"]]
