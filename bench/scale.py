"""Scale: what the catalogue's own queries cost as the store grows.

    python -m bench scale [--sizes 1000,10000,100000] [--elsewhere 2] [--samples 21]
    python -m bench scale --fill N --organisation SLUG

The first form starts the dev services, runs the API on a database of its own, signs alice
in (her organisation is then fresh), and grows it step by step to each size in ``--sizes``,
with ``--elsewhere`` times as many files in other organisations of the same store. At each
step it times, through ``/graphql`` with alice's token, the queries the catalogue sends (read
from ``web/src/operations.ts``), p50 and p99 of ``--samples`` runs, and the store reads of one
worker tick; then prints one table with the growth from the smallest size to the largest.

The second form adds N files to an organisation of the stack that ``make run`` started (its
store as ``make run`` configures it) and prints the ids of the huge folder and of one small
folder as JSON, for other probes to measure the same data.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from bson import ObjectId
from strawberry.relay import to_base64
from websockets.asyncio.client import connect
from websockets.typing import Subprotocol

from bench import WEB, bench_env, fill
from devservices.api import serve_api, settings_for
from devservices.services import Stack, dev_token
from graphql_api.settings import Settings
from storage import directory
from storage.copernicus import changes, jobs
from storage.models import CopernicusRequest, Organisation, RequestStatus, User
from storage.mongo import Database

OPERATIONS = WEB / "src" / "operations.ts"
SORTS = ("NAME", "SIZE", "UPDATED_AT", "CREATED_AT", "TYPE")
DEEP_PAGE = 20
# An answer slower than this is timed SLOW_SAMPLES times, not --samples: its p99 is then its slowest.
SLOW_SECONDS = 2.0
SLOW_SAMPLES = 3

NODE = "query($id: ID!) { node(id: $id) { id ... on File { name size folder { id name } } } }"
NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { id ... on File { name size } } }"
USAGE = "{ me { organizations { id usageBytes quotaBytes } } }"


def catalogue_operations() -> dict[str, str]:
    """The catalogue's operations by their constant's name (``FOLDER_PAGE``), fragments included."""
    text = OPERATIONS.read_text()
    documents = dict(re.findall(r"export const (\w+) = graphql\(`(.*?)`\);", text, re.S))
    shared = {name: body for body in documents.values() for name in re.findall(r"^\s*fragment (\w+) on", body, re.M)}

    def with_fragments(body: str) -> str:
        # A fragment spread in a document and defined in another (REFUSAL, ALLOWED) goes along with it.
        needed = set(re.findall(r"\.\.\.(\w+)", body)) - set(re.findall(r"fragment (\w+) on", body))
        return body + "".join(shared[name] for name in sorted(needed) if name in shared)

    return {name: with_fragments(body) for name, body in documents.items()}


@dataclass
class Timing:
    p50: float
    p99: float
    count: int  # items in the answer


def _percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


class Probe:
    def __init__(self, http: httpx.AsyncClient, samples: int) -> None:
        self.http = http
        self.samples = samples

    async def ask(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        response = await self.http.post("/graphql", json={"query": query, "variables": variables or {}})
        body: dict[str, Any] = response.json()
        if body.get("errors"):
            raise RuntimeError(f"{query[:60]}...: {body['errors']}")
        data: dict[str, Any] = body["data"]
        return data

    def sign_in(self) -> None:
        """A fresh token: a step's fill outlasts one (not counted in any timing)."""
        self.http.headers["Authorization"] = f"Bearer {dev_token('alice')}"

    async def time(
        self, query: str, variables: dict[str, Any] | None = None, count: Callable[[dict[str, Any]], int] = len
    ) -> Timing:
        self.sign_in()
        begin = time.perf_counter()
        data = await self.ask(query, variables)  # warm: the first answer also fills caches
        slow = time.perf_counter() - begin > SLOW_SECONDS
        return await self.time_call(lambda: self.ask(query, variables), count(data), SLOW_SAMPLES if slow else None)

    async def time_call(self, action: Callable[[], Awaitable[Any]], count: int, samples: int | None = None) -> Timing:
        spent = []
        for _ in range(samples or self.samples):
            begin = time.perf_counter()
            await action()
            spent.append((time.perf_counter() - begin) * 1000)
        return Timing(statistics.median(spent), _percentile(spent, 0.99), count)


