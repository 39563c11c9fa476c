"""requestCopernicusData and cancelCopernicusRequest."""

from __future__ import annotations

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from graphql_api.context import Info
from graphql_api.types import ids
from graphql_api.types.common import UserError, attempt
from graphql_api.types.copernicus import CopernicusRequest
from resolvers.copernicus import catalogue, keys, requests
from resolvers.errors import UserErrorCode, UserFailure


@strawberry.input
class RequestCopernicusDataInput:
    service: str = strawberry.field(description="CDS, ADS, EWDS, CLMS or GALILEO_HAS (see copernicusServices).")
    dataset: str
    request: JSON = strawberry.field(description="The upstream request, as its own API takes it.")
    folder_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Where the result lands; default: a Copernicus folder in your organization."
    )
    file_name: str | None = None


@strawberry.input
class CancelCopernicusRequestInput:
    id: relay.GlobalID


@strawberry.type
class CopernicusRequestPayload:
    copernicus_request: CopernicusRequest | None
    user_errors: list[UserError]
    joined_earlier: bool = strawberry.field(
        default=False,
        description="The same request of yours was in flight, or done with its File still there: this is "
        "that one, and nothing new was asked.",
    )


@strawberry.input
class SetCopernicusKeyInput:
    service: str
    key: str = strawberry.field(
        description="Your API key (CADS) or service-key JSON (CLMS); stored sealed, never shown."
    )


@strawberry.input
class RemoveCopernicusKeyInput:
    service: str


@strawberry.type
class CopernicusKeyPayload:
    service: str | None
    user_errors: list[UserError]


@strawberry.type
class CopernicusMutations:
    @strawberry.mutation(description="Use your own upstream key for a service instead of the platform's.")
    async def set_copernicus_key(self, info: Info, input: SetCopernicusKeyInput) -> CopernicusKeyPayload:
        async def run() -> str:
            principal = await info.context.principal()
            state = info.context.state
            if state.upstreams is None:
                raise UserFailure(UserErrorCode.INVALID, "Copernicus is not configured here", ["service"])
            await keys.set_key(state.db, state.box, state.upstreams, principal, input.service, input.key)
            return input.service

        service, errors = await attempt(run)
        return CopernicusKeyPayload(service=service, user_errors=errors)

    @strawberry.mutation
    async def remove_copernicus_key(self, info: Info, input: RemoveCopernicusKeyInput) -> CopernicusKeyPayload:
        async def run() -> str:
            principal = await info.context.principal()
            await keys.remove_key(info.context.state.db, principal, input.service)
            return input.service

        service, errors = await attempt(run)
        return CopernicusKeyPayload(service=service, user_errors=errors)

    @strawberry.mutation(
        description="Ask for Copernicus data; answers at once. An identical request reuses the result or joins the job."
    )
    async def request_copernicus_data(self, info: Info, input: RequestCopernicusDataInput) -> CopernicusRequestPayload:
        async def run() -> tuple[CopernicusRequest, bool]:
            principal = await info.context.principal()
            state = info.context.state
            service = catalogue.service_id(input.service)
            own = service in await keys.own_services(state.db, principal.user_id)
            job, joined = await requests.request_data(
                state.db,
                state.providers,
                principal,
                own_key=own and state.upstreams is not None and state.upstreams.reachable(service),
                service=service,
                dataset=input.dataset,
                request=input.request,
                folder_id=ids.input_id(input.folder_id, "Folder", "folderId") if input.folder_id else None,
                file_name=input.file_name,
                catalogues=state.catalogues,
            )
            return CopernicusRequest.from_document(job), joined

        made, errors = await attempt(run)
        job, joined = made if made is not None else (None, False)
        return CopernicusRequestPayload(copernicus_request=job, user_errors=errors, joined_earlier=joined)

    @strawberry.mutation(description="Stop a request: the upstream job is cancelled and nothing is stored.")
    async def cancel_copernicus_request(
        self, info: Info, input: CancelCopernicusRequestInput
    ) -> CopernicusRequestPayload:
        async def run() -> CopernicusRequest:
            principal = await info.context.principal()
            job = await requests.cancel(
                info.context.state.db, principal, ids.input_id(input.id, "CopernicusRequest", "id")
            )
            return CopernicusRequest.from_document(job)

        job, errors = await attempt(run)
        return CopernicusRequestPayload(copernicus_request=job, user_errors=errors)
