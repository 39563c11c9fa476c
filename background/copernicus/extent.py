"""Where and when a Copernicus request is about, read from the request itself, so that its result
File carries a bbox and a time range and spatial and time search find it.

CADS requests (CDS, ADS, EWDS) name the area as ``area: [north, west, south, east]`` (a list or
"N/W/S/E") and the time as ``date: "YYYY-MM-DD/YYYY-MM-DD"`` (or a list of dates) or as
``year``/``month``/``day`` lists. Anything else, or anything malformed, gives no extent rather
than a wrong one.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any


@dataclass(frozen=True)
class Extent:
    west: float | None = None
    south: float | None = None
    east: float | None = None
    north: float | None = None
    start: datetime | None = None
    end: datetime | None = None


def of_request(request: dict[str, Any]) -> Extent:
    box = _area(request.get("area"))
    span = _span(request)
    west, south, east, north = box if box else (None, None, None, None)
    start, end = span if span else (None, None)
    return Extent(west=west, south=south, east=east, north=north, start=start, end=end)


def _area(value: Any) -> tuple[float, float, float, float] | None:
    if isinstance(value, str):
        value = value.split("/")
    if not isinstance(value, list | tuple) or len(value) != 4:
        return None
    try:
        north, west, south, east = (float(v) for v in value)
    except (TypeError, ValueError):
        return None
    left, right = _longitude(west), _longitude(east)
    if not (-90 <= south <= north <= 90) or left is None or right is None:
        return None
    return left, south, right, north


def _longitude(value: float) -> float | None:
    """CADS accepts 0..360 as well as -180..180."""
    if 180 < value <= 360:
        value -= 360
    return value if -180 <= value <= 180 else None


def _span(request: dict[str, Any]) -> tuple[datetime, datetime] | None:
    if "date" in request:
        dates = _dates(request["date"])
        return (_at(min(dates), time.min), _at(max(dates), time.max)) if dates else None
    years = _numbers(request.get("year"), 1, 9999)
    months = _numbers(request.get("month"), 1, 12) if "month" in request else list(range(1, 13))
    days = _numbers(request.get("day"), 1, 31) if "day" in request else [1, 31]
    if not (years and months and days):
        return None
    first_year, first_month = min(years), min(months)
    last_year, last_month = max(years), max(months)
    first = date(first_year, first_month, min(min(days), calendar.monthrange(first_year, first_month)[1]))
    last = date(last_year, last_month, min(max(days), calendar.monthrange(last_year, last_month)[1]))
    return _at(first, time.min), _at(last, time.max)


def _dates(value: Any) -> list[date]:
    items: Iterable[Any] = value if isinstance(value, list) else [value]
    found: list[date] = []
    for item in items:
        if not isinstance(item, str):
            return []
        parts = [p for p in item.split("/") if p != "to"]
        try:
            found.extend(date.fromisoformat(p.strip()) for p in parts)
        except ValueError:
            return []
    return found


def _numbers(value: Any, low: int, high: int) -> list[int]:
    items: Iterable[Any] = value if isinstance(value, list) else ([] if value is None else [value])
    numbers: list[int] = []
    for item in items:
        try:
            number = int(item)
        except (TypeError, ValueError):
            return []
        if not low <= number <= high:
            return []
        numbers.append(number)
    return numbers


def _at(day: date, moment: time) -> datetime:
    return datetime.combine(day, moment, tzinfo=UTC)
