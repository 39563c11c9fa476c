"""/metrics: operations by name, errors by code, presigned URLs, subscriptions, Copernicus jobs."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families
from websockets.asyncio.client import connect

from tests.helpers import sandbox, start_upload


async def scrape(http: httpx.AsyncClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = await http.get("/metrics")
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
    before = await scrape(http)
    await alice.data("query Catalogue { me { id } }")
    await alice.data("query Catalogue { me { id } }")
    folder = await sandbox(alice)
    await start_upload(alice, folder, "metered.bin", b"x" * (11 * 1024 * 1024))  # three part URLs
    refused = await alice.data(
        'mutation NameClash($p: ID!) { createFolder(input: {parentId: $p, name: "a/b"}) { userErrors { code } } }',
        {"p": folder},
    )
    codes = [e["code"] for e in refused["createFolder"]["userErrors"]]
    unauthenticated = await http.post("/graphql", json={"query": "query Anonymous { me { id } }"})
    assert unauthenticated.status_code == 200
    after = await scrape(http)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("strata_graphql_operations_total", operation="Catalogue", type="query", outcome="ok") == 2
    assert grew("strata_graphql_operation_seconds_count", operation="Catalogue", type="query") == 2
    assert grew("strata_graphql_operations_total", operation="NameClash", type="mutation", outcome="ok") == 1
    assert grew("strata_graphql_errors_total", code=codes[0], kind="user") == 1
    assert grew("strata_graphql_operations_total", operation="Anonymous", type="query", outcome="error") == 1
    assert grew("strata_graphql_errors_total", code="UNAUTHENTICATED", kind="graphql") == 1
    assert grew("strata_presigned_urls_total", kind="upload_part") == 3
    assert ("strata_copernicus_requests", (("status", "PENDING"),)) in after


async def test_client_chosen_operation_names_cannot_grow_the_series_without_bound(
    http: httpx.AsyncClient, as_user: Any
) -> None:
    alice = as_user("alice")
    await alice.data("query Way_Too_Long_" + "x" * 80 + " { me { id } }")
    samples = await scrape(http)
    names = {dict(labels).get("operation") for (name, labels) in samples if name == "strata_graphql_operations_total"}
    assert "anonymous:me" in names  # an unusable name falls back to the root fields
    assert not any(n and n.startswith("Way_Too_Long") for n in names)


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
