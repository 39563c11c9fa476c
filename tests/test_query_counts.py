"""Dataloaders keep MongoDB work constant per page, and a subtree move is a fixed set of writes."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from bson import ObjectId
from motor.motor_asyncio import AsyncIOMotorDatabase

from devservices.api import serve_api
from graphql_api.settings import Settings
from storage.command_counter import CommandCounter
from storage.models import GranteeKind, ResourceKind, Share, ShareRole, ShareStatus
from tests.graphql import GraphQLClient
from tests.helpers import create_folder, object_id, sandbox, upload_bytes

LISTING = """
query($id: ID!, $first: Int!) {
  folder(id: $id) {
    files(first: $first) {
      edges { node { id name size owner { id name } folder { id name ancestors { id } } } }
    }
    folders(first: $first) { edges { node { id name owner { name } parent { id } } } }
  }
}
"""


@pytest.fixture(scope="module")
def counter() -> CommandCounter:
    return CommandCounter()


@pytest.fixture(scope="module")
def counted_url(settings: Settings, counter: CommandCounter) -> Any:
    # No background work on this server: only the queries under test are counted.
    quiet = settings.model_copy(update={"copernicus_worker": False, "smtp_host": None})
    with serve_api(quiet, command_listeners=[counter]) as url:
        yield url


@pytest.fixture
async def counted(counted_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=counted_url, timeout=60) as http:
        yield http


async def _commands_for(client: GraphQLClient, counter: CommandCounter, folder: str, first: int) -> int:
    await client.data(LISTING, {"id": folder, "first": first})  # warm the sign-in
    counter.reset()
    data = await client.data(LISTING, {"id": folder, "first": first})
    assert len(data["folder"]["files"]["edges"]) == first
    return counter.total


async def test_a_page_costs_the_same_commands_for_10_and_100_children(
    as_user: Any, counted: httpx.AsyncClient, counter: CommandCounter, tokens: Any
) -> None:
    # given: two folders, 10 and 100 files and as many subfolders, by two different people
    alice, service = as_user("alice"), as_user("service")
    sizes = {}
    for count in (10, 100):
        folder = await sandbox(alice)
        for i in range(count):
            uploader = alice if i % 2 else service
            await upload_bytes(uploader, folder, f"f{i:03}.txt", b"")
            await create_folder(uploader, folder, f"d{i:03}")
        sizes[count] = folder
    client = GraphQLClient(counted, tokens("bob"))
    # when
    small = await _commands_for(client, counter, sizes[10], 10)
    large = await _commands_for(client, counter, sizes[100], 100)
    # then
    assert small == large
    # the files' page: its folder's ladder, one shelf, the ladder again (storage/shelves.py)
    assert large <= 10


async def test_moving_a_subtree_is_a_fixed_set_of_writes(
    as_user: Any, counted: httpx.AsyncClient, counter: CommandCounter, tokens: Any, mongo: AsyncIOMotorDatabase[Any]
) -> None:
    alice = as_user("alice")
    counts = []
    for descendants in (10, 1000):
        top = await sandbox(alice)
        target = await create_folder(alice, top, "target")
        moving = await create_folder(alice, top, "moving")
        # given: a wide, deep subtree, written straight to the database to keep the test quick
        moving_doc = await mongo.folders.find_one({"_id": object_id(moving)})
        assert moving_doc is not None
        chain = [*moving_doc["ancestors"], moving_doc["_id"]]
        documents = []
        for i in range(descendants):
            parent = chain[-1]
            document = {
                **{k: v for k, v in moving_doc.items() if k not in ("_id", "name", "name_key")},
                "_id": ObjectId(),
                "name": f"n{i}",
                "name_key": f"n{i}",
                "parent_id": parent,
                "ancestors": list(chain),
            }
            documents.append(document)
            if i % 100 == 0:
                chain.append(document["_id"])
        await mongo.folders.insert_many(documents)
        client = GraphQLClient(counted, tokens("alice"))
        await client.data("{ me { id } }")
        counter.reset()
        result = await client.data(
            "mutation($i: ID!, $p: ID!) { moveFolder(input: {id: $i, parentId: $p}) { userErrors { code } } }",
            {"i": moving, "p": target},
        )
        assert result["moveFolder"]["userErrors"] == []
        counts.append(counter.commands["update"])
        target_id = object_id(target)
        assert await mongo.folders.count_documents({"ancestors": target_id}) == descendants + 1
        assert await mongo.folders.count_documents({"ancestors": object_id(top)}) == descendants + 2
    assert counts[0] == counts[1]


async def test_shares_by_id_read_each_shared_item_once(
    as_user: Any, counted: httpx.AsyncClient, counter: CommandCounter, tokens: Any, mongo: AsyncIOMotorDatabase[Any]
) -> None:
    bob = as_user("bob")
    folder = await sandbox(bob)
    stored = await mongo.folders.find_one({"_id": object_id(folder)})
    assert stored is not None
    bob_id = object_id((await bob.data("{ me { id } }"))["me"]["id"])
    client = GraphQLClient(counted, tokens("bob"))
    await client.data("{ me { id } }")
    costs = {}
    for count in (10, 20):
        # given: that many shares of one folder, written straight to the database
        now = datetime.now(UTC)
        documents = [
            Share(
                id=ObjectId(),
                resource_kind=ResourceKind.FOLDER,
                resource_id=stored["_id"],
                organisation_id=stored["organisation_id"],
                grantee_kind=GranteeKind.USER,
                grantee_id=ObjectId(),
                role=ShareRole.VIEWER,
                terms_hash="-",
                status=ShareStatus.ACTIVE,
                created_by=bob_id,
                created_at=now,
                updated_at=now,
            ).model_dump_doc()
            for _ in range(count)
        ]
        await mongo.shares.insert_many(documents)
        ids = [base64.b64encode(f"Share:{d['_id']}".encode()).decode() for d in documents]
        counter.reset()
        found = (await client.data("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ids}))["nodes"]
        assert all(node is not None for node in found)
        costs[count] = counter.total
    # then: ten more shares cost ten more reads (one each), the folder is read once for all
    assert costs[20] - costs[10] == 10, costs
