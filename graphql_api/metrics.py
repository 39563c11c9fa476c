"""Prometheus metrics: what each process exposes on /metrics, and the hooks that feed it.

Metrics are process-wide (one replica, one set of counters); Prometheus sums over replicas.
No label is a string a client chose: operations are counted by the schema's root fields they
select, so the series are as many as the schema's fields, whatever clients send.
"""

from __future__ import annotations

import contextlib
import hmac
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import httpx
from graphql import DocumentNode, FieldNode, GraphQLError, GraphQLSchema, OperationDefinitionNode
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
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

# Introspection's own root fields: finite, like the schema's.
_META_FIELDS = frozenset({"__typename", "__schema", "__type"})


def root_field_labels(schema: GraphQLSchema, kind: str, document: DocumentNode | None, name: str | None) -> list[str]:
    """One label per root field the operation selects, each a field of the schema (or ``unknown``):
    a client chooses which of a finite set it calls, never the words of a label."""
    root = {"query": schema.query_type, "mutation": schema.mutation_type}.get(kind)
    known = set(root.fields) | _META_FIELDS if root is not None else set()
    operations = [d for d in (document.definitions if document else ()) if isinstance(d, OperationDefinitionNode)]
    chosen = [d for d in operations if name is None or (d.name is not None and d.name.value == name)][:1]
    fields = {
        selection.name.value if selection.name.value in known else "unknown"
        for definition in chosen
        for selection in definition.selection_set.selections
        if isinstance(selection, FieldNode)
    }
    return sorted(fields) or ["unknown"]


def count_unauthenticated() -> None:
    """A request refused before its document was read (graphql_api/app.py)."""
    OPERATIONS.labels("unauthenticated", "unknown", "error").inc()
    ERRORS.labels("UNAUTHENTICATED", "graphql").inc()


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
    """Counts and times each query and mutation under each root field it selects; counts errors
    and user errors by code."""

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
        labels = root_field_labels(context.schema._schema, kind, context.graphql_document, context.operation_name)
        result = context.result
        # Strawberry copies execution errors into pre_execution_errors too: take one list, not both.
        errors = list((result.errors if result else None) or context.pre_execution_errors or [])
        seconds = time.perf_counter() - started
        for label in labels:
            OPERATIONS.labels(label, kind, "error" if errors else "ok").inc()
            OPERATION_SECONDS.labels(label, kind).observe(seconds)
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


_LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


def scrape_refusal(request: Request, token: str | None) -> Response | None:
    """Why /metrics is not for this caller, or None when it is: with a token set, only a request
    bearing it; without one, only a caller on the same machine (an operator's shell, a sidecar)."""
    if token:
        sent = request.headers.get("authorization", "")
        if hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
            return None
        return PlainTextResponse(
            "send 'Authorization: Bearer <STRATA_METRICS_TOKEN>'\n", 401, {"WWW-Authenticate": "Bearer"}
        )
    if request.client is not None and request.client.host in _LOOPBACK:
        return None
    return PlainTextResponse("/metrics answers this machine only; set STRATA_METRICS_TOKEN to scrape it\n", 403)


async def metrics_response(db: Database | None) -> Response:
    if db is not None:
        counts = await jobs.count_by_status(db.engine)
        for status in RequestStatus:
            JOBS.labels(status.value).set(counts.get(status.value, 0))
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
