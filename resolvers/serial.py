"""Serialised sections for the resolvers: the storage guards, with ``Busy`` as a user error.

Every write to an organisation's tree (folders, files, their names and places) or to its
usage happens inside ``tree``; every ending of an upload inside ``upload_ending``. The
first read that finds the organisation happens before the guard, and the resolver reads
again inside it (``reread``): only that second read is what the checks and the write rely on.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol, TypeVar

from bson import ObjectId

from resolvers.errors import UserErrorCode, UserFailure
from storage import guards
from storage.mongo import Database


class _Owned(Protocol):
    @property
    def organisation_id(self) -> ObjectId: ...


T = TypeVar("T", bound=_Owned)


@asynccontextmanager
async def _as_user_error(
    guard: AbstractAsyncContextManager[guards.Held], failure: UserFailure
) -> AsyncIterator[guards.Held]:
    try:
        async with guard as held:
            yield held
    except guards.Busy:
        raise failure from None


def tree(db: Database, organisation_id: ObjectId) -> AbstractAsyncContextManager[guards.Held]:
    busy = UserFailure(UserErrorCode.BUSY, "another change to these folders is under way; try again in a moment")
    return _as_user_error(guards.organisation(db.engine, organisation_id), busy)


def upload_ending(db: Database, file_id: ObjectId) -> AbstractAsyncContextManager[guards.Held]:
    busy = UserFailure(UserErrorCode.BUSY, "this upload is being completed or aborted already", ["uploadId"])
    return _as_user_error(guards.upload(db.engine, file_id), busy)


@asynccontextmanager
async def reread(db: Database, read: Callable[[], Awaitable[T]]) -> AsyncIterator[T]:
    """``read()`` once to find the organisation, then again inside its tree guard."""
    first = await read()
    async with tree(db, first.organisation_id):
        yield await read()
