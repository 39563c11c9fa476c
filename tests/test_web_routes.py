"""The catalogue's files and GraphiQL, served by the API itself (no CDN), with the right caching."""

from __future__ import annotations

from pathlib import Path

import httpx

from devservices.api import serve_api
from graphql_api.settings import Settings
from graphql_api.web import DEFAULT_DIST


async def test_the_catalogue_pages_and_assets_are_served_with_their_caching(http: httpx.AsyncClient) -> None:
    index = await http.get("/")
    assert index.status_code == 200
    assert '<div id="app">' in index.text
    assert index.headers["cache-control"] == "no-cache"
    # Deep links are pages of the app: index.html, so a reload keeps the place.
    deep = await http.get("/folders/Rm9sZGVyOjE=?sort=SIZE")
    assert deep.status_code == 200
    assert deep.text == index.text
    asset = next(name for name in (DEFAULT_DIST / "assets").iterdir() if name.suffix == ".js")
    hashed = await http.get(f"/assets/{asset.name}")
    assert hashed.status_code == 200
    assert hashed.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert (await http.get("/assets/missing-123.js")).status_code == 404
    assert (await http.get("/no-such-file.js")).status_code == 404
    assert (await http.get("/../pyproject.toml")).status_code == 404


async def test_web_config_names_the_issuer_and_the_public_client(http: httpx.AsyncClient, settings: Settings) -> None:
    config = (await http.get("/web-config.json")).json()
    assert config == {"issuer": settings.oidc_issuer.rstrip("/"), "clientId": "strata-web", "graphql": "/graphql"}


async def test_graphiql_loads_only_strata_s_own_files(http: httpx.AsyncClient) -> None:
    page = await http.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "/graphiql/graphiql.min.js" in page.text
    assert "https://" not in page.text
    for name in ("graphiql.min.js", "graphiql.min.css", "react.production.min.js", "react-dom.production.min.js"):
        served = await http.get(f"/graphiql/{name}")
        assert served.status_code == 200, name
        assert len(served.content) > 1000
    start = await http.get("/graphiql/strata.js")
    assert "GraphiQL.createFetcher" in start.text
    assert start.headers["content-type"].startswith("text/javascript")


def directives(policy: str) -> dict[str, set[str]]:
    return {name: set(values) for name, *values in (part.split() for part in policy.split(";"))}


async def test_every_answer_carries_the_security_headers(http: httpx.AsyncClient, settings: Settings) -> None:
    answers = {
        "catalogue": await http.get("/folders/x"),
        "api": await http.post("/graphql", json={"query": "{ me { id } }"}),
        "health": await http.get("/healthz"),
    }
    for what, answer in answers.items():
        assert answer.headers["x-content-type-options"] == "nosniff", what
        assert answer.headers["referrer-policy"] == "no-referrer", what
        assert answer.headers["x-frame-options"] == "DENY", what
        policy = directives(answer.headers["content-security-policy"])
        assert policy["frame-ancestors"] == {"'none'"}, what
        assert policy["script-src"] == {"'self'"}, what  # no inline script, no other host
        assert policy["default-src"] == {"'none'"}, what
    catalogue = directives(answers["catalogue"].headers["content-security-policy"])
    assert catalogue["style-src"] == {"'self'"}
    issuer = settings.oidc_issuer.split("/realms")[0]
    store = settings.s3_public_endpoint_url or settings.s3_endpoint_url
    assert catalogue["connect-src"] == {"'self'", issuer, store}


async def test_graphiql_has_its_own_policy_without_inline_script(http: httpx.AsyncClient) -> None:
    page = await http.get("/graphql", headers={"Accept": "text/html"})
    policy = directives(page.headers["content-security-policy"])
    assert policy["script-src"] == {"'self'"}
    assert policy["connect-src"] == {"'self'"}
    assert "<script>" not in page.text  # every script is a file


async def test_an_unbuilt_catalogue_says_how_to_build_it(settings: Settings, tmp_path: Path) -> None:
    unbuilt = settings.model_copy(update={"web_dist": str(tmp_path)})
    with serve_api(unbuilt) as url:
        async with httpx.AsyncClient(base_url=url) as http:
            page = await http.get("/folders/x")
            graphiql = await http.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 503
    assert "make run" in page.text
    assert "make run" in graphiql.text
