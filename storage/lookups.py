"""Reads by id: one document, or a batch in the order asked (for the per-request dataloaders).

FerretDB (SQLite) answers a filter from the primary key only when the filter is exactly
``{"_id": <value>}``; ``{"_id": {"$eq": ...}}`` (what odmantic's ``Model.id == x`` sends),
``$in``, or ``_id`` with any other condition reads the whole collection. So every read by id
goes through here, in that one shape.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TypeVar

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
