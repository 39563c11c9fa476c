"""What the ``strata`` data commands do: ls, mkdir, rm, trash, restore, search, upload, download."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any, TextIO

from client import transfer
from client.api import StrataClient, StrataError
from client.terminal import ProgressBar

ROOTS = "{ me { organizations { slug rootFolder { id name } } } }"
MKDIR = """
mutation($input: CreateFolderInput!) { createFolder(input: $input) { folder { id name } userErrors { code message } } }
"""
RM_FOLDER = "mutation($id: ID!) { deleteFolder(input: {id: $id}) { folder { id } userErrors { code message } } }"
RM_FILE = "mutation($id: ID!) { deleteFile(input: {id: $id}) { file { id } userErrors { code message } } }"


def kind_of(global_id: str) -> str:
    try:
        return base64.b64decode(global_id).decode().split(":", 1)[0]
    except (ValueError, UnicodeDecodeError):
        raise StrataError(f"not a Strata id: {global_id}", ["INVALID"]) from None


def _row(out: TextIO, as_json: bool, item: dict[str, Any], text: str) -> None:
    """One listed item: a line for people, or one JSON object per line for scripts."""
    out.write((json.dumps(item) if as_json else text) + "\n")


def bar(quiet: bool) -> ProgressBar | None:
    """A progress bar on the terminal, unless asked for quiet."""
    return None if quiet else ProgressBar(0, "")


async def ls(client: StrataClient, out: TextIO, folder_id: str | None, as_json: bool = False) -> None:
    if folder_id is None:
        for organisation in (await client.query(ROOTS))["me"]["organizations"]:
            root = organisation["rootFolder"]
            item = {"kind": "folder", "id": root["id"], "name": organisation["slug"]}
            _row(out, as_json, item, f"{root['id']}  {organisation['slug']}/")
        return
    if kind_of(folder_id) != "Folder":
        raise StrataError(f"{folder_id} is not a folder; `strata meta get` shows a file", ["INVALID"])
    from client.paths import children

    async for node in children(client, folder_id, files=False):
        item = {"kind": "folder", "id": node["id"], "name": node["name"], "updatedAt": node["updatedAt"]}
        _row(out, as_json, item, f"{node['id']}  {'':>12}  {node['name']}/")
    async for node in children(client, folder_id, files=True):
        marker = "" if node["status"] == "AVAILABLE" else f"  ({node['status'].lower()})"
        _row(out, as_json, {"kind": "file", **node}, f"{node['id']}  {node['size']:>12}  {node['name']}{marker}")


async def mkdir(client: StrataClient, out: TextIO, parent_id: str, name: str) -> None:
    created = await client.mutate(MKDIR, "createFolder", {"input": {"parentId": parent_id, "name": name}})
    out.write(f"{created['folder']['id']}\n")


async def _on_item(client: StrataClient, item_id: str, verb: str, mutations: dict[str, tuple[str, str]]) -> None:
    """Run the folder's or the file's mutation for ``item_id``, whichever kind it is."""
    kind = kind_of(item_id)
    if kind not in mutations:
        raise StrataError(f"cannot {verb} a {kind}", ["INVALID"])
    document, field = mutations[kind]
    await client.mutate(document, field, {"id": item_id})


async def rm(client: StrataClient, out: TextIO, item_id: str) -> None:
    await _on_item(client, item_id, "remove", {"Folder": (RM_FOLDER, "deleteFolder"), "File": (RM_FILE, "deleteFile")})
    out.write(f"moved to the trash: {item_id}\n")


async def upload(
    client: StrataClient,
    out: TextIO,
    path: Path,
    folder_id: str,
    concurrency: int,
    part_size: int | None,
    quiet: bool,
    name: str | None = None,
    on_conflict: str = "fail",
    recursive: bool = False,
) -> None:
    """Upload one file, or with ``recursive`` a directory's tree; a name taken there: fail, skip
    the file, or take ``name (1).ext``."""
    if path.is_dir():
        if not recursive:
            raise StrataError(f"{path} is a directory: pass -r to upload it and everything in it", ["INVALID"])
        from client import trees

        await trees.upload_tree(client, out, path, folder_id, concurrency, part_size, quiet, name, on_conflict)
        return
    file, outcome = await upload_one(
        client,
        path,
        folder_id,
        name or path.name,
        on_conflict,
        concurrency=concurrency,
        part_size=part_size,
        progress=bar(quiet),
    )
    if outcome == "skipped":
        out.write(f"skipped: {name or path.name} is there already\n")
    else:
        note = "  (unchanged: the same content is there already)" if outcome == "unchanged" else ""
        out.write(f"{file['id']}  {file['size']}  {file['name']}  {file['checksum']}{note}\n")


async def upload_one(
    client: StrataClient,
    path: Path,
    folder_id: str,
    wanted: str,
    on_conflict: str,
    **options: Any,
) -> tuple[dict[str, Any], str]:
    """The file and what happened: "moved" (uploaded), "unchanged" (a file of that name with the
    same content is there: uploading again would only duplicate it) or "skipped" (the name is
    taken by other content and ``on_conflict`` is skip)."""
    for attempt in range(MAX_RENAMES):
        candidate = wanted if attempt == 0 else numbered(wanted, attempt)
        try:
            return await transfer.upload(client, path, folder_id, name=candidate, **options), "moved"
        except StrataError as error:
            if "NAME_TAKEN" not in error.codes:
                raise
            if on_conflict == "rename":  # a copy under a new name was asked for, even of the same bytes
                continue
            there = await _same_content(client, path, folder_id, candidate)
            if there is not None:
                return there, "unchanged"
            if on_conflict == "fail":
                raise
            if on_conflict == "skip":
                return {"name": candidate}, "skipped"
    raise StrataError(f"no free name like {wanted!r} after {MAX_RENAMES} tries", ["NAME_TAKEN"])


async def _same_content(client: StrataClient, path: Path, folder_id: str, name: str) -> dict[str, Any] | None:
    """The available file called ``name`` in the folder when its checksum is the local file's."""
    import asyncio

    from client.paths import child_node

    node = await child_node(client, folder_id, name, files=True)
    if node is None or node["status"] != "AVAILABLE" or int(node["size"]) != path.stat().st_size:
        return None
    local = await asyncio.to_thread(transfer.file_checksum, path, node["checksumPartSize"])
    return node if local == node["checksum"] else None


