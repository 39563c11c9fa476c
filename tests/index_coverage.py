"""Every query the API sends, held against the indexes declared for MongoDB (storage/models.py).

A command listener on the suite's API sees each read and conditional write: its collection, its
filter and its sort. A query is served when a declared index of its collection begins with a
field the filter fixes by equality (the index then narrows to about the answer; on the
embedded store the same equality is a GIN index, see devservices/postgres.sql), or, with no
equality, with the field it sorts by. Collections Strata keeps without a model are read by
``_id``, or are kept small by pruning (named here with why). A test that makes the API send a
query no index serves fails at its end, naming the query: a new query cannot land unseen.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from odmantic import Index
from pymongo import IndexModel
from pymongo.monitoring import CommandFailedEvent, CommandListener, CommandStartedEvent, CommandSucceededEvent

from storage.models import ALL_MODELS

# Collections without a model: each read only by `_id`, or small by design.
BOUNDED = {
    "copernicus_changes": "pruned to the last minutes; read by time",
    "copernicus_cancels": "one document per cancel asked and not yet acted on",
    "copernicus_leases": "one document per request being worked on",
}


def _fields(index: Index | IndexModel) -> list[str]:
    if isinstance(index, IndexModel):
        return list(index.document["key"])
    return [next(iter(expression)) for expression in index.fields]


def declared() -> dict[str, list[list[str]]]:
    """Each modelled collection's indexes, as their lists of fields (``_id`` always among them)."""
    found: dict[str, list[list[str]]] = {}
    for model in ALL_MODELS:
        indexes = model.model_config.get("indexes")
        fields = [_fields(index) for index in (indexes() if indexes else [])]
        found[str(model.model_config["collection"])] = [["_id"], *fields]
    return found


def equalities(query: Mapping[str, Any]) -> set[str]:
    """The top-level fields a filter fixes to one value: what FerretDB hands its store (inside
    ``$and`` or ``$or`` it hands nothing, so neither counts here)."""
    return {
        key
        for key, value in query.items()
        if not key.startswith("$") and "." not in key and (not isinstance(value, dict) or set(value) == {"$eq"})
    }


@dataclass(frozen=True)
class Shape:
    collection: str
    fixed: tuple[str, ...]
    sort: tuple[str, ...]
    keys: tuple[str, ...] = ()  # every top-level key of the filter, to recognise it by

    def __str__(self) -> str:
        return (
            f"{self.collection}: filter {list(self.keys)}, equal on {list(self.fixed) or 'nothing'}, "
            f"sorted by {list(self.sort) or 'nothing'}"
        )


def served(shape: Shape, indexes: Mapping[str, list[list[str]]]) -> bool:
    if shape.collection in BOUNDED:
        return True
    if "_id" in shape.fixed:
        return True
    known = indexes.get(shape.collection)
    if known is None:
        return False  # a collection without a model is read by _id only, or named in BOUNDED
    firsts = {fields[0] for fields in known}
    if shape.fixed:
        return bool(firsts & set(shape.fixed))
    return bool(shape.sort) and shape.sort[0] in firsts


def _shapes(event: CommandStartedEvent) -> Iterable[Shape]:
    command = event.command
    name = event.command_name
    if name == "find":
        yield _shape(command["find"], command.get("filter", {}), command.get("sort", {}))
    elif name == "findAndModify":
        yield _shape(command["findAndModify"], command.get("query", {}), {})
    elif name in ("update", "delete"):
        for statement in command.get(f"{name}s", []):
            yield _shape(command[name], statement.get("q", {}), {})


def _shape(collection: str, query: Mapping[str, Any], sort: Mapping[str, Any]) -> Shape:
    return Shape(collection, tuple(sorted(equalities(query))), tuple(sort), tuple(query))


class Recorder(CommandListener):
    """Keeps the shapes no declared index serves; thread-safe, since the API runs in a thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._indexes = declared()
        self._unserved: list[str] = []

    def started(self, event: CommandStartedEvent) -> None:
        for shape in _shapes(event):
            if not served(shape, self._indexes):
                with self._lock:
                    self._unserved.append(str(shape))

    def succeeded(self, event: CommandSucceededEvent) -> None:
        pass

    def failed(self, event: CommandFailedEvent) -> None:
        pass

    def take(self) -> list[str]:
        with self._lock:
            found, self._unserved = sorted(set(self._unserved)), []
        return found
