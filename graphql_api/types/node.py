"""``node`` and ``nodes``: global ids resolved by each type's own ``resolve_nodes`` (``types/visible.py``).

The type is found through the schema's type map, as Strawberry's own node field does; decoding stays
ours so that a malformed id is BAD_USER_INPUT rather than an internal error.
"""

from __future__ import annotations

from collections import defaultdict

from strawberry import relay
from strawberry.types.base import StrawberryObjectDefinition

from graphql_api.context import Info
from graphql_api.types import ids
from graphql_api.types.visible import VisibleNode

MAX_NODES = 100


def _node_type(info: Info, type_name: str) -> type[VisibleNode] | None:
    definition = info.schema.get_type_by_name(type_name)
    if not isinstance(definition, StrawberryObjectDefinition):
        return None
    origin = definition.origin
    return origin if isinstance(origin, type) and issubclass(origin, VisibleNode) else None


async def resolve_nodes(info: Info, global_ids: list[relay.GlobalID]) -> list[relay.Node | None]:
    """Objects for ``global_ids`` in order; None where unknown or not visible to the caller."""
    await info.context.principal()
    by_type: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for position, global_id in enumerate(global_ids):
        type_name, object_id = ids.decode(global_id)
        by_type[type_name].append((position, str(object_id)))
    results: list[relay.Node | None] = [None] * len(global_ids)
    for type_name, wanted in by_type.items():
        node_type = _node_type(info, type_name)
        if node_type is None:
            continue
        found = await node_type.resolve_nodes(info=info, node_ids=[node_id for _, node_id in wanted])
        for (position, _), node in zip(wanted, found, strict=True):
            results[position] = node
    return results
