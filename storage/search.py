"""File search as a MongoDB filter: the one place that knows how a search is stored and matched.

A file carries search keys derived from what it says (``keys_of``): the words of its name and
their prefixes, its type and type family, its source and sensor, the months and days its time
range touches, and the map cells its footprint covers. Each is a top-level field, so an equality on
it is what FerretDB hands its store (an index there, a multikey index on MongoDB). A search
asks by the keys its filter implies, and matches the exact filter above them: its cost grows
with what those keys find, not with the collection.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import product
from typing import Any, TypedDict

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
    organisation_id: ObjectId | None = None


# A word's prefixes of 3 to 10 letters are kept (every document read decodes them: few, not all);
# a shorter last word of a search is matched above the store, a longer one as a whole word.
PREFIX_MIN = 3
PREFIX_MAX = 10
MONTHS_MAX = 240  # a time range longer than 20 years is findable by its exact bounds only
MONTHS_ASKED = 3  # a search over more months than this does not ask by month
# A range of at most DAYS_KEPT days is kept by its days; a longer one by its months, marked
# "month/*", in the same field: so a search over at most DAYS_ASKED days asks for its days and
# their months' marks, and selects what overlaps those days, not the whole month.
DAYS_KEPT = 31
DAYS_ASKED = 3
WHOLE_MONTH = "/*"
# Map cells, finest first: a footprint is kept at the finest size where it covers at most
# CELLS_OWN cells, and in the cells of every coarser size; a search asks at the finest size
# where its area covers at most CELLS_ASKED cells.
CELL_SIZES = (0.01, 0.1, 1.0, 10.0)
CELLS_OWN = 4
CELLS_ASKED = 16
EVERYWHERE = "*"
# A search orders at most this many of the files each of its alternatives finds (storage/pages.py
# read_found): its cost is bounded whatever the store holds; past it, the search must be narrowed.
SEARCH_FOUND = 1_000


def words(text: str) -> list[str]:
    """The words of a name as search sees them: letters and digits, case-folded."""
    return re.findall(r"[^\W_]+", name_key(text))


def prefixes(named: list[str], shortest: int = PREFIX_MIN) -> list[str]:
    """The kept prefixes of these words: ``shortest`` to PREFIX_MAX letters, each once, sorted."""
    return sorted({w[:n] for w in named for n in range(shortest, min(len(w), PREFIX_MAX) + 1)})


def _cells(size: float, west: float, south: float, east: float, north: float, most: int) -> list[str] | None:
    columns = range(math.floor(west / size), math.floor(east / size) + 1)
    rows = range(math.floor(south / size), math.floor(north / size) + 1)
    if len(columns) * len(rows) > most:
        return None
    return [f"{size:g}:{x}:{y}" for x, y in product(columns, rows)]


def _footprint(provenance: dict[str, Any]) -> tuple[float, float, float, float] | None:
    sides = [provenance.get(k) for k in ("west", "south", "east", "north")]
    if any(side is None for side in sides):
        return None
    west, south, east, north = (float(side) for side in sides)  # type: ignore[arg-type]
    return west, south, east, north


def _months(start: datetime | None, end: datetime | None) -> list[str]:
    if start is None or end is None:
        return []
    count = (end.year - start.year) * 12 + end.month - start.month + 1
    if not 0 < count <= MONTHS_MAX:
        return []
    return [
        f"{(start.year * 12 + start.month - 1 + i) // 12}-{(start.month - 1 + i) % 12 + 1:02d}" for i in range(count)
    ]


def _days(start: datetime | None, end: datetime | None) -> list[str]:
    if start is None or end is None:
        return []
    count = (end.date() - start.date()).days + 1
    if 0 < count <= DAYS_KEPT:
        return [(start.date() + timedelta(days=i)).isoformat() for i in range(count)]
    return [month + WHOLE_MONTH for month in _months(start, end)]


class NameKeys(TypedDict):
    name_words: list[str]
    name_prefixes: list[str]


def days_of(provenance: dict[str, Any]) -> list[str]:
    """The day keys of a file's provenance (a part of ``keys_of``, given alone to older files)."""
    return _days(provenance.get("time_start"), provenance.get("time_end"))


def name_fields(name: str) -> NameKeys:
    """What finds a file or folder by its name: its words, and their kept prefixes."""
    named = sorted(set(words(name)))
    return {"name_words": named, "name_prefixes": prefixes(named)}


