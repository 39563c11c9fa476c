"""What the people a share is made to are told: plain-text messages put in the outbox
(``storage.notices``) beside the share itself, sent by ``background.mail``. An invitation to an
address nobody has signed in with goes to that address, which is how the invitee learns of it."""

from __future__ import annotations

from datetime import datetime

from bson import ObjectId

from resolvers.identity import Principal
from storage import directory, lookups, notices
from storage.models import File, Folder, GranteeKind, Notice, Organisation, ResourceKind, Share, ShareRole, User
from storage.mongo import Database

ROLE_WORDS = {ShareRole.VIEWER: "read", ShareRole.EDITOR: "read and change"}


async def share_offered(
    db: Database, principal: Principal, share: Share, reference: str, catalogue_url: str | None
) -> int:
    """Put a notice for each person who answers this share in the outbox; returns how many."""
    engine = db.engine
    model: type[File] | type[Folder] = File if share.resource_kind is ResourceKind.FILE else Folder
    item = await lookups.by_id(engine, model, share.resource_id)
    owner = await lookups.by_id(engine, Organisation, share.organisation_id)
    if item is None or owner is None:
        return 0
    if share.grantee_kind is GranteeKind.USER:
        user = await lookups.by_id(engine, User, share.grantee_id)
        addresses = [user.email] if user is not None and user.email else []
        whom = "you"
    else:
        grantee = await lookups.by_id(engine, Organisation, share.grantee_id)
        admins = await directory.admins_of(engine, share.grantee_id)
        addresses = sorted({u.email for u in admins if u.email and not u.is_service})
        whom = grantee.name if grantee is not None else "your organisation"
    kind = "file" if share.resource_kind is ResourceKind.FILE else "folder"
    subject = f"{principal.name} shared the {kind} “{item.name}” with {whom}"
    body = _body(principal, share, kind, item.name, owner.name, whom, reference, catalogue_url)
    made = [
        Notice(
            id=ObjectId(),
            to=address,
            subject=subject,
            body=body,
            share_id=share.id,
            created_at=share.created_at,
            next_attempt_at=share.created_at,
        )
        for address in addresses
    ]
    await notices.add(engine, made)
    return len(made)


def _body(
    sharer: Principal,
    share: Share,
    kind: str,
    name: str,
    owner: str,
    whom: str,
    reference: str,
    catalogue_url: str | None,
) -> str:
    lines = [
        f"{sharer.name} ({owner}) shared the {kind} “{name}” with {whom} on Strata,",
        f"to {ROLE_WORDS[share.role]}{' with everything in it' if kind == 'folder' else ''}.",
        "",
    ]
    if share.message:
        lines += ["Their note:", f"  {share.message}", ""]
    terms = share.terms
    if terms.text or terms.licence:
        lines += ["It comes with terms, which must be accepted before anything can be read:"]
        if terms.licence:
            lines.append(f"  Licence: {terms.licence}")
        if terms.text:
            lines += [f"  {line}" for line in terms.text.splitlines()]
        lines.append("")
    if share.expires_at is not None:
        lines += [f"It ends on {_when(share.expires_at)}.", ""]
    waiting = share.status.value == "PENDING"
    if share.grantee_email:
        lines.append(f"Sign in to Strata with this address ({share.grantee_email}) to reach it.")
    if catalogue_url:
        lines.append(f"{'Read and answer it' if waiting else 'Open it'} at {catalogue_url.rstrip('/')}/shared")
    if waiting:
        lines.append(f"or from a terminal: strata accept {reference}  (or strata decline {reference})")
    lines += ["", "You receive this because a share was made to your address or your organisation."]
    return "\n".join(lines) + "\n"


def _when(moment: datetime) -> str:
    return moment.strftime("%d %B %Y, %H:%M UTC")
