"""Holes found by attacking Strata as an outsider and an insider would, each shut and kept shut.

Access (reshare chains, foreign storage, people looked up by id, another organisation's usage),
cost (validation, page multiplication, header size) and clear answers for bad input.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from devservices.api import serve_api
from graphql_api.limits import MAX_HEADER_BYTES, header_bytes
from graphql_api.settings import Settings
from tests.graphql import GraphQLClient, error_codes
from tests.helpers import CREATE_UPLOAD, MiB, sandbox, start_upload, upload_bytes

SHARE = """
mutation($input: CreateShareInput!) {
  createShare(input: $input) { share { id status } userErrors { code message } }
}
"""
SHARE_ALLOWANCE = """
mutation($input: CreateShareInput!) {
  createShare(input: $input) { share { id uploadAllowanceBytes } userErrors { code message } }
}
"""
UPDATE_ALLOWANCE = """
mutation($input: UpdateShareInput!) {
  updateShare(input: $input) { share { uploadAllowanceBytes } userErrors { code } }
}
"""
FOLDER_SHARES = "query($id: ID!) { folder(id: $id) { shares { id } } }"
REVOKE = "mutation($id: ID!) { revokeShare(input: {shareId: $id}) { share { status } userErrors { code } } }"
FOLDER = "query($id: ID!) { folder(id: $id) { id name } }"
CREATE = """
mutation($parent: ID!, $name: String!) {
  createFolder(input: {parentId: $parent, name: $name}) { folder { id } userErrors { code } }
}
"""
ABORT = "mutation($id: ID!) { abortUpload(input: {uploadId: $id}) { abortedUploadId userErrors { code } } }"
USAGE = "{ me { organizations { slug usageBytes } } }"
ME = "{ me { id organizations { id slug } } }"
NODE_USER = "query($id: ID!) { node(id: $id) { ... on User { id name } } }"
SHARED_TO_ME = "{ sharedWithMe(first: 100) { nodes { id status } } }"
SHARED_TO_ME_AS = """
query($s: [ShareStatus!]) { sharedWithMe(status: $s, first: 100) { nodes { id status endedBecause } } }
"""


@pytest.fixture(autouse=True)
async def everyone_signed_in(as_user: Any) -> None:
    for who in ("alice", "bob", "carol", "dave"):
        await as_user(who).data("{ me { id } }")


async def _share(client: GraphQLClient, resource: str, grantee: dict[str, Any], role: str, **terms: Any) -> str:
    variables = {"input": {"resourceId": resource, "grantee": grantee, "role": role, "terms": terms}}
    result = (await client.data(SHARE, variables))["createShare"]
    assert result["userErrors"] == [], result
    return str(result["share"]["id"])


async def _usage(client: GraphQLClient, slug: str = "athena-energy") -> int:
    organizations = (await client.data(USAGE))["me"]["organizations"]
    return int(next(o for o in organizations if o["slug"] == slug)["usageBytes"])


async def test_revoking_a_share_ends_every_reshare_made_from_it(as_user: Any) -> None:
    bob, carol, dave = as_user("bob"), as_user("carol"), as_user("dave")
    top = await sandbox(bob)
    # given bob -> carol -> dave, each allowed to reshare
    to_carol = await _share(bob, top, {"email": "carol@reading-climate.example"}, "EDITOR", allowReshare=True)
    to_dave = await _share(carol, top, {"email": "dave@example.org"}, "EDITOR", allowReshare=True)
    assert (await dave.data(FOLDER, {"id": top}))["folder"] is not None
    before = (await dave.data(SHARED_TO_ME))["sharedWithMe"]["nodes"]
    assert {n["id"]: n["status"] for n in before}[to_dave] == "ACTIVE"
    # when bob revokes carol's share
    assert (await bob.data(REVOKE, {"id": to_carol}))["revokeShare"]["userErrors"] == []
    # then dave's reshare is dead at once: no read, no write
    assert (await dave.data(FOLDER, {"id": top}))["folder"] is None
    made = (await dave.data(CREATE, {"parent": top, "name": "still-here"}))["createFolder"]
    assert [e["code"] for e in made["userErrors"]] == ["NOT_FOUND"]
    # and it says so where dave looks: not among his live shares, but revoked with its reason
    live = (await dave.data(SHARED_TO_ME))["sharedWithMe"]["nodes"]
    assert to_dave not in {n["id"] for n in live}
    active = (await dave.data(SHARED_TO_ME_AS, {"s": ["ACTIVE"]}))["sharedWithMe"]["nodes"]
    assert to_dave not in {n["id"] for n in active}
    ended = (await dave.data(SHARED_TO_ME_AS, {"s": ["REVOKED"]}))["sharedWithMe"]["nodes"]
    assert {n["id"]: (n["status"], n["endedBecause"]) for n in ended}[to_dave] == (
        "REVOKED",
        "the share it was passed on from has ended",
    )
    # carol's own share, revoked by bob, says that
    carols = (await carol.data(SHARED_TO_ME_AS, {"s": ["REVOKED"]}))["sharedWithMe"]["nodes"]
    assert {n["id"]: n["endedBecause"] for n in carols}[to_carol] == "revoked by whoever manages it"


async def test_a_reshare_grant_counts_when_a_stronger_one_without_reshare_also_reaches(as_user: Any) -> None:
    bob, dave = as_user("bob"), as_user("dave")
    top = await sandbox(bob)
    file = await upload_bytes(bob, top, "x.csv", b"1,2")
    await _share(bob, top, {"email": "dave@example.org"}, "EDITOR")
    await _share(bob, file["id"], {"email": "dave@example.org"}, "VIEWER", allowReshare=True)
    # dave reshares the file by the grant that allows it
    variables = {
        "input": {"resourceId": file["id"], "grantee": {"email": "carol@reading-climate.example"}, "role": "VIEWER"}
    }
    result = (await dave.data(SHARE, variables))["createShare"]
    assert result["userErrors"] == [], result
    # but not above what that grant holds
    variables["input"]["role"] = "EDITOR"
    variables["input"]["grantee"] = {"email": "alice@athena-energy.example"}
    refused = (await dave.data(SHARE, variables))["createShare"]
    assert [e["code"] for e in refused["userErrors"]] == ["PERMISSION_DENIED"]


async def test_admins_can_end_a_grantees_upload_into_their_storage(as_user: Any) -> None:
    bob, carol = as_user("bob"), as_user("carol")
    top = await sandbox(bob)
    await _share(bob, top, {"email": "carol@reading-climate.example"}, "EDITOR")
    before = await _usage(bob)
    started = await start_upload(carol, top, "huge.bin", b"z" * 1024)
    assert await _usage(bob) == before + 1024
    # the sharing organisation's admin ends it, and the reserved bytes come back
    aborted = (await bob.data(ABORT, {"id": started["upload"]["id"]}))["abortUpload"]
    assert aborted["userErrors"] == [], aborted
    assert await _usage(bob) == before


async def _reserve(client: GraphQLClient, folder: str, name: str, size: int) -> list[str]:
    variables = {"input": {"folderId": folder, "name": name, "size": size}}
    return [e["code"] for e in (await client.data(CREATE_UPLOAD, variables))["createUpload"]["userErrors"]]


async def test_an_outside_editor_reserves_no_more_than_the_shares_allowance(as_user: Any) -> None:
    bob, carol = as_user("bob"), as_user("carol")
    open_top, tight_top = await sandbox(bob), await sandbox(bob)
    # given: two EDITOR shares to carol of another organisation, one with the default allowance
    # and one of 10 MiB
    await _share(bob, open_top, {"email": "carol@reading-climate.example"}, "EDITOR")
    variables = {
        "input": {
            "resourceId": tight_top,
            "grantee": {"email": "carol@reading-climate.example"},
            "role": "EDITOR",
            "uploadAllowanceBytes": str(10 * MiB),
        }
    }
    made = (await bob.data(SHARE_ALLOWANCE, variables))["createShare"]
    assert made["share"]["uploadAllowanceBytes"] == 10 * MiB
    before = await _usage(bob)
    # when: carol tries to reserve 5 TiB of bob's quota, then more than the 10 MiB
    assert await _reserve(carol, open_top, "huge.bin", 5 * 1024**4) == ["ALLOWANCE_EXCEEDED"]
    assert await _reserve(carol, tight_top, "eleven.bin", 11 * MiB) == ["ALLOWANCE_EXCEEDED"]
    # then: 6 MiB fits; a second 6 MiB does not while the first is in progress
    assert await _reserve(carol, tight_top, "six.bin", 6 * MiB) == []
    assert await _reserve(carol, tight_top, "six-more.bin", 6 * MiB) == ["ALLOWANCE_EXCEEDED"]
    assert await _usage(bob) == before + 6 * MiB  # nothing else was reserved
    # and bob's own people are held by the quota only
    assert await _reserve(bob, tight_top, "bobs.bin", 20 * MiB) == []
    # the allowance is the sharer's to change
    shares = (await bob.data(FOLDER_SHARES, {"id": tight_top}))["folder"]["shares"]
    raised = await bob.data(
        UPDATE_ALLOWANCE, {"input": {"shareId": shares[0]["id"], "uploadAllowanceBytes": str(20 * MiB)}}
    )
    assert raised["updateShare"]["share"]["uploadAllowanceBytes"] == 20 * MiB
    assert await _reserve(carol, tight_top, "six-more.bin", 6 * MiB) == []


async def test_people_are_looked_up_by_id_only_where_they_are_met(as_user: Any) -> None:
    bob, dave, olga = as_user("bob"), as_user("dave"), as_user("olga")
    olga_id = (await olga.data(ME))["me"]["id"]
    dave_id = (await dave.data(ME))["me"]["id"]
    # a member of the same organisation: visible
    assert (await bob.data(NODE_USER, {"id": olga_id}))["node"]["id"] == olga_id
    # no organisation and no share in common: an id alone reveals nobody
    assert (await dave.data(NODE_USER, {"id": olga_id}))["node"] is None
    assert (await olga.data(NODE_USER, {"id": dave_id}))["node"] is None
    # once olga shares something with dave, they may look each other up
    await _share(olga, await sandbox(olga), {"email": "dave@example.org"}, "VIEWER")
    assert (await dave.data(NODE_USER, {"id": olga_id}))["node"]["id"] == olga_id
    assert (await olga.data(NODE_USER, {"id": dave_id}))["node"]["id"] == dave_id
    assert (await dave.data(NODE_USER, {"id": dave_id}))["node"]["id"] == dave_id


async def test_a_share_shows_no_other_organisations_usage(as_user: Any) -> None:
    bob, carol = as_user("bob"), as_user("carol")
    reading = next(o for o in (await carol.data(ME))["me"]["organizations"] if o["slug"] == "reading-climate")
    top = await sandbox(bob)
    share = await _share(bob, top, {"organizationId": reading["id"]}, "VIEWER")
    query = "query($id: ID!) { node(id: $id) { ... on Share { granteeOrganization { slug usageBytes quotaBytes } } } }"
    seen = (await bob.data(query, {"id": share}))["node"]["granteeOrganization"]
    assert seen == {"slug": "reading-climate", "usageBytes": None, "quotaBytes": None}
    # its own members still see it
    assert await _usage(carol, "reading-climate") >= 0


async def test_validation_is_never_reached_by_a_flood_of_fields(gql: GraphQLClient, as_user: Any) -> None:
    flood = "{" + " ".join(["me { name }"] * 1200) + "}"
    assert error_codes(await gql.execute(flood)) == ["UNAUTHENTICATED"]  # not even parsed
    assert error_codes(await as_user("alice").execute(flood)) == ["QUERY_TOO_EXPENSIVE"]


@pytest.mark.parametrize(
    "document",
    [
        "{ __schema { types { name } } }",
        '{ __type(name: "Query") { fields { name } } }',
        "{ mee { id } }",
        "query { folder(idd: 1) { nme } }",
        "{ me { id ",
    ],
)
async def test_a_caller_without_a_token_learns_nothing_of_the_schema(gql: GraphQLClient, document: str) -> None:
    body = await gql.execute(document)
    assert body.get("data") is None
    assert error_codes(body) == ["UNAUTHENTICATED"]
    assert "Did you mean" not in str(body)
    assert "Query" not in str(body)
    assert "Syntax" not in str(body)


async def test_a_batch_without_a_token_tells_nothing_either(api_url: str) -> None:
    batch = [{"query": "{ __schema { types { name } } }"}, {"query": "{ me { id } }"}]
    async with httpx.AsyncClient(base_url=api_url) as http:
        answer = await http.post("/graphql", json=batch)
    assert answer.status_code in (200, 400)
    assert "Query" not in answer.text, answer.text
    assert "types" not in answer.text, answer.text


async def test_a_signed_in_caller_may_introspect(as_user: Any) -> None:
    # deliberate (docs/security.md): GraphiQL and codegen need the schema; it is public in the repository
    types = (await as_user("alice").data("{ __schema { types { name } } }"))["__schema"]["types"]
    assert {"Query", "File", "Folder"} <= {t["name"] for t in types}


async def test_page_sizes_multiply_into_a_refused_cost(as_user: Any) -> None:
    nested = (
        "searchFiles { edges { node { download { url } folder { files { edges { node { download { url } } } } } } } }"
    )
    query = "{" + " ".join(f"a{i}: {nested}" for i in range(30)) + "}"
    body = await as_user("alice").execute(query)
    assert error_codes(body) == ["QUERY_TOO_EXPENSIVE"], body
    # a page of a folder, as the catalogue asks, stays well inside the budget
    folder = await sandbox(as_user("alice"))
    page = """query($id: ID!) { folder(id: $id) { folders(first: 100) { edges { node { id name } } }
      files(first: 100) { edges { node { id name size owner { name } download { url } } } } } }"""
    assert not (await as_user("alice").execute(page, {"id": folder})).get("errors")


async def test_facets_cost_what_they_may_read(as_user: Any) -> None:
    alice = as_user("alice")
    three = "{" + " ".join(f"f{i}: searchFacets {{ count }}" for i in range(3)) + "}"
    assert not (await alice.execute(three)).get("errors")
    five = "{" + " ".join(f"f{i}: searchFacets {{ count }}" for i in range(5)) + "}"
    assert error_codes(await alice.execute(five)) == ["QUERY_TOO_EXPENSIVE"]


async def _status_with_headers_of(api_url: str, total: int) -> int:
    """The status answered to a request whose header fields come to ``total`` bytes, exactly."""
    host, port = api_url.removeprefix("http://").split(":")
    fixed = [(b"host", f"{host}:{port}".encode()), (b"content-length", b"0"), (b"connection", b"close")]
    pad = total - header_bytes(fixed) - header_bytes([(b"x-pad", b"")])
    lines = b"".join(name + b": " + value + b"\r\n" for name, value in [*fixed, (b"x-pad", b"p" * pad)])
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        writer.write(b"GET /healthz HTTP/1.1\r\n" + lines + b"\r\n")
        await writer.drain()
        status_line = await asyncio.wait_for(reader.readline(), 30)
    finally:
        writer.close()
    return int(status_line.split()[1]) if status_line else 0


async def test_the_header_limit_is_the_documented_64_kib(api_url: str) -> None:
    # given: requests whose header fields come to the limit, and one byte over it
    at_limit = await _status_with_headers_of(api_url, MAX_HEADER_BYTES)
    over = await _status_with_headers_of(api_url, MAX_HEADER_BYTES + 1)
    # then
    assert at_limit == 200
    assert over == 431


async def test_headers_are_bounded(api_url: str) -> None:
    async with httpx.AsyncClient(base_url=api_url, timeout=30) as http:
        fine = await http.post("/graphql", json={"query": "{ __typename }"}, headers={"X-Pad": "p" * 8_000})
        assert fine.status_code == 200, fine.text
        try:
            response = await http.post("/graphql", json={"query": "{ __typename }"}, headers={"X-Pad": "p" * 200_000})
        except (httpx.ReadError, httpx.RemoteProtocolError):
            return  # refused by closing the connection, before anything was parsed
    assert response.status_code in (400, 431), response.status_code


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        ('{ searchFiles(filter: {name: "' + "n" * 201 + '"}) { edges { node { id } } } }', {}),
        ("{ searchFiles(first: 1, after: $c) { edges { node { id } } } }".replace("$c", '"eyIkZ3QiOiAiIn0="'), {}),
        (
            "query($c: String) { searchFiles(after: $c) { edges { node { id } } } }",
            {"c": "WyJOQU1FIix7IiRndCI6IiJ9LCIxIl0="},
        ),
        ('{ node(id: "Rm9sZGVyOng=") { id } }', {}),
        ("subscription { copernicusRequestsUpdated { id } }", {}),
    ],
)
async def test_bad_input_is_answered_with_a_code_not_an_internal_error(
    as_user: Any, query: str, variables: dict[str, Any]
) -> None:
    response = await as_user("alice").post(query, variables)
    assert response.status_code in (200, 400, 405), response.text
    codes = error_codes(response.json())
    assert codes, response.text
    assert "INTERNAL" not in codes, response.text


async def test_huge_numbers_are_refused_in_metadata_and_bigints(as_user: Any) -> None:
    alice = as_user("alice")
    top = await sandbox(alice)
    file = await upload_bytes(alice, top, "m.json", b"{}")
    update = "mutation($i: UpdateFileMetadataInput!) { updateFileMetadata(input: $i) { userErrors { code } } }"
    result = await alice.data(update, {"i": {"id": file["id"], "metadata": {"n": 2**63}}})
    assert [e["code"] for e in result["updateFileMetadata"]["userErrors"]] == ["METADATA_INVALID"]
    literal = (
        'mutation { createUpload(input: {folderId: "' + top + '", name: "b", size: 1.5}) { userErrors { code } } }'
    )
    codes = error_codes(await alice.execute(literal))
    assert codes, "a fractional BigInt literal must be refused"
    assert "INTERNAL" not in codes


async def test_a_users_key_is_never_read_as_a_server_path(as_user: Any) -> None:
    setter = (
        'mutation($k: String!) { setCopernicusKey(input: {service: "CLMS", key: $k}) { userErrors { code message } } }'
    )
    for path in ("/etc/hostname", "/dev/zero", "relative/key.json"):
        errors = (await as_user("carol").data(setter, {"k": path}))["setCopernicusKey"]["userErrors"]
        assert [e["code"] for e in errors] == ["INVALID"], errors
        assert "JSON" in errors[0]["message"]


DOWNLOAD = """
query($id: ID!) { node(id: $id) { ... on File { download(partSize: 5242880) { url expiresAt } } } }
"""
TRASH_FILE = "mutation($id: ID!) { deleteFile(input: {id: $id}) { userErrors { code } } }"


async def test_a_download_url_outlives_a_revoke_or_a_trash_by_its_lifetime_only(
    settings: Settings, tokens: Any, as_user: Any
) -> None:
    # given: an API whose download URLs live 3 seconds (the default is 60), and a grantee's URLs
    with serve_api(settings.model_copy(update={"download_url_seconds": 3})) as url:
        async with httpx.AsyncClient(base_url=url, timeout=30) as http:
            bob, dave = GraphQLClient(http, tokens("bob")), GraphQLClient(http, tokens("dave"))
            top = await sandbox(bob)
            kept = await upload_bytes(bob, top, "kept.bin", b"k" * 1000)
            binned = await upload_bytes(bob, top, "binned.bin", b"b" * 1000)
            dave_id = (await dave.data("{ me { id } }"))["me"]["id"]
            made = await bob.data(
                SHARE, {"input": {"resourceId": top, "grantee": {"userId": dave_id}, "role": "VIEWER"}}
            )
            share = made["createShare"]["share"]["id"]
            links = [(await dave.data(DOWNLOAD, {"id": f["id"]}))["node"]["download"] for f in (kept, binned)]
            # when: bob revokes the share and trashes one of the files
            assert (await bob.data(REVOKE, {"id": share}))["revokeShare"]["share"]["status"] == "REVOKED"
            assert (await bob.data(TRASH_FILE, {"id": binned["id"]}))["deleteFile"]["userErrors"] == []
            # then: dave can get no new URL at once, and the ones he holds answer until they expire
            assert [(await dave.data(DOWNLOAD, {"id": f["id"]}))["node"] for f in (kept, binned)] == [None, None]
            async with httpx.AsyncClient(timeout=30) as store:
                ranged = {"Range": "bytes=0-9"}
                assert [(await store.get(link["url"], headers=ranged)).status_code for link in links] == [206, 206]
                ends = max(datetime.fromisoformat(link["expiresAt"]) for link in links)
                await asyncio.sleep(max(0.0, (ends - datetime.now(UTC)).total_seconds()) + 1.5)
                assert [(await store.get(link["url"], headers=ranged)).status_code for link in links] == [403, 403]
