"""Who may do what, as data: every root operation (and the fields that hand out access) x every kind of caller.

Each column is a caller looking at a "world" (a folder F with a file X and subfolders S, T,
made by the partner service, a member of athena-energy). Grantee columns are dave looking
at a world shared with him in one state. Expected outcomes are written out, cell by cell:

    A allowed   N not found (null, or NOT_FOUND)   D PERMISSION_DENIED   U UNAUTHENTICATED
    E answered, but nothing of F in it            P NOT_PENDING

A root field added to the schema without a row here fails ``test_every_operation_has_a_row``.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.conftest import MovableClock
from tests.graphql import GraphQLClient, error_codes
from tests.helpers import create_folder, root_folder, upload_bytes

COLUMNS = [
    "anon",
    "dave",
    "carol",
    "alice",
    "bob",
    "olga",
    "service",
    "pending",
    "viewer",
    "editor",
    "expired",
    "revoked",
]
CALLER = {
    "anon": None,
    "dave": "dave",
    "carol": "carol",
    "alice": "alice",
    "bob": "bob",
    "olga": "olga",
    "service": "service",
    "pending": "dave",
    "viewer": "dave",
    "editor": "dave",
    "expired": "dave",
    "revoked": "dave",
}
# fmt: off
EXPECTED = {
    # row                  anon dave carol alice bob olga service pending viewer editor expired revoked
    "me":                  "U A A A A A A A A A A A",
    "node":                "U N N A A A A N A A N N",
    "nodes":               "U N N A A A A N A A N N",
    "File.owner":          "U N N A A A A N A A N N",
    "Folder.owner":        "U N N A A A A N A A N N",
    "File.trashedBy":      "U N N A A A A N A A N N",
    "Share.parties":       "U N N E A A E N E E N N",
    "Organization.usage":  "U N N A A A A N N N N N",
    "Organization.admins": "U N N A A A A N N N N N",
    "User.byId":           "U N N A A A A N N N N N",
    "Organization.trash":  "U N N A A A A N N N N N",
    "organizations":       "U A A A A A A A A A A A",
    "people":              "U N N A A A A N N N N N",
    "setStarred":          "U N N A A A A N A A N N",
    "searchFolders":       "U N N A A A A N A A N N",
    "Folder.viewerCan":    "U N N A A A A N A A N N",
    "folder":              "U N N A A A A N A A N N",
    "Folder.files":        "U N N A A A A N A A N N",
    "Folder.childFolder":  "U N N A A A A N A A N N",
    "Folder.childFile":    "U N N A A A A N A A N N",
    "File.download":       "U N N A A A A N A A N N",
    "searchFiles":         "U E E A A A A E A A E E",
    "searchFacets":        "U E E A A A A E A A E E",
    "sharedWithMe":        "U E E E E A E A A A E E",
    "Folder.shares":       "U N N E A A E N E E N N",
    "Folder.shareEvents":  "U N N E A A E N E E N N",
    "Upload.uploadedParts": "U N N N N N A N N N N N",
    "Folder.uploadsInProgress": "U N N E A A A N E E N N",
    "createFolder":        "U N N A A A A N D A N N",
    "renameFolder":        "U N N A A A A N D A N N",
    "moveFolder":          "U N N A A A A N D A N N",
    "deleteFolder":        "U N N D A A A N D D N N",
    "restoreFolder":       "U N N D A A A N D D N N",
    "purgeFolder":         "U N N D A A D N D D N N",
    "createUpload":        "U N N A A A A N D A N N",
    "uploadPartUrls":      "U N N N N N A N N N N N",
    "completeUpload":      "U N N N N N A N N N N N",
    "createUploads":       "U N N A A A A N D A N N",
    "completeUploads":     "U N N N N N A N N N N N",
    "abortUpload":         "U N N N A A A N N N N N",
    "renameFile":          "U N N A A A A N D A N N",
    "moveFile":            "U N N A A A A N D A N N",
    "updateFileMetadata":  "U N N A A A A N D A N N",
    "deleteFile":          "U N N D A A A N D D N N",
    "restoreFile":         "U N N D A A A N D D N N",
    "purgeFile":           "U N N D A A D N D D N N",
    "createShare":         "U N N D A A D N D D N N",
    "acceptShare":         "U A N N N N N A A A A A",
    "declineShare":        "U A N N N N N A A A A A",
    "revokeShare":         "U N N N A A N N N N N N",
    "updateShare":         "U N N N A A N N N N N N",
    "copernicusServices":  "U A A A A A A A A A A A",
    "copernicusDatasets":  "U A A A A A A A A A A A",
    "copernicusRequest":   "U N N A A A A N N N N N",
    "copernicusRequests":  "U E E E E E A E E E E E",
    "requestCopernicusData": "U N N A A A A N D A N N",
    "cancelCopernicusRequest": "U N N D A A A N N N N N",
    "copernicusRequestUpdated": "U N N A A A A N N N N N",
    "copernicusRequestsUpdated": "U A A A A A A A A A A A",
    "shareChanged":        "U N N A A A A A A A A A",
    "setCopernicusKey":    "U A A A A A A A A A A A",
    "removeCopernicusKey": "U A A A A A A A A A A A",
}
# fmt: on


@dataclass
class World:
    folder: str
    file: str
    file_name: str
    target: str
    service: GraphQLClient
    bob: GraphQLClient
    alice_id: str = ""
    organisation_id: str = ""
    folder_name: str = ""
    fresh: list[str] = field(default_factory=list)

    async def new_folder(self) -> str:
        return await create_folder(self.service, self.folder, f"fresh-{uuid.uuid4().hex[:8]}")

    async def new_file(self) -> str:
        made = await upload_bytes(self.service, self.folder, f"fresh-{uuid.uuid4().hex[:8]}.bin", b"x")
        return str(made["id"])


SHARE = """
mutation($input: CreateShareInput!) { createShare(input: $input) { share { id } userErrors { code message } } }
"""
START_UPLOAD = """
mutation($f: ID!, $n: String!) {
  createUpload(input: {folderId: $f, name: $n, size: 0}) { upload { id } userErrors { code } }
}
"""


async def _share(bob: GraphQLClient, resource: str, email: str, role: str = "VIEWER", **terms: Any) -> str:
    input_ = {"resourceId": resource, "grantee": {"email": email}, "role": role, "terms": terms or None}
    result = (await bob.data(SHARE, {"input": input_}))["createShare"]
    assert result["userErrors"] == [], result
    return str(result["share"]["id"])


async def _world(as_user: Any, state: str | None) -> World:
    service, bob = as_user("service"), as_user("bob")
    top_name = f"matrix-{uuid.uuid4().hex[:8]}"
    top = await create_folder(service, await root_folder(service, "athena-energy"), top_name)
    name = f"x-{uuid.uuid4().hex[:8]}.csv"
    file = await upload_bytes(service, top, name, b"a,b\n")
    target = await create_folder(service, top, "T")
    world = World(top, str(file["id"]), name, target, service, bob, folder_name=top_name)
    world.alice_id = (await as_user("alice").data("{ me { id } }"))["me"]["id"]
    organizations = (await service.data("{ me { organizations { id slug } } }"))["me"]["organizations"]
    world.organisation_id = next(o["id"] for o in organizations if o["slug"] == "athena-energy")
    dave = "dave@example.org"
    if state is None:
        await _share(bob, top, "olga@athena-energy.example")
    elif state == "pending":
        await _share(bob, top, dave, text="Terms to accept.")
    elif state in ("viewer", "editor"):
        await _share(bob, top, dave, state.upper())
    elif state == "expired":
        await _share(bob, top, dave, expiresAt=(datetime.now(UTC) + timedelta(hours=1)).isoformat())
    elif state == "revoked":
        share = await _share(bob, top, dave)
        await bob.data("mutation($i: ID!) { revokeShare(input: {shareId: $i}) { userErrors { code } } }", {"i": share})
    return world


@pytest.fixture(scope="module")
async def worlds(as_user_module: Any) -> dict[str, World]:
    for who in ("alice", "bob", "olga", "carol", "dave", "service"):
        await as_user_module(who).data("{ me { id } }")
    base = await _world(as_user_module, None)
    made = {column: base for column in COLUMNS[:7]}
    for state in COLUMNS[7:]:
        made[state] = await _world(as_user_module, state)
    return made


def _payload(body: dict[str, Any], name: str) -> str:
    if "UNAUTHENTICATED" in error_codes(body):
        return "U"
    assert not body.get("errors"), body
    codes = [e["code"] for e in body["data"][name]["userErrors"]]
    if not codes:
        return "A"
    return {"NOT_FOUND": "N", "PERMISSION_DENIED": "D", "NOT_PENDING": "P"}.get(codes[0], f"?{codes}")


def _read(body: dict[str, Any], present: Callable[[dict[str, Any]], bool | None]) -> str:
    """A for present, N for null, E for an answer without F's data."""
    if "UNAUTHENTICATED" in error_codes(body):
        return "U"
    assert not body.get("errors"), body
    found = present(body["data"])
    return "N" if found is None else ("A" if found else "E")


