"""Security headers on every answer: what the catalogue's page may load and who may frame it.

The catalogue's Content-Security-Policy names each origin it talks to (itself, the issuer, the
object store) and nothing else; no inline script or style. A page with other needs (GraphiQL)
sends its own policy, which this middleware leaves in place.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graphql_api.settings import Settings

ALWAYS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def store_origins(settings: Settings) -> list[str]:
    """Where browsers fetch parts and previews: the store's public name, or AWS's own for the bucket."""
    endpoint = settings.s3_public_endpoint_url or settings.s3_endpoint_url
    if endpoint:
        return [origin(endpoint)]
    region = settings.s3_region
    return [f"https://{settings.s3_bucket}.s3.{region}.amazonaws.com", f"https://s3.{region}.amazonaws.com"]


def catalogue_policy(settings: Settings) -> str:
    issuer = origin(settings.oidc_issuer)
    store = " ".join(store_origins(settings))
    directives = {
        "default-src": "'none'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": f"'self' data: blob: {store}",
        "font-src": "'self'",
        # 'self' covers the same host's WebSocket (graphql-ws) in CSP 3 browsers.
        "connect-src": f"'self' {issuer} {store}",
        "worker-src": "'self'",
        # The save worker's hidden frame is ours; oidc-client-ts falls back to the issuer in a frame.
        "frame-src": f"'self' {issuer}",
        "form-action": f"'self' {issuer}",
        "manifest-src": "'self'",
        "base-uri": "'none'",
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


GRAPHIQL_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        # GraphiQL's editors write their own style elements at run time.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)


class SecurityHeadersMiddleware:
    """Adds ``ALWAYS`` and the catalogue's policy to each HTTP answer that does not set its own."""

    def __init__(self, app: ASGIApp, policy: str) -> None:
        self.app = app
        self.policy = policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in ALWAYS.items():
                    headers.setdefault(name, value)
                headers.setdefault("Content-Security-Policy", self.policy)
            await send(message)

        await self.app(scope, receive, send_with_headers)
