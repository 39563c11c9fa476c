"""Folder mutations."""

from __future__ import annotations

import strawberry
from strawberry import relay

from graphql_api.context import Info
from graphql_api.types import ids
from graphql_api.types.common import UserError, acted, attempt
from graphql_api.types.folder import Folder
from resolvers import folders


@strawberry.input
class CreateFolderInput:
    parent_id: relay.GlobalID
    name: str


@strawberry.input
class RenameFolderInput:
    id: relay.GlobalID
    name: str


@strawberry.input
class MoveFolderInput:
    id: relay.GlobalID
    parent_id: relay.GlobalID


@strawberry.input
class FolderIdInput:
    id: relay.GlobalID


@strawberry.type
class FolderPayload:
    folder: Folder | None
    user_errors: list[UserError]


@strawberry.type
class PurgeFolderPayload:
    purged_folder_id: relay.GlobalID | None
    user_errors: list[UserError]


async def _folder_payload(info: Info, act: folders.FolderAction) -> FolderPayload:
    folder, errors = await acted(info, act, lambda document, _: Folder.from_document(document))
    return FolderPayload(folder=folder, user_errors=errors)


@strawberry.type
class FolderMutations:
    @strawberry.mutation(description="Create a folder; names are unique among live siblings, ignoring case.")
    async def create_folder(self, info: Info, input: CreateFolderInput) -> FolderPayload:
        return await _folder_payload(
            info,
            lambda db, who: folders.create_folder(
                db, who, ids.input_id(input.parent_id, "Folder", "parentId"), input.name
            ),
        )

    @strawberry.mutation
    async def rename_folder(self, info: Info, input: RenameFolderInput) -> FolderPayload:
        return await _folder_payload(
            info, lambda db, who: folders.rename_folder(db, who, ids.input_id(input.id, "Folder", "id"), input.name)
        )

    @strawberry.mutation(description="Move a folder and everything beneath it; never into itself or a descendant.")
    async def move_folder(self, info: Info, input: MoveFolderInput) -> FolderPayload:
        return await _folder_payload(
            info,
            lambda db, who: folders.move_folder(
                db, who, ids.input_id(input.id, "Folder", "id"), ids.input_id(input.parent_id, "Folder", "parentId")
            ),
        )

    @strawberry.mutation(description="Move a folder with everything beneath it to the trash.")
    async def delete_folder(self, info: Info, input: FolderIdInput) -> FolderPayload:
        return await _folder_payload(
            info, lambda db, who: folders.delete_folder(db, who, ids.input_id(input.id, "Folder", "id"))
        )

    @strawberry.mutation(description="Bring a deleted folder and its contents back from the trash.")
    async def restore_folder(self, info: Info, input: FolderIdInput) -> FolderPayload:
        return await _folder_payload(
            info, lambda db, who: folders.restore_folder(db, who, ids.input_id(input.id, "Folder", "id"))
        )

    @strawberry.mutation(description="Remove a folder in the trash for good, with its files' bytes. Admins only.")
    async def purge_folder(self, info: Info, input: FolderIdInput) -> PurgeFolderPayload:
        async def run() -> relay.GlobalID:
            principal = await info.context.principal()
            state = info.context.state
            await folders.purge_folder(state.db, state.blobs, principal, ids.input_id(input.id, "Folder", "id"))
            return input.id

        purged, errors = await attempt(run)
        return PurgeFolderPayload(purged_folder_id=purged, user_errors=errors)
