"""The one way a Node is found by id: Strawberry's ``resolve_nodes``, through the type's visibility check.

Each Node type says what a caller may see of a list of ObjectIds (``load_visible``); this base turns
that into Strawberry's ``resolve_nodes`` contract (string ids in, objects or None out, in order), which
``node``/``nodes`` call through the schema's own type map.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Literal, Self, cast, overload

from bson import ObjectId
from bson.errors import InvalidId
from strawberry import relay
from strawberry.types import Info as StrawberryInfo

from graphql_api.context import Info
from resolvers.errors import NotFound


class VisibleNode(relay.Node):
    @classmethod
    async def load_visible(cls, info: Info, ids: list[ObjectId]) -> Sequence[Self | None]:
        """What the caller may see of ``ids`` through their data, in order; None for the rest."""
        raise NotImplementedError

    @classmethod
    async def load_by_id(cls, info: Info, ids: list[ObjectId]) -> Sequence[Self | None]:
        """What ``node(id)`` shows: by default what the caller sees through their data."""
        return await cls.load_visible(info, ids)

    @overload
    @classmethod
    async def resolve_nodes(
        cls, *, info: StrawberryInfo[Any, Any], node_ids: Iterable[str], required: Literal[True]
    ) -> list[Self]: ...

    @overload
    @classmethod
    async def resolve_nodes(
        cls, *, info: StrawberryInfo[Any, Any], node_ids: Iterable[str], required: Literal[False] = ...
    ) -> list[Self | None]: ...

    @overload
    @classmethod
    async def resolve_nodes(
        cls, *, info: StrawberryInfo[Any, Any], node_ids: Iterable[str], required: bool
    ) -> list[Self] | list[Self | None]: ...

    @classmethod
    async def resolve_nodes(
        cls, *, info: StrawberryInfo[Any, Any], node_ids: Iterable[str], required: bool = False
    ) -> list[Self] | list[Self | None]:
        wanted = [_object_id(node_id) for node_id in node_ids]
        known = [object_id for object_id in wanted if object_id is not None]
        found = iter(await cls.load_by_id(cast(Info, info), known))
        nodes = [next(found) if object_id is not None else None for object_id in wanted]
        if required and None in nodes:
            raise NotFound(f"{cls.__name__.lower()} not found")
        return nodes


def _object_id(node_id: str) -> ObjectId | None:
    try:
        return ObjectId(node_id)
    except (InvalidId, TypeError):
        return None
