"""File metadata: free JSON within limits, and typed provenance validated field by field."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from resolvers.errors import UserErrorCode, UserFailure
from resolvers.times import as_utc
from storage.models import Provenance, SourceKind

MAX_METADATA_BYTES = 16 * 1024
MAX_METADATA_DEPTH = 8
MAX_TEXT = 200


@dataclass(frozen=True)
class BBox:
    west: float
    south: float
    east: float
    north: float


@dataclass(frozen=True)
class ProvenanceIn:
    source_kind: SourceKind | None = None
    sensor_id: str | None = None
    platform: str | None = None
    longitude: float | None = None
    latitude: float | None = None
    bbox: BBox | None = None
    time_start: datetime | None = None
    time_end: datetime | None = None


def _fail(message: str, *field: str) -> UserFailure:
    return UserFailure(UserErrorCode.METADATA_INVALID, message, list(field))


def _check_keys(value: Any, depth: int) -> None:
    if depth > MAX_METADATA_DEPTH:
        raise _fail(f"metadata nests at most {MAX_METADATA_DEPTH} levels", "metadata")
    if isinstance(value, dict):
        for key, item in value.items():
            # MongoDB gives '$' and '.' in keys a meaning of their own.
            if not isinstance(key, str) or not key or key.startswith("$") or "." in key or len(key) > MAX_TEXT:
                raise _fail("metadata keys must be non-empty, without '.' or a leading '$'", "metadata")
            _check_keys(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check_keys(item, depth + 1)
    elif isinstance(value, int) and not isinstance(value, bool) and not -(2**63) <= value < 2**63:
        # The store keeps 64-bit integers; a larger one would fail only at the write.
        raise _fail("metadata numbers must fit in 64 bits; send larger ones as text", "metadata")


def checked_metadata(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _fail("metadata must be a JSON object", "metadata")
    try:
        encoded = json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        raise _fail("metadata must be plain JSON", "metadata") from None
    if len(encoded.encode()) > MAX_METADATA_BYTES:
        raise _fail(f"metadata must be at most {MAX_METADATA_BYTES} bytes as JSON", "metadata")
    _check_keys(value, 0)
    checked: dict[str, Any] = json.loads(encoded)
    return checked


def _in_range(value: float | None, low: float, high: float, *field: str) -> None:
    if value is not None and not low <= value <= high:
        raise _fail(f"must be between {low} and {high}", *field)


def checked_provenance(value: ProvenanceIn) -> Provenance:
    start = as_utc(value.time_start) if value.time_start else None
    end = as_utc(value.time_end) if value.time_end else None
    for name in ("sensor_id", "platform"):
        text = getattr(value, name)
        if text is not None and not 0 < len(text) <= MAX_TEXT:
            raise _fail(f"must be 1 to {MAX_TEXT} characters", "provenance", name)
    if (value.longitude is None) != (value.latitude is None):
        raise _fail("give both longitude and latitude, or neither", "provenance", "location")
    _in_range(value.longitude, -180, 180, "provenance", "longitude")
    _in_range(value.latitude, -90, 90, "provenance", "latitude")
    box = value.bbox
    if box is not None:
        _in_range(box.west, -180, 180, "provenance", "bbox", "west")
        _in_range(box.east, -180, 180, "provenance", "bbox", "east")
        _in_range(box.south, -90, 90, "provenance", "bbox", "south")
        _in_range(box.north, -90, 90, "provenance", "bbox", "north")
        if box.west > box.east or box.south > box.north:
            # Boxes across the antimeridian are given as two files' worth of boxes; see docs.
            raise _fail("bbox needs west <= east and south <= north", "provenance", "bbox")
    if start and end and start > end:
        raise _fail("time range must not end before it starts", "provenance", "timeRange")
    return Provenance(
        source_kind=value.source_kind,
        sensor_id=value.sensor_id,
        platform=value.platform,
        longitude=value.longitude,
        latitude=value.latitude,
        west=box.west if box else None,
        south=box.south if box else None,
        east=box.east if box else None,
        north=box.north if box else None,
        time_start=start,
        time_end=end,
    )