MAX_RENAMES = 100


def numbered(name: str, n: int) -> str:
    """``survey.tif`` -> ``survey (n).tif``, as file managers do."""
    stem, dot, suffix = name.rpartition(".")
    return f"{stem} ({n}).{suffix}" if dot and stem else f"{name} ({n})"


async def download(
    client: StrataClient,
    out: TextIO,
    file_id: str,
    path: Path,
    concurrency: int,
    part_size: int,
    quiet: bool,
    force: bool = False,
    recursive: bool = False,
) -> None:
    if kind_of(file_id) == "Folder":
        if not recursive:
            raise StrataError(f"{file_id} is a folder: pass -r to download it and everything in it", ["INVALID"])
        from client import trees

        await trees.download_tree(client, out, file_id, path, concurrency, part_size, quiet, force)
        return
    if kind_of(file_id) != "File":
        raise StrataError(f"{file_id} is not a file: download a file", ["INVALID"])
    if path.is_dir():
        found = await client.query("query($id: ID!) { node(id: $id) { ... on File { name } } }", {"id": file_id})
        if found["node"] is None:
            raise StrataError("file not found", ["NOT_FOUND"])
        path = path / found["node"]["name"]
    if path.exists() and not force:
        raise StrataError(f"{path} exists; pass --force to replace it", ["EXISTS"])
    written = await transfer.download(
        client, file_id, path, concurrency=concurrency, part_size=part_size, progress=bar(quiet)
    )
    out.write(f"{written}\n")


