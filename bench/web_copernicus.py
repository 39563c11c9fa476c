"""How late the catalogue shows a Copernicus status change: 50 requests against the fake CADS
upstream while the page is open in headless Chromium; for each step the page showed, the time from
the step (its history entry's ``at``) to the row changing in the page, p50 and p99.

    python -m bench.web_copernicus [--jobs 50]        (make bench-web-live)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime
from pathlib import Path

import httpx

from bench import WEB, bench_env, chromium_path
from devservices.api import serve_api, settings_for
from devservices.services import Stack, dev_token
from tests.fake_cads import KEY, Plan, running_fake_cads

PORT = 18700
REQUEST = """
mutation($d: String!, $r: JSON!) {
  requestCopernicusData(input: {service: "CDS", dataset: $d, request: $r}) {
    copernicusRequest { id } userErrors { code }
  }
}
"""
HISTORY = "query($id: ID!) { copernicusRequest(id: $id) { history { status at } } }"


async def _submit(url: str, dataset: str, count: int) -> None:
    headers = {"Authorization": f"Bearer {dev_token('alice')}"}
    async with httpx.AsyncClient(base_url=url, timeout=60) as http:
        for n in range(count):
            body = {"query": REQUEST, "variables": {"d": dataset, "r": {"n": n, "run": uuid.uuid4().hex}}}
            answer = (await http.post("/graphql", json=body, headers=headers)).json()
            assert answer["data"]["requestCopernicusData"]["userErrors"] == [], answer
            await asyncio.sleep(0.05)


async def _histories(url: str, ids: set[str]) -> dict[str, dict[str, datetime]]:
    headers = {"Authorization": f"Bearer {dev_token('alice')}"}
    found: dict[str, dict[str, datetime]] = {}
    async with httpx.AsyncClient(base_url=url, timeout=60) as http:
        for request_id in ids:
            answer = (
                await http.post("/graphql", json={"query": HISTORY, "variables": {"id": request_id}}, headers=headers)
            ).json()
            steps = answer["data"]["copernicusRequest"]["history"]
            found[request_id] = {s["status"]: datetime.fromisoformat(s["at"]) for s in steps}
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.web_copernicus", description=__doc__)
    parser.add_argument("--jobs", type=int, default=50)
    args = parser.parse_args(argv)
    chromium = chromium_path()
    stack = Stack()
    started = stack.up()
    try:
        with running_fake_cads() as fake, tempfile.TemporaryDirectory() as scratch:
            dataset = f"bench-live-{uuid.uuid4().hex[:6]}"
            fake.plans[dataset] = Plan(queued_seconds=1.0, running_seconds=1.0, size=1000)
            env = {
                **bench_env(stack),
                "STRATA_CDS_URL": fake.base,
                "STRATA_CDS_KEY": KEY,
                "STRATA_COPERNICUS_POLL_SECONDS": "0.5",
                "STRATA_COPERNICUS_IDLE_SLEEP_SECONDS": "0.1",
            }
            with serve_api(settings_for(env), port=PORT) as url:
                ready = Path(scratch) / "ready"
                page = subprocess.Popen(
                    ["node", str(WEB / "bench" / "live-status.mjs")],
                    env={
                        **os.environ,
                        "STRATA_WEB_URL": url,
                        "STRATA_BENCH_JOBS": str(args.jobs),
                        "STRATA_BENCH_READY": str(ready),
                        "STRATA_CHROMIUM": chromium,
                    },
                    cwd=WEB,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
                while not ready.exists():
                    if page.poll() is not None:
                        raise RuntimeError(f"the page did not start: {page.stderr.read() if page.stderr else ''}")
                    time.sleep(0.1)
                asyncio.run(_submit(url, dataset, args.jobs))
                out, err = page.communicate(timeout=900)
                if page.returncode != 0:
                    raise RuntimeError(f"the page failed: {err[-2000:]}")
                seen = json.loads(out.strip().splitlines()[-1])
                histories = asyncio.run(_histories(url, {s["id"] for s in seen}))
    finally:
        stack.down(started)
    delays = []
    for step in seen:
        at = histories.get(step["id"], {}).get(step["status"])
        if at is not None and step["status"] != "PENDING":  # PENDING is the mutation's own answer
            delays.append(step["at"] / 1000 - at.timestamp())
    delays.sort()
    p50 = statistics.median(delays)
    p99 = delays[min(len(delays) - 1, int(len(delays) * 0.99))]
    print(f"| {args.jobs} requests, {len(delays)} steps shown live | p50 | p99 |")
    print("|---|---:|---:|")
    print(f"| from the step upstream (history `at`) to the page's row | {p50 * 1000:.0f} ms | {p99 * 1000:.0f} ms |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
