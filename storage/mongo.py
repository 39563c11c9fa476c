"""The MongoDB connection: one client per process, indexes created at start-up."""

from __future__ import annotations

from typing import Any

from motor.motor_asyncio import AsyncIOMotorClient
from odmantic import AIOEngine
from pymongo.errors import DuplicateKeyError, OperationFailure, PyMongoError
from pymongo.monitoring import CommandListener

from storage.models import ALL_MODELS


class Database:
    """Holds the motor client and the odmantic engine over one database.

    Example::

        db = Database.connect("mongodb://127.0.0.1:27017/", "strata")
        await db.ensure_indexes()
        org = await db.engine.find_one(Organisation, Organisation.slug == "athena-energy")
    """

    def __init__(self, client: AsyncIOMotorClient[Any], name: str) -> None:
        self.client = client
        self.name = name
        self.engine = AIOEngine(client=client, database=name)

    @classmethod
    def connect(
        cls, url: str, name: str, listeners: list[CommandListener] | None = None, timeout_ms: int = 5000
    ) -> Database:
        # A socket timeout turns an answer that never comes into an error the caller retries,
        # instead of a worker tick (or a request) that waits forever.
        client: AsyncIOMotorClient[Any] = AsyncIOMotorClient(
            url,
            tz_aware=True,
            serverSelectionTimeoutMS=timeout_ms,
            socketTimeoutMS=timeout_ms * 4,
            event_listeners=listeners or [],
        )
        return cls(client, name)

    async def ensure_indexes(self) -> None:
        """The declared indexes, then what an older version's documents lack (once per store)."""
        await self.engine.configure_database(ALL_MODELS)
        from storage import upgrade  # it writes through guards, which need this module

        await upgrade.run(self.engine)

    async def ping(self) -> None:
        await self.client[self.name].command("ping")

    def close(self) -> None:
        self.client.close()


def is_duplicate_key(error: PyMongoError) -> bool:
    """A unique index refused the write. MongoDB says 11000; FerretDB says code 1 on updates, with
    its backend's own words (SQLite's "UNIQUE constraint failed", PostgreSQL's SQLSTATE 23505)."""
    if isinstance(error, DuplicateKeyError):
        return True
    return isinstance(error, OperationFailure) and any(sign in str(error) for sign in DUPLICATE_SIGNS)


DUPLICATE_SIGNS = ("UNIQUE constraint failed", "(SQLSTATE 23505)")
