"""The schema: root types plus the protective extensions every operation passes through."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import strawberry
from graphql import GraphQLError
from strawberry import relay
from strawberry.extensions import (
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from graphql_api.context import Info
from graphql_api.copernicus_fields import CopernicusQueries, CopernicusSubscriptions
from graphql_api.cost import CheckedValidationCache, QueryCostLimiter
from graphql_api.errors import MaskInternalErrors, log_errors
from graphql_api.metrics import OperationMetrics
from graphql_api.mutations.copernicus import CopernicusMutations
from graphql_api.mutations.files import BoundingBoxInput, FileMutations, TimeRangeInput
from graphql_api.mutations.folders import FolderMutations
from graphql_api.mutations.personal import PersonalMutations
from graphql_api.mutations.shares import ShareMutations
from graphql_api.mutations.uploads import UploadMutations
from graphql_api.policy_check import RequirePolicyCheck
from graphql_api.settings import Settings
from graphql_api.share_fields import ShareSubscriptions
from graphql_api.types import ids
from graphql_api.types import node as node_resolution
from graphql_api.types.common import DEFAULT_PAGE, SCALARS, After, Connection, First, connection, page_request
from graphql_api.types.copernicus import (
    CopernicusRequest,
)
from graphql_api.types.facets import SearchFacets
from graphql_api.types.file import File, Upload
from graphql_api.types.folder import Folder
from graphql_api.types.organization import Organization
from graphql_api.types.share import Share
from graphql_api.types.user import Me, User
from resolvers import files, folders, organisations, shares
from resolvers.errors import BadInput, RequestErrorCode
from resolvers.files import FileSearch
from resolvers.pagination import Direction, SortField
from storage.models import ShareStatus, SourceKind
from storage.search import SEARCH_FOUND


@strawberry.input
class FileSearchInput:
    name: str | None = strawberry.field(
        default=None,
        description="Words of the name, any case; the last may be the start of a word.",
    )
    content_type: str | None = strawberry.field(default=None, description="Exact type, or a prefix ending in '/'.")
    source_kind: SourceKind | None = None
    sensor_id: str | None = None
    bbox: BoundingBoxInput | None = strawberry.field(default=None, description="Files whose bbox intersects this.")
    time_range: TimeRangeInput | None = strawberry.field(default=None, description="Files whose time range overlaps.")
    folder_id: relay.GlobalID | None = strawberry.field(default=None, description="Only beneath this folder.")
    organization_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Only what this organization holds."
    )

    def to_search(self) -> FileSearch:
        return FileSearch(
            name=self.name,
            content_type=self.content_type,
            source_kind=self.source_kind,
            sensor_id=self.sensor_id,
            bbox=self.bbox.to_bbox() if self.bbox else None,
            time_from=self.time_range.start if self.time_range else None,
            time_to=self.time_range.end if self.time_range else None,
            folder_id=ids.decode(self.folder_id, "Folder")[1] if self.folder_id else None,
            organisation_id=ids.decode(self.organization_id, "Organization")[1] if self.organization_id else None,
        )


@strawberry.type
class Query(CopernicusQueries):
    @strawberry.field(description="The signed-in caller and their organizations.")
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

    @strawberry.field(description="A folder by id; null when it does not exist or is not visible.")
    async def folder(self, info: Info, id: relay.GlobalID) -> Folder | None:
        [found] = await Folder.load_visible(info, [ids.decode(id, "Folder")[1]])
        return found

    @strawberry.field(
        description="Available files the caller may read, filtered; every filter narrows. Ordered over at "
        f"most {SEARCH_FOUND:,} files found in each organization or share the caller reads: searchFacets "
        "says how many there are; narrow a search that finds more to see them all."
    )
    async def search_files(
        self,
        info: Info,
        filter: FileSearchInput | None = None,
        first: First = DEFAULT_PAGE,
        after: After = None,
        sort_by: SortField = SortField.NAME,
        direction: Direction = Direction.ASC,
    ) -> Connection[File]:
        principal = await info.context.principal()
        search = filter.to_search() if filter else FileSearch()
        page = await files.search_files(
            info.context.state.db, principal, search, page_request(first, after, sort_by, direction)
        )
        return connection(page, File.from_document)

    @strawberry.field(
        description="Live folders the caller may read whose name has these words (any case; the last may be "
        f"the start of a word). Ordered over at most {SEARCH_FOUND:,} found in each organization or share."
    )
    async def search_folders(
        self,
        info: Info,
        name: str,
        first: First = DEFAULT_PAGE,
        after: After = None,
        sort_by: SortField = SortField.NAME,
        direction: Direction = Direction.ASC,
    ) -> Connection[Folder]:
        principal = await info.context.principal()
        page = await folders.search_folders(
            info.context.state.db, principal, name, page_request(first, after, sort_by, direction)
        )
        return connection(page, Folder.from_document)

    @strawberry.field(
        description="How many files searchFiles finds with this filter, by type, source, organization and year."
    )
    async def search_facets(self, info: Info, filter: FileSearchInput | None = None) -> SearchFacets:
        principal = await info.context.principal()
        search = filter.to_search() if filter else FileSearch()
        return SearchFacets.from_tally(await files.search_tally(info.context.state.db, principal, search))

    @strawberry.field(description="Shares made to you or your organizations, newest first.")
    async def shared_with_me(
        self,
        info: Info,
        status: list[ShareStatus] | None = None,
        first: First = DEFAULT_PAGE,
        after: After = None,
        resource_id: Annotated[
            relay.GlobalID | None,
            strawberry.argument(description="Only shares of this file or folder: how it stands with you."),
        ] = None,
    ) -> Connection[Share]:
        principal = await info.context.principal()
        wanted = status or [ShareStatus.PENDING, ShareStatus.ACTIVE]
        resource = ids.decode(resource_id, "File", "Folder")[1] if resource_id is not None else None
        page = await shares.shared_with_me(info.context.state.db, principal, wanted, first, after, resource)
        return connection(page, lambda s: Share.from_document(s, principal.now))

    @strawberry.field(
        description="The directory to share with: organizations whose name or slug contains `search` "
        "(any case), by slug. Of one you are not in it shows only its name and slug."
    )
    async def organizations(
        self, info: Info, search: str | None = None, first: First = DEFAULT_PAGE, after: After = None
    ) -> Connection[Organization]:
        principal = await info.context.principal()
        page = await organisations.directory_page(info.context.state.db, search, first, after)
        return connection(page, lambda o: Organization.from_document(o, principal))

    @strawberry.field(
        description="People in your organizations whose name or e-mail has words starting with those of `search` "
        "(from two letters): whom to share with, suggested while you type. Anyone else is found by their whole "
        "e-mail address."
    )
    async def people(self, info: Info, search: str, first: int = 10) -> list[User]:
        principal = await info.context.principal()
        found = await organisations.colleagues(info.context.state.db, principal, search, first)
        return [User.from_document(u, principal) for u in found]


@strawberry.type
class Subscription(CopernicusSubscriptions, ShareSubscriptions):
    pass


@strawberry.type
class Mutation(FolderMutations, FileMutations, UploadMutations, ShareMutations, CopernicusMutations, PersonalMutations):
    pass


class StrataSchema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        log_errors(errors, execution_context)


def build_schema(
    settings: Settings | None = None, tracing: Callable[[], SchemaExtension] | None = None
) -> strawberry.Schema:
    """The schema with limits from ``settings`` (defaults when None, e.g. for export)."""
    settings = settings or Settings()
    extensions: list[type[SchemaExtension] | Callable[[], SchemaExtension]] = [
        lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
        lambda: ParserCache(maxsize=settings.parser_cache_size),
        lambda: QueryCostLimiter(max_selections=settings.max_selections, max_cost=settings.max_query_cost),
        lambda: QueryDepthLimiter(max_depth=settings.max_query_depth),
        lambda: MaxAliasesLimiter(max_alias_count=settings.max_aliases),
        lambda: CheckedValidationCache(maxsize=settings.parser_cache_size),
        MaskInternalErrors,
        OperationMetrics,
        *([RequirePolicyCheck] if settings.require_policy_check else []),
        *([tracing] if tracing else []),
    ]
    return StrataSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[CopernicusRequest, File, Folder, Organization, Share, Upload, User, RequestErrorCode],
        config=StrawberryConfig(scalar_map=SCALARS),
        extensions=extensions,
    )
