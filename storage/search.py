"""File search as a MongoDB filter: the one place that knows how a search is stored and matched."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bson import ObjectId

from storage.models import FileStatus, SourceKind, name_key


@dataclass(frozen=True)
class Scope:
    """What a caller may read: whole organisations, and shared items with all beneath them."""

    organisation_ids: tuple[ObjectId, ...]
    shared_ids: tuple[ObjectId, ...]


@dataclass(frozen=True)
class FileQuery:
    scope: Scope
    name: str | None = None
    content_type: str | None = None
    source_kind: SourceKind | None = None
    sensor_id: str | None = None
    bbox: tuple[float, float, float, float] | None = None  # west, south, east, north
    time_from: datetime | None = None
    time_to: datetime | None = None
    folder_id: ObjectId | None = None


def scope_alternatives(scope: Scope) -> list[dict[str, Any]]:
    """What a caller may read, as equalities of which a file must meet one: read one by one
    (``pages.read_any``), each is answered from an index."""
    either: list[dict[str, Any]] = [{"organisation_id": o} for o in scope.organisation_ids]
    either += [{"ancestors": s} for s in scope.shared_ids]
    either += [{"_id": s} for s in scope.shared_ids]
    return either


def file_filter(query: FileQuery) -> dict[str, Any]:
    """Available, live files that match every given criterion (the scope apart: ``scope_alternatives``)."""
    found: dict[str, Any] = {"status": FileStatus.AVAILABLE, "trash_root_id": None}
    if query.name:
        found["name_key"] = {"$regex": re.escape(name_key(query.name))}
    if query.content_type:
        prefix = query.content_type.strip().lower()
        found["content_type"] = {"$regex": "^" + re.escape(prefix)} if prefix.endswith("/") else prefix
    if query.source_kind:
        found["provenance.source_kind"] = query.source_kind.value
    if query.sensor_id:
        found["provenance.sensor_id"] = query.sensor_id
    if query.bbox:
        west, south, east, north = query.bbox
        # Two boxes intersect when neither lies wholly to one side of the other.
        found["provenance.west"] = {"$lte": east}
        found["provenance.east"] = {"$gte": west}
        found["provenance.south"] = {"$lte": north}
        found["provenance.north"] = {"$gte": south}
    if query.time_to:
        found["provenance.time_start"] = {"$lte": query.time_to}
    if query.time_from:
        found["provenance.time_end"] = {"$gte": query.time_from}
    if query.folder_id:
        found["ancestors"] = query.folder_id
    return found
