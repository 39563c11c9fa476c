"""People and services as other callers see them, and the signed-in caller as ``me``."""

from __future__ import annotations

from typing import Self

import strawberry
from bson import ObjectId
from strawberry import relay

from graphql_api.context import Info
from graphql_api.types.organization import Organization
from graphql_api.types.visible import VisibleNode
from resolvers import access, organisations, shares
from resolvers.identity import Principal
from storage.models import User as UserDocument


@strawberry.type(name="User")
class User(VisibleNode):
    id: relay.NodeID[str]
    name: str
    email: str | None = strawberry.field(description="Shown to the user and to members of a shared organization.")
    is_service: bool = strawberry.field(description="True for partner services signed in with client credentials.")

    @classmethod
    def from_principal(cls, principal: Principal) -> Self:
        return cls(
            id=str(principal.user_id), name=principal.name, email=principal.email, is_service=principal.is_service
        )

    @classmethod
    def from_document(cls, document: UserDocument, principal: Principal) -> User:
        return cls(
            id=str(document.id),
            name=document.name,
            email=document.email if access.can_see_email(principal, document) else None,
            is_service=document.is_service,
        )

    @classmethod
    async def load_visible(cls, info: Info, ids: list[ObjectId]) -> list[User | None]:
        """Anyone the caller meets through their data (owners, grantees) is visible by name."""
        principal = await info.context.principal()
        documents = await info.context.loaders.user.load_many(ids)
        return [cls.from_document(d, principal) if d is not None else None for d in documents]

    @classmethod
    async def one_visible(cls, info: Info, user_id: ObjectId | None) -> User | None:
        if user_id is None:
            return None
        [user] = await cls.load_visible(info, [user_id])
        return user

    @classmethod
    async def load_by_id(cls, info: Info, ids: list[ObjectId]) -> list[User | None]:
        """By id alone (``node``): only those the caller may look up (``access.can_look_up_user``)."""
        principal = await info.context.principal()
        documents = await info.context.loaders.user.load_many(ids)
        visible = await shares.visible_users(info.context.state.db, principal, documents)
        return [cls.from_document(d, principal) if d is not None else None for d in visible]


@strawberry.type(name="Me")
class Me(User):
    @strawberry.field(description="The organizations the caller belongs to, by slug.")
    async def organizations(self, info: Info) -> list[Organization]:
        principal = await info.context.principal()
        documents = await organisations.my_organisations(info.context.state.db, principal)
        return [Organization.from_document(d, principal) for d in documents]

    @classmethod
    def resolve_typename(cls, root: Me, info: strawberry.Info) -> str:
        # ``Me`` is the caller's own view of a User: their ids must be the same.
        return "User"
