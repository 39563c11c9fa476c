"""The API for tests and benchmarks: in a thread of this process, or as a process of its own."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn
from starlette.types import ASGIApp

from devservices.services import http_ok
from graphql_api.app import create_app
from graphql_api.limits import http_server_options
from graphql_api.settings import Settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def serve_asgi(app: ASGIApp, ws_max_size: int = 1024 * 1024, port: int | None = None) -> Iterator[str]:
    """Serve ``app`` with uvicorn on loopback, on ``port`` or a free one (real lifespan, real sockets);
    yield its base URL."""
    port = port or free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_config=None,
        lifespan="on",
        ws_max_size=ws_max_size,
        **http_server_options(),
    )
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
def serve_api(settings: Settings, port: int | None = None, **app_options: Any) -> Iterator[str]:
    with serve_asgi(create_app(settings, **app_options), settings.max_body_bytes, port) as url:
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


@dataclass
class StrataProcess:
    """A ``strata serve`` or ``strata worker`` of its own, as Kubernetes would run one."""

    url: str
    process: subprocess.Popen[bytes]

    @property
    def io(self) -> ProcessIO:
        return ProcessIO(self.process.pid)

    def terminate(self, timeout: float = 60) -> int:
        """SIGTERM, as a pod's shutdown sends, then wait for the graceful exit."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=timeout)


def start_process(command: str, env: dict[str, str]) -> StrataProcess:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "cli", command, "--host", "127.0.0.1", "--port", str(port)],
        env={**os.environ, **env},
    )
    started = StrataProcess(f"http://127.0.0.1:{port}", process)
    deadline = time.monotonic() + 60
    while not http_ok(f"{started.url}/readyz"):
        if process.poll() is not None or time.monotonic() > deadline:
            started.terminate()
            raise RuntimeError(f"strata {command} did not become ready")
        time.sleep(0.2)
    return started


@contextlib.contextmanager
def strata_processes(command: str, env: dict[str, str], count: int = 1) -> Iterator[list[StrataProcess]]:
    """``count`` processes of ``strata serve`` or ``strata worker``, stopped by SIGTERM on exit."""
    started: list[StrataProcess] = []
    try:
        for _ in range(count):
            started.append(start_process(command, env))
        yield started
    finally:
        for each in started:
            if each.process.poll() is None:
                each.process.send_signal(signal.SIGTERM)
        for each in started:
            each.process.wait(timeout=60)


@contextlib.contextmanager
def api_process(env: dict[str, str]) -> Iterator[tuple[str, ProcessIO]]:
    with strata_processes("serve", env) as [api]:
        yield api.url, api.io


def strata_env(settings: Settings) -> dict[str, str]:
    """The environment that makes a child process use the same stores and issuer as ``settings``."""
    return {
        "STRATA_MONGODB_URL": settings.mongodb_url,
        "STRATA_MONGODB_DATABASE": settings.mongodb_database,
        "STRATA_S3_ENDPOINT_URL": settings.s3_endpoint_url or "",
        "STRATA_S3_ACCESS_KEY_ID": settings.s3_access_key_id or "",
        "STRATA_S3_SECRET_ACCESS_KEY": settings.s3_secret_access_key or "",
        "STRATA_S3_BUCKET": settings.s3_bucket,
        "STRATA_CDS_URL": settings.cds_url or "",
        "STRATA_CDS_KEY": settings.cds_key or "",
        "STRATA_OIDC_ISSUER": settings.oidc_issuer,
        "STRATA_OIDC_AUDIENCE": settings.oidc_audience,
        "STRATA_MONGODB_TIMEOUT_MS": str(settings.mongodb_timeout_ms),
        "STRATA_COPERNICUS_CATALOGUE_CACHE_SECONDS": str(settings.copernicus_catalogue_cache_seconds),
        "STRATA_LOG_LEVEL": "WARNING",
    }