def _files_of(data: dict[str, Any]) -> int:
    return len(data["folder"]["files"]["nodes"])


def _search_count(data: dict[str, Any]) -> int:
    return len(data["searchFiles"]["nodes"])


async def _deep_cursor(probe: Probe, page: str, folder: str, sort: str, pages: int) -> str | None:
    after: str | None = None
    for _ in range(pages - 1):
        variables = {"id": folder, "first": 100, "after": after, "sortBy": sort, "direction": "ASC"}
        files = (await probe.ask(page, variables))["folder"]["files"]
        if not files["pageInfo"]["hasNextPage"]:
            return None
        after = files["pageInfo"]["endCursor"]
    return after


async def measure(probe: Probe, db: Database, filled: fill.Filled) -> dict[str, Timing]:
    ops = catalogue_operations()
    page = ops["FOLDER_PAGE"]
    stream = to_base64("Folder", str(filled.stream_folder_id))
    small = to_base64("Folder", str(filled.small_folder_id))
    found: dict[str, Timing] = {}
    for label, folder in (("small folder", small), ("huge folder", stream)):
        for sort in SORTS:
            variables = {"id": folder, "first": 100, "sortBy": sort, "direction": "ASC"}
            found[f"{label}, first page, {sort}"] = await probe.time(page, variables, _files_of)
        variables = {"id": folder, "first": 100, "sortBy": "NAME", "direction": "DESC"}
        found[f"{label}, first page, NAME DESC"] = await probe.time(page, variables, _files_of)
    for sort in SORTS:
        probe.sign_in()
        after = await _deep_cursor(probe, page, stream, sort, DEEP_PAGE)
        variables = {"id": stream, "first": 100, "after": after, "sortBy": sort, "direction": "ASC"}
        found[f"huge folder, page {DEEP_PAGE}, {sort}"] = await probe.time(page, variables, _files_of)
    listed = (await probe.ask(page, {"id": stream, "first": 100, "sortBy": "NAME", "direction": "ASC"}))["folder"]
    ids = [node["id"] for node in listed["files"]["nodes"]]
    found["node (a file)"] = await probe.time(NODE, {"id": ids[0]}, lambda d: 1)
    found["nodes (100 files)"] = await probe.time(NODES, {"ids": ids}, lambda d: len(d["nodes"]))
    found["home page (me)"] = await probe.time(ops["ME"], None, lambda d: len(d["me"]["organizations"]))
    found["usage"] = await probe.time(USAGE, None, lambda d: len(d["me"]["organizations"]))
    search = ops["SEARCH"]
    shapes: dict[str, dict[str, Any]] = {
        "name (word)": {"name": "thermal"},
        "name (prefix)": {"name": "flight-0001"},
        "type": {"contentType": "image/tiff"},
        "source": {"sourceKind": "DRONE"},
        "area": {"bbox": {"west": 5.0, "south": 50.0, "east": 6.0, "north": 51.0}},
        "time": {"timeRange": {"start": "2025-03-01T00:00:00Z", "end": "2025-03-02T00:00:00Z"}},
        "sensor": {"sensorId": "sensor-athena-energy-01"},
        "combined": {
            "name": "thermal",
            "sourceKind": "DRONE",
            "bbox": {"west": -10.0, "south": 35.0, "east": 10.0, "north": 50.0},
            "timeRange": {"start": "2025-01-01T00:00:00Z", "end": "2025-06-30T00:00:00Z"},
        },
    }
    for label, shape in shapes.items():
        variables = {"filter": shape, "first": 50, "sortBy": "NAME", "direction": "ASC"}
        found[f"searchFiles by {label}"] = await probe.time(search, variables, _search_count)
    for label, shape in shapes.items():
        found[f"searchFacets by {label}"] = await probe.time(
            ops["SEARCH_FACETS"], {"filter": shape}, lambda d: int(d["searchFacets"]["count"])
        )
    trash = ops["TRASH"]
    found["trash"] = await probe.time(
        trash, None, lambda d: sum(len(o["trashedFiles"]["nodes"]) for o in d["me"]["organizations"])
    )
    found["sharedWithMe"] = await probe.time(ops["SHARED_WITH_ME"], None, lambda d: len(d["sharedWithMe"]["nodes"]))
    found["shares of a folder"] = await probe.time(
        ops["ITEM_SHARES"], {"id": small}, lambda d: len(d["node"]["shares"])
    )
    found["copernicusRequests"] = await probe.time(
        ops["COPERNICUS_REQUESTS"], None, lambda d: len(d["copernicusRequests"]["nodes"])
    )

    async def worker_tick() -> None:
        now = datetime.now(UTC)
        await jobs.due(db.engine, now, 100)
        await jobs.cancels_asked(db.engine)
        await changes.since(db.engine, now, 500)

    found["worker tick (store reads)"] = await probe.time_call(worker_tick, 0)
    found["subscription delivery (change to event)"] = await _delivery(probe, db, filled)
    return found


