"""Guards for invariants that span a read and a write, on stores without atomic read-modify-write.

FerretDB 1.x applies every update by reading the documents, changing them in Go and writing
them back whole, with nothing between the read and the write: two conditional updates of one
document can both "win", and an ``$inc`` racing any other update of the same document can be
lost. What it does enforce is the primary key: of two inserts with one ``_id``, exactly one
succeeds, and a delete by ``_id`` reports the row it removed to exactly one caller.

So a guard is a small document ``{_id: <what it guards>, token, until}`` in ``guards``, taken
by insert and given back by deleting it. While it is held, its holder is the only writer of
what it guards, and a plain read, check and write is safe. ``until`` bounds a holder that
died: past it, the next taker removes that exact guard and takes its own. Holders renew long
before (``Held.renew``), so a live holder is never overtaken.

Which guard protects which invariant is listed in ``docs/integrity.md``.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
import weakref
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from bson import ObjectId
from odmantic import AIOEngine
from pymongo.errors import PyMongoError

from storage.mongo import is_duplicate_key

GUARDS = "guards"
HOLD = timedelta(seconds=60)
WAIT_SECONDS = 20.0


class Busy(Exception):
    """The guard stayed taken for longer than the caller was willing to wait."""


def _guards(engine: AIOEngine) -> Any:
    return engine.database[GUARDS]


def _now() -> datetime:
    # Real time, never the app's injectable clock: guards are shared between processes.
    return datetime.now(UTC)


class Held:
    """A guard this caller holds; ``renew`` before ``HOLD`` runs out during long work."""

    def __init__(self, engine: AIOEngine, key: str, token: str) -> None:
        self.engine = engine
        self.key = key
        self.token = token
        self._renewed = time.monotonic()

    async def renew(self) -> None:
        if time.monotonic() - self._renewed < HOLD.total_seconds() / 4:
            return
        await _guards(self.engine).update_one(
            {"_id": self.key, "token": self.token}, {"$set": {"until": _now() + HOLD}}
        )
        self._renewed = time.monotonic()


async def remove_lapsed(collection: Any, held: dict[str, Any], *fields: str) -> None:
    """Remove a lapsed guard or lease ``held`` so that its key can be raced for again.

    Of several takers that saw the same lapsed document, only the one that inserts the takeover
    mark (keyed by the lapsed document's token) deletes it: the others cannot delete a document
    a quicker taker has meanwhile put in its place. Who then holds the key is still decided by
    the insert of the key itself.
    """
    mark = {"_id": ":".join(["takeover", str(held["_id"]), *(str(held[f]) for f in fields)])}
    try:
        await collection.insert_one(mark)
    except PyMongoError as error:
        if is_duplicate_key(error):
            return
        raise
    try:
        await collection.delete_one({"_id": held["_id"], **{f: held[f] for f in fields}})
    finally:
        await collection.delete_one(mark)


async def _take(engine: AIOEngine, key: str, token: str) -> bool:
    try:
        await _guards(engine).insert_one({"_id": key, "token": token, "until": _now() + HOLD})
        return True
    except PyMongoError as error:
        if not is_duplicate_key(error):
            raise
    held = await _guards(engine).find_one({"_id": key})
    if held is not None and held["until"] < _now():
        # Its holder died or stalled past its hold.
        await remove_lapsed(_guards(engine), held, "token")
    return False


class _Queue:
    """This process's callers waiting for one guard, in turn: one of them knocks on the store."""

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.users = 0


# Per event loop (an asyncio.Lock belongs to one), per guard key; dropped when nobody waits.
_queues: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, _Queue]] = weakref.WeakKeyDictionary()


@asynccontextmanager
async def _in_turn(key: str, deadline: float) -> AsyncIterator[None]:
    """Wait behind this process's other callers for ``key``: handed on the moment its holder
    gives it back, instead of every waiter polling the store with back-off (200 uploads started
    together otherwise spent most of their time asleep between knocks)."""
    queues = _queues.setdefault(asyncio.get_running_loop(), {})
    queue = queues.setdefault(key, _Queue())
    queue.users += 1
    try:
        try:
            async with asyncio.timeout(max(deadline - time.monotonic(), 0)):
                await queue.lock.acquire()
        except TimeoutError:
            raise Busy(key) from None
        try:
            yield
        finally:
            queue.lock.release()
    finally:
        queue.users -= 1
        if queue.users == 0:
            queues.pop(key, None)


@asynccontextmanager
async def guard(engine: AIOEngine, key: str, wait_seconds: float = WAIT_SECONDS) -> AsyncIterator[Held]:
    """Hold the guard ``key`` for the body; raise ``Busy`` after waiting ``wait_seconds`` for it.
    Within a process callers take turns (``_in_turn``); between processes the store decides."""
    deadline = time.monotonic() + wait_seconds
    async with _in_turn(key, deadline), _held(engine, key, deadline) as held:
        yield held


@asynccontextmanager
async def _held(engine: AIOEngine, key: str, deadline: float) -> AsyncIterator[Held]:
    token = uuid.uuid4().hex
    pause = 0.005
    while not await _take(engine, key, token):
        if time.monotonic() >= deadline:
            raise Busy(key)
        # Jittered back-off, so waiters do not all knock on the same millisecond.
        await asyncio.sleep(pause * (0.5 + random.random()))  # noqa: S311 (timing, not secrecy)
        pause = min(pause * 2, 0.05)
    try:
        yield Held(engine, key, token)
    finally:
        # Shielded: a cancelled request must still give its guard back, or the tree waits out HOLD.
        await asyncio.shield(_guards(engine).delete_one({"_id": key, "token": token}))


def organisation_key(organisation_id: ObjectId) -> str:
    """Guards an organisation's tree (folders, files, their places and names) and its usage."""
    return f"organisation:{organisation_id}"


def upload_key(file_id: ObjectId) -> str:
    """Guards the one ending of an upload: completed, aborted or swept, exactly once."""
    return f"upload:{file_id}"


def organisation(
    engine: AIOEngine, organisation_id: ObjectId, wait_seconds: float = WAIT_SECONDS
) -> AbstractAsyncContextManager[Held]:
    return guard(engine, organisation_key(organisation_id), wait_seconds)


def upload(engine: AIOEngine, file_id: ObjectId) -> AbstractAsyncContextManager[Held]:
    return guard(engine, upload_key(file_id))
