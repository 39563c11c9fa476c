"""The API and its Copernicus worker under mixed traffic for minutes: memory and descriptors stay flat.

    python -m bench soak [--minutes 10] [--warm-up 2] [--tolerance 0.10]    (make soak)

One ``strata serve`` process of its own (its worker inside), a fake CADS upstream, and a loop of
what people do: folder pages, searches, small uploads, subscriptions opened and closed, Copernicus
requests followed to their end. Every 10 s it samples the process's resident memory and open file
descriptors; after the warm-up, the median of the last minute must stay within ``tolerance`` of
the median of the first minute after it. Exits 1 when either grew more, so CI or a person can run
it as a check; the table goes to stdout and bench/soak-results.md.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from websockets.asyncio.client import connect

from bench import bench_env
from client.api import StrataClient
from client.transfer import upload
from devservices.api import strata_processes
from devservices.services import Stack, dev_token
from tests.fake_cads import KEY, Plan, running_fake_cads

RESULTS = Path(__file__).with_name("soak-results.md")
ROOT = "{ me { organizations { rootFolder { id } } } }"
MKDIR = "mutation($i: CreateFolderInput!) { createFolder(input: $i) { folder { id } userErrors { code message } } }"
PAGE = "query($id: ID!) { folder(id: $id) { files(first: 50) { edges { node { id name size owner { name } } } } } }"
SEARCH = '{ searchFiles(filter: {name: "reading"}, first: 20) { edges { node { id } } } }'
REQUEST = """
mutation($d: String!, $r: JSON!) {
  requestCopernicusData(input: {service: "CDS", dataset: $d, request: $r}) {
    copernicusRequest { id } userErrors { code message }
  }
}
"""
FOLLOW = "subscription($id: ID!) { copernicusRequestUpdated(id: $id) { event { seq status } } }"
ALL = "subscription { copernicusRequestsUpdated { event { seq } } }"


def resident_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def descriptors(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


class Tokens:
    """alice's token, fetched again when less than a minute of it is left."""

    def __init__(self) -> None:
        self.value, self.expires = self._fetch()

    @staticmethod
    def _fetch() -> tuple[str, float]:
        token = dev_token("alice")
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return token, float(claims["exp"])

    def get(self) -> str:
        if self.expires - time.time() < 60:
            self.value, self.expires = self._fetch()
        return self.value


async def _subscribe(ws_url: str, token: str, query: str, variables: dict[str, Any], until_complete: bool) -> int:
    """Open a subscription, read what it sends (to its end, or its first message) and close it."""
    received = 0
    async with connect(ws_url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}))
        await ws.recv()
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query, "variables": variables}}))
        while True:
            try:
                message = json.loads(await asyncio.wait_for(ws.recv(), 30 if until_complete else 0.3))
            except TimeoutError:
                return received
            if message["type"] == "complete":
                return received
            received += 1
            if not until_complete:
                return received


async def _round(url: str, tokens: Tokens, folder: str, scratch: Path, n: int, dataset: str) -> None:
    async with StrataClient(f"{url}/graphql", tokens.get()) as strata:
        for _ in range(5):
            await strata.query(PAGE, {"id": folder})
        await strata.query(SEARCH)
        small = scratch / f"reading-{n}.csv"
        small.write_bytes(os.urandom(4096))
        await upload(strata, small, folder)
        small.unlink()
        ws_url = url.replace("http", "ws", 1) + "/graphql"
        await _subscribe(ws_url, tokens.get(), ALL, {}, until_complete=False)
        if n % 5 == 0:  # a Copernicus request, followed to its end
            made = await strata.mutate(REQUEST, "requestCopernicusData", {"d": dataset, "r": {"n": n}})
            await _subscribe(ws_url, tokens.get(), FOLLOW, {"id": made["copernicusRequest"]["id"]}, until_complete=True)


