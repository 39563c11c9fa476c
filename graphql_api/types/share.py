"""Share and ShareEvent types."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from bson import ObjectId
from strawberry import relay

from graphql_api.context import Info
from graphql_api.types.common import BigInt, Connection, connection
from graphql_api.types.organization import Organization
from graphql_api.types.visible import VisibleNode
from resolvers import access, shares
from resolvers.pagination import PageRequest
from storage.models import File as FileDocument
from storage.models import Folder as FolderDocument
from storage.models import GranteeKind, ResourceKind, ShareEventKind, ShareRole, ShareStatus
from storage.models import Share as ShareDocument
from storage.models import ShareEvent as ShareEventDocument

if TYPE_CHECKING:
    from graphql_api.types.file import File
    from graphql_api.types.folder import Folder
    from graphql_api.types.user import User

strawberry.enum(ShareRole, name="ShareRole")
strawberry.enum(ShareStatus, name="ShareStatus")
strawberry.enum(ShareEventKind, name="ShareEventKind")


@strawberry.type
class ShareTerms:
    text: str | None
    licence: str | None
    expires_at: datetime | None
    allow_reshare: bool


@strawberry.type(name="Share")
class Share(VisibleNode):
    id: relay.NodeID[str]
    role: ShareRole
    terms: ShareTerms
    terms_hash: str = strawberry.field(description="Send it back with acceptShare: it names the terms you read.")
    message: str | None
    created_at: datetime
    accepted_at: datetime | None
    accepted_terms_hash: str | None
    document: strawberry.Private[ShareDocument]
    as_of: strawberry.Private[datetime]  # the request's now, for the status

    @classmethod
    def from_document(cls, document: ShareDocument, now: datetime) -> Share:
        t = document.terms
        return cls(
            id=str(document.id),
            role=document.role,
            terms=ShareTerms(text=t.text, licence=t.licence, expires_at=t.expires_at, allow_reshare=t.allow_reshare),
            terms_hash=document.terms_hash,
            message=document.message,
            created_at=document.created_at,
            accepted_at=document.accepted_at,
            accepted_terms_hash=document.accepted_terms_hash,
            document=document,
            as_of=now,
        )

    @strawberry.field(
        description="Where it stands now: EXPIRED once its expiry passes, REVOKED also when a share it "
        "was reshared from has ended (it grants nothing from then on)."
    )
    async def status(self, info: Info) -> ShareStatus:
        return await shares.standing(info.context.state.db, self.document, self.as_of)

    @strawberry.field(
        description="Why it grants nothing now, in words (revoked, its chain ended, declined, expired); "
        "null while it does."
    )
    async def ended_because(self, info: Info) -> str | None:
        return await shares.ended_because(info.context.state.db, self.document, self.as_of)

    @classmethod
    async def load_visible(cls, info: Info, ids: list[ObjectId]) -> list[Share | None]:
        principal = await info.context.principal()
        loaders = info.context.loaders
        found = await loaders.share.load_many(ids)

        async def resource_of(share: ShareDocument | None) -> FolderDocument | FileDocument | None:
            if share is None:
                return None
            loader = loaders.file if share.resource_kind is ResourceKind.FILE else loaders.folder
            return await loader.load(share.resource_id)

        # Side by side, so the loaders batch them: one read per distinct shared item.
        items = await asyncio.gather(*(resource_of(d) for d in found))
        return [
            cls.from_document(d, principal.now) if d is not None and access.can_see_share(principal, d, item) else None
            for d, item in zip(found, items, strict=True)
        ]

    @strawberry.field(description="The shared item's id, shown to the grantee even before they accept.")
    def resource_id(self) -> relay.GlobalID:
        kind = "File" if self.document.resource_kind is ResourceKind.FILE else "Folder"
        return relay.GlobalID(kind, str(self.document.resource_id))

    @strawberry.field(description="The shared item's name, shown to the grantee even before they accept.")
    async def resource_name(self, info: Info) -> str | None:
        loaders = info.context.loaders
        loader = loaders.file if self.document.resource_kind is ResourceKind.FILE else loaders.folder
        item = await loader.load(self.document.resource_id)
        return item.name if item is not None else None

    @strawberry.field(description="The shared file or folder; null when the caller cannot (or can no longer) see it.")
    async def resource(
        self, info: Info
    ) -> (
        Annotated[File, strawberry.lazy("graphql_api.types.file")]
        | Annotated[Folder, strawberry.lazy("graphql_api.types.folder")]
        | None
    ):
        from graphql_api.types.file import File
        from graphql_api.types.folder import Folder

        loader = File if self.document.resource_kind is ResourceKind.FILE else Folder
        [found] = await loader.load_visible(info, [self.document.resource_id])
        return found

    @strawberry.field(
        description="The person shared with; for a share made to an e-mail address, null until they accept "
        "(see granteeEmail)."
    )
    async def grantee_user(self, info: Info) -> Annotated[User, strawberry.lazy("graphql_api.types.user")] | None:
        from graphql_api.types.user import User

        if self.document.grantee_kind is not GranteeKind.USER:
            return None
        if not access.shows_grantee(await info.context.principal(), self.document):
            return None
        [user] = await User.load_visible(info, [self.document.grantee_id])
        return user

    @strawberry.field(
        description="What the grantee's uploads in progress through this share may hold reserved at once."
    )
    def upload_allowance_bytes(self) -> BigInt:
        return BigInt(self.document.upload_allowance_bytes)

    @strawberry.field(description="The address a share was made to, when it was made to one.")
    def grantee_email(self) -> str | None:
        return self.document.grantee_email

    @strawberry.field
    async def grantee_organization(self, info: Info) -> Organization | None:
        if self.document.grantee_kind is not GranteeKind.ORGANISATION:
            return None
        return await Organization.holding(info, self.document.grantee_id)

    @strawberry.field
    async def created_by(self, info: Info) -> Annotated[User, strawberry.lazy("graphql_api.types.user")] | None:
        from graphql_api.types.user import User

        [user] = await User.load_visible(info, [self.document.created_by])
        return user


@strawberry.type
class ShareEvent:
    kind: ShareEventKind
    at: datetime
    detail: str | None
    share_id: relay.GlobalID
    document: strawberry.Private[ShareEventDocument]

    @classmethod
    def from_document(cls, document: ShareEventDocument) -> ShareEvent:
        return cls(
            kind=document.kind,
            at=document.at,
            detail=document.detail,
            share_id=relay.GlobalID("Share", str(document.share_id)),
            document=document,
        )

    @strawberry.field(description="For ACCESSED: how many accesses within its hour this event stands for.")
    async def access_count(self, info: Info) -> int | None:
        if self.document.mark is None:
            return None
        return await info.context.loaders.access_counts.load(self.document.mark)

    @strawberry.field
    async def actor(self, info: Info) -> Annotated[User, strawberry.lazy("graphql_api.types.user")] | None:
        from graphql_api.types.user import User

        if self.document.actor_id is None:
            return None
        [user] = await User.load_visible(info, [self.document.actor_id])
        return user


async def shares_of(info: Info, item: FileDocument | FolderDocument) -> list[Share]:
    """Live shares on ``item`` for those who manage it; an empty list for everyone else."""
    principal = await info.context.principal()
    if not access.can_manage(principal, item):
        return []
    return [Share.from_document(s, principal.now) for s in await info.context.loaders.shares.load(item.id)]


async def share_events_of(
    info: Info, item: FileDocument | FolderDocument, first: int, after: str | None
) -> Connection[ShareEvent]:
    principal = await info.context.principal()
    request = PageRequest(first=first, after=after)
    page = await shares.events(info.context.state.db, principal, item, request)
    return connection(page, ShareEvent.from_document)
