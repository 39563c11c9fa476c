"""Keyset windows: one page of a sorted list, strictly after the last item seen, never an offset."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bson import ObjectId


@dataclass(frozen=True)
class Window:
    """Sort by ``key`` (then ``_id``), ``ascending`` or not, after ``after`` (its sort value and id),
    at most ``limit`` documents."""

    key: str
    ascending: bool
    after: tuple[Any, ObjectId] | None
    limit: int

    def apply(self, criteria: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[str, int]]]:
        """The filter and sort for this window over the documents matching ``criteria``."""
        order = 1 if self.ascending else -1
        query = dict(criteria)
        if self.after is not None:
            value, object_id = self.after
            beyond = "$gt" if order == 1 else "$lt"
            after = {"$or": [{self.key: {beyond: value}}, {self.key: value, "_id": {beyond: object_id}}]}
            query = {"$and": [query, after]}
        return query, [(self.key, order), ("_id", order)]


async def read(collection: Any, criteria: dict[str, Any], window: Window) -> list[dict[str, Any]]:
    query, sort = window.apply(criteria)
    documents: list[dict[str, Any]] = await collection.find(query, sort=sort, limit=window.limit).to_list(
        length=window.limit
    )
    return documents