async def soak(minutes: float, warm_up: float, tolerance: float) -> tuple[list[str], bool]:
    stack = Stack()
    started = stack.up()
    try:
        with running_fake_cads() as cads:
            dataset = f"soak-{uuid.uuid4().hex[:6]}"
            cads.plans[dataset] = Plan(queued_seconds=0.3, running_seconds=0.3, size=256 * 1024)
            env = {
                **bench_env(stack),
                "STRATA_CDS_URL": cads.base,
                "STRATA_CDS_KEY": KEY,
                "STRATA_COPERNICUS_POLL_SECONDS": "0.3",
                "STRATA_UPLOAD_SWEEP_INTERVAL_SECONDS": "5",
            }
            with strata_processes("serve", env) as [api]:
                return await _drive(api.url, api.process.pid, minutes, warm_up, tolerance, dataset)
    finally:
        stack.down(started)


async def _drive(
    url: str, pid: int, minutes: float, warm_up: float, tolerance: float, dataset: str
) -> tuple[list[str], bool]:
    tokens = Tokens()
    async with StrataClient(f"{url}/graphql", tokens.get()) as strata:
        root = (await strata.query(ROOT))["me"]["organizations"][0]["rootFolder"]["id"]
        made = await strata.mutate(MKDIR, "createFolder", {"i": {"parentId": root, "name": f"soak-{time.time_ns()}"}})
    folder = made["folder"]["id"]
    samples: list[tuple[float, int, int]] = []
    begin = time.monotonic()
    rounds = 0
    next_sample = begin
    with tempfile.TemporaryDirectory(prefix="strata-soak-") as scratch:
        while (elapsed := time.monotonic() - begin) < minutes * 60:
            # Four people at once, so requests and subscriptions overlap as they would.
            await asyncio.gather(*(_round(url, tokens, folder, Path(scratch), rounds + k, dataset) for k in range(4)))
            rounds += 4
            if time.monotonic() >= next_sample:
                samples.append((elapsed, resident_kib(pid), descriptors(pid)))
                next_sample += 10
                rss, fds = samples[-1][1] / 1024, samples[-1][2]
                print(f"  {elapsed:6.0f} s  rounds {rounds:5}  RSS {rss:7.1f} MiB  fds {fds}")
    return _verdict(samples, rounds, minutes, warm_up, tolerance)


def _verdict(
    samples: list[tuple[float, int, int]], rounds: int, minutes: float, warm_up: float, tolerance: float
) -> tuple[list[str], bool]:
    after = [s for s in samples if s[0] >= warm_up * 60]
    first = [s for s in after if s[0] < warm_up * 60 + 60]
    last = [s for s in after if s[0] >= minutes * 60 - 60]
    if not first or not last:
        raise SystemExit("too short a run to compare a minute after warm-up with the last minute")
    lines = [
        f"Soak: {minutes:g} min of mixed traffic ({rounds} rounds of 5 pages, a search, an upload, a "
        f"subscription; a Copernicus request followed to its end every 5th), warm-up {warm_up:g} min, "
        "one API process with its worker.",
        "",
        "| measure | first minute after warm-up (median) | last minute (median) | ratio | within |",
        "|---|---|---|---|---|",
    ]
    flat = True
    for name, index, unit, scale in (("resident memory", 1, "MiB", 1024), ("open descriptors", 2, "", 1)):
        start = statistics.median(s[index] for s in first) / scale
        end = statistics.median(s[index] for s in last) / scale
        ratio = end / start
        ok = ratio <= 1 + tolerance
        flat &= ok
        lines.append(f"| {name} | {start:.1f} {unit} | {end:.1f} {unit} | {ratio:.3f} | {'yes' if ok else 'NO'} |")
    return lines, flat


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench soak")
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--warm-up", type=float, default=2)
    parser.add_argument("--tolerance", type=float, default=0.10)
    args = parser.parse_args(argv)
    lines, flat = asyncio.run(soak(args.minutes, args.warm_up, args.tolerance))
    text = "\n".join(lines) + "\n"
    print(text)
    RESULTS.write_text(text)
    return 0 if flat else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
