"""Query depth, tokens, aliases and body size are capped with clear errors; the server stays up."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx

from devservices.api import serve_api
from graphql_api.settings import Settings
from tests.graphql import GraphQLClient


async def _still_serving(http: httpx.AsyncClient, token: str) -> None:
    response = await http.post(
        "/graphql", json={"query": "{ me { id } }"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200
    assert response.json()["data"]["me"]["id"]


async def test_too_many_aliases(gql: GraphQLClient, tokens: Callable[[str], str]) -> None:
    query = "{ " + " ".join(f"a{i}: me {{ id }}" for i in range(31)) + " }"
    body = await gql.as_(tokens("alice")).execute(query)
    assert body.get("data") is None
    assert any("aliases" in e["message"].lower() for e in body["errors"]), body
    await _still_serving(gql.http, tokens("alice"))


async def test_too_many_tokens(gql: GraphQLClient, tokens: Callable[[str], str]) -> None:
    query = "{ me { " + " ".join(["id"] * 6000) + " } }"
    body = await gql.as_(tokens("alice")).execute(query)
    assert body.get("data") is None
    assert any("token" in e["message"].lower() for e in body["errors"]), body
    await _still_serving(gql.http, tokens("alice"))


async def test_body_larger_than_the_cap_is_refused_before_parsing(
    gql: GraphQLClient, tokens: Callable[[str], str]
) -> None:
    padding = "#" + "x" * (1100 * 1024) + "\n"
    response = await gql.as_(tokens("alice")).post(padding + "{ me { id } }")
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
    await _still_serving(gql.http, tokens("alice"))


async def test_streamed_body_without_length_is_capped_too(gql: GraphQLClient, tokens: Callable[[str], str]) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(120):
            yield b" " * 10_000

    response = await gql.http.post(
        "/graphql",
        content=chunks(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {tokens('alice')}"},
    )
    assert response.status_code == 413
    await _still_serving(gql.http, tokens("alice"))


async def test_query_deeper_than_the_limit(settings: Settings, tokens: Callable[[str], str]) -> None:
    shallow = settings.model_copy(update={"max_query_depth": 2})
    with serve_api(shallow) as url:
        async with httpx.AsyncClient(base_url=url) as http:
            client = GraphQLClient(http, tokens("alice"))
            body = await client.execute("{ me { organizations { rootFolder { id } } } }")
            assert body.get("data") is None
            assert any("exceeds maximum operation depth of 2" in e["message"] for e in body["errors"]), body
            assert (await client.data("{ me { organizations { slug } } }"))["me"]["organizations"]
            introspection = await client.data(
                "{ __schema { types { fields { type { ofType { ofType { name } } } } } } }"
            )
            assert introspection["__schema"]["types"]


async def test_introspection_needs_a_token(gql: GraphQLClient, tokens: Callable[[str], str]) -> None:
    # Before issue 26 anyone could read the schema; now only a signed-in caller (docs/security.md).
    body = await gql.execute("{ __schema { queryType { name } } }")
    assert body.get("data") is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"]
    signed_in = GraphQLClient(gql.http, tokens("alice"))
    assert (await signed_in.data("{ __schema { queryType { name } } }"))["__schema"]["queryType"]["name"] == "Query"
