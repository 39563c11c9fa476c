"""People and services as other callers see them, and the signed-in caller as ``me``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Self

import strawberry
from bson import ObjectId
from strawberry import relay

from graphql_api.context import Info
from graphql_api.types.organization import Organization
from graphql_api.types.visible import VisibleNode
from resolvers import access, organisations, personal, shares
from resolvers.identity import Principal
from storage.models import FileStatus
from storage.models import User as UserDocument

if TYPE_CHECKING:
    from graphql_api.types.file import File
    from graphql_api.types.folder import Folder


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

    @strawberry.field(
        description="Files and folders you starred that you may still see, newest star first (at most 100)."
    )
    async def starred(self, info: Info) -> list[relay.Node]:
        from graphql_api.types.file import File
        from graphql_api.types.folder import Folder

        principal = await info.context.principal()
        stars = await personal.starred(info.context.state.db, principal)
        found: dict[tuple[str, ObjectId], File | Folder] = {}
        for name, kind in (("File", File), ("Folder", Folder)):
            wanted = [i for k, i in stars if k == name]
            for item_id, item in zip(wanted, await kind.load_visible(info, wanted), strict=True):
                if item is not None and item.document.trash_root_id is None:
                    found[(name, item_id)] = item
        return [found[star] for star in stars if star in found]

    @strawberry.field(description="Files you added or changed lately that are still there, newest first (at most 20).")
    async def recent_files(self, info: Info) -> list[Annotated[File, strawberry.lazy("graphql_api.types.file")]]:
        from graphql_api.types.file import File

        principal = await info.context.principal()
        found = await File.load_visible(info, await personal.recent_files(info.context.state.db, principal))
        return [f for f in found if f is not None and f.document.status is FileStatus.AVAILABLE]

    @classmethod
    def resolve_typename(cls, root: Me, info: strawberry.Info) -> str:
        # ``Me`` is the caller's own view of a User: their ids must be the same.
        return "User"
