"""Fields every file and folder has the same way: the caller's star on it, and who deleted it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from graphql_api.context import Info
from resolvers import personal
from storage.models import File as FileDocument
from storage.models import Folder as FolderDocument

if TYPE_CHECKING:
    from graphql_api.types.user import User


@strawberry.type
class ItemFields:
    document: strawberry.Private[FileDocument | FolderDocument]

    @strawberry.field(description="Whether you starred it.")
    async def starred(self, info: Info) -> bool:
        principal = await info.context.principal()
        return await personal.is_starred(info.context.state.db, principal, self.document.id)

    @strawberry.field(description="Who deleted it, while it is in the trash by itself (not with a folder above it).")
    async def trashed_by(self, info: Info) -> Annotated[User, strawberry.lazy("graphql_api.types.user")] | None:
        from graphql_api.types.user import User

        return await User.one_visible(info, self.document.trashed_by)
