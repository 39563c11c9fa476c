"""Files and folders by path as well as by id: ``athena-energy/drone/2026/flight.tif`` starts at
the organisation's root folder (its slug) and walks down by name, any case, as the API compares
names."""

from __future__ import annotations

import base64
import binascii
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from client.api import StrataClient, StrataError

ROOTS = "{ me { organizations { slug rootFolder { id } } } }"
# One kind a page: the folders' pages, then the files' ($files), never both refetched.
CHILDREN = """
query($id: ID!, $after: String, $files: Boolean!) {
  folder(id: $id) {
    folders(first: 100, after: $after) @skip(if: $files) {
      nodes { id name updatedAt } pageInfo { hasNextPage endCursor }
    }
    files(first: 100, after: $after) @include(if: $files) {
      nodes { id name size status checksum checksumPartSize updatedAt } pageInfo { hasNextPage endCursor }
    }
  }
}
"""
CHILD = """
query($id: ID!, $name: String!, $files: Boolean!) {
  folder(id: $id) {
    childFolder(name: $name) @skip(if: $files) { id name }
    childFile(name: $name) @include(if: $files) { id name size status checksum checksumPartSize }
  }
}
"""


@dataclass(frozen=True)
class Item:
    kind: str  # "Folder" or "File"
    id: str


def as_id(reference: str) -> Item | None:
    """The item a global id names, or None when ``reference`` is not one."""
    try:
        kind, _, object_id = base64.b64decode(reference, validate=True).decode().partition(":")
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    if kind in ("Folder", "File") and len(object_id) == 24:
        return Item(kind, reference)
    return None


async def resolve(client: StrataClient, reference: str) -> Item:
    """The folder or file ``reference`` names, by id or by path; NOT_FOUND naming what is missing."""
    if (by_id := as_id(reference)) is not None:
        return by_id
    parts = [p for p in reference.strip("/").split("/") if p]
    if not parts:
        raise StrataError("give a path (organisation/folder/...) or an id", ["INVALID"])
    roots = {o["slug"]: o["rootFolder"]["id"] for o in (await client.query(ROOTS))["me"]["organizations"]}
    if parts[0] not in roots:
        known = ", ".join(sorted(roots)) or "none"
        raise StrataError(f"no organisation {parts[0]!r} of yours (yours: {known})", ["NOT_FOUND"])
    current = Item("Folder", roots[parts[0]])
    for position, name in enumerate(parts[1:], start=1):
        found = await child(client, current.id, name, files=False)
        if found is None and position == len(parts) - 1:
            found = await child(client, current.id, name, files=True)
        if found is None:
            raise StrataError(f"not found: {'/'.join(parts[: position + 1])}", ["NOT_FOUND"])
        current = found
    return current


async def children(client: StrataClient, folder_id: str, files: bool) -> AsyncIterator[dict[str, Any]]:
    """Every live subfolder (or file) of the folder, page by page, in name order."""
    after: str | None = None
    field = "files" if files else "folders"
    while True:
        folder = (await client.query(CHILDREN, {"id": folder_id, "files": files, "after": after}))["folder"]
        if folder is None:
            raise StrataError(f"folder not found: {folder_id}", ["NOT_FOUND"])
        page = folder[field]
        for node in page["nodes"]:
            yield node
        if not page["pageInfo"]["hasNextPage"]:
            return
        after = page["pageInfo"]["endCursor"]


async def child_node(client: StrataClient, folder_id: str, name: str, files: bool) -> dict[str, Any] | None:
    """The live folder (or file) called ``name`` in the folder, any case, as the API answers it."""
    folder = (await client.query(CHILD, {"id": folder_id, "name": name, "files": files}))["folder"]
    if folder is None:
        raise StrataError(f"folder not found: {folder_id}", ["NOT_FOUND"])
    found: dict[str, Any] | None = folder["childFile" if files else "childFolder"]
    return found


async def child(client: StrataClient, folder_id: str, name: str, files: bool) -> Item | None:
    """The live folder (or file) called ``name`` in the folder, any case."""
    node = await child_node(client, folder_id, name, files)
    return None if node is None else Item("File" if files else "Folder", node["id"])
