"""``node`` and ``nodes``: global ids resolved through each type's visibility-checked loader."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable

from bson import ObjectId
from strawberry import relay

from graphql_api.context import Info
from graphql_api.types import ids
from graphql_api.types.copernicus import CopernicusRequest
from graphql_api.types.file import File, Upload
from graphql_api.types.folder import Folder
from graphql_api.types.organization import Organization
from graphql_api.types.share import Share
from graphql_api.types.user import User

MAX_NODES = 100

_LOADERS: dict[str, Callable[[Info, list[ObjectId]], Awaitable[list[relay.Node | None]]]] = {
    "CopernicusRequest": CopernicusRequest.load_visible,  # type: ignore[dict-item]
    "File": File.load_visible,  # type: ignore[dict-item]
    "Folder": Folder.load_visible,  # type: ignore[dict-item]
    "Organization": Organization.load_visible,  # type: ignore[dict-item]
    "Share": Share.load_visible,  # type: ignore[dict-item]
    "Upload": Upload.load_visible,  # type: ignore[dict-item]
    "User": User.look_up,  # type: ignore[dict-item]
}


async def resolve_nodes(info: Info, global_ids: list[relay.GlobalID]) -> list[relay.Node | None]:
    """Objects for ``global_ids`` in order; None where unknown or not visible to the caller."""
    await info.context.principal()
    by_type: dict[str, list[tuple[int, ObjectId]]] = defaultdict(list)
    for position, global_id in enumerate(global_ids):
        type_name, object_id = ids.decode(global_id)
        by_type[type_name].append((position, object_id))
    results: list[relay.Node | None] = [None] * len(global_ids)
    for type_name, wanted in by_type.items():
        loader = _LOADERS.get(type_name)
        if loader is None:
            continue
        found = await loader(info, [object_id for _, object_id in wanted])
        for (position, _), node in zip(wanted, found, strict=True):
            results[position] = node
    return results
