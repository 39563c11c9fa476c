"""Shelves: a folder's files cut into short runs of each sort order, so a page reads a run or two.

FerretDB hands its store equalities only, and matches ranges, sorts and limits in Go over what
the store returned: a page of a folder of 50,000 files would decode all 50,000. So each file
carries, for every sort order, the id of the *shelf* it stands on (``shelf_name_key``,
``shelf_size``, ...): a run of at most ``LIMIT`` neighbours in that order. A folder's *ladder*
for an order (one small document) lists its shelves in order and where each begins. A page
reads the ladder by id, then the shelf holding its cursor, and the next ones until it is full:
its cost is a page and a shelf, whatever the folder holds. On MongoDB the same equality plus
the sort is an index range.

Writes keep it true: a file is labelled when it enters a folder or when one of its sort
values changes, in the same update as the change; a shelf grown past ``LIMIT`` is cut into
shelves of ``TARGET``. Every labelling runs inside the organisation's tree guard, so no two
change a ladder at once. A split relabels files before it publishes the new ladder, and marks
the ladder meanwhile: a page that meets a ladder being split, or that changed while it read,
reads again. Counts are what was added since the last split (a split recounts), so they only
ever make a split come early. ``strata fsck`` checks every label against its ladder.
"""

from __future__ import annotations

import asyncio
import bisect
from collections.abc import Callable, Sequence
from typing import Any

from bson import ObjectId
from odmantic import AIOEngine

from storage import pages
from storage.models import File

SORT_KEYS = ("name_key", "size", "updated_at", "created_at", "content_type")
TARGET = 64  # files on a shelf after a split
LIMIT = 128  # a shelf holding more is split
LADDERS = "shelves"
RETRIES = 3


def field(key: str) -> str:
    """The file's field naming its shelf in the order of ``key``."""
    return f"shelf_{key}"


def _ladders(engine: AIOEngine) -> Any:
    return engine.database[LADDERS]


def _files(engine: AIOEngine) -> Any:
    return engine.get_collection(File)


def ladder_id(folder_id: ObjectId, key: str) -> str:
    return f"{folder_id}:{key}"


def _bounds(ladder: dict[str, Any]) -> list[tuple[Any, ...]]:
    # Two lists side by side: FerretDB stores no arrays inside arrays.
    return [pages.position(v, i) for v, i in zip(ladder["bound_values"], ladder["bound_ids"], strict=True)]


def shelf_index(ladder: dict[str, Any], value: Any, object_id: ObjectId) -> int:
    """Which of the ladder's shelves holds this sort value and id."""
    return bisect.bisect_right(_bounds(ladder), pages.position(value, object_id))


async def ladder(engine: AIOEngine, folder_id: ObjectId, key: str) -> dict[str, Any] | None:
    found: dict[str, Any] | None = await _ladders(engine).find_one({"_id": ladder_id(folder_id, key)})
    return found


# Writing: inside the organisation's tree guard.


async def label(engine: AIOEngine, folder_id: ObjectId, documents: Sequence[dict[str, Any]]) -> None:
    """Put the shelf of every order on each of ``documents`` (files entering ``folder_id``, or
    whose sort values changed there; not yet written), splitting shelves they overfill."""
    if documents:
        await asyncio.gather(*(_label_order(engine, folder_id, key, documents) for key in SORT_KEYS))


async def labels(engine: AIOEngine, folder_id: ObjectId, document: dict[str, Any]) -> dict[str, str]:
    """The shelf fields for one file as it will stand in ``folder_id``: to ``$set`` with its change."""
    changed = dict(document)
    await label(engine, folder_id, [changed])
    return {field(key): changed[field(key)] for key in SORT_KEYS}


async def _label_order(engine: AIOEngine, folder_id: ObjectId, key: str, documents: Sequence[dict[str, Any]]) -> None:
    current = await ladder(engine, folder_id, key)
    if current is None:
        current = {
            "_id": ladder_id(folder_id, key),
            "folder_id": folder_id,
            "key": key,
            "bound_values": [],
            "bound_ids": [],
            "shelves": [str(ObjectId())],
            "counts": [0],
            "version": 0,
        }
    bounds = _bounds(current)
    added: dict[int, list[dict[str, Any]]] = {}
    for document in documents:
        index = bisect.bisect_right(bounds, pages.position(document.get(key), document["_id"]))
        document[field(key)] = current["shelves"][index]
        added.setdefault(index, []).append(document)
    for index, group in added.items():
        current["counts"][index] += len(group)
    full = [i for i in added if current["counts"][i] > LIMIT]
    if not full:
        await _ladders(engine).replace_one({"_id": current["_id"]}, current, upsert=True)
        return
    # Mark the ladder while files move between shelves: pages read meanwhile read again.
    current["version"] += 1
    await _ladders(engine).replace_one({"_id": current["_id"]}, {**current, "splitting": True}, upsert=True)
    for index in sorted(full, reverse=True):  # from the top, so the indexes below stay valid
        await _split(engine, folder_id, key, current, index, added[index])
    current["version"] += 1
    await _ladders(engine).replace_one({"_id": current["_id"]}, current, upsert=True)


