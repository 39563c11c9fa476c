"""Scale-out on one machine: three API processes and two workers share one FerretDB and one MinIO.

Each process is a ``strata serve`` or ``strata worker`` started as the chart starts it and
stopped with SIGTERM, as Kubernetes stops a pod.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from motor.motor_asyncio import AsyncIOMotorClient
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from devservices.api import StrataProcess, strata_env, strata_processes
from graphql_api.settings import Settings
from tests.fake_cads import KEY, FakeCads, Plan
from tests.graphql import GraphQLClient
from tests.helpers import (
    COMPLETE_UPLOAD,
    MiB,
    download_bytes,
    eventually,
    put_part,
    requests_ended,
    sandbox,
    split,
    start_upload,
    upload_exists,
)
from tests.test_metrics import scrape, value

REQUEST = """
mutation($d: String!, $r: JSON!) {
  requestCopernicusData(input: {service: "CDS", dataset: $d, request: $r}) {
    copernicusRequest { id } userErrors { code }
  }
}
"""
STATUS = "query($id: ID!) { copernicusRequest(id: $id) { status progress { bytes } resultFile { id } } }"
FILE = """
query($id: ID!) { node(id: $id) { ... on File { size status download(partSize: 1048576) {
  url parts { partNumber rangeStart rangeEnd } } } } }
"""
HISTORY = "query($id: ID!) { copernicusRequest(id: $id) { history { status } } }"
LIFE = ["PENDING", "QUEUED", "RUNNING", "DOWNLOADING", "COMPLETED"]
FOLLOW_ALL = "subscription { copernicusRequestsUpdated { event { seq status } request { id dataset } } }"
TERMINAL = {"COMPLETED", "FAILED", "CANCELLED"}


@pytest.fixture(scope="module")
def shared(settings: Settings, fake_cads: FakeCads) -> dict[str, str]:
    """What every replica gets: a database of this module's own, the fake CADS account, short leases."""
    isolated = settings.model_copy(
        update={"mongodb_database": settings.mongodb_database + "_scale", "cds_url": fake_cads.base, "cds_key": KEY}
    )
    return {
        **strata_env(isolated),
        "STRATA_COPERNICUS_POLL_SECONDS": "0.2",
        "STRATA_COPERNICUS_IDLE_SLEEP_SECONDS": "0.1",
        "STRATA_COPERNICUS_LEASE_SECONDS": "30",
        "STRATA_COPERNICUS_PART_BYTES": str(5 * 1024 * 1024),
        "STRATA_SHUTDOWN_GRACE_SECONDS": "10",
    }


@pytest.fixture(scope="module")
def apis(shared: dict[str, str]) -> Iterator[list[StrataProcess]]:
    with strata_processes("serve", {**shared, "STRATA_COPERNICUS_WORKER": "false"}, 3) as started:
        yield started


@pytest.fixture(scope="module")
async def database(shared: dict[str, str]) -> AsyncIterator[Any]:
    client: AsyncIOMotorClient[Any] = AsyncIOMotorClient(shared["STRATA_MONGODB_URL"], tz_aware=True)
    yield client[shared["STRATA_MONGODB_DATABASE"]]
    client.close()


@contextlib.asynccontextmanager
async def clients(apis: list[StrataProcess], token: str) -> AsyncIterator[list[GraphQLClient]]:
    async with contextlib.AsyncExitStack() as stack:
        https = [await stack.enter_async_context(httpx.AsyncClient(base_url=a.url, timeout=60)) for a in apis]
        yield [GraphQLClient(http, token) for http in https]


async def _subscribe(url: str, token: str) -> ClientConnection:
    ws = await connect(url.replace("http", "ws", 1) + "/graphql", subprotocols=["graphql-transport-ws"])  # type: ignore[list-item]
    await ws.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}))
    assert json.loads(await ws.recv())["type"] == "connection_ack"
    await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": FOLLOW_ALL}}))
    return ws


