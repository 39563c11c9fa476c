"""1,000 Copernicus jobs in flight on one fake upstream, and 1,000 subscribers on one API process.

    python -m bench.copernicus [--jobs 1000] [--subscribers 1000]

Reports upstream requests per poll tick and per completed job, and the delay from a
status change (the history entry's time) to its delivery to each subscriber, p50 and p99.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime

import httpx
from websockets.asyncio.client import connect

from devservices.api import serve_api, settings_for
from devservices.services import Stack, dev_token
from tests.fake_cads import KEY, Plan, running_fake_cads

REQUEST = """
mutation($d: String!, $r: JSON!) {
  requestCopernicusData(input: {service: "CDS", dataset: $d, request: $r}) {
    copernicusRequest { id } userErrors { code }
  }
}
"""
COUNT = "query($s: [CopernicusRequestStatus!]) { copernicusRequests(status: $s, first: 100) { edges { node { id } } } }"


async def _follower(
    url: str, token: str, request_id: str, delays: list[float], ready: asyncio.Event, start: list[datetime]
) -> None:
    """Follow one request to its end; steps after everyone listens count towards the delay."""
    async with connect(url, subprotocols=["graphql-transport-ws"], max_queue=None) as ws:  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}))
        await ws.recv()
        query = "subscription($id: ID!) { copernicusRequestUpdated(id: $id) { event { seq at } } }"
        subscribe = {"query": query, "variables": {"id": request_id}}
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": subscribe}))
        async for raw in ws:
            message = json.loads(raw)
            if message["type"] == "complete":
                return
            if not message["payload"].get("data"):
                raise RuntimeError(f"subscription ended with {message['payload']}")
            ready.set()  # history so far has arrived: this subscriber is live
            event = message["payload"]["data"]["copernicusRequestUpdated"]["event"]
            at = datetime.fromisoformat(event["at"])
            if start and at >= start[0]:
                delays.append((datetime.now(UTC) - at).total_seconds())


def _list_calls(requests: list[tuple[str, str]]) -> int:
    return sum(1 for method, path in requests if method == "GET" and path == "/api/retrieve/v1/jobs")


async def _submit(http: httpx.AsyncClient, headers: dict[str, str], dataset: str, count: int) -> list[str]:
    ids = []
    for n in range(count):
        body = {"query": REQUEST, "variables": {"d": dataset, "r": {"n": n}}}
        answer = (await http.post("/graphql", json=body, headers=headers)).json()
        ids.append(answer["data"]["requestCopernicusData"]["copernicusRequest"]["id"])
    return ids


def _per_completed_job(requests: list[tuple[str, str]], job_count: int) -> tuple[int, float, float]:
    """Completed jobs (their result was downloaded), the calls each made on its own (submission,
    status, results, download), and its share of the job-list calls that served every job."""
    downloads = [path for _, path in requests if path.startswith("/download/")]
    done = {path.removeprefix("/download/").split(".")[0] for path in downloads}
    # /api/retrieve/v1/jobs/<id> and /api/retrieve/v1/jobs/<id>/results
    by_job = [path.split("/")[5] for _, path in requests if path.startswith("/api/retrieve/v1/jobs/")]
    own = sum(1 for job in by_job if job in done) + len(downloads) + len(done)  # + one submission each
    return len(done), own / max(len(done), 1), _list_calls(requests) / job_count


async def _settle(http: httpx.AsyncClient, headers: dict[str, str], within: float) -> None:
    body = {"query": COUNT, "variables": {"s": ["PENDING", "QUEUED", "RUNNING", "DOWNLOADING"]}}
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        # A new token each time: settling may outlast one.
        headers = {"Authorization": f"Bearer {await asyncio.to_thread(dev_token, 'alice')}"}
        answer = (await http.post("/graphql", json=body, headers=headers)).json()
        if not answer["data"]["copernicusRequests"]["edges"]:
            return
        await asyncio.sleep(5)  # a patient client: each look is a query over every request


async def run(job_count: int, subscriber_count: int, settle_seconds: float) -> list[str]:
    stack = Stack()
    started = stack.up()
    try:
        with running_fake_cads() as fake:
            env = {
                **stack.app_env(),
                "STRATA_MONGODB_DATABASE": f"strata_bench_cop_{uuid.uuid4().hex[:6]}",
                "STRATA_CDS_URL": fake.base,
                "STRATA_CDS_KEY": KEY,
                "STRATA_COPERNICUS_POLL_SECONDS": "1",
                "STRATA_COPERNICUS_IDLE_SLEEP_SECONDS": "0.2",
                "STRATA_LOG_LEVEL": "WARNING",
            }
            token = dev_token("alice")
            headers = {"Authorization": f"Bearer {token}"}
            with serve_api(settings_for(env)) as url:
                async with httpx.AsyncClient(base_url=url, timeout=120) as http:
                    # 1. many jobs in flight: what it costs upstream
                    fake.plans["bench-inflight"] = Plan(queued_seconds=10, running_seconds=10, size=1000)
                    begin = time.monotonic()
                    await _submit(http, headers, "bench-inflight", job_count)
                    submitted = time.monotonic() - begin
                    await asyncio.sleep(3)
                    window_start = len(fake.requests)
                    lists_before = _list_calls(fake.requests)
                    await asyncio.sleep(5)
                    window = fake.requests[window_start:]
                    list_calls = _list_calls(fake.requests) - lists_before
                    single_calls = sum(1 for m, p in window if m == "GET" and p.count("/") == 5)
                    settle_started = time.monotonic()
                    await _settle(http, headers, settle_seconds)
                    settled = time.monotonic() - settle_started
                    completed, own_calls, list_share = _per_completed_job(fake.requests, job_count)
                    print(
                        f"phase 1 done: {list_calls} list calls, {single_calls} single, {completed} completed, "
                        f"{own_calls:.2f} own calls per completed job, {list_share:.2f} list calls per job, "
                        f"{settled:.0f} s",
                        file=sys.stderr,
                        flush=True,
                    )
                    # A fresh token: the first phase may outlast one, and subscriptions check expiry per event.
                    token = dev_token("alice")
                    headers = {"Authorization": f"Bearer {token}"}
                    # 2. many subscribers: how late they hear
                    # Jobs wait upstream long enough for every subscriber to be listening first.
                    fake.plans["bench-followed"] = Plan(queued_seconds=30, running_seconds=3, size=1000)
                    followed = await _submit(http, headers, "bench-followed", 50)
                    delays: list[float] = []
                    start: list[datetime] = []
                    ws_url = url.replace("http", "ws", 1) + "/graphql"
                    readies = [asyncio.Event() for _ in range(subscriber_count)]
                    followers = [
                        asyncio.create_task(
                            _follower(ws_url, token, followed[i % len(followed)], delays, readies[i], start)
                        )
                        for i in range(subscriber_count)
                    ]
                    await asyncio.gather(*(r.wait() for r in readies))
                    start.append(datetime.now(UTC))
                    await asyncio.gather(*followers)
            quantiles = statistics.quantiles(delays, n=100)
            return [
                f"## Copernicus: {job_count} jobs in flight on one fake CADS account",
                "",
                f"- {job_count} requests submitted through GraphQL in {submitted:.1f} s",
                f"- while all were queued or running, in 5 s: {list_calls} job-list calls and {single_calls} "
                "single-job calls (single calls only for jobs that left the list)",
                f"- per poll tick (1 s): {list_calls / 5:.1f} job-list calls for the one account, "
                f"{single_calls / 5:.1f} single-job calls",
                f"- {completed} of {job_count} completed within {settled:.0f} s after the window (the fake's jobs "
                "take 20 s; the rest of the time is the store's)",
                f"- upstream requests per completed job: {own_calls:.2f} of its own (submission, status, results, "
                f"download) plus {list_share:.2f} as its share of the job-list calls",
                "",
                f"## {subscriber_count} subscribers on one API process, following 50 jobs (after all listen)",
                "",
                f"- {len(delays)} deliveries; delay from a status change to delivery: "
                f"p50 {statistics.median(delays) * 1000:.0f} ms, p99 {quantiles[98] * 1000:.0f} ms",
                "",
            ]
    finally:
        stack.down(started)


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench.copernicus", description=__doc__)
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--settle-seconds", type=float, default=1800, help="how long to wait for the jobs to finish")
    args = parser.parse_args()
    report = "\n".join(asyncio.run(run(args.jobs, args.subscribers, args.settle_seconds))) + "\n"
    sys.stdout.write(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
