"""The change feed of Copernicus requests: one small document per change, kept for a few minutes.

Each API process's watcher reads what changed since its last look from here and then the
changed requests by primary key. Reading the requests themselves by ``updated_at`` was a pass
over every request ever made, several times a second while anyone listened (FerretDB's SQLite
backend filters anything but ``{_id: ...}`` by decoding every document).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bson import ObjectId
from odmantic import AIOEngine

CHANGES = "copernicus_changes"
KEEP = timedelta(minutes=2)


def _changes(engine: AIOEngine) -> Any:
    return engine.database[CHANGES]


async def record(engine: AIOEngine, request_id: ObjectId, version: int) -> None:
    # The wall clock, not the API's injectable one: the feed is ordered by when it was written.
    await _changes(engine).insert_one({"request_id": request_id, "version": version, "at": datetime.now(UTC)})


async def since(engine: AIOEngine, start: datetime, limit: int) -> list[dict[str, Any]]:
    """Changes written at or after ``start``, oldest first: ``{request_id, version, at}``."""
    cursor = _changes(engine).find({"at": {"$gte": start}}, sort=[("at", 1)], limit=limit)
    return list(await cursor.to_list(length=limit))


async def prune(engine: AIOEngine) -> None:
    await _changes(engine).delete_many({"at": {"$lt": datetime.now(UTC) - KEEP}})
