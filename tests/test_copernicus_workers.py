"""Worker processes: racing replicas process every job exactly once; a killed worker's job is taken over."""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from motor.motor_asyncio import AsyncIOMotorClient
from websockets.asyncio.client import connect

from devservices.api import api_process, serve_api, strata_env, strata_processes
from graphql_api.settings import Settings
from storage.command_counter import CommandCounter
from tests.fake_cads import KEY, FakeCads, Plan
from tests.graphql import GraphQLClient
from tests.helpers import eventually, requests_ended, subscriptions_open, upload_exists

REQUEST = """
mutation($d: String!, $r: JSON!) {
  requestCopernicusData(input: {service: "CDS", dataset: $d, request: $r}) {
    copernicusRequest { id } userErrors { code }
  }
}
"""
STATUS = "query($id: ID!) { copernicusRequest(id: $id) { status progress { bytes } resultFile { id } } }"


@pytest.fixture(scope="module")
def isolated(settings: Settings, fake_cads: FakeCads) -> Settings:
    """A database of its own, so the suite's in-process worker never sees these jobs."""
    return settings.model_copy(
        update={
            "mongodb_database": settings.mongodb_database + "_workers",
            "copernicus_worker": False,
            "cds_url": fake_cads.base,
            "cds_key": KEY,
            "copernicus_lease_seconds": 2.0,
        }
    )


def _env(settings: Settings, lease: float = 2) -> dict[str, str]:
    return {
        **strata_env(settings),
        "STRATA_COPERNICUS_POLL_SECONDS": "0.2",
        "STRATA_COPERNICUS_IDLE_SLEEP_SECONDS": "0.1",
        "STRATA_COPERNICUS_LEASE_SECONDS": str(lease),
        "STRATA_COPERNICUS_PART_BYTES": str(5 * 1024 * 1024),
    }


async def _status(client: GraphQLClient, request_id: str) -> dict[str, Any]:
    found: dict[str, Any] = (await client.data(STATUS, {"id": request_id}))["copernicusRequest"]
    return found


@contextlib.contextmanager
def workers(settings: Settings, count: int, lease: float = 2) -> Iterator[list[subprocess.Popen[bytes]]]:
    """A short lease by default, so a killed worker's jobs are taken over quickly."""
    with strata_processes("worker", _env(settings, lease), count) as started:
        yield [w.process for w in started]


@pytest.fixture(scope="module")
def isolated_api(isolated: Settings) -> Iterator[str]:
    with serve_api(isolated) as url:
        yield url


@pytest.fixture(scope="module")
async def database(isolated: Settings) -> Any:
    client: AsyncIOMotorClient[Any] = AsyncIOMotorClient(isolated.mongodb_url, tz_aware=True)
    yield client[isolated.mongodb_database]
    client.close()  # the run's databases are dropped at the end of the session


async def test_two_workers_race_over_fifty_jobs_exactly_once(
    isolated: Settings, isolated_api: str, tokens: Any, fake_cads: FakeCads, database: Any
) -> None:
    dataset = f"race-{time.time_ns() % 10**9}"
    fake_cads.plans[dataset] = Plan(queued_seconds=0.1, running_seconds=0.1, size=2000)
    async with httpx.AsyncClient(base_url=isolated_api, timeout=60) as http:
        alice = GraphQLClient(http, tokens("alice"))
        ids = []
        for n in range(50):
            result = (await alice.data(REQUEST, {"d": dataset, "r": {"n": n}}))["requestCopernicusData"]
            ids.append(result["copernicusRequest"]["id"])
        # A lease well above an upstream call's time on a loaded machine: a lapse mid-call is a takeover.
        with workers(isolated, 2, lease=15):
            done = await requests_ended(alice, ids, within=120)
    assert [d["status"] for d in done] == ["COMPLETED"] * 50
    assert len({d["resultFile"]["id"] for d in done}) == 50
    files = await database.files.count_documents({"metadata.copernicus.dataset": dataset})
    assert files == 50
    # A lease is taken by inserting its document, so of two workers claiming at once one wins.
    submitted = len([j for j in fake_cads.jobs.values() if j.dataset == dataset])
    assert submitted == 50, submitted


async def test_a_killed_worker_s_download_is_taken_over_without_duplicates_or_orphans(
    isolated: Settings, isolated_api: str, tokens: Any, fake_cads: FakeCads, database: Any
) -> None:
    dataset = f"takeover-{time.time_ns() % 10**9}"
    size = 40 * 1024 * 1024
    fake_cads.plans[dataset] = Plan(queued_seconds=0.1, running_seconds=0.1, size=size, chunk_delay=0.004)
    async with httpx.AsyncClient(base_url=isolated_api, timeout=60) as http:
        alice = GraphQLClient(http, tokens("alice"))
        request_id = (await alice.data(REQUEST, {"d": dataset, "r": {"big": True}}))["requestCopernicusData"][
            "copernicusRequest"
        ]["id"]
        with workers(isolated, 1) as [first]:
            await eventually(
                lambda: _status(alice, request_id), lambda found: (found["progress"] or {}).get("bytes", 0) > 0, 60
            )
            first.send_signal(signal.SIGKILL)  # no chance to hand anything back
            first.wait(timeout=10)
        job = await database.copernicus_requests.find_one({"dataset": dataset})
        abandoned = job["transfer"]
        assert abandoned.get("upload_id")
        fake_cads.plans[dataset].chunk_delay = 0.0
        with workers(isolated, 1):
            [done] = await requests_ended(alice, [request_id], within=90)
    assert done["status"] == "COMPLETED"
    assert await database.files.count_documents({"metadata.copernicus.dataset": dataset}) == 1
    assert not await upload_exists(isolated, abandoned["blob_key"], abandoned["upload_id"])


