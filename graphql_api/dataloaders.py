"""Per-request dataloaders: one batched query per relation, whatever the fan-out."""

from __future__ import annotations

from typing import Generic, TypeVar

from aiodataloader import DataLoader
from bson import ObjectId
from odmantic import Model

from storage import shares
from storage.lookups import find_by_ids
from storage.models import CopernicusRequest, File, Folder, Organisation, Share, User
from storage.mongo import Database

M = TypeVar("M", bound=Model)


class ById(DataLoader[ObjectId, M | None], Generic[M]):
    """Loads documents of one model by id; ``load`` returns None for missing ids."""

    def __init__(self, db: Database, model: type[M], batch: bool = True) -> None:
        super().__init__(batch=batch, cache=batch)
        self.db = db
        self.model = model

    async def batch_load_fn(self, keys: list[ObjectId]) -> list[M | None]:
        return await find_by_ids(self.db.engine, self.model, keys)


class SharesByResource(DataLoader[ObjectId, list[Share]]):
    """Live shares per resource id, for ``shares`` fields on a page of files or folders."""

    def __init__(self, db: Database, batch: bool = True) -> None:
        super().__init__(batch=batch, cache=batch)
        self.db = db

    async def batch_load_fn(self, keys: list[ObjectId]) -> list[list[Share]]:
        found = await shares.on_resources(self.db.engine, keys)
        return [[s for s in found if s.resource_id == key] for key in keys]


class AccessCounts(DataLoader[str, int]):
    """How many accesses each ACCESSED event stands for, by its mark."""

    def __init__(self, db: Database, batch: bool = True) -> None:
        super().__init__(batch=batch, cache=batch)
        self.db = db

    async def batch_load_fn(self, keys: list[str]) -> list[int]:
        return await shares.access_counts(self.db.engine, keys)


class Loaders:
    """Created fresh for every request (and every subscription event).

    ``batch=False`` turns batching and caching off: one query per load, as code without
    dataloaders would do. Benchmarks use it to show what the loaders save.
    """

    def __init__(self, db: Database, batch: bool = True) -> None:
        self.organisation: ById[Organisation] = ById(db, Organisation, batch)
        self.folder: ById[Folder] = ById(db, Folder, batch)
        self.file: ById[File] = ById(db, File, batch)
        self.user: ById[User] = ById(db, User, batch)
        self.share: ById[Share] = ById(db, Share, batch)
        self.copernicus_request: ById[CopernicusRequest] = ById(db, CopernicusRequest, batch)
        self.shares = SharesByResource(db, batch)
        self.access_counts = AccessCounts(db, batch)
