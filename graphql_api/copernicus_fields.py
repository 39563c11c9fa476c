"""Copernicus query fields and subscriptions; thin: the work is in ``resolvers.copernicus``."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry
from bson import ObjectId
from strawberry import relay

from graphql_api.context import Info
from graphql_api.metrics import active_subscription
from graphql_api.types import ids
from graphql_api.types.common import DEFAULT_PAGE, After, Connection, First, connection
from graphql_api.types.copernicus import (
    CopernicusDataset,
    CopernicusRequest,
    CopernicusRequestEvent,
    CopernicusRequestUpdate,
    CopernicusService,
)
from resolvers import access
from resolvers.copernicus import catalogue, keys, requests
from resolvers.errors import BadInput, NotFound, UserFailure
from storage.copernicus import jobs
from storage.models import CopernicusRequest as CopernicusRequestDocument
from storage.models import RequestStatus
from upstream.registry import SERVICES


@strawberry.type
class CopernicusQueries:
    @strawberry.field(description="Every Copernicus service Strata knows, and whether it is enabled here.")
    async def copernicus_services(self, info: Info) -> list[CopernicusService]:
        principal = await info.context.principal()
        state = info.context.state
        own = await keys.own_services(state.db, principal.user_id)
        reachable = state.upstreams.reachable if state.upstreams else (lambda _: False)
        return [
            CopernicusService(
                id=s.id,
                name=s.name,
                enabled=s.id in state.providers or (s.id in own and reachable(s.id)),
                has_own_key=s.id in own,
            )
            for s in SERVICES
        ]

    @strawberry.field(description="An enabled service's catalogue, filtered by a search text; cached for minutes.")
    async def copernicus_datasets(
        self, info: Info, service: str, search: str | None = None, first: First = DEFAULT_PAGE, after: After = None
    ) -> list[CopernicusDataset]:
        await info.context.principal()
        if not 0 <= first <= 100:
            raise BadInput("first must be between 0 and 100")
        state = info.context.state
        try:
            service = catalogue.service_id(service)
        except UserFailure as failure:
            raise BadInput(failure.message) from None
        provider = state.providers.get(service)
        if provider is None:
            raise BadInput(f"{service} is not enabled here: its catalogue needs the platform's key")
        found = requests.search_datasets(await state.catalogues.datasets(service, provider), search)
        start = next((i + 1 for i, d in enumerate(found) if d.id == after), 0) if after else 0
        return [
            CopernicusDataset(id=d.id, title=d.title, description=d.description) for d in found[start : start + first]
        ]

    @strawberry.field
    async def copernicus_request(self, info: Info, id: relay.GlobalID) -> CopernicusRequest | None:
        [found] = await CopernicusRequest.load_visible(info, [ids.decode(id, "CopernicusRequest")[1]])
        return found

    @strawberry.field(description="Your Copernicus requests, newest first.")
    async def copernicus_requests(
        self,
        info: Info,
        status: list[RequestStatus] | None = None,
        first: First = DEFAULT_PAGE,
        after: After = None,
    ) -> Connection[CopernicusRequest]:
        principal = await info.context.principal()
        page = await requests.mine(info.context.state.db, principal, status, first, after)
        return connection(page, CopernicusRequest.from_document)


@strawberry.type
class CopernicusSubscriptions:
    @strawberry.subscription(description="Every step of one request, in order, ending with its final state.")
    async def copernicus_request_updated(
        self, info: Info, id: relay.GlobalID
    ) -> AsyncGenerator[CopernicusRequestUpdate, None]:
        principal = await info.context.principal()
        request_id = ids.decode(id, "CopernicusRequest")[1]
        job = await requests.visible(info.context.state.db, principal, request_id)
        if job is None:
            raise NotFound("request not found")
        hub = info.context.state.hub
        assert hub is not None
        with active_subscription("copernicusRequestUpdated"):
            async with hub.listen(request_id=request_id) as queue:
                # Read again after listening starts, so no step falls between the two.
                job = await requests.visible(info.context.state.db, principal, request_id) or job
                delivered = 0
                while True:
                    updates, delivered = _updates_after(job, delivered)
                    for update in updates:
                        yield update
                    if jobs.is_terminal(job.status) and delivered >= len(job.history):
                        return
                    job = await queue.get()
                    await _still_allowed(info, job)

    @strawberry.subscription(description="Every step of all your requests, as they happen.")
    async def copernicus_requests_updated(self, info: Info) -> AsyncGenerator[CopernicusRequestUpdate, None]:
        principal = await info.context.principal()
        hub = info.context.state.hub
        assert hub is not None
        delivered: dict[ObjectId, int] = {}
        with active_subscription("copernicusRequestsUpdated"):
            async with hub.listen(owner_id=principal.user_id) as queue:
                while True:
                    job = await queue.get()
                    await _still_allowed(info, job)
                    updates, delivered[job.id] = _updates_after(job, delivered.get(job.id, 0))
                    for update in updates:
                        yield update


def _updates_after(job: CopernicusRequestDocument, delivered: int) -> tuple[list[CopernicusRequestUpdate], int]:
    """The steps of ``job`` after step ``delivered``, and the number of the last one once they are sent."""
    updates = [
        CopernicusRequestUpdate(
            event=CopernicusRequestEvent.from_entry(seq, entry), request=CopernicusRequest.from_document(job)
        )
        for seq, entry in enumerate(job.history, 1)
        if seq > delivered
    ]
    return updates, max(delivered, len(job.history))


async def _still_allowed(info: Info, job: CopernicusRequestDocument) -> None:
    """Per event: the token must still be valid and the request still the caller's to see."""
    principal = await info.context.principal()
    if not access.can_see_request(principal, job):
        raise NotFound("request not found")
