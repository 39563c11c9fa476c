"""Unexpected failures reach the client as INTERNAL with a request id; the trace stays in the log."""

from __future__ import annotations

import asyncio
import logging
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from devservices.api import free_port, serve_api
from devservices.services import FerretDB
from graphql_api.settings import Settings
from tests.graphql import error_codes


async def test_database_outage_is_masked_with_a_request_id(
    settings: Settings, tokens: Callable[[str], str], caplog: pytest.LogCaptureFixture
) -> None:
    # given: an API on a database of its own, which then goes away
    with tempfile.TemporaryDirectory() as state:
        ferretdb = FerretDB(port=free_port(), debug_port=free_port(), state_dir=Path(state))
        ferretdb.start()
        try:
            # A database of its own too: two FerretDB processes over one PostgreSQL must not both
            # create the same database's tables (each keeps its own idea of what exists).
            private = settings.model_copy(
                update={
                    "mongodb_url": ferretdb.url(),
                    "mongodb_timeout_ms": 1000,
                    "mongodb_database": f"strata_outage_{uuid.uuid4().hex[:8]}",
                }
            )
            with serve_api(private) as url:
                await asyncio.to_thread(ferretdb.stop)
                async with httpx.AsyncClient(base_url=url, timeout=30) as http:
                    # when
                    response = await http.post(
                        "/graphql",
                        json={"query": "{ me { id } }"},
                        headers={"Authorization": f"Bearer {tokens('alice')}", "X-Request-ID": "outage-test-0001"},
                    )
        finally:
            ferretdb.stop()
    # then
    body = response.json()
    assert error_codes(body) == ["INTERNAL"]
    [error] = body["errors"]
    assert error["extensions"]["requestId"] == "outage-test-0001"
    assert "outage-test-0001" in error["message"]
    assert "Traceback" not in response.text
    assert "127.0.0.1" not in error["message"]
    logged = [r for r in caplog.records if r.name == "strata.graphql" and r.levelno == logging.ERROR]
    assert logged
    assert logged[0].exc_info is not None
