"""A TCP proxy on loopback that can cut what it relays: a network that drops a transfer midway."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass
class CuttingProxy:
    """Relays to ``upstream``; while ``cut_after`` is set, closes each connection once that many
    bytes of the answer have gone back to the client."""

    upstream: tuple[str, int]
    cut_after: int | None = None
    port: int = 0
    cuts: int = 0

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, limit: int | None) -> None:
        sent = 0
        try:
            while chunk := await reader.read(65536):
                if limit is not None and sent + len(chunk) > limit:
                    writer.write(chunk[: limit - sent])
                    await writer.drain()
                    self.cuts += 1
                    break
                writer.write(chunk)
                await writer.drain()
                sent += len(chunk)
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def _serve(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.upstream)
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(
            self._pipe(client_reader, up_writer, None), self._pipe(up_reader, client_writer, self.cut_after)
        )


@contextlib.contextmanager
def cutting_proxy(upstream: tuple[str, int]) -> Iterator[CuttingProxy]:
    proxy = CuttingProxy(upstream)
    loop = asyncio.new_event_loop()
    started = threading.Event()
    server: asyncio.Server | None = None

    async def start() -> None:
        nonlocal server
        server = await asyncio.start_server(proxy._serve, "127.0.0.1", 0)
        proxy.port = server.sockets[0].getsockname()[1]
        started.set()

    thread = threading.Thread(target=loop.run_forever, name="cutting-proxy", daemon=True)
    thread.start()
    asyncio.run_coroutine_threadsafe(start(), loop).result(10)
    started.wait(10)
    try:
        yield proxy
    finally:
        if server is not None:
            loop.call_soon_threadsafe(server.close)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()
