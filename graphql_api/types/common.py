"""Pieces every area shares: BigInt, UserError, page info and connections, list arguments."""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Awaitable, Callable, Mapping
from typing import Annotated, Any, Generic, NewType, TypeVar

import strawberry
from graphql import GraphQLError, IntValueNode, StringValueNode, ValueNode
from strawberry.types.scalar import ScalarDefinition

from graphql_api.context import Info
from resolvers.errors import MEANINGS, REQUEST_MEANINGS, RequestErrorCode, UserErrorCode, UserFailure
from resolvers.identity import Principal
from resolvers.pagination import DEFAULT_PAGE, Direction, Page, PageRequest, SortField
from storage.mongo import Database

T = TypeVar("T")
D = TypeVar("D")


def _parse_big_int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError("BigInt must be a whole number")
    try:
        number = int(value)
    except ValueError:
        raise ValueError("BigInt must be a whole number") from None
    if not -(2**63) <= number < 2**63:
        raise ValueError("BigInt must fit in 64 bits")
    return number


def _parse_big_int_literal(node: ValueNode, variables: dict[str, object] | None = None) -> int:
    # A literal such as ``1.5`` or ``"x"`` is a validation error with a message, not an internal one.
    try:
        if isinstance(node, IntValueNode | StringValueNode):
            return _parse_big_int(node.value)
        raise ValueError("BigInt must be a whole number")
    except ValueError as error:
        raise GraphQLError(str(error), node) from None


BigInt = NewType("BigInt", int)

SCALARS: dict[object, ScalarDefinition] = {
    BigInt: strawberry.scalar(
        name="BigInt",
        serialize=int,
        parse_value=_parse_big_int,
        parse_literal=_parse_big_int_literal,
        description="A whole number that may exceed 32 bits (byte sizes and offsets); sent as a JSON number.",
    )
}


def documented_enum(cls: type[enum.Enum], name: str, description: str, meanings: Mapping[Any, str]) -> None:
    """Register ``cls`` with Strawberry, each value described by its meaning (kept beside the codes)."""
    strawberry.enum(cls, name=name, description=description)
    definition = cls.__strawberry_definition__  # type: ignore[attr-defined]
    definition.values = [dataclasses.replace(v, description=meanings[cls(v.value)]) for v in definition.values]


documented_enum(
    UserErrorCode,
    "UserErrorCode",
    "Why a mutation did not do what was asked: one code per meaning, in `userErrors` (data, not errors).",
    MEANINGS,
)
documented_enum(
    RequestErrorCode,
    "RequestErrorCode",
    "The `extensions.code` of a request-level error in the response's `errors` list. No field returns it; "
    "it is here so clients can be generated against the codes.",
    REQUEST_MEANINGS,
)
strawberry.enum(SortField, name="SortField")
strawberry.enum(Direction, name="SortDirection")


@strawberry.type
class UserError:
    """An expected failure: the request was understood but cannot be done as asked."""

    code: UserErrorCode
    message: str
    field: list[str] = strawberry.field(description="Path of the input field at fault, when there is one.")

    @classmethod
    def from_failure(cls, failure: UserFailure) -> UserError:
        return cls(code=failure.code, message=failure.message, field=failure.field)


async def attempt(action: Callable[[], Awaitable[T]]) -> tuple[T | None, list[UserError]]:
    """Run a mutation body; expected failures come back as user errors, everything else propagates."""
    try:
        return await action(), []
    except UserFailure as failure:
        return None, [UserError.from_failure(failure)]


async def acted(
    info: Info, act: Callable[[Database, Principal], Awaitable[D]], show: Callable[[D, Principal], T]
) -> tuple[T | None, list[UserError]]:
    """Run a mutation's operation as the caller and show its result: the one way every payload is made."""

    async def run() -> T:
        principal = await info.context.principal()
        return show(await act(info.context.state.db, principal), principal)

    return await attempt(run)


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo

    @strawberry.field
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]


def connection(page: Page[D], convert: Callable[[D], T]) -> Connection[T]:
    edges = [Edge(cursor=c, node=convert(item)) for item, c in zip(page.items, page.cursors, strict=True)]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next_page,
            has_previous_page=False,
            start_cursor=page.cursors[0] if page.cursors else None,
            end_cursor=page.cursors[-1] if page.cursors else None,
        ),
    )


First = Annotated[int, strawberry.argument(description="Page length, at most 100.")]
After = Annotated[str | None, strawberry.argument(description="The endCursor of the previous page.")]


def page_request(first: int, after: str | None, sort_by: SortField, direction: Direction) -> PageRequest:
    return PageRequest(first=first, after=after, sort=sort_by, direction=direction).checked()


__all__ = ["DEFAULT_PAGE", "BigInt", "Connection", "UserError", "acted", "attempt", "connection", "page_request"]
