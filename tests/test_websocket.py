"""graphql-transport-ws: the connection signs in with connection_init, like HTTP does with the header."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

PROTOCOL = "graphql-transport-ws"


def _ws_url(api_url: str) -> str:
    return api_url.replace("http://", "ws://") + "/graphql"


async def _recv(ws: Any) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(await ws.recv())
    return message


async def test_connection_init_with_a_token_runs_operations(api_url: str, tokens: Callable[[str], str]) -> None:
    async with connect(_ws_url(api_url), subprotocols=[PROTOCOL]) as ws:  # type: ignore[list-item]
        await ws.send(
            json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {tokens('carol')}"}})
        )
        assert (await _recv(ws))["type"] == "connection_ack"
        await ws.send(
            json.dumps({"id": "1", "type": "subscribe", "payload": {"query": "{ me { organizations { slug } } }"}})
        )
        result = await _recv(ws)
        assert result["type"] == "next"
        assert result["payload"]["data"]["me"]["organizations"] == [{"slug": "reading-climate"}]
        assert (await _recv(ws))["type"] == "complete"


@pytest.mark.parametrize("payload", [{}, {"Authorization": "Bearer not-a-token"}, {"Authorization": 42}])
async def test_connection_without_a_valid_token_is_closed_4403(api_url: str, payload: dict[str, Any]) -> None:
    async with connect(_ws_url(api_url), subprotocols=[PROTOCOL]) as ws:  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
        with pytest.raises(ConnectionClosed) as closed:
            await ws.recv()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4403
