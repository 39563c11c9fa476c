"""The Folder type."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from bson import ObjectId
from strawberry import relay

from graphql_api.context import Info
from graphql_api.types.common import DEFAULT_PAGE, After, Connection, First, connection, page_request
from graphql_api.types.item import ItemFields
from graphql_api.types.permissions import ViewerPermissions, viewer_permissions
from graphql_api.types.visible import VisibleNode
from resolvers import access, folders, transfers
from resolvers.pagination import Direction, SortField
from storage.models import Folder as FolderDocument

if TYPE_CHECKING:
    from graphql_api.types.file import File, UploadInProgress
    from graphql_api.types.organization import Organization
    from graphql_api.types.share import Share, ShareEvent
    from graphql_api.types.user import User


@strawberry.type(name="Folder")
class Folder(VisibleNode, ItemFields):
    id: relay.NodeID[str]
    name: str
    created_at: datetime
    updated_at: datetime
    trashed_at: datetime | None = strawberry.field(description="When it went to the trash; null while live.")
    document: strawberry.Private[FolderDocument]

    @classmethod
    def from_document(cls, document: FolderDocument) -> Folder:
        return cls(
            id=str(document.id),
            name=document.name,
            created_at=document.created_at,
            updated_at=document.updated_at,
            trashed_at=document.trashed_at,
            document=document,
        )

    @classmethod
    async def load_visible(cls, info: Info, ids: list[ObjectId]) -> list[Folder | None]:
        principal = await info.context.principal()
        documents = await info.context.loaders.folder.load_many(ids)
        return [cls.from_document(d) if d is not None and access.can_read(principal, d) else None for d in documents]

    @strawberry.field(description="The folder above; null for an organization's root folder.")
    async def parent(self, info: Info) -> Folder | None:
        if self.document.parent_id is None:
            return None
        [parent] = await Folder.load_visible(info, [self.document.parent_id])
        return parent

    @strawberry.field(description="Breadcrumbs: every folder above this one that the caller may see, root first.")
    async def ancestors(self, info: Info) -> list[Folder]:
        found = await Folder.load_visible(info, list(self.document.ancestors))
        # Stored ancestors are a set; depth orders them.
        return sorted((f for f in found if f is not None), key=lambda f: len(f.document.ancestors))

    @strawberry.field(description="Live subfolders (SIZE and TYPE sort by name).")
    async def folders(
        self,
        info: Info,
        first: First = DEFAULT_PAGE,
        after: After = None,
        sort_by: SortField = SortField.NAME,
        direction: Direction = Direction.ASC,
    ) -> Connection[Folder]:
        page = await folders.subfolders(
            info.context.state.db, self.document, page_request(first, after, sort_by, direction)
        )
        return connection(page, Folder.from_document)

    @strawberry.field(
        description="The live subfolder of this name (names compare as siblings do: without case); null if none."
    )
    async def child_folder(self, info: Info, name: str) -> Folder | None:
        principal = await info.context.principal()
        found = await folders.child_folder(info.context.state.db, principal, self.document, name)
        return None if found is None else Folder.from_document(found)

    @strawberry.field(
        description="The live file of this name (without case), an upload in progress included; null if none."
    )
    async def child_file(
        self, info: Info, name: str
    ) -> Annotated[File, strawberry.lazy("graphql_api.types.file")] | None:
        from graphql_api.types.file import File

        principal = await info.context.principal()
        found = await folders.child_file(info.context.state.db, principal, self.document, name)
        return None if found is None else File.from_document(found)

    @strawberry.field(description="Live files, uploads in progress included.")
    async def files(
        self,
        info: Info,
        first: First = DEFAULT_PAGE,
        after: After = None,
        sort_by: SortField = SortField.NAME,
        direction: Direction = Direction.ASC,
    ) -> Connection[Annotated[File, strawberry.lazy("graphql_api.types.file")]]:
        from graphql_api.types.file import File

        page = await folders.files_in(
            info.context.state.db, self.document, page_request(first, after, sort_by, direction)
        )
        return connection(page, File.from_document)

    @strawberry.field(
        description="Uploads in progress into it that the caller may go on with or end: their own, and, "
        "for its organization's admins, everyone's; the most recently active first, at most 50."
    )
    async def uploads_in_progress(
        self, info: Info
    ) -> list[Annotated[UploadInProgress, strawberry.lazy("graphql_api.types.file")]]:
        from graphql_api.types.file import UploadInProgress

        principal = await info.context.principal()
        found = await transfers.uploads_in_progress(info.context.state.db, principal, self.document)
        return [UploadInProgress.from_document(f, info, principal) for f in found]

    @strawberry.field(description="Live shares on it, for those who manage it; empty for everyone else.")
    async def shares(self, info: Info) -> list[Annotated[Share, strawberry.lazy("graphql_api.types.share")]]:
        from graphql_api.types.share import shares_of

        return await shares_of(info, self.document)

    @strawberry.field(description="Its sharing audit trail, newest first, for those who manage it.")
    async def share_events(
        self, info: Info, first: First = DEFAULT_PAGE, after: After = None
    ) -> Connection[Annotated[ShareEvent, strawberry.lazy("graphql_api.types.share")]]:
        from graphql_api.types.share import share_events_of

        return await share_events_of(info, self.document, first, after)

    @strawberry.field(description="What the caller may do with it.")
    async def viewer_can(self, info: Info) -> ViewerPermissions:
        return await viewer_permissions(info, self.document)

    @strawberry.field(description="The organization that holds it; of one you are not in, its name and slug.")
    async def organization(
        self, info: Info
    ) -> Annotated[Organization, strawberry.lazy("graphql_api.types.organization")] | None:
        from graphql_api.types.organization import Organization

        return await Organization.holding(info, self.document.organisation_id)

    @strawberry.field(description="Who created it.")
    async def owner(self, info: Info) -> Annotated[User, strawberry.lazy("graphql_api.types.user")] | None:
        from graphql_api.types.user import User

        return await User.one_visible(info, self.document.owner_id)
