"""Copernicus from a terminal or script: ask, list, and follow a request live over graphql-transport-ws."""

from __future__ import annotations

import asyncio
import io
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, TextIO

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from client.api import StrataClient, StrataError, Unreachable
from client.terminal import ProgressBar

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


# How long ``follow`` keeps trying to reach the API again after the connection drops (a restart,
# a deployment), waiting a little longer each time up to ``_MAX_WAIT``.
RECONNECT_FOR = 120.0
_MAX_WAIT = 5.0


async def follow(
    client: StrataClient, request_id: str, reconnect_for: float = RECONNECT_FOR
) -> AsyncIterator[dict[str, Any]]:
    """Every update of one request, in order, until it ends. A dropped connection (the API
    restarting: 1012, 1011, or no close at all) is opened again; the server replays the request's
    steps, and those already seen are skipped."""
    seen = -1
    lost_since: float | None = None
    wait = 0.5
    while True:
        try:
            async for update in _subscription(client, request_id):
                lost_since, wait = None, 0.5
                seq = int(update["event"]["seq"])
                if seq <= seen:
                    continue
                seen = seq
                yield update
            return
        except (ConnectionClosed, InvalidHandshake, OSError, TimeoutError) as error:
            now = time.monotonic()
            lost_since = lost_since or now
            if now - lost_since > reconnect_for:
                raise Unreachable(
                    f"lost the API while following {request_id} ({_why(error)}) and could not reach it again "
                    f"within {reconnect_for:.0f} s; the request goes on: follow it again later"
                ) from None
            await asyncio.sleep(wait)
            wait = min(wait * 2, _MAX_WAIT)


def _why(error: BaseException) -> str:
    if isinstance(error, ConnectionClosed) and error.rcvd is not None:
        return f"closed with {error.rcvd.code}{' ' + error.rcvd.reason if error.rcvd.reason else ''}"
    return type(error).__name__


async def _subscription(client: StrataClient, request_id: str) -> AsyncIterator[dict[str, Any]]:
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
        # Closed without "complete" (a server going away says 1001): not the end of the request.
        raise ws.protocol.close_exc


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
    progress: ProgressBar | None = None
    async for update in follow(client, job["id"]):
        event = update["event"]
        if event["progress"] and not quiet:
            total = int(event["progress"]["total"] or 0)
            if progress is None:
                progress = ProgressBar(total, f"download {dataset}")
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


DATASETS = """
query($service: String!, $search: String, $after: String) {
  copernicusDatasets(service: $service, search: $search, first: 100, after: $after) { id title }
}
"""
CANCEL = """
mutation($id: ID!) { cancelCopernicusRequest(input: {id: $id}) {
  copernicusRequest { id status } userErrors { code message } } }
"""
RESULT = "query($id: ID!) { copernicusRequest(id: $id) { status resultFile { id name } error { code message } } }"


async def datasets(client: StrataClient, out: TextIO, service: str, search: str | None) -> None:
    """A service's catalogue, every page."""
    after = None
    while True:
        page = (await client.query(DATASETS, {"service": service, "search": search, "after": after}))[
            "copernicusDatasets"
        ]
        for dataset in page:
            out.write(f"{dataset['id']}  {dataset['title']}\n")
        if len(page) < 100:
            return
        after = page[-1]["id"]


TERMINAL = ("COMPLETED", "FAILED", "CANCELLED")


async def cancel(client: StrataClient, out: TextIO, request_id: str, wait: bool = True) -> None:
    """Ask for the cancel; the worker stops the upstream job, and with ``wait`` this waits for it."""
    done = await client.mutate(CANCEL, "cancelCopernicusRequest", {"id": request_id})
    status = done["copernicusRequest"]["status"]
    if wait and status not in TERMINAL:
        async for update in follow(client, request_id):
            status = update["request"]["status"]
    out.write(f"{request_id}  {status}\n")


async def follow_to_end(client: StrataClient, out: TextIO, request_id: str, quiet: bool) -> None:
    """Show a request's steps until it ends (it may have ended already)."""
    found = (await client.query(RESULT, {"id": request_id}))["copernicusRequest"]
    if found is None:
        raise StrataError("request not found", ["NOT_FOUND"])
    if found["status"] not in TERMINAL:
        async for update in follow(client, request_id):
            event = update["event"]
            if not event["progress"] and not quiet:
                out.write(f"{event['status']}  (upstream: {event['upstreamStatus'] or '-'})\n")
        found = (await client.query(RESULT, {"id": request_id}))["copernicusRequest"]
    if found["status"] == "COMPLETED":
        out.write(f"{found['resultFile']['id']}  {found['resultFile']['name']}\n")
    elif found["error"]:
        raise StrataError(found["error"]["message"], [found["error"]["code"]])
    else:
        raise StrataError(f"the request ended {found['status'].lower()}", [found["status"]])


async def get(
    client: StrataClient,
    out: TextIO,
    service: str,
    dataset: str,
    body: dict[str, Any],
    target: Path,
    quiet: bool,
) -> None:
    """Ask, wait for the result and download it to ``target``, as cdsapi's ``retrieve(..., target)``."""
    from client import transfer

    job = await request(client, service, dataset, body, None, target.name if not target.is_dir() else None)
    out.write(f"{job['id']}  {job['status']}\n")
    await follow_to_end(client, io.StringIO() if quiet else out, job["id"], quiet)
    found = (await client.query(RESULT, {"id": job["id"]}))["copernicusRequest"]
    file = found["resultFile"]
    destination = target / file["name"] if target.is_dir() else target
    written = await transfer.download(client, file["id"], destination, progress=None if quiet else ProgressBar(0, ""))
    out.write(f"{written}\n")