Cell = Callable[[GraphQLClient, World], Awaitable[str]]


async def _mutate(client: GraphQLClient, document: str, name: str, variables: dict[str, Any]) -> str:
    return _payload(await client.execute(document, variables), name)


async def _mutate_one_of(client: GraphQLClient, document: str, name: str, variables: dict[str, Any]) -> str:
    """A batched mutation of one item: the call must go through, and its one result says what came of it."""
    body = await client.execute(document, variables)
    if "UNAUTHENTICATED" in error_codes(body) or body.get("errors"):
        return _payload(body, name)
    payload = body["data"][name]
    assert payload["userErrors"] == [], payload
    return _payload({"data": {name: payload["results"][0]}}, name)


async def _create_uploads(client: GraphQLClient, world: World) -> str:
    doc = "mutation($f: ID!, $n: String!) { createUploads(input: {uploads: [{folderId: $f, name: $n, size: 0}]}) "
    doc += "{ results { upload { id } userErrors { code } } userErrors { code } } }"
    return await _mutate_one_of(client, doc, "createUploads", {"f": world.folder, "n": f"c-{uuid.uuid4().hex[:8]}"})


async def _complete_uploads(client: GraphQLClient, world: World) -> str:
    doc = "mutation($i: ID!) { completeUploads(input: {uploads: [{uploadId: $i, parts: []}]}) "
    doc += "{ results { file { id } userErrors { code } } userErrors { code } } }"
    return await _mutate_one_of(client, doc, "completeUploads", {"i": await _service_upload(world)})