SUBSCRIPTION = "subscription { copernicusRequestsUpdated { event { seq status } request { id } } }"


async def _delivery(probe: Probe, db: Database, filled: fill.Filled) -> Timing:
    """From a request's change written to the store to its event on alice's subscription: the
    watcher's poll (``subscription_watch_seconds``) plus its reads, which must not grow with the store."""
    now = datetime.now(UTC)
    job = CopernicusRequest(
        id=ObjectId(),
        owner_id=filled.owner_id,
        organisation_id=filled.organisation_id,
        service="CDS",
        dataset="bench-delivery",
        request={},
        fingerprint=f"bench-{ObjectId()}",
        status=RequestStatus.QUEUED,
        next_poll_at=datetime(2100, 1, 1, tzinfo=UTC),  # no worker takes it up
        created_at=now,
        updated_at=now,
    )
    await jobs.insert(db.engine, job)
    url = str(probe.http.base_url).replace("http", "ws", 1) + "/graphql"
    token = probe.http.headers["Authorization"]
    async with connect(url, subprotocols=[Subprotocol("graphql-transport-ws")]) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {"Authorization": token}}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIPTION}}))
        await asyncio.sleep(0.5)  # the watcher wakes for its first listener
        version = 0

        async def one() -> None:
            nonlocal version
            version += 1
            entry = {"status": RequestStatus.RUNNING.value, "at": datetime.now(UTC)}
            await db.engine.get_collection(CopernicusRequest).update_one(
                {"_id": job.id}, {"$set": {"version": version}, "$push": {"history": entry}}
            )
            await changes.record(db.engine, job.id, version)
            while True:
                message = json.loads(await asyncio.wait_for(ws.recv(), 30))
                if (
                    message["type"] == "next"
                    and message["payload"]["data"]["copernicusRequestsUpdated"]["event"]["seq"] == version
                ):
                    return

        return await probe.time_call(one, 1)


async def _organisation(db: Database, slug: str) -> tuple[Organisation, User]:
    organisation = await db.engine.find_one(Organisation, {"slug": slug})
    if organisation is None:
        raise SystemExit(f"no organisation {slug!r} in this store: sign in to it once first")
    owner = await db.engine.find_one(User, {"memberships.organisation_id": organisation.id})
    if owner is None:
        raise SystemExit(f"{slug!r} has no member yet: sign in to it once first")
    return organisation, owner


async def _bystander(db: Database, index: int) -> tuple[Organisation, User]:
    """An organisation nobody signs in to, holding files elsewhere in the store."""
    organisation = await directory.upsert_organisation(db.engine, f"elsewhere-{index}", f"Elsewhere {index}")
    organisation = await db.engine.find_one(Organisation, {"_id": organisation.id}) or organisation
    owner = User(
        id=ObjectId(),
        subject=f"bench-{index}",
        name=f"Bench {index}",
        created_at=datetime.now(UTC),
        last_seen_at=datetime.now(UTC),
    )
    await db.engine.get_collection(User).insert_one(owner.model_dump_doc())
    return organisation, owner


async def sweep(sizes: Sequence[int], elsewhere: int, samples: int) -> list[str]:
    stack = Stack()
    started = stack.up()
    try:
        env = bench_env(stack)
        settings = settings_for(env)
        return await _sweep(settings, sizes, elsewhere, samples)
    finally:
        stack.down(started)


