"""Sharing under terms, through the API: who gets what, when, and what is recorded."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from motor.motor_asyncio import AsyncIOMotorDatabase

from tests.conftest import MovableClock
from tests.graphql import GraphQLClient
from tests.helpers import create_folder, sandbox, subscription, subscriptions_open, upload_bytes
from tests.keycloak import KeycloakClient

SHARE = """
mutation($input: CreateShareInput!) {
  createShare(input: $input) {
    share { id status role termsHash terms { text licence expiresAt allowReshare } }
    userErrors { code message field }
  }
}
"""
ACCEPT = """
mutation($id: ID!, $hash: String) {
  acceptShare(input: {shareId: $id, termsHash: $hash}) {
    share { status acceptedAt acceptedTermsHash } userErrors { code message }
  }
}
"""
DECLINE = "mutation($id: ID!) { declineShare(input: {shareId: $id}) { share { status } userErrors { code } } }"
REVOKE = "mutation($id: ID!) { revokeShare(input: {shareId: $id}) { share { status } userErrors { code } } }"
UPDATE = """
mutation($input: UpdateShareInput!) {
  updateShare(input: $input) { share { status role termsHash } userErrors { code message field } }
}
"""
FOLDER = """
query($id: ID!) {
  folder(id: $id) {
    id name
    files { edges { node { id name download { url } } } }
    shares { id status granteeUser { name } }
    shareEvents { nodes { kind accessCount actor { name } } }
  }
}
"""
SHARED_WITH_ME = """
query($status: [ShareStatus!]) {
  sharedWithMe(status: $status) {
    edges { node { id status message resource { ... on Folder { id name } ... on File { id name } } } }
  }
}
"""
CREATE = """
mutation($parent: ID!, $name: String!) {
  createFolder(input: {parentId: $parent, name: $name}) { folder { id } userErrors { code } }
}
"""
MOVE_FILE = """
mutation($id: ID!, $to: ID!) { moveFile(input: {id: $id, folderId: $to}) { file { id } userErrors { code } } }
"""


@pytest.fixture(autouse=True)
async def everyone_signed_in(as_user: Any) -> None:
    """People can be found by email once they have signed in."""
    for who in ("alice", "bob", "carol", "dave"):
        await as_user(who).data("{ me { id } }")


def _codes(result: dict[str, Any]) -> list[str]:
    return [e["code"] for e in result["userErrors"]]


async def _share(
    client: GraphQLClient, resource: str, grantee: dict[str, Any], role: str = "VIEWER", **extra: Any
) -> dict[str, Any]:
    result = await client.data(SHARE, {"input": {"resourceId": resource, "grantee": grantee, "role": role, **extra}})
    return dict(result["createShare"])


async def test_share_without_terms_is_active_and_covers_what_comes_later(as_user: Any) -> None:
    bob, dave = as_user("bob"), as_user("dave")
    top = await sandbox(bob)
    early = await upload_bytes(bob, top, "early.csv", b"1")
    assert (await dave.data(FOLDER, {"id": top}))["folder"] is None
    # when
    created = await _share(bob, top, {"email": "dave@example.org"})
    # then
    assert created["userErrors"] == [], created
    assert created["share"]["status"] == "ACTIVE"
    later = await upload_bytes(bob, top, "later.csv", b"2")
    seen = (await dave.data(FOLDER, {"id": top}))["folder"]
    assert {e["node"]["name"] for e in seen["files"]["edges"]} == {"early.csv", "later.csv"}
    assert all(e["node"]["download"]["url"] for e in seen["files"]["edges"])
    assert seen["shares"] == []  # grantees do not manage the share
    assert early["id"] != later["id"]
    # moving a file out of the shared folder ends access to it
    elsewhere = await create_folder(bob, await sandbox(bob), "private")
    assert _codes((await bob.data(MOVE_FILE, {"id": later["id"], "to": elsewhere}))["moveFile"]) == []
    seen = (await dave.data(FOLDER, {"id": top}))["folder"]
    assert [e["node"]["name"] for e in seen["files"]["edges"]] == ["early.csv"]
    node = await dave.data("query($id: ID!) { node(id: $id) { id } }", {"id": later["id"]})
    assert node["node"] is None


async def test_terms_wait_for_acceptance_of_exactly_what_was_shown(
    as_user: Any, mongo: AsyncIOMotorDatabase[Any]
) -> None:
    bob, dave = as_user("bob"), as_user("dave")
    top = await sandbox(bob)
    created = await _share(
        bob, top, {"email": "dave@example.org"}, terms={"text": "Research use only.", "licence": "CC-BY-4.0"}
    )
    share = created["share"]
    assert share["status"] == "PENDING"
    assert (await dave.data(FOLDER, {"id": top}))["folder"] is None
    pending = (await dave.data(SHARED_WITH_ME, {"status": ["PENDING"]}))["sharedWithMe"]["edges"]
    assert share["id"] in [e["node"]["id"] for e in pending]
    # the owner changes the terms before dave answers: his stale hash is refused
    changed = (
        await bob.data(UPDATE, {"input": {"shareId": share["id"], "terms": {"text": "Research use only. Cite us."}}})
    )["updateShare"]
    assert changed["share"]["status"] == "PENDING"
    stale = (await dave.data(ACCEPT, {"id": share["id"], "hash": share["termsHash"]}))["acceptShare"]
    assert _codes(stale) == ["TERMS_CHANGED"]
    accepted = (await dave.data(ACCEPT, {"id": share["id"], "hash": changed["share"]["termsHash"]}))["acceptShare"]
    assert accepted["share"]["status"] == "ACTIVE"
    assert accepted["share"]["acceptedTermsHash"] == changed["share"]["termsHash"]
    assert (await dave.data(FOLDER, {"id": top}))["folder"]["id"] == top
    # changed terms after acceptance: back to PENDING, access paused
    again = (await bob.data(UPDATE, {"input": {"shareId": share["id"], "terms": {"text": "New terms."}}}))[
        "updateShare"
    ]
    assert again["share"]["status"] == "PENDING"
    assert (await dave.data(FOLDER, {"id": top}))["folder"] is None
    events = (await bob.data(FOLDER, {"id": top}))["folder"]["shareEvents"]["nodes"]
    assert [e["kind"] for e in events][::-1] == ["CREATED", "UPDATED", "ACCEPTED", "UPDATED"]
    stored = await mongo.shares.find_one({"resource_id": {"$exists": True}, "terms.text": "New terms."})
    assert stored is not None
    assert stored["accepted_terms_hash"] is None


async def test_decline_and_revoke(as_user: Any) -> None:
    bob, dave, carol = as_user("bob"), as_user("dave"), as_user("carol")
    top = await sandbox(bob)
    offered = (await _share(bob, top, {"email": "dave@example.org"}, terms={"text": "Terms."}))["share"]
    assert _codes((await carol.data(DECLINE, {"id": offered["id"]}))["declineShare"]) == ["NOT_FOUND"]
    assert (await dave.data(DECLINE, {"id": offered["id"]}))["declineShare"]["share"]["status"] == "DECLINED"
    assert _codes((await dave.data(ACCEPT, {"id": offered["id"]}))["acceptShare"]) == ["NOT_PENDING"]
    active = (await _share(bob, top, {"email": "dave@example.org"}))["share"]
    assert (await dave.data(FOLDER, {"id": top}))["folder"] is not None
    assert _codes((await dave.data(REVOKE, {"id": active["id"]}))["revokeShare"]) == ["NOT_FOUND"]
    assert (await bob.data(REVOKE, {"id": active["id"]}))["revokeShare"]["share"]["status"] == "REVOKED"
    assert (await dave.data(FOLDER, {"id": top}))["folder"] is None


async def test_viewer_reads_editor_writes(as_user: Any) -> None:
    bob, dave, carol = as_user("bob"), as_user("dave"), as_user("carol")
    viewed, edited = await sandbox(bob), await sandbox(bob)
    await _share(bob, viewed, {"email": "dave@example.org"}, "VIEWER")
    carol_id = (await carol.data("{ me { organizations { id } } }"))["me"]["organizations"][0]["id"]
    await _share(bob, edited, {"organizationId": carol_id}, "EDITOR")
    refused = (await dave.data(CREATE, {"parent": viewed, "name": "mine"}))["createFolder"]
    assert _codes(refused) == ["PERMISSION_DENIED"]
    made = (await carol.data(CREATE, {"parent": edited, "name": "from-carol"}))["createFolder"]
    assert made["userErrors"] == []
    uploaded = await upload_bytes(carol, edited, "readings.csv", b"t,v\n")
    assert uploaded["status"] == "AVAILABLE"


async def test_reshare_never_more_than_held(as_user: Any, clock: MovableClock) -> None:
    bob, dave, carol = as_user("bob"), as_user("dave"), as_user("carol")
    top = await sandbox(bob)
    soon = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    later = (datetime.now(UTC) + timedelta(days=5)).isoformat()
    await _share(bob, top, {"email": "dave@example.org"}, "VIEWER", terms={"expiresAt": soon, "allowReshare": True})
    carol_email = {"email": "carol@reading-climate.example"}
    assert _codes(await _share(dave, top, carol_email, "EDITOR", terms={"expiresAt": soon})) == ["PERMISSION_DENIED"]
    assert _codes(await _share(dave, top, carol_email, "VIEWER", terms={"expiresAt": later})) == ["PERMISSION_DENIED"]
    assert _codes(await _share(dave, top, carol_email, "VIEWER")) == ["PERMISSION_DENIED"]
    ok = await _share(dave, top, carol_email, "VIEWER", terms={"expiresAt": soon})
    assert ok["userErrors"] == []
    assert (await carol.data(FOLDER, {"id": top}))["folder"] is not None
    # no reshare without allowReshare
    other = await sandbox(bob)
    await _share(bob, other, {"email": "dave@example.org"}, "EDITOR")
    assert _codes(await _share(dave, other, carol_email, "VIEWER")) == ["PERMISSION_DENIED"]
    # and expiry: moving the clock past it ends both grants at once, without any sweeper
    clock.advance(timedelta(days=3))
    assert (await dave.data(FOLDER, {"id": top}))["folder"] is None
    assert (await carol.data(FOLDER, {"id": top}))["folder"] is None


async def test_bad_share_requests_store_nothing(as_user: Any, mongo: AsyncIOMotorDatabase[Any]) -> None:
    bob, alice, dave = as_user("bob"), as_user("alice"), as_user("dave")
    top = await sandbox(bob)
    before = await mongo.shares.count_documents({})
    past = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    cases: list[tuple[GraphQLClient, dict[str, Any], str, dict[str, Any], str]] = [
        (bob, {"email": "bob@athena-energy.example"}, "VIEWER", {}, "INVALID"),
        (bob, {"email": "not-an-address"}, "VIEWER", {}, "INVALID"),
        (bob, {"email": "dave@example.org"}, "VIEWER", {"terms": {"expiresAt": past}}, "INVALID"),
        (bob, {"email": "dave@example.org"}, "VIEWER", {"terms": {"text": "x" * 20_001}}, "INVALID"),
        (
            bob,
            {"email": "dave@example.org", "userId": None, "organizationId": None},
            "VIEWER",
            {"message": "m" * 3000},
            "INVALID",
        ),
        (alice, {"email": "dave@example.org"}, "VIEWER", {}, "PERMISSION_DENIED"),
        (dave, {"email": "alice@athena-energy.example"}, "VIEWER", {}, "NOT_FOUND"),
    ]
    for who, grantee, role, extra, code in cases:
        result = await _share(who, top, grantee, role, **extra)
        assert _codes(result) == [code], (grantee, extra)
    assert await mongo.shares.count_documents({}) == before
    offered = (await _share(bob, top, {"email": "dave@example.org"}, terms={"text": "T"}))["share"]
    assert _codes((await alice.data(ACCEPT, {"id": offered["id"]}))["acceptShare"]) == ["NOT_FOUND"]
    stored = await mongo.shares.find_one({"terms.text": "T", "status": "PENDING"})
    assert stored is not None
    assert stored["accepted_at"] is None


async def test_sweeper_marks_expired_for_the_lists(as_user: Any, clock: MovableClock, settings: Any) -> None:
    bob, dave = as_user("bob"), as_user("dave")
    top = await sandbox(bob)
    soon = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    share = (await _share(bob, top, {"email": "dave@example.org"}, terms={"expiresAt": soon}))["share"]
    clock.advance(timedelta(hours=2))
    assert (await dave.data(FOLDER, {"id": top}))["folder"] is None
    from resolvers.shares import expire_due
    from storage.mongo import Database

    db = Database.connect(settings.mongodb_url, settings.mongodb_database)
    try:
        assert await expire_due(db, clock()) >= 1
    finally:
        db.close()
    expired = (await dave.data(SHARED_WITH_ME, {"status": ["EXPIRED"]}))["sharedWithMe"]["edges"]
    assert share["id"] in [e["node"]["id"] for e in expired]
    events = (await bob.data(FOLDER, {"id": top}))["folder"]["shareEvents"]["nodes"]
    assert events[0]["kind"] == "EXPIRED"


async def test_access_through_a_share_is_recorded(as_user: Any) -> None:
    bob, dave = as_user("bob"), as_user("dave")
    top = await sandbox(bob)
    await upload_bytes(bob, top, "data.nc", b"netcdf")
    await _share(bob, top, {"email": "dave@example.org"})
    await dave.data(FOLDER, {"id": top})
    events = (await bob.data(FOLDER, {"id": top}))["folder"]["shareEvents"]["nodes"]
    assert "ACCESSED" in [e["kind"] for e in events]
    assert any(e["actor"] and e["actor"]["name"] for e in events if e["kind"] == "ACCESSED")


async def test_a_flood_of_downloads_is_counted_in_one_event_and_the_trail_pages(as_user: Any) -> None:
    bob, dave = as_user("bob"), as_user("dave")
    top = await sandbox(bob)
    file = await upload_bytes(bob, top, "data.nc", b"netcdf")
    await _share(bob, top, {"email": "dave@example.org"})
    # when dave asks for the download thirty times in one request, and again in another
    flood = (
        "query($id: ID!) { node(id: $id) { ... on File { "
        + " ".join(f"d{i}: download {{ url }}" for i in range(30))
        + " } } }"
    )
    await dave.data(flood, {"id": file["id"]})
    await dave.data(flood, {"id": file["id"]})
    # then one ACCESSED event counts all sixty, and the CREATED event is still in sight
    events = (await bob.data(FOLDER, {"id": top}))["folder"]["shareEvents"]["nodes"]
    accessed = [e for e in events if e["kind"] == "ACCESSED"]
    assert len(accessed) == 1, accessed
    assert 2 <= accessed[0]["accessCount"] <= 60
    assert events[-1]["kind"] == "CREATED"
    # and the trail pages: one event a page, every event reached once
    page = """query($id: ID!, $after: String) { folder(id: $id) {
      shareEvents(first: 1, after: $after) { nodes { kind } pageInfo { hasNextPage endCursor } } } }"""
    seen: list[str] = []
    after = None
    while True:
        trail = (await bob.data(page, {"id": top, "after": after}))["folder"]["shareEvents"]
        seen += [e["kind"] for e in trail["nodes"]]
        if not trail["pageInfo"]["hasNextPage"]:
            break
        after = trail["pageInfo"]["endCursor"]
    assert seen == [e["kind"] for e in events]


INVITED = """
query { sharedWithMe(status: [PENDING]) { nodes { id status terms { text } termsHash resourceName } } }
"""


async def test_an_invitation_by_email_waits_for_the_first_sign_in(
    as_user: Any, keycloak: KeycloakClient, api_url: str
) -> None:
    bob = as_user("bob")
    top = await sandbox(bob)
    await upload_bytes(bob, top, "welcome.csv", b"a,b\n")
    address = f"newcomer-{uuid.uuid4().hex[:8]}@example.org"
    # when: bob shares with an address nobody has signed in with, on terms
    made = await _share(bob, top, {"email": address.upper()}, message="Welcome aboard", terms={"text": "Terms."})
    assert _codes(made) == []
    assert made["share"]["status"] == "PENDING"
    # then: the newcomer signs in for the first time and finds it waiting
    with keycloak.temporary_user(address, verified=True) as username:
        async with httpx.AsyncClient(base_url=api_url, timeout=60) as http:
            newcomer = GraphQLClient(http, keycloak.password_token(username))
            waiting = (await newcomer.data(INVITED))["sharedWithMe"]["nodes"]
            assert [w["id"] for w in waiting] == [made["share"]["id"]]
            accepted = await newcomer.data(ACCEPT, {"id": waiting[0]["id"], "hash": waiting[0]["termsHash"]})
            assert _codes(accepted["acceptShare"]) == []
            folder = (await newcomer.data(FOLDER, {"id": top}))["folder"]
            assert [e["node"]["name"] for e in folder["files"]["edges"]] == ["welcome.csv"]


async def test_an_unverified_address_does_not_take_an_invitation(
    as_user: Any, keycloak: KeycloakClient, api_url: str
) -> None:
    bob = as_user("bob")
    top = await sandbox(bob)
    address = f"claimer-{uuid.uuid4().hex[:8]}@example.org"
    assert _codes(await _share(bob, top, {"email": address})) == []
    with keycloak.temporary_user(address, verified=False) as username:
        async with httpx.AsyncClient(base_url=api_url, timeout=60) as http:
            claimer = GraphQLClient(http, keycloak.password_token(username))
            assert (await claimer.data(SHARED_WITH_ME, {"status": None}))["sharedWithMe"]["edges"] == []
            assert (await claimer.data(FOLDER, {"id": top}))["folder"] is None


async def test_an_invitation_without_terms_is_active_and_open_at_the_first_sign_in(
    as_user: Any, keycloak: KeycloakClient, api_url: str
) -> None:
    bob = as_user("bob")
    top = await sandbox(bob)
    await upload_bytes(bob, top, "open.csv", b"a,b\n")
    address = f"opener-{uuid.uuid4().hex[:8]}@example.org"
    made = await _share(bob, top, {"email": address})
    assert made["share"]["status"] == "ACTIVE"  # as for someone registered: the state tells nothing
    with keycloak.temporary_user(address, verified=True) as username:
        async with httpx.AsyncClient(base_url=api_url, timeout=60) as http:
            newcomer = GraphQLClient(http, keycloak.password_token(username))
            folder = (await newcomer.data(FOLDER, {"id": top}))["folder"]
            assert [e["node"]["name"] for e in folder["files"]["edges"]] == ["open.csv"]


GRANTEES = "query($id: ID!) { folder(id: $id) { shares { status granteeEmail granteeUser { name } } } }"


async def test_sharing_by_email_tells_nothing_of_who_is_registered(as_user: Any) -> None:
    bob, dave = as_user("bob"), as_user("dave")
    registered, unknown = await sandbox(bob), await sandbox(bob)
    stranger = f"nobody-{uuid.uuid4().hex[:8]}@example.org"
    terms = {"text": "Research use only."}
    # when: bob shares one folder with a registered person's address, one with an unknown address
    to_dave = (await _share(bob, registered, {"email": "dave@example.org"}, terms=terms))["share"]
    await _share(bob, unknown, {"email": stranger}, terms=terms)
    # then: both answers read alike, the address in place of a person
    told = [(await bob.data(GRANTEES, {"id": f}))["folder"]["shares"] for f in (registered, unknown)]
    assert told == [
        [{"status": "PENDING", "granteeEmail": "dave@example.org", "granteeUser": None}],
        [{"status": "PENDING", "granteeEmail": stranger, "granteeUser": None}],
    ]
    # and once dave accepts, bob sees who it is
    accepted = await dave.data(ACCEPT, {"id": to_dave["id"], "hash": to_dave["termsHash"]})
    assert _codes(accepted["acceptShare"]) == []
    after = (await bob.data(GRANTEES, {"id": registered}))["folder"]["shares"]
    assert after == [{"status": "ACTIVE", "granteeEmail": "dave@example.org", "granteeUser": {"name": "Dave Example"}}]


async def test_an_unverified_address_finds_nobody(as_user: Any, keycloak: KeycloakClient, api_url: str) -> None:
    bob = as_user("bob")
    top = await sandbox(bob)
    address = f"unverified-{uuid.uuid4().hex[:8]}@example.org"
    with keycloak.temporary_user(address, verified=False) as username:
        async with httpx.AsyncClient(base_url=api_url, timeout=60) as http:
            # given: someone signed in with an address their issuer does not vouch for
            typed = GraphQLClient(http, keycloak.password_token(username))
            await typed.data("{ me { id } }")
            # when: bob shares with that address
            assert _codes(await _share(bob, top, {"email": address})) == []
            # then: the share waits for the address's verified owner, and grants this person nothing
            assert (await typed.data(SHARED_WITH_ME, {"status": None}))["sharedWithMe"]["edges"] == []
            assert (await typed.data(FOLDER, {"id": top}))["folder"] is None


STANDING = """
query($id: ID, $status: [ShareStatus!]) {
  sharedWithMe(resourceId: $id, status: $status) { nodes { id status endedBecause resourceName } }
}
"""
SHARE_CHANGED = "subscription($id: ID!) { shareChanged(resourceId: $id) { id status granteeEmail } }"


async def test_a_grantee_learns_how_an_item_stands_with_them_and_both_sides_see_changes_live(
    as_user: Any, api_url: str, tokens: Any
) -> None:
    bob, dave, carol = as_user("bob"), as_user("dave"), as_user("carol")
    top, other = await sandbox(bob), await sandbox(bob)
    waiting = (await _share(bob, top, {"email": "dave@example.org"}, terms={"text": "Research use only."}))["share"]
    assert (await _share(bob, other, {"email": "dave@example.org"}))["userErrors"] == []
    # the item names its organization: to dave, shared it, by name only; to bob, with whom to ask
    holder = "query($id: ID!) { folder(id: $id) { organization { slug role admins { name } } } }"
    seen = (await dave.data(holder, {"id": other}))["folder"]["organization"]
    assert seen == {"slug": "athena-energy", "role": None, "admins": []}
    own = (await bob.data(holder, {"id": other}))["folder"]["organization"]
    assert own["role"] == "ADMIN"
    assert "Bob Example" in [a["name"] for a in own["admins"]]
    # when dave, who cannot open the folder before he accepts, asks how it stands with him
    standing = (await dave.data(STANDING, {"id": top}))["sharedWithMe"]["nodes"]
    # then he gets that item's share only, pending; carol, never shared it, gets nothing
    assert [(s["id"], s["status"]) for s in standing] == [(waiting["id"], "PENDING")]
    assert (await dave.data(FOLDER, {"id": top}))["folder"] is None
    assert (await carol.data(STANDING, {"id": top}))["sharedWithMe"]["nodes"] == []
    refused = await dave.execute(STANDING, {"id": "not-an-id"})
    assert refused["data"] is None
    assert "GlobalID" in refused["errors"][0]["message"]
    a_user = (await dave.data("{ me { id } }"))["me"]["id"]
    refused = await dave.execute(STANDING, {"id": a_user})
    assert refused["data"] is None
    assert "expected File or Folder" in refused["errors"][0]["message"]
    # when bob (who manages it) and dave watch it, and bob shares it with carol, then revokes dave's
    async with (
        subscription(api_url, tokens("bob"), SHARE_CHANGED, {"id": top}) as bob_sees,
        subscription(api_url, tokens("dave"), SHARE_CHANGED, {"id": top}) as dave_sees,
    ):
        await subscriptions_open(api_url, at_least=2)
        to_carol = (await _share(bob, top, {"email": "carol@example.org"}))["share"]
        assert _codes((await bob.data(REVOKE, {"id": waiting["id"]}))["revokeShare"]) == []
        # then bob sees both changes in order; dave sees his own share end, and not carol's
        first, second = (await bob_sees())["payload"]["data"], (await bob_sees())["payload"]["data"]
        assert [first["shareChanged"]["id"], second["shareChanged"]["id"]] == [to_carol["id"], waiting["id"]]
        assert second["shareChanged"]["status"] == "REVOKED"
        told = (await dave_sees())["payload"]["data"]["shareChanged"]
        assert (told["id"], told["status"]) == (waiting["id"], "REVOKED")
    # and asked again, the share says why it grants nothing
    ended = (await dave.data(STANDING, {"id": top, "status": ["REVOKED"]}))["sharedWithMe"]["nodes"]
    assert [(s["status"], s["endedBecause"]) for s in ended] == [("REVOKED", "revoked by whoever manages it")]
