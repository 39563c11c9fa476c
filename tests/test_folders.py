"""Folders through the API: create, rename, move, trash, restore, purge, list."""

from __future__ import annotations

from typing import Any

from motor.motor_asyncio import AsyncIOMotorDatabase

from tests.graphql import GraphQLClient, error_codes
from tests.helpers import create_folder, sandbox, start_upload, upload_bytes

FOLDER = """
query($id: ID!, $first: Int = 50, $after: String, $sortBy: SortField = NAME, $direction: SortDirection = ASC) {
  folder(id: $id) {
    id name trashedAt
    ancestors { name }
    parent { id }
    owner { name }
    folders(first: $first, after: $after, sortBy: $sortBy, direction: $direction) {
      edges { cursor node { id name } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""

RENAME = """
mutation($input: RenameFolderInput!) {
  renameFolder(input: $input) { folder { id name } userErrors { code message field } }
}
"""
MOVE = """
mutation($input: MoveFolderInput!) {
  moveFolder(input: $input) { folder { id ancestors { id } } userErrors { code message field } }
}
"""
DELETE = "mutation($id: ID!) { deleteFolder(input: {id: $id}) { folder { trashedAt } userErrors { code field } } }"
RESTORE = "mutation($id: ID!) { restoreFolder(input: {id: $id}) { folder { trashedAt } userErrors { code } } }"
PURGE = "mutation($id: ID!) { purgeFolder(input: {id: $id}) { purgedFolderId userErrors { code } } }"
CREATE = """
mutation($parent: ID!, $name: String!) {
  createFolder(input: {parentId: $parent, name: $name}) { folder { id name } userErrors { code message field } }
}
"""


async def _children(client: GraphQLClient, folder: str, **variables: Any) -> list[str]:
    data = await client.data(FOLDER, {"id": folder, **variables})
    return [edge["node"]["name"] for edge in data["folder"]["folders"]["edges"]]


async def test_create_and_list_subfolders_with_breadcrumbs(as_user: Any) -> None:
    alice = as_user("alice")
    # given
    top = await sandbox(alice)
    for name in ("beta", "Alpha", "gamma"):
        await create_folder(alice, top, name)
    deep = await create_folder(alice, await create_folder(alice, top, "delta"), "epsilon")
    # then
    assert await _children(alice, top) == ["Alpha", "beta", "delta", "gamma"]
    data = await alice.data(FOLDER, {"id": deep})
    assert [a["name"] for a in data["folder"]["ancestors"]][1:] == [
        (await alice.data(FOLDER, {"id": top}))["folder"]["name"],
        "delta",
    ]
    assert data["folder"]["ancestors"][0]["name"] == "athena-energy"
    assert data["folder"]["owner"]["name"]


async def test_names_are_unique_among_siblings_ignoring_case(as_user: Any) -> None:
    alice = as_user("alice")
    top = await sandbox(alice)
    await create_folder(alice, top, "Thermal")
    result = (await alice.data(CREATE, {"parent": top, "name": "THERMAL"}))["createFolder"]
    assert result["folder"] is None
    assert [(e["code"], e["field"]) for e in result["userErrors"]] == [("NAME_TAKEN", ["name"])]
    # the same name elsewhere is fine
    await create_folder(alice, await create_folder(alice, top, "other"), "thermal")


async def test_bad_names_are_refused_and_nothing_is_created(as_user: Any, mongo: AsyncIOMotorDatabase[Any]) -> None:
    alice = as_user("alice")
    top = await sandbox(alice)
    before = await mongo.folders.count_documents({})
    for bad in ("", "   ", "a/b", "x" * 256, "tab\there", "nul\x00", "..", "zero\u200bwidth"):
        result = (await alice.data(CREATE, {"parent": top, "name": bad}))["createFolder"]
        assert [e["code"] for e in result["userErrors"]] == ["NAME_INVALID"], bad
    assert await mongo.folders.count_documents({}) == before


async def test_rename(as_user: Any) -> None:
    alice = as_user("alice")
    top = await sandbox(alice)
    folder = await create_folder(alice, top, "drafts")
    await create_folder(alice, top, "final")
    renamed = (await alice.data(RENAME, {"input": {"id": folder, "name": " reports "}}))["renameFolder"]
    assert renamed["folder"]["name"] == "reports"
    taken = (await alice.data(RENAME, {"input": {"id": folder, "name": "Final"}}))["renameFolder"]
    assert [e["code"] for e in taken["userErrors"]] == ["NAME_TAKEN"]
    assert await _children(alice, top) == ["final", "reports"]


async def test_move_subtree_rewrites_every_descendant(as_user: Any) -> None:
    alice = as_user("alice")
    top = await sandbox(alice)
    source = await create_folder(alice, top, "source")
    target = await create_folder(alice, top, "target")
    moving = await create_folder(alice, source, "moving")
    leaf = await create_folder(alice, await create_folder(alice, moving, "mid"), "leaf")
    # when
    moved = (await alice.data(MOVE, {"input": {"id": moving, "parentId": target}}))["moveFolder"]
    # then
    assert moved["userErrors"] == []
    crumbs = (await alice.data(FOLDER, {"id": leaf}))["folder"]["ancestors"]
    assert [c["name"] for c in crumbs][-3:] == ["target", "moving", "mid"]
    assert await _children(alice, source) == []
    assert await _children(alice, target) == ["moving"]


async def test_no_cycles(as_user: Any) -> None:
    alice = as_user("alice")
    top = await sandbox(alice)
    a = await create_folder(alice, top, "a")
    b = await create_folder(alice, a, "b")
    c = await create_folder(alice, b, "c")
    for target in (a, b, c):
        result = (await alice.data(MOVE, {"input": {"id": a, "parentId": target}}))["moveFolder"]
        assert [e["code"] for e in result["userErrors"]] == ["CYCLE"]
    assert await _children(alice, a) == ["b"]


async def test_move_refuses_name_clash_and_other_organisations(as_user: Any) -> None:
    alice, carol = as_user("alice"), as_user("carol")
    top = await sandbox(alice)
    one = await create_folder(alice, top, "one")
    two = await create_folder(alice, top, "two")
    await create_folder(alice, two, "same")
    same = await create_folder(alice, one, "SAME")
    clash = (await alice.data(MOVE, {"input": {"id": same, "parentId": two}}))["moveFolder"]
    assert [e["code"] for e in clash["userErrors"]] == ["NAME_TAKEN"]
    elsewhere = await sandbox(carol, "reading-climate")
    foreign = (await alice.data(MOVE, {"input": {"id": same, "parentId": elsewhere}}))["moveFolder"]
    assert [e["code"] for e in foreign["userErrors"]] == ["NOT_FOUND"]


async def test_other_organisations_see_nothing(as_user: Any) -> None:
    alice, carol = as_user("alice"), as_user("carol")
    top = await sandbox(alice)
    assert (await carol.data(FOLDER, {"id": top}))["folder"] is None
    result = (await carol.data(CREATE, {"parent": top, "name": "intrusion"}))["createFolder"]
    assert [e["code"] for e in result["userErrors"]] == ["NOT_FOUND"]
    assert await _children(alice, top) == []


async def test_trash_restore_and_purge(as_user: Any) -> None:
    alice, bob = as_user("alice"), as_user("bob")
    top = await sandbox(alice)
    doomed = await create_folder(alice, top, "doomed")
    inner = await create_folder(alice, doomed, "inner")
    # when deleted
    deleted = (await alice.data(DELETE, {"id": doomed}))["deleteFolder"]
    assert deleted["userErrors"] == []
    assert deleted["folder"]["trashedAt"]
    assert await _children(alice, top) == []
    assert (await alice.data(FOLDER, {"id": inner}))["folder"]["trashedAt"]
    # a new folder may take the name meanwhile, so restoring clashes
    twin = await create_folder(alice, top, "doomed")
    assert [e["code"] for e in (await alice.data(RESTORE, {"id": doomed}))["restoreFolder"]["userErrors"]] == [
        "NAME_TAKEN"
    ]
    await alice.data(DELETE, {"id": twin})
    # restored
    assert (await alice.data(RESTORE, {"id": doomed}))["restoreFolder"]["userErrors"] == []
    assert await _children(alice, top) == ["doomed"]
    assert (await alice.data(FOLDER, {"id": inner}))["folder"]["trashedAt"] is None
    # purge: only from the trash, only by an admin
    assert [e["code"] for e in (await bob.data(PURGE, {"id": doomed}))["purgeFolder"]["userErrors"]] == ["NOT_IN_TRASH"]
    await alice.data(DELETE, {"id": doomed})
    assert [e["code"] for e in (await alice.data(PURGE, {"id": doomed}))["purgeFolder"]["userErrors"]] == [
        "PERMISSION_DENIED"
    ]
    assert (await bob.data(PURGE, {"id": doomed}))["purgeFolder"]["userErrors"] == []
    assert (await alice.data(FOLDER, {"id": inner}))["folder"] is None


async def test_only_creator_or_admin_may_delete(as_user: Any) -> None:
    alice, bob, service = as_user("alice"), as_user("bob"), as_user("service")
    top = await sandbox(bob)
    folder = await create_folder(bob, top, "bobs")
    refused = (await alice.data(DELETE, {"id": folder}))["deleteFolder"]
    assert [e["code"] for e in refused["userErrors"]] == ["PERMISSION_DENIED"]
    mine = await create_folder(service, top, "service-made")
    assert (await service.data(DELETE, {"id": mine}))["deleteFolder"]["userErrors"] == []
    root = (await alice.data("{ me { organizations { rootFolder { id } } } }"))["me"]["organizations"][0]
    refused_root = (await bob.data(DELETE, {"id": root["rootFolder"]["id"]}))["deleteFolder"]
    assert [e["code"] for e in refused_root["userErrors"]] == ["ROOT_FOLDER"]


async def test_keyset_pages_are_stable_under_inserts(as_user: Any) -> None:
    alice = as_user("alice")
    top = await sandbox(alice)
    for name in ("b", "d", "f", "h"):
        await create_folder(alice, top, name)
    first = (await alice.data(FOLDER, {"id": top, "first": 2}))["folder"]["folders"]
    assert [e["node"]["name"] for e in first["edges"]] == ["b", "d"]
    assert first["pageInfo"]["hasNextPage"] is True
    # inserts on both sides of the cursor
    await create_folder(alice, top, "a")
    await create_folder(alice, top, "e")
    rest = (await alice.data(FOLDER, {"id": top, "first": 10, "after": first["pageInfo"]["endCursor"]}))["folder"]
    assert [e["node"]["name"] for e in rest["folders"]["edges"]] == ["e", "f", "h"]
    assert rest["folders"]["pageInfo"]["hasNextPage"] is False
    newest_first = await _children(alice, top, sortBy="UPDATED_AT", direction="DESC")
    assert newest_first[:2] == ["e", "a"]


async def test_page_length_is_capped(as_user: Any) -> None:
    alice = as_user("alice")
    top = await sandbox(alice)
    body = await alice.execute(FOLDER, {"id": top, "first": 101})
    assert error_codes(body) == ["BAD_USER_INPUT"]
    bad_cursor = await alice.execute(FOLDER, {"id": top, "after": "not-a-cursor"})
    assert error_codes(bad_cursor) == ["BAD_USER_INPUT"]


TRASH = """
query($first: Int = 100, $after: String) {
  me { organizations { slug
    trashedFolders(first: $first, after: $after) { nodes { id name } pageInfo { hasNextPage endCursor } }
    trashedFiles(first: 100) { nodes { id name } }
  } }
}
"""


async def _trash(client: GraphQLClient, slug: str = "athena-energy", **variables: Any) -> dict[str, Any]:
    data = await client.data(TRASH, variables)
    [organisation] = [o for o in data["me"]["organizations"] if o["slug"] == slug]
    return dict(organisation)


async def test_the_trash_lists_what_was_deleted_by_itself_newest_first(as_user: Any) -> None:
    alice = as_user("alice")
    # given: a folder with a subfolder and a file in it, and a file deleted by itself
    top = await sandbox(alice)
    doomed = await create_folder(alice, top, "doomed")
    inner = await create_folder(alice, doomed, "inner")
    along = await upload_bytes(alice, inner, "along.csv", b"a,b\n")
    alone = await upload_bytes(alice, top, "alone.csv", b"c,d\n")
    later = await create_folder(alice, top, "later")
    # when
    for folder in (doomed, later):
        assert not (await alice.data(DELETE, {"id": folder}))["deleteFolder"]["userErrors"]
    deleted = await alice.data(
        "mutation($id: ID!) { deleteFile(input: {id: $id}) { userErrors { code } } }", {"id": alone["id"]}
    )
    assert not deleted["deleteFile"]["userErrors"]
    # then: the tops only, newest first; what went along beneath stays out of the list
    trash = await _trash(alice)
    folder_ids = [f["id"] for f in trash["trashedFolders"]["nodes"]]
    assert folder_ids.index(later) < folder_ids.index(doomed)
    assert inner not in folder_ids
    file_ids = [f["id"] for f in trash["trashedFiles"]["nodes"]]
    assert alone["id"] in file_ids
    assert along["id"] not in file_ids
    # and paging walks the same list one at a time
    first = await _trash(alice, first=1)
    assert len(first["trashedFolders"]["nodes"]) == 1
    assert first["trashedFolders"]["pageInfo"]["hasNextPage"]
    second = await _trash(alice, first=1, after=first["trashedFolders"]["pageInfo"]["endCursor"])
    assert [f["id"] for f in first["trashedFolders"]["nodes"] + second["trashedFolders"]["nodes"]] == folder_ids[:2]
    # when restored, it leaves the trash
    assert (await alice.data(RESTORE, {"id": doomed}))["restoreFolder"]["folder"]["trashedAt"] is None
    assert doomed not in [f["id"] for f in (await _trash(alice))["trashedFolders"]["nodes"]]


async def test_viewer_can_follows_the_trash(as_user: Any) -> None:
    alice, bob = as_user("alice"), as_user("bob")
    top = await sandbox(alice)
    folder = await create_folder(alice, top, "offered")
    query = "query($id: ID!) { folder(id: $id) { viewerCan { edit delete purge share } } }"
    live = (await alice.data(query, {"id": folder}))["folder"]["viewerCan"]
    assert live == {"edit": True, "delete": True, "purge": False, "share": False}
    assert not (await alice.data(DELETE, {"id": folder}))["deleteFolder"]["userErrors"]
    # in the trash: nothing to edit; the admin may purge, the creator only restore
    assert (await alice.data(query, {"id": folder}))["folder"]["viewerCan"] == {
        "edit": False,
        "delete": True,
        "purge": False,
        "share": False,
    }
    assert (await bob.data(query, {"id": folder}))["folder"]["viewerCan"] == {
        "edit": False,
        "delete": True,
        "purge": True,
        "share": False,
    }


FILES_SORTED = """
query($id: ID!, $sortBy: SortField!, $direction: SortDirection = ASC, $after: String) {
  folder(id: $id) {
    files(first: 2, sortBy: $sortBy, direction: $direction, after: $after) {
      nodes { name contentType } pageInfo { hasNextPage endCursor }
    }
    folders(sortBy: $sortBy) { nodes { name } }
  }
}
"""


async def test_lists_sort_by_type_and_creation_page_by_page(as_user: Any) -> None:
    alice = as_user("alice")
    top = await sandbox(alice)
    for name, kind in (("a.tif", "image/tiff"), ("b.csv", "text/csv"), ("c.json", "application/json")):
        await upload_bytes(alice, top, name, b"x", contentType=kind)
    for name in ("zeta", "alpha"):
        await create_folder(alice, top, name)
    # when: by type, two at a time
    first = (await alice.data(FILES_SORTED, {"id": top, "sortBy": "TYPE"}))["folder"]
    cursor = first["files"]["pageInfo"]["endCursor"]
    rest = (await alice.data(FILES_SORTED, {"id": top, "sortBy": "TYPE", "after": cursor}))["folder"]
    # then
    kinds = [f["contentType"] for f in first["files"]["nodes"] + rest["files"]["nodes"]]
    assert kinds == ["application/json", "image/tiff", "text/csv"]
    assert [f["name"] for f in first["folders"]["nodes"]] == ["alpha", "zeta"]  # folders have no type
    # and folders sort by creation too
    created = (await alice.data(FILES_SORTED, {"id": top, "sortBy": "CREATED_AT"}))["folder"]
    assert [f["name"] for f in created["folders"]["nodes"]] == ["zeta", "alpha"]


CHILD = """
query($id: ID!, $name: String!) {
  folder(id: $id) { childFolder(name: $name) { id name } childFile(name: $name) { id name status } }
}
"""


async def test_a_child_is_found_by_name_in_any_case_while_it_is_live(as_user: Any) -> None:
    alice = as_user("alice")
    # given: a subfolder, a file, an upload in progress and a folder in the trash
    top = await sandbox(alice)
    drone = await create_folder(alice, top, "Drone 2026")
    photo = await upload_bytes(alice, top, "Roof.tif", b"tiff")
    started = await start_upload(alice, top, "half.bin", b"x" * 10)
    trashed = await create_folder(alice, top, "old")
    await alice.data(DELETE, {"id": trashed})

    async def look(name: str) -> dict[str, Any]:
        found: dict[str, Any] = (await alice.data(CHILD, {"id": top, "name": name}))["folder"]
        return found

    # then: found by its name in any case and form (NFC, outer spaces), each kind by its own field
    assert (await look("drone 2026"))["childFolder"] == {"id": drone, "name": "Drone 2026"}
    assert (await look("  DRONE 2026 "))["childFolder"]["id"] == drone
    assert (await look("drone 2026"))["childFile"] is None
    assert (await look("roof.TIF"))["childFile"] == {"id": photo["id"], "name": "Roof.tif", "status": "AVAILABLE"}
    assert (await look("half.bin"))["childFile"] == {
        "id": started["file"]["id"],
        "name": "half.bin",
        "status": "UPLOADING",
    }
    # and what is in the trash, or could not be a name at all, is not there
    assert await look("old") == {"childFolder": None, "childFile": None}
    for impossible in ("", "a/b", "..", "x" * 300):
        assert await look(impossible) == {"childFolder": None, "childFile": None}


async def test_a_child_of_another_organisation_s_folder_is_not_reached(as_user: Any) -> None:
    alice, carol = as_user("alice"), as_user("carol")
    top = await sandbox(alice)
    await create_folder(alice, top, "private")
    assert (await carol.data(CHILD, {"id": top, "name": "private"}))["folder"] is None