def keys_of(document: dict[str, Any]) -> dict[str, Any]:
    """The search keys of a file document (written with it, and again when what they come from changes)."""
    content_type = str(document.get("content_type") or "").strip().lower()
    provenance = document.get("provenance") or {}
    cells: list[str] = []
    own: list[str] = []
    footprint = _footprint(provenance)
    if footprint is not None:
        sizes = [size for size in CELL_SIZES if _cells(size, *footprint, CELLS_OWN) is not None]
        own = _cells(sizes[0], *footprint, CELLS_OWN) or [] if sizes else [EVERYWHERE]
        cells = [cell for size in sizes for cell in _cells(size, *footprint, CELLS_OWN) or []]
    return {
        **name_fields(document["name"]),
        "type_keys": [content_type, content_type.split("/")[0] + "/"] if "/" in content_type else [content_type],
        "source_key": provenance.get("source_kind"),
        "sensor_key": provenance.get("sensor_id"),
        "months": _months(provenance.get("time_start"), provenance.get("time_end")),
        "days": days_of(provenance),
        "cells": cells,
        "cells_own": own,
    }


SEARCH_SOURCES = ("name", "content_type", "provenance")  # a change of any of these changes the keys


def scope_alternatives(scope: Scope) -> list[dict[str, Any]]:
    """What a caller may read, as equalities of which a file must meet one: read one by one
    (``pages.read_any``), each is answered from an index."""
    either: list[dict[str, Any]] = [{"organisation_id": o} for o in scope.organisation_ids]
    either += [{"ancestors": s} for s in scope.shared_ids]
    either += [{"_id": s} for s in scope.shared_ids]
    return either


def key_alternatives(query: FileQuery) -> list[dict[str, Any]]:
    """The search keys a file matching ``query`` must have, as alternatives of which it has one:
    ``[{}]`` when the query implies none beyond ``key_filter``'s."""
    either: list[dict[str, Any]] = [{}]
    if query.time_from is not None and query.time_to is not None:
        days = _days(query.time_from, query.time_to)
        months = _months(query.time_from, query.time_to)
        if 0 < len(days) <= DAYS_ASKED and not days[0].endswith(WHOLE_MONTH):
            either = [{"days": d} for d in days] + [{"days": m + WHOLE_MONTH} for m in months]
        elif 0 < len(months) <= MONTHS_ASKED:
            either = [{"months": m} for m in months]
    if query.bbox is not None:
        areas = _area_alternatives(*query.bbox)
        if areas:
            either = [{**a, **b} for a in either for b in areas]
    return either


def alternatives(query: FileQuery) -> list[dict[str, Any]]:
    """Scope and keys together: a file matches ``query`` when it meets one of these and ``file_filter``."""
    return [{**scope, **keys} for scope in scope_alternatives(query.scope) for keys in key_alternatives(query)]


def _area_alternatives(west: float, south: float, east: float, north: float) -> list[dict[str, Any]]:
    for index, size in enumerate(CELL_SIZES):
        asked = _cells(size, west, south, east, north, CELLS_ASKED)
        if asked is None:
            continue
        # Footprints as fine as this or finer have a cell of this size; coarser ones are found by
        # their own cells, which the area's cells of those sizes meet.
        either: list[dict[str, Any]] = [{"cells": cell} for cell in asked]
        for coarser in CELL_SIZES[index + 1 :]:
            either += [{"cells_own": cell} for cell in _cells(coarser, west, south, east, north, CELLS_ASKED) or []]
        return [*either, {"cells_own": EVERYWHERE}]
    return []


def key_filter(query: FileQuery) -> dict[str, Any]:
    """The search keys every file matching ``query`` has (equalities, each answered from an index)."""
    found: dict[str, Any] = name_filter(query.name) if query.name else {}
    if query.content_type:
        found["type_keys"] = query.content_type.strip().lower()
    if query.source_kind:
        found["source_key"] = query.source_kind.value
    if query.sensor_id:
        found["sensor_key"] = query.sensor_id
    return found


def name_filter(name: str) -> dict[str, Any]:
    """The name keys every item whose name has ``name``'s words has (equalities an index serves)."""
    found: dict[str, Any] = {}
    asked = words(name)
    whole = [w for w in asked[:-1] if w] if asked else []
    if whole:
        found["name_words"] = max(whole, key=len)
    if asked and len(asked[-1]) >= PREFIX_MIN:
        # the last word may be the start of a longer one: its first letters are a kept prefix
        found["name_prefixes"] = asked[-1][:PREFIX_MAX]
    return found


def folder_filter(name: str) -> dict[str, Any]:
    """Live folders whose name has ``name``'s words (the scope apart: ``scope_alternatives``)."""
    return {**name_filter(name), "trash_root_id": None, "name_key": {"$regex": re.escape(name_key(name))}}


def file_filter(query: FileQuery) -> dict[str, Any]:
    """Available, live files that match every given criterion (the scope apart: ``scope_alternatives``)."""
    found: dict[str, Any] = {**key_filter(query), "status": FileStatus.AVAILABLE, "trash_root_id": None}
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
    if query.organisation_id:
        found["organisation_id"] = query.organisation_id
    return found
