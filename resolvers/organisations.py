"""The caller's organisations, and the directory of all of them for sharing."""

from __future__ import annotations

from bson import ObjectId

from resolvers import access, pagination
from resolvers.errors import BadInput
from resolvers.identity import Principal
from resolvers.pagination import Direction, Page, PageRequest, SortField
from storage import directory, guards
from storage.models import Organisation, User
from storage.mongo import Database


async def my_organisations(db: Database, principal: Principal) -> list[Organisation]:
    ids: list[ObjectId] = list(principal.roles)
    if not ids:
        return []
    return await directory.organisations(db.engine, ids)


async def answering_for(db: Database, principal: Principal, organisation: Organisation) -> list[User]:
    """Its admins and owners, for its own members (whom to ask for what a member may not do)."""
    if principal.role_in(organisation.id) is None:
        return []
    return await directory.admins_of(db.engine, organisation.id)


async def set_quota(db: Database, slug: str, quota_bytes: int | None) -> bool:
    """Set (or with None remove) the storage quota; False when no such organisation exists."""
    organisation = await directory.organisation_by_slug(db.engine, slug)
    if organisation is None:
        return False
    # Inside the tree guard: on FerretDB this write would otherwise race the usage counter.
    async with guards.organisation(db.engine, organisation.id):
        await directory.set_quota_bytes(db.engine, organisation.id, quota_bytes)
    return True


MAX_SEARCH = 100


async def directory_page(db: Database, text: str | None, first: int, after: str | None) -> Page[Organisation]:
    """The directory one shares through: organisations by name or slug, sorted by slug. Anyone
    signed in may search it; what an entry shows of an organisation one is not in (its name and
    slug only) is the policy's, in the Organization type."""
    request = PageRequest(first, after, SortField.NAME, Direction.ASC).checked()
    if text is not None and len(text) > MAX_SEARCH:
        raise BadInput(f"search at most {MAX_SEARCH} characters")
    found = await directory.find_organisations(db.engine, (text or "").strip(), pagination.window(request, key="slug"))
    return pagination.page_of(request, found, lambda o: o.slug, lambda o: o.id)


COLLEAGUES_MAX = 20


async def colleagues(db: Database, principal: Principal, text: str, first: int) -> list[User]:
    """Members of the caller's organisations whose name or address has words starting with
    ``text``'s: whom a share names while its sharer types. Nobody else is suggested: a person
    outside them is shared with by their whole address."""
    if len(text) > MAX_SEARCH:
        raise BadInput(f"search at most {MAX_SEARCH} characters")
    if not 1 <= first <= COLLEAGUES_MAX:
        raise BadInput(f"first must be between 1 and {COLLEAGUES_MAX}")
    among = access.findable_among(principal)
    return await directory.colleagues(db.engine, among, text, first, but=principal.user_id)
