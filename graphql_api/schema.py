"""The schema: root types plus the protective extensions every operation passes through."""

from __future__ import annotations

from collections.abc import Callable

import strawberry
from graphql import GraphQLError
from strawberry import relay
from strawberry.extensions import (
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.types import ExecutionContext

from graphql_api.context import Info
from graphql_api.errors import MaskInternalErrors, log_errors
from graphql_api.settings import Settings
from graphql_api.types import node as node_resolution
from graphql_api.types.folder import Folder
from graphql_api.types.organization import Organization
from graphql_api.types.user import Me, User
from resolvers.errors import BadInput


@strawberry.type
class Query:
    @strawberry.field(description="The signed-in caller and their organisations.")
    async def me(self, info: Info) -> Me:
        principal = await info.context.principal()
        return Me.from_principal(principal)

    @strawberry.field(description="Any object by its global id; null when it does not exist or is not visible.")
    async def node(self, info: Info, id: relay.GlobalID) -> relay.Node | None:
        [found] = await node_resolution.resolve_nodes(info, [id])
        return found

    @strawberry.field(description=f"Objects by global id, in order; at most {node_resolution.MAX_NODES}.")
    async def nodes(self, info: Info, ids: list[relay.GlobalID]) -> list[relay.Node | None]:
        if len(ids) > node_resolution.MAX_NODES:
            raise BadInput(f"at most {node_resolution.MAX_NODES} ids per call")
        return await node_resolution.resolve_nodes(info, ids)


class StrataSchema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        log_errors(errors, execution_context)


def build_schema(settings: Settings | None = None) -> strawberry.Schema:
    """The schema with limits from ``settings`` (defaults when None, e.g. for export)."""
    settings = settings or Settings()
    extensions: list[type[SchemaExtension] | Callable[[], SchemaExtension]] = [
        lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
        lambda: ParserCache(maxsize=settings.parser_cache_size),
        lambda: QueryDepthLimiter(max_depth=settings.max_query_depth),
        lambda: MaxAliasesLimiter(max_alias_count=settings.max_aliases),
        lambda: ValidationCache(maxsize=settings.parser_cache_size),
        MaskInternalErrors,
    ]
    return StrataSchema(
        query=Query,
        types=[Folder, Organization, User],
        extensions=extensions,
    )
