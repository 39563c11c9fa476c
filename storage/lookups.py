"""Reads by id: one document, or a batch in the order asked (for the per-request dataloaders).

FerretDB (SQLite) answers a filter from the primary key only when the filter is exactly
``{"_id": <value>}``; ``{"_id": {"$eq": ...}}`` (what odmantic's ``Model.id == x`` sends),
``$in``, or ``_id`` with any other condition reads the whole collection. So every read by id
goes through here, in that one shape.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any, TypeVar

from bson import ObjectId
from odmantic import AIOEngine, Model

M = TypeVar("M", bound=Model)
AT_ONCE = 100  # reads in flight for one batch, whatever its length


async def by_id(engine: AIOEngine, model: type[M], item_id: ObjectId) -> M | None:
    document = await engine.get_collection(model).find_one({"_id": item_id})
    return model.model_validate_doc(document) if document is not None else None


async def find_by_ids(engine: AIOEngine, model: type[M], ids: Sequence[ObjectId]) -> list[M | None]:
    # One primary-key read per id, side by side: a batch costs its own size, not the collection's.
    unique = list(dict.fromkeys(ids))
    found: list[M | None] = []
    for start in range(0, len(unique), AT_ONCE):
        found += await asyncio.gather(*(by_id(engine, model, i) for i in unique[start : start + AT_ONCE]))
    by = dict(zip(unique, found, strict=True))
    return [by[i] for i in ids]


async def find_any(
    collection: Any,
    criteria: dict[str, Any],
    alternatives: Sequence[dict[str, Any]],
    projection: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Documents matching ``criteria`` and any one of ``alternatives`` (each an equality an index
    answers), one read per alternative, each document once: `$in`/`$or` without the pass over
    the collection FerretDB makes of them. Unordered; ``pages.read_any`` for a sorted window."""
    found = await asyncio.gather(
        *(collection.find({**criteria, **a}, projection).to_list(length=None) for a in alternatives)
    )
    unique: dict[Any, dict[str, Any]] = {}
    for documents in found:
        for document in documents:
            unique.setdefault(document["_id"], document)
    return list(unique.values())
