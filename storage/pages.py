"""Keyset windows: one page of a sorted list, strictly after the last item seen, never an offset."""

from __future__ import annotations

import asyncio
import heapq
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
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
            after = [{self.key: {beyond: value}}, {self.key: value, "_id": {beyond: object_id}}]
            # The criteria's equalities stay at the top: that is all FerretDB hands its store (an
            # index there); `$and`/`$or` are matched above it, over what those equalities found.
            if "$or" in query:
                query["$and"] = [*query.get("$and", []), {"$or": query.pop("$or")}, {"$or": after}]
            else:
                query["$or"] = after
        return query, [(self.key, order), ("_id", order)]

    def order_key(self, document: dict[str, Any]) -> tuple[Any, ...]:
        """Where ``document`` falls in this window's ascending order."""
        return position(document.get(self.key), document["_id"])


def position(value: Any, object_id: ObjectId) -> tuple[Any, ...]:
    """A sort value and id as MongoDB orders them: a missing value first. A time as BSON keeps it,
    to the millisecond, so a document compared before it was written falls where it is read back."""
    if isinstance(value, datetime):
        value = value.replace(microsecond=value.microsecond // 1000 * 1000)
    return (value is not None, value, object_id)


async def read(
    collection: Any, criteria: dict[str, Any], window: Window, projection: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    query, sort = window.apply(criteria)
    documents: list[dict[str, Any]] = await collection.find(query, projection, sort=sort, limit=window.limit).to_list(
        length=window.limit
    )
    return documents


async def read_any(
    collection: Any,
    criteria: dict[str, Any],
    alternatives: Sequence[dict[str, Any]],
    window: Window,
    projection: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """The window over documents matching ``criteria`` and any one of ``alternatives``.

    One read per alternative (each an equality, answered from an index), merged in the window's
    order: the page `$or`/`$in` of them would give, which FerretDB can only find by reading the
    whole collection. The cost is the alternatives' count times one page, not the collection's.
    """
    if len(alternatives) == 1:
        return await read(collection, _joined(criteria, alternatives[0]), window, projection)
    found = await asyncio.gather(*(read(collection, _joined(criteria, a), window, projection) for a in alternatives))
    merged = heapq.merge(*found, key=window.order_key, reverse=not window.ascending)
    seen: set[Any] = set()
    page: list[dict[str, Any]] = []
    for document in merged:
        if document["_id"] not in seen and len(page) < window.limit:
            seen.add(document["_id"])
            page.append(document)
    return page


async def read_found(
    collection: Any,
    criteria: dict[str, Any],
    alternatives: Sequence[dict[str, Any]],
    window: Window,
    bound: int,
) -> list[dict[str, Any]]:
    """The window over the first ``bound`` documents each alternative finds, ordered here.

    For reads whose matches may be many and whose order no index serves on every store (a
    search): FerretDB sorts above its store, over every match, so an ordered read costs the
    matches; an unordered one with a limit stops at the limit. Every page reads the same found
    set (the window's cursor is applied here, not in the store), so paging through it loses and
    repeats nothing; past ``bound`` a search must be narrowed to be seen whole.
    """
    found = await find_any(collection, criteria, alternatives, limit=bound)
    ordered = sorted(found, key=window.order_key, reverse=not window.ascending)
    if window.after is not None:
        cursor = position(*window.after)
        if window.ascending:
            ordered = [d for d in ordered if window.order_key(d) > cursor]
        else:
            ordered = [d for d in ordered if window.order_key(d) < cursor]
    return ordered[: window.limit]


async def find_any(
    collection: Any,
    criteria: dict[str, Any],
    alternatives: Sequence[dict[str, Any]],
    projection: dict[str, Any] | None = None,
    limit: int = 0,
) -> list[dict[str, Any]]:
    """Every document ``read_any`` would page through, unordered and each once: for reads that
    want them all (a caller's active shares, the shares on some items), or, with ``limit``, at
    most that many from each alternative."""
    found = await asyncio.gather(
        *(collection.find(_joined(criteria, a), projection, limit=limit).to_list(length=None) for a in alternatives)
    )
    unique: dict[Any, dict[str, Any]] = {}
    for documents in found:
        for document in documents:
            unique.setdefault(document["_id"], document)
    return list(unique.values())


def _joined(criteria: dict[str, Any], alternative: dict[str, Any]) -> dict[str, Any]:
    """Both, with the criteria's own key on top where the two name the same field."""
    if criteria.keys().isdisjoint(alternative):
        return {**criteria, **alternative}
    return {**criteria, "$and": [*criteria.get("$and", []), alternative]}
