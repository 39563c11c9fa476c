"""``viewerCan``: what the caller may do with an item, decided by the policy, for clients to offer."""

from __future__ import annotations

import strawberry

from graphql_api.context import Info
from resolvers import access
from storage.models import File, Folder


@strawberry.type(name="ViewerPermissions", description="What the signed-in caller may do with this item now.")
class ViewerPermissions:
    edit: bool = strawberry.field(description="Rename, move, change metadata, add to (folders).")
    delete: bool = strawberry.field(description="Move to the trash and restore from it.")
    purge: bool = strawberry.field(description="Remove for good (items in the trash, admins).")
    share: bool = strawberry.field(description="Share with others.")


async def viewer_permissions(info: Info, item: Folder | File) -> ViewerPermissions:
    decided = access.permissions(await info.context.principal(), item)
    return ViewerPermissions(edit=decided.edit, delete=decided.delete, purge=decided.purge, share=decided.share)
