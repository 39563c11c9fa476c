"""Who may do what. Every object-level decision is made here, nowhere else.

Members of an organisation read and write its data; admins and owners may also share,
delete and purge; whoever created an item may move it to the trash and back. Anything the
caller may not see is reported as not found, never as forbidden.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import ParamSpec, TypeVar

from bson import ObjectId

from resolvers.errors import UserErrorCode, UserFailure
from resolvers.identity import Grant, Principal
from storage.models import CopernicusRequest, File, Folder, GranteeKind, Organisation, Share, ShareRole, User
from storage.search import Scope


class Ledger:
    """How often the policy was asked while serving one operation (see ``graphql_api/policy_check.py``)."""

    def __init__(self) -> None:
        self.asked = 0


# A mutable ledger, so that tasks the operation spawns (dataloaders, gathers) count into it too.
_ledger: ContextVar[Ledger | None] = ContextVar("policy_ledger", default=None)

P = ParamSpec("P")
R = TypeVar("R")


def start_ledger() -> Ledger:
    ledger = Ledger()
    _ledger.set(ledger)
    return ledger


def policy(decide: Callable[P, R]) -> Callable[P, R]:
    """Marks a decision of the policy: each call is counted in the operation's ledger."""

    @functools.wraps(decide)
    def counted(*args: P.args, **kwargs: P.kwargs) -> R:
        ledger = _ledger.get()
        if ledger is not None:
            ledger.asked += 1
        return decide(*args, **kwargs)

    return counted


class Level(enum.IntEnum):
    NONE = 0
    VIEW = 1
    EDIT = 2
    MANAGE = 3


@policy
def organisation_level(principal: Principal, organisation_id: ObjectId) -> Level:
    if principal.is_admin(organisation_id):
        return Level.MANAGE
    if principal.is_member(organisation_id):
        return Level.EDIT
    return Level.NONE


GRANT_LEVEL = {ShareRole.VIEWER: Level.VIEW, ShareRole.EDITOR: Level.EDIT}


@policy
def level(principal: Principal, item: Folder | File) -> Level:
    """The organisation's role, else the best live share on the item or any folder above it."""
    own = organisation_level(principal, item.organisation_id)
    if own is not Level.NONE:
        return own
    path = {item.id, *item.ancestors}
    return max((GRANT_LEVEL[g.role] for g in principal.live_grants() if g.resource_id in path), default=Level.NONE)


@policy
def grant_for(principal: Principal, item: Folder | File) -> Grant | None:
    """The live share through which the caller reaches ``item``, when that is how they do."""
    if organisation_level(principal, item.organisation_id) is not Level.NONE:
        return None
    path = {item.id, *item.ancestors}
    reaching = [g for g in principal.live_grants() if g.resource_id in path]
    return max(reaching, key=lambda g: GRANT_LEVEL[g.role], default=None)


@policy
def upload_allowance(principal: Principal, folder: Folder) -> int | None:
    """What the caller's uploads in progress into ``folder``'s organisation may hold reserved:
    None for its own people (its quota bounds them; placement checks that), else the upload
    allowance of the share through which they reach the folder."""
    grant = grant_for(principal, folder)
    return None if grant is None else grant.upload_allowance_bytes


@policy
def can_reach_upload(principal: Principal, file: File, ending: bool = False) -> bool:
    """An upload in progress is its uploader's; to end it (abort), also the admins of the
    organisation whose storage it reserves, so a grantee cannot hold that storage hostage."""
    if file.owner_id == principal.user_id and can_read(principal, file):
        return True
    return ending and organisation_level(principal, file.organisation_id) >= Level.MANAGE


@policy
def reshare_grant_for(principal: Principal, item: Folder | File) -> Grant | None:
    """The strongest live share reaching ``item`` that allows resharing; None when none does."""
    path = {item.id, *item.ancestors}
    reaching = [g for g in principal.live_grants() if g.resource_id in path and g.allow_reshare]
    return max(
        reaching, key=lambda g: (GRANT_LEVEL[g.role], g.expires_at is None, g.expires_at or utc_max()), default=None
    )


class Refusal(enum.Enum):
    """Why the caller may not make a share (expected failures: each becomes a user error)."""

    NOT_ALLOWED = "you may not share this"
    MORE_THAN_HELD = "a reshare cannot give more than you hold"
    OUTLASTS_ACCESS = "a reshare cannot outlast your own access"


@dataclass(frozen=True)
class ShareVerdict:
    parent: Grant | None  # the grant a reshare comes from; None for the item's managers
    refusal: Refusal | None


@policy
def may_share(principal: Principal, item: Folder | File, role: ShareRole, expires_at: datetime | None) -> ShareVerdict:
    """Whether the caller may share ``item`` with ``role`` until ``expires_at``. Its managers may;
    anyone else only by a grant reaching it that allows resharing (the one allowing it counts,
    even beside a stronger grant that does not), never giving more than that grant nor lasting
    beyond it."""
    if can_manage(principal, item):
        return ShareVerdict(None, None)
    parent = reshare_grant_for(principal, item)
    if parent is None:
        return ShareVerdict(None, Refusal.NOT_ALLOWED)
    if GRANT_LEVEL[role] > GRANT_LEVEL[parent.role]:
        return ShareVerdict(parent, Refusal.MORE_THAN_HELD)
    if parent.expires_at is not None and (expires_at is None or expires_at > parent.expires_at):
        return ShareVerdict(parent, Refusal.OUTLASTS_ACCESS)
    return ShareVerdict(parent, None)


def utc_max() -> datetime:
    return datetime.max.replace(tzinfo=UTC)


@policy
def can_see_organisation(principal: Principal, organisation: Organisation) -> bool:
    return principal.is_member(organisation.id)


