"""HTTP to the object store: presigned PUTs of parts and ranged GETs, retried on transient failures.

aiohttp, not httpx, carries the bytes: its C parser reads about three times faster here
(see docs/benchmarks.md), and it is already installed as aiobotocore's transport.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass

import aiohttp
import aiohttp.payload

RETRIES = 4


class _PartBody(aiohttp.payload.BytesPayload):
    """A part already in memory, handed to the transport in one write.

    aiohttp warns about large bytes bodies and suggests a stream, but a stream costs a
    thread hop per 64 KiB; the part is in memory anyway and the transport buffers it.
    """

    def __init__(self, value: bytes) -> None:
        aiohttp.payload.Payload.__init__(self, value, content_type="application/octet-stream")
        self._size = len(value)


@dataclass(frozen=True)
class Reply:
    status: int
    etag: str
    body: bytes


class ObjectStoreSession:
    def __init__(self, connections: int = 64) -> None:
        self.connections = connections
        self._session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self.connections),
                timeout=aiohttp.ClientTimeout(total=None, sock_connect=30, sock_read=300),
                auto_decompress=False,
            )
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def _request(self, method: str, url: str, headers: Mapping[str, str], body: bytes | None) -> Reply:
        for attempt in range(RETRIES):
            try:
                data = _PartBody(body) if body is not None else None
                async with self._open().request(method, url, data=data, headers=dict(headers)) as response:
                    reply = Reply(response.status, response.headers.get("ETag", ""), await response.read())
            except (TimeoutError, aiohttp.ClientError):
                if attempt == RETRIES - 1:
                    raise
            else:
                if reply.status < 500 or attempt == RETRIES - 1:
                    return reply
            await asyncio.sleep(0.5 * 2**attempt)
        raise AssertionError("unreachable")

    async def put(self, url: str, body: bytes, headers: Mapping[str, str]) -> Reply:
        return await self._request("PUT", url, headers, body)

    async def get_range(self, url: str, start: int, end: int) -> Reply:
        return await self._request("GET", url, {"Range": f"bytes={start}-{end}"}, None)