def _folder_field(selection: str, check: Callable[[dict[str, Any]], bool]) -> Cell:
    async def cell(client: GraphQLClient, world: World) -> str:
        body = await client.execute(f"query($id: ID!) {{ folder(id: $id) {{ {selection} }} }}", {"id": world.folder})
        return _read(body, lambda d: None if d["folder"] is None else check(d["folder"]))

    return cell


async def _child_file(client: GraphQLClient, world: World) -> str:
    query = "query($id: ID!, $n: String!) { folder(id: $id) { childFile(name: $n) { id } } }"
    body = await client.execute(query, {"id": world.folder, "n": world.file_name.upper()})
    return _read(body, lambda d: None if d["folder"] is None else d["folder"]["childFile"]["id"] == world.file)


async def _node(client: GraphQLClient, world: World) -> str:
    body = await client.execute("query($id: ID!) { node(id: $id) { id } }", {"id": world.folder})
    return _read(body, lambda d: None if d["node"] is None else True)


async def _nodes(client: GraphQLClient, world: World) -> str:
    body = await client.execute("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": [world.folder, world.file]})
    return _read(body, lambda d: None if d["nodes"] == [None, None] else all(d["nodes"]))


async def _file_owner(client: GraphQLClient, world: World) -> str:
    body = await client.execute(
        "query($id: ID!) { node(id: $id) { ... on File { owner { name } } } }", {"id": world.file}
    )
    return _read(body, lambda d: None if d["node"] is None else d["node"]["owner"] is not None)


async def _file_trashed_by(client: GraphQLClient, world: World) -> str:
    trashed = await world.new_file()
    deleted = await world.service.execute(DELETE_FILE, {"i": trashed})
    assert not deleted["data"]["deleteFile"]["userErrors"], deleted
    body = await client.execute(
        "query($id: ID!) { node(id: $id) { ... on File { trashedBy { name } } } }", {"id": trashed}
    )
    return _read(body, lambda d: None if d["node"] is None else d["node"]["trashedBy"] is not None)


async def _organisation_usage(client: GraphQLClient, world: World) -> str:
    query = "query($id: ID!) { node(id: $id) { ... on Organization { usageBytes } } }"
    body = await client.execute(query, {"id": world.organisation_id})
    return _read(body, lambda d: None if d["node"] is None else d["node"]["usageBytes"] is not None)


