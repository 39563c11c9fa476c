"""Users' own upstream keys: sealed at rest, used by the worker, never given back."""

from __future__ import annotations

from bson import ObjectId

from resolvers.errors import UserErrorCode, UserFailure
from resolvers.identity import Principal
from storage import directory, lookups
from storage.models import User
from storage.mongo import Database
from storage.secrets import SecretBox, SecretBoxError
from upstream.registry import SERVICES, Upstreams

MAX_KEY = 8192


def _context(user_id: ObjectId, service: str) -> str:
    return f"user:{user_id}/{service}"


async def set_key(
    db: Database, box: SecretBox | None, upstreams: Upstreams, principal: Principal, service: str, key: str
) -> None:
    if box is None:
        raise UserFailure(UserErrorCode.INVALID, "this deployment does not keep users' own keys", ["key"])
    if service not in {s.id for s in SERVICES} or not upstreams.reachable(service):
        raise UserFailure(UserErrorCode.INVALID, f"{service} cannot be reached from here", ["service"])
    if not key.strip() or len(key) > MAX_KEY:
        raise UserFailure(UserErrorCode.INVALID, f"a key is 1 to {MAX_KEY} characters", ["key"])
    try:
        upstreams.with_key(service, key.strip())  # a CLMS service key must at least parse
    except (ValueError, KeyError) as error:
        raise UserFailure(UserErrorCode.INVALID, f"not a usable {service} key: {error}", ["key"]) from None
    sealed = box.seal(key.strip(), _context(principal.user_id, service))
    await directory.set_upstream_key(db.engine, principal.user_id, service, sealed)


async def remove_key(db: Database, principal: Principal, service: str) -> None:
    await directory.set_upstream_key(db.engine, principal.user_id, service, None)


async def own_services(db: Database, user_id: ObjectId) -> set[str]:
    user = await lookups.by_id(db.engine, User, user_id)
    return set(user.upstream_keys) if user else set()


async def key_for(db: Database, box: SecretBox | None, user_id: ObjectId, service: str) -> str | None:
    if box is None:
        return None
    user = await lookups.by_id(db.engine, User, user_id)
    sealed = user.upstream_keys.get(service) if user else None
    if sealed is None:
        return None
    try:
        return box.open(sealed, _context(user_id, service))
    except SecretBoxError:
        return None
