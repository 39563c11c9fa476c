"""A cap on request body size, enforced before the body is parsed."""

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