@policy
def can_see_organisation_usage(principal: Principal, organisation: Organisation) -> bool:
    """Usage and quota are the organisation's own business, even where its name is shown."""
    return principal.is_member(organisation.id)


@policy
def can_look_up_user(principal: Principal, user: User, counterpart: bool) -> bool:
    """Who ``node(id)`` shows by id: oneself, people of one's organisations, and ``counterpart``s,
    people with a share between them and the caller. Others are met only through the data the
    caller reads (an owner, a grantee), never by guessing ids."""
    return _meets(principal, user) or counterpart


def _meets(principal: Principal, user: User) -> bool:
    """The user is the caller, or belongs to one of the caller's organisations."""
    return user.id == principal.user_id or any(principal.is_member(m.organisation_id) for m in user.memberships)


@policy
def can_read(principal: Principal, item: Folder | File | None) -> bool:
    return item is not None and level(principal, item) >= Level.VIEW


@policy
def can_read_folder(principal: Principal, folder: Folder | None) -> bool:
    return can_read(principal, folder)


@policy
def readable_scope(principal: Principal) -> Scope:
    """Everything the caller may read: their organisations', and what is shared with them."""
    return Scope(tuple(principal.roles), tuple(g.resource_id for g in principal.live_grants()))


@policy
def require(principal: Principal, item: Folder | File | None, needed: Level, what: str, field: str = "id") -> None:
    """Raise NOT_FOUND when the caller cannot see ``item``, PERMISSION_DENIED when they see but may not act."""
    have = Level.NONE if item is None else level(principal, item)
    if have < Level.VIEW:
        raise UserFailure(UserErrorCode.NOT_FOUND, f"{what.lower()} not found", [field])
    if have < needed:
        raise UserFailure(UserErrorCode.PERMISSION_DENIED, f"you may not change this {what.lower()}", [field])


@policy
def require_trash_right(principal: Principal, item: Folder | File, what: str) -> None:
    """Admins, owners, and the item's creator may move it to the trash and restore it."""
    require(principal, item, Level.EDIT, what)
    if level(principal, item) < Level.MANAGE and item.owner_id != principal.user_id:
        raise UserFailure(
            UserErrorCode.PERMISSION_DENIED, f"only its creator or an organisation admin may delete this {what.lower()}"
        )


@policy
def can_see_trash(principal: Principal, organisation_id: ObjectId) -> bool:
    """An organisation's trash is its people's: grantees never see what was deleted."""
    return principal.is_member(organisation_id)


@dataclass(frozen=True)
class Permissions:
    """What the caller may do with one item, so that a client offers only that."""

    edit: bool
    delete: bool
    purge: bool
    share: bool


@policy
def permissions(principal: Principal, item: Folder | File) -> Permissions:
    have = level(principal, item)
    delete = have >= Level.MANAGE or (have >= Level.EDIT and item.owner_id == principal.user_id)
    in_trash = item.trash_root_id is not None
    return Permissions(
        edit=have >= Level.EDIT and not in_trash,
        delete=delete,
        purge=have >= Level.MANAGE and in_trash,
        share=not in_trash and (have >= Level.MANAGE or reshare_grant_for(principal, item) is not None),
    )


@policy
def can_write_in_organisation(principal: Principal, organisation_id: ObjectId) -> bool:
    return organisation_level(principal, organisation_id) >= Level.EDIT


@policy
def can_see_email(principal: Principal, user: User) -> bool:
    """An e-mail address is shown to its owner and to people of an organisation they share."""
    return _meets(principal, user)


@policy
def findable_among(principal: Principal) -> list[ObjectId]:
    """The organisations whose members a caller may find by the start of a name (to share with):
    their own. Anyone else is found only by their whole address."""
    return list(principal.roles)


@policy
def is_grantee(principal: Principal, share: Share) -> bool:
    """The share is made to the caller or to one of their organisations."""
    return share.grantee_id in principal.grantee_ids()


@policy
def can_manage(principal: Principal, item: Folder | File) -> bool:
    """Shares an item without a grant to pass on, and reads its shares and audit trail."""
    return level(principal, item) >= Level.MANAGE


@policy
def can_manage_share(principal: Principal, share: Share, item: Folder | File | None) -> bool:
    """The shared item's managers, and whoever made the share, revoke and change it."""
    return item is not None and (can_manage(principal, item) or share.created_by == principal.user_id)


@policy
def can_see_share(principal: Principal, share: Share, item: Folder | File | None) -> bool:
    return is_grantee(principal, share) or can_manage_share(principal, share, item)


@policy
def shows_grantee(principal: Principal, share: Share) -> bool:
    """Who a share made to an address went to is told once they accept it (or to themselves):
    before that the sharer sees the address they typed, registered or not."""
    return share.grantee_email is None or share.accepted_at is not None or is_grantee(principal, share)


@policy
def can_answer_share(principal: Principal, share: Share) -> bool:
    """A share to a person is answered by them; to an organisation, by its admins."""
    return share.grantee_kind is not GranteeKind.ORGANISATION or principal.is_admin(share.grantee_id)


@policy
def can_see_request(principal: Principal, job: CopernicusRequest) -> bool:
    """A Copernicus request is seen by its requester and the members of its organisation."""
    return job.owner_id == principal.user_id or principal.is_member(job.organisation_id)


@policy
def can_cancel_request(principal: Principal, job: CopernicusRequest) -> bool:
    return job.owner_id == principal.user_id or principal.is_admin(job.organisation_id)


@policy
def home_organisation(principal: Principal) -> ObjectId | None:
    """Where the caller's own work lands when they name no folder: the first of their organisations."""
    return sorted(principal.roles, key=str)[0] if principal.roles else None