ORGANISATIONS = "{ me { organizations { id slug } } }"
TRASH = """
query($id: ID!, $after: String, $files: Boolean!) {
  node(id: $id) { ... on Organization {
    trashedFolders(first: 100, after: $after) @skip(if: $files) {
      nodes { id name trashedAt } pageInfo { hasNextPage endCursor }
    }
    trashedFiles(first: 100, after: $after) @include(if: $files) {
      nodes { id name size trashedAt } pageInfo { hasNextPage endCursor }
    }
  } }
}
"""
RESTORE_FOLDER = "mutation($id: ID!) { restoreFolder(input: {id: $id}) { folder { id } userErrors { code message } } }"
RESTORE_FILE = "mutation($id: ID!) { restoreFile(input: {id: $id}) { file { id } userErrors { code message } } }"
SEARCH = """
query($filter: FileSearchInput, $after: String) {
  searchFiles(filter: $filter, first: 100, after: $after) {
    nodes { id name size contentType updatedAt folder { id name } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


async def trash(client: StrataClient, out: TextIO, as_json: bool = False) -> None:
    """What each of the caller's organisations has in its trash, newest first, every page."""
    for organisation in (await client.query(ORGANISATIONS))["me"]["organizations"]:
        for files, field in ((False, "trashedFolders"), (True, "trashedFiles")):
            after: str | None = None
            while True:
                found = await client.query(TRASH, {"id": organisation["id"], "after": after, "files": files})
                page = found["node"][field]
                for node in page["nodes"]:
                    size = f"{node['size']:>12}" if files else f"{'':>12}"
                    name = node["name"] if files else f"{node['name']}/"
                    item = {"kind": "file" if files else "folder", "organization": organisation["slug"], **node}
                    _row(out, as_json, item, f"{node['id']}  {size}  {node['trashedAt'][:19]}  {name}")
                if not page["pageInfo"]["hasNextPage"]:
                    break
                after = page["pageInfo"]["endCursor"]


async def restore(client: StrataClient, out: TextIO, item_id: str) -> None:
    mutations = {"Folder": (RESTORE_FOLDER, "restoreFolder"), "File": (RESTORE_FILE, "restoreFile")}
    await _on_item(client, item_id, "restore", mutations)
    out.write(f"restored: {item_id}\n")


async def search(client: StrataClient, out: TextIO, filter: dict[str, Any], as_json: bool = False) -> None:
    """Every file matching ``filter`` (the API's FileSearchInput), page by page."""
    after = None
    while True:
        found = (await client.query(SEARCH, {"filter": filter, "after": after}))["searchFiles"]
        for node in found["nodes"]:
            where = node["folder"]["name"] if node["folder"] else "?"
            _row(out, as_json, {"kind": "file", **node}, f"{node['id']}  {node['size']:>12}  {where}/{node['name']}")
        if not found["pageInfo"]["hasNextPage"]:
            return
        after = found["pageInfo"]["endCursor"]


ERRORS = "userErrors { code message }"
MOVE_FOLDER = f"""
mutation($id: ID!, $to: ID!) {{ moveFolder(input: {{id: $id, parentId: $to}}) {{ folder {{ id }} {ERRORS} }} }}
"""
MOVE_FILE = f"""
mutation($id: ID!, $to: ID!) {{ moveFile(input: {{id: $id, folderId: $to}}) {{ file {{ id }} {ERRORS} }} }}
"""
RENAME_FOLDER = f"""
mutation($id: ID!, $name: String!) {{ renameFolder(input: {{id: $id, name: $name}}) {{ folder {{ id }} {ERRORS} }} }}
"""
RENAME_FILE = f"""
mutation($id: ID!, $name: String!) {{ renameFile(input: {{id: $id, name: $name}}) {{ file {{ id }} {ERRORS} }} }}
"""
PURGE_FOLDER = f"mutation($id: ID!) {{ purgeFolder(input: {{id: $id}}) {{ purgedFolderId {ERRORS} }} }}"
PURGE_FILE = f"mutation($id: ID!) {{ purgeFile(input: {{id: $id}}) {{ purgedFileId {ERRORS} }} }}"
META = """
query($id: ID!) { node(id: $id) { ... on File { id name metadata provenance {
  sourceKind sensorId platform location { longitude latitude } bbox { west south east north } timeRange { start end }
} } } }
"""
SET_META = f"""
mutation($input: UpdateFileMetadataInput!) {{ updateFileMetadata(input: $input) {{ file {{ id }} {ERRORS} }} }}
"""


