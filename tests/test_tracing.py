"""OpenTelemetry, switched on by configuration: spans reach an OTLP/HTTP collector, argument values do not."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from devservices.api import api_process, serve_asgi, strata_env
from graphql_api.settings import Settings
from tests.graphql import GraphQLClient


class Collector:
    """Receives OTLP/HTTP protobuf exports, as an OpenTelemetry collector would."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []

    def app(self) -> Starlette:
        async def traces(request: Request) -> Response:
            assert request.headers["content-type"] == "application/x-protobuf"
            self.bodies.append(await request.body())
            return Response(ExportTraceServiceRequest().SerializeToString(), media_type="application/x-protobuf")

        return Starlette(routes=[Route("/v1/traces", traces, methods=["POST"])])

    def spans(self) -> list[tuple[str, str, dict[str, Any]]]:
        """(service name, span name, attributes) of every span received."""
        found = []
        for body in self.bodies:
            export = ExportTraceServiceRequest.FromString(body)
            for resource_spans in export.resource_spans:
                service = next(
                    a.value.string_value for a in resource_spans.resource.attributes if a.key == "service.name"
                )
                for scope in resource_spans.scope_spans:
                    for span in scope.spans:
                        attributes = {a.key: a.value for a in span.attributes}
                        found.append((service, span.name, attributes))
        return found


async def test_operations_are_traced_without_argument_values(settings: Settings, tokens: Any) -> None:
    collector = Collector()
    secret = "carol-own-key-" + str(time.time_ns())
    with serve_asgi(collector.app()) as collector_url:
        env = {
            **strata_env(settings),
            "STRATA_OTEL_ENDPOINT": collector_url,
            "STRATA_OTEL_SERVICE_NAME": "strata-under-test",
            "STRATA_COPERNICUS_WORKER": "false",
        }
        with api_process(env) as (url, _):
            async with httpx.AsyncClient(base_url=url, timeout=60) as http:
                carol = GraphQLClient(http, tokens("carol"))
                await carol.data("query Traced { me { id } }")
                await carol.execute(
                    'mutation Keyed($k: String!) { setCopernicusKey(input: {service: "CDS", key: $k}) { service } }',
                    {"k": secret},
                )
            deadline = time.monotonic() + 20
            while not any(name == "GraphQL Query: Keyed" for _, name, _ in collector.spans()):
                assert time.monotonic() < deadline, collector.spans()
                await asyncio.sleep(0.2)
    spans = collector.spans()
    assert {service for service, _, _ in spans} == {"strata-under-test"}
    names = [name for _, name, _ in spans]
    assert "GraphQL Query: Traced" in names
    assert "GraphQL Parsing" in names
    assert any(name.startswith("GraphQL Resolving: me") for name in names), names
    assert all(secret.encode() not in body for body in collector.bodies)
