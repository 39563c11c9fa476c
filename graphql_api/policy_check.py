"""A guard in the style of dagster's ``require_permission_check``: in tests, an operation whose
resolvers never asked the access policy fails, so a new resolver cannot forget to.

Root fields that only ever act on the caller's own things (their profile, their keys, their
requests and the shares made to them) are exempt; every other operation must consult
``resolvers.access`` at least once. Switched on by ``STRATA_REQUIRE_POLICY_CHECK`` (the suite
does); in production it costs nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import FieldNode, GraphQLError, OperationDefinitionNode, OperationType
from strawberry.extensions import SchemaExtension

from resolvers import access
from resolvers.errors import RequestErrorCode

OWN_ONLY = frozenset(
    {
        "me",
        "sharedWithMe",
        "copernicusServices",
        "copernicusDatasets",
        "copernicusRequests",
        "setCopernicusKey",
        "removeCopernicusKey",
        "__typename",
        "__schema",
        "__type",
    }
)


def _served(data: dict[str, Any] | None) -> bool:
    """Whether the answer holds anything: a root value that is not null, not empty, not a page
    without items and not a payload that refused (its ``userErrors`` set). A refusal or a "not
    found" reveals nothing."""
    for value in (data or {}).values():
        if value in (None, [], {}):
            continue
        if isinstance(value, dict) and value.get("userErrors"):
            continue
        paged = isinstance(value, dict) and ("edges" in value or "nodes" in value)
        if paged and not value.get("edges") and not value.get("nodes"):
            continue  # an empty page

        if isinstance(value, list) and all(v is None for v in value):
            continue
        return True
    return False


class RequirePolicyCheck(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        ledger = access.start_ledger()
        yield
        context = self.execution_context
        result = context.result
        if result is None or result.errors or context.graphql_document is None:
            return  # refused already (not signed in, bad input): nothing was served
        operation = next(
            (d for d in context.graphql_document.definitions if isinstance(d, OperationDefinitionNode)), None
        )
        if operation is None or operation.operation is OperationType.SUBSCRIPTION:
            return  # subscriptions ask the policy per event, after this hook has run
        roots = {s.name.value for s in operation.selection_set.selections if isinstance(s, FieldNode)}
        if roots - OWN_ONLY and ledger.asked == 0 and _served(result.data):
            result.errors = [
                GraphQLError(
                    f"no access decision was made for {sorted(roots - OWN_ONLY)}",
                    extensions={"code": RequestErrorCode.POLICY_NOT_ASKED.value},
                )
            ]