async def _organisation_admins(client: GraphQLClient, world: World) -> str:
    query = "query($id: ID!) { node(id: $id) { ... on Organization { admins { name } } } }"
    body = await client.execute(query, {"id": world.organisation_id})
    return _read(body, lambda d: None if d["node"] is None else len(d["node"]["admins"]) > 0)


async def _organisation_trash(client: GraphQLClient, world: World) -> str:
    trashed = await world.new_folder()
    deleted = await world.service.execute(DELETE_FOLDER, {"i": trashed})
    assert not deleted["data"]["deleteFolder"]["userErrors"], deleted
    query = "query($id: ID!) { node(id: $id) { ... on Organization { trashedFolders(first: 100) { nodes { id } } } } }"
    body = await client.execute(query, {"id": world.organisation_id})
    return _read(
        body,
        lambda d: None if d["node"] is None else trashed in [f["id"] for f in d["node"]["trashedFolders"]["nodes"]],
    )


async def _directory(client: GraphQLClient, world: World) -> str:
    body = await client.execute('query { organizations(search: "athena") { nodes { id slug } } }')
    return _read(body, lambda d: world.organisation_id in [o["id"] for o in d["organizations"]["nodes"]])


async def _search_folders(client: GraphQLClient, world: World) -> str:
    query = "query($n: String!) { searchFolders(name: $n) { nodes { id } } }"
    body = await client.execute(query, {"n": world.folder_name})
    return _read(body, lambda d: True if world.folder in [f["id"] for f in d["searchFolders"]["nodes"]] else None)


async def _people(client: GraphQLClient, world: World) -> str:
    body = await client.execute('query { people(search: "example") { name } }')
    return _read(body, lambda d: True if d["people"] else None)


async def _user_by_id(client: GraphQLClient, world: World) -> str:
    body = await client.execute("query($id: ID!) { node(id: $id) { ... on User { name } } }", {"id": world.alice_id})
    return _read(body, lambda d: None if d["node"] is None else bool(d["node"]["name"]))


async def _download(client: GraphQLClient, world: World) -> str:
    body = await client.execute(
        "query($id: ID!) { node(id: $id) { ... on File { download { url } } } }", {"id": world.file}
    )
    return _read(body, lambda d: None if d["node"] is None else bool(d["node"]["download"]["url"]))


async def _search(client: GraphQLClient, world: World) -> str:
    body = await client.execute(
        "query($n: String!) { searchFiles(filter: {name: $n}) { edges { node { id } } } }", {"n": world.file_name}
    )
    return _read(body, lambda d: world.file in [e["node"]["id"] for e in d["searchFiles"]["edges"]])


async def _facets(client: GraphQLClient, world: World) -> str:
    body = await client.execute(
        "query($n: String!) { searchFacets(filter: {name: $n}) { count } }", {"n": world.file_name}
    )
    return _read(body, lambda d: d["searchFacets"]["count"] == 1)


async def _shared_with_me(client: GraphQLClient, world: World) -> str:
    body = await client.execute("{ sharedWithMe { edges { node { resourceId resourceName } } } }")
    return _read(body, lambda d: world.folder in [e["node"]["resourceId"] for e in d["sharedWithMe"]["edges"]])


async def _plain(client: GraphQLClient, query: str) -> str:
    return _read(await client.execute(query), lambda d: True)


async def _me(client: GraphQLClient, world: World) -> str:
    return _read(await client.execute("{ me { id } }"), lambda d: bool(d["me"]["id"]))


async def _uploaded_parts(client: GraphQLClient, world: World) -> str:
    upload = await _service_upload(world)
    body = await client.execute(
        "query($id: ID!) { node(id: $id) { ... on Upload { uploadedParts { partNumber } } } }", {"id": upload}
    )
    return _read(body, lambda d: None if d["node"] is None else True)


async def _uploads_in_progress(client: GraphQLClient, world: World) -> str:
    upload = await _service_upload(world)
    body = await client.execute(
        "query($id: ID!) { folder(id: $id) { uploadsInProgress { uploadId storedBytes file { owner { id } } } } }",
        {"id": world.folder},
    )
    return _read(
        body,
        lambda d: None if d["folder"] is None else upload in [u["uploadId"] for u in d["folder"]["uploadsInProgress"]],
    )


