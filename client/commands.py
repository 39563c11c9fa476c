"""What the ``strata`` data commands do: ls, mkdir, rm, upload, download."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any, TextIO

from client import transfer
from client.api import StrataClient, StrataError

ROOTS = "{ me { organizations { slug rootFolder { id name } } } }"
LIST = """
query($id: ID!, $after: String) {
  folder(id: $id) {
    name
    folders(first: 100) { edges { node { id name updatedAt } } }
    files(first: 100, after: $after) {
      edges { node { id name size status updatedAt } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""
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


async def ls(client: StrataClient, out: TextIO, folder_id: str | None) -> None:
    if folder_id is None:
        for organisation in (await client.query(ROOTS))["me"]["organizations"]:
            root = organisation["rootFolder"]
            out.write(f"{root['id']}  {organisation['slug']}/\n")
        return
    after = None
    first_page = True
    while True:
        folder = (await client.query(LIST, {"id": folder_id, "after": after}))["folder"]
        if folder is None:
            raise StrataError("folder not found", ["NOT_FOUND"])
        if first_page:
            for edge in folder["folders"]["edges"]:
                out.write(f"{edge['node']['id']}  {'':>12}  {edge['node']['name']}/\n")
            first_page = False
        for edge in folder["files"]["edges"]:
            node: dict[str, Any] = edge["node"]
            marker = "" if node["status"] == "AVAILABLE" else f"  ({node['status'].lower()})"
            out.write(f"{node['id']}  {node['size']:>12}  {node['name']}{marker}\n")
        if not folder["files"]["pageInfo"]["hasNextPage"]:
            return
        after = folder["files"]["pageInfo"]["endCursor"]


async def mkdir(client: StrataClient, out: TextIO, parent_id: str, name: str) -> None:
    created = await client.mutate(MKDIR, "createFolder", {"input": {"parentId": parent_id, "name": name}})
    out.write(f"{created['folder']['id']}\n")


async def rm(client: StrataClient, out: TextIO, item_id: str) -> None:
    kind = kind_of(item_id)
    if kind == "Folder":
        await client.mutate(RM_FOLDER, "deleteFolder", {"id": item_id})
    elif kind == "File":
        await client.mutate(RM_FILE, "deleteFile", {"id": item_id})
    else:
        raise StrataError(f"cannot remove a {kind}", ["INVALID"])
    out.write(f"moved to the trash: {item_id}\n")


async def upload(
    client: StrataClient, out: TextIO, path: Path, folder_id: str, concurrency: int, part_size: int | None, quiet: bool
) -> None:
    file = await transfer.upload(
        client, path, folder_id, concurrency=concurrency, part_size=part_size, show_progress=not quiet
    )
    out.write(f"{file['id']}  {file['size']}  {file['name']}  {file['checksum']}\n")


async def download(
    client: StrataClient, out: TextIO, file_id: str, path: Path, concurrency: int, part_size: int, quiet: bool
) -> None:
    if path.is_dir():
        found = await client.query("query($id: ID!) { node(id: $id) { ... on File { name } } }", {"id": file_id})
        if found["node"] is None:
            raise StrataError("file not found", ["NOT_FOUND"])
        path = path / found["node"]["name"]
    written = await transfer.download(
        client, file_id, path, concurrency=concurrency, part_size=part_size, show_progress=not quiet
    )
    out.write(f"{written}\n")