async def test_subscribers_on_another_api_process_receive_every_step(
    isolated: Settings, isolated_api: str, tokens: Any, fake_cads: FakeCads
) -> None:
    dataset = f"fanout-{time.time_ns() % 10**9}"
    fake_cads.plans[dataset] = Plan(
        queued_seconds=0.3, running_seconds=0.3, size=11 * 1024 * 1024, hold_until_shown=True
    )
    api_env = {**_env(isolated), "STRATA_COPERNICUS_WORKER": "false"}
    query = "subscription { copernicusRequestsUpdated { event { seq status } request { id dataset } } }"
    with api_process(api_env) as (other, _):
        ws_url = other.replace("http", "ws", 1) + "/graphql"
        async with connect(ws_url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
            init = {"type": "connection_init", "payload": {"Authorization": f"Bearer {tokens('alice')}"}}
            await ws.send(json.dumps(init))
            assert json.loads(await ws.recv())["type"] == "connection_ack"
            await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}}))
            await subscriptions_open(other)
            # the request goes in through one API, the worker is a third process
            async with httpx.AsyncClient(base_url=isolated_api, timeout=60) as http:
                alice = GraphQLClient(http, tokens("alice"))
                await alice.data(REQUEST, {"d": dataset, "r": {"x": 1}})
            statuses = []
            with workers(isolated, 1):
                while "COMPLETED" not in statuses:
                    message = json.loads(await asyncio.wait_for(ws.recv(), 30))
                    assert message["type"] == "next", message
                    update = message["payload"]["data"]["copernicusRequestsUpdated"]
                    if update["request"]["dataset"] == dataset:
                        statuses.append(update["event"]["status"])
    assert statuses[0] == "PENDING"
    assert statuses.index("QUEUED") < statuses.index("RUNNING") < statuses.index("DOWNLOADING")
    assert statuses[-1] == "COMPLETED"


def _peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


@pytest.mark.slow
async def test_a_2_gib_result_streams_with_bounded_memory(
    isolated: Settings, isolated_api: str, tokens: Any, fake_cads: FakeCads, database: Any
) -> None:
    dataset = f"huge-{time.time_ns() % 10**9}"
    size = 2 * 1024**3
    fake_cads.plans[dataset] = Plan(queued_seconds=0.1, running_seconds=0.1, size=size)
    async with httpx.AsyncClient(base_url=isolated_api, timeout=60) as http:
        alice = GraphQLClient(http, tokens("alice"))
        request_id = (await alice.data(REQUEST, {"d": dataset, "r": {"huge": True}}))["requestCopernicusData"][
            "copernicusRequest"
        ]["id"]
        with workers(isolated, 1) as [worker]:
            [done] = await requests_ended(alice, [request_id], within=300)
            peak = _peak_rss_mib(worker.pid)
    assert done["status"] == "COMPLETED"
    stored = await database.files.find_one({"metadata.copernicus.dataset": dataset})
    assert stored["size"] == size
    # One 5 MiB part in flight plus the interpreter and its libraries: far below the 2 GiB that passed.
    print(f"worker peak RSS for a 2 GiB result: {peak:.0f} MiB")
    assert peak < 400


async def test_polling_jobs_that_have_not_moved_writes_nothing(
    isolated: Settings, tokens: Any, fake_cads: FakeCads
) -> None:
    """The cost of many jobs in flight: each poll is one listing upstream and, for jobs whose
    upstream status is unchanged, not a single write to the store."""
    dataset = f"quiet-{time.time_ns() % 10**9}"
    fake_cads.plans[dataset] = Plan(queued_seconds=60)
    counter = CommandCounter()
    polling = isolated.model_copy(
        update={
            "mongodb_database": isolated.mongodb_database + "_quiet",
            "copernicus_worker": True,
            "copernicus_poll_seconds": 0.5,
            "copernicus_idle_sleep_seconds": 0.1,
        }
    )
    with serve_api(polling, command_listeners=[counter]) as url:
        async with httpx.AsyncClient(base_url=url, timeout=60) as http:
            alice = GraphQLClient(http, tokens("alice"))
            ids = [
                (await alice.data(REQUEST, {"d": dataset, "r": {"n": n}}))["requestCopernicusData"][
                    "copernicusRequest"
                ]["id"]
                for n in range(20)
            ]
            await eventually(
                lambda: asyncio.gather(*(_status(alice, i) for i in ids)),
                lambda found: {f["status"] for f in found} == {"QUEUED"},
                30,
            )
            # A settling time before the measured window, not a synchronisation: what is measured
            # next is that a window of polls writes nothing.
            await asyncio.sleep(1)
            counter.reset()
            listings = fake_cads.calls("GET", "/api/retrieve/v1/jobs")
            await asyncio.sleep(3)
            listed = fake_cads.calls("GET", "/api/retrieve/v1/jobs") - listings
            written = ("insert", "update", "findAndModify", "delete")
            writes = {name: n for name, n in counter.commands.items() if name in written}
    assert listed >= 3, listed  # it kept polling, about every 0.5 s
    assert writes == {}, writes