async def _service_upload(world: World) -> str:
    result = (await world.service.data(START_UPLOAD, {"f": world.folder, "n": f"u-{uuid.uuid4().hex[:8]}"}))[
        "createUpload"
    ]
    return str(result["upload"]["id"])


async def _trashed_folder(world: World) -> str:
    folder = await world.new_folder()
    await world.service.data(
        "mutation($i: ID!) { deleteFolder(input: {id: $i}) { userErrors { code } } }", {"i": folder}
    )
    return folder


async def _trashed_file(world: World) -> str:
    file = await world.new_file()
    await world.service.data("mutation($i: ID!) { deleteFile(input: {id: $i}) { userErrors { code } } }", {"i": file})
    return file


def _unique(world: World) -> dict[str, Any]:
    return {"n": f"renamed-{uuid.uuid4().hex[:8]}"}


def _on_fresh_folder(mutation: str, name: str, extra: Callable[[World], dict[str, Any]] = lambda w: {}) -> Cell:
    async def cell(client: GraphQLClient, world: World) -> str:
        folder = await world.new_folder()
        return await _mutate(client, mutation, name, {"i": folder, **extra(world)})

    return cell


def _on_fresh_file(mutation: str, name: str, extra: Callable[[World], dict[str, Any]] = lambda w: {}) -> Cell:
    async def cell(client: GraphQLClient, world: World) -> str:
        file = await world.new_file()
        return await _mutate(client, mutation, name, {"i": file, **extra(world)})

    return cell


async def _create_folder(client: GraphQLClient, world: World) -> str:
    doc = 'mutation($p: ID!) { createFolder(input: {parentId: $p, name: "new"}) { folder { id } userErrors { code } } }'
    name = f"new-{uuid.uuid4().hex[:8]}"
    return await _mutate(client, doc.replace('"new"', f'"{name}"'), "createFolder", {"p": world.folder})


async def _create_upload(client: GraphQLClient, world: World) -> str:
    name = f"c-{uuid.uuid4().hex[:8]}"
    return await _mutate(client, START_UPLOAD, "createUpload", {"f": world.folder, "n": name})


def _service_upload_cell(mutation: str, name: str, extra: dict[str, Any]) -> Cell:
    async def cell(client: GraphQLClient, world: World) -> str:
        upload = await _service_upload(world)
        return await _mutate(client, mutation, name, {"i": upload, **extra})

    return cell


async def _restore_folder(client: GraphQLClient, world: World) -> str:
    doc = "mutation($i: ID!) { restoreFolder(input: {id: $i}) { userErrors { code } } }"
    return await _mutate(client, doc, "restoreFolder", {"i": await _trashed_folder(world)})


async def _purge_folder(client: GraphQLClient, world: World) -> str:
    doc = "mutation($i: ID!) { purgeFolder(input: {id: $i}) { userErrors { code } } }"
    return await _mutate(client, doc, "purgeFolder", {"i": await _trashed_folder(world)})


async def _restore_file(client: GraphQLClient, world: World) -> str:
    doc = "mutation($i: ID!) { restoreFile(input: {id: $i}) { userErrors { code } } }"
    return await _mutate(client, doc, "restoreFile", {"i": await _trashed_file(world)})


async def _purge_file(client: GraphQLClient, world: World) -> str:
    doc = "mutation($i: ID!) { purgeFile(input: {id: $i}) { userErrors { code } } }"
    return await _mutate(client, doc, "purgeFile", {"i": await _trashed_file(world)})


async def _create_share(client: GraphQLClient, world: World) -> str:
    doc = "mutation($in: CreateShareInput!) { createShare(input: $in) { userErrors { code } } }"
    folder = await world.new_folder()
    return await _mutate(
        client,
        doc,
        "createShare",
        {"in": {"resourceId": folder, "grantee": {"email": "carol@reading-climate.example"}, "role": "VIEWER"}},
    )


def _answer(name: str) -> Cell:
    async def cell(client: GraphQLClient, world: World) -> str:
        share = await _share(world.bob, await world.new_folder(), "dave@example.org", text="Fresh terms.")
        arguments = "shareId: $i"
        return await _mutate(
            client,
            f"mutation($i: ID!) {{ {name}(input: {{{arguments}}}) {{ userErrors {{ code }} }} }}",
            name,
            {"i": share},
        )

    return cell