async def _collect(ws: ClientConnection, dataset: str, jobs: int) -> dict[str, list[str]]:
    """Statuses per request of ``dataset`` until every one of ``jobs`` requests has ended."""
    seen: dict[str, list[str]] = {}
    while len(seen) < jobs or any(s[-1] not in TERMINAL for s in seen.values()):
        message = json.loads(await asyncio.wait_for(ws.recv(), 60))
        assert message["type"] == "next", message
        update = message["payload"]["data"]["copernicusRequestsUpdated"]
        if update["request"]["dataset"] == dataset:
            seen.setdefault(update["request"]["id"], []).append(update["event"]["status"])
    return seen


def _in_life_order(statuses: list[str]) -> bool:
    """No step earlier in a request's life than the one before it (one may be missing; a download's
    progress repeats DOWNLOADING)."""
    places = [LIFE.index(s) for s in statuses]
    return places == sorted(places)


async def _drain(ws: ClientConnection) -> None:
    """Read until the server closes; updates of earlier tests' requests may still be on their way."""
    while True:
        assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "next"


async def test_an_upload_goes_through_any_replica(apis: list[StrataProcess], tokens: Any) -> None:
    data = bytes(range(256)) * 4096 * 11  # 11 MiB in three parts (5 MiB is S3's smallest)
    async with clients(apis, tokens("alice")) as [first, second, third]:
        started = await start_upload(first, await sandbox(first), "scaled.bin", data)
        async with httpx.AsyncClient(timeout=60) as http:
            sent = [
                await put_part(http, url, body)
                for url, body in zip(started["upload"]["parts"], split(data, 5 * MiB), strict=True)
            ]
        parts = [{"partNumber": i + 1, "etag": r.headers["etag"]} for i, r in enumerate(sent)]
        done = await second.data(COMPLETE_UPLOAD, {"input": {"uploadId": started["upload"]["id"], "parts": parts}})
        assert done["completeUpload"]["userErrors"] == []
        file = (await third.data(FILE, {"id": started["file"]["id"]}))["node"]
    assert file["status"] == "AVAILABLE"
    assert await download_bytes(file["download"]["url"], file["download"]["parts"]) == data


async def test_jobs_run_exactly_once_and_every_replica_s_subscribers_see_every_step(
    apis: list[StrataProcess], shared: dict[str, str], tokens: Any, fake_cads: FakeCads, database: Any
) -> None:
    dataset = f"scaled-{time.time_ns() % 10**9}"
    fake_cads.plans[dataset] = Plan(queued_seconds=0.8, running_seconds=0.8, size=6 * 1024 * 1024)
    token = tokens("alice")
    watchers = [await _subscribe(api.url, token) for api in apis]
    try:
        async with clients(apis, token) as replicas:
            ids = []
            for n in range(12):  # the requests come in through the three replicas in turn
                result = (await replicas[n % 3].data(REQUEST, {"d": dataset, "r": {"n": n}}))["requestCopernicusData"]
                ids.append(result["copernicusRequest"]["id"])
            with strata_processes("worker", shared, 2) as both:
                seen = await asyncio.gather(*(_collect(ws, dataset, len(ids)) for ws in watchers))
                done = await requests_ended(replicas[0], ids, within=60)
                histories = {
                    i: (await replicas[1].data(HISTORY, {"id": i}))["copernicusRequest"]["history"] for i in ids
                }
                scraped = []
                for worker in both:
                    async with httpx.AsyncClient(base_url=worker.url) as http:
                        scraped.append(await scrape(http))
    finally:
        for ws in watchers:
            await ws.close()
    assert [d["status"] for d in done] == ["COMPLETED"] * 12
    assert len({d["resultFile"]["id"] for d in done}) == 12
    assert len([j for j in fake_cads.jobs.values() if j.dataset == dataset]) == 12
    assert await database.files.count_documents({"metadata.copernicus.dataset": dataset}) == 12
    # Each worker counts its own upstream calls; the job counts are the store's, the same on both.
    assert sum(value(m, "strata_upstream_requests_total", upstream="CDS", outcome="2xx") for m in scraped) >= 12 * 3
    assert all(value(m, "strata_copernicus_requests", status="COMPLETED") >= 12 for m in scraped)
    # Every replica's subscribers saw every step each request took, in order: its whole history.
    # (Which steps a request takes is upstream's timing: with two workers polling, one may see a job
    # go from queued to finished between its polls, and then there is no RUNNING step to show.)
    for per_replica in seen:
        assert sorted(per_replica) == sorted(ids)
        for request_id, statuses in per_replica.items():
            assert statuses == [h["status"] for h in histories[request_id]]
            assert statuses[0] == "PENDING"
            assert statuses[-1] == "COMPLETED"
            assert "QUEUED" in statuses
            assert "DOWNLOADING" in statuses
            assert _in_life_order(statuses)


