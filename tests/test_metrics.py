"""/metrics: operations by name, errors by code, presigned URLs, subscriptions, Copernicus jobs."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from websockets.asyncio.client import connect

from graphql_api.metrics import scrape_refusal
from graphql_api.schema import build_schema
from tests.helpers import METRICS_HEADERS, sandbox, start_upload


async def scrape(http: httpx.AsyncClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = await http.get("/metrics", headers=METRICS_HEADERS)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_operations_errors_and_presigned_urls_are_counted(http: httpx.AsyncClient, as_user: Any) -> None:
    alice = as_user("alice")
    folder = await sandbox(alice)
    before = await scrape(http)
    directory = "query Catalogue { organizations(first: 1) { nodes { slug } } }"
    await alice.data(directory)
    await alice.data(directory)
    await start_upload(alice, folder, "metered.bin", b"x" * (11 * 1024 * 1024))  # three part URLs
    refused = await alice.data(
        'mutation NameClash($p: ID!) { createFolder(input: {parentId: $p, name: "a/b"}) { userErrors { code } } }',
        {"p": folder},
    )
    codes = [e["code"] for e in refused["createFolder"]["userErrors"]]
    unauthenticated = await http.post("/graphql", json={"query": "query Anonymous { me { id } }"})
    unknown = await alice.post('query Guess { mee { id } folder(id: "x") { id } }')
    assert unknown.json()["errors"]
    assert unauthenticated.status_code == 200
    after = await scrape(http)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("strata_graphql_operations_total", operation="organizations", type="query", outcome="ok") == 2
    assert grew("strata_graphql_operation_seconds_count", operation="organizations", type="query") == 2
    assert grew("strata_graphql_operations_total", operation="createFolder", type="mutation", outcome="ok") == 1
    assert grew("strata_graphql_errors_total", code=codes[0], kind="user") == 1
    assert grew("strata_graphql_operations_total", operation="unknown", type="query", outcome="error") == 1
    assert grew("strata_graphql_operations_total", operation="folder", type="query", outcome="error") == 1
    assert grew("strata_graphql_operations_total", operation="unauthenticated", type="unknown", outcome="error") == 1
    assert grew("strata_graphql_errors_total", code="UNAUTHENTICATED", kind="graphql") == 1
    assert grew("strata_presigned_urls_total", kind="upload_part") == 3
    assert ("strata_copernicus_requests", (("status", "PENDING"),)) in after


async def test_no_label_is_a_string_the_client_chose(http: httpx.AsyncClient, as_user: Any) -> None:
    # given: a signed-in client sending many made-up operation names and field names
    alice = as_user("alice")
    for n in range(30):
        await alice.post(f"query Poison{n} {{ me {{ id }} field{n} {{ id }} }}")
    # then: every operation label is a root field of the schema, "unknown" or "unauthenticated"
    samples = await scrape(http)
    names = {dict(labels)["operation"] for (name, labels) in samples if name == "strata_graphql_operations_total"}
    assert not any(n.startswith(("Poison", "field", "anonymous")) for n in names)
    assert {"me", "unknown"} <= names
    schema = build_schema()._schema
    assert schema.query_type is not None
    assert schema.mutation_type is not None
    roots = {*schema.query_type.fields, *schema.mutation_type.fields, "__typename", "__schema", "__type"}
    assert names - {"unknown", "unauthenticated"} <= roots


async def test_metrics_need_the_operators_token(http: httpx.AsyncClient) -> None:
    assert (await http.get("/metrics")).status_code == 401
    wrong = await http.get("/metrics", headers={"Authorization": "Bearer suite-metrics-tokeN"})
    assert wrong.status_code == 401
    assert wrong.headers["www-authenticate"] == "Bearer"
    assert "strata_graphql" not in wrong.text


async def test_without_a_token_metrics_answer_this_machine_only() -> None:
    async def endpoint(request: Request) -> Response:
        return scrape_refusal(request, None) or PlainTextResponse("scraped")

    app = Starlette(routes=[Route("/metrics", endpoint)])

    async def scrape_from(host: str) -> httpx.Response:
        transport = httpx.ASGITransport(app=app, client=(host, 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://strata") as client:
            return await client.get("/metrics")

    from_afar = await scrape_from("10.1.2.3")
    assert (from_afar.status_code, from_afar.text.split(";")[0]) == (403, "/metrics answers this machine only")
    assert (await scrape_from("127.0.0.1")).text == "scraped"


async def test_open_subscriptions_are_a_gauge(http: httpx.AsyncClient, api_url: str, tokens: Any) -> None:
    labels = {"subscription": "copernicusRequestsUpdated"}
    before = value(await scrape(http), "strata_subscriptions_active", **labels)
    async with connect(api_url.replace("http", "ws") + "/graphql", subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
        await ws.send(
            json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {tokens('alice')}"}})
        )
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        query = "subscription { copernicusRequestsUpdated { event { seq } } }"
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}}))
        for _ in range(50):
            if value(await scrape(http), "strata_subscriptions_active", **labels) == before + 1:
                break
            await asyncio.sleep(0.05)
        assert value(await scrape(http), "strata_subscriptions_active", **labels) == before + 1
    for _ in range(50):
        if value(await scrape(http), "strata_subscriptions_active", **labels) == before:
            break
        await asyncio.sleep(0.05)
    assert value(await scrape(http), "strata_subscriptions_active", **labels) == before
