"""The API for tests and benchmarks: in a thread of this process, or as a process of its own."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import uvicorn
from starlette.types import ASGIApp

from devservices.services import http_ok
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


class ProcessIO:
    def __init__(self, pid: int) -> None:
        self.pid = pid

    def total(self) -> int:
        counts = dict(
            line.split(": ") for line in Path(f"/proc/{self.pid}/io").read_text().splitlines() if ": " in line
        )
        return int(counts["rchar"]) + int(counts["wchar"])


@contextlib.contextmanager
def api_process(env: dict[str, str]) -> Iterator[tuple[str, ProcessIO]]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "graphql_api.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env={**os.environ, **env},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while not http_ok(f"{url}/readyz"):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the API did not become ready")
            time.sleep(0.2)
        yield url, ProcessIO(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=30)