async def test_sigterm_mid_download_hands_the_job_over_at_once(
    apis: list[StrataProcess],
    settings: Settings,
    shared: dict[str, str],
    tokens: Any,
    fake_cads: FakeCads,
    database: Any,
) -> None:
    dataset = f"handover-{time.time_ns() % 10**9}"
    fake_cads.plans[dataset] = Plan(queued_seconds=0.1, running_seconds=0.1, size=60 * 1024 * 1024, chunk_delay=0.004)
    async with clients(apis, tokens("alice")) as [alice, *_]:
        request_id = (await alice.data(REQUEST, {"d": dataset, "r": {"big": True}}))["requestCopernicusData"][
            "copernicusRequest"
        ]["id"]
        with strata_processes("worker", shared, 1) as [first]:
            await eventually(
                lambda: alice.data(STATUS, {"id": request_id}),
                lambda found: bool((found["copernicusRequest"]["progress"] or {}).get("bytes")),
                60,
            )
            taken = await database.copernicus_requests.find_one({"dataset": dataset})
            upload = taken["transfer"]
            began = time.monotonic()
            first.terminate()
            stopped_in = time.monotonic() - began
        handed = await database.copernicus_requests.find_one({"dataset": dataset})
        # Lease 30 s, yet no wait: the lease and the transfer were given back on the way out.
        assert await database.copernicus_leases.find_one({"_id": handed["_id"]}) is None
        assert handed["next_poll_at"] <= datetime.now(UTC)
        assert handed["transfer"] == {}
        assert handed["status"] == "DOWNLOADING"
        fake_cads.plans[dataset].chunk_delay = 0.0
        with strata_processes("worker", shared, 1):
            [done] = await requests_ended(alice, [request_id], within=60)
    assert stopped_in < 10, stopped_in
    assert done["status"] == "COMPLETED"
    assert await database.files.count_documents({"metadata.copernicus.dataset": dataset}) == 1
    assert not await upload_exists(settings, upload["blob_key"], upload["upload_id"])


async def test_sigterm_closes_subscriptions_with_service_restart_and_finishes_requests(
    shared: dict[str, str], tokens: Any
) -> None:
    token = tokens("alice")
    body = json.dumps({"query": "{ me { id } }"}).encode()
    signalled = asyncio.Event()
    first_sent = asyncio.Event()

    async def slow_body() -> AsyncIterator[bytes]:
        yield body[:5]  # the request is in flight from here on
        first_sent.set()
        await signalled.wait()
        await asyncio.sleep(0.5)
        yield body[5:]

    with strata_processes("serve", {**shared, "STRATA_COPERNICUS_WORKER": "false"}) as [api]:
        ws = await _subscribe(api.url, token)
        async with httpx.AsyncClient(base_url=api.url, timeout=60) as http:
            headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
            in_flight = asyncio.create_task(http.post("/graphql", content=slow_body(), headers=headers))
            await first_sent.wait()
            # The first bytes are handed to the socket, not yet read by the server: give it the
            # moment it needs to parse the request line and headers, or SIGTERM finds the
            # connection idle and rightly closes it (seen on a loaded machine).
            await asyncio.sleep(0.5)
            stopping = asyncio.create_task(asyncio.to_thread(api.terminate))
            await asyncio.sleep(0.2)
            signalled.set()
            answered = await in_flight
            code = await stopping
        with pytest.raises(ConnectionClosed) as closed:
            await _drain(ws)
    assert answered.status_code == 200, answered.text
    assert answered.json()["data"]["me"]["id"]
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1012  # service restart: clients reconnect to another replica
    assert code in (0, -15)  # uvicorn re-raises the SIGTERM it handled, once it has shut down cleanly
