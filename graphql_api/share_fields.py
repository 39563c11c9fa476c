"""Share subscriptions; thin: the watch is ``resolvers.shares.watch``."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry
from strawberry import relay

from graphql_api.context import Info
from graphql_api.metrics import active_subscription
from graphql_api.types import ids
from graphql_api.types.share import Share
from resolvers import shares
from storage.models import ResourceKind


@strawberry.type
class ShareSubscriptions:
    @strawberry.subscription(
        description="Each share of this file or folder as it stands after a change (made, changed, accepted, "
        "declined, revoked, expired), as it happens: every share for its managers, their own for a grantee. "
        "Open to those who can read the item and to those it was shared with, in any state."
    )
    async def share_changed(self, info: Info, resource_id: relay.GlobalID) -> AsyncGenerator[Share, None]:
        type_name, resource = ids.decode(resource_id, "File", "Folder")
        kind = ResourceKind.FILE if type_name == "File" else ResourceKind.FOLDER
        interval = info.context.state.settings.share_watch_seconds
        with active_subscription("shareChanged"):
            state = info.context.state
            async for share in shares.watch(state.db, info.context.principal, kind, resource, interval, state.clock):
                yield Share.from_document(share, state.clock())
