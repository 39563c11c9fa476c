"""The Folder type."""

from __future__ import annotations

from datetime import datetime

import strawberry
from bson import ObjectId
from strawberry import relay

from graphql_api.context import Info
from resolvers import access
from storage.models import Folder as FolderDocument


@strawberry.type(name="Folder")
class Folder(relay.Node):
    id: relay.NodeID[str]
    name: str
    created_at: datetime
    updated_at: datetime
    organisation_id: strawberry.Private[ObjectId]
    parent_id: strawberry.Private[ObjectId | None]

    @classmethod
    def from_document(cls, document: FolderDocument) -> Folder:
        return cls(
            id=str(document.id),
            name=document.name,
            created_at=document.created_at,
            updated_at=document.updated_at,
            organisation_id=document.organisation_id,
            parent_id=document.parent_id,
        )

    @classmethod
    async def load_visible(cls, info: Info, ids: list[ObjectId]) -> list[Folder | None]:
        principal = await info.context.principal()
        documents = await info.context.loaders.folder.load_many(ids)
        return [
            cls.from_document(d) if d is not None and access.can_read_folder(principal, d) else None for d in documents
        ]
