"""Organisations and users as MongoDB documents: idempotent upserts safe under concurrency."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from bson import ObjectId
from odmantic import AIOEngine
from pymongo import ReturnDocument
from pymongo.errors import PyMongoError

from storage import pages, search
from storage.models import Folder, Membership, Organisation, Role, User, name_key
from storage.mongo import is_duplicate_key

ANSWERING = (Role.ADMIN, Role.OWNER)  # who answers for an organisation


def _now() -> datetime:
    return datetime.now(UTC)


async def _upsert(collection: Any, query: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    """``find_one_and_update`` with upsert; two racing inserts on a unique key retry once as an update."""
    for attempt in (1, 2):
        try:
            document: dict[str, Any] = await collection.find_one_and_update(
                query, update, upsert=True, return_document=ReturnDocument.AFTER
            )
            return document
        except PyMongoError as error:
            if attempt == 2 or not is_duplicate_key(error):
                raise
    raise AssertionError("unreachable")


async def upsert_organisation(engine: AIOEngine, slug: str, name: str) -> Organisation:
    """The organisation with ``slug``, created with its root folder on first sight."""
    document = await _upsert(
        engine.get_collection(Organisation),
        {"slug": slug},
        {
            "$setOnInsert": {
                "slug": slug,
                "name": name,
                "root_folder_id": None,
                "usage_bytes": 0,
                "quota_bytes": None,
                "created_at": _now(),
            }
        },
    )
    organisation = Organisation.model_validate_doc(document)
    if organisation.root_folder_id is None:
        organisation.root_folder_id = await _ensure_root_folder(engine, organisation)
    return organisation


async def _ensure_root_folder(engine: AIOEngine, organisation: Organisation) -> ObjectId:
    now = _now()
    root = Folder(
        id=ObjectId(),
        name=organisation.name,
        name_key=name_key(organisation.name),
        **search.name_fields(organisation.name),
        organisation_id=organisation.id,
        parent_id=None,
        ancestors=[],
        created_at=now,
        updated_at=now,
    )
    folders = engine.get_collection(Folder)
    try:
        await folders.insert_one(root.model_dump_doc())
        root_id = root.id
    except PyMongoError as error:
        if not is_duplicate_key(error):
            raise
        # A concurrent first sign-in created it; the sibling-name index allows one root.
        existing = await folders.find_one({"organisation_id": organisation.id, "parent_id": None}, {"_id": 1})
        if existing is None:
            raise
        root_id = existing["_id"]
    await engine.get_collection(Organisation).update_one(
        {"_id": organisation.id, "root_folder_id": None}, {"$set": {"root_folder_id": root_id}}
    )
    return root_id


async def upsert_user(
    engine: AIOEngine,
    *,
    subject: str,
    name: str,
    email: str | None,
    email_verified: bool,
    is_service: bool,
    memberships: Sequence[Membership],
) -> User:
    """The user for ``subject`` with profile and memberships refreshed from the latest token."""
    now = _now()
    document = await _upsert(
        engine.get_collection(User),
        {"subject": subject},
        {
            "$set": {
                "name": name,
                "email": email,
                "email_verified": email_verified,
                "is_service": is_service,
                "memberships": [m.model_dump_doc() for m in memberships],
                "answers_for": [m.organisation_id for m in memberships if m.role in ANSWERING],
                **known_by(name, email, memberships),
                "last_seen_at": now,
            },
            "$setOnInsert": {"subject": subject, "created_at": now},
        },
    )
    return User.model_validate_doc(document)


# A person is suggested from the second letter typed of a word of their name or address.
PEOPLE_PREFIX_MIN = 2


def known_by(name: str, email: str | None, memberships: Sequence[Membership]) -> dict[str, Any]:
    """The fields that find a person among their organisations' members (kept with their profile)."""
    named = search.words(f"{name} {email or ''}")
    return {
        "member_of": [m.organisation_id for m in memberships],
        "people_keys": search.prefixes(named, PEOPLE_PREFIX_MIN),
    }


