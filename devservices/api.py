"""The API served in a background thread of this process: for tests and benchmarks."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import uvicorn
from starlette.types import ASGIApp

from graphql_api.app import create_app
from graphql_api.settings import Settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def serve_asgi(app: ASGIApp, ws_max_size: int = 1024 * 1024) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a free loopback port (real lifespan, real sockets); yield its base URL."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="on", ws_max_size=ws_max_size)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"api-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the API did not start; see the log above")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@contextlib.contextmanager
def serve_api(settings: Settings, **app_options: Any) -> Iterator[str]:
    with serve_asgi(create_app(settings, **app_options), settings.max_body_bytes) as url:
        yield url


def settings_for(env: dict[str, str], **overrides: Any) -> Settings:
    values: dict[str, Any] = {key.removeprefix("STRATA_").lower(): value for key, value in env.items()}
    values.update(overrides)
    return Settings(**values)
