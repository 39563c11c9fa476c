"""Who may do what. Every object-level decision is made here, nowhere else.

Members of an organisation read and write its data; admins and owners may also share,
delete and purge; whoever created an item may move it to the trash and back. Anything the
caller may not see is reported as not found, never as forbidden.
"""

from __future__ import annotations

import enum

from bson import ObjectId

from resolvers.errors import UserErrorCode, UserFailure
from resolvers.identity import Principal
from storage.models import File, Folder, Organisation


class Level(enum.IntEnum):
    NONE = 0
    VIEW = 1
    EDIT = 2
    MANAGE = 3


def organisation_level(principal: Principal, organisation_id: ObjectId) -> Level:
    if principal.is_admin(organisation_id):
        return Level.MANAGE
    if principal.is_member(organisation_id):
        return Level.EDIT
    return Level.NONE


def level(principal: Principal, item: Folder | File) -> Level:
    return organisation_level(principal, item.organisation_id)


def can_see_organisation(principal: Principal, organisation: Organisation) -> bool:
    return principal.is_member(organisation.id)


def can_read(principal: Principal, item: Folder | File | None) -> bool:
    return item is not None and level(principal, item) >= Level.VIEW


def can_read_folder(principal: Principal, folder: Folder | None) -> bool:
    return can_read(principal, folder)


def readable_organisations(principal: Principal) -> list[ObjectId]:
    return list(principal.roles)


def require(principal: Principal, item: Folder | File | None, needed: Level, what: str, field: str = "id") -> None:
    """Raise NOT_FOUND when the caller cannot see ``item``, PERMISSION_DENIED when they see but may not act."""
    have = Level.NONE if item is None else level(principal, item)
    if have < Level.VIEW:
        raise UserFailure(UserErrorCode.NOT_FOUND, f"{what} not found", [field])
    if have < needed:
        raise UserFailure(UserErrorCode.PERMISSION_DENIED, f"you may not change this {what.lower()}", [field])


def require_trash_right(principal: Principal, item: Folder | File, what: str) -> None:
    """Admins, owners, and the item's creator may move it to the trash and restore it."""
    require(principal, item, Level.EDIT, what)
    if level(principal, item) < Level.MANAGE and item.owner_id != principal.user_id:
        raise UserFailure(
            UserErrorCode.PERMISSION_DENIED, f"only its creator or an organisation admin may delete this {what.lower()}"
        )