async def colleagues(
    engine: AIOEngine, organisation_ids: Sequence[ObjectId], text: str, limit: int, but: ObjectId
) -> list[User]:
    """Members of these organisations (other than ``but``) a word of whose name or address starts
    with each word of ``text``: one read per organisation by its members' kept prefixes."""
    asked = search.words(text)
    if not asked or any(len(w) < PEOPLE_PREFIX_MIN for w in asked) or not organisation_ids:
        return []
    key = max(asked, key=len)[: search.PREFIX_MAX]
    found = await pages.find_any(
        engine.get_collection(User), {"people_keys": key}, [{"member_of": o} for o in organisation_ids], limit=limit * 4
    )
    people = [User.model_validate_doc(d) for d in found if d["_id"] != but]
    wanted = [u for u in people if all(w[: search.PREFIX_MAX] in u.people_keys for w in asked)]
    return sorted(wanted, key=lambda u: (name_key(u.name), u.id))[:limit]


async def user_by_email(engine: AIOEngine, email: str) -> User | None:
    """The person whose issuer vouches for this address; else its invitation stand-in, if any.
    An unverified address matches nobody: anyone can type any address into their profile."""
    person = await engine.find_one(User, {"email": email, "email_verified": True})
    return person or await engine.find_one(User, {"email": email, "invited": True})


async def invitee(engine: AIOEngine, email: str) -> User:
    """The stand-in for ``email`` (one per address, however many invite them)."""
    now = _now()
    document = await _upsert(
        engine.get_collection(User),
        {"subject": f"invitation:{email}"},
        {
            "$setOnInsert": {
                "subject": f"invitation:{email}",
                "name": email,
                "email": email,
                "is_service": False,
                "memberships": [],
                "upstream_keys": {},
                "invited": True,
                "created_at": now,
                "last_seen_at": now,
            }
        },
    )
    return User.model_validate_doc(document)


async def invitations(engine: AIOEngine, email: str) -> list[User]:
    return await engine.find(User, {"email": email, "invited": True})


async def remove_user(engine: AIOEngine, user_id: ObjectId) -> None:
    await engine.get_collection(User).delete_one({"_id": user_id})


async def organisations(engine: AIOEngine, ids: Sequence[ObjectId]) -> list[Organisation]:
    """These organisations, by slug."""
    return list(await engine.find(Organisation, {"_id": {"$in": list(ids)}}, sort=Organisation.slug))


async def organisation_by_slug(engine: AIOEngine, slug: str) -> Organisation | None:
    return await engine.find_one(Organisation, {"slug": slug})


async def set_quota_bytes(engine: AIOEngine, organisation_id: ObjectId, quota_bytes: int | None) -> None:
    """The caller holds the organisation's guard: the write would otherwise race its usage."""
    await engine.get_collection(Organisation).update_one(
        {"_id": organisation_id}, {"$set": {"quota_bytes": quota_bytes}}
    )


async def set_upstream_key(engine: AIOEngine, user_id: ObjectId, service: str, sealed: str | None) -> None:
    """Store a user's sealed key for ``service``, or with None remove it."""
    change = {"$set": {f"upstream_keys.{service}": sealed}} if sealed else {"$unset": {f"upstream_keys.{service}": ""}}
    await engine.get_collection(User).update_one({"_id": user_id}, change)


async def find_organisations(engine: AIOEngine, text: str | None, window: pages.Window) -> list[Organisation]:
    """Organisations whose name or slug contains ``text`` (any case), in ``window`` order."""
    criteria: dict[str, Any] = {}
    if text:
        pattern = {"$regex": re.escape(text), "$options": "i"}
        criteria = {"$or": [{"name": pattern}, {"slug": pattern}]}
    found = await pages.read(engine.get_collection(Organisation), criteria, window)
    return [Organisation.model_validate_doc(d) for d in found]


async def admins_of(engine: AIOEngine, organisation_id: ObjectId) -> list[User]:
    """The people who answer for an organisation (its admins and owners), as last seen signing in."""
    members = engine.get_collection(User).find({"answers_for": organisation_id})
    found = [User.model_validate_doc(doc) async for doc in members]
    # As the memberships say now (a person's role is refreshed at each sign-in, with answers_for).
    return [
        u for u in found if any(m.organisation_id == organisation_id and m.role in ANSWERING for m in u.memberships)
    ]