def _manage(name: str, extra: str = "") -> Cell:
    async def cell(client: GraphQLClient, world: World) -> str:
        share = await _share(world.bob, await world.new_folder(), "dave@example.org")
        return await _mutate(
            client,
            f"mutation($i: ID!) {{ {name}(input: {{shareId: $i{extra}}}) {{ userErrors {{ code }} }} }}",
            name,
            {"i": share},
        )

    return cell


COPERNICUS = """
mutation($f: ID, $r: JSON!) {
  requestCopernicusData(input: {service: "CDS", dataset: "reanalysis-era5-single-levels", request: $r, folderId: $f}) {
    copernicusRequest { id } userErrors { code }
  }
}
"""


async def _service_request(world: World) -> str:
    fresh = {"nonce": uuid.uuid4().hex}
    result = (await world.service.data(COPERNICUS, {"f": None, "r": fresh}))["requestCopernicusData"]
    return str(result["copernicusRequest"]["id"])


async def _copernicus_request(client: GraphQLClient, world: World) -> str:
    body = await client.execute(
        "query($id: ID!) { copernicusRequest(id: $id) { id } }", {"id": await _service_request(world)}
    )
    return _read(body, lambda d: None if d["copernicusRequest"] is None else True)


async def _copernicus_requests(client: GraphQLClient, world: World) -> str:
    mine = await _service_request(world)
    body = await client.execute("{ copernicusRequests(first: 100) { edges { node { id } } } }")
    return _read(body, lambda d: mine in [e["node"]["id"] for e in d["copernicusRequests"]["edges"]])


async def _request_copernicus(client: GraphQLClient, world: World) -> str:
    variables = {"f": world.folder, "r": {"nonce": uuid.uuid4().hex}}
    return await _mutate(client, COPERNICUS, "requestCopernicusData", variables)


async def _cancel_copernicus(client: GraphQLClient, world: World) -> str:
    doc = "mutation($i: ID!) { cancelCopernicusRequest(input: {id: $i}) { userErrors { code } } }"
    return await _mutate(client, doc, "cancelCopernicusRequest", {"i": await _service_request(world)})


async def _subscribe(client: GraphQLClient, query: str, variables: dict[str, Any]) -> str:
    """U when the connection is refused, N for a NOT_FOUND error, A when updates flow (or none are due)."""
    url = str(client.http.base_url).replace("http", "ws", 1) + "/graphql"
    async with connect(url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
        payload = {"Authorization": f"Bearer {client.token}"} if client.token else {}
        await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
        try:
            if json.loads(await ws.recv())["type"] != "connection_ack":
                return "?"
        except ConnectionClosed as closed:
            return "U" if closed.rcvd is not None and closed.rcvd.code == 4403 else "?"
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query, "variables": variables}}))
        try:
            message = json.loads(await asyncio.wait_for(ws.recv(), 1.0))
        except TimeoutError:
            return "A"
        if message["type"] == "next" and not message["payload"].get("errors"):
            return "A"
        if message["type"] == "next":
            codes = [e.get("extensions", {}).get("code") for e in message["payload"]["errors"]]
            return "N" if codes == ["NOT_FOUND"] else f"?{codes}"
        if message["type"] == "error":
            codes = [e.get("extensions", {}).get("code") for e in message["payload"]]
            return "N" if codes == ["NOT_FOUND"] else f"?{codes}"
        return f"?{message['type']}"


async def _request_updated(client: GraphQLClient, world: World) -> str:
    query = "subscription($id: ID!) { copernicusRequestUpdated(id: $id) { event { seq } } }"
    return await _subscribe(client, query, {"id": await _service_request(world)})


async def _requests_updated(client: GraphQLClient, world: World) -> str:
    return await _subscribe(client, "subscription { copernicusRequestsUpdated { event { seq } } }", {})


SHARE_CHANGED = "subscription($id: ID!) { shareChanged(resourceId: $id) { id status } }"
RENAME_FOLDER = "mutation($i: ID!, $n: String!) { renameFolder(input: {id: $i, name: $n}) { userErrors { code } } }"
MOVE_FOLDER = "mutation($i: ID!, $t: ID!) { moveFolder(input: {id: $i, parentId: $t}) { userErrors { code } } }"
DELETE_FOLDER = "mutation($i: ID!) { deleteFolder(input: {id: $i}) { userErrors { code } } }"
RENAME_FILE = "mutation($i: ID!, $n: String!) { renameFile(input: {id: $i, name: $n}) { userErrors { code } } }"
MOVE_FILE = "mutation($i: ID!, $t: ID!) { moveFile(input: {id: $i, folderId: $t}) { userErrors { code } } }"
DELETE_FILE = "mutation($i: ID!) { deleteFile(input: {id: $i}) { userErrors { code } } }"
METADATA = (
    "mutation($i: ID!) { updateFileMetadata(input: {id: $i, metadata: {checked: true}}) { userErrors { code } } }"
)

