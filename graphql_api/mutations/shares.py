"""Share mutations: createShare, acceptShare, declineShare, revokeShare, updateShare."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

import strawberry
from bson import ObjectId
from strawberry import relay

from graphql_api.context import Info
from graphql_api.types import ids
from graphql_api.types.common import BigInt, UserError, acted
from graphql_api.types.share import Share
from resolvers import notices, shares
from resolvers.errors import UserErrorCode, UserFailure
from resolvers.identity import Principal
from storage.models import ResourceKind, ShareRole
from storage.models import Share as ShareDocument
from storage.mongo import Database


@strawberry.input
class GranteeInput:
    """Exactly one of these."""

    user_id: relay.GlobalID | None = None
    email: str | None = None
    organization_id: relay.GlobalID | None = None


@strawberry.input
class TermsInput:
    text: str | None = None
    licence: str | None = None
    expires_at: datetime | None = None
    allow_reshare: bool = False

    def to_terms(self) -> shares.TermsIn:
        return shares.TermsIn(self.text, self.licence, self.expires_at, self.allow_reshare)


@strawberry.input
class CreateShareInput:
    resource_id: relay.GlobalID = strawberry.field(description="A File or Folder id.")
    grantee: GranteeInput
    role: ShareRole
    terms: TermsInput | None = None
    message: str | None = None
    upload_allowance_bytes: BigInt | None = strawberry.field(
        default=None,
        description="For an EDITOR: what the grantee's uploads in progress may hold reserved in your "
        "quota at once (default 10 GiB; a reshare's is within its own).",
    )


@strawberry.input
class AcceptShareInput:
    share_id: relay.GlobalID
    terms_hash: str | None = strawberry.field(
        default=None, description="The termsHash you were shown; refused if the terms changed since."
    )


@strawberry.input
class ShareIdInput:
    share_id: relay.GlobalID


@strawberry.input
class UpdateShareInput:
    share_id: relay.GlobalID
    role: ShareRole | None = strawberry.field(default=None, description="Only lower.")
    terms: TermsInput | None = strawberry.field(
        default=None, description="New terms; expiry only earlier; changed terms need accepting again."
    )
    upload_allowance_bytes: BigInt | None = strawberry.field(default=None, description="A new upload allowance.")


@strawberry.type
class SharePayload:
    share: Share | None
    user_errors: list[UserError]


def _resource(global_id: relay.GlobalID) -> tuple[ResourceKind, ObjectId]:
    kind = global_id.type_name
    if kind not in ("File", "Folder"):
        raise UserFailure(UserErrorCode.INVALID, "only files and folders can be shared", ["resourceId"])
    return (ResourceKind.FILE if kind == "File" else ResourceKind.FOLDER), ids.input_id(global_id, kind, "resourceId")


def _grantee(grantee: GranteeInput) -> shares.GranteeIn:
    return shares.GranteeIn(
        user_id=ids.input_id(grantee.user_id, "User", "grantee.userId") if grantee.user_id else None,
        email=grantee.email,
        organisation_id=(
            ids.input_id(grantee.organization_id, "Organization", "grantee.organizationId")
            if grantee.organization_id
            else None
        ),
    )


async def _payload(info: Info, act: Callable[[Database, Principal], Awaitable[ShareDocument]]) -> SharePayload:
    share, errors = await acted(info, act, lambda document, principal: Share.from_document(document, principal.now))
    return SharePayload(share=share, user_errors=errors)


@strawberry.type
class ShareMutations:
    @strawberry.mutation(description="Share a file or folder; with terms it waits for the grantee to accept them.")
    async def create_share(self, info: Info, input: CreateShareInput) -> SharePayload:
        async def act(db: Database, who: Principal) -> ShareDocument:
            kind, resource_id = _resource(input.resource_id)
            share = await shares.create_share(
                db,
                who,
                kind=kind,
                resource_id=resource_id,
                grantee=_grantee(input.grantee),
                role=input.role,
                terms=input.terms.to_terms() if input.terms else shares.TermsIn(),
                message=input.message,
                upload_allowance_bytes=input.upload_allowance_bytes,
            )
            state = info.context.state
            if state.mailer is not None:
                reference = str(ids.encode("Share", share.id))
                if await notices.share_offered(db, who, share, reference, state.settings.public_url):
                    state.mailer.wake()
            return share

        return await _payload(info, act)

    @strawberry.mutation(description="Accept the terms of a share made to you (or, for an organization, as its admin).")
    async def accept_share(self, info: Info, input: AcceptShareInput) -> SharePayload:
        return await _payload(
            info,
            lambda db, who: shares.respond(
                db, who, ids.input_id(input.share_id, "Share", "shareId"), True, input.terms_hash
            ),
        )

    @strawberry.mutation
    async def decline_share(self, info: Info, input: ShareIdInput) -> SharePayload:
        return await _payload(
            info, lambda db, who: shares.respond(db, who, ids.input_id(input.share_id, "Share", "shareId"), False, None)
        )

    @strawberry.mutation(description="End a share; from the next request on it grants nothing.")
    async def revoke_share(self, info: Info, input: ShareIdInput) -> SharePayload:
        return await _payload(
            info, lambda db, who: shares.revoke(db, who, ids.input_id(input.share_id, "Share", "shareId"))
        )

    @strawberry.mutation
    async def update_share(self, info: Info, input: UpdateShareInput) -> SharePayload:
        return await _payload(
            info,
            lambda db, who: shares.update(
                db,
                who,
                ids.input_id(input.share_id, "Share", "shareId"),
                role=input.role,
                terms=input.terms.to_terms() if input.terms else None,
                upload_allowance_bytes=input.upload_allowance_bytes,
            ),
        )
