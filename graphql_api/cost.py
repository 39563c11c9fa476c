"""What a query may ask for, decided from its document before validation runs.

Two limits, both counted over the operation with its fragments expanded:
- **selections**: at most ``max_selections`` field selections. Validation compares fields that
  share a response name pairwise, so a thousand copies of ``me { name }`` cost seconds of CPU
  before a resolver runs; counting first costs microseconds.
- **cost**: page sizes multiply, as GitHub's node limit does. A connection with ``first: N`` (by
  default ``DEFAULT_PAGE``, at most ``MAX_PAGE``) counts N times for everything beneath it, and a
  presigned ``download`` counts ``DOWNLOAD_COST`` and ``searchFacets``, which may read ten
  thousand files, ``FACETS_COST``. A query over ``max_cost`` is refused.
The budget is documented in ``docs/security.md``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
)
from strawberry.extensions import SchemaExtension, ValidationCache

from resolvers.errors import RequestErrorCode
from resolvers.pagination import DEFAULT_PAGE, MAX_PAGE

DOWNLOAD_COST = 10
FACETS_COST = 2_500  # three to a query at the default budget
WEIGHTS = {"download": DOWNLOAD_COST, "searchFacets": FACETS_COST}
_MAX_FRAGMENT_DEPTH = 32


class TooExpensive(Exception):
    pass


def _page_size(field: FieldNode, variables: Mapping[str, Any]) -> int | None:
    """Items a list field may return: its ``first``, or the default page for a connection without one."""
    for argument in field.arguments or ():
        if argument.name.value != "first":
            continue
        value = argument.value
        if isinstance(value, IntValueNode):
            return max(0, min(int(value.value), MAX_PAGE))
        if isinstance(value, VariableNode):
            given = variables.get(value.name.value)
            return max(0, min(given, MAX_PAGE)) if isinstance(given, int) else MAX_PAGE
        return MAX_PAGE
    selections = field.selection_set.selections if field.selection_set else ()
    if any(isinstance(s, FieldNode) and s.name.value == "edges" for s in selections):
        return DEFAULT_PAGE
    return None


class _Counter:
    def __init__(
        self, document: DocumentNode, variables: Mapping[str, Any], max_selections: int, max_cost: int
    ) -> None:
        self.fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        self.variables = variables
        self.max_selections = max_selections
        self.max_cost = max_cost
        self.selections = 0
        self.cost = 0

    def _fields(self, selection_set: SelectionSetNode, depth: int) -> Iterator[FieldNode]:
        if depth > _MAX_FRAGMENT_DEPTH:
            raise TooExpensive("fragments nest too deep")
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                yield selection
            elif isinstance(selection, InlineFragmentNode):
                yield from self._fields(selection.selection_set, depth + 1)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is not None:
                    yield from self._fields(fragment.selection_set, depth + 1)

    def walk(self, selection_set: SelectionSetNode, multiplier: int, depth: int = 0) -> None:
        for field in self._fields(selection_set, depth):
            self.selections += 1
            if self.selections > self.max_selections:
                raise TooExpensive(f"a query may select at most {self.max_selections} fields")
            weight = WEIGHTS.get(field.name.value, 1)
            self.cost += multiplier * weight
            if self.cost > self.max_cost:
                raise TooExpensive(f"this query could return more than {self.max_cost} objects; ask for smaller pages")
            if field.selection_set is not None:
                page = _page_size(field, self.variables)
                self.walk(field.selection_set, multiplier * (page if page is not None else 1), depth + 1)


def check(
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any],
    max_selections: int,
    max_cost: int,
) -> int:
    """The cost of the operation that will run; raises ``TooExpensive`` past either limit."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [o for o in operations if operation_name is None or (o.name and o.name.value == operation_name)]
    counter = _Counter(document, variables, max_selections, max_cost)
    for operation in chosen[:1]:
        counter.walk(operation.selection_set, 1)
    return counter.cost


class QueryCostLimiter(SchemaExtension):
    """Refuses, before validation, documents with too many selections or too high a cost."""

    def __init__(self, max_selections: int, max_cost: int) -> None:
        self.max_selections = max_selections
        self.max_cost = max_cost

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is not None and context.pre_execution_errors is None:
            try:
                check(
                    context.graphql_document,
                    context.operation_name,
                    context.variables or {},
                    self.max_selections,
                    self.max_cost,
                )
            except TooExpensive as error:
                # Set before validation runs, so it is skipped: the refusal costs no more than the count.
                context.pre_execution_errors = [
                    GraphQLError(str(error), extensions={"code": RequestErrorCode.QUERY_TOO_EXPENSIVE.value})
                ]
        yield


class CheckedValidationCache(ValidationCache):
    """Strawberry's validation cache, skipped for a document an earlier limit already refused."""

    def on_validate(self) -> Iterator[None]:
        if self.execution_context.pre_execution_errors:
            yield
            return
        yield from super().on_validate()
