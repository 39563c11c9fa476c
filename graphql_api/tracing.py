"""Optional OpenTelemetry tracing: one span per GraphQL operation and per resolver, sent over OTLP/HTTP.

Switched on by ``STRATA_OTEL_ENDPOINT``; the packages come with the ``otel`` extra (the
container image has it). Argument values are never recorded: they carry users' keys and data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLResolveInfo
from strawberry.extensions import SchemaExtension

from graphql_api.settings import Settings


@dataclass(frozen=True)
class Tracing:
    extension: Callable[[], SchemaExtension]
    shutdown: Callable[[], None]  # flushes what is buffered; the process may end by signal, not atexit


def _no_values(arguments: dict[str, Any], info: GraphQLResolveInfo[Any]) -> dict[str, Any]:
    return {}


def tracing(settings: Settings) -> Tracing | None:
    if not settings.otel_endpoint:
        return None
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor
    from strawberry.extensions.tracing import OpenTelemetryExtension

    provider = TracerProvider(
        resource=Resource.create({"service.name": settings.otel_service_name}), shutdown_on_exit=False
    )
    exporter = OTLPSpanExporter(endpoint=settings.otel_endpoint.rstrip("/") + "/v1/traces")
    provider.add_span_processor(BatchSpanProcessor(exporter, schedule_delay_millis=1000))
    return Tracing(lambda: OpenTelemetryExtension(arg_filter=_no_values, tracer_provider=provider), provider.shutdown)