async def _split(
    engine: AIOEngine, folder_id: ObjectId, key: str, current: dict[str, Any], index: int, pending: list[dict[str, Any]]
) -> None:
    shelf = current["shelves"][index]
    stored = await _files(engine).find({"folder_id": folder_id, field(key): shelf}, {key: 1}).to_list(length=None)
    pending_ids = {d["_id"] for d in pending}
    entries = [(pages.position(d.get(key), d["_id"]), d, False) for d in stored if d["_id"] not in pending_ids]
    entries += [(pages.position(d.get(key), d["_id"]), d, True) for d in pending]
    entries.sort(key=lambda entry: entry[0])
    if len(entries) <= LIMIT:
        current["counts"][index] = len(entries)
        return
    pieces = [entries[start : start + TARGET] for start in range(0, len(entries), TARGET)]
    names = [shelf] + [str(ObjectId()) for _ in pieces[1:]]
    for name, piece in zip(names[1:], pieces[1:], strict=True):
        moved = [d["_id"] for _, d, is_pending in piece if not is_pending]
        for start in range(0, len(moved), TARGET):
            await _files(engine).update_many(
                {"folder_id": folder_id, field(key): shelf, "_id": {"$in": moved[start : start + TARGET]}},
                {"$set": {field(key): name}},
            )
        for _, document, is_pending in piece:
            if is_pending:
                document[field(key)] = name
    current["bound_values"][index:index] = [piece[0][1].get(key) for piece in pieces[1:]]
    current["bound_ids"][index:index] = [piece[0][1]["_id"] for piece in pieces[1:]]
    current["shelves"][index : index + 1] = names
    current["counts"][index : index + 1] = [len(piece) for piece in pieces]


async def forget(engine: AIOEngine, folder_ids: Sequence[ObjectId]) -> None:
    """Drop the ladders of folders that are gone (purged)."""
    for folder_id in folder_ids:
        for key in SORT_KEYS:
            await _ladders(engine).delete_one({"_id": ladder_id(folder_id, key)})


# Reading.


async def page(
    engine: AIOEngine, folder_id: ObjectId, criteria: dict[str, Any], window: pages.Window
) -> list[dict[str, Any]]:
    """``window`` over the files of ``folder_id`` matching ``criteria``, shelf by shelf."""
    files = _files(engine)
    for _ in range(RETRIES):
        current = await ladder(engine, folder_id, window.key)
        if current is None:
            # A folder no file ever entered: nothing labelled, and nothing (or little) to read.
            return await pages.read(files, criteria, window)
        if current.get("splitting"):
            await asyncio.sleep(0.02)
            continue
        found = await _walk(files, current, criteria, window)
        again = await ladder(engine, folder_id, window.key)
        if again is not None and again["version"] == current["version"] and not again.get("splitting"):
            return found
    # A ladder that kept changing under us: the plain read is right, if slow.
    return await pages.read(files, criteria, window)


async def _walk(
    files: Any, current: dict[str, Any], criteria: dict[str, Any], window: pages.Window
) -> list[dict[str, Any]]:
    shelves: list[str] = current["shelves"]
    if window.after is not None:
        index = shelf_index(current, *window.after)
    else:
        index = 0 if window.ascending else len(shelves) - 1
    step = 1 if window.ascending else -1
    found: list[dict[str, Any]] = []
    while 0 <= index < len(shelves) and len(found) < window.limit:
        rest = pages.Window(window.key, window.ascending, window.after, window.limit - len(found))
        found += await pages.read(files, {**criteria, field(window.key): shelves[index]}, rest)
        index += step
    return found


# Checking (strata fsck).


async def misplaced(engine: AIOEngine, folder_id: ObjectId, documents: Sequence[dict[str, Any]]) -> list[ObjectId]:
    """Files of ``folder_id`` whose shelf in some order is not the one its ladder gives them."""
    wrong: set[ObjectId] = set()
    for key in SORT_KEYS:
        current = await ladder(engine, folder_id, key)
        for document in documents:
            label_now = document.get(field(key))
            expected = (
                None
                if current is None
                else current["shelves"][shelf_index(current, document.get(key), document["_id"])]
            )
            if label_now != expected:
                wrong.add(document["_id"])
    return sorted(wrong)


async def reshelve(
    engine: AIOEngine,
    folder_id: ObjectId,
    documents: Sequence[dict[str, Any]],
    also: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
) -> None:
    """Label ``documents`` of ``folder_id`` again and write their shelves, with what ``also`` gives
    for each (``strata fsck --repair``, and a store an older version wrote)."""
    await label(engine, folder_id, documents)
    for document in documents:
        shelved = {field(key): document[field(key)] for key in SORT_KEYS}
        await _files(engine).update_one(
            {"_id": document["_id"]}, {"$set": {**shelved, **(also(document) if also else {})}}
        )
