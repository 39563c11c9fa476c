"""Copernicus from a terminal or script: ask, list, and follow a request live over graphql-transport-ws."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any, TextIO

from websockets.asyncio.client import connect

from client.api import StrataClient, StrataError
from client.transfer import Progress

REQUEST = """
mutation($input: RequestCopernicusDataInput!) {
  requestCopernicusData(input: $input) { copernicusRequest { id status } userErrors { code message field } }
}
"""
LIST = """
query($first: Int!) {
  copernicusRequests(first: $first) {
    edges { node { id service dataset status createdAt resultFile { id name } error { code message } } }
  }
}
"""
FOLLOW = """
subscription($id: ID!) {
  copernicusRequestUpdated(id: $id) {
    event { seq status upstreamStatus progress { bytes total } }
    request { status error { code message } resultFile { id name size } }
  }
}
"""


async def request(
    client: StrataClient, service: str, dataset: str, body: dict[str, Any], folder: str | None, name: str | None
) -> dict[str, Any]:
    payload = await client.mutate(
        REQUEST,
        "requestCopernicusData",
        {"input": {"service": service, "dataset": dataset, "request": body, "folderId": folder, "fileName": name}},
    )
    job: dict[str, Any] = payload["copernicusRequest"]
    return job


async def follow(client: StrataClient, request_id: str) -> AsyncIterator[dict[str, Any]]:
    """Every update of one request, in order, until it ends."""
    url = client.url.replace("http", "ws", 1)
    async with connect(url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
        await ws.send(
            json.dumps(
                {"type": "connection_init", "payload": {"Authorization": f"Bearer {await client.access_token()}"}}
            )
        )
        if json.loads(await ws.recv()).get("type") != "connection_ack":
            raise StrataError("the API refused the subscription", ["UNAUTHENTICATED"])
        await ws.send(
            json.dumps({"id": "1", "type": "subscribe", "payload": {"query": FOLLOW, "variables": {"id": request_id}}})
        )
        async for raw in ws:
            message = json.loads(raw)
            if message["type"] == "complete":
                return
            if message["type"] == "error" or message.get("payload", {}).get("errors"):
                errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
                raise StrataError("; ".join(e.get("message", "") for e in errors), ["SUBSCRIPTION_ERROR"])
            yield message["payload"]["data"]["copernicusRequestUpdated"]


async def request_and_follow(
    client: StrataClient,
    out: TextIO,
    service: str,
    dataset: str,
    body: dict[str, Any],
    folder: str | None,
    name: str | None,
    follow_it: bool,
    quiet: bool,
) -> None:
    job = await request(client, service, dataset, body, folder, name)
    out.write(f"{job['id']}  {job['status']}\n")
    if not follow_it:
        return
    progress: Progress | None = None
    async for update in follow(client, job["id"]):
        event = update["event"]
        if event["progress"] and not quiet:
            total = int(event["progress"]["total"] or 0)
            if progress is None:
                progress = Progress(total, f"download {dataset}")
            progress.advance(int(event["progress"]["bytes"]) - progress.done)
        elif not event["progress"]:
            out.write(f"{event['status']}  (upstream: {event['upstreamStatus'] or '-'})\n")
    if progress is not None:
        progress.finish()
    final = update["request"]
    if final["status"] == "COMPLETED":
        file = final["resultFile"]
        out.write(f"{file['id']}  {file['size']}  {file['name']}\n")
    elif final["error"]:
        raise StrataError(final["error"]["message"], [final["error"]["code"]])


async def ls(client: StrataClient, out: TextIO) -> None:
    for edge in (await client.query(LIST, {"first": 100}))["copernicusRequests"]["edges"]:
        node = edge["node"]
        detail = node["resultFile"]["name"] if node["resultFile"] else (node["error"] or {}).get("code", "")
        out.write(f"{node['id']}  {node['service']:<5} {node['status']:<11} {node['dataset']}  {detail}\n")
