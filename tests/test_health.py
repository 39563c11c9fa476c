"""/healthz says the process is alive; /readyz says whether MongoDB, S3 and the issuer answer."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

import httpx

from devservices.api import free_port, serve_api
from devservices.services import MinIO
from graphql_api.settings import Settings


async def test_healthz_and_readyz(http: httpx.AsyncClient) -> None:
    assert (await http.get("/healthz")).json() == {"status": "ok"}
    ready = await http.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "checks": {"mongodb": "ok", "s3": "ok", "issuer": "ok"}}


async def test_request_id_is_echoed_or_made(http: httpx.AsyncClient) -> None:
    assert (await http.get("/healthz", headers={"X-Request-ID": "client-chosen-id-1"})).headers["x-request-id"] == (
        "client-chosen-id-1"
    )
    made = (await http.get("/healthz", headers={"X-Request-ID": "bad id with spaces"})).headers["x-request-id"]
    assert len(made) == 32


async def _readyz(http: httpx.AsyncClient) -> tuple[int, dict[str, str]]:
    response = await http.get("/readyz")
    return response.status_code, response.json()["checks"]


async def test_readyz_follows_the_object_store(settings: Settings) -> None:
    # given: an API on its own MinIO, so stopping it disturbs no other test
    with tempfile.TemporaryDirectory() as state:
        minio = MinIO(port=free_port(), console_port=free_port(), state_dir=Path(state))
        minio.start()
        try:
            private = settings.model_copy(update={"s3_endpoint_url": minio.url(), "readiness_timeout_seconds": 1.5})
            with serve_api(private) as url:
                async with httpx.AsyncClient(base_url=url, timeout=30) as http:
                    assert await _readyz(http) == (200, {"mongodb": "ok", "s3": "ok", "issuer": "ok"})
                    # when MinIO stops
                    await asyncio.to_thread(minio.stop)
                    status, checks = await _readyz(http)
                    assert status == 503
                    assert checks["s3"].startswith("unavailable")
                    assert checks["mongodb"] == "ok"
                    assert (await http.get("/healthz")).status_code == 200
                    # and comes back
                    await asyncio.to_thread(minio.start)
                    assert await _readyz(http) == (200, {"mongodb": "ok", "s3": "ok", "issuer": "ok"})
        finally:
            minio.stop()
