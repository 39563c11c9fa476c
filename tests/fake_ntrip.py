"""A fake NTRIP 2.0 caster: a source table and endless RTCM 3 streams behind Basic auth."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import struct
from collections.abc import AsyncIterator, Iterator

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from devservices.api import serve_asgi

USER, PASSWORD = "has-user", "has-pass"
MOUNTPOINTS = {"HAS_EU": "Galileo HAS corrections, Europe", "HAS_GLOBAL": "Galileo HAS corrections, global"}


def rtcm_frame(counter: int) -> bytes:
    """An RTCM 3 frame: preamble 0xD3, 10-bit length, a message-1230-like payload, a 3-byte check word."""
    payload = struct.pack(">HI", 1230 << 4, counter) + bytes(18)
    return bytes([0xD3, 0, len(payload)]) + payload + b"\x00\x00\x00"


class FakeCaster:
    def __init__(self) -> None:
        self.base = ""
        self.frame_interval = 0.02
        self.connections = 0

    def app(self) -> Starlette:
        async def table(request: Request) -> Response:
            if request.headers.get("Ntrip-Version") != "Ntrip/2.0":
                return PlainTextResponse("SOURCETABLE 200 OK\r\nENDSOURCETABLE\r\n")
            lines = [
                f"STR;{m};{d};RTCM 3.3;1230(1);2;GAL;HAS;EU;50.0;10.0;0;0;fake;none;B;N;500;"
                for m, d in MOUNTPOINTS.items()
            ]
            body = "\r\n".join([*lines, "ENDSOURCETABLE"]) + "\r\n"
            return PlainTextResponse(body, media_type="gnss/sourcetable")

        async def mount(request: Request) -> Response:
            expected = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
            if request.headers.get("Authorization") != expected:
                return Response(status_code=401, headers={"WWW-Authenticate": 'Basic realm="HAS"'})
            if request.path_params["mount"] not in MOUNTPOINTS:
                return Response(status_code=404)
            self.connections += 1

            async def frames() -> AsyncIterator[bytes]:
                counter = 0
                while True:
                    counter += 1
                    yield rtcm_frame(counter)
                    await asyncio.sleep(self.frame_interval)

            return StreamingResponse(frames(), media_type="gnss/data")

        return Starlette(routes=[Route("/", table), Route("/{mount}", mount)])


@contextlib.contextmanager
def running_fake_caster() -> Iterator[FakeCaster]:
    caster = FakeCaster()
    with serve_asgi(caster.app()) as url:
        caster.base = url
        yield caster
