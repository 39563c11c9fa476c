"""Keyset pagination: a cursor holds the sort key and id of the last item, never an offset.

Pages stay stable under inserts: an item added before the cursor is not seen again and
nothing after it is skipped.
"""

from __future__ import annotations

import base64
import binascii
import enum
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from bson import ObjectId
from bson.errors import InvalidId

from resolvers.errors import BadInput
from storage.pages import Window

MAX_PAGE = 100
DEFAULT_PAGE = 50

T = TypeVar("T")


class SortField(enum.StrEnum):
    NAME = "NAME"
    SIZE = "SIZE"
    UPDATED_AT = "UPDATED_AT"
    CREATED_AT = "CREATED_AT"
    TYPE = "TYPE"


class Direction(enum.StrEnum):
    ASC = "ASC"
    DESC = "DESC"


# Stored field per sort; names sort by their case-folded key.
SORT_KEYS = {
    SortField.NAME: "name_key",
    SortField.SIZE: "size",
    SortField.UPDATED_AT: "updated_at",
    SortField.CREATED_AT: "created_at",
    SortField.TYPE: "content_type",
}


@dataclass(frozen=True)
class PageRequest:
    first: int = DEFAULT_PAGE
    after: str | None = None
    sort: SortField = SortField.NAME
    direction: Direction = Direction.ASC

    def checked(self) -> PageRequest:
        if not 0 <= self.first <= MAX_PAGE:
            raise BadInput(f"first must be between 0 and {MAX_PAGE}")
        return self


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    cursors: list[str]
    has_next_page: bool


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"$date": value.isoformat()}
    return value


def _decode_value(value: Any, sort: SortField) -> str | int | datetime:
    """The cursor's sort value as the type its sort field holds, never a raw document."""
    if sort in (SortField.NAME, SortField.TYPE) and isinstance(value, str) and len(value) <= 1024:
        return value
    if sort is SortField.SIZE and isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**63:
        return value
    if sort in (SortField.UPDATED_AT, SortField.CREATED_AT) and isinstance(value, dict) and set(value) == {"$date"}:
        moment = datetime.fromisoformat(str(value["$date"]))
        if moment.tzinfo is not None:
            return moment
    raise ValueError("cursor value does not fit its sort")


def encode_cursor(sort: SortField, value: Any, object_id: ObjectId) -> str:
    raw = json.dumps([sort.value, _encode_value(value), str(object_id)], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode()


def decode_cursor(cursor: str, sort: SortField) -> tuple[Any, ObjectId]:
    try:
        kind, value, object_id = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        if kind != sort.value:
            raise BadInput("cursor belongs to another sort order")
        if not isinstance(object_id, str):
            raise ValueError("cursor id")
        return _decode_value(value, sort), ObjectId(object_id)
    except (ValueError, TypeError, InvalidId, binascii.Error, UnicodeDecodeError):
        raise BadInput("invalid cursor") from None


def window(request: PageRequest, key: str | None = None) -> Window:
    """The storage window for one page: ``first + 1`` items after the cursor, so ``page_of`` can
    tell whether another page follows. ``key`` names the stored field where it is not the sort's
    usual one (an event's ``at``)."""
    after = decode_cursor(request.after, request.sort) if request.after is not None else None
    return Window(key or SORT_KEYS[request.sort], request.direction is Direction.ASC, after, request.first + 1)


def page_of(
    request: PageRequest, documents: Sequence[T], sort_value: Callable[[T], Any], object_id: Callable[[T], ObjectId]
) -> Page[T]:
    """Cut ``first + 1`` fetched documents down to a page and its cursors."""
    items = list(documents[: request.first])
    return Page(
        items=items,
        cursors=[encode_cursor(request.sort, sort_value(item), object_id(item)) for item in items],
        has_next_page=len(documents) > request.first,
    )
