"""The Organization type: an organisation as the caller sees it, with the caller's role."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry
from bson import ObjectId
from strawberry import relay

from graphql_api.context import Info
from graphql_api.types.common import DEFAULT_PAGE, After, BigInt, Connection, First, connection
from graphql_api.types.folder import Folder
from graphql_api.types.visible import VisibleNode
from resolvers import access, folders, organisations
from resolvers.identity import Principal
from storage.models import Organisation, Role

if TYPE_CHECKING:
    from graphql_api.types.file import File
    from graphql_api.types.user import User

strawberry.enum(Role, name="Role", description="A person's standing in an organization.")


@strawberry.type(name="Organization")
class Organization(VisibleNode):
    id: relay.NodeID[str]
    name: str
    slug: str
    role: Role | None = strawberry.field(description="The caller's role here; null when not a member.")
    usage_bytes: BigInt | None = strawberry.field(
        description="Bytes stored, uploads in progress and the trash included; null for non-members."
    )
    quota_bytes: BigInt | None = strawberry.field(
        description="The storage limit; null when there is none, and for non-members."
    )
    root_folder_id: strawberry.Private[ObjectId | None]

    @classmethod
    def from_document(cls, document: Organisation, principal: Principal) -> Organization:
        own = access.can_see_organisation_usage(principal, document)
        return cls(
            id=str(document.id),
            name=document.name,
            slug=document.slug,
            role=principal.role_in(document.id),
            usage_bytes=BigInt(document.usage_bytes) if own else None,
            quota_bytes=BigInt(document.quota_bytes) if own and document.quota_bytes is not None else None,
            root_folder_id=document.root_folder_id,
        )

    @strawberry.field(
        description="Its admins and owners, whom its members ask to share or to do what they may not; "
        "empty for non-members."
    )
    async def admins(self, info: Info) -> list[Annotated[User, strawberry.lazy("graphql_api.types.user")]]:
        from graphql_api.types.user import User

        principal = await info.context.principal()
        document = await info.context.loaders.organisation.load(ObjectId(self.id))
        if document is None:
            return []
        found = await organisations.answering_for(info.context.state.db, principal, document)
        return [User.from_document(u, principal) for u in sorted(found, key=lambda u: u.name)]

    @strawberry.field(description="The top folder of everything the organization holds.")
    async def root_folder(self, info: Info) -> Folder | None:
        if self.root_folder_id is None:
            return None
        [folder] = await Folder.load_visible(info, [self.root_folder_id])
        return folder

    @strawberry.field(description="Folders its people deleted, newest first; empty for non-members.")
    async def trashed_folders(self, info: Info, first: First = DEFAULT_PAGE, after: After = None) -> Connection[Folder]:
        principal = await info.context.principal()
        page = await folders.trashed_folders(info.context.state.db, principal, ObjectId(self.id), first, after)
        return connection(page, Folder.from_document)

    @strawberry.field(description="Files its people deleted by themselves, newest first; empty for non-members.")
    async def trashed_files(
        self, info: Info, first: First = DEFAULT_PAGE, after: After = None
    ) -> Connection[Annotated[File, strawberry.lazy("graphql_api.types.file")]]:
        from graphql_api.types.file import File

        principal = await info.context.principal()
        page = await folders.trashed_files(info.context.state.db, principal, ObjectId(self.id), first, after)
        return connection(page, File.from_document)

    @classmethod
    async def holding(cls, info: Info, organisation_id: ObjectId) -> Organization | None:
        """An organisation named by something the caller sees (an item it holds, a share made to
        it): of one they are not in, its name and slug only, as the directory shows it."""
        principal = await info.context.principal()
        document = await info.context.loaders.organisation.load(organisation_id)
        return cls.from_document(document, principal) if document else None

    @classmethod
    async def load_visible(cls, info: Info, ids: list[ObjectId]) -> list[Organization | None]:
        principal = await info.context.principal()
        documents = await info.context.loaders.organisation.load_many(ids)
        return [
            cls.from_document(d, principal) if d is not None and access.can_see_organisation(principal, d) else None
            for d in documents
        ]