ROWS: dict[str, Cell] = {
    "me": _me,
    "node": _node,
    "nodes": _nodes,
    # Fields whose type carries another party's data: people, organisations.
    "File.owner": _file_owner,
    "File.trashedBy": _file_trashed_by,
    "Folder.owner": _folder_field("owner { name }", lambda f: f["owner"] is not None),
    "Share.parties": _folder_field(
        # a share made to an address names it, and the person once they accept (test_shares.py)
        "shares { granteeEmail createdBy { name } }",
        lambda f: any(s["granteeEmail"] and s["createdBy"] for s in f["shares"]),
    ),
    "Organization.usage": _organisation_usage,
    "Organization.admins": _organisation_admins,
    # Before createShare in this table: alice shares nothing with carol or dave until that row.
    "User.byId": _user_by_id,
    "Organization.trash": _organisation_trash,
    "organizations": _directory,
    "people": _people,
    "searchFolders": _search_folders,
    "Folder.viewerCan": _folder_field("viewerCan { edit }", lambda f: True),
    "folder": _folder_field("id", lambda f: True),
    "Folder.files": _folder_field("files { edges { node { id } } }", lambda f: len(f["files"]["edges"]) > 0),
    # "t" finds the subfolder T: names compare without case
    "Folder.childFolder": _folder_field('childFolder(name: "t") { name }', lambda f: f["childFolder"]["name"] == "T"),
    "Folder.childFile": _child_file,
    "File.download": _download,
    "searchFiles": _search,
    "searchFacets": _facets,
    "sharedWithMe": _shared_with_me,
    "Folder.shares": _folder_field("shares { id }", lambda f: len(f["shares"]) > 0),
    "Folder.shareEvents": _folder_field("shareEvents { nodes { kind } }", lambda f: len(f["shareEvents"]["nodes"]) > 0),
    "Upload.uploadedParts": _uploaded_parts,
    "Folder.uploadsInProgress": _uploads_in_progress,
    "createFolder": _create_folder,
    "renameFolder": _on_fresh_folder(RENAME_FOLDER, "renameFolder", _unique),
    "moveFolder": _on_fresh_folder(MOVE_FOLDER, "moveFolder", lambda w: {"t": w.target}),
    "deleteFolder": _on_fresh_folder(DELETE_FOLDER, "deleteFolder"),
    "restoreFolder": _restore_folder,
    "purgeFolder": _purge_folder,
    "createUpload": _create_upload,
    "uploadPartUrls": _service_upload_cell(
        "mutation($i: ID!) { uploadPartUrls(input: {uploadId: $i, parts: []}) { userErrors { code } } }",
        "uploadPartUrls",
        {},
    ),
    "completeUpload": _service_upload_cell(
        "mutation($i: ID!) { completeUpload(input: {uploadId: $i, parts: []}) { userErrors { code } } }",
        "completeUpload",
        {},
    ),
    "createUploads": _create_uploads,
    "completeUploads": _complete_uploads,
    "abortUpload": _service_upload_cell(
        "mutation($i: ID!) { abortUpload(input: {uploadId: $i}) { userErrors { code } } }", "abortUpload", {}
    ),
    "renameFile": _on_fresh_file(RENAME_FILE, "renameFile", _unique),
    "moveFile": _on_fresh_file(MOVE_FILE, "moveFile", lambda w: {"t": w.target}),
    "updateFileMetadata": _on_fresh_file(METADATA, "updateFileMetadata"),
    "deleteFile": _on_fresh_file(DELETE_FILE, "deleteFile"),
    "restoreFile": _restore_file,
    "purgeFile": _purge_file,
    "createShare": _create_share,
    "acceptShare": _answer("acceptShare"),
    "declineShare": _answer("declineShare"),
    "revokeShare": _manage("revokeShare"),
    "updateShare": _manage("updateShare", ", role: VIEWER"),
    "copernicusServices": lambda c, w: _plain(c, "{ copernicusServices { id } }"),
    "copernicusDatasets": lambda c, w: _plain(c, '{ copernicusDatasets(service: "CDS") { id } }'),
    "copernicusRequest": _copernicus_request,
    "copernicusRequests": _copernicus_requests,
    "requestCopernicusData": _request_copernicus,
    "cancelCopernicusRequest": _cancel_copernicus,
    "copernicusRequestUpdated": _request_updated,
    "copernicusRequestsUpdated": _requests_updated,
    "setStarred": lambda c, w: _mutate(
        c,
        "mutation($i: ID!) { setStarred(input: {id: $i, starred: true}) { userErrors { code } } }",
        "setStarred",
        {"i": w.file},
    ),
    "shareChanged": lambda c, w: _subscribe(c, SHARE_CHANGED, {"id": w.folder}),
    "setCopernicusKey": lambda c, w: _mutate(
        c,
        'mutation { setCopernicusKey(input: {service: "ADS", key: "their-own"}) { userErrors { code } } }',
        "setCopernicusKey",
        {},
    ),
    "removeCopernicusKey": lambda c, w: _mutate(
        c,
        'mutation { removeCopernicusKey(input: {service: "ADS"}) { userErrors { code } } }',
        "removeCopernicusKey",
        {},
    ),
}