async def _sweep(settings: Settings, sizes: Sequence[int], elsewhere: int, samples: int) -> list[str]:
    db = Database.connect(settings.mongodb_url, settings.mongodb_database, timeout_ms=60_000)
    results: dict[int, dict[str, Timing]] = {}
    stored: dict[int, int] = {}
    try:
        with serve_api(settings) as url:
            headers = {"Authorization": f"Bearer {dev_token('alice')}"}
            async with httpx.AsyncClient(base_url=url, headers=headers, timeout=300) as http:
                probe = Probe(http, samples)
                await probe.ask("{ me { id } }")  # signs alice in: her organisation now exists
                organisation, owner = await _organisation(db, "athena-energy")
                bystander = await _bystander(db, 1)
                have = 0
                filled: fill.Filled | None = None
                for size in sizes:
                    begin = time.monotonic()
                    probe.sign_in()
                    organisation = await db.engine.find_one(Organisation, {"_id": organisation.id}) or organisation
                    filled = await fill.fill(db.engine, organisation, owner, size - have)
                    others = await db.engine.find_one(Organisation, {"_id": bystander[0].id}) or bystander[0]
                    await fill.fill(db.engine, others, bystander[1], (size - have) * elsewhere)
                    have = size
                    stored[size] = size * (1 + elsewhere)  # counting them would read them all
                    print(
                        f"scale: {size} files ({stored[size]} in the store), filled in "
                        f"{time.monotonic() - begin:.0f}s; measuring",
                        flush=True,
                    )
                    results[size] = await measure(probe, db, filled)
                    # Each step as it ends: a long sweep stopped midway keeps what it measured.
                    print("\n".join(report(results, stored)), flush=True)
    finally:
        await db.engine.client.drop_database(settings.mongodb_database)
        db.close()
    return report(results, stored)


def report(results: dict[int, dict[str, Timing]], stored: dict[int, int]) -> list[str]:
    sizes = sorted(results)
    head = " | ".join(f"{n:,} ({stored[n]:,}) p50 / p99" for n in sizes)
    lines = [
        f"## Scale: the catalogue's queries by files in one organisation (in the store), ms, "
        f"{datetime.now(UTC):%Y-%m-%d}",
        "",
        f"| query | answer | {head} | growth p50 |",
        "|---|---|" + "---|" * len(sizes) + "---|",
    ]
    for label in results[sizes[0]]:
        cells = " | ".join(f"{results[n][label].p50:.1f} / {results[n][label].p99:.1f}" for n in sizes)
        growth = results[sizes[-1]][label].p50 / max(results[sizes[0]][label].p50, 0.001)
        lines.append(f"| {label} | {results[sizes[-1]][label].count} | {cells} | {growth:.2f}x |")
    return lines


async def fill_only(count: int, slug: str) -> dict[str, str]:
    # The store as `make run` points the API at it; STRATA_* in the environment still win, as there.
    settings = settings_for({**Stack().app_env(), **{k: v for k, v in os.environ.items() if k.startswith("STRATA_")}})
    db = Database.connect(settings.mongodb_url, settings.mongodb_database, timeout_ms=60_000)
    try:
        organisation, owner = await _organisation(db, slug)
        filled = await fill.fill(db.engine, organisation, owner, count)
    finally:
        db.close()
    return {
        "organisation": to_base64("Organization", str(filled.organisation_id)),
        "hugeFolder": to_base64("Folder", str(filled.stream_folder_id)),
        "smallFolder": to_base64("Folder", str(filled.small_folder_id)),
        "files": str(filled.files),
    }


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench scale", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="1000,10000,100000", help="files in the organisation at each step")
    parser.add_argument("--elsewhere", type=int, default=2, help="files in other organisations, per file in it")
    parser.add_argument("--samples", type=int, default=21)
    parser.add_argument("--fill", type=int, metavar="N", help="only add N files to --organisation and print ids")
    parser.add_argument("--organisation", metavar="SLUG", default="athena-energy")
    args = parser.parse_args(argv)
    if args.fill is not None:
        print(json.dumps(asyncio.run(fill_only(args.fill, args.organisation)), indent=2))
        return 0
    sizes = sorted(int(s) for s in args.sizes.split(","))
    lines = asyncio.run(sweep(sizes, args.elsewhere, args.samples))
    report_text = "\n".join(lines) + "\n"
    sys.stdout.write(report_text)
    (Path(__file__).parent / "scale-results.md").write_text(report_text)
    return 0
