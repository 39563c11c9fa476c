"""Caps on what a request may bring, enforced before it is parsed: its headers and its body."""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from resolvers.errors import RequestErrorCode

MAX_HEADER_BYTES = 64 * 1024


def http_server_options() -> dict[str, Any]:
    """uvicorn options every Strata server runs with: h11, whose parser refuses a request whose
    line and headers pass ``MAX_HEADER_BYTES`` (httptools buffers them without a limit)."""
    return {"http": "h11", "h11_max_incomplete_event_size": MAX_HEADER_BYTES}


def header_bytes(headers: list[tuple[bytes, bytes]]) -> int:
    """A request's header fields as sent: ``name: value`` and CRLF for each."""
    return sum(len(name) + len(value) + 4 for name, value in headers)


class HeaderSizeLimitMiddleware:
    """Answers 431 when the header fields pass ``MAX_HEADER_BYTES``. h11 bounds only what it holds
    unparsed, so headers that arrive in one read of up to twice that pass it: counted here."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_HEADER_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or header_bytes(scope["headers"]) <= self.max_bytes:
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1009})
            return
        body = json.dumps(
            {
                "errors": [
                    {
                        "message": f"Request header fields exceed {self.max_bytes} bytes",
                        "extensions": {"code": RequestErrorCode.HEADERS_TOO_LARGE.value},
                    }
                ]
            }
        ).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 431, "headers": headers})
        await send({"type": "http.response.body", "body": body})


class BodyTooLarge(Exception):
    pass


class BodySizeLimitMiddleware:
    """Answers 413 when the declared or streamed body exceeds ``max_bytes``."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._reject(send)
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._reject(send)

    async def _reject(self, send: Send) -> None:
        body = json.dumps(
            {
                "errors": [
                    {
                        "message": f"Request body exceeds {self.max_bytes} bytes",
                        "extensions": {"code": RequestErrorCode.PAYLOAD_TOO_LARGE.value},
                    }
                ]
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": body})
