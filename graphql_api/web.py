"""The web catalogue's routes: its built files at ``/``, its sign-in settings, and GraphiQL served
from Strata itself (no CDN), so both work on networks without the internet.

Hashed assets under ``/assets`` never change and are cached for a year; ``index.html`` is
revalidated on every load, so a new build reaches people on their next visit. Any path that is
not a file is a page of the catalogue (deep links) and gets ``index.html``.
"""

from __future__ import annotations

import html
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from graphql_api.headers import GRAPHIQL_POLICY
from graphql_api.settings import Settings

DEFAULT_DIST = Path(__file__).resolve().parents[1] / "web" / "dist"
IMMUTABLE = "public, max-age=31536000, immutable"
NOT_BUILT = (
    "The web catalogue is not built. Run `make run` (it builds web/ when its sources change), "
    "or `npm ci && npm run build` in web/.\n"
)
# Files GraphiQL needs, copied from npm packages into dist/graphiql by the catalogue's build.
GRAPHIQL_FILES = ("react.production.min.js", "react-dom.production.min.js", "graphiql.min.js", "graphiql.min.css")


def dist_folder(settings: Settings) -> Path:
    return Path(settings.web_dist) if settings.web_dist else DEFAULT_DIST


class ImmutableFiles(StaticFiles):
    """Content-hashed files: one name, one content, forever."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code == 200:
            response.headers["Cache-Control"] = IMMUTABLE
        return response


# GraphiQL's start, a file of its own: the page's policy allows no inline script.
GRAPHIQL_START = """document.documentElement.style.height = "100%";
document.body.style.cssText = "height: 100%; margin: 0";
document.getElementById("graphiql").style.height = "100%";
const http = new URL("/graphql", location.href);
const ws = new URL("/graphql", location.href);
ws.protocol = location.protocol === "https:" ? "wss:" : "ws:";
const fetcher = GraphiQL.createFetcher({ url: http.href, subscriptionUrl: ws.href });
ReactDOM.createRoot(document.getElementById("graphiql")).render(
  React.createElement(GraphiQL, {
    fetcher,
    defaultEditorToolsVisibility: true,
    headers: JSON.stringify({ Authorization: "Bearer <access token>" }, null, 2),
    shouldPersistHeaders: false,
  })
);
"""


def graphiql_page(settings: Settings) -> str:
    """GraphiQL over Strata's own copies of its scripts; the Headers tab takes ``Authorization``."""
    available = all((dist_folder(settings) / "graphiql" / name).is_file() for name in GRAPHIQL_FILES)
    if not available:
        return f"<!doctype html><title>Strata GraphiQL</title><pre>{html.escape(NOT_BUILT)}</pre>"
    return """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Strata GraphiQL</title>
<link rel="stylesheet" href="/graphiql/graphiql.min.css">
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
<script src="/graphiql/react.production.min.js"></script>
<script src="/graphiql/react-dom.production.min.js"></script>
<script src="/graphiql/graphiql.min.js"></script>
<script src="/graphiql/strata.js"></script>
</body>
</html>
"""


def routes(settings: Settings) -> list[BaseRoute]:
    """``/web-config.json``, ``/graphiql/*``, ``/assets/*`` and the catalogue's pages; placed last."""
    dist = dist_folder(settings)

    async def config(request: Request) -> Response:
        body = {"issuer": settings.oidc_issuer.rstrip("/"), "clientId": settings.web_client_id, "graphql": "/graphql"}
        return JSONResponse(body, headers={"Cache-Control": "no-cache"})

    async def page(request: Request) -> Response:
        index = dist / "index.html"
        path = request.path_params.get("path", "")
        if "." in path.rsplit("/", 1)[-1]:
            candidate = (dist / path).resolve()
            if candidate.is_file() and candidate.is_relative_to(dist.resolve()):
                return FileResponse(candidate, headers={"Cache-Control": "no-cache"})
            return PlainTextResponse("not found\n", status_code=404)
        if not index.is_file():
            return PlainTextResponse(NOT_BUILT, status_code=503)
        return FileResponse(index, headers={"Cache-Control": "no-cache"})

    async def graphiql_start(request: Request) -> Response:
        return Response(GRAPHIQL_START, media_type="text/javascript", headers={"Cache-Control": "no-cache"})

    return [
        Route("/web-config.json", config),
        Route("/graphiql/strata.js", graphiql_start),
        Mount("/graphiql", app=ImmutableFiles(directory=dist / "graphiql", check_dir=False)),
        Mount("/assets", app=ImmutableFiles(directory=dist / "assets", check_dir=False)),
        Route("/", page),
        Route("/{path:path}", page),
    ]


def graphiql_response(page: str) -> HTMLResponse:
    return HTMLResponse(page, headers={"Cache-Control": "no-cache", "Content-Security-Policy": GRAPHIQL_POLICY})
