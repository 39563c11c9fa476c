"""Sharing under terms: create, accept, decline, revoke, update, and what a caller may see of it.

A share with terms (text or licence) is PENDING until the grantee accepts exactly those
terms; the accepted terms' hash is recorded, and changing the terms sends the share back
to PENDING. Expiry is checked at every read (``Grant.live``); a sweeper marks EXPIRED for
the lists.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bson import ObjectId

from resolvers import access, pagination
from resolvers.access import GRANT_LEVEL, Level
from resolvers.errors import NotFound, UserErrorCode, UserFailure
from resolvers.identity import Principal
from resolvers.pagination import Direction, Page, PageRequest, SortField
from resolvers.times import as_utc
from storage import directory, lookups, shares, tree
from storage.models import (
    DEFAULT_UPLOAD_ALLOWANCE,
    File,
    Folder,
    GranteeKind,
    Organisation,
    ResourceKind,
    Share,
    ShareEvent,
    ShareEventKind,
    ShareRole,
    ShareStatus,
    Terms,
    User,
)
from storage.mongo import Database

MAX_TERMS_TEXT = 20_000
MAX_LICENCE = 200
MAX_MESSAGE = 2_000
MAX_UPLOAD_ALLOWANCE = 5 * 1024**4


@dataclass(frozen=True)
class GranteeIn:
    user_id: ObjectId | None = None
    email: str | None = None
    organisation_id: ObjectId | None = None


@dataclass(frozen=True)
class TermsIn:
    text: str | None = None
    licence: str | None = None
    expires_at: datetime | None = None
    allow_reshare: bool = False


def terms_hash(terms: Terms) -> str:
    """The hash of exactly what the grantee is shown and accepts."""
    shown = {
        "text": terms.text,
        "licence": terms.licence,
        "expiresAt": terms.expires_at.isoformat() if terms.expires_at else None,
        "allowReshare": terms.allow_reshare,
    }
    return hashlib.sha256(json.dumps(shown, sort_keys=True).encode()).hexdigest()


def _checked_allowance(allowance: int, held: int | None) -> int:
    """A share's upload allowance: within bounds, and a reshare's within what its own grant allows."""
    if not 0 <= allowance <= MAX_UPLOAD_ALLOWANCE:
        raise _fail(
            UserErrorCode.INVALID, f"upload allowance must be 0 to {MAX_UPLOAD_ALLOWANCE} bytes", "uploadAllowanceBytes"
        )
    return allowance if held is None else min(allowance, held)


def _needs_acceptance(terms: Terms) -> bool:
    return bool(terms.text or terms.licence)


REFUSED_FIELD = {
    access.Refusal.NOT_ALLOWED: ("resourceId",),
    access.Refusal.MORE_THAN_HELD: ("role",),
    access.Refusal.OUTLASTS_ACCESS: ("terms", "expiresAt"),
}


def _fail(code: UserErrorCode, message: str, *field: str) -> UserFailure:
    return UserFailure(code, message, list(field))


async def _resource(db: Database, kind: ResourceKind, resource_id: ObjectId) -> Folder | File | None:
    if kind is ResourceKind.FOLDER:
        return await tree.get_folder(db.engine, resource_id)
    return await tree.get_file(db.engine, resource_id)


EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]{1,189}\.[^@\s.]{2,63}")


def _checked_terms(terms: TermsIn, now: datetime) -> Terms:
    if terms.text is not None and len(terms.text) > MAX_TERMS_TEXT:
        raise _fail(UserErrorCode.INVALID, f"terms text is limited to {MAX_TERMS_TEXT} characters", "terms", "text")
    if terms.licence is not None and not 0 < len(terms.licence) <= MAX_LICENCE:
        raise _fail(UserErrorCode.INVALID, f"licence must be 1 to {MAX_LICENCE} characters", "terms", "licence")
    expires = as_utc(terms.expires_at) if terms.expires_at else None
    if expires is not None and expires <= now:
        raise _fail(UserErrorCode.INVALID, "expiry must be in the future", "terms", "expiresAt")
    return Terms(text=terms.text or None, licence=terms.licence, expires_at=expires, allow_reshare=terms.allow_reshare)


async def _grantee(db: Database, principal: Principal, grantee: GranteeIn) -> tuple[GranteeKind, ObjectId, str | None]:
    """The grantee's kind and id, and the address when the share is made to one."""
    given = [v for v in (grantee.user_id, grantee.email, grantee.organisation_id) if v is not None]
    if len(given) != 1:
        raise _fail(UserErrorCode.INVALID, "name exactly one of userId, email, organizationId", "grantee")
    if grantee.organisation_id is not None:
        organisation = await lookups.by_id(db.engine, Organisation, grantee.organisation_id)
        if organisation is None:
            raise _fail(UserErrorCode.NOT_FOUND, "no such organisation", "grantee", "organizationId")
        return GranteeKind.ORGANISATION, organisation.id, None
    if grantee.user_id is not None:
        user = await lookups.by_id(db.engine, User, grantee.user_id)
        field, email = "userId", None
    else:
        email = (grantee.email or "").strip().lower()
        if not EMAIL.fullmatch(email):
            raise _fail(UserErrorCode.INVALID, "not an e-mail address", "grantee", "email")
        # Someone who has not signed in yet is invited: the share waits for their first sign-in.
        user = await directory.user_by_email(db.engine, email) or await directory.invitee(db.engine, email)
        field = "email"
    if user is None:
        raise _fail(UserErrorCode.NOT_FOUND, "no Strata user with that id", "grantee", field)
    if user.id == principal.user_id:
        raise _fail(UserErrorCode.INVALID, "you cannot share with yourself", "grantee")
    return GranteeKind.USER, user.id, email


