"""Files and folders by path as well as by id: ``athena-energy/drone/2026/flight.tif`` starts at
the organisation's root folder (its slug) and walks down by name, any case, as the API compares
names."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from client.api import StrataClient, StrataError

ROOTS = "{ me { organizations { slug rootFolder { id } } } }"
CHILDREN = """
query($id: ID!, $foldersAfter: String, $filesAfter: String, $files: Boolean!) {
  folder(id: $id) {
    folders(first: 100, after: $foldersAfter) @skip(if: $files) {
      nodes { id name } pageInfo { hasNextPage endCursor }
    }
    files(first: 100, after: $filesAfter) @include(if: $files) {
      nodes { id name } pageInfo { hasNextPage endCursor }
    }
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


async def child(client: StrataClient, folder_id: str, name: str, files: bool) -> Item | None:
    """The live folder (or file) called ``name`` in the folder, any case."""
    wanted = name.casefold()
    after: str | None = None
    field = "files" if files else "folders"
    while True:
        variables = {"id": folder_id, "files": files, "foldersAfter": None, "filesAfter": None}
        variables["filesAfter" if files else "foldersAfter"] = after
        folder = (await client.query(CHILDREN, variables))["folder"]
        if folder is None:
            raise StrataError("folder not found", ["NOT_FOUND"])
        page = folder[field]
        for node in page["nodes"]:
            if node["name"].casefold() == wanted:
                return Item("File" if files else "Folder", node["id"])
        if not page["pageInfo"]["hasNextPage"]:
            return None
        after = page["pageInfo"]["endCursor"]
