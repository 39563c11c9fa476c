"""Serialised sections for the resolvers: the storage guards, with ``Busy`` as a user error.

Every write to an organisation's tree (folders, files, their names and places) or to its
usage happens inside ``tree``; every ending of an upload inside ``upload_ending``. The
first read that finds the organisation happens before the guard, and the resolver reads
again inside it: only that second read is what the checks and the write rely on.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bson import ObjectId

from resolvers.errors import UserErrorCode, UserFailure
from storage import guards
from storage.mongo import Database


def _busy() -> UserFailure:
    return UserFailure(UserErrorCode.BUSY, "another change to these folders is under way; try again in a moment")


@asynccontextmanager
async def tree(db: Database, organisation_id: ObjectId) -> AsyncIterator[guards.Held]:
    try:
        async with guards.organisation(db.engine, organisation_id) as held:
            yield held
    except guards.Busy:
        raise _busy() from None


@asynccontextmanager
async def upload_ending(db: Database, file_id: ObjectId) -> AsyncIterator[guards.Held]:
    try:
        async with guards.upload(db.engine, file_id) as held:
            yield held
    except guards.Busy:
        raise UserFailure(
            UserErrorCode.BUSY, "this upload is being completed or aborted already", ["uploadId"]
        ) from None
