"""What a person keeps for themselves: stars, and the files they added or changed lately."""

from __future__ import annotations

import base64
from typing import Any

from bson import ObjectId

from tests.graphql import GraphQLClient, error_codes
from tests.helpers import create_folder, sandbox, upload_bytes

STAR = """
mutation($id: ID!, $on: Boolean!) {
  setStarred(input: {id: $id, starred: $on}) {
    item { id ... on File { starred } ... on Folder { starred } }
    userErrors { code field }
  }
}
"""
HOME = "{ me { starred { id ... on File { name } ... on Folder { name } } recentFiles { name } } }"
RENAME = "mutation($id: ID!, $n: String!) { renameFile(input: {id: $id, name: $n}) { userErrors { code } } }"
DELETE = "mutation($id: ID!) { deleteFile(input: {id: $id}) { userErrors { code } } }"


async def test_stars_are_kept_newest_first_for_their_person_alone(as_user: Any) -> None:
    alice, bob = as_user("alice"), as_user("bob")
    top = await sandbox(alice)
    folder = await create_folder(alice, top, "starred-folder")
    file = await upload_bytes(alice, top, "starred.txt", b"x")
    # when: alice stars the file, then the folder (and the file again: nothing changes)
    for item in (file["id"], folder, file["id"]):
        starred = (await alice.data(STAR, {"id": item, "on": True}))["setStarred"]
        assert starred == {"item": {"id": item, "starred": True}, "userErrors": []}
    # then: her home page lists both, newest star first; bob's lists neither, and he sees it unstarred
    names = [i["name"] for i in (await alice.data(HOME))["me"]["starred"]]
    assert names[:2] == ["starred-folder", "starred.txt"]
    assert "starred.txt" not in [i.get("name") for i in (await bob.data(HOME))["me"]["starred"]]
    seen = await bob.data("query($id: ID!) { node(id: $id) { ... on File { starred } } }", {"id": file["id"]})
    assert seen["node"]["starred"] is False
    # a star taken off, and a trashed item, leave the list
    await alice.data(STAR, {"id": folder, "on": False})
    await alice.data(DELETE, {"id": file["id"]})
    names = [i["name"] for i in (await alice.data(HOME))["me"]["starred"]]
    assert "starred-folder" not in names
    assert "starred.txt" not in names


async def test_only_what_one_may_see_is_starred(as_user: Any, gql: GraphQLClient) -> None:
    alice, carol = as_user("alice"), as_user("carol")
    file = await upload_bytes(alice, await sandbox(alice), "private.txt", b"x")
    refused = (await carol.data(STAR, {"id": file["id"], "on": True}))["setStarred"]
    assert refused == {"item": None, "userErrors": [{"code": "NOT_FOUND", "field": ["id"]}]}
    share_id = base64.b64encode(f"Share:{ObjectId()}".encode()).decode()  # an id, of what has no star
    bad = (await carol.data(STAR, {"id": share_id, "on": True}))["setStarred"]
    assert [e["code"] for e in bad["userErrors"]] == ["INVALID"]
    assert error_codes(await gql.execute(STAR, {"id": file["id"], "on": True})) == ["UNAUTHENTICATED"]


async def test_recent_files_are_what_one_added_or_changed_last(as_user: Any) -> None:
    alice = as_user("alice")
    top = await sandbox(alice)
    first = await upload_bytes(alice, top, "first.txt", b"1")
    await upload_bytes(alice, top, "second.txt", b"2")
    assert [f["name"] for f in (await alice.data(HOME))["me"]["recentFiles"]][:2] == ["second.txt", "first.txt"]
    # a rename brings a file first again; a trashed one leaves the list
    assert (await alice.data(RENAME, {"id": first["id"], "n": "first-renamed.txt"}))["renameFile"]["userErrors"] == []
    recent = [f["name"] for f in (await alice.data(HOME))["me"]["recentFiles"]]
    assert recent[:2] == ["first-renamed.txt", "second.txt"]
    await alice.data(DELETE, {"id": first["id"]})
    assert "first-renamed.txt" not in [f["name"] for f in (await alice.data(HOME))["me"]["recentFiles"]]