async def create_share(
    db: Database,
    principal: Principal,
    *,
    kind: ResourceKind,
    resource_id: ObjectId,
    grantee: GranteeIn,
    role: ShareRole,
    terms: TermsIn,
    message: str | None,
    upload_allowance_bytes: int | None = None,
) -> Share:
    item = await _resource(db, kind, resource_id)
    access.require(principal, item, Level.VIEW, "Resource", "resourceId")
    assert item is not None
    if item.trash_root_id is not None:
        raise _fail(UserErrorCode.IN_TRASH, "items in the trash cannot be shared", "resourceId")
    now = principal.now
    checked = _checked_terms(terms, now)
    verdict = access.may_share(principal, item, role, checked.expires_at)
    if verdict.refusal is not None:
        raise _fail(UserErrorCode.PERMISSION_DENIED, verdict.refusal.value, *REFUSED_FIELD[verdict.refusal])
    parent = verdict.parent
    allowance = _checked_allowance(
        DEFAULT_UPLOAD_ALLOWANCE if upload_allowance_bytes is None else upload_allowance_bytes,
        parent.upload_allowance_bytes if parent else None,
    )
    if message is not None and len(message) > MAX_MESSAGE:
        raise _fail(UserErrorCode.INVALID, f"message is limited to {MAX_MESSAGE} characters", "message")
    grantee_kind, grantee_id, grantee_email = await _grantee(db, principal, grantee)
    if grantee_kind is GranteeKind.ORGANISATION and grantee_id == item.organisation_id:
        raise _fail(UserErrorCode.INVALID, "the organisation already holds this", "grantee")
    if await shares.live_between(db.engine, item.id, grantee_id) is not None:
        raise _fail(UserErrorCode.SHARE_EXISTS, "already shared with them; update that share instead", "grantee")
    # An invitation is like any share by e-mail (active at once without terms, pending with them),
    # so its state does not tell whether the address belongs to someone registered; its stand-in
    # can never sign in, so it grants nothing until the address's owner claims it.
    pending = _needs_acceptance(checked)
    share = Share(
        id=ObjectId(),
        resource_kind=kind,
        resource_id=item.id,
        organisation_id=item.organisation_id,
        grantee_kind=grantee_kind,
        grantee_id=grantee_id,
        role=role,
        terms=checked,
        terms_hash=terms_hash(checked),
        message=message,
        status=ShareStatus.PENDING if pending else ShareStatus.ACTIVE,
        created_by=principal.user_id,
        parent_share_id=parent.share_id if parent else None,
        expires_at=checked.expires_at,
        created_at=now,
        updated_at=now,
        grantee_email=grantee_email,
        upload_allowance_bytes=allowance,
    )
    await shares.insert(db.engine, share)
    await shares.record(db.engine, share, ShareEventKind.CREATED, now, principal.user_id)
    return share


