"""Signing in with Keycloak tokens: who the caller is and which organisations they see."""

from __future__ import annotations

from typing import Any

from motor.motor_asyncio import AsyncIOMotorDatabase

from tests.graphql import GraphQLClient

ME = """
query Me {
  me {
    id name email isService
    organizations { id name slug role rootFolder { id name } }
  }
}
"""


async def test_alice_sees_athena_energy_with_its_root_folder(as_user: Any) -> None:
    # when
    data = await as_user("alice").data(ME)
    # then
    me = data["me"]
    assert me["name"]
    assert me["email"] == "alice@athena-energy.example"
    assert me["isService"] is False
    [organization] = me["organizations"]
    assert organization["slug"] == "athena-energy"
    assert organization["role"] == "MEMBER"
    assert organization["rootFolder"]["name"] == "athena-energy"
    assert organization["rootFolder"]["id"]


async def test_bob_is_admin_and_shares_alice_s_organisation_and_root(as_user: Any) -> None:
    alice = (await as_user("alice").data(ME))["me"]["organizations"]
    bob = (await as_user("bob").data(ME))["me"]["organizations"]
    assert [o["role"] for o in bob] == ["ADMIN"]
    assert bob[0]["id"] == alice[0]["id"]
    assert bob[0]["rootFolder"]["id"] == alice[0]["rootFolder"]["id"]


async def test_carol_sees_reading_climate_only(as_user: Any) -> None:
    me = (await as_user("carol").data(ME))["me"]
    assert [o["slug"] for o in me["organizations"]] == ["reading-climate"]


async def test_dave_sees_no_organisation(as_user: Any) -> None:
    me = (await as_user("dave").data(ME))["me"]
    assert me["organizations"] == []
    assert me["name"]


async def test_service_token_is_a_service_caller_in_athena_energy(as_user: Any) -> None:
    me = (await as_user("service").data(ME))["me"]
    assert me["isService"] is True
    assert [o["slug"] for o in me["organizations"]] == ["athena-energy"]


async def test_one_root_folder_per_organisation_however_often_people_sign_in(
    as_user: Any, mongo: AsyncIOMotorDatabase[Any]
) -> None:
    for who in ("alice", "bob", "service", "alice"):
        await as_user(who).data(ME)
    organisation = await mongo.organisations.find_one({"slug": "athena-energy"})
    assert organisation is not None
    roots = await mongo.folders.count_documents({"organisation_id": organisation["_id"], "parent_id": None})
    assert roots == 1
    users = await mongo.users.count_documents({"subject": {"$exists": True}, "name": {"$ne": ""}})
    assert users >= 3


async def test_organisation_is_a_node_only_for_its_members(as_user: Any) -> None:
    [athena] = (await as_user("alice").data(ME))["me"]["organizations"]
    query = "query($id: ID!) { node(id: $id) { id ... on Organization { slug } } }"
    assert (await as_user("bob").data(query, {"id": athena["id"]}))["node"]["slug"] == "athena-energy"
    assert (await as_user("carol").data(query, {"id": athena["id"]}))["node"] is None
    root = athena["rootFolder"]["id"]
    assert (await as_user("carol").data(query, {"id": root}))["node"] is None
    assert (await as_user("alice").data(query, {"id": root}))["node"]["id"] == root


async def test_me_id_resolves_back_to_the_caller(as_user: Any) -> None:
    alice: GraphQLClient = as_user("alice")
    me = (await alice.data(ME))["me"]
    found = await alice.data("query($id: ID!) { node(id: $id) { id ... on User { name } } }", {"id": me["id"]})
    assert found["node"] == {"id": me["id"], "name": me["name"]}
