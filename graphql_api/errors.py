"""Expected errors pass through with their code; anything else is masked with a request id."""

from __future__ import annotations

import logging

from graphql import GraphQLError
from strawberry.extensions import MaskErrors
from strawberry.types import ExecutionContext

from graphql_api.observability import request_id_var
from resolvers.errors import ExpectedError, RequestErrorCode, UserFailure

log = logging.getLogger("strata.graphql")


def is_unexpected(error: GraphQLError) -> bool:
    original = error.original_error
    return original is not None and not isinstance(original, ExpectedError | UserFailure | GraphQLError)


class MaskInternalErrors(MaskErrors):
    """Replaces unexpected errors by ``INTERNAL`` with the request id; the trace goes to the log only."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=is_unexpected)

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        return internal_error(error)


def internal_error(error: GraphQLError | None = None) -> GraphQLError:
    """What the client sees of an unexpected failure: INTERNAL and the request id to quote."""
    request_id = request_id_var.get()
    return GraphQLError(
        message=f"Internal error; quote request id {request_id} when reporting it.",
        nodes=error.nodes if error else None,
        source=error.source if error else None,
        positions=error.positions if error else None,
        path=error.path if error else None,
        extensions={"code": RequestErrorCode.INTERNAL.value, "requestId": request_id},
    )


def log_errors(errors: list[GraphQLError], execution_context: ExecutionContext | None) -> None:
    """Unexpected errors with their stack trace; expected ones briefly, as they are the client's."""
    for error in errors:
        original = error.original_error
        if is_unexpected(error) and original is not None:
            log.error(
                "unexpected error at %s: %s",
                ".".join(map(str, error.path or [])) or "-",
                original,
                exc_info=(type(original), original, original.__traceback__),
            )
        else:
            log.info("request error: %s", error.message)