async def mkdir_p(client: StrataClient, out: TextIO, path: str) -> None:
    """Every missing folder along ``organisation/a/b/c``; prints the last one's id."""
    from client.paths import resolve

    parts = [p for p in path.strip("/").split("/") if p]
    if len(parts) < 2:
        raise StrataError("give organisation/folder/...: the organisation's root folder exists already", ["INVALID"])
    current = (await resolve(client, parts[0])).id
    for name in parts[1:]:
        current = await ensure_folder(client, current, name)
    out.write(f"{current}\n")


async def ensure_folder(client: StrataClient, parent_id: str, name: str) -> str:
    """The id of the folder called ``name`` in the parent, created when it is not there."""
    from client.paths import child

    found = await child(client, parent_id, name, files=False)
    if found is not None:
        return found.id
    created = await client.mutate(MKDIR, "createFolder", {"input": {"parentId": parent_id, "name": name}})
    return str(created["folder"]["id"])


async def move(client: StrataClient, out: TextIO, source: str, target: str) -> None:
    from client.paths import resolve

    item, folder = await resolve(client, source), await resolve(client, target)
    if folder.kind != "Folder":
        raise StrataError(f"{target} is a file: move into a folder", ["INVALID"])
    document, field = (MOVE_FOLDER, "moveFolder") if item.kind == "Folder" else (MOVE_FILE, "moveFile")
    await client.mutate(document, field, {"id": item.id, "to": folder.id})
    out.write(f"moved: {item.id}\n")


async def rename(client: StrataClient, out: TextIO, reference: str, name: str) -> None:
    from client.paths import resolve

    item = await resolve(client, reference)
    document, field = (RENAME_FOLDER, "renameFolder") if item.kind == "Folder" else (RENAME_FILE, "renameFile")
    await client.mutate(document, field, {"id": item.id, "name": name})
    out.write(f"renamed: {item.id}\n")


async def purge(client: StrataClient, out: TextIO, item_id: str) -> None:
    mutations = {"Folder": (PURGE_FOLDER, "purgeFolder"), "File": (PURGE_FILE, "purgeFile")}
    await _on_item(client, item_id, "purge", mutations)
    out.write(f"deleted for good: {item_id}\n")


async def meta_get(client: StrataClient, out: TextIO, reference: str) -> None:
    from client.paths import resolve

    item = await resolve(client, reference)
    if item.kind != "File":
        raise StrataError("metadata belongs to files; this is a folder", ["INVALID"])
    found = (await client.query(META, {"id": item.id}))["node"]
    if found is None:
        raise StrataError("file not found", ["NOT_FOUND"])
    out.write(json.dumps({"metadata": found["metadata"], "provenance": found["provenance"]}, indent=2) + "\n")


async def meta_set(client: StrataClient, out: TextIO, reference: str, changes: dict[str, Any]) -> None:
    """Replace the metadata and/or provenance with ``{"metadata": {...}, "provenance": {...}}``."""
    from client.paths import resolve

    unknown = set(changes) - {"metadata", "provenance"}
    if unknown or not changes:
        raise StrataError('give {"metadata": {...}} and/or {"provenance": {...}}', ["INVALID"])
    item = await resolve(client, reference)
    await client.mutate(SET_META, "updateFileMetadata", {"input": {"id": item.id, **changes}})
    out.write(f"updated: {item.id}\n")