async def _share(db: Database, share_id: ObjectId) -> Share:
    share = await shares.get(db.engine, share_id)
    if share is None:
        raise _fail(UserErrorCode.NOT_FOUND, "share not found", "shareId")
    return share


async def _manages(db: Database, principal: Principal, share: Share) -> bool:
    return access.can_manage_share(principal, share, await _resource(db, share.resource_kind, share.resource_id))


async def respond(
    db: Database, principal: Principal, share_id: ObjectId, accept: bool, shown_hash: str | None
) -> Share:
    """The grantee accepts (the exact terms they were shown) or declines a pending share."""
    share = await _share(db, share_id)
    if not access.is_grantee(principal, share):
        raise _fail(UserErrorCode.NOT_FOUND, "share not found", "shareId")
    if not access.can_answer_share(principal, share):
        raise _fail(UserErrorCode.PERMISSION_DENIED, "an admin of your organisation answers this share", "shareId")
    now = principal.now
    if share.status is not ShareStatus.PENDING or (share.expires_at is not None and share.expires_at <= now):
        raise _fail(UserErrorCode.NOT_PENDING, "this share is not waiting for an answer", "shareId")
    if accept and shown_hash is not None and shown_hash != share.terms_hash:
        raise _fail(UserErrorCode.TERMS_CHANGED, "the terms changed since you read them; read them again", "termsHash")
    changes: dict[str, object] = {"updated_at": now}
    if accept:
        changes |= {"status": ShareStatus.ACTIVE.value, "accepted_at": now, "accepted_terms_hash": share.terms_hash}
    else:
        changes |= {"status": ShareStatus.DECLINED.value}
    # Conditional on the terms still being the ones answered, so a concurrent change wins.
    if not await shares.transition(db.engine, share.id, [ShareStatus.PENDING], changes):
        raise _fail(UserErrorCode.NOT_PENDING, "this share is not waiting for an answer", "shareId")
    await shares.record(
        db.engine, share, ShareEventKind.ACCEPTED if accept else ShareEventKind.DECLINED, now, principal.user_id
    )
    return await _share(db, share.id)


async def revoke(db: Database, principal: Principal, share_id: ObjectId) -> Share:
    share = await _share(db, share_id)
    if not await _manages(db, principal, share):
        raise _fail(UserErrorCode.NOT_FOUND, "share not found", "shareId")
    now = principal.now
    live = [ShareStatus.PENDING, ShareStatus.ACTIVE]
    if not await shares.transition(db.engine, share.id, live, {"status": ShareStatus.REVOKED.value, "updated_at": now}):
        raise _fail(UserErrorCode.ALREADY_ENDED, "this share has already ended", "shareId")
    await shares.record(db.engine, share, ShareEventKind.REVOKED, now, principal.user_id)
    return await _share(db, share.id)


