"""Mutations on what the caller keeps for themselves: stars."""

from __future__ import annotations

import strawberry
from strawberry import relay

from graphql_api.context import Info
from graphql_api.types import ids
from graphql_api.types.common import UserError, acted
from graphql_api.types.file import File
from graphql_api.types.folder import Folder
from resolvers import personal
from resolvers.errors import BadInput, UserErrorCode, UserFailure
from resolvers.identity import Principal
from storage.models import File as FileDocument
from storage.models import Folder as FolderDocument
from storage.mongo import Database


@strawberry.input
class SetStarredInput:
    id: relay.GlobalID = strawberry.field(description="A File or a Folder.")
    starred: bool


@strawberry.type
class SetStarredPayload:
    item: relay.Node | None = strawberry.field(description="The file or folder, as it stands.")
    user_errors: list[UserError]


@strawberry.type
class PersonalMutations:
    @strawberry.mutation(description="Star a file or folder you may see (it shows on your home page), or unstar it.")
    async def set_starred(self, info: Info, input: SetStarredInput) -> SetStarredPayload:
        async def act(db: Database, principal: Principal) -> FolderDocument | FileDocument:
            try:
                kind, item_id = ids.decode(input.id, "File", "Folder")
            except BadInput as error:
                raise UserFailure(UserErrorCode.INVALID, error.message, ["id"]) from None
            return await personal.set_starred(db, principal, kind, item_id, input.starred)

        item, errors = await acted(
            info,
            act,
            lambda document, _: (
                Folder.from_document(document) if isinstance(document, FolderDocument) else File.from_document(document)
            ),
        )
        return SetStarredPayload(item=item, user_errors=errors)
