"""Prometheus metrics: what each process exposes on /metrics, and the hooks that feed it.

Metrics are process-wide (one replica, one set of counters); Prometheus sums over replicas.
Label values a client chooses (operation names) are bounded, so no client can grow the
series without limit.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import httpx
from graphql import GraphQLError, OperationDefinitionNode
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest
from starlette.responses import Response
from strawberry.extensions import SchemaExtension

from storage.copernicus import jobs
from storage.models import RequestStatus
from storage.mongo import Database

OPERATIONS = Counter(
    "strata_graphql_operations_total", "GraphQL operations by name, type and outcome", ["operation", "type", "outcome"]
)
OPERATION_SECONDS = Histogram(
    "strata_graphql_operation_seconds",
    "Time to execute a GraphQL query or mutation",
    ["operation", "type"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
ERRORS = Counter("strata_graphql_errors_total", "GraphQL errors and user errors by code", ["code", "kind"])
SUBSCRIPTIONS = Gauge("strata_subscriptions_active", "Open GraphQL subscriptions in this process", ["subscription"])
PRESIGNED_URLS = Counter("strata_presigned_urls_total", "Presigned S3 URLs handed out", ["kind"])
UPSTREAM_CALLS = Counter(
    "strata_upstream_requests_total", "Calls to Copernicus upstreams by outcome", ["upstream", "outcome"]
)
UPSTREAM_SECONDS = Histogram(
    "strata_upstream_request_seconds", "Time to the response headers of an upstream call", ["upstream"]
)
JOBS = Gauge("strata_copernicus_requests", "Copernicus requests by status (the whole store)", ["status"])
WORKER_IN_FLIGHT = Gauge("strata_copernicus_worker_in_flight", "Submissions, downloads and cancels running now")

_NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]{0,63}$")
MAX_OPERATION_LABELS = 500
_seen_operations: set[str] = set()


def operation_label(name: str | None, root_fields: list[str]) -> str:
    """The client's operation name when it is a sane one, else the root fields; bounded in number."""
    label = name if name and _NAME.match(name) else "anonymous:" + ",".join(sorted(root_fields)[:3])
    if label not in _seen_operations:
        if len(_seen_operations) >= MAX_OPERATION_LABELS:
            return "other"
        _seen_operations.add(label)
    return label


def _user_error_codes(data: Mapping[str, Any] | None) -> Iterator[str]:
    for payload in (data or {}).values():
        if isinstance(payload, Mapping):
            for error in payload.get("userErrors") or ():
                if isinstance(error, Mapping) and error.get("code"):
                    yield str(error["code"]).upper()


def _error_code(error: GraphQLError) -> str:
    code = (error.extensions or {}).get("code")
    return str(code) if code else ("VALIDATION" if error.original_error is None else "INTERNAL")


class OperationMetrics(SchemaExtension):
    """Counts and times each query and mutation; counts errors and user errors by code."""

    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        yield
        context = self.execution_context
        try:
            kind = context.operation_type.value
        except Exception:  # unparsable document: there is no operation to name
            kind = "invalid"
        if kind == "subscription":
            return  # its lifetime is the connection's; SUBSCRIPTIONS counts them
        document = context.graphql_document
        roots = [
            selection.name.value
            for definition in (document.definitions if document else ())
            if isinstance(definition, OperationDefinitionNode)
            for selection in definition.selection_set.selections
            if hasattr(selection, "name")
        ]
        label = operation_label(context.operation_name, roots)
        result = context.result
        # Strawberry copies execution errors into pre_execution_errors too: take one list, not both.
        errors = list((result.errors if result else None) or context.pre_execution_errors or [])
        OPERATIONS.labels(label, kind, "error" if errors else "ok").inc()
        OPERATION_SECONDS.labels(label, kind).observe(time.perf_counter() - started)
        for error in errors:
            ERRORS.labels(_error_code(error), "graphql").inc()
        for code in _user_error_codes(result.data if result else None):
            ERRORS.labels(code, "user").inc()


@contextlib.contextmanager
def active_subscription(name: str) -> Iterator[None]:
    """Around a subscription's body, so the gauge follows it from start to close."""
    gauge = SUBSCRIPTIONS.labels(name)
    gauge.inc()
    try:
        yield
    finally:
        gauge.dec()


class CountingTransport(httpx.AsyncBaseTransport):
    """Counts and times every upstream call, failures included, whatever provider makes it."""

    def __init__(self, inner: httpx.AsyncBaseTransport, name_of: Callable[[httpx.URL], str]) -> None:
        self.inner = inner
        self.name_of = name_of

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        upstream = self.name_of(request.url)
        started = time.perf_counter()
        try:
            response = await self.inner.handle_async_request(request)
        except httpx.TransportError as error:
            UPSTREAM_CALLS.labels(upstream, type(error).__name__).inc()
            raise
        UPSTREAM_SECONDS.labels(upstream).observe(time.perf_counter() - started)
        UPSTREAM_CALLS.labels(upstream, f"{response.status_code // 100}xx").inc()
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


def upstream_namer(urls: Mapping[str, str | None]) -> Callable[[httpx.URL], str]:
    """Names a call by the configured upstream whose host it goes to (downloads may go elsewhere)."""
    hosts = {httpx.URL(url).host: name for name, url in urls.items() if url}
    return lambda url: hosts.get(url.host, "other")


async def metrics_response(db: Database | None) -> Response:
    if db is not None:
        counts = await jobs.count_by_status(db.engine)
        for status in RequestStatus:
            JOBS.labels(status.value).set(counts.get(status.value, 0))
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