async def update(
    db: Database,
    principal: Principal,
    share_id: ObjectId,
    *,
    role: ShareRole | None,
    terms: TermsIn | None,
    upload_allowance_bytes: int | None = None,
) -> Share:
    """Lower the role, bring the expiry forward, change the terms (which asks for acceptance again)
    or the upload allowance."""
    share = await _share(db, share_id)
    if not await _manages(db, principal, share):
        raise _fail(UserErrorCode.NOT_FOUND, "share not found", "shareId")
    if share.status not in (ShareStatus.PENDING, ShareStatus.ACTIVE):
        raise _fail(UserErrorCode.ALREADY_ENDED, "this share has already ended", "shareId")
    now = principal.now
    changes: dict[str, object] = {"updated_at": now}
    if role is not None:
        if GRANT_LEVEL[role] > GRANT_LEVEL[share.role]:
            raise _fail(UserErrorCode.INVALID, "a role can only be lowered; create a new share to raise it", "role")
        changes["role"] = role.value
    if upload_allowance_bytes is not None:
        parent = await shares.get(db.engine, share.parent_share_id) if share.parent_share_id else None
        held = parent.upload_allowance_bytes if parent else None
        changes["upload_allowance_bytes"] = _checked_allowance(upload_allowance_bytes, held)
    if terms is not None:
        checked = _checked_terms(terms, now)
        if share.expires_at is not None and (checked.expires_at is None or checked.expires_at > share.expires_at):
            raise _fail(UserErrorCode.INVALID, "expiry can only come earlier", "terms", "expiresAt")
        new_hash = terms_hash(checked)
        changes |= {"terms": checked.model_dump_doc(), "terms_hash": new_hash, "expires_at": checked.expires_at}
        if new_hash != share.terms_hash and _needs_acceptance(checked):
            changes |= {"status": ShareStatus.PENDING.value, "accepted_at": None, "accepted_terms_hash": None}
    if not await shares.transition(db.engine, share.id, [ShareStatus.PENDING, ShareStatus.ACTIVE], changes):
        raise _fail(UserErrorCode.ALREADY_ENDED, "this share has already ended", "shareId")
    await shares.record(db.engine, share, ShareEventKind.UPDATED, now, principal.user_id)
    return await _share(db, share.id)


async def shared_with_me(
    db: Database,
    principal: Principal,
    statuses: list[ShareStatus],
    first: int,
    after: str | None,
    resource_id: ObjectId | None = None,
) -> Page[Share]:
    """Shares to the caller or their organisations, newest first, by where they stand (``standing``):
    a reshare cut off with its chain is REVOKED here too, never ACTIVE. A page may hold fewer than
    ``first`` when some of what was read stands elsewhere; its cursor goes on from there. With
    ``resource_id``, only the shares of that item: how it stands with the caller when they cannot open it."""
    request = PageRequest(first, after, SortField.CREATED_AT, Direction.DESC).checked()
    read = list(statuses)
    if ShareStatus.REVOKED in statuses:  # stored live, cut off by its chain
        read += [s for s in (ShareStatus.PENDING, ShareStatus.ACTIVE) if s not in read]
    found = await shares.to_grantees(
        db.engine, principal.grantee_ids(), read, principal.now, pagination.window(request), resource_id
    )
    page = pagination.page_of(request, found, lambda s: s.created_at, lambda s: s.id)
    kept = [
        (share, cursor)
        for share, cursor in zip(page.items, page.cursors, strict=True)
        if await standing(db, share, principal.now) in statuses
    ]
    return Page(items=[s for s, _ in kept], cursors=[c for _, c in kept], has_next_page=page.has_next_page)


def effective_status(share: Share, now: datetime) -> ShareStatus:
    """EXPIRED as soon as the expiry passes, before the sweeper writes it down."""
    live = share.status in (ShareStatus.PENDING, ShareStatus.ACTIVE)
    if live and share.expires_at is not None and share.expires_at <= now:
        return ShareStatus.EXPIRED
    return share.status


async def standing(db: Database, share: Share, now: datetime) -> ShareStatus:
    """Where a share stands at ``now``: ``effective_status``, and REVOKED once a share it was
    reshared from has ended (revoked, declined or expired), since from then on it grants nothing."""
    status = effective_status(share, now)
    if status not in (ShareStatus.PENDING, ShareStatus.ACTIVE) or share.parent_share_id is None:
        return status
    parent = await shares.get(db.engine, share.parent_share_id)
    if parent is None or not await shares.with_live_chains(db.engine, [parent], now):
        return ShareStatus.REVOKED
    return status


ENDED_BECAUSE = {
    ShareStatus.REVOKED: "revoked by whoever manages it",
    ShareStatus.DECLINED: "declined",
    ShareStatus.EXPIRED: "its end date passed",
}


async def ended_because(db: Database, share: Share, now: datetime) -> str | None:
    """Why a share no longer grants anything, in words; None while it does."""
    status = await standing(db, share, now)
    if status in (ShareStatus.PENDING, ShareStatus.ACTIVE):
        return None
    if status is ShareStatus.REVOKED and share.status is not ShareStatus.REVOKED:
        return "the share it was passed on from has ended"
    return ENDED_BECAUSE.get(status)