# Fields below the root that hand out access get rows too; these are the ones the test adds.
FIELD_ROWS = {
    "Folder.files",
    "Folder.childFolder",
    "Folder.childFile",
    "File.download",
    "Folder.shares",
    "Folder.shareEvents",
    "Upload.uploadedParts",
    "Folder.uploadsInProgress",
    "File.owner",
    "File.trashedBy",
    "Folder.owner",
    "Share.parties",
    "Organization.usage",
    "Organization.admins",
    "Organization.trash",
    "Folder.viewerCan",
    "User.byId",
}


def test_every_operation_has_a_row() -> None:
    from graphql_api.schema import build_schema

    graphql_schema = build_schema()._schema
    operations = set()
    for root in (graphql_schema.query_type, graphql_schema.mutation_type, graphql_schema.subscription_type):
        if root is not None:
            operations |= {name for name in root.fields if not name.startswith("__")}
    assert operations - set(ROWS) == set(), "add these operations to the authorization matrix"
    assert set(ROWS) - operations == FIELD_ROWS
    assert set(EXPECTED) == set(ROWS)


@pytest.mark.parametrize("row", list(ROWS))
async def test_authorization_matrix(
    row: str, worlds: dict[str, World], gql: GraphQLClient, tokens: Any, clock: MovableClock
) -> None:
    # The expired column's share ran out an hour after it was made.
    clock.advance(timedelta(hours=2))
    got = []
    for column in COLUMNS:
        who = CALLER[column]
        client = gql.as_(tokens(who) if who else None)
        got.append(await ROWS[row](client, worlds[column]))
    expected = EXPECTED[row].split()
    mismatches = {c: (e, g) for c, e, g in zip(COLUMNS, expected, got, strict=True) if e != g}
    assert not mismatches, f"{row}: column -> (expected, got): {mismatches}"


# What viewerCan offers is what the mutations allow: the catalogue hides no action that works
# and offers none that is refused.
OFFERED = {"edit": "renameFolder", "delete": "deleteFolder", "share": "createShare"}


async def test_viewer_can_agrees_with_the_matrix(
    worlds: dict[str, World], gql: GraphQLClient, tokens: Any, clock: MovableClock
) -> None:
    clock.advance(timedelta(hours=2))
    query = "query($id: ID!) { folder(id: $id) { viewerCan { edit delete purge share } } }"
    checked = 0
    for position, column in enumerate(COLUMNS):
        who = CALLER[column]
        if who is None:
            continue
        body = await gql.as_(tokens(who)).execute(query, {"id": worlds[column].folder})
        assert not body.get("errors"), body
        folder = body["data"]["folder"]
        if folder is None:
            continue
        for permission, mutation in OFFERED.items():
            allowed = EXPECTED[mutation].split()[position] == "A"
            assert folder["viewerCan"][permission] is allowed, (column, permission, folder["viewerCan"])
        assert folder["viewerCan"]["purge"] is False, (column, "a live folder cannot be purged")
        checked += 1
    assert checked == 6, checked  # alice, bob, olga, service, viewer, editor
