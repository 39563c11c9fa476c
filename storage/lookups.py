"""Batch reads by id, in the order asked, for the per-request dataloaders."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from bson import ObjectId
from odmantic import AIOEngine, Model

M = TypeVar("M", bound=Model)


async def find_by_ids(engine: AIOEngine, model: type[M], ids: Sequence[ObjectId]) -> list[M | None]:
    found = await engine.find(model, {"_id": {"$in": list(set(ids))}})
    by_id = {item.id: item for item in found}
    return [by_id.get(i) for i in ids]
