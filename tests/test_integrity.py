"""Integrity when requests meet: crossing moves, purges, creates racing deletes, uploads ending twice.

Each race fires the requests together, round after round, and asserts the invariant every round;
the consistency check (``strata fsck``'s) must find nothing at the end. FerretDB has no atomic
read-modify-write, so these are the tests that show the guards do their work.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
from motor.motor_asyncio import AsyncIOMotorDatabase

from graphql_api.app import blob_config
from graphql_api.settings import Settings
from resolvers import folders
from storage import consistency, guards, tree
from storage.blobs import BlobStore
from storage.mongo import Database
from tests.graphql import GraphQLClient
from tests.helpers import create_folder, object_id, put_part, sandbox, start_upload, upload_bytes

ROUNDS = 20

MOVE = """
mutation($id: ID!, $to: ID!) {
  moveFolder(input: {id: $id, parentId: $to}) { folder { id } userErrors { code } }
}
"""
CREATE = """
mutation($parent: ID!, $name: String!) {
  createFolder(input: {parentId: $parent, name: $name}) { folder { id } userErrors { code } }
}
"""
DELETE_FOLDER = "mutation($id: ID!) { deleteFolder(input: {id: $id}) { folder { id } userErrors { code } } }"
PURGE_FOLDER = "mutation($id: ID!) { purgeFolder(input: {id: $id}) { purgedFolderId userErrors { code } } }"
RESTORE_FOLDER = "mutation($id: ID!) { restoreFolder(input: {id: $id}) { folder { id } userErrors { code } } }"
DELETE_FILE = "mutation($id: ID!) { deleteFile(input: {id: $id}) { file { id } userErrors { code } } }"
COMPLETE = """
mutation($input: CompleteUploadInput!) { completeUpload(input: $input) { file { id status } userErrors { code } } }
"""
ABORT = "mutation($id: ID!) { abortUpload(input: {uploadId: $id}) { abortedUploadId userErrors { code } } }"
FOLDER = """
query($id: ID!) {
  folder(id: $id) { id trashedAt parent { id } folders(first: 100) { edges { node { id name trashedAt } } } }
}
"""
NODE = "query($id: ID!) { node(id: $id) { id } }"
USAGE = "{ me { organizations { slug usageBytes } } }"


@contextlib.asynccontextmanager
async def _store(settings: Settings) -> AsyncIterator[tuple[Database, BlobStore]]:
    db = Database.connect(settings.mongodb_url, settings.mongodb_database)
    try:
        async with BlobStore.open(blob_config(settings)) as blobs:
            yield db, blobs
    finally:
        db.close()


async def _consistent(settings: Settings) -> None:
    async with _store(settings) as (db, blobs):
        report = await consistency.check(db.engine, blobs)
    assert report.clean, report.lines()


async def _usage(client: GraphQLClient) -> int:
    organizations = (await client.data(USAGE))["me"]["organizations"]
    return int(next(o for o in organizations if o["slug"] == "athena-energy")["usageBytes"])


def _errors(payload: dict[str, Any]) -> list[str]:
    return [e["code"] for e in payload["userErrors"]]


async def test_crossing_moves_never_make_a_cycle(as_user: Any, settings: Settings) -> None:
    alice = as_user("alice")
    top = await sandbox(alice)
    outcomes: dict[str, int] = {}
    for round_ in range(ROUNDS):
        # given P/A and P/B
        parent = await create_folder(alice, top, f"p{round_}")
        a, b = await create_folder(alice, parent, "a"), await create_folder(alice, parent, "b")
        # when A moves into B and B into A at the same moment
        ab, ba = await asyncio.gather(alice.data(MOVE, {"id": a, "to": b}), alice.data(MOVE, {"id": b, "to": a}))
        codes = (_errors(ab["moveFolder"]), _errors(ba["moveFolder"]))
        outcomes[repr(codes)] = outcomes.get(repr(codes), 0) + 1
        # then exactly one moved, and P still holds the other
        assert sorted(map(len, codes)) == [0, 1], codes
        assert "CYCLE" in codes[0] + codes[1], codes
        listed = (await alice.data(FOLDER, {"id": parent}))["folder"]["folders"]["edges"]
        assert len(listed) == 1, listed
    await _consistent(settings)


async def test_purge_takes_what_was_trashed_beneath_on_its_own(
    as_user: Any, settings: Settings, mongo: AsyncIOMotorDatabase[Any]
) -> None:
    alice, bob = as_user("alice"), as_user("bob")
    top = await sandbox(alice)
    before = await _usage(alice)
    # given P/child holding a file, and a file in P, both trashed on their own, then P
    parent = await create_folder(alice, top, "p")
    child = await create_folder(alice, parent, "child")
    inner = await upload_bytes(alice, child, "inner.bin", b"i" * 3000)
    loose = await upload_bytes(alice, parent, "loose.bin", b"l" * 5000)
    assert await _usage(alice) == before + 8000
    assert _errors((await alice.data(DELETE_FOLDER, {"id": child}))["deleteFolder"]) == []
    assert _errors((await alice.data(DELETE_FILE, {"id": loose["id"]}))["deleteFile"]) == []
    assert _errors((await alice.data(DELETE_FOLDER, {"id": parent}))["deleteFolder"]) == []
    # when P is purged
    assert _errors((await bob.data(PURGE_FOLDER, {"id": parent}))["purgeFolder"]) == []
    # then everything beneath it is gone, bytes and usage too, and nothing can come back
    assert await _usage(alice) == before
    for gone in (child, inner["id"], loose["id"]):
        assert (await alice.data(NODE, {"id": gone}))["node"] is None
    assert await mongo.files.count_documents({"ancestors": object_id(parent)}) == 0
    assert await mongo.folders.count_documents({"ancestors": object_id(parent)}) == 0
    await _consistent(settings)


async def test_restore_needs_a_parent_that_exists(as_user: Any, settings: Settings) -> None:
    alice, bob = as_user("alice"), as_user("bob")
    top = await sandbox(alice)
    parent = await create_folder(alice, top, "p")
    child = await create_folder(alice, parent, "child")
    await alice.data(DELETE_FOLDER, {"id": child})
    await alice.data(DELETE_FOLDER, {"id": parent})
    assert _errors((await alice.data(RESTORE_FOLDER, {"id": child}))["restoreFolder"]) == ["PARENT_IN_TRASH"]
    await bob.data(PURGE_FOLDER, {"id": parent})
    assert (await alice.data(NODE, {"id": child}))["node"] is None
    await _consistent(settings)


async def test_create_racing_delete_leaves_nothing_live_under_the_trash(
    as_user: Any, settings: Settings, mongo: AsyncIOMotorDatabase[Any]
) -> None:
    alice, bob = as_user("alice"), as_user("bob")
    top = await sandbox(alice)
    created = 0
    for round_ in range(ROUNDS):
        parent = await create_folder(alice, top, f"p{round_}")
        # when a folder is created in P while P is deleted
        made, deleted = await asyncio.gather(
            alice.data(CREATE, {"parent": parent, "name": "new"}), alice.data(DELETE_FOLDER, {"id": parent})
        )
        assert _errors(deleted["deleteFolder"]) == []
        # then the new folder either was refused or went to the trash with P
        if made["createFolder"]["folder"] is None:
            assert _errors(made["createFolder"]) == ["IN_TRASH"]
        else:
            created += 1
            new = object_id(made["createFolder"]["folder"]["id"])
            stored = await mongo.folders.find_one({"_id": new})
            assert stored is not None
            assert stored["trash_root_id"] == object_id(parent), stored
        live = await mongo.folders.count_documents({"ancestors": object_id(parent), "trash_root_id": None})
        assert live == 0
        assert _errors((await bob.data(PURGE_FOLDER, {"id": parent}))["purgeFolder"]) == []
        assert await mongo.folders.count_documents({"ancestors": object_id(parent)}) == 0
    await _consistent(settings)


async def test_complete_racing_abort_ends_an_upload_exactly_once(
    as_user: Any, settings: Settings, mongo: AsyncIOMotorDatabase[Any]
) -> None:
    rounds = ROUNDS
    alice = as_user("alice")
    folder = await sandbox(alice)
    kept = 0
    data = b"x" * 4096
    async with httpx.AsyncClient(timeout=60) as http:
        for round_ in range(rounds):
            started = await start_upload(alice, folder, f"f{round_}.bin", data)
            sent = await put_part(http, started["upload"]["parts"][0], data)
            assert sent.status_code == 200, sent.text
            upload_id = started["upload"]["id"]
            parts = [{"partNumber": 1, "etag": sent.headers["etag"]}]
            # when the upload is completed and aborted at the same moment
            done, aborted = await asyncio.gather(
                alice.execute(COMPLETE, {"input": {"uploadId": upload_id, "parts": parts}}),
                alice.execute(ABORT, {"id": upload_id}),
            )
            # then no answer is an internal error, and exactly one of them ended it
            assert not done.get("errors"), done
            assert not aborted.get("errors"), aborted
            completed = _errors(done["data"]["completeUpload"]) == []
            cancelled = _errors(aborted["data"]["abortUpload"]) == []
            assert completed != cancelled, (done, aborted)
            stored = await mongo.files.find_one({"_id": object_id(started["file"]["id"])})
            if completed:
                kept += 1
                assert stored is not None
                assert stored["status"] == "AVAILABLE"
            else:
                assert stored is None
            # and the usage is the sum of what is stored, every round
            await _consistent(settings)
    assert 0 < kept < rounds or rounds < 5, f"completion won {kept} of {rounds}: the race never met"


async def test_start_up_recovery_of_a_move_goes_through_the_tree_guard(as_user: Any, settings: Settings) -> None:
    # given: P/a/inner and P/b, and P/c; a move of a into b that a crash left recorded, for each round
    alice = as_user("alice")
    top = await sandbox(alice)
    db = Database.connect(settings.mongodb_url, settings.mongodb_database, timeout_ms=settings.mongodb_timeout_ms)
    try:
        for round_ in range(ROUNDS):
            parent = await create_folder(alice, top, f"r{round_}")
            a, b, c = [await create_folder(alice, parent, name) for name in ("a", "b", "c")]
            inner = await create_folder(alice, a, "inner")
            folder = await tree.get_folder(db.engine, object_id(a))
            target = await tree.get_folder(db.engine, object_id(b))
            assert folder is not None
            assert target is not None
            assert await tree.begin_move(db.engine, folder, target, folder.ancestors[0])
            if round_ == 0:
                # while a live write holds the tree, recovery waits for it
                async with guards.organisation(db.engine, folder.organisation_id):
                    waiting = asyncio.create_task(folders.resume_pending_moves(db))
                    await asyncio.sleep(0.5)
                    still = await tree.get_folder(db.engine, folder.id)
                    assert still is not None
                    assert still.parent_id == folder.parent_id
                await waiting
            else:
                # when: a replica's start-up recovery and a live move of the same folder race
                await asyncio.gather(folders.resume_pending_moves(db), alice.data(MOVE, {"id": a, "to": c}))
            # then: the recorded move was finished once; the tree has no cycle and its ancestors are right
            moved = await tree.get_folder(db.engine, folder.id)
            assert moved is not None
            assert moved.pending_move is None
            assert not moved.moving
            below = await tree.get_folder(db.engine, object_id(inner))
            assert below is not None
            assert set(below.ancestors) == {*moved.ancestors, moved.id}
    finally:
        db.close()
    await _consistent(settings)
