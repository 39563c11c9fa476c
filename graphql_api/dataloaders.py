"""Per-request dataloaders: one batched query per relation, whatever the fan-out."""

from __future__ import annotations

from typing import Generic, TypeVar

from aiodataloader import DataLoader
from bson import ObjectId
from odmantic import Model

from storage.lookups import find_by_ids
from storage.models import Folder, Organisation
from storage.mongo import Database

M = TypeVar("M", bound=Model)


class ById(DataLoader[ObjectId, M | None], Generic[M]):
    """Loads documents of one model by id; ``load`` returns None for missing ids."""

    def __init__(self, db: Database, model: type[M]) -> None:
        super().__init__()
        self.db = db
        self.model = model

    async def batch_load_fn(self, keys: list[ObjectId]) -> list[M | None]:
        return await find_by_ids(self.db.engine, self.model, keys)


class Loaders:
    """Created fresh for every request (and every subscription event)."""

    def __init__(self, db: Database) -> None:
        self.organisation: ById[Organisation] = ById(db, Organisation)
        self.folder: ById[Folder] = ById(db, Folder)