async def events(db: Database, principal: Principal, item: Folder | File, request: PageRequest) -> Page[ShareEvent]:
    """The item's audit trail, newest first, page by page: every event stays reachable."""
    request = PageRequest(request.first, request.after, SortField.CREATED_AT, Direction.DESC).checked()
    if not access.can_manage(principal, item):
        return Page(items=[], cursors=[], has_next_page=False)
    found = await shares.events_page(db.engine, item.id, pagination.window(request, key="at"))
    return pagination.page_of(request, found, lambda e: e.at, lambda e: e.id)


WATCH_OVERLAP = timedelta(seconds=5)  # an event is stamped when its request began, written a moment later
WATCH_PAGE = 100


async def watch(
    db: Database,
    principal: Callable[[], Awaitable[Principal]],
    kind: ResourceKind,
    resource_id: ObjectId,
    interval: float,
    clock: Callable[[], datetime],
) -> AsyncIterator[Share]:
    """Each share of the item, as it stands after a change (made, changed, answered, revoked,
    expired; reads are not changes), to whoever may see that share: the item's managers every
    share, a grantee their own. Open to those who can read the item and to those it was shared
    with in any state (a pending share's grantee cannot read it yet). Changes from the moment
    the watch begins; what came before is what the caller's page read. One indexed read of the
    item's audit trail per ``interval``; the principal is asked again for each change, so an
    expired token ends the watch."""
    began = clock()  # before any await: a watch counted open already has its start
    caller = await principal()
    item = await _resource(db, kind, resource_id)
    if item is None or not (
        access.can_read(caller, item) or await shares.of_item_to(db.engine, resource_id, caller.grantee_ids())
    ):
        raise NotFound("not found")
    since = began
    seen: dict[ObjectId, datetime] = {}
    while True:
        await asyncio.sleep(interval)
        started = clock()
        for event in await shares.events_since(db.engine, resource_id, since, WATCH_PAGE):
            if event.id in seen:
                continue
            seen[event.id] = event.at
            if event.kind is ShareEventKind.ACCESSED:
                continue
            share = await shares.get(db.engine, event.share_id)
            if share is None:
                continue
            caller = await principal()
            if access.can_see_share(caller, share, item):
                yield share
        since = max(began, started - WATCH_OVERLAP)
        seen = {i: at for i, at in seen.items() if at >= since}


async def expire_due(db: Database, now: datetime) -> int:
    """Mark shares past their expiry EXPIRED, for the lists; access already ended at the expiry."""
    expired = 0
    for share in await shares.due_to_expire(db.engine, now):
        live = [ShareStatus.PENDING, ShareStatus.ACTIVE]
        if await shares.transition(db.engine, share.id, live, {"status": ShareStatus.EXPIRED.value, "updated_at": now}):
            await shares.record(db.engine, share, ShareEventKind.EXPIRED, now, None)
            expired += 1
    return expired


async def record_access(db: Database, principal: Principal, item: Folder | File) -> None:
    """Note in the audit trail that a grantee fetched something through a share."""
    grant = access.grant_for(principal, item)
    if grant is None:
        return
    share = await shares.get(db.engine, grant.share_id)
    if share is None:
        return
    # One event per share, person, item and hour, counting every access in it: thirty aliases of
    # ``download`` cannot push the real events out of sight.
    hour = principal.now.strftime("%Y%m%d%H")
    mark = f"{share.id}:{principal.user_id}:{item.id}:{hour}"
    if await shares.mark_access(db.engine, mark):
        await shares.record(
            db.engine, share, ShareEventKind.ACCESSED, principal.now, principal.user_id, str(item.id), mark
        )


async def visible_users(db: Database, principal: Principal, users: list[User | None]) -> list[User | None]:
    """``users`` as looked up by id: those the caller may not look up become None."""
    ids = [u.id for u in users if u is not None]
    met = await shares.counterparts(db.engine, principal.user_id, principal.grantee_ids(), ids) if ids else set()
    return [u if u is not None and access.can_look_up_user(principal, u, u.id in met) else None for u in users]
